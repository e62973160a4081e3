#include "conversation.hpp"

#include <algorithm>
#include <chrono>

namespace meldpunt::reporter {
namespace {

std::uint64_t now_seconds() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

}  // namespace

Conversation build_conversation(client::Mailbox mailbox, const crypto::ReporterKeys& keys,
                                const crypto::Directory& directory) {
  Conversation c;
  c.mailbox = std::move(mailbox);
  std::uint64_t newest_sent = 0;
  for (const client::ReceivedLetter& r : c.mailbox.letters) {
    ConversationEntry e;
    e.sent_at = r.letter.sent_at;
    e.body = &r.letter.body;
    if (r.letter.kind == protocol::LetterKind::kSentCopy && r.sender_pk == keys.message_pk) {
      e.from_reporter = true;
      e.recipients = r.letter.recipients;
      if (r.letter.sent_at >= newest_sent) {
        newest_sent = r.letter.sent_at;
        c.current_recipients = r.letter.recipients;
      }
    } else if (r.letter.kind == protocol::LetterKind::kReply) {
      const crypto::DirectoryEntry* adviser = directory.find(r.letter.adviser_id);
      // A reply counts only if its authenticated sender is the key the signed
      // directory lists for the adviser it claims to come from.
      if (adviser == nullptr || adviser->message_pk != r.sender_pk) {
        c.ignored++;
        continue;
      }
      e.adviser = adviser;
    } else {
      c.ignored++;
      continue;
    }
    c.entries.push_back(e);
  }
  std::stable_sort(c.entries.begin(), c.entries.end(),
                   [](const ConversationEntry& a, const ConversationEntry& b) { return a.sent_at < b.sent_at; });
  return c;
}

Result<std::size_t> send_report(client::RelayConnection& relay, const crypto::ReporterKeys& keys,
                                const crypto::Directory& directory, const std::vector<crypto::AdviserId>& to,
                                const crypto::SecretBuffer& body) {
  if (to.empty()) return Error{ErrorCode::kMalformed, "no adviser chosen"};
  if (to.size() + 1 > protocol::kMaxDepositsPerRequest) return Error{ErrorCode::kTooLarge, "too many advisers"};
  if (body.size() > protocol::max_body_bytes(to.size())) {
    return Error{ErrorCode::kTooLarge, "message too long (at most " + std::to_string(protocol::max_body_bytes(to.size())) +
                                           " bytes)"};
  }
  // Ask for prekeys of every adviser, whichever were chosen.
  auto prekeys = client::fetch_prekeys(relay, directory);
  if (!prekeys) return prekeys.error();

  const std::uint64_t sent_at = now_seconds();
  std::vector<client::Outgoing> outgoing;
  for (const crypto::AdviserId& id : to) {
    const crypto::DirectoryEntry* adviser = directory.find(id);
    if (adviser == nullptr) return Error{ErrorCode::kNotFound, "an adviser of this conversation is no longer in the directory"};
    client::Recipient recipient{adviser->message_pk, adviser->fetch_pk, std::nullopt};
    for (const protocol::BundleEntry& p : *prekeys) {
      if (p.adviser_sign_pk == adviser->sign_pk) recipient.prekey_pk = p.prekey.pk;
    }
    protocol::Letter letter;
    letter.kind = protocol::LetterKind::kReport;
    letter.sent_at = sent_at;
    letter.adviser_id = id;
    letter.reporter_fetch_pk = keys.fetch_pk;
    letter.recipients = to;
    letter.body = body.clone();
    auto item = client::prepare_letter(letter, recipient, keys.message_sk, keys.message_pk);
    if (!item) return item.error();
    outgoing.push_back(std::move(item).value());
  }
  protocol::Letter copy;
  copy.kind = protocol::LetterKind::kSentCopy;
  copy.sent_at = sent_at;
  copy.reporter_fetch_pk = keys.fetch_pk;
  copy.recipients = to;
  copy.body = body.clone();
  auto own = client::prepare_letter(copy, {keys.message_pk, keys.fetch_pk, std::nullopt}, keys.message_sk, keys.message_pk);
  if (!own) return own.error();
  outgoing.push_back(std::move(own).value());

  auto ids = client::deposit_all(relay, outgoing);
  if (!ids) return ids.error();
  return to.size();
}

}  // namespace meldpunt::reporter
