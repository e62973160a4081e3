// `reporter-client`: report unwanted behaviour anonymously and follow up with
// nothing but a code. Writes nothing to disk; reads the code only from a
// prompt (no echo) or standard input, never from arguments or the
// environment. Every text it shows comes from texts.cpp, in English or Dutch.
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <set>

#include <CLI/CLI.hpp>

#include "attachments.hpp"
#include "channel.hpp"
#include "choose_advisers.hpp"
#include "clock.hpp"
#include "conversation.hpp"
#include "deposits.hpp"
#include "meldpunt/cli/program.hpp"
#include "meldpunt/client/directory_check.hpp"
#include "meldpunt/client/retrieval.hpp"
#include "interrupt.hpp"
#include "meldpunt/client/terminal.hpp"
#include "meldpunt/client/text.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "progress.hpp"
#include "refusal.hpp"
#include "sending.hpp"
#include "texts.hpp"

namespace {

using namespace meldpunt;
using client::write_err;
using client::write_out;
using reporter::Lang;
using reporter::Msg;

using cli::kExitFailed;
using cli::kExitInternal;
constexpr int kExitInterrupted = 130;  // as a shell reports a Ctrl-C (interrupt.hpp)
constexpr int kCodeTries = 3;
constexpr std::chrono::milliseconds kDirectConnectTimeout{10000};
constexpr std::chrono::milliseconds kDirectRequestTimeout{30000};
// Tor builds a circuit before the first byte reaches the relay.
constexpr std::chrono::milliseconds kProxyConnectTimeout{90000};
constexpr std::chrono::milliseconds kProxyRequestTimeout{90000};

struct Options {
  reporter::ChannelSource channel;  // --channel, --channel-file, or asked
  std::string file;
  std::string proxy;
  std::vector<std::string> to;
  std::vector<std::string> exclude;
  std::string lang_option;
  Lang lang = Lang::kEn;
  bool insecure_kdf = false;
  bool no_editor = false;
  bool keep_old = false;
  std::vector<std::string> attach;  // --attach FILE (new, reply)
  bool attach_ask = false;          // --attach-ask (new, reply): the files from a prompt
  std::string save_attachments;     // --save-attachments FOLDER (check)
};

// ---- small helpers ----

std::string_view tr(const Options& o, Msg m) { return reporter::text(o.lang, m); }
std::string fmt(const Options& o, Msg m, std::initializer_list<std::string_view> args) {
  return reporter::format(o.lang, m, args);
}

std::string localise(const Options& o, const Error& e) {
  if (e.from_relay) return reporter::relay_refusal(o.lang, e);
  switch (e.code) {
    case ErrorCode::kUnavailable: return fmt(o, Msg::kErrUnreachable, {e.message});
    case ErrorCode::kUnauthorised:
      if (e.subject == ErrorSubject::kDirectory) return std::string(tr(o, Msg::kErrDirectory));
      return fmt(o, Msg::kErrNotAuthentic, {e.message});
    // The relay asked for more proof of work than this client will do.
    case ErrorCode::kRateLimited: return fmt(o, Msg::kErrRelayBusy, {e.message});
    // An adviser directory older than one this client can know of (the
    // channel address's minimum serial, the conversation's own letters) or
    // expired: client/directory_check.hpp, protocol::check_min_serial.
    case ErrorCode::kReplay: return fmt(o, Msg::kErrOldDirectory, {e.message});
    default: return e.message;
  }
}

int fail(const Options& o, const Error& e) {
  write_err(std::string(tr(o, Msg::kErrorPrefix)) + localise(o, e) + "\n");
  return kExitFailed;
}

int fail(const Options& o, Msg m, std::initializer_list<std::string_view> args = {}) {
  write_err(std::string(tr(o, Msg::kErrorPrefix)) + fmt(o, m, args) + "\n");
  return kExitFailed;
}

crypto::KdfParams kdf(const Options& o) {
  return o.insecure_kdf ? crypto::KdfParams::insecure_for_tests() : crypto::KdfParams::production();
}

std::string adviser_label(const Options& o, const crypto::DirectoryEntry& e) {
  return client::terminal_safe_label(e.name) + " (" + std::string(reporter::role_text(o.lang, e.role)) + ")";
}

std::string names_of(const Options& o, const crypto::Directory& directory, const std::vector<crypto::AdviserId>& ids) {
  std::string out;
  for (const crypto::AdviserId& id : ids) {
    const crypto::DirectoryEntry* e = directory.find(id);
    if (!out.empty()) out += ", ";
    out += e != nullptr ? client::terminal_safe_label(e->name) : std::string(tr(o, Msg::kAdviserNoLongerListed));
  }
  return out;
}

// A prepare_* call failed: plainly when an adviser had no medium-term prekey
// (nothing is ever sealed to the long-term key alone), else as any error.
int fail_prepare(const Options& o, const crypto::Directory& directory, const reporter::PrekeyUse& use,
                 const Error& e) {
  if (!use.without_medium.empty()) return fail(o, Msg::kNoMediumPrekey, {names_of(o, directory, use.without_medium)});
  return fail(o, e);
}

// Said after sending: which advisers got the letters without a one-time
// prekey, and what that means.
void tell_prekey_use(const Options& o, const crypto::Directory& directory, const reporter::PrekeyUse& use) {
  if (!use.without_one_time.empty()) {
    write_out(fmt(o, Msg::kNoOneTimePrekey, {names_of(o, directory, use.without_one_time)}));
  }
}

// ---- connection ----

client::ConnectionOptions connection_options(const Options& o) {
  client::ConnectionOptions c;
  if (o.proxy.empty()) {
    c.connect_timeout = kDirectConnectTimeout;
    c.timeout = kDirectRequestTimeout;
  } else {
    c.socks_proxy = *client::parse_socks_proxy(o.proxy);  // checked in main()
    c.connect_timeout = kProxyConnectTimeout;
    c.timeout = kProxyRequestTimeout;
  }
  // A busy relay is asked again after a pause: say so, rather than seem to hang.
  c.on_retry = [&o](const client::RetryNotice& n) {
    const auto seconds = (n.delay.count() + 999) / 1000;
    write_err(fmt(o, Msg::kRelayBusyRetry,
                  {std::to_string(seconds), std::to_string(n.next_attempt), std::to_string(n.max_attempts)}));
  };
  return c;
}

Result<crypto::Directory> connect_and_fetch_directory(const Options& o, client::RelayConnection& relay,
                                                      const protocol::ChannelAddress& address) {
  // Once per run, where the first connection is made: what a direct
  // connection gives away (docs/THREAT_MODEL.md).
  if (o.proxy.empty()) write_err(tr(o, Msg::kNoProxyNote));
  reporter::Progress p(fmt(o, Msg::kProgressConnect, {o.proxy.empty() ? "" : " (" + o.proxy + ")"}),
                       tr(o, Msg::kProgressDone), tr(o, Msg::kProgressFailed));
  // Below the address's minimum serial (kReplay from fetch_directory), expired,
  // or without a date when that is no longer accepted: refused before anything
  // is written. The serial is checked against the conversation's own letters
  // once they are read (open_conversation).
  auto directory = client::fetch_directory(relay, address);
  if (!directory) return directory;
  if (Status fresh = client::check_directory_fresh(*directory, {}, reporter::now_seconds()); !fresh) {
    return fresh.error();
  }
  p.done();
  return directory;
}

Result<reporter::Conversation> load_conversation(const Options& o, client::RelayConnection& relay,
                                                 const crypto::ReporterKeys& keys, const crypto::Directory& directory) {
  reporter::Progress p(tr(o, Msg::kProgressFetch), tr(o, Msg::kProgressDone), tr(o, Msg::kProgressFailed));
  client::MailboxKeys mk;
  mk.fetch_sk = &keys.fetch_sk;
  mk.message_sk = &keys.message_sk;
  mk.message_pk = keys.message_pk;
  auto answer = client::fetch_answer(relay);
  if (!answer) return answer.error();
  auto mailbox = client::read_mailbox(relay, *answer, mk);
  if (!mailbox) return mailbox.error();
  p.done();
  reporter::Conversation conversation = reporter::build_conversation(std::move(mailbox).value(), keys, directory);
  conversation.answer = std::move(answer).value();
  return conversation;
}

// Deposits the envelopes (with the proof of work the relay asks for) and
// returns how many days the relay keeps them.
Result<std::uint32_t> upload(const Options& o, client::RelayConnection& relay,
                             const std::vector<client::Outgoing>& items) {
  reporter::Progress p(fmt(o, Msg::kProgressUpload,
                           {std::to_string(items.size()), client::describe_size(reporter::envelope_bytes(items))}),
                       tr(o, Msg::kProgressDone), tr(o, Msg::kProgressFailed));
  protocol::PolicyInfo policy;
  auto ids = client::deposit_all(relay, items, &policy);
  if (!ids) return ids.error();
  p.done();
  return policy.retention_days;
}

void show_retention(const Options& o, std::uint32_t days) {
  if (days > 0) write_out(fmt(o, Msg::kRetention, {std::to_string(days)}));
}

// ---- the directory and the choice of readers ----

// Exactly who can read what is about to be sent, and who cannot.
void show_readers(const Options& o, const crypto::Directory& directory, const std::vector<crypto::AdviserId>& ids) {
  write_out(tr(o, Msg::kReadersHeading));
  for (const crypto::AdviserId& id : ids) {
    const crypto::DirectoryEntry* e = directory.find(id);
    write_out("  - " + (e != nullptr ? adviser_label(o, *e) : std::string(tr(o, Msg::kAdviserNoLongerListed))) + "\n");
  }
  std::vector<crypto::AdviserId> others;
  for (const crypto::DirectoryEntry& e : directory.entries) {
    if (std::find(ids.begin(), ids.end(), e.id) == ids.end()) others.push_back(e.id);
  }
  if (!others.empty()) write_out(fmt(o, Msg::kReadersNotHeading, {names_of(o, directory, others)}));
  write_out(tr(o, Msg::kReadersRelayCannot));
}

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
    write_err(fmt(o, Msg::kEditorUnavailable, {body.error().message}));
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
                                        Msg confirm_prompt = Msg::kCodeConfirmPrompt) {
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

crypto::ReporterKeys derive(const Options& o, const crypto::ReporterCode& code, const protocol::ChannelAddress& address) {
  reporter::Progress p(tr(o, Msg::kProgressDerive), tr(o, Msg::kProgressDone), tr(o, Msg::kProgressFailed));
  crypto::ReporterKeys keys = crypto::derive_reporter_keys(code, address.org_sign_pk, kdf(o));
  p.done();
  return keys;
}

// ---- who can read, and hand-over ----

// Everyone who can read the conversation now: who receives the next message,
// who holds earlier messages only, and that nobody else can.
void show_who_can_read(const Options& o, const crypto::Directory& directory, const reporter::Conversation& c) {
  write_out(tr(o, Msg::kWhoCanRead));
  if (!c.current_recipients.empty()) write_out(fmt(o, Msg::kWhoNext, {names_of(o, directory, c.current_recipients)}));
  if (!c.earlier_readers.empty()) write_out(fmt(o, Msg::kWhoEarlier, {names_of(o, directory, c.earlier_readers)}));
  write_out(tr(o, Msg::kWhoNobodyElse));
}

enum class Answer { kAccept, kDecline, kLater };

// yes/no in either language; an empty line or the end of input: later.
Result<Answer> ask_handover(const Options& o, const std::string& to) {
  for (int attempt = 1; attempt <= kCodeTries; ++attempt) {
    auto line = client::read_line(fmt(o, Msg::kHandoverPrompt, {to}), 64);
    if (!line) {
      if (line.error().code == ErrorCode::kNotFound) return Answer::kLater;
      return line.error();
    }
    std::string word(line->text());
    word.erase(0, word.find_first_not_of(" \t\r"));
    word.erase(word.find_last_not_of(" \t\r") + 1);
    std::transform(word.begin(), word.end(), word.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (word.empty()) return Answer::kLater;
    if (word == "y" || word == "yes" || word == "j" || word == "ja") return Answer::kAccept;
    if (word == "n" || word == "no" || word == "nee") return Answer::kDecline;
    write_err(tr(o, Msg::kHandoverUnclear));
  }
  return Answer::kLater;
}

// Each open proposal explained and answered; answering sends letters. A
// conversation is answered against the state it was loaded in, so after one
// acceptance the remaining proposals wait for the next check.
int answer_proposals(const Options& o, client::RelayConnection& relay, const crypto::ReporterKeys& keys,
                     const crypto::Directory& directory, const reporter::Conversation& conversation) {
  for (const reporter::PendingProposal& pending : conversation.pending_proposals) {
    const std::string from = adviser_label(o, *pending.from);
    const std::string to = adviser_label(o, *pending.to);
    // Exactly what accepting passes on, told before the question.
    std::size_t dropped = 0;
    const std::size_t passed =
        reporter::handover_history(conversation, reporter::padded_readers(directory), dropped).entries.size();
    write_out(fmt(o, Msg::kHandoverExplain, {from, to, std::to_string(passed)}));
    // Histories carry text only: every file is named, so that nobody is
    // surprised later (the new adviser sees a note of each, never the file).
    if (const std::string files = reporter::files_left_behind(conversation); !files.empty()) {
      write_out(fmt(o, Msg::kHandoverFilesStay, {to, files}));
    }
    if (dropped > 0) write_out(fmt(o, Msg::kHandoverHistoryTooLong, {std::to_string(dropped)}));
    auto answer = ask_handover(o, to);
    if (!answer) return fail(o, answer.error());
    if (*answer == Answer::kLater) {
      write_out(tr(o, Msg::kHandoverLater));
      continue;
    }
    const auto decision =
        *answer == Answer::kAccept ? protocol::HandoverDecision::kAccept : protocol::HandoverDecision::kDecline;
    reporter::PrekeyUse use;
    auto letters = reporter::prepare_handover_answer(relay, keys, directory, conversation, pending, decision, &use);
    if (!letters) return fail_prepare(o, directory, use, letters.error());
    if (auto sent = upload(o, relay, letters->items); !sent) return fail(o, sent.error());
    tell_prekey_use(o, directory, use);
    if (decision == protocol::HandoverDecision::kDecline) {
      write_out(fmt(o, Msg::kHandoverDeclined, {from, to}));
      continue;
    }
    write_out(fmt(o, Msg::kHandoverAccepted, {to, from}));
    write_out(fmt(o, Msg::kWhoNext, {names_of(o, directory, letters->readers_after)}));
    break;
  }
  return 0;
}

// ---- subcommands ----

// The options that the next command needs as well, beyond the address.
std::string carried_options(const Options& o) {
  std::string extra;
  if (!o.lang_option.empty()) extra += " --lang " + o.lang_option;
  if (!o.proxy.empty()) extra += " --proxy " + reporter::shell_quote(o.proxy);
  if (o.insecure_kdf) extra += " --insecure-test-kdf";
  return extra;
}

// Sends `outbox`; when an attempt fails the message stays in locked memory
// and, on a terminal, the reporter may try again over a fresh connection.
// Returns 0 once sent (how long the relay keeps it in `days`), else the exit
// code, having said why.
int send_keeping(const Options& o, const protocol::ChannelAddress& address,
                 std::unique_ptr<client::RelayConnection>& relay, const reporter::Outbox& outbox, std::uint32_t& days,
                 reporter::PrekeyUse& use) {
  for (;;) {
    bool unconfirmed = false;
    auto sent = reporter::send_once(o.lang, *relay, outbox, unconfirmed, use);
    if (sent) {
      days = *sent;
      reporter::interrupt::set_exit_text(tr(o, Msg::kInterruptAfterSent));
      return 0;
    }
    if (reporter::interrupt::stop_requested()) {
      write_err(sent.error().message);
      return kExitInterrupted;
    }
    // No medium-term prekey for an adviser: trying again now would not help.
    if (!use.without_medium.empty()) return fail_prepare(o, outbox.directory, use, sent.error());
    write_err(std::string(tr(o, Msg::kErrorPrefix)) + localise(o, sent.error()) + "\n");
    if (!reporter::ask_yes(o.lang, unconfirmed ? Msg::kKeptMaybeSentPrompt : Msg::kKeptRetryPrompt)) {
      if (!unconfirmed) write_err(tr(o, Msg::kKeptGivenUp));
      return kExitFailed;
    }
    // A connection that failed stays failed: a new one for the next try.
    relay = std::make_unique<client::RelayConnection>(address, connection_options(o));
  }
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

int cmd_new(const Options& o) {
  auto address = reporter::obtain_channel(o.lang, o.channel);
  if (!address) return fail(o, address.error());
  auto relay = std::make_unique<client::RelayConnection>(*address, connection_options(o));
  auto directory = connect_and_fetch_directory(o, *relay, *address);
  if (!directory) return fail(o, directory.error());
  if (directory->entries.empty()) return fail(o, Msg::kDirectoryEmpty);
  // Files are checked against the relay's limit before anything is typed.
  auto files = reporter::load_attachments(o.lang, *relay, o.attach);
  if (!files) return fail(o, files.error());

  auto chosen = reporter::choose_advisers(o.lang, *directory, o.to, o.exclude);
  if (!chosen) return fail(o, chosen.error());
  show_readers(o, *directory, *chosen);
  // Asked once the reporter knows who will receive them, still before the
  // message; their paths never reach the command line.
  if (o.attach_ask) {
    if (Status s = reporter::ask_attachments(o.lang, *relay, o.attach, *files); !s) return fail(o, s.error());
  }
  write_out(reporter::describe_attached(o.lang, *files));

  auto body = read_message_until_given(o, reporter::max_body_bytes_with(reporter::padded_readers(*directory), *files));
  if (!body) return fail(o, body.error());

  auto code = issue_code_until_confirmed(o, names_of(o, *directory, *chosen));
  if (!code) return fail(o, code.error());
  const crypto::ReporterKeys keys = derive(o, *code, *address);
  // One time for the message and its attachments' letters.
  const reporter::Outbox outbox{keys, *directory, *chosen, *body, *files, reporter::now_seconds()};
  std::uint32_t days = 0;
  reporter::PrekeyUse use;
  if (int rc = send_keeping(o, *address, relay, outbox, days, use); rc != 0) return rc;
  write_out(fmt(o, Msg::kSentReport, {names_of(o, *directory, *chosen)}));
  tell_prekey_use(o, *directory, use);
  write_out(reporter::describe_sent(o.lang, *files));
  write_out(fmt(o, Msg::kSentReportCheckLater, {reporter::next_command(o.channel, "check", carried_options(o))}));
  show_retention(o, days);
  return 0;
}

// What check, reply and rotate start from: the code typed at `prompt` (a
// typo is caught before any network traffic), its keys, the relay, the
// verified directory and the conversation rebuilt from the relay.
struct OpenConversation {
  protocol::ChannelAddress address;
  crypto::ReporterCode code;
  crypto::ReporterKeys keys;
  std::unique_ptr<client::RelayConnection> relay;
  crypto::Directory directory;
  reporter::Conversation conversation;
};

Result<OpenConversation> open_conversation(const Options& o, Msg prompt) {
  auto address = reporter::obtain_channel(o.lang, o.channel);
  if (!address) return address.error();
  auto code = ask_code(o, prompt);
  if (!code) return code.error();
  crypto::ReporterKeys keys = derive(o, *code, *address);
  auto relay = std::make_unique<client::RelayConnection>(*address, connection_options(o));
  auto directory = connect_and_fetch_directory(o, *relay, *address);
  if (!directory) return directory.error();
  auto conversation = load_conversation(o, *relay, keys, *directory);
  if (!conversation) return conversation.error();
  // The reporter's own letters carry the newest directory serial it had
  // seen: a relay serving an older directory to this code is refused.
  if (Status fresh = client::check_directory_fresh(*directory, {conversation->highest_directory_serial, false},
                                                   reporter::now_seconds());
      !fresh) {
    return fresh.error();
  }
  return OpenConversation{std::move(address).value(), std::move(code).value(),   std::move(keys),
                          std::move(relay),           std::move(directory).value(), std::move(conversation).value()};
}

int cmd_check(const Options& o) {
  auto opened = open_conversation(o, Msg::kCodePrompt);
  if (!opened) return fail(o, opened.error());
  const crypto::ReporterKeys& keys = opened->keys;
  client::RelayConnection& relay = *opened->relay;
  const crypto::Directory& directory = opened->directory;
  reporter::Conversation& conversation = opened->conversation;

  // Before anything else, so that nobody reads on as if the old code were
  // still the conversation's.
  if (conversation.moved_at != 0) {
    write_out(fmt(o, Msg::kMovedNotice, {reporter::local_time(conversation.moved_at)}));
  }
  if (conversation.entries.empty()) {
    if (conversation.moved_at != 0) return 0;
    write_out(tr(o, Msg::kNoMessages));
    write_out(tr(o, Msg::kCodeLost));
    return 0;
  }
  if (conversation.history_truncated) write_out(tr(o, Msg::kHistoryTruncated));
  for (const reporter::ConversationEntry& e : conversation.entries) {
    const std::string adviser =
        e.adviser != nullptr ? adviser_label(o, *e.adviser) : std::string(tr(o, Msg::kAdviserNoLongerListed));
    std::string who;
    switch (e.kind) {
      case reporter::EntryKind::kMessage:
        who = e.from_reporter ? fmt(o, Msg::kEntryYouTo, {names_of(o, directory, e.recipients)}) : adviser;
        break;
      case reporter::EntryKind::kProposal:
        who = fmt(o, Msg::kEntryProposal, {adviser, names_of(o, directory, {e.handover_to})});
        break;
      case reporter::EntryKind::kAnswer:
        who = fmt(o, e.decision == protocol::HandoverDecision::kAccept ? Msg::kEntryAccepted : Msg::kEntryDeclined,
                  {names_of(o, directory, {e.handover_to})});
        break;
    }
    // A reply without a signature (an adviser program from before replies
    // were signed) is still the adviser's (the envelope says so), but
    // whoever it is forwarded to cannot check it.
    const bool unsigned_reply = e.kind == reporter::EntryKind::kMessage && !e.from_reporter && !e.from_history &&
                                !e.signature;
    write_out("--- " + reporter::local_time(e.sent_at) + "  " + who + (e.is_new ? std::string(tr(o, Msg::kNewMarker)) : "") +
              (unsigned_reply ? std::string(tr(o, Msg::kEntryUnsigned)) : "") + "\n");
    // Set apart line by line: no body can pass for a header of its own.
    if (e.body != nullptr && !e.body->empty()) write_out(client::body_block(e.body->view()).text());
    // Files of a message from an earlier code stayed with that code (a
    // history carries a note of each, outside the body).
    if (e.kind != reporter::EntryKind::kMessage || !e.from_history) continue;
    for (const reporter::FileMention& f : conversation.files) {
      if (!f.from_history || f.sent_at != e.sent_at || f.from_reporter != e.from_reporter ||
          (!f.from_reporter && f.adviser_id != e.adviser_id)) {
        continue;
      }
      const crypto::SecretBuffer name = client::sanitise_file_name(f.name.view());
      write_out(fmt(o, Msg::kEntryFileStayed, {std::string(name.text()), client::describe_size(f.total_bytes)}));
    }
  }
  // Attachments are listed after the messages; saving them is explicit, and
  // nothing is ever opened.
  // The pieces of files the advisers' replies announce, from the same fetch answer.
  auto reply_pieces = reporter::fetch_reply_pieces(relay, conversation, directory);
  if (!reply_pieces) return fail(o, reply_pieces.error());
  const reporter::ConversationAttachments attachments =  // releases the kind-6 letters' bodies
      reporter::collect_attachments(conversation.mailbox, keys, directory, &*reply_pieces);
  reporter::note_files(conversation, attachments);  // named when the conversation is handed over
  const std::string save_command =
      o.save_attachments.empty() ? reporter::next_command(o.channel, "check", carried_options(o)) : std::string();
  write_out(reporter::render_attachments(o.lang, attachments, directory, save_command));
  if (reporter::any_unlocked(attachments)) write_err(tr(o, Msg::kAttachReceivedNotLocked));
  if (!o.save_attachments.empty()) {
    if (Status s = reporter::save_attachments(o.lang, attachments, o.save_attachments); !s) return fail(o, s.error());
  }
  write_out("\n");
  if (conversation.new_replies > 0) {
    write_out(fmt(o, Msg::kNewCount, {std::to_string(conversation.new_replies)}));
  } else {
    write_out(tr(o, Msg::kNoNewReplies));
  }
  if (conversation.moved_at != 0) {
    // Who reads next, and proposals, belong to the new code now.
    write_out(fmt(o, Msg::kMovedNotice, {reporter::local_time(conversation.moved_at)}));
  } else {
    show_who_can_read(o, directory, conversation);
  }
  if (!conversation.pending_proposals.empty() && conversation.moved_at == 0) {
    if (int rc = answer_proposals(o, relay, keys, directory, conversation); rc != 0) return rc;
  }
  // How long replies wait at the relay; an older relay without get-policy
  // simply gets no such line.
  if (auto policy = client::fetch_policy(relay)) show_retention(o, policy->retention_days);
  if (conversation.mailbox.unreadable > 0 || conversation.ignored > 0) {
    write_err(fmt(o, Msg::kUnverifiedNote, {std::to_string(conversation.mailbox.unreadable + conversation.ignored)}));
  }
  return 0;
}

int cmd_reply(const Options& o) {
  auto opened = open_conversation(o, Msg::kCodePrompt);
  if (!opened) return fail(o, opened.error());
  const crypto::ReporterKeys& keys = opened->keys;
  client::RelayConnection& relay = *opened->relay;
  const crypto::Directory& directory = opened->directory;
  const reporter::Conversation& conversation = opened->conversation;
  if (conversation.moved_at != 0) return fail(o, Msg::kMovedRefused, {reporter::local_time(conversation.moved_at)});
  if (conversation.current_recipients.empty()) return fail(o, Msg::kNoConversation);
  const std::vector<crypto::AdviserId>& to = conversation.current_recipients;
  if (conversation.new_replies > 0) write_out(fmt(o, Msg::kNewCount, {std::to_string(conversation.new_replies)}));
  auto files = reporter::load_attachments(o.lang, relay, o.attach);  // before the message is typed
  if (!files) return fail(o, files.error());
  show_readers(o, directory, to);
  if (o.attach_ask) {
    if (Status s = reporter::ask_attachments(o.lang, relay, o.attach, *files); !s) return fail(o, s.error());
  }
  write_out(reporter::describe_attached(o.lang, *files));
  auto body = read_message_until_given(o, reporter::max_body_bytes_with(reporter::padded_readers(directory), *files));
  if (!body) return fail(o, body.error());
  // The attachments' letters are dated like the message: after the newest
  // own letter even when this computer's clock is behind.
  const reporter::Outbox outbox{keys, directory, to, *body, *files, reporter::next_own_time(conversation)};
  std::uint32_t days = 0;
  reporter::PrekeyUse use;
  if (int rc = send_keeping(o, opened->address, opened->relay, outbox, days, use); rc != 0) return rc;
  write_out(fmt(o, Msg::kSentMessage, {names_of(o, directory, to)}));
  tell_prekey_use(o, directory, use);
  write_out(reporter::describe_sent(o.lang, *files));
  show_retention(o, days);
  return 0;
}

int cmd_rotate(const Options& o) {
  auto opened = open_conversation(o, Msg::kCodeCurrentPrompt);
  if (!opened) return fail(o, opened.error());
  const protocol::ChannelAddress& address = opened->address;
  const crypto::ReporterCode& old_code = opened->code;
  const crypto::ReporterKeys& old_keys = opened->keys;
  client::RelayConnection& relay = *opened->relay;
  const crypto::Directory& directory = opened->directory;
  reporter::Conversation& conversation = opened->conversation;
  if (conversation.moved_at != 0) return fail(o, Msg::kMovedRefused, {reporter::local_time(conversation.moved_at)});
  if (conversation.current_recipients.empty()) return fail(o, Msg::kNoConversation);
  // The new code's history notes every file (they stay with the old code),
  // so a later hand-over from the new code still names them.
  if (reporter::holds_attachments(conversation.mailbox)) {
    reporter::note_files(conversation, reporter::collect_attachments(conversation.mailbox, old_keys, directory));
  }
  const std::string advisers = names_of(o, directory, conversation.current_recipients);
  write_out(fmt(o, Msg::kRotateIntro, {std::to_string(conversation.entries.size()), advisers}));
  // Files do not move: the advice to save them comes before the move, and
  // on a terminal the reporter may stop here to save them first.
  if (reporter::holds_attachments(conversation.mailbox)) {
    write_out(fmt(o, Msg::kRotateSaveFirst, {reporter::next_command(o.channel, "check", carried_options(o))}));
    if (client::stdin_is_terminal() && !reporter::ask_yes(o.lang, Msg::kRotateContinuePrompt)) {
      return fail(o, Msg::kRotateNotMoved);
    }
  }

  auto new_code = issue_code(o, advisers, Msg::kCodeConfirmRotatePrompt);
  if (!new_code) return fail(o, new_code.error());
  if (new_code->equals(old_code)) return fail(o, Msg::kRotateSameCode);
  const crypto::ReporterKeys new_keys = derive(o, *new_code, address);

  reporter::PrekeyUse use;
  auto rotation = reporter::prepare_rotation(relay, old_keys, new_keys, directory, conversation, &use);
  if (!rotation) return fail_prepare(o, directory, use, rotation.error());
  if (rotation->dropped > 0) write_out(fmt(o, Msg::kRotateHistoryTooLong, {std::to_string(rotation->dropped)}));
  if (auto sent = upload(o, relay, rotation->items); !sent) return fail(o, sent.error());
  write_out(tr(o, Msg::kRotateDone));
  tell_prekey_use(o, directory, use);

  // The conversation now lives under the new code. Unless asked otherwise
  // (or the copy is incomplete), the old code's letters are deleted at the
  // relay with the tokens inside them, so the old code reads nothing at all.
  // Attachments do not move to the new code (the history letter carries
  // messages only): with any, the old letters stay, or files the advisers
  // sent and the reporter has not saved would be lost without a word.
  if (reporter::holds_attachments(conversation.mailbox)) {
    write_out(tr(o, Msg::kRotateOldKeptAttachments));
  } else if (o.keep_old || rotation->dropped > 0) {
    write_out(tr(o, Msg::kRotateOldKept));
  } else {
    const std::vector<client::ReceivedLetter>& letters = conversation.mailbox.letters;
    reporter::Progress p(fmt(o, Msg::kProgressDelete, {std::to_string(letters.size())}), tr(o, Msg::kProgressDone),
                         tr(o, Msg::kProgressFailed));
    std::vector<client::DeleteRequest> requests;
    for (const client::ReceivedLetter& r : letters) requests.push_back({r.id, r.letter.delete_token});
    std::size_t failed = 0;
    for (const Status& s : client::delete_messages(relay, requests)) if (!s) failed++;
    p.done();
    if (failed == 0) {
      write_out(fmt(o, Msg::kRotateOldDeleted, {std::to_string(letters.size())}));
    } else {
      write_out(fmt(o, Msg::kRotateDeleteFailed, {std::to_string(failed)}));
    }
  }
  write_out(fmt(o, Msg::kRotatePending, {advisers}));
  return 0;
}

// --lang from the command line before CLI11 builds the help texts, so --help
// is in the chosen language too.
Lang language_from_args(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    std::string_view v;
    if (a == "--lang" && i + 1 < argc) v = argv[i + 1];
    if (a.substr(0, 7) == "--lang=") v = a.substr(7);
    if (v == "nl") return Lang::kNl;
    if (v == "en") return Lang::kEn;
  }
  return reporter::language_from_environment();
}

}  // namespace

int main(int argc, char** argv) {
  if (Status started = cli::start_up(); !started) return cli::fail_start_up("reporter-client", started.error());

  Options o;
  o.lang = language_from_args(argc, argv);
  CLI::App app{std::string(tr(o, Msg::kAppDescription)), "reporter-client"};
  app.require_subcommand(1);
  auto add_common = [&](CLI::App* sub) {
    sub->add_option("--channel", o.channel.option, std::string(tr(o, Msg::kOptChannel)));
    sub->add_option("--channel-file", o.channel.file, std::string(tr(o, Msg::kOptChannelFile)));
    sub->add_option("--lang", o.lang_option, std::string(tr(o, Msg::kOptLang)))->check(CLI::IsMember({"en", "nl"}));
    sub->add_option("--proxy", o.proxy, std::string(tr(o, Msg::kOptProxy)));
    sub->add_flag("--insecure-test-kdf", o.insecure_kdf, "")->group("");  // tests only: cheap key derivation
  };
  auto add_message = [&](CLI::App* sub) {
    sub->add_option("--file", o.file, std::string(tr(o, Msg::kOptFile)));
    sub->add_flag("--no-editor", o.no_editor, std::string(tr(o, Msg::kOptNoEditor)));
    sub->add_flag("--attach-ask", o.attach_ask,
                  fmt(o, Msg::kOptAttachAsk, {std::to_string(reporter::kMaxAttachmentsPerMessage)}));
    sub->add_option("--attach", o.attach, std::string(tr(o, Msg::kOptAttach)));
  };
  auto* cmd_new_app = app.add_subcommand("new", std::string(tr(o, Msg::kCmdNew)));
  add_common(cmd_new_app);
  add_message(cmd_new_app);
  cmd_new_app->add_option("--to", o.to, std::string(tr(o, Msg::kOptTo)));
  cmd_new_app->add_option("--exclude", o.exclude, std::string(tr(o, Msg::kOptExclude)));
  auto* cmd_check_app = app.add_subcommand("check", std::string(tr(o, Msg::kCmdCheck)));
  add_common(cmd_check_app);
  cmd_check_app->add_option("--save-attachments", o.save_attachments, std::string(tr(o, Msg::kOptSaveAttachments)));
  auto* cmd_reply_app = app.add_subcommand("reply", std::string(tr(o, Msg::kCmdReply)));
  add_common(cmd_reply_app);
  add_message(cmd_reply_app);
  auto* cmd_rotate_app = app.add_subcommand("rotate", std::string(tr(o, Msg::kCmdRotate)));
  add_common(cmd_rotate_app);
  cmd_rotate_app->add_flag("--keep-old", o.keep_old, std::string(tr(o, Msg::kOptKeepOld)));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli::exit_for_parse_error(app, e);
  }
  if (!o.lang_option.empty()) o.lang = o.lang_option == "nl" ? Lang::kNl : Lang::kEn;
  if (!o.proxy.empty() && !client::parse_socks_proxy(o.proxy)) return fail(o, Msg::kErrBadProxy);
  // Ctrl-C restores the terminal and says what was sent (interrupt.hpp).
  reporter::interrupt::install();
  reporter::interrupt::set_exit_text(
      tr(o, *cmd_new_app || *cmd_reply_app ? Msg::kInterruptNothingSent : Msg::kInterruptStopped));
  try {
    if (*cmd_new_app) return cmd_new(o);
    if (*cmd_check_app) return cmd_check(o);
    if (*cmd_reply_app) return cmd_reply(o);
    if (*cmd_rotate_app) return cmd_rotate(o);
  } catch (const std::bad_alloc&) {
    write_err(std::string(tr(o, Msg::kErrorPrefix)) + std::string(tr(o, Msg::kErrNotEnoughMemory)) + "\n");
    return kExitInternal;
  } catch (const std::exception& e) {
    write_err(std::string(tr(o, Msg::kErrorPrefix)) + e.what() + "\n");
    return kExitInternal;
  }
  return 0;
}
