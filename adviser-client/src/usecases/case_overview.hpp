// `cases [filters]`: the cases a filter keeps, what is due first first,
// each with its private label and how its first message begins
// (case_glance.hpp). Only the first message of each case listed is opened,
// in memory; nothing is written.
#pragma once

#include <cstdint>
#include <vector>

#include "case_glance.hpp"
#include "case_store.hpp"
#include "casework.hpp"

namespace meldpunt::adviser::usecase {

struct CaseOverview {
  std::vector<CaseGlance> cases;  // in the order of sort_by_due
  Settings settings;              // for the deadlines
  std::size_t all = 0;            // cases in the store, filtered or not
};

Result<CaseOverview> case_overview(const CaseStore& store, const CaseFilter& filter, std::uint64_t now);

}  // namespace meldpunt::adviser::usecase
