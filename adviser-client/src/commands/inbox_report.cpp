#include "commands/inbox_report.hpp"

#include <sstream>
#include <string>

#include "attachments.hpp"
#include "refusal.hpp"
#include "text.hpp"

namespace meldpunt::adviser {

namespace {

// One line about a counter, printed only when it is not zero.
void say_count(const TextSink& out, std::size_t n, const std::string& text) {
  if (n > 0) out(std::to_string(n) + text + "\n");
}

void note_count(const TextSink& err, std::size_t n, const std::string& level, const std::string& text) {
  if (n > 0) err("adviser-client: " + level + ": " + std::to_string(n) + text + "\n");
}

}  // namespace

void render_inbox_summary(const InboxSummary& summary, const TextSink& out, const TextSink& err) {
  std::ostringstream report;
  report << summary.stored << " new message" << (summary.stored == 1 ? "" : "s");
  if (summary.prekeys) report << "; " << summary.prekeys->at_relay << " prekeys at the relay";
  report << ".\n";
  out(report.str());
  if (summary.prekey_error) {
    err("adviser-client: warning: prekeys were not topped up: " + describe(*summary.prekey_error) + "\n");
  }
  if (summary.attachment_pieces > 0 || summary.attachments_damaged > 0) {
    out(std::to_string(summary.attachment_pieces) + " attachment piece(s) stored; " +
        std::to_string(summary.attachments_completed) + " attachment(s) complete and intact" +
        (summary.attachments_damaged > 0
             ? "; " + std::to_string(summary.attachments_damaged) + " DAMAGED (not saveable)"
             : std::string()) +
        " (see `adviser-client read CASE`).\n");
  }
  note_count(err, summary.attachment_pieces_waiting, "note",
             " attachment piece(s) belong to a report that has not arrived yet (or to one whose sending was "
             "stopped, and which will not come); they stay at the relay for the next inbox, and expire if their "
             "report never comes");
  note_count(err, summary.files_refused, "note",
             " announced file(s) refused: larger than the relay's attachment limit, or over the case's allowance");
  note_count(err, summary.attachments_refused, "note",
             " attachment piece(s) refused and deleted: the file is larger than the relay's attachment limit, or "
             "its case already holds " + std::to_string(kMaxAttachmentsPerCase) + " files or " +
                 std::to_string(kMaxAttachmentBytesPerCase >> 20) + " MiB from the reporter");
  note_count(err, summary.pieces_expired, "note",
             " attachment piece(s) deleted: their report did not arrive within a week (an upload that broke off)");
  note_count(err, summary.unreadable, "warning",
             " message(s) addressed to you could not be opened (damaged, or sent to a prekey this key file no "
             "longer holds)");
  say_count(out, summary.medium_erased,
            " medium-term key(s) erased: nothing sent to them can still arrive, so the reports sealed to them can "
            "no longer be opened with this key file (forward secrecy).");
  say_count(out, summary.moved,
            " case(s): the reporter moved to a new code; replies now go to the new code (see `adviser-client "
            "history CASE`).");
  say_count(out, summary.received_by_handover,
            " case(s) handed to you with the reporter's consent, with the conversation so far.");
  say_count(out, summary.handed_over,
            " case(s): the reporter accepted your hand-over; the other adviser handles them now (closed here).");
  note_count(err, summary.to_handed_over, "note",
             " message(s) arrived in cases you handed over; the reporter's program may be out of date or its "
             "clock wrong. They are stored (see `cases`); the other adviser did not receive them.");
  say_count(out, summary.handover_declined, " case(s): the reporter declined your hand-over; the case stays with you.");
  note_count(err, summary.refused, "note",
             " letter(s) refused and deleted: sent with a code the reporter has moved away from, a move to a new "
             "code from a sender that is no case's current reporter, or an answer to no open hand-over proposal "
             "of yours");
  note_count(err, summary.replayed, "note",
             " copy/copies of letters received before (replayed by the relay, or a hand-over applied before) "
             "changed nothing and were deleted");
  // Whatever is dropped from a case is named with that case.
  for (const CaseKey& key : summary.refused_cases) {
    err("adviser-client: note: case " + to_hex(key).substr(0, kCaseIdChars) +
        ": a message the reporter sent with the code they had moved away from was refused and deleted "
        "(its text is not kept); ask in this case whether anything is missing.\n");
  }
  note_count(err, summary.ignored, "note", " letter(s) that are not reports for you were left at the relay");
  note_count(err, summary.delete_pending, "note",
             " stored message(s) could not be deleted at the relay yet; the next inbox retries");
}

}  // namespace meldpunt::adviser
