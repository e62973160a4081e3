#include "meldpunt/crypto/derive.hpp"

#include <sodium.h>

#include <new>
#include <stdexcept>
#include <string_view>

namespace meldpunt::crypto {

namespace {

constexpr std::string_view kSaltLabel = "meldpunt/v1/code-salt";
constexpr char kKdfContext[] = "MPreport";
constexpr char kFileKdfContext[] = "MPfile01";
constexpr std::uint64_t kMessageKeyId = 1;
constexpr std::uint64_t kFetchKeyId = 2;
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kMasterBytes = 32;

static_assert(sizeof(kKdfContext) - 1 == crypto_kdf_CONTEXTBYTES);
static_assert(sizeof(kFileKdfContext) - 1 == crypto_kdf_CONTEXTBYTES);
static_assert(kFileKeySeedBytes == crypto_kdf_KEYBYTES);
static_assert(kSaltBytes == crypto_pwhash_SALTBYTES);
static_assert(kSaltBytes >= crypto_generichash_BYTES_MIN);
static_assert(kMasterBytes == crypto_kdf_KEYBYTES);
static_assert(kMasterBytes >= crypto_pwhash_BYTES_MIN);
static_assert(64 == crypto_core_ristretto255_NONREDUCEDSCALARBYTES);
static_assert(64 <= crypto_kdf_BYTES_MAX && 32 >= crypto_kdf_BYTES_MIN);

// The message and fetch key pairs under one 32-byte master key.
ReporterKeys keys_from(const std::uint8_t* master, const char* context) {
  ReporterKeys keys;
  crypto_kdf_derive_from_key(keys.message_sk.data(), keys.message_sk.size(), kMessageKeyId,
                             context, master);
  crypto_scalarmult_base(keys.message_pk.data(), keys.message_sk.data());

  Secret<crypto_core_ristretto255_NONREDUCEDSCALARBYTES> wide;
  crypto_kdf_derive_from_key(wide.data(), wide.size(), kFetchKeyId, context, master);
  crypto_core_ristretto255_scalar_reduce(keys.fetch_sk.data(), wide.data());
  // Fails only for the zero scalar (probability 2^-252).
  if (crypto_scalarmult_ristretto255_base(keys.fetch_pk.data(), keys.fetch_sk.data()) != 0) {
    throw std::runtime_error("derived fetch scalar is zero");
  }
  return keys;
}

}  // namespace

ReporterKeys derive_reporter_keys(const ReporterCode& code, const Ed25519PublicKey& org_sign_pk,
                                  const KdfParams& params) {
  if (params.opslimit < crypto_pwhash_OPSLIMIT_MIN ||
      params.opslimit > crypto_pwhash_OPSLIMIT_MAX ||
      params.memlimit < crypto_pwhash_MEMLIMIT_MIN ||
      params.memlimit > crypto_pwhash_MEMLIMIT_MAX) {
    throw std::invalid_argument("Argon2id parameters outside libsodium's limits");
  }

  // salt = BLAKE2b-128(label || org_sign_pk): public, so a plain array.
  FixedBytes<kSaltBytes> salt{};
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, salt.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(kSaltLabel.data()),
                            kSaltLabel.size());
  crypto_generichash_update(&state, org_sign_pk.data(), org_sign_pk.size());
  crypto_generichash_final(&state, salt.data(), salt.size());

  const SecretBuffer& password = code.canonical();
  Secret<kMasterBytes> master;
  if (crypto_pwhash(master.data(), master.size(), reinterpret_cast<const char*>(password.data()),
                    password.size(), salt.data(), params.opslimit, params.memlimit,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    // With the limits checked above, the only way left to fail is memory.
    throw std::bad_alloc();
  }

  return keys_from(master.data(), kKdfContext);
}

ReporterKeys derive_file_keys(const Secret<kFileKeySeedBytes>& seed) { return keys_from(seed.data(), kFileKdfContext); }

}  // namespace meldpunt::crypto
