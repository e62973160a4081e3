#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

#include "case_glance.hpp"
#include "commands/commands.hpp"
#include "commands/session.hpp"
#include "text.hpp"
#include "usecases/label_case.hpp"
#include "usecases/search_cases.hpp"

namespace meldpunt::adviser::commands {

namespace {

// Widths beyond this are not worth filling with a preview.
constexpr std::size_t kMaxColumns = 400;

std::string place_of(const usecase::SearchHit& hit) {
  switch (hit.place) {
    case usecase::SearchPlace::kLabel: return "label";
    case usecase::SearchPlace::kNote: return "note " + std::to_string(hit.number) + ", " + format_minute(hit.at);
    case usecase::SearchPlace::kMessage: break;
  }
  const char* from = hit.direction == Direction::kIn ? "reporter" : hit.direction == Direction::kOut ? "you" : "earlier adviser";
  return "message " + std::to_string(hit.number) + " (" + from + ", " + format_minute(hit.at) + ")";
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

int cmd_label(const Home& home, const std::string& case_id, const std::string& text, bool clear) {
  if (!clear) check(validate_case_label(as_bytes(text)));  // before the passphrase
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const std::optional<ByteView> label = clear ? std::nullopt : std::optional<ByteView>(as_bytes(text));
  const usecase::LabelOutcome outcome = check(usecase::label_case(store, case_id, label));
  if (clear) {
    out(outcome.had_label ? "Label of case " + outcome.record.id() + " removed.\n"
                          : "Case " + outcome.record.id() + " had no label.\n");
    return 0;
  }
  out("Case " + outcome.record.id() + (outcome.had_label ? " relabelled" : " labelled") + " [" +
      terminal_safe_label(text) + "] (kept in your encrypted store only; never sent).\n");
  return 0;
}

int cmd_search(const Home& home, const std::string& text) {
  if (text.empty() || text.size() > usecase::kMaxSearchTextBytes || !meldpunt::text::is_clean_label(text)) {
    fail(ErrorCode::kMalformed, "search for 1 to " + std::to_string(usecase::kMaxSearchTextBytes) +
                                    " bytes of one line of text (no control or invisible characters)");
  }
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const std::size_t columns = output_columns();
  const usecase::SearchResult result = check(usecase::search_cases(store, text, columns - 4, now_seconds()));
  if (result.hits.empty()) {
    out("Nothing found in " + std::to_string(result.cases_searched) +
        (result.cases_searched == 1 ? " case" : " cases") + " (labels, messages and notes).\n");
    return 0;
  }
  crypto::SecretBuffer shown;
  std::string last_case;
  for (const usecase::SearchHit& hit : result.hits) {
    if (hit.record.id() != last_case) {
      const bool first = last_case.empty();
      last_case = hit.record.id();
      shown.append(as_bytes(std::string_view(std::string(first ? "" : "\n") + "Case " + last_case + " (" +
                                             std::string(status_keyword(hit.record.status)) + ")\n")));
    }
    shown.append(as_bytes(std::string_view("  " + place_of(hit) +
                                            (hit.matches > 1 ? ", " + std::to_string(hit.matches) + " times" : "") +
                                            ":\n    ")));
    shown.append(hit.snippet.view());
    shown.append(as_bytes(std::string_view("\n")));
  }
  out(shown.text());
  const std::size_t listed = result.hits.size();
  out("\nFound in " + std::to_string(result.cases_matched) + " of " + std::to_string(result.cases_searched) +
      (result.cases_searched == 1 ? " case" : " cases") + "; " + std::to_string(listed) +
      (listed == 1 ? " place" : " places") + " listed" +
      (result.hits_not_listed ? ", " + std::to_string(result.hits_not_listed) + " more not listed (search for more words)"
                              : "") +
      ". Read one with `adviser-client read CASE`.\n");
  return 0;
}

}  // namespace meldpunt::adviser::commands
