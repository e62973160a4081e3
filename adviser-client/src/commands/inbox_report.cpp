#include "commands/inbox_report.hpp"

#include <string>

#include "attachments.hpp"
#include "text.hpp"
#include "wording_commands.hpp"

namespace meldpunt::adviser {

void render_inbox_summary(const InboxSummary& summary, const TextSink& out, const TextSink& err, Lang lang) {
  // One line about a counter, printed only when it is not zero: on stdout
  // what happened to cases, on stderr notes and warnings about letters.
  auto say_count = [&](std::size_t n, Tally key) {
    if (n > 0) out(tally(lang, key, n) + "\n");
  };
  auto note_count = [&](std::size_t n, Say level, Tally key, std::initializer_list<std::string_view> more = {}) {
    if (n > 0) err(say(lang, level) + tally(lang, key, n, more) + "\n");
  };
  std::string report = tally(lang, Tally::kNewMessages, summary.stored);
  if (summary.prekeys) report += tally(lang, Tally::kPrekeysAtRelay, summary.prekeys->at_relay);
  out(report + ".\n");
  if (summary.prekey_error) {
    err(say(lang, Say::kWarningPrefix) + say(lang, Say::kPrekeysNotToppedUp, {describe(lang, *summary.prekey_error)}) +
        "\n");
  }
  if (summary.attachment_pieces > 0 || summary.attachments_damaged > 0) {
    const std::string damaged = summary.attachments_damaged > 0
                                    ? say(lang, Say::kDamagedPart, {std::to_string(summary.attachments_damaged)})
                                    : std::string();
    out(say(lang, Say::kAttachmentsStored,
            {std::to_string(summary.attachment_pieces), std::to_string(summary.attachments_completed), damaged}));
  }
  note_count(summary.attachment_pieces_waiting, Say::kNotePrefix, Tally::kPiecesWaiting);
  note_count(summary.files_refused, Say::kNotePrefix, Tally::kFilesRefused);
  note_count(summary.attachments_refused, Say::kNotePrefix, Tally::kPiecesRefused,
             {std::to_string(kMaxAttachmentsPerCase), std::to_string(kMaxAttachmentBytesPerCase >> 20)});
  note_count(summary.pieces_expired, Say::kNotePrefix, Tally::kPiecesExpired);
  note_count(summary.unreadable, Say::kWarningPrefix, Tally::kUnopenable);
  say_count(summary.medium_erased, Tally::kMediumErased);
  say_count(summary.moved, Tally::kMoved);
  say_count(summary.received_by_handover, Tally::kReceivedByHandover);
  say_count(summary.handed_over, Tally::kHandedOver);
  note_count(summary.to_handed_over, Say::kNotePrefix, Tally::kToHandedOver);
  say_count(summary.handover_declined, Tally::kHandoverDeclined);
  note_count(summary.refused, Say::kNotePrefix, Tally::kLettersRefused);
  note_count(summary.replayed, Say::kNotePrefix, Tally::kReplayed);
  // Whatever is dropped from a case is named with that case.
  for (const CaseKey& key : summary.refused_cases) {
    err(say(lang, Say::kNotePrefix) + tell(lang, Tell::kRefusedInCase, {to_hex(key).substr(0, kCaseIdChars)}) + "\n");
  }
  note_count(summary.ignored, Say::kNotePrefix, Tally::kIgnored);
  note_count(summary.delete_pending, Say::kNotePrefix, Tally::kDeletePending);
}

}  // namespace meldpunt::adviser
