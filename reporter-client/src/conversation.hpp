// The reporter's side of a conversation, rebuilt from the relay on every run:
// the reporter keeps no files, so its own messages are stored at the relay as
// "sent copies" encrypted to its own code-derived key, beside the advisers'
// replies. After `rotate`, a history letter (kind 5) carries the conversation
// so far to the new code. Hand-over proposals (kind 7) from an adviser of the
// conversation and the reporter's own answers (kind 8 copies) are part of it:
// the conversation says who reads it at every moment.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "meldpunt/client/mailbox.hpp"
#include "meldpunt/crypto/derive.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/protocol/handover.hpp"

namespace meldpunt::reporter {

enum class EntryKind : std::uint8_t {
  kMessage,   // a message of the reporter or a reply
  kProposal,  // an adviser proposes a hand-over (body: the adviser's note)
  kAnswer,    // the reporter's answer to a proposal (no body)
};

struct ConversationEntry {
  EntryKind kind = EntryKind::kMessage;
  std::uint64_t sent_at = 0;
  bool from_reporter = false;
  crypto::AdviserId adviser_id{};                   // the replying adviser (replies only)
  const crypto::DirectoryEntry* adviser = nullptr;  // that adviser, if still in the directory
  std::vector<crypto::AdviserId> recipients;        // whom the reporter wrote to (own messages only)
  const crypto::SecretBuffer* body = nullptr;
  bool from_history = false;  // carried over from an earlier code by `rotate`
  bool is_new = false;        // a reply not older than the reporter's newest own message
  // Replies: the adviser's signature (protocol/reply_signature.hpp) with the
  // reporter key it was made for, passed on in histories. A kind-2 reply
  // whose signature does not verify is not shown at all; none here means the
  // reply came unsigned (an adviser program from before signing), or a
  // history entry carried none.
  std::optional<protocol::EntrySignature> signature;
  // Proposals and answers: the proposal, and the adviser it names.
  const protocol::HandoverProposal* proposal = nullptr;
  crypto::AdviserId handover_to{};
  protocol::HandoverDecision decision = protocol::HandoverDecision::kDecline;  // answers
};

// A proposal the reporter has not answered yet, from an adviser who still
// receives the reporter's messages, naming another adviser of the directory.
struct PendingProposal {
  std::uint64_t sent_at = 0;
  const crypto::DirectoryEntry* from = nullptr;
  const crypto::DirectoryEntry* to = nullptr;
  const protocol::HandoverProposal* proposal = nullptr;
};

// A file a message of the conversation had: a description of the reporter's
// own (kind 6 to its own key), an adviser's file (its pieces), or a file
// note of a history letter. Histories carry these notes, never the files, so
// whoever reads a forwarded conversation learns what did not come with it.
struct FileMention {
  std::uint64_t sent_at = 0;  // the message's
  bool from_reporter = false;
  crypto::AdviserId adviser_id{};  // the sending adviser (advisers' files)
  std::uint64_t total_bytes = 0;
  crypto::FileDigest digest{};
  crypto::SecretBuffer name;  // as sent, 1..255 bytes; sanitise before showing
  bool from_history = false;  // a history letter's note: the file stayed with an earlier code
};

struct Conversation {
  client::Mailbox mailbox;                                 // owns the letters
  // The fetch answer the letters came from: the pieces of files that replies
  // announce are found in it (attachments.hpp, fetch_reply_pieces).
  client::FetchAnswer answer;
  std::vector<std::unique_ptr<protocol::History>> histories;  // own the bodies of history entries
  std::vector<std::unique_ptr<protocol::HandoverProposal>> proposals;  // own the proposals entries point to
  std::vector<ConversationEntry> entries;                  // sorted by time
  // The files of the conversation's messages: from history letters here, and
  // from the conversation's attachment letters once note_files (attachments.hpp)
  // has run. history_of notes them with their messages.
  std::vector<FileMention> files;
  std::size_t ignored = 0;                                 // letters that fail the checks below
  std::size_t replayed = 0;  // copies of a letter seen already (same sender and delete token): shown once
  std::size_t new_replies = 0;
  bool history_truncated = false;
  // Advisers the reporter wrote to most recently (from the newest sent copy,
  // history letter or hand-over answer): they receive the next message.
  std::vector<crypto::AdviserId> current_recipients;
  // Advisers who hold part of the conversation (they received or answered a
  // message) but receive nothing new: after a hand-over, or a reply to fewer.
  std::vector<crypto::AdviserId> earlier_readers;
  // Every unanswered proposal of a current adviser, oldest first.
  std::vector<PendingProposal> pending_proposals;
  // sent_at of the newest own letter (0: none). Whom the reporter writes to
  // next is read from the newest own letter, so every new own letter is
  // dated after it even when this computer's clock is behind the one that
  // wrote it (the code may be used on several computers).
  std::uint64_t newest_own_sent_at = 0;
  // The highest adviser-directory serial any own letter records (0: none):
  // a directory older than that is refused (client/directory_check.hpp).
  std::uint64_t highest_directory_serial = 0;
  // sent_at of the newest move marker (0: none): a kind-4 letter sealed by
  // and to this code's own keys, deposited by `rotate` with the notices to
  // the advisers. The conversation has moved to another code; this code
  // only still shows what it holds, and sends nothing more.
  std::uint64_t moved_at = 0;
};

// The time to put on a new own letter: now, or just after the newest own
// letter of the conversation if this computer's clock is behind.
std::uint64_t next_own_time(const Conversation& conversation);

// Drops every copy of a letter after the first (client::drop_replayed: the
// relay may deposit one again), then keeps only letters that belong to this
// reporter's conversation: sent copies, history letters and move markers
// authenticated by the reporter's own key, and replies
// authenticated by the message key of the directory entry they name. Replies
// not older than the reporter's newest own message are marked new; nothing but
// the conversation itself is consulted.
Conversation build_conversation(client::Mailbox mailbox, const crypto::ReporterKeys& keys,
                                const crypto::Directory& directory);

// The conversation as a history, newest entries kept: if everything does not
// fit in `max_bytes`, the oldest entries are left out and `truncated` is set.
// `dropped` counts the left-out entries. Every reply keeps its signature, and
// every message a note of each file it had (conversation.files, matched by
// sender and time; a file of an adviser's that went without text becomes an
// entry of its own with an empty body). (conversation_history.cpp)
protocol::History history_of(const Conversation& conversation, std::size_t max_bytes, std::size_t& dropped);

// Who receives the reporter's next message after answering `pending`.
std::vector<crypto::AdviserId> readers_after(const Conversation& conversation, const PendingProposal& pending,
                                             protocol::HandoverDecision decision);
}  // namespace meldpunt::reporter
