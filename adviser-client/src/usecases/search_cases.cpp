#include "usecases/search_cases.hpp"

#include "case_glance.hpp"
#include "casework.hpp"
#include "meldpunt/text/text_policy.hpp"

namespace meldpunt::adviser::usecase {
namespace {

struct Searcher {
  ByteView needle;
  std::size_t columns;
  SearchResult& result;
  bool matched_case = false;

  // Adds a hit for `text` if the needle is in it.
  void look(const CaseRecord& record, SearchPlace place, std::uint64_t number, Direction direction, std::uint64_t at,
            ByteView text) {
    const auto first = find_ignoring_ascii_case(text, needle);
    if (!first) return;
    std::size_t matches = 0;
    for (auto m = first; m; m = find_ignoring_ascii_case(text, needle, *m + needle.size())) ++matches;
    matched_case = true;
    if (result.hits.size() >= kMaxSearchHits) {
      ++result.hits_not_listed;
      return;
    }
    result.hits.push_back(
        SearchHit{record, place, number, direction, at, matches, snippet_around(text, *first, needle.size(), columns)});
  }
};

}  // namespace

Result<SearchResult> search_cases(const CaseStore& store, std::string_view text, std::size_t columns,
                                  std::uint64_t now) {
  if (text.empty() || text.size() > kMaxSearchTextBytes || !meldpunt::text::is_clean_label(text)) {
    return Error{ErrorCode::kMalformed, "search for 1 to " + std::to_string(kMaxSearchTextBytes) +
                                            " bytes of one line of text (no control or invisible characters)"};
  }
  auto cases = store.list_cases();
  if (!cases) return cases.error();
  auto settings = store.settings();
  if (!settings) return settings.error();
  auto labels = store.labels();
  if (!labels) return labels.error();
  sort_by_due(*cases, *settings, now);

  SearchResult result;
  Searcher searcher{as_bytes(text), columns, result};
  for (const CaseRecord& record : *cases) {
    searcher.matched_case = false;
    ++result.cases_searched;
    if (auto label = labels->find(record.key); label != labels->end()) {
      searcher.look(record, SearchPlace::kLabel, 0, Direction::kIn, 0, label->second.view());
    }
    auto messages = store.messages(record.key);
    if (!messages) return messages.error();
    for (const MessageRecord& m : *messages) {
      searcher.look(record, SearchPlace::kMessage, m.sequence + 1, m.direction, m.sent_at, m.body.view());
    }
    auto notes = store.notes(record.key);
    if (!notes) return notes.error();
    for (const NoteRecord& n : *notes) {
      searcher.look(record, SearchPlace::kNote, n.sequence + 1, Direction::kIn, n.written_at, n.text.view());
    }
    if (searcher.matched_case) ++result.cases_matched;
  }
  return result;
}

}  // namespace meldpunt::adviser::usecase
