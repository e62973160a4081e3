#include "meldpunt/crypto/passphrase_box.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <limits>
#include <stdexcept>
#include <string>
#include <system_error>

#include "meldpunt/common/unique_fd.hpp"

namespace meldpunt::crypto {

namespace {

constexpr std::array<std::uint8_t, 8> kMagic = {'M', 'P', 'B', 'O', 'X', 0, 0, 1};
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kNonceBytes = 24;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(kSaltBytes == crypto_pwhash_SALTBYTES);
static_assert(kNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(32 == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kBoxHeaderBytes == kMagic.size() + 8 + 8 + kSaltBytes + kNonceBytes);
static_assert(kBoxMaxOpslimit <= crypto_pwhash_OPSLIMIT_MAX);
static_assert(kBoxMaxMemlimit <= crypto_pwhash_MEMLIMIT_MAX);
static_assert(kBoxMaxMemlimit <= std::numeric_limits<std::size_t>::max());

bool params_in_bounds(std::uint64_t opslimit, std::uint64_t memlimit) {
  return opslimit >= crypto_pwhash_OPSLIMIT_MIN && opslimit <= kBoxMaxOpslimit &&
         memlimit >= crypto_pwhash_MEMLIMIT_MIN && memlimit <= kBoxMaxMemlimit;
}

Secret<32> derive_box_key(const SecretBuffer& passphrase, const FixedBytes<kSaltBytes>& salt,
                          const KdfParams& params) {
  Secret<32> key;
  static const char kEmpty = 0;  // libsodium wants a real pointer even for length 0
  const char* pw = passphrase.empty() ? &kEmpty : reinterpret_cast<const char*>(passphrase.data());
  if (crypto_pwhash(key.data(), key.size(), pw, passphrase.size(), salt.data(), params.opslimit,
                    params.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::bad_alloc();  // parameters were bounds-checked; only memory can fail
  }
  return key;
}

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

Error io_error(const std::filesystem::path& path, std::string_view what, int err) {
  return Error{ErrorCode::kIo, std::string(what) + " " + path.string() + ": " + errno_text(err)};
}

}  // namespace

PassphraseBox PassphraseBox::create(const SecretBuffer& passphrase, const KdfParams& params) {
  if (!params_in_bounds(params.opslimit, params.memlimit)) {
    // A box we could not open again would be worse than no box.
    throw std::invalid_argument("passphrase box parameters outside the bounds open() accepts");
  }
  FixedBytes<kSaltBytes> salt{};
  randombytes_buf(salt.data(), salt.size());
  return PassphraseBox(derive_box_key(passphrase, salt, params), params, salt);
}

Result<PassphraseBox> PassphraseBox::for_sealed(ByteView sealed, const SecretBuffer& passphrase) {
  if (sealed.size() > kBoxMaxFileBytes) {
    return Error{ErrorCode::kTooLarge, "encrypted file is larger than any this program writes"};
  }
  if (sealed.size() < kBoxHeaderBytes + kTagBytes) {
    return Error{ErrorCode::kMalformed, "encrypted file is too short"};
  }
  ByteReader r(sealed);
  ByteView magic;
  std::uint64_t opslimit = 0, memlimit = 0;
  FixedBytes<kSaltBytes> salt{};
  (void)r.take(kMagic.size(), magic);
  (void)r.take_u64(opslimit);
  (void)r.take_u64(memlimit);
  (void)r.take(salt);
  if (!std::equal(magic.begin(), magic.end(), kMagic.begin())) {
    return Error{ErrorCode::kMalformed, "not an encrypted meldpunt file (or unsupported version)"};
  }
  // Checked before Argon2id runs: a crafted header must not cost hours or all memory.
  if (!params_in_bounds(opslimit, memlimit)) {
    return Error{ErrorCode::kMalformed,
                 "encrypted file has key derivation parameters out of bounds"};
  }
  const KdfParams params{opslimit, static_cast<std::size_t>(memlimit)};
  return PassphraseBox(derive_box_key(passphrase, salt, params), params, salt);
}

Bytes PassphraseBox::seal(ByteView plaintext) const {
  if (plaintext.size() > kBoxMaxFileBytes - kBoxHeaderBytes - kTagBytes) {
    throw std::length_error("plaintext too large for a passphrase box");
  }
  Bytes out;
  out.reserve(kBoxHeaderBytes + plaintext.size() + kTagBytes);
  append(out, kMagic);
  append_u64_le(out, params_.opslimit);
  append_u64_le(out, params_.memlimit);
  append(out, salt_);
  FixedBytes<kNonceBytes> nonce{};
  randombytes_buf(nonce.data(), nonce.size());  // 192 bits: random nonces never repeat
  append(out, nonce);
  out.resize(kBoxHeaderBytes + plaintext.size() + kTagBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + kBoxHeaderBytes, &written,
                                             plaintext.data(), plaintext.size(), out.data(),
                                             kBoxHeaderBytes, nullptr, nonce.data(), key_.data());
  return out;
}

Result<SecretBuffer> PassphraseBox::open(ByteView sealed) const {
  if (sealed.size() > kBoxMaxFileBytes) {
    return Error{ErrorCode::kTooLarge, "encrypted file is larger than any this program writes"};
  }
  if (sealed.size() < kBoxHeaderBytes + kTagBytes) {
    return Error{ErrorCode::kMalformed, "encrypted file is too short"};
  }
  // The whole header is associated data, so a changed magic, parameter, salt
  // or nonce fails authentication like a changed ciphertext byte.
  const ByteView header = sealed.first(kBoxHeaderBytes);
  const ByteView nonce = header.subspan(kBoxHeaderBytes - kNonceBytes);
  const ByteView ciphertext = sealed.subspan(kBoxHeaderBytes);
  SecretBuffer plaintext(ciphertext.size() - kTagBytes);
  // SecretBuffer of size 0 has no storage; decrypt into a scratch byte then.
  std::uint8_t scratch = 0;
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          plaintext.empty() ? &scratch : plaintext.data(), &written, nullptr, ciphertext.data(),
          ciphertext.size(), header.data(), header.size(), nonce.data(), key_.data()) != 0) {
    return Error{ErrorCode::kUnauthorised, "wrong passphrase, or the file was changed or damaged"};
  }
  return plaintext;
}

Status write_file_atomically(const std::filesystem::path& path, ByteView content, unsigned mode) {
  const std::filesystem::path folder =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  static constexpr char kTempAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::filesystem::path temp;
  int fd = -1;
  for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
    std::string suffix = ".tmp-";
    for (int i = 0; i < 6; ++i) suffix.push_back(kTempAlphabet[randombytes_uniform(36)]);
    temp = path;
    temp += suffix;
    fd = ::open(temp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd < 0 && errno != EEXIST) return io_error(temp, "cannot create", errno);
  }
  if (fd < 0) return io_error(temp, "cannot create", EEXIST);
  UniqueFd file(fd);

