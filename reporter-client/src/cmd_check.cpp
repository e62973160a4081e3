// `reporter-client check`: the conversation, its attachments, who can read
// it, and the answers to hand-over proposals.
#include <algorithm>
#include <cstdlib>
#include <memory>

#include "attachments.hpp"
#include "channel.hpp"
#include "choose_advisers.hpp"
#include "clock.hpp"
#include "conversation.hpp"
#include "deposits.hpp"
#include "flow.hpp"
#include "interrupt.hpp"
#include "meldpunt/cli/program.hpp"
#include "meldpunt/client/directory_check.hpp"
#include "meldpunt/client/retrieval.hpp"
#include "meldpunt/client/terminal.hpp"
#include "meldpunt/client/text.hpp"
#include "progress.hpp"
#include "refusal.hpp"
#include "sending.hpp"
#include "texts.hpp"

namespace meldpunt::reporter::flow {

using client::write_err;
using client::write_out;
using cli::kExitFailed;

// ---- who can read, and hand-over ----

// Everyone who can read the conversation now: who receives the next message,
// who holds earlier messages only, and that nobody else can.
void show_who_can_read(const Options& o, const crypto::Directory& directory, const reporter::Conversation& c) {
  write_out(tr(o, Msg::kWhoCanRead));
  if (!c.current_recipients.empty()) write_out(fmt(o, Msg::kWhoNext, {names_of(o, directory, c.current_recipients)}));
  if (!c.earlier_readers.empty()) write_out(fmt(o, Msg::kWhoEarlier, {names_of(o, directory, c.earlier_readers)}));
  write_out(tr(o, Msg::kWhoNobodyElse));
}

enum class Answer { kAccept, kDecline, kLater };

// yes/no in either language; an empty line or the end of input: later.
Result<Answer> ask_handover(const Options& o, const std::string& to) {
  for (int attempt = 1; attempt <= kCodeTries; ++attempt) {
    auto line = client::read_line(fmt(o, Msg::kHandoverPrompt, {to}), 64);
    if (!line) {
      if (line.error().code == ErrorCode::kNotFound) return Answer::kLater;
      return line.error();
    }
    std::string word(line->text());
    word.erase(0, word.find_first_not_of(" \t\r"));
    word.erase(word.find_last_not_of(" \t\r") + 1);
    std::transform(word.begin(), word.end(), word.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (word.empty()) return Answer::kLater;
    if (word == "y" || word == "yes" || word == "j" || word == "ja") return Answer::kAccept;
    if (word == "n" || word == "no" || word == "nee") return Answer::kDecline;
    write_err(tr(o, Msg::kHandoverUnclear));
  }
  return Answer::kLater;
}

// Each open proposal explained and answered; answering sends letters. A
// conversation is answered against the state it was loaded in, so after one
// acceptance the remaining proposals wait for the next check.
int answer_proposals(const Options& o, client::RelayConnection& relay, const crypto::ReporterKeys& keys,
                     const crypto::Directory& directory, const reporter::Conversation& conversation) {
  for (const reporter::PendingProposal& pending : conversation.pending_proposals) {
    const std::string from = adviser_label(o, *pending.from);
    const std::string to = adviser_label(o, *pending.to);
    // Exactly what accepting passes on, told before the question.
    std::size_t dropped = 0;
    const std::size_t passed =
        reporter::handover_history(conversation, reporter::padded_readers(directory), dropped).entries.size();
    write_out(fmt(o, Msg::kHandoverExplain, {from, to, std::to_string(passed)}));
    // Histories carry text only: every file is named, so that nobody is
    // surprised later (the new adviser sees a note of each, never the file).
    if (const std::string files = reporter::files_left_behind(conversation); !files.empty()) {
      write_out(fmt(o, Msg::kHandoverFilesStay, {to, files}));
    }
    if (dropped > 0) write_out(count_text(o.lang, Counted::kHandoverDropped, dropped));
    auto answer = ask_handover(o, to);
    if (!answer) return fail(o, answer.error());
    if (*answer == Answer::kLater) {
      write_out(tr(o, Msg::kHandoverLater));
      continue;
    }
    const auto decision =
        *answer == Answer::kAccept ? protocol::HandoverDecision::kAccept : protocol::HandoverDecision::kDecline;
    reporter::PrekeyUse use;
    auto letters = reporter::prepare_handover_answer(relay, keys, directory, conversation, pending, decision, &use);
    if (!letters) return fail_prepare(o, directory, use, letters.error());
    if (auto sent = upload(o, relay, letters->items); !sent) return fail(o, sent.error());
    tell_prekey_use(o, directory, use);
    if (decision == protocol::HandoverDecision::kDecline) {
      write_out(fmt(o, Msg::kHandoverDeclined, {from, to}));
      continue;
    }
    write_out(fmt(o, Msg::kHandoverAccepted, {to, from}));
    write_out(fmt(o, Msg::kWhoNext, {names_of(o, directory, letters->readers_after)}));
    break;
  }
  return 0;
}

int cmd_check(const Options& o) {
  auto opened = open_conversation(o, Msg::kCodePrompt);
  if (!opened) return fail(o, opened.error());
  const crypto::ReporterKeys& keys = opened->keys;
  client::RelayConnection& relay = *opened->relay;
  const crypto::Directory& directory = opened->directory;
  reporter::Conversation& conversation = opened->conversation;

  // Before anything else, so that nobody reads on as if the old code were
  // still the conversation's.
  if (conversation.moved_at != 0) {
    write_out(fmt(o, Msg::kMovedNotice, {reporter::local_time(conversation.moved_at)}));
  }
  if (conversation.entries.empty()) {
    if (conversation.moved_at != 0) return 0;
    write_out(tr(o, Msg::kNoMessages));
    write_out(tr(o, Msg::kCodeLost));
    return 0;
  }
  if (conversation.history_truncated) write_out(tr(o, Msg::kHistoryTruncated));
  for (const reporter::ConversationEntry& e : conversation.entries) {
    const std::string adviser =
        e.adviser != nullptr ? adviser_label(o, *e.adviser) : std::string(tr(o, Msg::kAdviserNoLongerListed));
    std::string who;
    switch (e.kind) {
      case reporter::EntryKind::kMessage:
        who = e.from_reporter ? fmt(o, Msg::kEntryYouTo, {names_of(o, directory, e.recipients)}) : adviser;
        break;
      case reporter::EntryKind::kProposal:
        who = fmt(o, Msg::kEntryProposal, {adviser, names_of(o, directory, {e.handover_to})});
        break;
      case reporter::EntryKind::kAnswer:
        who = fmt(o, e.decision == protocol::HandoverDecision::kAccept ? Msg::kEntryAccepted : Msg::kEntryDeclined,
                  {names_of(o, directory, {e.handover_to})});
        break;
    }
    // A reply without a signature (an adviser program from before replies
    // were signed) is still the adviser's (the envelope says so), but
    // whoever it is forwarded to cannot check it.
    const bool unsigned_reply = e.kind == reporter::EntryKind::kMessage && !e.from_reporter && !e.from_history &&
                                !e.signature;
    write_out("--- " + reporter::local_time(e.sent_at) + "  " + who + (e.is_new ? std::string(tr(o, Msg::kNewMarker)) : "") +
              (unsigned_reply ? std::string(tr(o, Msg::kEntryUnsigned)) : "") + "\n");
    // Set apart line by line: no body can pass for a header of its own.
    if (e.body != nullptr && !e.body->empty()) write_out(client::body_block(e.body->view()).text());
    // Files of a message from an earlier code stayed with that code (a
    // history carries a note of each, outside the body).
    if (e.kind != reporter::EntryKind::kMessage || !e.from_history) continue;
    for (const reporter::FileMention& f : conversation.files) {
      if (!f.from_history || f.sent_at != e.sent_at || f.from_reporter != e.from_reporter ||
          (!f.from_reporter && f.adviser_id != e.adviser_id)) {
        continue;
      }
      const crypto::SecretBuffer name = client::sanitise_file_name(f.name.view());
      write_out(fmt(o, Msg::kEntryFileStayed, {std::string(name.text()), client::describe_size(f.total_bytes)}));
    }
  }
  // Attachments are listed after the messages; saving them is explicit, and
  // nothing is ever opened.
  // The pieces of files the advisers' replies announce, from the same fetch answer.
  auto reply_pieces = reporter::fetch_reply_pieces(relay, conversation, directory);
  if (!reply_pieces) return fail(o, reply_pieces.error());
  const reporter::ConversationAttachments attachments =  // releases the kind-6 letters' bodies
      reporter::collect_attachments(conversation.mailbox, keys, directory, &*reply_pieces);
  reporter::note_files(conversation, attachments);  // named when the conversation is handed over
  const std::string save_command =
      o.save_attachments.empty() ? reporter::next_command(o.channel, "check", carried_options(o)) : std::string();
  write_out(reporter::render_attachments(o.lang, attachments, directory, save_command));
  if (reporter::any_unlocked(attachments)) write_err(tr(o, Msg::kAttachReceivedNotLocked));
  if (!o.save_attachments.empty()) {
    if (Status s = reporter::save_attachments(o.lang, attachments, o.save_attachments); !s) return fail(o, s.error());
  }
  write_out("\n");
  if (conversation.new_replies > 0) {
    write_out(count_text(o.lang, Counted::kNewReplies, conversation.new_replies));
  } else {
    write_out(tr(o, Msg::kNoNewReplies));
  }
  if (conversation.moved_at != 0) {
    // Who reads next, and proposals, belong to the new code now.
    write_out(fmt(o, Msg::kMovedNotice, {reporter::local_time(conversation.moved_at)}));
  } else {
    show_who_can_read(o, directory, conversation);
  }
  if (!conversation.pending_proposals.empty() && conversation.moved_at == 0) {
    if (int rc = answer_proposals(o, relay, keys, directory, conversation); rc != 0) return rc;
  }
  // How long replies wait at the relay; an older relay without get-policy
  // simply gets no such line.
  if (auto policy = client::fetch_policy(relay)) show_retention(o, policy->retention_days);
  if (conversation.mailbox.unreadable > 0 || conversation.ignored > 0) {
    write_err(count_text(o.lang, Counted::kUnverified, conversation.mailbox.unreadable + conversation.ignored));
  }
  return 0;
}

}  // namespace meldpunt::reporter::flow
