// Filling a relay store for the fetch and memory benchmarks: messages written
// straight through RelayStore::deposit_batch in batches (a bulk load, not the
// deposit path over the socket, which bench_deposit measures).
#pragma once

#include <cstddef>
#include <vector>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/store/relay_store.hpp"

namespace meldpunt::bench {

// n valid clues, cheaply: each half a uniformly random ristretto255 point
// (the point of a padding entry), which is exactly what a clue looks like to
// the relay. The relay's work per clue does not depend on its value, so a
// pool is reused for many messages.
std::vector<crypto::Clue> random_clue_pool(std::size_t n);

// Deposits messages until the store holds `target` (`stored` counts them and
// is advanced): random ids and verifiers, clues from `pool` in turn, expiry
// 60 days ahead, every envelope `envelope` (may be empty: a fetch reads no
// envelope). Throws std::runtime_error if the store refuses a batch.
void fill_store(store::RelayStore& store, std::size_t& stored, std::size_t target,
                const std::vector<crypto::Clue>& pool, ByteView envelope = {});

}  // namespace meldpunt::bench
