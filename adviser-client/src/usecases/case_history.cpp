#include "usecases/case_history.hpp"

namespace meldpunt::adviser::usecase {

Result<CaseHistory> case_history(const CaseStore& store, std::string_view case_id) {
  auto record = store.find_case(case_id);
  if (!record) return record.error();
  auto settings = store.settings();
  if (!settings) return settings.error();
  auto entries = store.history(record->key);
  if (!entries) return entries.error();
  return CaseHistory{std::move(record).value(), *settings, std::move(entries).value()};
}

}  // namespace meldpunt::adviser::usecase
