// Deterministic entry points for known-answer vectors and negative tests.
//
// These exist ONLY so tests/vectors/ can pin the byte-exact output of
// envelope.hpp and clue.hpp, and so tests can build inputs the normal API
// refuses to produce (an envelope with invalid padding). Production code must
// call seal_envelope, make_clue and blind_clue, which draw the ephemeral key
// and the scalars from the system random source: reusing an ephemeral key or
// a scalar breaks the fixed-nonce argument of envelopes and the
// unlinkability of clues. Nothing here gives an attacker more than the
// primitives already do (each function only encrypts or blinds; none opens).
#pragma once

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::crypto::testing {

// seal_envelope with a caller-chosen ephemeral X25519 secret `e`.
Result<Bytes> seal_envelope_with_ephemeral(const SealRequest& request,
                                           const Secret<32>& ephemeral_sk);

// Like seal_envelope_with_ephemeral, but `padded` is placed in the inner
// plaintext as is instead of the padded request.payload (which is ignored).
// padded.size() must be exactly size_class - kEnvelopeOverhead for one of
// kEnvelopeSizes (kMalformed otherwise); the padding is not checked, so tests
// can seal an envelope whose AEAD and auth verify but whose padding is bad.
Result<Bytes> seal_envelope_with_padded(const SealRequest& request, const Secret<32>& ephemeral_sk,
                                        ByteView padded);

// make_clue with a caller-chosen scalar x (kMalformed if x*G or x*S is the identity).
Result<Clue> make_clue_with_scalar(const FetchPublicKey& recipient_fetch_pk, const Secret<32>& x);

// blind_clue with a caller-chosen scalar r (kMalformed if r*X or r*Z is the identity).
Result<FetchEntry> blind_clue_with_scalar(const Clue& clue, const MessageId& id,
                                          const Secret<32>& r);

}  // namespace meldpunt::crypto::testing
