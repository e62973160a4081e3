// What `adviser-client watch` tells the adviser, and when: counts and due
// dates only, never content (no message text, label, name or subject), in
// the adviser's language (wording.hpp; English shown here).
//
//   new messages : "1 new message", "3 new messages"
//   deadlines    : a case's open deadline (casework.hpp deadline_for) is
//                  told once per threshold it reaches:
//                    within 3 days  "case 3fa9c0d1e2: acknowledgement due in 3 days"
//                    within 1 day   "case 3fa9c0d1e2: feedback due in 1 day"
//                    passed         "case 3fa9c0d1e2: acknowledgement overdue since 2025-03-11"
//                  A deadline that moves (acknowledged, reopened) is a new one.
//
// The memory of what was told lives in this object only (nothing about
// cases is written in the clear): a new `watch` process tells the current
// thresholds once again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "casework.hpp"

namespace meldpunt::adviser {

inline constexpr std::uint64_t kAlertSoonSeconds = 3 * 86400;
inline constexpr std::uint64_t kAlertImminentSeconds = 86400;

// "1 new message" / "N new messages" (Dutch: "1 nieuw bericht"); empty for 0.
std::string new_messages_text(std::size_t count, Lang lang = Lang::kEn);

class DeadlineAlerts {
 public:
  // The lines for deadlines that reached a threshold not told before, in the
  // order of `cases`.
  std::vector<std::string> update(const std::vector<CaseRecord>& cases, const Settings& settings, std::uint64_t now,
                                  Lang lang = Lang::kEn);

 private:
  // (case, kind, due) -> the highest threshold told: 1 soon, 2 imminent, 3 overdue.
  std::map<std::tuple<CaseKey, DeadlineKind, std::uint64_t>, int> told_;
};

}  // namespace meldpunt::adviser
