#include "usecases/read_case.hpp"

namespace meldpunt::adviser::usecase {

Result<CaseView> read_case(const CaseStore& store, std::string_view case_id) {
  auto record = store.find_case(case_id);
  if (!record) return record.error();
  auto messages = store.messages(record->key);
  if (!messages) return messages.error();
  auto notes = store.notes(record->key);
  if (!notes) return notes.error();
  auto settings = store.settings();
  if (!settings) return settings.error();
  auto attachments = store.attachments(record->key);
  if (!attachments) return attachments.error();
  auto label = store.label(record->key);
  if (!label) return label.error();
  return CaseView{std::move(record).value(), *settings, std::move(messages).value(), std::move(notes).value(),
                  std::move(attachments).value(), std::move(label).value()};
}

Status mark_read(CaseStore& store, const CaseRecord& record) { return store.mark_read(record.key); }

}  // namespace meldpunt::adviser::usecase
