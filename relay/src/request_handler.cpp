#include "request_handler.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/random.hpp"
#include "meldpunt/crypto/sign.hpp"
#include "log.hpp"

namespace meldpunt::relay {
namespace {

using protocol::Frames;
using protocol::Op;

Bytes u32_bytes(std::uint32_t v) {
  Bytes b;
  append_u32_le(b, v);
  return b;
}

// The store names messages, clues and keys with types of its own (it does
// not depend on crypto); the relay is where they meet the wire's types, each
// conversion spelled out. An adviser's prekey pool is kept under the
// adviser's signing key.
crypto::MessageId wire_id(const store::MessageId& id) { return crypto::MessageId{id.bytes}; }
store::MessageId stored_id(const crypto::MessageId& id) { return store::MessageId{id.bytes}; }
crypto::Clue wire_clue(const store::StoredClue& clue) { return crypto::Clue{clue.bytes}; }
store::StoredClue stored_clue(const crypto::Clue& clue) { return store::StoredClue{clue.bytes}; }
store::PublicKeyBytes pool_key(const crypto::Ed25519PublicKey& adviser_sign_pk) {
  return store::PublicKeyBytes{adviser_sign_pk.bytes};
}
store::StoredPrekey stored_prekey(const crypto::SignedPrekey& p) {
  return {store::PublicKeyBytes{p.pk.bytes}, p.signature.bytes};
}
store::StoredMediumPrekey stored_medium(const crypto::SignedMediumPrekey& m) {
  return {store::PublicKeyBytes{m.pk.bytes}, m.expires_day, m.signature.bytes};
}
crypto::SignedPrekey served_prekey(const store::StoredPrekey& p) {
  return {crypto::X25519PublicKey{p.pk.bytes}, crypto::Signature{p.signature}};
}
crypto::SignedMediumPrekey served_medium(const store::StoredMediumPrekey& m) {
  return {crypto::X25519PublicKey{m.pk.bytes}, m.expires_day, crypto::Signature{m.signature}};
}

}  // namespace

std::uint32_t days_since_epoch_now() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::hours>(now).count() / 24);
}

