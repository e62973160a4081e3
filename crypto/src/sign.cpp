#include "meldpunt/crypto/sign.hpp"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

namespace meldpunt::crypto {

namespace {

// domain || 0x00 || message. The NUL cannot occur inside an ASCII domain
// label, so no two (domain, message) pairs produce the same signed bytes.
// Wiped memory: a signed reply's message holds the reply's text.
SecretBuffer signed_bytes(std::string_view domain, ByteView message) {
  if (domain.find('\0') != std::string_view::npos) {
    throw std::invalid_argument("signature domain must not contain NUL");
  }
  SecretBuffer out(domain.size() + 1 + message.size());
  std::copy(domain.begin(), domain.end(), out.data());
  out.data()[domain.size()] = 0x00;
  std::copy(message.begin(), message.end(), out.data() + domain.size() + 1);
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
  const SecretBuffer m = signed_bytes(domain, message);
  Signature sig{};
  crypto_sign_detached(sig.data(), nullptr, m.data(), m.size(), sk.data());
  return sig;
}

bool verify(std::string_view domain, ByteView message, const Signature& sig,
            const Ed25519PublicKey& pk) {
  if (domain.find('\0') != std::string_view::npos) return false;
  const SecretBuffer m = signed_bytes(domain, message);
  return crypto_sign_verify_detached(sig.data(), m.data(), m.size(), pk.data()) == 0;
}

}  // namespace meldpunt::crypto
