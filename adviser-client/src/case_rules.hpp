// The rules of a case that hold wherever it is kept: which status moves
// are allowed, which deadline settings the law permits, and how a history
// entry reads for people. Pure functions over case_model.hpp's values.
#pragma once

#include <string>
#include <string_view>

#include "case_model.hpp"
#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "wording.hpp"

namespace meldpunt::adviser {

std::string_view status_keyword(CaseStatus status);
Result<CaseStatus> parse_status(std::string_view keyword);

// "acknowledged", "in-progress", "closed", "reopen"; kMalformed otherwise.
Result<StatusAction> parse_status_action(std::string_view word);
// The status the action leads to from `current`, or kMalformed naming the
// allowed moves: forward only (new -> acknowledged -> in-progress -> closed,
// steps may be skipped), and closed -> in-progress only through reopen.
Result<CaseStatus> next_status(CaseStatus current, StatusAction action);

// kMalformed unless the group and kind are each empty or a valid id of the
// directory's signpost (crypto::category_id_valid), and not both empty.
Status validate_filing(const Filing& filing);

// A case id as the adviser typed it, judged by its form alone (no store
// needed, so a slip is refused before the passphrase is asked): 4 to 32 hex
// characters (kMinCasePrefixChars, the whole case key), any case. kMalformed
// saying what a case id looks like otherwise.
Status validate_case_id(std::string_view id_prefix);

// A case's private label: 1 to kMaxCaseLabelBytes bytes, one line, and
// nothing the text policy's label rule refuses (no control, bidi or
// invisible character: text/text_policy.hpp). kMalformed or kTooLarge.
Status validate_case_label(ByteView text);

// kMalformed unless 1 <= ack_days <= 7 and 1 <= feedback_months <= 3.
Status validate_settings(const Settings& settings);

// One line for people: "status new -> acknowledged", "reporter moved to a new code".
std::string describe(const HistoryEntry& entry, Lang lang = Lang::kEn);

}  // namespace meldpunt::adviser