std::uint64_t monotonic_seconds_now() {
  const auto now = std::chrono::steady_clock::now().time_since_epoch();
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

namespace {

// The pricing policy with its burst allowance: two of the largest
// attachments a client may send (their envelopes come to about 1.03 times
// the file) go in at the window's price, so one person's attachment, or two
// people's in the same minute, never pays for a rise it caused itself;
// beyond that a window's bytes raise the price at once (pricing.hpp).
PricingPolicy priced_for_attachments(const RelayPolicy& policy) {
  PricingPolicy pricing = policy.pricing;
  const std::uint64_t attachments =
      2 * std::min(policy.max_attachment_bytes, protocol::kMaxAttachmentBytesLimit);
  pricing.pow_burst_bytes = std::max({pricing.pow_burst_bytes, pricing.pow_raise_bytes, attachments});
  return pricing;
}

}  // namespace

RequestHandler::RequestHandler(store::RelayStore& store, const crypto::Ed25519PublicKey& org_sign_pk,
                               RelayPolicy policy)
    : today(days_since_epoch_now),
      seconds_now(monotonic_seconds_now),
      store_(store),
      org_sign_pk_(org_sign_pk),
      policy_(policy),
      pricing_(priced_for_attachments(policy), [this] { return seconds_now(); }) {
  // Clients refuse a policy above the limit, so announcing more would stop every deposit.
  policy_.max_attachment_bytes = std::min(policy_.max_attachment_bytes, protocol::kMaxAttachmentBytesLimit);
}

protocol::PolicyInfo RequestHandler::policy_info() {
  protocol::PolicyInfo info;
  info.challenge = pricing_.challenge();
  info.difficulty = static_cast<std::uint8_t>(pricing_.legacy_difficulty());
  info.retention_days = policy_.retention_days;
  info.retention_fuzz_days = policy_.retention_fuzz_days;
  info.max_attachment_bytes = policy_.max_attachment_bytes;
  info.priced = true;
  info.stored_messages = store_.message_count();
  info.fetch_work = pricing_.announce_fetch(info.stored_messages, fetch_load_);
  info.prekeys_work = pricing_.announce_prekeys(scarcest_prekey_pool());
  info.envelope_work = pricing_.envelope_work();
  return info;
}

RequestHandler::Prices RequestHandler::current_prices() {
  Prices p;
  p.envelope = pricing_.envelope_work();
  p.fetch = pricing_.quote_fetch(store_.message_count(), fetch_load_);
  p.get_prekeys = pricing_.quote_prekeys(scarcest_prekey_pool());
  return p;
}

Frames RequestHandler::refuse(const Error& e) {
  counters_.pow_refused++;
  return protocol::make_error_reply(e.code, e.message);
}

Result<std::uint64_t> RequestHandler::admit_fetch(std::span<const ByteView> frames, std::size_t pending_fetches) {
  auto parsed = protocol::parse_request(frames);
  if (!parsed) {
    counters_.unparsable++;
    return parsed.error();
  }
  auto paid = pricing_.accept_fetch(parsed->pow, store_.message_count(), pending_fetches);
  if (!paid) counters_.pow_refused++;
  return paid;
}

void RequestHandler::count(Op op, bool ok) {
  const auto i = static_cast<std::size_t>(op);
  if (i >= counters_.ok.size()) return;
  (ok ? counters_.ok : counters_.failed)[i]++;
}

Error failure_of_current_exception() {
  try {
    throw;
  } catch (const store::StoreError& e) {
    return Error{e.code(), e.what()};
  } catch (const std::exception& e) {
    return Error{ErrorCode::kInternal, e.what()};
  } catch (...) {
    return Error{ErrorCode::kInternal, "an exception of unknown type"};
  }
}

Frames RequestHandler::failure_reply(Op op, const Error& failure) const {
  const Error answer = reply_error(op, failure);
  return protocol::make_error_reply(answer.code, answer.message);
}

Error RequestHandler::reply_error(Op op, const Error& failure) const {
  // Refusals the store gives on purpose (a quota or a full disk, a replayed
  // counter, an absent message) go to the client as they are.
  if (failure.code != ErrorCode::kInternal && protocol::is_relay_error_status(failure.code)) return failure;
  const std::string_view name = protocol::op_name(op);
  failure_log_.log(LogLevel::kError, name, std::string(name) + " failed: " + failure.message + "; answered internal-error");
  return Error{ErrorCode::kInternal, std::string(kInternalErrorText)};
}

RequestHandler::Outcome RequestHandler::handle(std::span<const ByteView> frames) {
  std::optional<Op> op;
  try {
    auto parsed = protocol::parse_request(frames);
    if (!parsed) {
      counters_.unparsable++;
      return {protocol::make_error_reply(parsed.error().code, parsed.error().message), std::nullopt};
    }
    op = parsed->op;
    return dispatch(*parsed);
  } catch (...) {
    // Whatever failed (the store, memory, a bug), this request gets an
    // answer and the next one is served.
    const Error failure = failure_of_current_exception();
    if (!op) {
      failure_log_.log(LogLevel::kError, "parsing",
                       "parsing a request failed: " + failure.message + "; answered internal-error");
      return {protocol::make_error_reply(ErrorCode::kInternal, kInternalErrorText), std::nullopt};
    }
    count(*op, false);
    return {failure_reply(*op, failure), std::nullopt};
  }
}

RequestHandler::Outcome RequestHandler::dispatch(const protocol::Request& request) {
  if (request.op == Op::kDeposit) return prepare_deposit(request);

  Frames reply;
  switch (request.op) {
    case Op::kGetDirectory: reply = get_directory(); break;
    case Op::kGetPrekeys: reply = get_prekeys(request); break;
    case Op::kFetch: reply = fetch_reply(); break;
    case Op::kGetMessage: reply = get_message(request); break;
    case Op::kDelete: reply = delete_message(request); break;
    case Op::kPublishDirectory: reply = publish_directory(request); break;
    case Op::kUploadPrekeys: reply = upload_prekeys(request); break;
    case Op::kGetPolicy: reply = protocol::make_ok_reply(protocol::encode_policy(policy_info())); break;
    case Op::kDeposit: break;  // handled above
  }
  count(request.op, reply.size() >= 1 && reply[0].size() == 2 && reply[0][1] == 0);
  return {std::move(reply), std::nullopt};
}

std::optional<crypto::Directory> RequestHandler::current_directory() const {
  auto stored = store_.get_directory();
  if (!stored) return std::nullopt;
  auto verified = crypto::verify_directory(*stored, org_sign_pk_);
  if (!verified) return std::nullopt;  // cannot happen unless the disk was altered
  return std::move(verified).value();
}

Frames RequestHandler::get_directory() {
  auto stored = store_.get_directory();
  if (!stored) return protocol::make_error_reply(ErrorCode::kNotFound, "no directory has been published yet");
  return protocol::make_ok_reply({std::move(*stored)});
}

std::uint64_t RequestHandler::scarcest_prekey_pool() const {
  auto directory = current_directory();
  if (!directory) return 0;
  std::uint64_t scarcest = 0;
  for (const crypto::DirectoryEntry& entry : directory->entries) {
    const std::uint64_t left = store_.prekey_count(pool_key(entry.sign_pk));
    if (left != 0 && (scarcest == 0 || left < scarcest)) scarcest = left;
  }
  return scarcest;
}

// Every reporter asks for one prekey of every adviser, whoever it will write
// to, so the request itself says nothing about the choice. Priced, and
// dearer as the scarcest pool empties, so draining the pools costs work.
// Each entry has the adviser's medium-term prekey (served to everyone, never
// taken) and, while the pool lasts, one of its one-time prekeys.
Frames RequestHandler::get_prekeys(const protocol::Request& request) {
  auto directory = current_directory();
  if (!directory) return protocol::make_error_reply(ErrorCode::kNotFound, "no directory has been published yet");
  if (auto paid = pricing_.accept_prekeys(request.pow, scarcest_prekey_pool()); !paid) return refuse(paid.error());
  std::vector<protocol::BundleEntry> bundle;
  for (const crypto::DirectoryEntry& entry : directory->entries) {
    protocol::BundleEntry e;
    e.adviser_sign_pk = entry.sign_pk;
    if (auto prekey = store_.take_prekey(pool_key(entry.sign_pk))) e.prekey = served_prekey(*prekey);
    if (auto medium = store_.medium_prekey(pool_key(entry.sign_pk))) e.medium = served_medium(*medium);
    // Neither: the reporter cannot write to this adviser with forward
    // secrecy and says so (it never falls back to the long-term key alone).
    if (!e.prekey && !e.medium) continue;
    bundle.push_back(e);
  }
  return protocol::make_ok_reply({protocol::encode_bundle(bundle)});
}

Frames RequestHandler::fetch_reply() const {
  try {
    return fetch_reply_unguarded();
  } catch (...) {
    return failure_reply(Op::kFetch, failure_of_current_exception());
  }
}

Frames RequestHandler::fetch_reply_unguarded() const {
  // From the store's in-memory copy: a fetch reads no page of data.mdb.
  const std::vector<store::ClueRecord> clues = store_.clues();

  const std::size_t total = protocol::padded_fetch_count(clues.size());
  std::vector<crypto::FetchEntry> entries(total);

  // Blinding costs two scalar multiplications per stored clue: spread it over
  // the cores. Padding entries are cheap (one random point each).
  unsigned threads = policy_.fetch_threads != 0 ? policy_.fetch_threads : std::thread::hardware_concurrency();
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(total / 64 + 1)));
  auto work = [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      if (i < clues.size()) {
        auto blinded = crypto::blind_clue(wire_clue(clues[i].clue), wire_id(clues[i].id));
        // A damaged clue (only possible if the disk was altered; `relay
        // check` reports it) becomes noise so the fetch stays answerable.
        entries[i] = blinded ? *blinded : crypto::random_fetch_entry();
      } else {
        entries[i] = crypto::random_fetch_entry();
      }
    }
  };
  std::vector<std::thread> pool;
  const std::size_t chunk = (total + threads - 1) / threads;
  for (unsigned t = 1; t < threads; ++t) {
    const std::size_t begin = t * chunk, end = std::min(total, begin + chunk);
    if (begin < end) pool.emplace_back(work, begin, end);
  }
  work(0, std::min(total, chunk));
  for (std::thread& t : pool) t.join();

  // Shuffle so an entry's position says nothing about which message it is.
  for (std::size_t i = total - 1; i > 0; --i) {
    const std::size_t j = crypto::random_below(static_cast<std::uint32_t>(i + 1));
    std::swap(entries[i], entries[j]);
  }
  Bytes answer;
  answer.reserve(total * crypto::kFetchEntryBytes);
  for (const crypto::FetchEntry& e : entries) append(answer, e);
  // The ids behind the entries, sorted: clients draw their decoy
  // get-messages from them, so a decoy asks for a stored message like a
  // real retrieval does (PROTOCOL.md, retrieval session).
  std::vector<crypto::MessageId> ids;
  ids.reserve(clues.size());
  for (const store::ClueRecord& c : clues) ids.push_back(wire_id(c.id));
  return protocol::make_ok_reply({std::move(answer), protocol::encode_message_ids(std::move(ids))});
}

