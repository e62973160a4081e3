// The LMDB half of the deposit limit: plain LMDB calls, no wrapper, no
// checks beyond return codes. Benchmark-only: the project's rule that only
// store/src includes lmdb.h is kept for the product; this file measures what
// LMDB itself allows, so it must not go through the store's wrapper.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

#include "meldpunt/common/bytes.hpp"

namespace meldpunt::bench {

// What the relay store writes for one deposit (docs/PROTOCOL.md Part 4).
struct RawDeposit {
  FixedBytes<16> id{};
  std::uint32_t expiry_day = 0;
  ByteView verifier;  // 32 bytes
  ByteView clue;      // 64 bytes
  ByteView envelope;
};

class RawLmdb {
 public:
  // A new environment in `folder` (must exist). durable = no MDB_NOSYNC /
  // MDB_NOMETASYNC, like the relay. The map is made large enough up front.
  RawLmdb(const std::filesystem::path& folder, bool durable, std::uint64_t map_bytes);
  ~RawLmdb();
  RawLmdb(const RawLmdb&) = delete;
  RawLmdb& operator=(const RawLmdb&) = delete;

  // One write transaction, messages record + clue record per deposit, one
  // commit. Throws std::runtime_error on any LMDB error.
  void commit(std::span<const RawDeposit> deposits);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace meldpunt::bench
