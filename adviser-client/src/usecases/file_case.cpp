#include "usecases/file_case.hpp"

namespace meldpunt::adviser::usecase {

Result<FilingOutcome> file_case(CaseStore& store, std::string_view case_id, const Filing& change, bool clear) {
  auto record = store.find_case(case_id);
  if (!record) return record.error();
  if (clear) {
    if (Status cleared = store.clear_filing(record->key); !cleared) return cleared.error();
    return FilingOutcome{std::move(record).value(), std::nullopt};
  }
  auto current = store.filing(record->key);
  if (!current) return current.error();
  Filing updated = current->value_or(Filing{});
  if (!change.group.empty()) updated.group = change.group;
  if (!change.kind.empty()) updated.kind = change.kind;
  if (Status filed = store.set_filing(record->key, updated); !filed) return filed.error();
  return FilingOutcome{std::move(record).value(), std::move(updated)};
}

}  // namespace meldpunt::adviser::usecase
