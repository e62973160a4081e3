#include "meldpunt/client/decoy.hpp"

#include <utility>

#include "meldpunt/crypto/identity.hpp"
#include "meldpunt/crypto/random.hpp"

namespace meldpunt::client {

Result<Outgoing> make_decoy(std::size_t size_class) {
  if (!crypto::is_envelope_size(size_class)) return Error{ErrorCode::kMalformed, "decoy: not a size class"};
  // The payload fills the class exactly, so seal_envelope picks this class.
  // No secret: ordinary memory, not the scarce locked kind.
  Bytes payload(crypto::envelope_capacity(size_class));
  crypto::random_fill(payload);

  const crypto::X25519KeyPair sender = crypto::X25519KeyPair::generate();
  const crypto::X25519KeyPair recipient = crypto::X25519KeyPair::generate();
  const crypto::X25519KeyPair medium = crypto::X25519KeyPair::generate();
  const crypto::FetchKeyPair fetch = crypto::FetchKeyPair::generate();

  crypto::SealRequest seal;
  seal.sender_sk = &sender.sk;
  seal.sender_pk = sender.pk;
  seal.recipient_pk = recipient.pk;
  seal.medium_pk = medium.pk;
  seal.payload = ByteView(payload);
  seal.min_size = size_class;
  auto envelope = crypto::seal_envelope(seal);
  if (!envelope) return envelope.error();
  auto clue = crypto::make_clue(fetch.pk);
  if (!clue) return clue.error();

  Outgoing out;
  out.clue = *clue;
  out.verifier = crypto::delete_verifier(crypto::Secret<32>::random());
  out.envelope = std::move(envelope).value();
  return out;
}

Status pad_with_decoys(std::vector<Outgoing>& items, std::size_t count, std::size_t size_class) {
  while (items.size() < count) {
    auto decoy = make_decoy(size_class);
    if (!decoy) return decoy.error();
    items.push_back(std::move(decoy).value());
  }
  return {};
}

void shuffle_envelopes(std::vector<Outgoing>& items) {
  for (std::size_t i = items.size(); i > 1; --i) {
    const std::size_t j = crypto::random_below(static_cast<std::uint32_t>(i));
    if (j != i - 1) std::swap(items[i - 1], items[j]);
  }
}

}  // namespace meldpunt::client
