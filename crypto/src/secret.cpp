#include "meldpunt/crypto/secret.hpp"

#include <sodium.h>

#include <new>

namespace meldpunt::crypto {
namespace detail {

void* secure_alloc(std::size_t n) {
  // sodium_malloc(0) is valid but we never need it; keep one byte so the
  // pointer is always real and guarded.
  void* p = sodium_malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void secure_free(void* p) noexcept {
  if (p != nullptr) sodium_free(p);  // sodium_free wipes before releasing
}

void secure_wipe(void* p, std::size_t n) noexcept {
  if (p != nullptr) sodium_memzero(p, n);
}

bool secure_equal(const void* a, const void* b, std::size_t n) noexcept {
  return sodium_memcmp(a, b, n) == 0;
}

void secure_random(void* p, std::size_t n) noexcept { randombytes_buf(p, n); }

}  // namespace detail

SecretBuffer::SecretBuffer(std::size_t n) { resize(n); }

SecretBuffer SecretBuffer::copy_of(ByteView bytes) {
  SecretBuffer b;
  b.append(bytes);
  return b;
}

SecretBuffer::~SecretBuffer() { clear(); }

SecretBuffer::SecretBuffer(SecretBuffer&& other) noexcept
    : p_(other.p_), size_(other.size_), capacity_(other.capacity_) {
  other.p_ = nullptr;
  other.size_ = other.capacity_ = 0;
}

SecretBuffer& SecretBuffer::operator=(SecretBuffer&& other) noexcept {
  if (this != &other) {
    clear();
    p_ = other.p_;
    size_ = other.size_;
    capacity_ = other.capacity_;
    other.p_ = nullptr;
    other.size_ = other.capacity_ = 0;
  }
  return *this;
}

void SecretBuffer::reserve(std::size_t n) {
  if (n <= capacity_) return;
  std::size_t cap = capacity_ == 0 ? 64 : capacity_;
  while (cap < n) cap *= 2;
  auto* fresh = static_cast<std::uint8_t*>(detail::secure_alloc(cap));
  sodium_memzero(fresh, cap);
  if (p_ != nullptr) std::copy(p_, p_ + size_, fresh);
  detail::secure_free(p_);  // wipes the old copy
  p_ = fresh;
  capacity_ = cap;
}

void SecretBuffer::append(ByteView bytes) {
  if (bytes.empty()) return;
  reserve(size_ + bytes.size());
  std::copy(bytes.begin(), bytes.end(), p_ + size_);
  size_ += bytes.size();
}

void SecretBuffer::resize(std::size_t n) {
  if (n > size_) {
    reserve(n);
    sodium_memzero(p_ + size_, n - size_);
  } else if (p_ != nullptr) {
    sodium_memzero(p_ + n, size_ - n);
  }
  size_ = n;
}

void SecretBuffer::clear() {
  detail::secure_free(p_);
  p_ = nullptr;
  size_ = capacity_ = 0;
}

bool SecretBuffer::equals(const SecretBuffer& other) const {
  if (size_ != other.size_) return false;
  if (size_ == 0) return true;
  return sodium_memcmp(p_, other.p_, size_) == 0;
}

}  // namespace meldpunt::crypto
