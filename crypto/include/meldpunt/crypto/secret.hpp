// Secret memory. Every secret of the project (keys, seeds, codes, passphrases,
// plaintexts) lives in one of these types:
//   - allocated with sodium_malloc (guard pages, mlock'ed so it is never
//     swapped, canary checked on free),
//   - wiped with sodium_memzero when destroyed,
//   - move-only (copies are explicit via clone()),
//   - never printable or convertible to std::string, and compared only in
//     constant time (sodium_memcmp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <algorithm>

#include "meldpunt/common/bytes.hpp"

namespace meldpunt::crypto {

namespace detail {
void* secure_alloc(std::size_t n);           // sodium_malloc; throws std::bad_alloc
void secure_free(void* p) noexcept;          // sodium_free (wipes)
void secure_wipe(void* p, std::size_t n) noexcept;  // sodium_memzero
bool secure_equal(const void* a, const void* b, std::size_t n) noexcept;  // sodium_memcmp
void secure_random(void* p, std::size_t n) noexcept;  // randombytes_buf
}  // namespace detail

// A fixed-size secret of N bytes, zero-initialised.
template <std::size_t N>
class Secret {
 public:
  static constexpr std::size_t kSize = N;

  Secret() : p_(static_cast<std::uint8_t*>(detail::secure_alloc(N))) { detail::secure_wipe(p_, N); }
  ~Secret() { detail::secure_free(p_); }
  Secret(Secret&& other) noexcept : p_(other.p_) { other.p_ = nullptr; }
  Secret& operator=(Secret&& other) noexcept {
    if (this != &other) {
      detail::secure_free(p_);
      p_ = other.p_;
      other.p_ = nullptr;
    }
    return *this;
  }
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;

  static Secret random() {
    Secret s;
    detail::secure_random(s.p_, N);
    return s;
  }
  static Secret from(ByteView bytes) {  // bytes.size() must be N (else throws)
    if (bytes.size() != N) throw std::length_error("secret of wrong size");
    Secret s;
    std::copy(bytes.begin(), bytes.end(), s.p_);
    return s;
  }
  Secret clone() const { return from(view()); }

  std::uint8_t* data() { return p_; }
  const std::uint8_t* data() const { return p_; }
  static constexpr std::size_t size() { return N; }
  ByteView view() const { return {p_, N}; }
  std::span<std::uint8_t> writable() { return {p_, N}; }

  bool equals(const Secret& other) const { return detail::secure_equal(p_, other.p_, N); }

 private:
  std::uint8_t* p_;
};

// A secret of variable length (passphrase, code text, decrypted message).
// Grows by reallocating into fresh secure memory and wiping the old copy.
class SecretBuffer {
 public:
  SecretBuffer() = default;
  // Zero-filled; allocates exactly n bytes (no rounding up), so a large
  // buffer sized once takes no more locked memory than it needs.
  explicit SecretBuffer(std::size_t n);
  static SecretBuffer copy_of(ByteView bytes);
  static SecretBuffer copy_of(std::string_view text) { return copy_of(as_bytes(text)); }
  ~SecretBuffer();
  SecretBuffer(SecretBuffer&& other) noexcept;
  SecretBuffer& operator=(SecretBuffer&& other) noexcept;
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;
  SecretBuffer clone() const { return copy_of(view()); }

  std::uint8_t* data() { return p_; }
  const std::uint8_t* data() const { return p_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  ByteView view() const { return {p_, size_}; }
  // The bytes as text, for writing to a terminal the user is looking at. The
  // view must not outlive the buffer and must not be copied into a
  // std::string.
  std::string_view text() const { return {reinterpret_cast<const char*>(p_), size_}; }

  void append(ByteView bytes);
  void push_back(std::uint8_t b) { append({&b, 1}); }
  void resize(std::size_t n);  // new bytes are zero; shrinking wipes the tail
  void clear();                // wipes and frees

  bool equals(const SecretBuffer& other) const;  // constant time for equal sizes

  // True if every byte of the buffer is in locked memory (never swapped).
  // sodium_malloc carries on without the lock when RLIMIT_MEMLOCK is used up,
  // so a caller about to put something large here asks. Empty: true.
  bool locked() const;

 private:
  void reserve(std::size_t n);
  std::uint8_t* p_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

// How many more bytes this process may lock: the soft RLIMIT_MEMLOCK minus
// what is locked now (VmLck). nullopt: no limit applies (RLIM_INFINITY, or
// CAP_IPC_LOCK). Page granularity: every sodium_malloc locks whole pages.
std::optional<std::uint64_t> lockable_bytes();

}  // namespace meldpunt::crypto
