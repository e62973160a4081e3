#include "usecases/settings.hpp"

namespace meldpunt::adviser::usecase {

Result<SettingsOutcome> update_settings(CaseStore& store, std::optional<unsigned> ack_days,
                                        std::optional<unsigned> feedback_months) {
  auto current = store.settings();
  if (!current) return current.error();
  SettingsOutcome outcome{*current, false};
  if (!ack_days && !feedback_months) return outcome;
  if (ack_days) outcome.settings.ack_days = *ack_days;
  if (feedback_months) outcome.settings.feedback_months = *feedback_months;
  if (Status saved = store.set_settings(outcome.settings); !saved) return saved.error();
  outcome.saved = true;
  return outcome;
}

}  // namespace meldpunt::adviser::usecase
