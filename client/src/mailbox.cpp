#include "meldpunt/client/mailbox.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "meldpunt/crypto/pow.hpp"
#include "meldpunt/crypto/random.hpp"

namespace meldpunt::client {

Result<Outgoing> prepare_letter(protocol::Letter& letter, const Recipient& to, const crypto::Secret<32>& sender_sk,
                                const crypto::X25519PublicKey& sender_pk) {
  crypto::Secret<32> token = crypto::Secret<32>::random();
  std::copy_n(token.data(), 32, letter.delete_token.begin());
  const crypto::SecretBuffer payload = protocol::encode_letter(letter);

  crypto::SealRequest seal;
  seal.sender_sk = &sender_sk;
  seal.sender_pk = sender_pk;
  seal.recipient_pk = to.message_pk;
  seal.prekey_pk = to.prekey_pk;
  seal.medium_pk = to.medium_pk;
  seal.payload = payload.view();
  auto envelope = crypto::seal_envelope(seal);
  if (!envelope) return envelope.error();
  auto clue = crypto::make_clue(to.fetch_pk);
  if (!clue) return clue.error();

  Outgoing out;
  out.clue = *clue;
  out.verifier = crypto::delete_verifier(token);
  out.envelope = std::move(envelope).value();
  return out;
}

Result<protocol::PolicyInfo> fetch_policy(RelayConnection& relay) {
  auto reply = relay.call(protocol::request_header_only(protocol::Op::kGetPolicy));
  if (!reply) return reply.error();
  return protocol::decode_policy(reply->fields);
}

Result<std::vector<crypto::MessageId>> deposit_all(RelayConnection& relay, const std::vector<Outgoing>& items,
                                                   protocol::PolicyInfo* policy_used) {
  if (items.empty() || items.size() > protocol::kMaxDepositsPerRequest) {
    return Error{ErrorCode::kTooLarge, "between 1 and 16 envelopes per deposit"};
  }
  std::vector<protocol::DepositItem> wire;
  for (const Outgoing& o : items) wire.push_back({o.clue, o.verifier, o.envelope});
  const crypto::PowHash body = crypto::pow_body_hash(protocol::pow_items(wire));

  constexpr int kAttempts = 3;
  Result<protocol::Reply> reply = Error{ErrorCode::kInternal, "no deposit attempted"};
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    auto policy = fetch_policy(relay);
    if (!policy) return policy.error();
    if (policy_used != nullptr) *policy_used = *policy;
    protocol::DepositPow pow;
    pow.challenge = policy->challenge;
    if (policy->difficulty > 0) {
      // 64 times the expected work: failing to find a nonce is then a
      // one-in-e^64 event, and the loop still ends.
      const std::uint64_t budget = std::uint64_t{64} << policy->difficulty;
      auto nonce = crypto::pow_solve(policy->challenge, body, policy->difficulty, budget,
                                     crypto::random_below(UINT32_MAX));
      if (!nonce) return Error{ErrorCode::kRateLimited, "no proof of work found for the relay's difficulty"};
      pow.nonce = *nonce;
    }
    reply = relay.call(protocol::make_deposit_request(wire, pow));
    if (reply || reply.error().code != ErrorCode::kRateLimited || attempt == kAttempts) break;
    // Give a relay under load a moment before the next attempt.
    std::this_thread::sleep_for(std::chrono::milliseconds(300 * attempt));
  }
  if (!reply) return reply.error();
  if (reply->fields.size() != items.size()) return Error{ErrorCode::kMalformed, "relay answered a deposit with the wrong number of ids"};
  std::vector<crypto::MessageId> ids;
  for (const Bytes& f : reply->fields) {
    if (f.size() != crypto::kMessageIdBytes) return Error{ErrorCode::kMalformed, "relay sent a malformed message id"};
    crypto::MessageId id{};
    std::copy(f.begin(), f.end(), id.begin());
    ids.push_back(id);
  }
  return ids;
}

