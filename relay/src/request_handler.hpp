// The relay's answer to each request, independent of sockets so it can be
// tested directly. Everything here treats request bytes as hostile: parse
// with bounds, never throw, reply with a stable error code.
//
// A request that fails here (the store cannot be written or read, memory
// runs out, a bug throws) is answered, never propagated: a full store, map
// or disk as kStorageFull, anything else as kInternal with a fixed text
// (kInternalErrorText). What failed is logged (throttled; no address, id or
// key is in any store or handler message), so one failing request never
// ends `relay serve`. Replies only ever carry the statuses
// protocol::is_relay_error_status admits: a storage kIo becomes kInternal.
//
// Deposits are split in two steps so the server can commit many of them in
// one LMDB transaction (group commit): prepare_deposit() validates and assigns
// ids, the server commits a batch of prepared deposits, then sends each reply.
//
// Proof of work (crypto/pow.hpp): every deposit must carry a proof for the
// current challenge (or the previous one: a client that asked just before a
// rotation still succeeds) meeting the current difficulty (or the one of
// the previous adjustment window). Each proof is accepted once. The
// challenge key lives only in memory, so a restart invalidates outstanding
// challenges (clients ask again). Difficulty rule, evaluated once per
// adjustment window: more than pow_load_threshold proven deposits in the
// window raise it by one bit (at most pow_max_raise above the base); at most
// half the threshold lowers it by one bit towards the base; every further
// window that passed without a request lowers it by one more.
//
// Not thread-safe: one serving thread calls everything here.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include "meldpunt/crypto/keys.hpp"
#include "meldpunt/crypto/pow.hpp"
#include "meldpunt/crypto/secret.hpp"
#include "meldpunt/protocol/wire.hpp"
#include "meldpunt/store/relay_store.hpp"
#include "log.hpp"

namespace meldpunt::relay {

struct RelayPolicy {
  std::uint32_t retention_days = 60;      // messages live this long...
  std::uint32_t retention_fuzz_days = 7;  // ...plus a random 0..fuzz days, so expiry does not date a message
  unsigned fetch_threads = 0;             // 0 = all cores
  unsigned pow_difficulty = 20;           // base difficulty in leading zero bits (0 = no proof of work)
  unsigned pow_max_raise = 6;             // automatic raise under load stays at most this far above the base
  std::uint32_t pow_load_threshold = 600; // proven deposits per window that raise the difficulty (0 = never)
  std::uint32_t pow_adjust_seconds = 60;  // length of an adjustment window
  std::uint32_t challenge_seconds = 3600; // a challenge is announced this long, and accepted twice as long
  // Announced in get-policy: the largest attachment clients send or accept
  // (0 = none). The relay itself never sees a file, only its chunks, each an
  // ordinary envelope; enforcing the limit is the clients' job.
  std::uint64_t max_attachment_bytes = protocol::kDefaultMaxAttachmentBytes;
};

// Counts since start, for status and logs (no ids, no keys).
struct OpCounters {
  std::array<std::uint64_t, protocol::kLastOp + 1> ok{};  // indexed by op number
  std::array<std::uint64_t, protocol::kLastOp + 1> failed{};
  std::uint64_t unparsable = 0;
  std::uint64_t pow_refused = 0;   // deposits without a valid, fresh, unused proof
  std::uint64_t rate_limited = 0;  // requests refused by the per-connection limit (server)
};

// A deposit request that passed validation and awaits its group commit.
struct PreparedDeposit {
  std::vector<store::NewMessage> messages;  // envelope views point into the request frames
};

class RequestHandler {
 public:
  RequestHandler(store::RelayStore& store, const crypto::Ed25519PublicKey& org_sign_pk, RelayPolicy policy);

  // Either an immediate reply, or (for a valid deposit) a PreparedDeposit that
  // the caller must commit with commit_deposits() and answer with
  // deposit_reply().
  struct Outcome {
    protocol::Frames reply;
    std::optional<PreparedDeposit> deposit;
  };
  Outcome handle(std::span<const ByteView> frames);

