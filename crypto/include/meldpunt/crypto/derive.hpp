// Reporter key derivation: the code alone re-creates every key a reporter has.
//
//   salt   = BLAKE2b-128("meldpunt/v1/code-salt" || org_sign_pk)   (crypto_generichash, no key)
//   master = Argon2id13(password = canonical code (24 ASCII symbols), salt,
//                       opslimit, memlimit, 32 bytes)             (crypto_pwhash)
//   message_sk = crypto_kdf_derive_from_key(32, id=1, ctx="MPreport", master)
//   message_pk = X25519 base point multiplication of message_sk
//   fetch_sk   = ristretto255_scalar_reduce(crypto_kdf_derive_from_key(64, id=2, ctx="MPreport", master))
//   fetch_pk   = ristretto255 base point multiplication of fetch_sk
//
// A file key (docs/PROTOCOL.md, "Attachments"): the keys an attachment's
// pieces are sealed to, shared by every reader of the file, from a random
// 32-byte seed the sender draws per file and puts in each reader's letter:
//   message_sk = crypto_kdf_derive_from_key(32, id=1, ctx="MPfile01", seed)
//   fetch_sk   = ristretto255_scalar_reduce(crypto_kdf_derive_from_key(64, id=2, ctx="MPfile01", seed))
//   (public keys as above). Its own context: a file key is never a reporter's.
//
// Binding the salt to the organisation key means a code is worthless on any
// other channel and a precomputed table serves one organisation only. Nothing
// derived from the code is ever stored by the relay except public keys inside
// encrypted envelopes and blinded clues.
#pragma once

#include <cstdint>

#include "meldpunt/crypto/code.hpp"
#include "meldpunt/crypto/keys.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::crypto {

struct KdfParams {
  std::uint64_t opslimit;
  std::size_t memlimit;  // bytes

  // The default: Argon2id with 3 passes over 256 MiB (about 0.5-1 s on a
  // 2-core server; documented in docs/PROTOCOL.md).
  static KdfParams production() { return {3, 256u * 1024u * 1024u}; }
  // Cheap parameters for tests only (1 pass, 8 MiB). Programs accept them only
  // behind an explicit switch whose name says it is insecure.
  static KdfParams insecure_for_tests() { return {1, 8u * 1024u * 1024u}; }
};

struct ReporterKeys {
  Secret<32> message_sk;          // X25519
  X25519PublicKey message_pk{};
  Secret<32> fetch_sk;            // ristretto255 scalar
  FetchPublicKey fetch_pk{};
};

// Throws std::bad_alloc if Argon2id cannot get its memory, and
// std::invalid_argument if params are outside libsodium's Argon2id limits
// (opslimit >= 1, memlimit >= 8 KiB).
ReporterKeys derive_reporter_keys(const ReporterCode& code, const Ed25519PublicKey& org_sign_pk,
                                  const KdfParams& params);

// The keys of one attachment file from its seed (the same shape as a
// reporter's: a message key pair to seal to, a fetch key pair for clues).
inline constexpr std::size_t kFileKeySeedBytes = 32;
ReporterKeys derive_file_keys(const Secret<kFileKeySeedBytes>& seed);

}  // namespace meldpunt::crypto