Frames RequestHandler::get_message(const protocol::Request& request) {
  auto message = store_.get_message(stored_id(request.id));
  if (!message) return protocol::make_error_reply(ErrorCode::kNotFound, "no such message");
  return protocol::make_ok_reply({std::move(message->envelope)});
}

Frames RequestHandler::delete_message(const protocol::Request& request) {
  auto message = store_.get_message(stored_id(request.id));
  if (!message) return protocol::make_error_reply(ErrorCode::kNotFound, "no such message");
  if (!crypto::check_delete_token(request.token, message->verifier.bytes)) {
    return protocol::make_error_reply(ErrorCode::kUnauthorised, "wrong delete token");
  }
  Status s = store_.delete_message(stored_id(request.id));
  if (!s) return failure_reply(Op::kDelete, s.error());
  return protocol::make_ok_reply();
}

Frames RequestHandler::publish_directory(const protocol::Request& request) {
  auto incoming = crypto::verify_directory(request.signed_directory, org_sign_pk_);
  if (!incoming) return protocol::make_error_reply(ErrorCode::kUnauthorised, "directory is not signed by this relay's organisation key");
  if (auto current = current_directory(); current && incoming->serial <= current->serial) {
    return protocol::make_error_reply(ErrorCode::kReplay, "directory serial must be greater than the published one");
  }
  Status s = store_.put_directory(request.signed_directory);
  if (!s) return failure_reply(Op::kPublishDirectory, s.error());
  return protocol::make_ok_reply();
}

