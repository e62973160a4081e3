// Decoy envelopes: how a sender hides what it chose (how many advisers, or
// which answer) from the relay, which sees every deposit. A deposit is
// filled up with decoys to a number of envelopes, of size classes, that do
// not depend on the choice, and shuffled, so that neither the count, the
// classes nor the order of its envelopes tells anything (docs/PROTOCOL.md,
// "Padded deposits").
//
// A decoy is a real envelope to nobody: sealed by a throwaway sender to a
// throwaway long-term key and medium-term prekey around random bytes, with a
// clue made for a throwaway fetch key and the verifier of a random delete
// token. Every secret is wiped when make_decoy returns, so nobody can
// recognise, retrieve, open or delete it; it expires with the relay's
// retention like any envelope, and its proof of work is paid like any other.
#pragma once

#include <cstddef>
#include <vector>

#include "meldpunt/client/mailbox.hpp"
#include "meldpunt/common/result.hpp"

namespace meldpunt::client {

// A decoy of exactly `size_class` bytes (one of crypto::kEnvelopeSizes;
// kMalformed otherwise).
Result<Outgoing> make_decoy(std::size_t size_class);

// Appends decoys of `size_class` until `items` holds `count` envelopes
// (none if it holds that many already).
Status pad_with_decoys(std::vector<Outgoing>& items, std::size_t count, std::size_t size_class);

// Puts `items` in a uniformly random order (Fisher-Yates over the OS
// CSPRNG), so an envelope's place in a deposit says nothing about it.
void shuffle_envelopes(std::vector<Outgoing>& items);

}  // namespace meldpunt::client
