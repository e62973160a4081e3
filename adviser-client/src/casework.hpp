// The adviser's case work on top of the case store: legal deadlines, the
// order cases are listed in, evaluation counts, and the texts shown on the
// terminal and written to exports.
//
// Deadlines (EU Directive 2019/1937 art. 9; stricter values in Settings):
//   acknowledge by = created_at + ack_days * 86400            while not acknowledged
//   feedback by    = feedback_from + feedback_months (calendar months, UTC,
//                    day clamped to the month's end)         once acknowledged
//   a closed case owes nothing; a case is overdue once now > due.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "case_store.hpp"
#include "key_file.hpp"
#include "wording.hpp"

namespace meldpunt::adviser {

// t plus `months` calendar months in UTC, same time of day; the day is
// clamped to the last day of the target month (Jan 31 + 1 month = Feb 28/29).
std::uint64_t add_months_utc(std::uint64_t unix_seconds, std::uint32_t months);

enum class DeadlineKind : std::uint8_t { kNone, kAcknowledge, kFeedback };
struct Deadline {
  DeadlineKind kind = DeadlineKind::kNone;
  std::uint64_t due = 0;
  bool overdue = false;
};
Deadline deadline_for(const CaseRecord& record, const Settings& settings, std::uint64_t now);
// "acknowledge by 2025-03-11", "feedback by 2025-06-11 OVERDUE", "-" for none.
std::string describe_deadline(const Deadline& deadline, Lang lang = Lang::kEn);

// What is due first comes first (overdue ones therefore lead); cases that
// owe nothing follow, most recent activity first.
void sort_by_due(std::vector<CaseRecord>& cases, const Settings& settings, std::uint64_t now);

// Which cases `cases` lists; every filter given must hold (AND). An empty
// filter keeps every case.
struct CaseFilter {
  bool overdue = false;                      // a deadline has passed
  bool unread = false;                       // --new: messages not yet read (NEW in the table)
  std::optional<CaseStatus> status;          // exactly this status
  std::optional<std::uint32_t> due_within_days;  // something due within that many days (overdue included)

  bool empty() const { return !overdue && !unread && !status && !due_within_days; }
};
std::vector<CaseRecord> filter_cases(std::vector<CaseRecord> cases, const CaseFilter& filter,
                                     const Settings& settings, std::uint64_t now);

// The case table of `cases` and `inbox`.
std::string case_table(std::vector<CaseRecord> cases, const Settings& settings, std::uint64_t now,
                       Lang lang = Lang::kEn);
// Its heading line and the line of one case (each ending in '\n'), for
// tables that add to it (case_glance.hpp).
std::string case_table_heading(Lang lang = Lang::kEn);
std::string case_table_row(const CaseRecord& record, const Settings& settings, std::uint64_t now,
                           Lang lang = Lang::kEn);
// Where the columns after the case id start in a row.
inline constexpr std::size_t kCaseTableIndent = kCaseIdChars + 2;

// ---- evaluation counts ----

// Counts below this are shown as "<5" so that no single case stands out.
inline constexpr std::uint64_t kMinShownCount = 5;

struct StatsCell {
  std::string label;
  std::optional<std::uint64_t> count;  // nullopt: suppressed, shown as "<5"
};
struct StatsReport {
  std::string role;
  std::optional<std::uint64_t> total;
  std::vector<StatsCell> by_month;   // "YYYY-MM" (UTC) of the first message; months without cases left out
  std::vector<StatsCell> by_status;  // all four statuses
  // By the group and the kind the adviser filed each case under (`file`), in
  // id order, then "(not filed)"; empty when no case is filed.
  std::vector<StatsCell> by_group;
  std::vector<StatsCell> by_kind;
  // Median of (acknowledged_at - created_at) over acknowledged cases; only
  // when at least kMinShownCount cases were acknowledged.
  std::optional<double> median_hours_to_acknowledgement;
};
// Counts only: no case id, date finer than a month, or content. A group
// whose total is shown never has exactly one suppressed cell (it could be
// worked out by subtraction): the smallest shown cell is suppressed too.
StatsReport compute_stats(const std::vector<CaseRecord>& cases, crypto::Role role,
                          const std::map<CaseKey, Filing>& filings = {});
std::string stats_text(const StatsReport& report, Lang lang = Lang::kEn);
std::string stats_json(const StatsReport& report);

// ---- texts ----

// The conversation, oldest first, terminal-safe (untrusted text sanitised).
crypto::SecretBuffer render_conversation(const std::vector<MessageRecord>& messages, Lang lang = Lang::kEn);
// Private notes, oldest first, terminal-safe.
crypto::SecretBuffer render_notes(const std::vector<NoteRecord>& notes, Lang lang = Lang::kEn);
std::string render_history(const std::vector<HistoryEntry>& history, Lang lang = Lang::kEn);
// Header lines of `read`: id, status, opened, deadline, other advisers.
std::string render_case_header(const CaseRecord& record, const Settings& settings, std::uint64_t now,
                               std::size_t message_count, Lang lang = Lang::kEn);

// The whole case for the record: header, history, conversation, notes.
crypto::SecretBuffer export_document(const CaseRecord& record, const std::vector<MessageRecord>& messages,
                                     const std::vector<NoteRecord>& notes, const std::vector<HistoryEntry>& history,
                                     const AdviserProfile& adviser, const Settings& settings, std::uint64_t now);

}  // namespace meldpunt::adviser
