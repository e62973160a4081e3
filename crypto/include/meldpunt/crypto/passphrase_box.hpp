// Files encrypted under a passphrase (the adviser key file, the organisation
// key, exports and backups).
//
//   file = magic "MPBOX\0\0\1" (8) || opslimit u64 LE || memlimit u64 LE
//          || salt (16) || nonce (24) || XChaCha20-Poly1305-IETF ciphertext
//   key  = Argon2id13(passphrase, salt, opslimit, memlimit, 32 bytes)
//   associated data = the 64 header bytes before the ciphertext
//   (8 + 8 + 8 + 16 + 24 = kBoxHeaderBytes; docs/PROTOCOL.md §6)
//
// The key is derived once per box; re-sealing keeps salt and parameters and
// takes a fresh random nonce, so a program can save often without paying
// Argon2id each time.
#pragma once

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/derive.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::crypto {

inline constexpr std::size_t kBoxHeaderBytes = 8 + 8 + 8 + 16 + 24;
// The parser refuses parameters outside these bounds, so a crafted file cannot
// make a client spend hours or all memory before failing.
inline constexpr std::uint64_t kBoxMaxOpslimit = 16;
inline constexpr std::uint64_t kBoxMaxMemlimit = 4ull * 1024 * 1024 * 1024;
inline constexpr std::size_t kBoxMaxFileBytes = 64u * 1024 * 1024;

class PassphraseBox {
 public:
  // A new box with a fresh salt. Throws std::invalid_argument if params are
  // outside the bounds for_sealed() accepts (the box could not be reopened).
  static PassphraseBox create(const SecretBuffer& passphrase, const KdfParams& params);
  // Reads salt and parameters from an existing sealed file and derives the
  // key. Fails with kMalformed on a bad header (checked before Argon2id
  // runs) and kTooLarge beyond kBoxMaxFileBytes; a wrong passphrase is only
  // detected by open().
  static Result<PassphraseBox> for_sealed(ByteView sealed, const SecretBuffer& passphrase);

  Bytes seal(ByteView plaintext) const;
  // kUnauthorised on a wrong passphrase or any changed byte.
  Result<SecretBuffer> open(ByteView sealed) const;

  // A second box with the same key, salt and parameters (the key copied into
  // fresh secure memory), for re-reading a file this box sealed without
  // running Argon2id again.
  PassphraseBox clone() const { return PassphraseBox(key_.clone(), params_, salt_); }

 private:
  PassphraseBox(Secret<32> key, const KdfParams& params, FixedBytes<16> salt)
      : key_(std::move(key)), params_(params), salt_(salt) {}
  Secret<32> key_;
  KdfParams params_;
  FixedBytes<16> salt_;
};

}  // namespace meldpunt::crypto
