#include "meldpunt/crypto/sign.hpp"

#include <sodium.h>

#include <stdexcept>

namespace meldpunt::crypto {

namespace {

// domain || 0x00 || message. The NUL cannot occur inside an ASCII domain
// label, so no two (domain, message) pairs produce the same signed bytes.
Bytes signed_bytes(std::string_view domain, ByteView message) {
  if (domain.find('\0') != std::string_view::npos) {
    throw std::invalid_argument("signature domain must not contain NUL");
  }
  Bytes out;
  out.reserve(domain.size() + 1 + message.size());
  append(out, as_bytes(domain));
  out.push_back(0x00);
  append(out, message);
  return out;
}

}  // namespace

SigningKeyPair SigningKeyPair::generate() {
  SigningKeyPair kp;
  crypto_sign_keypair(kp.pk.data(), kp.sk.data());
  return kp;
}

SigningKeyPair SigningKeyPair::from_seed(const Secret<kEd25519SeedBytes>& seed) {
  SigningKeyPair kp;
  crypto_sign_seed_keypair(kp.pk.data(), kp.sk.data(), seed.data());
  return kp;
}

Signature sign(std::string_view domain, ByteView message, const Secret<kEd25519SecretBytes>& sk) {
  const Bytes m = signed_bytes(domain, message);
  Signature sig{};
  crypto_sign_detached(sig.data(), nullptr, m.data(), m.size(), sk.data());
  return sig;
}

bool verify(std::string_view domain, ByteView message, const Signature& sig,
            const Ed25519PublicKey& pk) {
  if (domain.find('\0') != std::string_view::npos) return false;
  const Bytes m = signed_bytes(domain, message);
  return crypto_sign_verify_detached(sig.data(), m.data(), m.size(), pk.data()) == 0;
}

}  // namespace meldpunt::crypto
