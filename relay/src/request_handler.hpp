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
// Prices (relay/src/pricing.hpp): deposits, fetches and get-prekeys each
// carry a proof of work worth the price the relay announces in get-policy.
// The server checks a fetch's proof with admit_fetch() before it queues it.
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
#include "pricing.hpp"

namespace meldpunt::relay {

struct RelayPolicy {
  std::uint32_t retention_days = 60;      // messages live this long...
  std::uint32_t retention_fuzz_days = 7;  // ...plus a random 0..fuzz days, so expiry does not date a message
  unsigned fetch_threads = 0;             // 0 = all cores
  PricingPolicy pricing;                  // proof of work per request (pricing.hpp)
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
  std::uint64_t pow_refused = 0;   // priced requests without a valid, fresh, unused proof
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

  // Commits every prepared deposit in one transaction, one status per
  // deposit. When that commit fails (a quota), each deposit is tried alone,
  // so a deposit refused for lack of room (say, a flood's attachment) does
  // not take an honest letter of the same batch down with it.
  std::vector<Status> commit_deposits(std::span<const PreparedDeposit> deposits);
  static protocol::Frames deposit_reply(const PreparedDeposit& deposit);

  // A fetch request's price check, before the server queues it: the work
  // its proof stands for (to order the queue), or the refusal to send.
  // `pending_fetches` is how many wait or run now (the price rises with it).
  Result<std::uint64_t> admit_fetch(std::span<const ByteView> frames, std::size_t pending_fetches);
  // Fetches waiting or running now, for the prices get-policy announces.
  void set_fetch_load(std::size_t pending_fetches) { fetch_load_ = pending_fetches; }

  // The answer to a fetch. Const and safe to call from another thread while
  // the serving thread handles other requests (it only reads the store and
  // the policy), so the server can run fetches on a worker: a fetch's cost
  // grows with the store and must not hold up everything else.
  protocol::Frames fetch_reply() const;

  const OpCounters& counters() const { return counters_; }
  void count(protocol::Op op, bool ok);
  void count_rate_limited() { counters_.rate_limited++; }

  // What get-policy announces now (also re-evaluates the prices).
  protocol::PolicyInfo policy_info();
  // Prices in digests now, without announcing them (status).
  struct Prices {
    std::uint64_t fetch = 0, get_prekeys = 0;
    std::array<std::uint64_t, protocol::kSizeClasses> envelope{};
  };
  Prices current_prices();
  // Bits of one letter's deposit price now (status).
  unsigned current_difficulty() { return pricing_.legacy_difficulty(); }
  Pricing& pricing() { return pricing_; }
  const RelayPolicy& policy() const { return policy_; }
  const store::RelayStore& store() const { return store_; }

  // Days since 1970-01-01 UTC (injectable for tests of expiry).
  std::function<std::uint32_t()> today;
  // Seconds on a monotonic clock (injectable for tests of challenge
  // rotation and price adjustment).
  std::function<std::uint64_t()> seconds_now;

 private:
  protocol::Frames get_directory();
  protocol::Frames get_prekeys(const protocol::Request& request);
  // Prekeys left in the scarcest non-empty pool of the directory's advisers
  // (0 if every pool is empty).
  std::uint64_t scarcest_prekey_pool() const;
  protocol::Frames refuse(const Error& e);
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
  std::optional<crypto::Directory> current_directory() const;

  store::RelayStore& store_;
  crypto::Ed25519PublicKey org_sign_pk_;
  RelayPolicy policy_;
  OpCounters counters_;

  Pricing pricing_;
  std::size_t fetch_load_ = 0;

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

}  // namespace meldpunt::relay
