#include "case_rules.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "meldpunt/text/text_policy.hpp"
#include "wording_commands.hpp"

namespace meldpunt::adviser {
namespace {

bool category_id_acceptable(const std::string& id) { return id.empty() || crypto::category_id_valid(id); }

}  // namespace

Status validate_case_id(std::string_view id) {
  const bool hex = std::all_of(id.begin(), id.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
  if (id.size() < kMinCasePrefixChars || id.size() > 2 * kCaseKeyBytes || !hex) {
    return Error{ErrorCode::kMalformed,
                 "a case id is " + std::to_string(kMinCasePrefixChars) + " to " + std::to_string(kCaseIdChars) +
                     " hex characters (0-9, a-f), as `adviser-client cases` shows it",
                 false, ErrorSubject::kCaseId};
  }
  return Status::success();
}

Status validate_case_label(ByteView text) {
  const auto refused = [](ErrorCode code, std::string message) {
    return Status(Error{code, std::move(message), false, ErrorSubject::kCaseLabel});
  };
  if (text.empty()) return refused(ErrorCode::kMalformed, "a label is not empty (clear one with --clear)");
  if (text.size() > kMaxCaseLabelBytes) {
    return refused(ErrorCode::kTooLarge, "a label is at most " + std::to_string(kMaxCaseLabelBytes) + " bytes");
  }
  if (!text::is_clean_label(text)) {
    return refused(ErrorCode::kMalformed,
                   "a label is one line of UTF-8 text without control, invisible or direction-changing characters");
  }
  return Status::success();
}

Status validate_filing(const Filing& f) {
  const auto refused = [](std::string message) {
    return Status(Error{ErrorCode::kMalformed, std::move(message), false, ErrorSubject::kFilingId});
  };
  if (f.group.empty() && f.kind.empty()) return refused("give a group, a kind or both");
  if (!category_id_acceptable(f.group) || !category_id_acceptable(f.kind)) {
    return refused("a group or kind id is 1 to 32 of a-z, 0-9 and '-' (the ids of the directory's signpost)");
  }
  return Status::success();
}

std::string_view status_keyword(CaseStatus status) {
  switch (status) {
    case CaseStatus::kNew: return "new";
    case CaseStatus::kAcknowledged: return "acknowledged";
    case CaseStatus::kInProgress: return "in-progress";
    case CaseStatus::kClosed: return "closed";
  }
  return "unknown";
}

Result<CaseStatus> parse_status(std::string_view keyword) {
  for (CaseStatus s : {CaseStatus::kNew, CaseStatus::kAcknowledged, CaseStatus::kInProgress, CaseStatus::kClosed}) {
    if (keyword == status_keyword(s)) return s;
  }
  return Error{ErrorCode::kMalformed, "unknown status; use new, acknowledged, in-progress or closed", false,
               ErrorSubject::kStatusWord};
}

Result<StatusAction> parse_status_action(std::string_view word) {
  if (word == "acknowledged") return StatusAction::kAcknowledge;
  if (word == "in-progress") return StatusAction::kStartWork;
  if (word == "closed") return StatusAction::kClose;
  if (word == "reopen") return StatusAction::kReopen;
  return Error{ErrorCode::kMalformed, "unknown status; use acknowledged, in-progress, closed or reopen", false,
               ErrorSubject::kStatusWord};
}

Result<CaseStatus> next_status(CaseStatus current, StatusAction action) {
  const auto rank = [](CaseStatus s) { return static_cast<int>(s); };
  CaseStatus target = CaseStatus::kInProgress;
  switch (action) {
    case StatusAction::kAcknowledge: target = CaseStatus::kAcknowledged; break;
    case StatusAction::kStartWork: target = CaseStatus::kInProgress; break;
    case StatusAction::kClose: target = CaseStatus::kClosed; break;
    case StatusAction::kReopen:
      if (current != CaseStatus::kClosed) {
        return Error{ErrorCode::kMalformed,
                     "only a closed case can be reopened (this one is " + std::string(status_keyword(current)) + ")",
                     false, ErrorSubject::kStatusMove};
      }
      return CaseStatus::kInProgress;
  }
  if (current == CaseStatus::kClosed) {
    return Error{ErrorCode::kMalformed, "the case is closed; `status CASE reopen` opens it again", false,
                 ErrorSubject::kStatusMove};
  }
  if (rank(target) <= rank(current)) {
    return Error{ErrorCode::kMalformed,
                 "the case is already " + std::string(status_keyword(current)) +
                     "; a case moves forward only (new, acknowledged, in-progress, closed)",
                 false, ErrorSubject::kStatusMove};
  }
  return target;
}

Status validate_settings(const Settings& settings) {
  if (settings.ack_days < 1 || settings.ack_days > kDefaultAckDays) {
    return Error{ErrorCode::kMalformed,
                 "--ack-days must be 1 to " + std::to_string(kDefaultAckDays) +
                     " (the law allows at most 7 days; settings may only be stricter)",
                 false, ErrorSubject::kDeadlineSetting};
  }
  if (settings.feedback_months < 1 || settings.feedback_months > kDefaultFeedbackMonths) {
    return Error{ErrorCode::kMalformed,
                 "--feedback-months must be 1 to " + std::to_string(kDefaultFeedbackMonths) +
                     " (the law allows at most 3 months; settings may only be stricter)",
                 false, ErrorSubject::kDeadlineSetting};
  }
  return Status::success();
}

std::string describe(const HistoryEntry& entry, Lang lang) {
  switch (entry.event) {
    case HistoryEvent::kOpened:
      return tell(lang, Tell::kHistOpened);
    case HistoryEvent::kStatusChanged:
      return tell(lang, Tell::kHistStatus,
                  {entry.from ? status_keyword(*entry.from) : "?", entry.to ? status_keyword(*entry.to) : "?"});
    case HistoryEvent::kReporterMoved:
      return tell(lang, Tell::kHistMoved);
    case HistoryEvent::kNoteAdded:
      return tell(lang, Tell::kHistNote);
    case HistoryEvent::kAcknowledgementSent:
      return tell(lang, Tell::kHistAckSent);
    case HistoryEvent::kExported:
      return tell(lang, Tell::kHistExported);
    case HistoryEvent::kHandoverProposed:
      return tell(lang, Tell::kHistHandoverProposed);
    case HistoryEvent::kHandedOver:
      return tell(lang, Tell::kHistHandedOver);
    case HistoryEvent::kHandoverDeclined:
      return tell(lang, Tell::kHistHandoverDeclined);
    case HistoryEvent::kReceivedByHandover:
      return tell(lang, Tell::kHistReceivedByHandover);
    case HistoryEvent::kHandoverLapsed:
      return tell(lang, Tell::kHistHandoverLapsed);
  }
  return tell(lang, Tell::kHistUnknown);
}

}  // namespace meldpunt::adviser
