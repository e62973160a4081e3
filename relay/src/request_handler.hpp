// The relay's answer to each request, independent of sockets so it can be
// tested directly. Everything here treats request bytes as hostile: parse
// with bounds, never throw, reply with a stable error code.
//
// Deposits are split in two steps so the server can commit many of them in
// one LMDB transaction (group commit): prepare_deposit() validates and assigns
// ids, the server commits a batch of prepared deposits, then sends each reply.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <functional>
#include <optional>
#include <vector>

#include "meldpunt/crypto/keys.hpp"
#include "meldpunt/protocol/wire.hpp"
#include "meldpunt/store/relay_store.hpp"

namespace meldpunt::relay {

struct RelayPolicy {
  std::uint32_t retention_days = 60;  // messages live this long...
  std::uint32_t retention_fuzz_days = 7;  // ...plus a random 0..fuzz days, so expiry does not date a message
  unsigned fetch_threads = 0;  // 0 = all cores
};

// Counts per operation since start, for status and logs (no ids, no keys).
struct OpCounters {
  std::array<std::uint64_t, 9> ok{};
  std::array<std::uint64_t, 9> failed{};
  std::uint64_t unparsable = 0;
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
  // fail with the same error.
  Status commit_deposits(std::span<const PreparedDeposit> deposits);
  static protocol::Frames deposit_reply(const PreparedDeposit& deposit);

  const OpCounters& counters() const { return counters_; }
  void count(protocol::Op op, bool ok);

  // Days since 1970-01-01 UTC (injectable for tests of expiry).
  std::function<std::uint32_t()> today;

 private:
  protocol::Frames get_directory();
  protocol::Frames get_prekeys();
  protocol::Frames fetch();
  protocol::Frames get_message(const protocol::Request& request);
  protocol::Frames delete_message(const protocol::Request& request);
  protocol::Frames publish_directory(const protocol::Request& request);
  protocol::Frames upload_prekeys(const protocol::Request& request);
  Outcome prepare_deposit(const protocol::Request& request);
  std::optional<crypto::Directory> current_directory() const;

  store::RelayStore& store_;
  crypto::Ed25519PublicKey org_sign_pk_;
  RelayPolicy policy_;
  OpCounters counters_;
};

std::uint32_t days_since_epoch_now();

}  // namespace meldpunt::relay