Frames RequestHandler::upload_prekeys(const protocol::Request& request) {
  const protocol::PrekeyUpload& up = request.upload;
  auto directory = current_directory();
  if (!directory) return protocol::make_error_reply(ErrorCode::kNotFound, "no directory has been published yet");
  const bool listed = std::any_of(directory->entries.begin(), directory->entries.end(),
                                  [&](const crypto::DirectoryEntry& e) { return e.sign_pk == up.adviser_sign_pk; });
  if (!listed) return protocol::make_error_reply(ErrorCode::kUnauthorised, "adviser is not in the published directory");
  if (!crypto::verify(protocol::kPrekeyUploadDomain, protocol::prekey_upload_signed_bytes(up), up.signature,
                      up.adviser_sign_pk)) {
    return protocol::make_error_reply(ErrorCode::kUnauthorised, "bad upload signature");
  }
  std::vector<store::StoredPrekey> prekeys;
  for (const crypto::SignedPrekey& p : up.prekeys) {
    if (!crypto::verify_prekey(p, up.adviser_sign_pk)) {
      return protocol::make_error_reply(ErrorCode::kUnauthorised, "bad prekey signature");
    }
    prekeys.push_back(stored_prekey(p));
  }
  std::optional<store::StoredMediumPrekey> medium;
  if (up.medium) {
    if (!crypto::verify_medium_prekey(*up.medium, up.adviser_sign_pk)) {
      return protocol::make_error_reply(ErrorCode::kUnauthorised, "bad medium-term prekey signature");
    }
    // Expired, or valid for longer than a new one ever is (by the relay's
    // calendar, with a day either way): refused, so a held one is always
    // usable and an adviser's next rotation can always replace it.
    const std::uint32_t day = today();
    if (up.medium->expires_day < day ||
        up.medium->expires_day > day + crypto::kMediumPrekeyLifetimeDays + crypto::kMediumPrekeyClockSkewDays) {
      return protocol::make_error_reply(ErrorCode::kMalformed,
                                        "medium-term prekey expiry day is outside the allowed range; check the clock");
    }
    medium = stored_medium(*up.medium);
  }
  Status s = store_.add_prekeys(pool_key(up.adviser_sign_pk), up.counter, prekeys, medium);
  if (!s) return failure_reply(Op::kUploadPrekeys, s.error());
  const std::uint64_t left = store_.prekey_count(pool_key(up.adviser_sign_pk));
  return protocol::make_ok_reply({u32_bytes(static_cast<std::uint32_t>(std::min<std::uint64_t>(left, UINT32_MAX)))});
}

