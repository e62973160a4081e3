#include "meldpunt/crypto/hash.hpp"

#include <sodium.h>

#include <stdexcept>

namespace meldpunt::crypto {

static_assert(kFileDigestBytes == crypto_generichash_BYTES, "file digests are libsodium's default BLAKE2b length");
static_assert(sizeof(crypto_generichash_state) <= 512, "FileHasher::state_ must hold a crypto_generichash_state");
static_assert(alignof(crypto_generichash_state) <= 64, "FileHasher::state_ must be aligned for the state");

namespace {
crypto_generichash_state* as_state(std::array<std::uint8_t, 512>& buffer) {
  return reinterpret_cast<crypto_generichash_state*>(buffer.data());
}
}  // namespace

FileHasher::FileHasher() {
  if (crypto_generichash_init(as_state(state_), nullptr, 0, kFileDigestBytes) != 0) {
    throw std::logic_error("crypto_generichash_init failed");
  }
}

FileHasher::~FileHasher() { sodium_memzero(state_.data(), state_.size()); }

void FileHasher::update(ByteView data) {
  if (finished_) throw std::logic_error("FileHasher used after finish()");
  if (data.empty()) return;
  crypto_generichash_update(as_state(state_), data.data(), data.size());
}

FileDigest FileHasher::finish() {
  if (finished_) throw std::logic_error("FileHasher::finish() called twice");
  finished_ = true;
  FileDigest out{};
  crypto_generichash_final(as_state(state_), out.data(), out.size());
  return out;
}

FileDigest file_digest(ByteView data) {
  FileHasher hasher;
  hasher.update(data);
  return hasher.finish();
}

bool digest_equal(const FileDigest& a, const FileDigest& b) {
  return sodium_memcmp(a.data(), b.data(), kFileDigestBytes) == 0;
}

}  // namespace meldpunt::crypto
