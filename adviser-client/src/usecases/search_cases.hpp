// `search TEXT`: every case's label, messages and private notes searched for
// TEXT, in memory: each record is opened, searched and wiped; no index and
// no plaintext is ever written (the store stays as sealed as it was).
// ASCII letters match without regard to case, every other byte exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "case_store.hpp"

namespace meldpunt::adviser::usecase {

inline constexpr std::size_t kMaxSearchTextBytes = 200;
// Hits listed at most; the rest are counted.
inline constexpr std::size_t kMaxSearchHits = 200;

enum class SearchPlace : std::uint8_t { kLabel, kMessage, kNote };

struct SearchHit {
  CaseRecord record;
  SearchPlace place = SearchPlace::kLabel;
  std::uint64_t number = 0;                // message or note, counted from 1 as `read` shows them
  Direction direction = Direction::kIn;    // of a message
  std::uint64_t at = 0;                    // a message's sent_at, a note's written_at (0 for a label)
  std::size_t matches = 0;                 // times TEXT occurs in this label, message or note
  crypto::SecretBuffer snippet;            // safe to show (case_glance.hpp's snippet_around)
};

struct SearchResult {
  std::vector<SearchHit> hits;  // cases in `cases` order, then label, messages, notes
  std::size_t cases_searched = 0;
  std::size_t cases_matched = 0;
  std::size_t hits_not_listed = 0;  // beyond kMaxSearchHits
};

// kMalformed for a TEXT that is empty, not one clean line (the text
// policy's label rule) or longer than kMaxSearchTextBytes. Snippets are at
// most `columns` code points.
Result<SearchResult> search_cases(const CaseStore& store, std::string_view text, std::size_t columns,
                                  std::uint64_t now);

}  // namespace meldpunt::adviser::usecase