  // Commits every prepared deposit in one transaction. On failure all of them
  // fail with the same error, one a reply may carry (see the top), and none
  // was stored.
  Status commit_deposits(std::span<const PreparedDeposit> deposits);
  static protocol::Frames deposit_reply(const PreparedDeposit& deposit);

  // The answer to a fetch. Const and safe to call from another thread while
  // the serving thread handles other requests (it only reads the store and
  // the policy), so the server can run fetches on a worker: a fetch's cost
  // grows with the store and must not hold up everything else.
  protocol::Frames fetch_reply() const;

  const OpCounters& counters() const { return counters_; }
  void count(protocol::Op op, bool ok);
  void count_rate_limited() { counters_.rate_limited++; }

  // What get-policy announces now (also re-evaluates the difficulty).
  protocol::PolicyInfo policy_info();
  unsigned current_difficulty() const { return difficulty_; }
  const RelayPolicy& policy() const { return policy_; }
  const store::RelayStore& store() const { return store_; }

  // Days since 1970-01-01 UTC (injectable for tests of expiry).
  std::function<std::uint32_t()> today;
  // Seconds on a monotonic clock (injectable for tests of challenge
  // rotation and difficulty adjustment).
  std::function<std::uint64_t()> seconds_now;

 private:
  protocol::Frames get_directory();
  protocol::Frames get_prekeys();
  protocol::Frames get_message(const protocol::Request& request);
  protocol::Frames delete_message(const protocol::Request& request);
  protocol::Frames publish_directory(const protocol::Request& request);
  protocol::Frames upload_prekeys(const protocol::Request& request);
  Outcome prepare_deposit(const protocol::Request& request);
  Outcome dispatch(const protocol::Request& request);
  protocol::Frames fetch_reply_unguarded() const;
  // The error a reply carries for a failure of the store (or an exception)
  // during `op`: kStorageFull and the refusals a store gives on purpose pass
  // through; everything else is logged and becomes kInternal.
  Error reply_error(protocol::Op op, const Error& failure) const;
  protocol::Frames failure_reply(protocol::Op op, const Error& failure) const;
  // nullopt if the request's proof is acceptable, else the refusal.
  std::optional<protocol::Frames> check_pow(const protocol::Request& request);
  void advance_clock();
  std::optional<crypto::Directory> current_directory() const;

  store::RelayStore& store_;
  crypto::Ed25519PublicKey org_sign_pk_;
  RelayPolicy policy_;
  OpCounters counters_;

  // Proof-of-work state.
  crypto::Secret<32> challenge_key_ = crypto::Secret<32>::random();
  std::uint64_t period_ = 0;
  crypto::PowChallenge challenge_{}, previous_challenge_{};
  std::set<crypto::PowHash> spent_, previous_spent_;  // digests accepted per challenge
  unsigned difficulty_ = 0, previous_difficulty_ = 0;
  std::uint64_t window_start_ = 0;
  std::uint64_t proven_in_window_ = 0;
  bool clock_started_ = false;

  // Failures answered kInternal (from the serving thread and the fetch worker).
  mutable ThrottledLog failure_log_{std::chrono::seconds(60)};
};

// The text of every kInternal reply: what failed is in the relay's log, not
// on the wire.
inline constexpr std::string_view kInternalErrorText =
    "the relay failed to handle this request and stored nothing for it; try again later";

std::uint32_t days_since_epoch_now();
std::uint64_t monotonic_seconds_now();

// Inside a catch block: the failure the exception in flight stands for
// (a store::StoreError keeps its code; anything else is kInternal).
Error failure_of_current_exception();

// Most proofs remembered per challenge; beyond it deposits are refused
// (kRateLimited) until the challenge rotates. Bounds the memory a flood of
// valid proofs can take (32 bytes each plus set overhead).
inline constexpr std::size_t kMaxSpentProofs = 1'000'000;

}  // namespace meldpunt::relay