RequestHandler::Outcome RequestHandler::prepare_deposit(const protocol::Request& request) {
  if (auto paid = pricing_.accept_deposit(request.pow, request.deposits); !paid) {
    count(Op::kDeposit, false);
    return {refuse(paid.error()), std::nullopt};
  }
  PreparedDeposit prepared;
  for (const protocol::DepositItem& item : request.deposits) {
    if (!crypto::is_valid_clue(item.clue)) {
      count(Op::kDeposit, false);
      return {protocol::make_error_reply(ErrorCode::kMalformed, "clue is not a pair of valid points"), std::nullopt};
    }
    store::NewMessage m;
    crypto::random_fill(m.id);
    m.clue = stored_clue(item.clue);
    m.verifier = store::DeleteVerifier{item.verifier};
    m.expiry_day = today() + policy_.retention_days + crypto::random_below(policy_.retention_fuzz_days + 1);
    m.envelope = item.envelope;
    prepared.messages.push_back(m);
  }
  return {{}, std::move(prepared)};
}

std::vector<Status> RequestHandler::commit_deposits(std::span<const PreparedDeposit> deposits) {
  // A failure is turned into one a reply may carry (see the top); an
  // exception means the transaction was aborted on the way out, so none of
  // the messages was stored.
  auto commit = [this](std::span<const store::NewMessage> messages) -> Status {
    try {
      Status s = store_.deposit_batch(messages);
      if (!s) return reply_error(Op::kDeposit, s.error());
      return s;
    } catch (...) {
      return reply_error(Op::kDeposit, failure_of_current_exception());
    }
  };
  std::vector<store::NewMessage> all;
  for (const PreparedDeposit& d : deposits) all.insert(all.end(), d.messages.begin(), d.messages.end());
  std::vector<Status> results(deposits.size(), commit(all));
  if (!results.front() && results.front().error().code == ErrorCode::kStorageFull && deposits.size() > 1) {
    for (std::size_t i = 0; i < deposits.size(); ++i) results[i] = commit(deposits[i].messages);
  }
  for (std::size_t i = 0; i < deposits.size(); ++i) {
    count(Op::kDeposit, results[i].ok());
    if (!results[i]) continue;
    for (const store::NewMessage& m : deposits[i].messages) pricing_.stored(m.envelope.size());
  }
  return results;
}

Frames RequestHandler::deposit_reply(const PreparedDeposit& deposit) {
  std::vector<Bytes> ids;
  for (const store::NewMessage& m : deposit.messages) ids.emplace_back(m.id.begin(), m.id.end());
  return protocol::make_ok_reply(std::move(ids));
}

}  // namespace meldpunt::relay
