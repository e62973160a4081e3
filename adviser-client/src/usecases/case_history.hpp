// `history CASE`: a case with every status change and event, dated.
#pragma once

#include <string_view>
#include <vector>

#include "case_store.hpp"

namespace meldpunt::adviser::usecase {

struct CaseHistory {
  CaseRecord record;
  Settings settings;  // for the header's deadline
  std::vector<HistoryEntry> entries;
};

// kNotFound for an unknown or ambiguous case id.
Result<CaseHistory> case_history(const CaseStore& store, std::string_view case_id);

}  // namespace meldpunt::adviser::usecase
