#include "casework.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "meldpunt/client/attachment.hpp"
#include "text.hpp"
#include "wording_commands.hpp"

namespace meldpunt::adviser {
namespace {

constexpr std::uint64_t kDaySeconds = 24 * 3600;

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

bool leap(long long year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(long long year, int month) {  // month 0..11
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 1 && leap(year) ? 29 : kDays[month];
}

std::string utc_month(std::uint64_t unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  if (gmtime_r(&t, &utc) == nullptr) return "unknown";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d", utc.tm_year + 1900, utc.tm_mon + 1);
  return buffer;
}

std::string count_text(const std::optional<std::uint64_t>& count) {
  return count ? std::to_string(*count) : "<" + std::to_string(kMinShownCount);
}

// A count as a number, or the string "<5" when suppressed.
nlohmann::ordered_json count_json(const std::optional<std::uint64_t>& count) {
  if (count) return *count;
  return "<" + std::to_string(kMinShownCount);
}

std::optional<std::uint64_t> shown(std::uint64_t count) {
  return count >= kMinShownCount ? std::optional<std::uint64_t>(count) : std::nullopt;
}

// Complementary suppression: with the total shown, a single suppressed cell
// equals the total minus the others.
void protect(std::vector<StatsCell>& cells, bool total_shown) {
  if (!total_shown) return;
  const auto suppressed = std::count_if(cells.begin(), cells.end(), [](const StatsCell& c) { return !c.count; });
  if (suppressed != 1) return;
  auto smallest = cells.end();
  for (auto it = cells.begin(); it != cells.end(); ++it) {
    if (it->count && (smallest == cells.end() || *it->count < *smallest->count)) smallest = it;
  }
  if (smallest != cells.end()) smallest->count.reset();
}

void append_text(crypto::SecretBuffer& out, std::string_view text) { out.append(as_bytes(text)); }

// Bodies and notes are set apart line by line (client::body_block), on screen
// and in exports alike: no text can pass for a header line of its own.
void append_untrusted(crypto::SecretBuffer& out, const crypto::SecretBuffer& body) {
  out.append(client::body_block(body.view()).view());
}

}  // namespace

std::uint64_t add_months_utc(std::uint64_t unix_seconds, std::uint32_t months) {
  const std::uint64_t days = unix_seconds / kDaySeconds;
  const std::uint64_t time_of_day = unix_seconds % kDaySeconds;
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  const long long z = static_cast<long long>(days) + 719468;
  const long long era = z / 146097;
  const long long doe = z - era * 146097;
  const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long long mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month0 = static_cast<int>(mp < 10 ? mp + 2 : mp - 10);  // 0 = January
  const long long year = yoe + era * 400 + (month0 <= 1 ? 1 : 0);

  const long long total = year * 12 + month0 + static_cast<long long>(months);
  const long long new_year = total / 12;
  const int new_month0 = static_cast<int>(total % 12);
  const int new_day = std::min(day, days_in_month(new_year, new_month0));
  // Days from civil (inverse of the above).
  const long long y = new_month0 <= 1 ? new_year - 1 : new_year;
  const long long m = new_month0 + 1;
  const long long era2 = y / 400;
  const long long yoe2 = y - era2 * 400;
  const long long doy2 = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + new_day - 1;
  const long long doe2 = yoe2 * 365 + yoe2 / 4 - yoe2 / 100 + doy2;
  const long long new_days = era2 * 146097 + doe2 - 719468;
  return static_cast<std::uint64_t>(new_days) * kDaySeconds + time_of_day;
}

Deadline deadline_for(const CaseRecord& record, const Settings& settings, std::uint64_t now) {
  Deadline d;
  if (record.status == CaseStatus::kClosed) return d;
  if (record.acknowledged_at == 0) {
    d.kind = DeadlineKind::kAcknowledge;
    d.due = record.created_at + std::uint64_t{settings.ack_days} * kDaySeconds;
  } else {
    d.kind = DeadlineKind::kFeedback;
    d.due = add_months_utc(record.feedback_from != 0 ? record.feedback_from : record.acknowledged_at,
                           settings.feedback_months);
  }
  d.overdue = now > d.due;
  return d;
}

std::string describe_deadline(const Deadline& deadline, Lang lang) {
  const std::string overdue = deadline.overdue ? say(lang, Say::kOverdue) : std::string();
  switch (deadline.kind) {
    case DeadlineKind::kNone: return "-";
    case DeadlineKind::kAcknowledge: return say(lang, Say::kAcknowledgeBy, {format_day(deadline.due)}) + overdue;
    case DeadlineKind::kFeedback: return say(lang, Say::kFeedbackBy, {format_day(deadline.due)}) + overdue;
  }
  return "-";
}

void sort_by_due(std::vector<CaseRecord>& cases, const Settings& settings, std::uint64_t now) {
  std::stable_sort(cases.begin(), cases.end(), [&](const CaseRecord& a, const CaseRecord& b) {
    const Deadline da = deadline_for(a, settings, now), db = deadline_for(b, settings, now);
    const bool a_due = da.kind != DeadlineKind::kNone, b_due = db.kind != DeadlineKind::kNone;
    if (a_due != b_due) return a_due;
    if (a_due && da.due != db.due) return da.due < db.due;
    return a.last_activity > b.last_activity;
  });
}

std::vector<CaseRecord> filter_cases(std::vector<CaseRecord> cases, const CaseFilter& filter,
                                     const Settings& settings, std::uint64_t now) {
  std::erase_if(cases, [&](const CaseRecord& c) {
    const Deadline d = deadline_for(c, settings, now);
    if (filter.overdue && !d.overdue) return true;
    if (filter.unread && c.unread == 0) return true;
    if (filter.status && c.status != *filter.status) return true;
    if (filter.due_within_days) {
      if (d.kind == DeadlineKind::kNone) return true;
      const std::uint64_t horizon = now + std::uint64_t{*filter.due_within_days} * 86400;
      if (d.due > horizon) return true;
    }
    return false;
  });
  return cases;
}

std::string case_table_heading(Lang lang) {
  return pad(say(lang, Say::kColCase), kCaseTableIndent) + pad(say(lang, Say::kColStatus), 14) +
         pad(say(lang, Say::kColMessages), 10) + pad(say(lang, Say::kColDue), 34) +
         pad(say(lang, Say::kColLastActivity), 18) + "\n";
}

std::string case_table_row(const CaseRecord& c, const Settings& settings, std::uint64_t now, Lang lang) {
  std::string row = pad(c.id(), kCaseTableIndent) + pad(std::string(status_keyword(c.status)), 14) +
                    pad(std::to_string(c.next_sequence), 10) +
                    pad(describe_deadline(deadline_for(c, settings, now), lang), 34) +
                    pad(format_minute(c.last_activity), 18);
  if (c.unread > 0) row += tally(lang, Tally::kUnread, c.unread);
  return row + "\n";
}

std::string case_table(std::vector<CaseRecord> cases, const Settings& settings, std::uint64_t now, Lang lang) {
  if (cases.empty()) return say(lang, Say::kNoCasesYet);
  sort_by_due(cases, settings, now);
  std::string table = case_table_heading(lang);
  for (const CaseRecord& c : cases) table += case_table_row(c, settings, now, lang);
  return table;
}

namespace {

constexpr std::string_view kNotFiled = "(not filed)";

// Counts per id of one side of the filings (group or kind), then the cases
// not filed under that side; nothing when no case is filed at all.
std::vector<StatsCell> filing_cells(const std::vector<CaseRecord>& cases, const std::map<CaseKey, Filing>& filings,
                                    std::string Filing::*side) {
  std::map<std::string, std::uint64_t> counts;
  std::uint64_t unfiled = 0;
  bool any = false;
  for (const CaseRecord& c : cases) {
    const auto it = filings.find(c.key);
    if (it == filings.end() || (it->second.*side).empty()) {
      ++unfiled;
    } else {
      any = true;
      counts[it->second.*side]++;
    }
  }
  std::vector<StatsCell> cells;
  if (!any) return cells;
  for (const auto& [id, count] : counts) cells.push_back({id, shown(count)});
  if (unfiled > 0) cells.push_back({std::string(kNotFiled), shown(unfiled)});
  return cells;
}

}  // namespace

StatsReport compute_stats(const std::vector<CaseRecord>& cases, crypto::Role role,
                          const std::map<CaseKey, Filing>& filings) {
  StatsReport report;
  report.role = std::string(crypto::role_keyword(role));
  report.total = shown(cases.size());
  std::map<std::string, std::uint64_t> months;
  std::uint64_t statuses[4] = {0, 0, 0, 0};
  std::vector<std::uint64_t> delays;
  for (const CaseRecord& c : cases) {
    months[utc_month(c.created_at)]++;
    statuses[static_cast<std::size_t>(c.status) - 1]++;
    if (c.acknowledged_at != 0 && c.acknowledged_at >= c.created_at) delays.push_back(c.acknowledged_at - c.created_at);
  }
  for (const auto& [month, count] : months) report.by_month.push_back({month, shown(count)});
  for (CaseStatus s : {CaseStatus::kNew, CaseStatus::kAcknowledged, CaseStatus::kInProgress, CaseStatus::kClosed}) {
    report.by_status.push_back({std::string(status_keyword(s)), shown(statuses[static_cast<std::size_t>(s) - 1])});
  }
  protect(report.by_month, report.total.has_value());
  protect(report.by_status, report.total.has_value());
  report.by_group = filing_cells(cases, filings, &Filing::group);
  report.by_kind = filing_cells(cases, filings, &Filing::kind);
  protect(report.by_group, report.total.has_value());
  protect(report.by_kind, report.total.has_value());
  if (delays.size() >= kMinShownCount) {
    std::sort(delays.begin(), delays.end());
    const std::size_t n = delays.size();
    const double median = n % 2 == 1 ? static_cast<double>(delays[n / 2])
                                     : (static_cast<double>(delays[n / 2 - 1]) + static_cast<double>(delays[n / 2])) / 2;
    report.median_hours_to_acknowledgement = median / 3600.0;
  }
  return report;
}

std::string stats_text(const StatsReport& report, Lang lang) {
  std::ostringstream out;
  const std::string min_shown = std::to_string(kMinShownCount);
  out << tell(lang, Tell::kStatsHeading, {report.role, count_text(report.total)}) << "\n";
  out << tell(lang, Tell::kStatsSuppressed, {min_shown}) << "\n\n" << tell(lang, Tell::kStatsByMonth) << "\n";
  if (report.by_month.empty()) out << "  " << tell(lang, Tell::kStatsNone) << "\n";
  for (const StatsCell& c : report.by_month) out << "  " << pad(c.label, 14) << count_text(c.count) << "\n";
  out << "\n" << tell(lang, Tell::kStatsByStatus) << "\n";
  for (const StatsCell& c : report.by_status) out << "  " << pad(c.label, 14) << count_text(c.count) << "\n";
  for (auto [cells, heading] :
       {std::pair{&report.by_group, Tell::kStatsByGroup}, std::pair{&report.by_kind, Tell::kStatsByKind}}) {
    if (cells->empty()) continue;
    out << "\n" << tell(lang, heading) << "\n";
    for (const StatsCell& c : *cells) out << "  " << pad(c.label, 24) << count_text(c.count) << "\n";
  }
  out << "\n" << tell(lang, Tell::kStatsMedian);
  if (report.median_hours_to_acknowledgement) {
    char hours[32];
    char days[32];
    std::snprintf(hours, sizeof hours, "%.1f", *report.median_hours_to_acknowledgement);
    std::snprintf(days, sizeof days, "%.1f", *report.median_hours_to_acknowledgement / 24.0);
    std::string h(hours), d(days);
    if (lang == Lang::kNl) {  // a decimal comma
      std::replace(h.begin(), h.end(), '.', ',');
      std::replace(d.begin(), d.end(), '.', ',');
    }
    out << tell(lang, Tell::kStatsMedianValue, {h, d}) << "\n";
  } else {
    out << tell(lang, Tell::kStatsMedianHidden, {min_shown}) << "\n";
  }
  return out.str();
}

std::string stats_json(const StatsReport& report) {
  // ordered_json keeps the cells in the report's order (months ascending,
  // statuses in workflow order, "(not filed)" last), as the text shows them.
  nlohmann::ordered_json json;
  json["role"] = report.role;
  json["cases"] = count_json(report.total);
  for (auto [cells, name] : {std::pair{&report.by_month, "by_month"}, std::pair{&report.by_status, "by_status"},
                             std::pair{&report.by_group, "by_group"}, std::pair{&report.by_kind, "by_kind"}}) {
    nlohmann::ordered_json group = nlohmann::ordered_json::object();
    for (const StatsCell& cell : *cells) group[cell.label] = count_json(cell.count);
    json[name] = std::move(group);
  }
  json["median_hours_to_acknowledgement"] = nullptr;
  if (report.median_hours_to_acknowledgement) {
    // One decimal, rounded as the text rounds it.
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f", *report.median_hours_to_acknowledgement);
    json["median_hours_to_acknowledgement"] = std::strtod(buffer, nullptr);
  }
  json["min_shown_count"] = kMinShownCount;
  // Labels are keywords, "YYYY-MM" and ids checked when stored; replacing
  // invalid UTF-8 keeps the output valid JSON whatever a label held.
  return json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

crypto::SecretBuffer render_conversation(const std::vector<MessageRecord>& messages, Lang lang) {
  // In the order they were written: a hand-over may add messages the case
  // lacked after later ones were stored.
  std::vector<const MessageRecord*> ordered;
  for (const MessageRecord& m : messages) ordered.push_back(&m);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const MessageRecord* a, const MessageRecord* b) { return a->sent_at < b->sent_at; });
  crypto::SecretBuffer out;
  for (const MessageRecord* message : ordered) {
    const MessageRecord& m = *message;
    if (m.direction == Direction::kEarlierVerified) {
      // The first line is ours ("[NAME]", written by inbox from the
      // directory entry whose key verified the signature): named in the
      // header, the rest set apart as any body.
      const std::string_view text = m.body.text();
      const std::size_t eol = text.find('\n');
      std::string_view label = text.substr(0, eol);
      if (label.size() >= 2 && label.front() == '[' && label.back() == ']') label = label.substr(1, label.size() - 2);
      append_text(out, "\n--- " + format_minute(m.sent_at) + "  " + terminal_safe_label(label) +
                           tell(lang, Tell::kEarlierVerified) + " ---\n");
      const crypto::SecretBuffer rest = crypto::SecretBuffer::copy_of(
          eol == std::string_view::npos ? ByteView{} : m.body.view().subspan(eol + 1));
      append_untrusted(out, rest);
    } else {
      const std::string from = m.direction == Direction::kIn    ? say(lang, Say::kFromReporter)
                               : m.direction == Direction::kOut ? say(lang, Say::kFromYou)
                                                                : tell(lang, Tell::kEarlierUnverified);
      append_text(out, "\n--- " + format_minute(m.sent_at) + "  " + from + " ---\n");
      append_untrusted(out, m.body);
    }
    // What the message had that did not come with the hand-over; names as
    // the sender gave them, made safe (client::sanitise_file_name).
    for (const protocol::FileNote& f : m.files_not_transferred) {
      const crypto::SecretBuffer name = client::sanitise_file_name(f.name.view());
      append_text(
          out, tell(lang, Tell::kFileNotTransferred, {std::string(name.text()), client::describe_size(f.total_bytes)}) +
                   "\n");
    }
  }
  return out;
}

crypto::SecretBuffer render_notes(const std::vector<NoteRecord>& notes, Lang lang) {
  crypto::SecretBuffer out;
  for (const NoteRecord& n : notes) {
    append_text(
        out,
        "\n" + tell(lang, Tell::kNoteHeading, {std::to_string(n.sequence + 1), format_minute(n.written_at)}) + "\n");
    append_untrusted(out, n.text);
  }
  return out;
}

std::string render_history(const std::vector<HistoryEntry>& history, Lang lang) {
  std::string out;
  for (const HistoryEntry& e : history) out += format_minute(e.at) + "  " + describe(e, lang) + "\n";
  return out;
}

std::string render_case_header(const CaseRecord& c, const Settings& settings, std::uint64_t now,
                               std::size_t message_count, Lang lang) {
  std::string header = say(lang, Say::kHeaderCase,
                           {c.id(), status_keyword(c.status), format_minute(c.created_at), std::to_string(message_count)});
  header += say(lang, Say::kHeaderAcknowledged,
                {c.acknowledged_at != 0 ? format_minute(c.acknowledged_at) : say(lang, Say::kNotYet),
                 describe_deadline(deadline_for(c, settings, now), lang)});
  if (!c.other_advisers.empty()) {
    header += tell(lang, Tell::kAlsoWroteTo);
    for (std::size_t i = 0; i < c.other_advisers.size(); ++i) {
      const OtherAdviser& a = c.other_advisers[i];
      if (i > 0) header += ", ";
      header += a.name.empty() ? tell(lang, Tell::kNotInDirectory, {to_hex(a.id)}) : terminal_safe_label(a.name);
    }
    header += "\n";
  } else {
    header += tell(lang, Tell::kWroteToYouOnly) + "\n";
  }
  const auto name_of = [lang](const std::string& name, const crypto::AdviserId& id) {
    return name.empty() ? tell(lang, Tell::kAdviserById, {to_hex(id)}) : terminal_safe_label(name);
  };
  if (c.received_at != 0) {
    header +=
        tell(lang, Tell::kHandedToYou, {name_of(c.received_from_name, c.received_from), format_minute(c.received_at)}) +
        "\n";
  }
  switch (c.handover) {
    case HandoverOutcomeState::kNone: break;
    case HandoverOutcomeState::kHandedOver:
      header += tell(lang, Tell::kHandedOverTo,
                     {name_of(c.handover_adviser_name, c.handover_adviser), format_minute(c.handover_at)}) +
                "\n";
      break;
    case HandoverOutcomeState::kDeclined:
      header += tell(lang, Tell::kDeclinedHandoverTo,
                     {name_of(c.handover_adviser_name, c.handover_adviser), format_minute(c.handover_at)}) +
                "\n";
      break;
  }
  for (const OpenProposal& p : c.open_proposals) {
    header += tell(lang, Tell::kProposedHandoverTo, {name_of(p.to_name, p.to), format_minute(p.at)}) + "\n";
  }
  return header;
}

crypto::SecretBuffer export_document(const CaseRecord& record, const std::vector<MessageRecord>& messages,
                                     const std::vector<NoteRecord>& notes, const std::vector<HistoryEntry>& history,
                                     const AdviserProfile& adviser, const Settings& settings, std::uint64_t now) {
  crypto::SecretBuffer out;
  append_text(out, "meldpunt case export\n");
  append_text(out, "Exported: " + format_minute(now) + " by " + terminal_safe_label(adviser.name) + " (" +
                       std::string(crypto::role_keyword(adviser.role)) + ")\n");
  append_text(out, render_case_header(record, settings, now, messages.size()));
  append_text(out, "\n=== History ===\n" + render_history(history));
  append_text(out, "\n=== Conversation ===\n");
  out.append(render_conversation(messages).view());
  append_text(out, "\n=== Private notes (never sent to the reporter) ===\n");
  if (notes.empty()) append_text(out, "(none)\n");
  out.append(render_notes(notes).view());
  return out;
}

}  // namespace meldpunt::adviser
