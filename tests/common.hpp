// Helpers shared by the test files.
#pragma once

#include <filesystem>
#include <string>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/crypto/random.hpp"

namespace meldpunt::testing {

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

 private:
  std::filesystem::path path_;
};

inline Bytes random_bytes(std::size_t n) {
  Bytes b(n);
  crypto::random_fill(b);
  return b;
}

}  // namespace meldpunt::testing
