#include "usecases/label_case.hpp"

namespace meldpunt::adviser::usecase {

Result<LabelOutcome> label_case(CaseStore& store, std::string_view case_id, std::optional<ByteView> text) {
  if (text) {
    // Checked before the case is looked up, so a bad label is said as such.
    if (Status s = validate_case_label(*text); !s) return s.error();
  }
  auto record = store.find_case(case_id);
  if (!record) return record.error();
  LabelOutcome outcome{std::move(record).value(), false};
  if (!text) {
    auto had = store.clear_label(outcome.record.key);
    if (!had) return had.error();
    outcome.had_label = *had;
    return outcome;
  }
  auto earlier = store.label(outcome.record.key);
  if (!earlier) return earlier.error();
  outcome.had_label = earlier->has_value();
  if (Status s = store.set_label(outcome.record.key, *text); !s) return s.error();
  return outcome;
}

}  // namespace meldpunt::adviser::usecase
