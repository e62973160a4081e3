#include "meldpunt/crypto/clue.hpp"

#include <sodium.h>

#include <string_view>

#include "meldpunt/crypto/testing.hpp"

namespace meldpunt::crypto {

namespace {

constexpr std::size_t kPointBytes = kRistrettoPointBytes;
constexpr std::size_t kScalarBytes = kRistrettoScalarBytes;
constexpr std::size_t kHashBytes = 32;
constexpr std::size_t kTagBytes = 16;
constexpr std::size_t kTagOffset = kPointBytes;
constexpr std::size_t kSealedIdOffset = kTagOffset + kTagBytes;

static_assert(kPointBytes == crypto_core_ristretto255_BYTES);
static_assert(kPointBytes == crypto_scalarmult_ristretto255_BYTES);
static_assert(kScalarBytes == crypto_core_ristretto255_SCALARBYTES);
static_assert(kScalarBytes == crypto_scalarmult_ristretto255_SCALARBYTES);
static_assert(kHashBytes >= crypto_generichash_BYTES_MIN &&
              kHashBytes <= crypto_generichash_BYTES_MAX);
static_assert(kClueBytes == 2 * kPointBytes);
static_assert(kFetchEntryBytes == kPointBytes + kTagBytes + kMessageIdBytes);
static_assert(kTagBytes + kMessageIdBytes == kHashBytes, "k splits into tag and id pad");
static_assert(crypto_core_ristretto255_HASHBYTES == 64);

constexpr std::string_view kClueDomain = "meldpunt/v1/clue";
constexpr std::string_view kDeleteDomain = "meldpunt/v1/delete";

// A canonical ristretto255 encoding other than the identity. The identity's
// only encoding is 32 zero bytes (ristretto encodings are canonical), and
// is_valid_point accepts it, so it is excluded separately: x*identity is the
// identity for every x, which would make a clue recognisable by anyone.
bool is_usable_point(const std::uint8_t* p) {
  // libsodium 1.0.18 ignores the top bit when it checks that an encoding is
  // canonical, so 0^31 || 0x80 passes as the identity (found by fuzz_clue,
  // fuzz/crashes/clue-identity-high-bit): refuse a set top bit outright.
  return crypto_core_ristretto255_is_valid_point(p) == 1 && sodium_is_zero(p, kPointBytes) == 0 &&
         (p[31] & 0x80) == 0;
}

// k = BLAKE2b-256("meldpunt/v1/clue" || R || T). Stack state, wiped (T is
// the shared secret between relay and recipient).
void clue_key(std::uint8_t* k, const std::uint8_t* r_point, const std::uint8_t* t_point) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, kHashBytes);
  crypto_generichash_update(&state, reinterpret_cast<const std::uint8_t*>(kClueDomain.data()),
                            kClueDomain.size());
  crypto_generichash_update(&state, r_point, kPointBytes);
  crypto_generichash_update(&state, t_point, kPointBytes);
  crypto_generichash_final(&state, k, kHashBytes);
  sodium_memzero(&state, sizeof state);
}

// verifier = BLAKE2b-256("meldpunt/v1/delete" || token), token 32 bytes.
void delete_hash(std::uint8_t* out, const std::uint8_t* token) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, kHashBytes);
  crypto_generichash_update(&state, reinterpret_cast<const std::uint8_t*>(kDeleteDomain.data()),
                            kDeleteDomain.size());
  crypto_generichash_update(&state, token, 32);
  crypto_generichash_final(&state, out, kHashBytes);
  sodium_memzero(&state, sizeof state);  // it absorbed the token
}

// The relay's hot path: runs for every stored clue on every fetch. It
// allocates nothing on success (FetchEntry is a plain array inside the
// Result), and all intermediates are on the stack and wiped before return.
Result<FetchEntry> blind_with(const Clue& clue, const MessageId& id, const std::uint8_t* r) {
  // No full is_valid_clue() here: crypto_scalarmult_ristretto255 already
  // rejects an invalid encoding and an identity result, and two extra point
  // decodings cost about 10% of every fetch (bench/). What it does not reject
  // is a set top bit (see is_usable_point), so that is checked here, which
  // keeps blind_clue failing exactly where is_valid_clue does.
  if ((clue[kPointBytes - 1] & 0x80) != 0 || (clue[2 * kPointBytes - 1] & 0x80) != 0) {
    return Error{ErrorCode::kMalformed, "clue: not two valid points"};
  }
  FetchEntry entry{};
  std::uint8_t t_point[kPointBytes];
  std::uint8_t k[kHashBytes];
  // -1 means the product is the identity (r = 0 mod the group order).
  const bool ok = crypto_scalarmult_ristretto255(entry.data(), r, clue.data()) == 0 &&
                  crypto_scalarmult_ristretto255(t_point, r, clue.data() + kPointBytes) == 0;
  if (ok) {
    clue_key(k, entry.data(), t_point);
    for (std::size_t i = 0; i < kTagBytes; ++i) entry[kTagOffset + i] = k[i];
    for (std::size_t i = 0; i < kMessageIdBytes; ++i)
      entry[kSealedIdOffset + i] = id[i] ^ k[kTagBytes + i];
  }
  sodium_memzero(t_point, sizeof t_point);
  sodium_memzero(k, sizeof k);
  if (!ok) return Error{ErrorCode::kMalformed, "clue: not two valid points"};
  return entry;
}

}  // namespace

