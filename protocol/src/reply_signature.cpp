#include "meldpunt/protocol/reply_signature.hpp"

namespace meldpunt::protocol {

crypto::SecretBuffer reply_statement(const crypto::AdviserId& adviser,
                                     const crypto::X25519PublicKey& reporter_message_pk, std::uint64_t sent_at,
                                     ByteView body) {
  Bytes head;
  append(head, adviser);
  append(head, reporter_message_pk);
  append_u64_le(head, sent_at);
  crypto::SecretBuffer out = crypto::SecretBuffer::copy_of(ByteView(head.data(), head.size()));
  out.append(body);
  return out;
}

crypto::Signature sign_reply(const crypto::AdviserId& adviser, const crypto::X25519PublicKey& reporter_message_pk,
                             std::uint64_t sent_at, ByteView body,
                             const crypto::Secret<crypto::kEd25519SecretBytes>& sign_sk) {
  return crypto::sign(kReplyDomain, reply_statement(adviser, reporter_message_pk, sent_at, body).view(), sign_sk);
}

bool verify_reply(const crypto::AdviserId& adviser, const crypto::X25519PublicKey& reporter_message_pk,
                  std::uint64_t sent_at, ByteView body, const crypto::Signature& signature,
                  const crypto::Ed25519PublicKey& adviser_sign_pk) {
  return crypto::verify(kReplyDomain, reply_statement(adviser, reporter_message_pk, sent_at, body).view(), signature,
                        adviser_sign_pk);
}

}  // namespace meldpunt::protocol
