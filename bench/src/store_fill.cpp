#include "store_fill.hpp"

#include <algorithm>
#include <stdexcept>

#include "meldpunt/crypto/random.hpp"
#include "request_handler.hpp"

namespace meldpunt::bench {

std::vector<crypto::Clue> random_clue_pool(std::size_t n) {
  std::vector<crypto::Clue> pool(n);
  for (crypto::Clue& c : pool) {
    const crypto::FetchEntry a = crypto::random_fetch_entry();
    const crypto::FetchEntry b = crypto::random_fetch_entry();
    std::copy_n(a.begin(), 32, c.begin());
    std::copy_n(b.begin(), 32, c.begin() + 32);
    if (!crypto::is_valid_clue(c)) throw std::runtime_error("random clue is not valid");
  }
  return pool;
}

void fill_store(store::RelayStore& store, std::size_t& stored, std::size_t target,
                const std::vector<crypto::Clue>& pool, ByteView envelope) {
  if (pool.empty()) throw std::runtime_error("fill_store: empty clue pool");
  // 1000 per commit: a few MiB per transaction with 4 KiB envelopes.
  constexpr std::size_t kBatch = 1000;
  const std::uint32_t expiry = relay::days_since_epoch_now() + 60;
  std::vector<store::NewMessage> batch;
  while (stored < target) {
    batch.clear();
    const std::size_t n = std::min(kBatch, target - stored);
    for (std::size_t i = 0; i < n; ++i) {
      store::NewMessage m;
      crypto::random_fill(m.id);
      m.clue = store::StoredClue{pool[(stored + i) % pool.size()].bytes};
      crypto::random_fill(m.verifier);
      m.expiry_day = expiry;
      m.envelope = envelope;
      batch.push_back(m);
    }
    if (Status s = store.deposit_batch(batch); !s) throw std::runtime_error("filling the store: " + s.error().message);
    stored += n;
  }
}

}  // namespace meldpunt::bench
