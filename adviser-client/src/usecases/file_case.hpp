// `file CASE --group G --kind K | --clear`: files a case under a group and a
// kind of the directory's signpost, for the counts of `stats`. The
// adviser's choice alone: nothing a reporter sends sets it.
#pragma once

#include <optional>
#include <string_view>

#include "case_store.hpp"

namespace meldpunt::adviser::usecase {

struct FilingOutcome {
  CaseRecord record;
  std::optional<Filing> filing;  // as filed now; nullopt: cleared
};

// With `clear`, the case is no longer filed. Otherwise the non-empty fields
// of `change` replace those of the case's filing (an empty one keeps what
// was there). kNotFound for an unknown or ambiguous case id, kMalformed for
// an invalid group or kind id (the store checks).
Result<FilingOutcome> file_case(CaseStore& store, std::string_view case_id, const Filing& change, bool clear);

}  // namespace meldpunt::adviser::usecase
