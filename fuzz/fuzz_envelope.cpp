// crypto::open_envelope with a fixed recipient (long-term key, one held
// one-time prekey and one held medium-term prekey). Seeds are real envelopes
// to that recipient (versions 1 and 2), so mutations exercise every check
// after the size and version bytes; an envelope that opens must name the
// fixed sender, and only the prekeys it was given.
#include "fuzz_common.hpp"
#include "meldpunt/crypto/envelope.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  const auto& keys = fuzz::FixedKeys::get();
  crypto::PrekeyLookups lookup;
  lookup.one_time = [&](const crypto::PrekeyId& id) -> const crypto::Secret<32>* {
    return id == crypto::prekey_id(keys.prekey.pk) ? &keys.prekey.sk : nullptr;
  };
  lookup.medium = [&](const crypto::PrekeyId& id) -> const crypto::Secret<32>* {
    return id == crypto::prekey_id(keys.medium.pk) ? &keys.medium.sk : nullptr;
  };
  const ByteView envelope(data, size);
  auto opened = crypto::open_envelope(envelope, keys.adviser_message.sk, keys.adviser_message.pk, lookup);
  if (opened && opened->sender_pk != keys.sender.pk) std::abort();
  if (opened && opened->prekey_pk && *opened->prekey_pk != keys.prekey.pk) std::abort();
  if (opened && opened->medium_pk && *opened->medium_pk != keys.medium.pk) std::abort();
  // Without prekey secrets (a reporter's mailbox): an envelope that needs one is kNotFound, never opened.
  auto without = crypto::open_envelope(envelope, keys.adviser_message.sk, keys.adviser_message.pk);
  if (without && (!opened || opened->prekey_pk || opened->medium_pk)) std::abort();
  return 0;
}