Result<Clue> make_clue(const FetchPublicKey& recipient_fetch_pk) {
  Secret<kScalarBytes> x;
  crypto_core_ristretto255_scalar_random(x.data());  // never zero
  return testing::make_clue_with_scalar(recipient_fetch_pk, x);
}

bool is_valid_clue(const Clue& clue) {
  return is_usable_point(clue.data()) && is_usable_point(clue.data() + kPointBytes);
}

Result<FetchEntry> blind_clue(const Clue& clue, const MessageId& id) {
  // r on the stack rather than in Secret<32>: Secret costs a sodium_malloc
  // (mmap + mprotect + mlock) per call, and this runs once per stored message
  // per fetch. r must still not outlive the call (with r and R anyone can
  // link R back to X), so it is wiped explicitly.
  std::uint8_t r[kScalarBytes];
  crypto_core_ristretto255_scalar_random(r);  // never zero
  Result<FetchEntry> entry = blind_with(clue, id, r);
  sodium_memzero(r, sizeof r);
  return entry;
}

FetchEntry random_fetch_entry() {
  // A uniformly random group element is distributed exactly like r*X for a
  // random r; tag and sealed id are uniformly random like hash outputs.
  FetchEntry entry{};
  crypto_core_ristretto255_random(entry.data());
  randombytes_buf(entry.data() + kTagOffset, kTagBytes + kMessageIdBytes);
  return entry;
}

std::optional<MessageId> recognise(const FetchEntry& entry,
                                   const Secret<kRistrettoScalarBytes>& fetch_sk) {
  // Stack buffers, wiped, for the same reason as blind_clue: a client runs
  // this for every entry of every fetch answer.
  std::uint8_t t_point[kPointBytes];
  std::uint8_t k[kHashBytes];
  std::optional<MessageId> id;
  // Rejects a non-canonical or invalid R and an identity result, so padding
  // or garbage entries simply do not match.
  if (crypto_scalarmult_ristretto255(t_point, fetch_sk.data(), entry.data()) == 0) {
    clue_key(k, entry.data(), t_point);
    if (sodium_memcmp(k, entry.data() + kTagOffset, kTagBytes) == 0) {
      MessageId out{};
      for (std::size_t i = 0; i < kMessageIdBytes; ++i)
        out[i] = entry[kSealedIdOffset + i] ^ k[kTagBytes + i];
      id = out;
    }
  }
  sodium_memzero(t_point, sizeof t_point);
  sodium_memzero(k, sizeof k);
  return id;
}

FixedBytes<32> delete_verifier(const Secret<32>& token) {
  FixedBytes<32> verifier{};
  delete_hash(verifier.data(), token.data());
  return verifier;
}

bool check_delete_token(ByteView token, const FixedBytes<32>& verifier) {
  if (token.size() != 32) return false;
  FixedBytes<32> expected{};
  delete_hash(expected.data(), token.data());
  return sodium_memcmp(expected.data(), verifier.data(), expected.size()) == 0;
}

namespace testing {

Result<Clue> make_clue_with_scalar(const FetchPublicKey& recipient_fetch_pk, const Secret<32>& x) {
  if (!is_usable_point(recipient_fetch_pk.data())) {
    return Error{ErrorCode::kMalformed,
                 "clue: recipient fetch key is not a valid ristretto255 point"};
  }
  Clue clue{};
  // -1 from either call means the product is the identity (x = 0 mod the order).
  if (crypto_scalarmult_ristretto255_base(clue.data(), x.data()) != 0 ||
      crypto_scalarmult_ristretto255(clue.data() + kPointBytes, x.data(),
                                     recipient_fetch_pk.data()) != 0) {
    return Error{ErrorCode::kMalformed, "clue: scalar gives the identity"};
  }
  return clue;
}

Result<FetchEntry> blind_clue_with_scalar(const Clue& clue, const MessageId& id,
                                          const Secret<32>& r) {
  return blind_with(clue, id, r.data());
}

}  // namespace testing

}  // namespace meldpunt::crypto
