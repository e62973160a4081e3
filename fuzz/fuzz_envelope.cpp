// crypto::open_envelope with a fixed recipient (long-term key and one held
// prekey). Seeds are real envelopes to that recipient, so mutations exercise
// every check after the size and version bytes; an envelope that opens must
// name the fixed sender.
#include "fuzz_common.hpp"
#include "meldpunt/crypto/envelope.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  const auto& keys = fuzz::FixedKeys::get();
  const crypto::PrekeyLookup lookup = [&](const crypto::X25519PublicKey& pk) -> const crypto::Secret<32>* {
    return pk == keys.prekey.pk ? &keys.prekey.sk : nullptr;
  };
  const ByteView envelope(data, size);
  auto opened = crypto::open_envelope(envelope, keys.adviser_message.sk, keys.adviser_message.pk, lookup);
  if (opened && opened->sender_pk != keys.sender.pk) std::abort();
  // Without prekey secrets (a reporter's mailbox): an envelope that needs one is kNotFound, never opened.
  auto without = crypto::open_envelope(envelope, keys.adviser_message.sk, keys.adviser_message.pk);
  if (without && (!opened || opened->prekey_pk)) std::abort();
  return 0;
}
