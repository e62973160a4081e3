#include "watch_alerts.hpp"

#include "text.hpp"

namespace meldpunt::adviser {

namespace {

// 0 none yet, 1 within 3 days, 2 within a day, 3 passed.
int threshold(const Deadline& d, std::uint64_t now) {
  if (d.kind == DeadlineKind::kNone) return 0;
  if (d.overdue) return 3;
  const std::uint64_t left = d.due - now;
  if (left <= kAlertImminentSeconds) return 2;
  if (left <= kAlertSoonSeconds) return 1;
  return 0;
}

std::string days_text(std::uint64_t seconds) {
  const std::uint64_t days = seconds == 0 ? 1 : (seconds + 86399) / 86400;  // started days: "in 1 day" up to 24 h
  return std::to_string(days) + (days == 1 ? " day" : " days");
}

}  // namespace

std::string new_messages_text(std::size_t count) {
  if (count == 0) return {};
  return std::to_string(count) + (count == 1 ? " new message" : " new messages");
}

std::vector<std::string> DeadlineAlerts::update(const std::vector<CaseRecord>& cases, const Settings& settings,
                                                std::uint64_t now) {
  std::vector<std::string> lines;
  for (const CaseRecord& record : cases) {
    const Deadline d = deadline_for(record, settings, now);
    const int level = threshold(d, now);
    if (level == 0) continue;
    int& told = told_[{record.key, d.kind, d.due}];
    if (level <= told) continue;
    told = level;
    const std::string what = d.kind == DeadlineKind::kAcknowledge ? "acknowledgement" : "feedback";
    lines.push_back("case " + record.id() + ": " + what +
                    (level == 3 ? " overdue since " + format_day(d.due) : " due in " + days_text(d.due - now)));
  }
  return lines;
}

}  // namespace meldpunt::adviser
