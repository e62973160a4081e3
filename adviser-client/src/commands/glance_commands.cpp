#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

#include "case_glance.hpp"
#include "commands/commands.hpp"
#include "commands/session.hpp"
#include "meldpunt/client/terminal.hpp"
#include "text.hpp"
#include "usecases/label_case.hpp"
#include "usecases/search_cases.hpp"
#include "wording_commands.hpp"

namespace meldpunt::adviser::commands {

namespace {

void append_text(crypto::SecretBuffer& buffer, const std::string& text) {
  buffer.append(as_bytes(std::string_view(text)));
}

// Widths beyond this are not worth filling with a preview.
constexpr std::size_t kMaxColumns = 400;

std::string place_of(const usecase::SearchHit& hit) {
  const Lang lang = language();
  switch (hit.place) {
    case usecase::SearchPlace::kLabel:
      return tell(lang, Tell::kPlaceLabel);
    case usecase::SearchPlace::kNote:
      return tell(lang, Tell::kPlaceNote, {std::to_string(hit.number), format_minute(hit.at)});
    case usecase::SearchPlace::kMessage:
      break;
  }
  const std::string from = hit.direction == Direction::kIn    ? say(lang, Say::kFromReporter)
                           : hit.direction == Direction::kOut ? say(lang, Say::kFromYou)
                                                              : tell(lang, Tell::kFromEarlierAdviser);
  return tell(lang, Tell::kPlaceMessage, {std::to_string(hit.number), from, format_minute(hit.at)});
}

// The text of `label` or `search` when it was left off the command line, so
// it stays out of the process list and the shell's history: one line from
// the terminal (with echo), or from stdin after the passphrase line.
crypto::SecretBuffer ask_text(const std::string& prompt, std::size_t max_bytes) {
  const PersonWait waiting;
  auto line = client::read_line(prompt, max_bytes);
  const Failure nothing{Error{ErrorCode::kMalformed, tell(language(), Tell::kNothingGiven)}, true};
  if (!line && line.error().code == ErrorCode::kNotFound) throw nothing;  // end of input
  if (!line) fail(line.error());
  if (line->empty()) throw nothing;
  return std::move(line).value();
}

}  // namespace

std::size_t output_columns() {
  std::size_t columns = 0;
  winsize size{};
  if (::isatty(STDOUT_FILENO) == 1 && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
    columns = size.ws_col;
  } else if (const char* env = std::getenv("COLUMNS"); env != nullptr && *env != '\0') {
    const char* end = env + std::strlen(env);
    if (std::from_chars(env, end, columns).ptr != end) columns = 0;
  }
  if (columns == 0) return kDefaultGlanceColumns;
  return std::min(kMaxColumns, std::max(columns, kMinGlanceColumns + kCaseTableIndent));
}

int cmd_label(const Home& home, const std::string& case_id, const std::optional<std::string>& given, bool clear) {
  if (given) check(validate_case_label(as_bytes(*given)));  // before the passphrase
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  std::optional<crypto::SecretBuffer> text;
  if (!clear) {
    text = given ? crypto::SecretBuffer::copy_of(std::string_view(*given))
                 : ask_text(tell(language(), Tell::kLabelPrompt, {case_id}), kMaxCaseLabelBytes);
    check(validate_case_label(text->view()));
  }
  const std::optional<ByteView> label = text ? std::optional<ByteView>(text->view()) : std::nullopt;
  const usecase::LabelOutcome outcome = check(usecase::label_case(store, case_id, label));
  const std::string id = outcome.record.id();
  if (clear) {
    out(tell(language(), outcome.had_label ? Tell::kLabelRemoved : Tell::kLabelNone, {id}) + "\n");
    return 0;
  }
  out(tell(language(), outcome.had_label ? Tell::kRelabelled : Tell::kLabelled,
           {id, terminal_safe_label(text->text())}) +
      "\n");
  return 0;
}

int cmd_search(const Home& home, const std::optional<std::string>& given) {
  const auto refuse = [] {
    fail(ErrorCode::kMalformed, tell(language(), Tell::kSearchBad, {std::to_string(usecase::kMaxSearchTextBytes)}));
  };
  const auto acceptable = [](std::string_view text) {
    return !text.empty() && text.size() <= usecase::kMaxSearchTextBytes && meldpunt::text::is_clean_label(text);
  };
  if (given && !acceptable(*given)) refuse();  // before the passphrase
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const crypto::SecretBuffer text = given
                                        ? crypto::SecretBuffer::copy_of(std::string_view(*given))
                                        : ask_text(tell(language(), Tell::kSearchPrompt), usecase::kMaxSearchTextBytes);
  if (!acceptable(text.text())) refuse();
  const std::size_t columns = output_columns();
  const usecase::SearchResult result = check(usecase::search_cases(store, text.text(), columns - 4, now_seconds()));
  const Lang lang = language();
  if (result.hits.empty()) {
    out(tally(lang, Tally::kSearchNothing, result.cases_searched) + "\n");
    return 0;
  }
  crypto::SecretBuffer shown;
  std::string last_case;
  for (const usecase::SearchHit& hit : result.hits) {
    if (hit.record.id() != last_case) {
      const bool first = last_case.empty();
      last_case = hit.record.id();
      append_text(shown, std::string(first ? "" : "\n") +
                             tell(lang, Tell::kSearchCase, {last_case, status_keyword(hit.record.status)}) + "\n");
    }
    append_text(shown, "  " + place_of(hit) + (hit.matches > 1 ? tally(lang, Tally::kSearchTimes, hit.matches) : "") +
                           ":\n    ");
    shown.append(hit.snippet.view());
    append_text(shown, "\n");
  }
  out(shown.text());
  const std::size_t listed = result.hits.size();
  out("\n" + tally(lang, Tally::kSearchFoundIn, result.cases_searched, {std::to_string(result.cases_matched)}) +
      tally(lang, Tally::kSearchPlacesListed, listed) +
      (result.hits_not_listed ? tell(lang, Tell::kSearchMoreNotListed, {std::to_string(result.hits_not_listed)})
                              : std::string()) +
      tell(lang, Tell::kSearchReadOne) + "\n");
  return 0;
}

}  // namespace meldpunt::adviser::commands
