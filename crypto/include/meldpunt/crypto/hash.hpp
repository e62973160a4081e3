// Plain BLAKE2b-256 of a byte string (crypto_generichash, no key, no domain
// string), for digests a person can check with standard tools:
//   b2sum -l 256 FILE
// prints the same digest as file_digest() of FILE's bytes. Attachments carry
// such a digest of the whole file (protocol/attachment.hpp).
#pragma once

#include <array>
#include <cstdint>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/common/tagged_bytes.hpp"

namespace meldpunt::crypto {

inline constexpr std::size_t kFileDigestBytes = 32;
struct FileDigestTag;
using FileDigest = TaggedBytes<FileDigestTag, kFileDigestBytes>;

// Streaming form, for data that arrives in pieces. The state lives inside
// the object (no heap); it is wiped when the object is destroyed.
class FileHasher {
 public:
  FileHasher();
  ~FileHasher();
  FileHasher(const FileHasher&) = delete;
  FileHasher& operator=(const FileHasher&) = delete;

  void update(ByteView data);
  // The digest of everything passed to update(); the hasher may not be used
  // afterwards (a second call throws std::logic_error: programmer error).
  FileDigest finish();

 private:
  // crypto_generichash_state is 384 bytes with 64-byte alignment in
  // libsodium 1.0.18; hash.cpp checks that this buffer is large enough.
  alignas(64) std::array<std::uint8_t, 512> state_{};
  bool finished_ = false;
};

FileDigest file_digest(ByteView data);

// Constant-time comparison of two digests (sodium_memcmp): the time taken
// does not depend on where they first differ.
bool digest_equal(const FileDigest& a, const FileDigest& b);

}  // namespace meldpunt::crypto
