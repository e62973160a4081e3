// crypto::parse_card on arbitrary text, and on an arbitrary entry whose sign
// key slot (the 96..64 bytes before the end, see directory.hpp) is replaced
// by a fixed adviser key that then signs it, so mutations get past the
// self-signature into the entry validation. A card that parses must be
// re-made byte for byte.
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/keys.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  const auto& keys = fuzz::FixedKeys::get();
  (void)crypto::parse_card(std::string_view(reinterpret_cast<const char*>(data), size));

  if (size < 96 || size > 4096) return 0;
  Bytes entry(data, data + size);
  std::copy(keys.adviser_sign.pk.begin(), keys.adviser_sign.pk.end(), entry.end() - 96);
  Bytes body = entry;
  append(body, crypto::sign(crypto::kCardDomain, entry, keys.adviser_sign.sk));
  const std::string card = "mpcard1." + crypto::to_base64url(body);
  auto parsed = crypto::parse_card(card);
  if (!parsed) return 0;
  if (parsed->sign_pk != keys.adviser_sign.pk) std::abort();
  if (crypto::make_card(*parsed, keys.adviser_sign.sk) != card) std::abort();
  return 0;
}
