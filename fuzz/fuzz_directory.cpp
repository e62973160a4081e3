// crypto::verify_directory. The signature check comes first, so random bytes
// never reach the body parser; the target therefore also signs the input as
// a body with the fixed organisation key and verifies that, which fuzzes the
// structure and bounds checks as a forger holding the key would. A directory
// that verifies must sign back to the same bytes.
#include <algorithm>

#include "fuzz_common.hpp"
#include "meldpunt/crypto/directory.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  const auto& keys = fuzz::FixedKeys::get();
  const ByteView input(data, size);
  (void)crypto::verify_directory(input, keys.org.pk);

  if (size > crypto::kMaxSignedDirectoryBytes) return 0;
  Bytes signed_bytes(input.begin(), input.end());
  append(signed_bytes, crypto::sign(crypto::kDirectoryDomain, input, keys.org.sk));
  auto directory = crypto::verify_directory(signed_bytes, keys.org.pk);
  if (!directory) return 0;
  auto again = crypto::sign_directory(*directory, keys.org);
  if (!again || *again != signed_bytes) std::abort();  // Ed25519 signatures are deterministic
  return 0;
}
