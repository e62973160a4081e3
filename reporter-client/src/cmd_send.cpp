// `reporter-client new`, `reply` and `rotate`: the commands that send.
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

int cmd_new(const Options& o) {
  auto address = reporter::obtain_channel(o.lang, o.channel);
  if (!address) return fail(o, address.error());
  auto relay = std::make_unique<client::RelayConnection>(*address, connection_options(o));
  auto directory = connect_and_fetch_directory(o, *relay, *address);
  if (!directory) return fail(o, directory.error());
  if (directory->entries.empty()) return fail(o, Msg::kDirectoryEmpty);
  // Files are checked against the relay's limit before anything is typed.
  auto files = reporter::load_attachments(o.lang, *relay, o.attach);
  if (!files) return fail(o, files.error());

  auto chosen = reporter::choose_advisers(o.lang, *directory, o.to, o.exclude);
  if (!chosen) return fail(o, chosen.error());
  show_readers(o, *directory, *chosen);
  // Asked once the reporter knows who will receive them, still before the
  // message; their paths never reach the command line.
  if (o.attach_ask) {
    if (Status s = reporter::ask_attachments(o.lang, *relay, o.attach, *files); !s) return fail(o, s.error());
  }
  write_out(reporter::describe_attached(o.lang, *files));

  auto body = read_message_until_given(o, reporter::max_body_bytes_with(reporter::padded_readers(*directory), *files));
  if (!body) return fail(o, body.error());

  auto code = issue_code_until_confirmed(o, names_of(o, *directory, *chosen));
  if (!code) return fail(o, code.error());
  const crypto::ReporterKeys keys = derive(o, *code, *address);
  // One time for the message and its attachments' letters.
  const reporter::Outbox outbox{keys, *directory, *chosen, *body, *files, reporter::now_seconds()};
  std::uint32_t days = 0;
  reporter::PrekeyUse use;
  if (int rc = send_keeping(o, *address, relay, outbox, days, use); rc != 0) return rc;
  write_out(fmt(o, Msg::kSentReport, {names_of(o, *directory, *chosen)}));
  tell_prekey_use(o, *directory, use);
  write_out(reporter::describe_sent(o.lang, *files));
  write_out(fmt(o, Msg::kSentReportCheckLater, {reporter::next_command(o.channel, "check", carried_options(o))}));
  show_retention(o, days);
  return 0;
}

// What check, reply and rotate start from: the code typed at `prompt` (a
// typo is caught before any network traffic), its keys, the relay, the
int cmd_reply(const Options& o) {
  auto opened = open_conversation(o, Msg::kCodePrompt);
  if (!opened) return fail(o, opened.error());
  const crypto::ReporterKeys& keys = opened->keys;
  client::RelayConnection& relay = *opened->relay;
  const crypto::Directory& directory = opened->directory;
  const reporter::Conversation& conversation = opened->conversation;
  if (conversation.moved_at != 0) return fail(o, Msg::kMovedRefused, {reporter::local_time(conversation.moved_at)});
  if (conversation.current_recipients.empty()) return fail(o, Msg::kNoConversation);
  const std::vector<crypto::AdviserId>& to = conversation.current_recipients;
  if (conversation.new_replies > 0) write_out(count_text(o.lang, Counted::kNewReplies, conversation.new_replies));
  auto files = reporter::load_attachments(o.lang, relay, o.attach);  // before the message is typed
  if (!files) return fail(o, files.error());
  show_readers(o, directory, to);
  if (o.attach_ask) {
    if (Status s = reporter::ask_attachments(o.lang, relay, o.attach, *files); !s) return fail(o, s.error());
  }
  write_out(reporter::describe_attached(o.lang, *files));
  auto body = read_message_until_given(o, reporter::max_body_bytes_with(reporter::padded_readers(directory), *files));
  if (!body) return fail(o, body.error());
  // The attachments' letters are dated like the message: after the newest
  // own letter even when this computer's clock is behind.
  const reporter::Outbox outbox{keys, directory, to, *body, *files, reporter::next_own_time(conversation)};
  std::uint32_t days = 0;
  reporter::PrekeyUse use;
  if (int rc = send_keeping(o, opened->address, opened->relay, outbox, days, use); rc != 0) return rc;
  write_out(fmt(o, Msg::kSentMessage, {names_of(o, directory, to)}));
  tell_prekey_use(o, directory, use);
  write_out(reporter::describe_sent(o.lang, *files));
  show_retention(o, days);
  return 0;
}

