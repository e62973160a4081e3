// `settings [--ack-days N] [--feedback-months N]`: the adviser's deadlines,
// shown, and changed when a value is given.
#pragma once

#include <optional>

#include "case_store.hpp"

namespace meldpunt::adviser::usecase {

struct SettingsOutcome {
  Settings settings;   // as they are now
  bool saved = false;  // a value was given and stored
};

// kMalformed for a value outside the law's bounds (validate_settings,
// checked by the store); nothing is saved then.
Result<SettingsOutcome> update_settings(CaseStore& store, std::optional<unsigned> ack_days,
                                        std::optional<unsigned> feedback_months);

}  // namespace meldpunt::adviser::usecase
