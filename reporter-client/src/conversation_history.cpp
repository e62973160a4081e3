// history_of (conversation.hpp): the conversation as
// the history a kind-5 or kind-9 letter carries.
#include <algorithm>

#include "conversation.hpp"

namespace meldpunt::reporter {
namespace {

bool same_sender(const FileMention& f, bool from_reporter, const crypto::AdviserId& adviser, std::uint64_t sent_at) {
  return f.sent_at == sent_at && f.from_reporter == from_reporter && (from_reporter || f.adviser_id == adviser);
}

void note_file(protocol::HistoryEntry& h, const FileMention& f) {
  // The same file may be mentioned twice (a history letter's note and the
  // description still held by this code): noted once.
  const bool noted = std::any_of(h.files.begin(), h.files.end(), [&](const protocol::FileNote& n) {
    return n.digest == f.digest && n.total_bytes == f.total_bytes && n.name.equals(f.name);
  });
  if (noted || h.files.size() >= protocol::kMaxHistoryFileNotes || f.name.empty() ||
      f.name.size() > protocol::kMaxFileNoteNameBytes) {
    return;
  }
  h.files.push_back({f.total_bytes, f.digest, f.name.clone()});
}

}  // namespace

protocol::History history_of(const Conversation& conversation, std::size_t max_bytes, std::size_t& dropped) {
  // Only messages travel: proposals and answers are about the conversation.
  std::vector<protocol::HistoryEntry> all;
  for (const ConversationEntry& e : conversation.entries) {
    if (e.kind != EntryKind::kMessage) continue;
    protocol::HistoryEntry h;
    h.sent_at = e.sent_at;
    h.from_reporter = e.from_reporter;
    h.adviser_id = e.from_reporter ? crypto::AdviserId{} : e.adviser_id;
    h.recipients = e.from_reporter ? e.recipients : std::vector<crypto::AdviserId>{};
    h.body = e.body->clone();
    if (!e.from_reporter) h.signature = e.signature;
    all.push_back(std::move(h));
  }
  // Every file with the message it went with; an adviser's file sent without
  // text has no message, and becomes an entry of its own.
  for (const FileMention& f : conversation.files) {
    auto with = std::find_if(all.begin(), all.end(), [&](const protocol::HistoryEntry& h) {
      return same_sender(f, h.from_reporter, h.adviser_id, h.sent_at);
    });
    if (with == all.end()) {
      protocol::HistoryEntry h;
      h.sent_at = f.sent_at;
      h.from_reporter = f.from_reporter;
      h.adviser_id = f.from_reporter ? crypto::AdviserId{} : f.adviser_id;
      all.push_back(std::move(h));
      with = all.end() - 1;
    }
    note_file(*with, f);
  }
  std::stable_sort(all.begin(), all.end(), [](const protocol::HistoryEntry& a, const protocol::HistoryEntry& b) {
    return a.sent_at < b.sent_at;
  });

  // Walk from the newest entry back, keeping what fits.
  protocol::History history;
  std::size_t used = protocol::kHistoryHeaderBytes;
  std::size_t first_kept = all.size();
  while (first_kept > 0) {
    const std::size_t size = protocol::history_entry_bytes(all[first_kept - 1]);
    if (used + size > max_bytes || all.size() - first_kept >= protocol::kMaxHistoryEntries) break;
    used += size;
    --first_kept;
  }
  dropped = first_kept;
  history.truncated = first_kept > 0 || conversation.history_truncated;
  for (std::size_t i = first_kept; i < all.size(); ++i) history.entries.push_back(std::move(all[i]));
  return history;
}

}  // namespace meldpunt::reporter
