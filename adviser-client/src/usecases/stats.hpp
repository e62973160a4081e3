// `stats`: counts for the organisation's evaluation, never any content.
#pragma once

#include "case_store.hpp"
#include "casework.hpp"

namespace meldpunt::adviser::usecase {

// The counts over every case, by the adviser's `role` and the filings.
Result<StatsReport> case_stats(const CaseStore& store, crypto::Role role);

}  // namespace meldpunt::adviser::usecase
