// Which entries of a fetch answer are a client's own: every entry tried
// against every fetch key the client holds (crypto::recognise, one
// ristretto255 scalar multiplication each; there is no cheaper test, since
// an entry's tag depends on s*R and nothing else in it says whose it is).
// At 10,000 stored messages that is 10,000 multiplications per key, about
// 0.5 s on one core, so the entries are split into contiguous ranges tried
// on all cores at once; the result is the same as trying them in order.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::client {

struct RecognisedEntry {
  crypto::MessageId id{};
  std::size_t key = 0;  // index into the keys given to recognise_entries
};

// For every entry, in the answer's order, the first key (in the order given)
// that recognises it; each id once (a relay may name an id twice; the first
// entry counts). Entries nobody's key matches, padding and garbage included,
// are left out. Uses up to `threads` threads (0: one per core, at most 16);
// a small answer is tried on the calling thread alone.
std::vector<RecognisedEntry> recognise_entries(std::span<const crypto::FetchEntry> entries,
                                               std::span<const crypto::Secret<crypto::kRistrettoScalarBytes>* const> keys,
                                               unsigned threads = 0);

}  // namespace meldpunt::client
