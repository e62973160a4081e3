// The reporter's side of a conversation, rebuilt from the relay on every run:
// the reporter keeps no files, so its own messages are stored at the relay as
// "sent copies" encrypted to its own code-derived key, beside the advisers'
// replies.
#pragma once

#include <string>
#include <vector>

#include "meldpunt/client/mailbox.hpp"
#include "meldpunt/crypto/derive.hpp"
#include "meldpunt/crypto/directory.hpp"

namespace meldpunt::reporter {

struct ConversationEntry {
  std::uint64_t sent_at = 0;
  bool from_reporter = false;
  const crypto::DirectoryEntry* adviser = nullptr;  // the replying adviser (replies only)
  std::vector<crypto::AdviserId> recipients;        // whom the reporter wrote to (own messages only)
  const crypto::SecretBuffer* body = nullptr;
};

struct Conversation {
  client::Mailbox mailbox;                   // owns the letters
  std::vector<ConversationEntry> entries;    // sorted by time
  std::size_t ignored = 0;                   // letters that fail the checks below
  // Advisers the reporter wrote to most recently (from the newest sent copy).
  std::vector<crypto::AdviserId> current_recipients;
};

// Keeps only letters that belong to this reporter's conversation: sent copies
// authenticated by the reporter's own key, and replies authenticated by the
// message key of the directory entry they name.
Conversation build_conversation(client::Mailbox mailbox, const crypto::ReporterKeys& keys,
                                const crypto::Directory& directory);

// Sends `body` to each adviser in `to` (one envelope each, with a one-time
// prekey where the relay had one) plus a sent copy to the reporter, all in one
// deposit. Returns the number of advisers written to.
Result<std::size_t> send_report(client::RelayConnection& relay, const crypto::ReporterKeys& keys,
                                const crypto::Directory& directory, const std::vector<crypto::AdviserId>& to,
                                const crypto::SecretBuffer& body);

}  // namespace meldpunt::reporter
