#include "meldpunt/client/mailbox.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <thread>

#include "meldpunt/client/recognition.hpp"
#include "meldpunt/client/retrieval.hpp"
#include "meldpunt/crypto/pow.hpp"
#include "meldpunt/crypto/random.hpp"

namespace meldpunt::client {
namespace {

// Attempts of a priced request; the pauses between them grow 1, 2, 4, 8 s
// (plus up to half again at random, so clients refused together do not all
// come back together): about 15-23 s in all, the span of the relay's own
// fetch queue (it drops a fetch whose answer would come after 15 s).
constexpr int kPricedAttempts = 5;

std::chrono::milliseconds backoff(int attempt) {
  const std::uint32_t base = 1000u << (attempt - 1);
  return std::chrono::milliseconds(base + crypto::random_below(base / 2 + 1));
}

// Runs `attempt` until it succeeds, fails otherwise than kRateLimited, or
// kPricedAttempts have been made; tells options().on_retry before each pause.
template <typename Attempt>
auto with_backoff(RelayConnection& relay, Attempt attempt) -> decltype(attempt()) {
  for (int a = 1;; ++a) {
    auto result = attempt();
    if (result || result.error().code != ErrorCode::kRateLimited || a == kPricedAttempts) return result;
    const std::chrono::milliseconds delay = backoff(a);
    if (relay.options().on_retry) relay.options().on_retry(RetryNotice{delay, a + 1, kPricedAttempts, result.error().message});
    std::this_thread::sleep_for(delay);
  }
}

unsigned solver_threads() { return std::clamp(std::thread::hardware_concurrency(), 1u, 8u); }

// Where the nonce search starts: 64 random bits. A fetch's or get-prekeys'
// proof covers the same body for every client, so two searches that start
// within the expected work of each other (millions of nonces) find the same
// nonce, which the relay refuses as a proof already used; from 32 random
// bits that happened about once in a hundred pairs at get-prekeys prices.
std::uint64_t random_nonce_start() {
  std::array<std::uint8_t, 8> bytes{};
  crypto::random_fill(bytes);
  std::uint64_t start = 0;
  for (std::uint8_t b : bytes) start = (start << 8) | b;
  return start;
}

// A proof worth `work` digests over `body` for the policy's challenge.
Result<protocol::DepositPow> pay(const protocol::PolicyInfo& policy, const crypto::PowHash& body, std::uint64_t work) {
  protocol::DepositPow pow;
  pow.challenge = policy.challenge;
  if (work == 0) return pow;
  if (work > crypto::kMaxPowWork) {
    return Error{ErrorCode::kTooLarge, "the relay asks for more proof of work than this client will do"};
  }
  // 64 times the expected work: failing to find a nonce is then a
  // one-in-e^64 event, and the loop still ends.
  const std::uint64_t budget = work > UINT64_MAX / 64 ? UINT64_MAX : work * 64;
  auto nonce = crypto::pow_solve_work(policy.challenge, body, work, budget, random_nonce_start(), solver_threads());
  if (!nonce) return Error{ErrorCode::kRateLimited, "no proof of work found for the relay's price"};
  pow.nonce = *nonce;
  return pow;
}

// A fetch or get-prekeys, paying what the relay asks now. A relay from
// before prices gets the request without a proof.
Result<protocol::Reply> call_priced(RelayConnection& relay, protocol::Op op) {
  return with_backoff(relay, [&]() -> Result<protocol::Reply> {
    auto policy = fetch_policy(relay);
    if (!policy) return policy.error();
    if (!policy->priced) return relay.call(protocol::request_header_only(op));
    const std::uint64_t work = op == protocol::Op::kFetch ? policy->fetch_work : policy->prekeys_work;
    auto pow = pay(*policy, crypto::pow_request_body(static_cast<std::uint8_t>(op)), work);
    if (!pow) return pow.error();
    if (op != protocol::Op::kFetch) return relay.call(protocol::make_priced_request(op, *pow));
    // The answer takes the relay about 0.1 ms per stored message on one
    // core; allow that on top of the usual wait, so a large store does not
    // look like a dead relay.
    const auto compute = std::chrono::milliseconds(policy->stored_messages / 10);
    return relay.call(protocol::make_priced_request(op, *pow), relay.options().timeout + compute);
  });
}

}  // namespace

Result<Outgoing> prepare_letter(protocol::Letter& letter, const Recipient& to, const crypto::Secret<32>& sender_sk,
                                const crypto::X25519PublicKey& sender_pk, std::size_t min_size) {
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
  seal.min_size = min_size;
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

  std::vector<std::size_t> sizes;
  for (const Outgoing& o : items) sizes.push_back(o.envelope.size());
  // A connection of its own: the deposit is linked to nothing else the
  // client does (PROTOCOL.md, "Connections").
  std::unique_ptr<RelayConnection> own = relay.open_another();
  auto reply = with_backoff(*own, [&]() -> Result<protocol::Reply> {
    auto policy = fetch_policy(*own);
    if (!policy) return policy.error();
    if (policy_used != nullptr) *policy_used = *policy;
    auto pow = pay(*policy, body, protocol::deposit_work(*policy, sizes));
    if (!pow) return pow.error();
    return own->call(protocol::make_deposit_request(wire, *pow));
  });
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
                 "the adviser directory from the relay is not signed by the organisation key in the channel address",
                 false, ErrorSubject::kDirectory};
  }
  if (Status fresh = protocol::check_min_serial(address, directory->serial); !fresh) return fresh.error();
  return directory;
}

