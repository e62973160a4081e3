// `status CASE WORD`: moves a case on (acknowledged, in-progress, closed,
// reopen); the store keeps the change in the case's history.
#pragma once

#include <cstdint>
#include <string_view>

#include "case_store.hpp"
#include "casework.hpp"

namespace meldpunt::adviser::usecase {

struct StatusChange {
  CaseRecord before;
  CaseRecord after;
  Deadline due;  // the case's next deadline after the change
};

// kNotFound for an unknown or ambiguous case id (CaseStore::find_case),
// kMalformed for a move the case's status does not allow.
Result<StatusChange> change_status(CaseStore& store, std::string_view case_id, StatusAction action,
                                   std::uint64_t now);

}  // namespace meldpunt::adviser::usecase