int cmd_rotate(const Options& o) {
  auto opened = open_conversation(o, Msg::kCodeCurrentPrompt);
  if (!opened) return fail(o, opened.error());
  const protocol::ChannelAddress& address = opened->address;
  const crypto::ReporterCode& old_code = opened->code;
  const crypto::ReporterKeys& old_keys = opened->keys;
  client::RelayConnection& relay = *opened->relay;
  const crypto::Directory& directory = opened->directory;
  reporter::Conversation& conversation = opened->conversation;
  if (conversation.moved_at != 0) return fail(o, Msg::kMovedRefused, {reporter::local_time(conversation.moved_at)});
  if (conversation.current_recipients.empty()) return fail(o, Msg::kNoConversation);
  // The new code's history notes every file (they stay with the old code),
  // so a later hand-over from the new code still names them.
  if (reporter::holds_attachments(conversation.mailbox)) {
    reporter::note_files(conversation, reporter::collect_attachments(conversation.mailbox, old_keys, directory));
  }
  const std::string advisers = names_of(o, directory, conversation.current_recipients);
  write_out(fmt(o, Msg::kRotateIntro, {std::to_string(conversation.entries.size()), advisers}));
  // Files do not move: the advice to save them comes before the move, and
  // on a terminal the reporter may stop here to save them first.
  if (reporter::holds_attachments(conversation.mailbox)) {
    write_out(fmt(o, Msg::kRotateSaveFirst, {reporter::next_command(o.channel, "check", carried_options(o))}));
    if (client::stdin_is_terminal() && !reporter::ask_yes(o.lang, Msg::kRotateContinuePrompt)) {
      return fail(o, Msg::kRotateNotMoved);
    }
  }

  auto new_code = issue_code(o, advisers, Msg::kCodeConfirmRotatePrompt);
  if (!new_code) return fail(o, new_code.error());
  if (new_code->equals(old_code)) return fail(o, Msg::kRotateSameCode);
  const crypto::ReporterKeys new_keys = derive(o, *new_code, address);

  reporter::PrekeyUse use;
  auto rotation = reporter::prepare_rotation(relay, old_keys, new_keys, directory, conversation, &use);
  if (!rotation) return fail_prepare(o, directory, use, rotation.error());
  if (rotation->dropped > 0) write_out(count_text(o.lang, Counted::kRotateDropped, rotation->dropped));
  if (auto sent = upload(o, relay, rotation->items); !sent) return fail(o, sent.error());
  write_out(tr(o, Msg::kRotateDone));
  tell_prekey_use(o, directory, use);

  // The conversation now lives under the new code. Unless asked otherwise
  // (or the copy is incomplete), the old code's letters are deleted at the
  // relay with the tokens inside them, so the old code reads nothing at all.
  // Attachments do not move to the new code (the history letter carries
  // messages only): with any, the old letters stay, or files the advisers
  // sent and the reporter has not saved would be lost without a word.
  if (reporter::holds_attachments(conversation.mailbox)) {
    write_out(tr(o, Msg::kRotateOldKeptAttachments));
  } else if (o.keep_old || rotation->dropped > 0) {
    write_out(tr(o, Msg::kRotateOldKept));
  } else {
    const std::vector<client::ReceivedLetter>& letters = conversation.mailbox.letters;
    reporter::Progress p(count_text(o.lang, Counted::kDeletingOld, letters.size()), tr(o, Msg::kProgressDone),
                         tr(o, Msg::kProgressFailed));
    std::vector<client::DeleteRequest> requests;
    for (const client::ReceivedLetter& r : letters) requests.push_back({r.id, r.letter.delete_token});
    std::size_t failed = 0;
    for (const Status& s : client::delete_messages(relay, requests)) if (!s) failed++;
    p.done();
    if (failed == 0) {
      write_out(count_text(o.lang, Counted::kOldDeleted, letters.size()));
    } else {
      write_out(count_text(o.lang, Counted::kOldDeleteFailed, failed));
    }
  }
  write_out(fmt(o, Msg::kRotatePending, {advisers}));
  return 0;
}

// --lang from the command line before CLI11 builds the help texts, so --help
}  // namespace meldpunt::reporter::flow
