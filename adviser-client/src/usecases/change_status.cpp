#include "usecases/change_status.hpp"

namespace meldpunt::adviser::usecase {

Result<StatusChange> change_status(CaseStore& store, std::string_view case_id, StatusAction action,
                                   std::uint64_t now) {
  auto before = store.find_case(case_id);
  if (!before) return before.error();
  auto after = store.change_status(before->key, action, now);
  if (!after) return after.error();
  auto settings = store.settings();
  if (!settings) return settings.error();
  const Deadline due = deadline_for(*after, *settings, now);
  return StatusChange{std::move(before).value(), std::move(after).value(), due};
}

}  // namespace meldpunt::adviser::usecase
