#include "usecases/notes.hpp"

namespace meldpunt::adviser::usecase {

Result<CaseRecord> add_note(CaseStore& store, std::string_view case_id, const SecretSource& text,
                            const Clock& clock) {
  auto record = store.find_case(case_id);
  if (!record) return record.error();
  auto written = text();
  if (!written) return written.error();
  if (Status added = store.add_note(record->key, clock(), written->view()); !added) return added.error();
  return record;
}

Result<CaseNotes> case_notes(const CaseStore& store, std::string_view case_id) {
  auto record = store.find_case(case_id);
  if (!record) return record.error();
  auto notes = store.notes(record->key);
  if (!notes) return notes.error();
  return CaseNotes{std::move(record).value(), std::move(notes).value()};
}

}  // namespace meldpunt::adviser::usecase