  auto fail = [&](std::string_view what, int err) -> Status {
    Error e = io_error(path, what, err);
    ::unlink(temp.c_str());
    return e;
  };
  // The umask may have removed bits; set exactly what was asked for.
  if (::fchmod(file.get(), static_cast<mode_t>(mode)) != 0)
    return fail("cannot set mode of", errno);
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(file.get(), content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write", errno);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(file.get()) != 0) return fail("cannot sync", errno);
  if (!file.close_checked()) return fail("cannot close", errno);
  if (::rename(temp.c_str(), path.c_str()) != 0) return fail("cannot replace", errno);

  // Make the rename itself durable.
  const int dir_fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return io_error(folder, "wrote file but cannot open folder", errno);
  UniqueFd dir(dir_fd);
  if (::fsync(dir.get()) != 0) return io_error(folder, "wrote file but cannot sync folder", errno);
  return Status::success();
}

Result<Bytes> read_file(const std::filesystem::path& path, std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return Error{ErrorCode::kNotFound, "no such file: " + path.string()};
    return io_error(path, "cannot open", err);
  }
  UniqueFd file(fd);
  struct stat st {};
  if (::fstat(file.get(), &st) != 0) return io_error(path, "cannot stat", errno);
  if (S_ISDIR(st.st_mode)) return io_error(path, "cannot read", EISDIR);
  if (S_ISREG(st.st_mode) && static_cast<std::uintmax_t>(st.st_size) > max_bytes) {
    return Error{ErrorCode::kTooLarge,
                 path.string() + " is larger than " + std::to_string(max_bytes) + " bytes"};
  }
  // Read up to one byte past the bound: the file may grow after fstat, or be
  // a pipe with no size at all.
  Bytes out;
  std::array<std::uint8_t, 64 * 1024> chunk{};
  while (true) {
    const std::size_t room = max_bytes - out.size();
    const std::size_t want = room >= chunk.size() ? chunk.size() : room + 1;
    const ssize_t n = ::read(file.get(), chunk.data(), want);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(path, "cannot read", errno);
    }
    if (n == 0) break;
    out.insert(out.end(), chunk.begin(), chunk.begin() + n);
    if (out.size() > max_bytes) {
      return Error{ErrorCode::kTooLarge,
                   path.string() + " is larger than " + std::to_string(max_bytes) + " bytes"};
    }
  }
  return out;
}

}  // namespace meldpunt::crypto