Result<crypto::Directory> fetch_directory(RelayConnection& relay, const protocol::ChannelAddress& address) {
  auto reply = relay.call(protocol::request_header_only(protocol::Op::kGetDirectory));
  if (!reply) return reply.error();
  if (reply->fields.size() != 1) return Error{ErrorCode::kMalformed, "relay sent a malformed directory reply"};
  auto directory = crypto::verify_directory(reply->fields[0], address.org_sign_pk);
  if (!directory) {
    return Error{ErrorCode::kUnauthorised,
                 "the adviser directory from the relay is not signed by the organisation key in the channel address"};
  }
  if (Status fresh = protocol::check_min_serial(address, directory->serial); !fresh) return fresh.error();
  return directory;
}

Result<std::vector<protocol::BundleEntry>> fetch_prekeys(RelayConnection& relay, const crypto::Directory& directory,
                                                         std::uint32_t today) {
  auto reply = relay.call(protocol::request_header_only(protocol::Op::kGetPrekeys));
  if (!reply) return reply.error();
  if (reply->fields.size() != 1) return Error{ErrorCode::kMalformed, "relay sent a malformed prekey reply"};
  auto bundle = protocol::decode_bundle(reply->fields[0]);
  if (!bundle) return bundle.error();
  std::vector<protocol::BundleEntry> verified;
  for (protocol::BundleEntry e : *bundle) {
    const bool listed = std::any_of(directory.entries.begin(), directory.entries.end(),
                                    [&](const crypto::DirectoryEntry& d) { return d.sign_pk == e.adviser_sign_pk; });
    if (!listed) continue;
    if (e.prekey && !crypto::verify_prekey(*e.prekey, e.adviser_sign_pk)) e.prekey.reset();
    if (e.medium && (!crypto::verify_medium_prekey(*e.medium, e.adviser_sign_pk) || e.medium->expires_day < today)) {
      e.medium.reset();
    }
    if (e.prekey || e.medium) verified.push_back(e);
  }
  return verified;
}

Result<Mailbox> collect_mailbox(RelayConnection& relay, const MailboxKeys& keys) {
  auto reply = relay.call(protocol::request_header_only(protocol::Op::kFetch));
  if (!reply) return reply.error();
  if (reply->fields.size() != 1) return Error{ErrorCode::kMalformed, "relay sent a malformed fetch reply"};
  auto entries = protocol::decode_fetch_entries(reply->fields[0]);
  if (!entries) return entries.error();

  Mailbox mailbox;
  for (const crypto::FetchEntry& entry : *entries) {
    auto id = crypto::recognise(entry, *keys.fetch_sk);
    if (!id) continue;
    auto message = relay.call(protocol::make_get_message_request(*id));
    if (!message) {
      if (message.error().code == ErrorCode::kNotFound) continue;  // deleted or expired since the fetch
      return message.error();
    }
    if (message->fields.size() != 1) {
      mailbox.unreadable++;
      continue;
    }
    auto opened = crypto::open_envelope(message->fields[0], *keys.message_sk, keys.message_pk, keys.prekeys);
    if (!opened) {
      mailbox.unreadable++;
      continue;
    }
    auto letter = protocol::decode_letter(opened->payload.view());
    if (!letter) {
      mailbox.unreadable++;
      if (opened->prekey_pk) mailbox.spent_prekeys.push_back(*opened->prekey_pk);
      continue;
    }
    mailbox.letters.push_back({*id, opened->sender_pk, opened->prekey_pk, std::move(letter).value()});
  }
  return mailbox;
}

Status delete_message(RelayConnection& relay, const crypto::MessageId& id, const FixedBytes<32>& token) {
  auto reply = relay.call(protocol::make_delete_request(id, token));
  if (!reply) return reply.error();
  return Status::success();
}

}  // namespace meldpunt::client
