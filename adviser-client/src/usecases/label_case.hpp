// `label CASE TEXT` and `label CASE --clear`: the adviser's private label
// for a case, kept sealed in the case store, shown by `cases` and `read`,
// searched by `search`, and never sent to the relay or anyone.
#pragma once

#include <optional>
#include <string_view>

#include "case_store.hpp"

namespace meldpunt::adviser::usecase {

struct LabelOutcome {
  CaseRecord record;
  bool had_label = false;  // a label was replaced or cleared
};

// Sets `text` as the case's label (validate_case_label), or with nullopt
// clears it. kNotFound for an unknown case id.
Result<LabelOutcome> label_case(CaseStore& store, std::string_view case_id, std::optional<ByteView> text);

}  // namespace meldpunt::adviser::usecase
