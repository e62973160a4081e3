// Clues at the relay (is_valid_clue, blind_clue) and fetch entries at the
// recipient (recognise), on arbitrary points. Input: clue (64) || entry (64)
// || message id (16), missing bytes zero.
#include <algorithm>

#include "fuzz_common.hpp"
#include "meldpunt/crypto/clue.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  const auto& keys = fuzz::FixedKeys::get();
  std::array<std::uint8_t, 64 + 64 + 16> in{};
  std::copy_n(data, std::min(size, in.size()), in.begin());
  crypto::Clue clue{};
  crypto::FetchEntry entry{};
  crypto::MessageId id{};
  std::copy_n(in.begin(), 64, clue.begin());
  std::copy_n(in.begin() + 64, 64, entry.begin());
  std::copy_n(in.begin() + 128, 16, id.begin());

  const bool valid = crypto::is_valid_clue(clue);
  auto blinded = crypto::blind_clue(clue, id);
  if (valid != blinded.ok()) std::abort();  // the relay validates at deposit exactly what blinding needs
  if (blinded) {
    // A valid clue made for our key must come back as our id; any other is noise.
    auto mine = crypto::recognise(*blinded, keys.reporter.fetch_sk);
    if (mine && *mine != id) std::abort();
  }
  (void)crypto::recognise(entry, keys.reporter.fetch_sk);
  return 0;
}
