// Helpers shared by the test files.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/crypto/random.hpp"

namespace meldpunt::test_support {

// A fresh folder under the system temp folder, removed with everything in it
// when the object goes out of scope.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "meldpunt-test-") {
    FixedBytes<8> suffix{};
    crypto::random_fill(suffix);
    path_ = std::filesystem::temp_directory_path() / (prefix + to_hex(suffix));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Names of the entries directly inside the folder.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path_)) out.push_back(e.path().filename().string());
    return out;
  }

 private:
  std::filesystem::path path_;
};

// A TempDir only its owner may enter (0700), as the relay's and the
// adviser's stores expect of their folders.
class PrivateTempDir : public TempDir {
 public:
  explicit PrivateTempDir(const std::string& prefix = "meldpunt-test-") : TempDir(prefix) {
    std::filesystem::permissions(path(), std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
  }
};

template <std::size_t N>
FixedBytes<N> random_fixed() {
  FixedBytes<N> out{};
  crypto::random_fill(out);
  return out;
}

// A random value of a fixed-size byte type of one meaning (a TaggedBytes id
// or key): random_as<crypto::AdviserId>().
template <class T>
T random_as() {
  T out{};
  crypto::random_fill(out);
  return out;
}

// Known-answer vectors: tests/vectors/<file>, one `name = value` per line,
// '#' comments. Values are returned as written (hex or text; may be empty).
inline std::map<std::string, std::string> load_vectors(const std::string& file) {
  std::ifstream in(std::string(MELDPUNT_VECTORS_DIR) + "/" + file);
  REQUIRE(in.good());
  std::map<std::string, std::string> values;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto eq = line.find(" =");
    REQUIRE(eq != std::string::npos);
    std::string value = line.substr(eq + 2);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    values[line.substr(0, eq)] = value;
  }
  return values;
}

inline Bytes hex(const std::string& h) {
  Bytes b;
  REQUIRE(from_hex(h, b));
  return b;
}

// The vector file with every value decoded from hex.
inline std::map<std::string, Bytes> load_hex_vectors(const std::string& file) {
  std::map<std::string, Bytes> out;
  for (const auto& [name, value] : load_vectors(file)) out[name] = hex(value);
  return out;
}

template <std::size_t N>
FixedBytes<N> fixed(const Bytes& b) {
  REQUIRE(b.size() == N);
  FixedBytes<N> out{};
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

template <std::size_t N>
FixedBytes<N> fixed(const std::string& h) {
  return fixed<N>(hex(h));
}

// The same for a fixed-size type of one meaning: fixed_as<crypto::FetchPublicKey>(v.at("fetch_pk")).
template <class T>
T fixed_as(const Bytes& b) {
  REQUIRE(b.size() == T::size());
  T out{};
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

template <class T>
T fixed_as(const std::string& h) {
  return fixed_as<T>(hex(h));
}

// A TCP port on 127.0.0.1 that was free a moment ago.
inline std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t length = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Waits until something accepts TCP connections on 127.0.0.1:port (a relay
// started on another thread binds a moment later; clients fail fast on a
// refused first connection, by design). Fails the test after 10 s.
inline void wait_until_listening(std::uint16_t port) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    const bool accepted = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (accepted) return;
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Runs body in a forked child process and waits for it: a second process
// writing the same LMDB file, as `relay purge` beside `relay serve`. True
// if body returned true; an exception in the child counts as false. The
// child ends with _exit, so it runs none of the parent's destructors.
inline bool succeeds_in_child(const std::function<bool()>& body) {
  const pid_t child = ::fork();
  if (child < 0) return false;
  if (child == 0) {
    int code = 1;
    try {
      if (body()) code = 0;
    } catch (...) {
    }
    ::_exit(code);
  }
  int status = 0;
  return ::waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// The number in a "<field>: <n> kB" line of /proc/self/status (VmRSS,
// VmHWM, RssFile, ...), or nullopt if the line is absent.
inline std::optional<std::uint64_t> proc_status_kib(std::string_view field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > field.size() && line.compare(0, field.size(), field) == 0 && line[field.size()] == ':') {
      return std::stoull(line.substr(field.size() + 1));
    }
  }
  return std::nullopt;
}

inline Bytes random_bytes(std::size_t n) {
  Bytes b(n);
  crypto::random_fill(b);
  return b;
}

}  // namespace meldpunt::test_support