Result<std::vector<protocol::BundleEntry>> fetch_prekeys(RelayConnection& relay, const crypto::Directory& directory,
                                                         std::uint32_t today) {
  auto reply = call_priced(relay, protocol::Op::kGetPrekeys);
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

Result<FetchAnswer> fetch_answer(RelayConnection& relay) {
  // The fetch on a connection of its own, closed before the first
  // get-message (retrieval.hpp).
  std::unique_ptr<RelayConnection> fetching = relay.open_another();
  auto reply = call_priced(*fetching, protocol::Op::kFetch);
  fetching.reset();
  if (!reply) return reply.error();
  if (reply->fields.size() != 2) return Error{ErrorCode::kMalformed, "relay sent a malformed fetch reply"};
  auto entries = protocol::decode_fetch_entries(reply->fields[0]);
  if (!entries) return entries.error();
  auto stored = protocol::decode_message_ids(reply->fields[1]);
  if (!stored) return stored.error();
  return FetchAnswer{std::move(entries).value(), std::move(stored).value()};
}

Result<Mailbox> collect_mailbox(RelayConnection& relay, const MailboxKeys& keys) {
  auto answer = fetch_answer(relay);
  if (!answer) return answer.error();
  return read_mailbox(relay, *answer, keys);
}

Result<Mailbox> read_mailbox(RelayConnection& relay, const FetchAnswer& answer, const MailboxKeys& keys) {
  // Each id once, however often the answer names it.
  const crypto::Secret<crypto::kRistrettoScalarBytes>* const fetch_keys[] = {keys.fetch_sk};
  std::vector<crypto::MessageId> own;
  for (const RecognisedEntry& found : recognise_entries(answer.entries, fetch_keys)) own.push_back(found.id);
  std::vector<Result<protocol::Reply>> messages = retrieve_messages(relay, own, answer.stored);

  Mailbox mailbox;
  for (std::size_t i = 0; i < own.size(); ++i) {
    const crypto::MessageId& id = own[i];
    Result<protocol::Reply>& message = messages[i];
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
    mailbox.letters.push_back({id, opened->sender_pk, opened->prekey_pk, std::move(letter).value()});
  }
  return mailbox;
}

Status delete_message(RelayConnection& relay, const crypto::MessageId& id, const FixedBytes<32>& token) {
  const DeleteRequest request{id, token};
  return std::move(delete_messages(relay, std::span<const DeleteRequest>(&request, 1)).front());
}

}  // namespace meldpunt::client
