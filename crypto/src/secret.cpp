#include "meldpunt/crypto/secret.hpp"

#include <sodium.h>
#include <sys/resource.h>

#include <fstream>
#include <new>
#include <string>

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

SecretBuffer::SecretBuffer(std::size_t n) {
  if (n == 0) return;
  // Exactly n: reserve() would round up to a power of two, and for a file of
  // several MiB that can double what must fit under RLIMIT_MEMLOCK.
  p_ = static_cast<std::uint8_t*>(detail::secure_alloc(n));
  sodium_memzero(p_, n);
  size_ = capacity_ = n;
}

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

bool SecretBuffer::locked() const {
  if (p_ == nullptr) return true;
  // Locking what is already locked succeeds and costs nothing more (the
  // kernel counts a page once); if sodium_malloc's own lock failed for want
  // of RLIMIT_MEMLOCK, this one fails the same way.
  return sodium_mlock(p_, capacity_) == 0;
}

bool SecretBuffer::equals(const SecretBuffer& other) const {
  if (size_ != other.size_) return false;
  if (size_ == 0) return true;
  return sodium_memcmp(p_, other.p_, size_) == 0;
}

namespace {

// A "Name:   value" line of /proc/self/status, or "" if absent.
std::string status_field(std::string_view name) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 && line[name.size()] == ':') {
      return line.substr(name.size() + 1);
    }
  }
  return {};
}

}  // namespace

std::optional<std::uint64_t> lockable_bytes() {
  rlimit limit{};
  if (getrlimit(RLIMIT_MEMLOCK, &limit) != 0) return 0;
  if (limit.rlim_cur == RLIM_INFINITY) return std::nullopt;
  // CAP_IPC_LOCK (bit 14 of the effective set) lifts the limit.
  const std::string caps = status_field("CapEff");
  if (!caps.empty() && (std::stoull(caps, nullptr, 16) & (1ULL << 14)) != 0) return std::nullopt;
  // VmLck is in kB.
  const std::string locked = status_field("VmLck");
  const std::uint64_t used = locked.empty() ? 0 : std::stoull(locked) * 1024;
  const auto cur = static_cast<std::uint64_t>(limit.rlim_cur);
  return cur > used ? cur - used : 0;
}

}  // namespace meldpunt::crypto
