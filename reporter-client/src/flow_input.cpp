// What the reporter types: the message, and the code (asked, or issued and
// typed back).
#include <algorithm>
#include <cstdlib>
#include <memory>

#include "attachments.hpp"
#include "channel.hpp"
#include "choose_advisers.hpp"
#include "clock.hpp"
#include "conversation.hpp"
#include "deposits.hpp"
#include "flow.hpp"
#include "interrupt.hpp"
#include "meldpunt/cli/program.hpp"
#include "meldpunt/client/directory_check.hpp"
#include "meldpunt/client/retrieval.hpp"
#include "meldpunt/client/terminal.hpp"
#include "meldpunt/client/text.hpp"
#include "progress.hpp"
#include "refusal.hpp"
#include "sending.hpp"
#include "texts.hpp"

namespace meldpunt::reporter::flow {

using client::write_err;
using client::write_out;
using cli::kExitFailed;

// ---- message input ----

const char* editor_command() {
  for (const char* name : {"VISUAL", "EDITOR"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && v[0] != '\0') return v;
  }
  return nullptr;
}

// The message from --file; on a terminal from $VISUAL/$EDITOR (a file in
// RAM, wiped afterwards) unless --no-editor; otherwise from standard input up
// to a line holding only "." (or the end of input), so the code can still be
// typed after it.
Result<crypto::SecretBuffer> read_message(const Options& o, std::size_t max_bytes) {
  const Error too_long{ErrorCode::kTooLarge, fmt(o, Msg::kMessageTooLong, {std::to_string(max_bytes)})};
  const Error empty{ErrorCode::kMalformed, std::string(tr(o, Msg::kMessageEmpty))};
  if (!o.file.empty()) {
    auto body = client::read_file_secret(o.file, max_bytes);
    if (!body && body.error().code == ErrorCode::kTooLarge) return too_long;
    if (body && body->empty()) return empty;
    if (!body) {
      return Error{body.error().code, fmt(o, Msg::kMessageFileUnreadable,
                                          {client::terminal_safe_label(o.file),
                                           english_detail(o.lang, client::terminal_safe_label(body.error().message))})};
    }
    return body;
  }
  const bool tty = client::stdin_is_terminal();
  if (const char* editor = editor_command(); tty && editor != nullptr && !o.no_editor) {
    write_err(fmt(o, Msg::kEditorOpening, {client::terminal_safe_label(editor)}));
    auto body = client::edit_in_editor(editor, max_bytes);
    if (body) return body;
    if (body.error().code == ErrorCode::kTooLarge) return too_long;
    if (body.error().code == ErrorCode::kMalformed) return empty;
    if (body.error().code != ErrorCode::kUnavailable) return body.error();
    write_err(fmt(o, Msg::kEditorUnavailable, {english_detail(o.lang, body.error().message)}));
  }
  if (tty) write_err(tr(o, Msg::kTypeMessage));
  crypto::SecretBuffer body;
  for (;;) {
    auto line = client::read_line("", max_bytes);
    if (!line) {
      if (line.error().code == ErrorCode::kNotFound) break;  // end of input ends the message
      if (line.error().code == ErrorCode::kTooLarge) return too_long;
      return line.error();
    }
    if (line->text() == ".") break;
    if (body.size() + line->size() + 1 > max_bytes) return too_long;
    body.append(line->view());
    body.push_back('\n');
  }
  if (body.empty()) return empty;
  return body;
}

// read_message, asked again on a terminal while the message is empty
// (kMalformed is read_message's "empty"): ending a report by accident after
// choosing advisers and files must not throw the choice away.
Result<crypto::SecretBuffer> read_message_until_given(const Options& o, std::size_t max_bytes) {
  for (;;) {
    auto body = read_message(o, max_bytes);
    if (body || body.error().code != ErrorCode::kMalformed || !o.file.empty() || !client::stdin_is_terminal()) {
      return body;
    }
    write_err(tr(o, Msg::kMessageEmptyAgain));
  }
}

// ---- codes ----

std::string describe_code_problem(const Options& o, const crypto::CodeProblem& problem) {
  using Kind = crypto::CodeProblem::Kind;
  switch (problem.kind) {
    case Kind::kWrongLength: return std::string(tr(o, Msg::kCodeWrongLength));
    case Kind::kBadCharacter:
      return problem.group ? fmt(o, Msg::kCodeBadCharacter, {std::to_string(*problem.group)})
                           : std::string(tr(o, Msg::kCodeBadCharacterSomewhere));
    case Kind::kCheckFailed:
      return problem.group ? fmt(o, Msg::kCodeTypoInGroup, {std::to_string(*problem.group)})
                           : std::string(tr(o, Msg::kCodeTypo));
  }
  return std::string(tr(o, Msg::kCodeTypo));
}

// A code typed at the prompt; a typo is explained (with its group) and the
// reporter may try again, all before any network traffic.
Result<crypto::ReporterCode> ask_code(const Options& o, Msg prompt) {
  for (int attempt = 1; attempt <= kCodeTries; ++attempt) {
    auto typed = client::read_secret_line(tr(o, prompt));
    if (!typed) break;
    auto code = crypto::ReporterCode::parse(typed->text());
    if (code) return code;
    const auto problem = crypto::ReporterCode::diagnose(typed->text());
    write_err(describe_code_problem(o, problem.value_or(crypto::CodeProblem{crypto::CodeProblem::Kind::kCheckFailed, {}})) +
              "\n");
    if (attempt < kCodeTries) write_err(tr(o, Msg::kCodeTryAgain));
  }
  return Error{ErrorCode::kBadCode, std::string(tr(o, Msg::kCodeTooManyTries))};
}

// Shows a fresh code once with advice, and has it typed back. `readers` are
// named in the prompt: the message goes to them once the code is confirmed
// (the code itself never leaves this computer). On a terminal the code is
// wiped from the screen and scrollback before it is typed back, so that
// retyping proves it was written down and it does not stay visible.
Result<crypto::ReporterCode> issue_code(const Options& o, const std::string& readers,
                                        Msg confirm_prompt) {
  crypto::ReporterCode code = crypto::ReporterCode::generate();
  {
    const crypto::SecretBuffer shown = code.display();
    write_out(tr(o, Msg::kCodeHeading));
    write_out(shown.text());
    write_out(tr(o, Msg::kCodeAdvice));
    write_out(tr(o, Msg::kCodeLost));
    write_out("\n");
  }
  if (client::stdin_is_terminal() && client::stdout_is_terminal()) {
    auto enter = client::read_line(tr(o, Msg::kCodeWrittenDown), 256);
    client::clear_terminal_screen();
    if (!enter) return Error{ErrorCode::kNotFound, std::string(tr(o, Msg::kCodeNotConfirmed))};
  }
  for (int attempt = 1; attempt <= kCodeTries; ++attempt) {
    auto typed = client::read_secret_line(fmt(o, confirm_prompt, {readers}));
    // The end of input: nobody is there to answer another question.
    if (!typed) return Error{ErrorCode::kNotFound, std::string(tr(o, Msg::kCodeNotConfirmed))};
    auto parsed = crypto::ReporterCode::parse(typed->text());
    if (parsed && parsed->equals(code)) return code;
    if (parsed) {
      write_err(std::string(tr(o, Msg::kCodeNotThisOne)) + "\n");
    } else {
      const auto problem = crypto::ReporterCode::diagnose(typed->text());
      write_err(describe_code_problem(o, problem.value_or(crypto::CodeProblem{crypto::CodeProblem::Kind::kCheckFailed, {}})) +
                "\n");
    }
    if (attempt < kCodeTries) write_err(tr(o, Msg::kCodeTryAgain));
  }
  return Error{ErrorCode::kBadCode, std::string(tr(o, Msg::kCodeNotConfirmed))};
}

// issue_code, offered again (a new code) on a terminal after three
// mistyped confirmations (kBadCode; the end of input is kNotFound), so that
// the typed message is not lost to a typo.
Result<crypto::ReporterCode> issue_code_until_confirmed(const Options& o, const std::string& readers) {
  for (;;) {
    auto code = issue_code(o, readers);
    if (code || code.error().code != ErrorCode::kBadCode) return code;
    if (!reporter::ask_yes(o.lang, Msg::kKeptNewCodePrompt)) return code;
  }
}
}  // namespace meldpunt::reporter::flow
