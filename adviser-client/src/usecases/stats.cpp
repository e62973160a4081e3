#include "usecases/stats.hpp"

namespace meldpunt::adviser::usecase {

Result<StatsReport> case_stats(const CaseStore& store, crypto::Role role) {
  auto cases = store.list_cases();
  if (!cases) return cases.error();
  auto filings = store.filings();
  if (!filings) return filings.error();
  return compute_stats(*cases, role, *filings);
}

}  // namespace meldpunt::adviser::usecase
