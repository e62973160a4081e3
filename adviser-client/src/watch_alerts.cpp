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

// Started days: "in 1 day" up to 24 h.
std::uint64_t days_left(std::uint64_t seconds) { return seconds == 0 ? 1 : (seconds + 86399) / 86400; }

}  // namespace

std::string new_messages_text(std::size_t count, Lang lang) {
  if (count == 0) return {};
  return tally(lang, Tally::kNewMessages, count);
}

std::vector<std::string> DeadlineAlerts::update(const std::vector<CaseRecord>& cases, const Settings& settings,
                                                std::uint64_t now, Lang lang) {
  std::vector<std::string> lines;
  for (const CaseRecord& record : cases) {
    const Deadline d = deadline_for(record, settings, now);
    const int level = threshold(d, now);
    if (level == 0) continue;
    int& told = told_[{record.key, d.kind, d.due}];
    if (level <= told) continue;
    told = level;
    const bool acknowledge = d.kind == DeadlineKind::kAcknowledge;
    if (level == 3) {
      lines.push_back(say(lang, acknowledge ? Say::kAlertAcknowledgeOverdue : Say::kAlertFeedbackOverdue,
                          {record.id(), format_day(d.due)}));
    } else {
      lines.push_back(tally(lang, acknowledge ? Tally::kAlertAcknowledgeDue : Tally::kAlertFeedbackDue,
                            days_left(d.due - now), {record.id()}));
    }
  }
  return lines;
}

}  // namespace meldpunt::adviser
