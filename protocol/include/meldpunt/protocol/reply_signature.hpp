// The adviser's signature on a reply (kind-2 letter, letter.hpp), so that a
// reply the reporter's client forwards later (in a history letter, kinds 5
// and 9) can be checked by its reader against the directory.
//
//   signature = Ed25519 by the replying adviser's directory signing key,
//               domain kReplyDomain ("meldpunt/v1/reply"), over the statement
//               adviser id (16) || reporter message pk (32) || sent_at u64 LE || body
//
// The envelope already authenticates a reply to the reporter (sealed sender,
// the adviser's X25519 message key), but that proof is for the reporter alone
// and cannot be shown to anyone else; the signature can. Bound to the
// reporter's key, a reply cannot be moved into another reporter's
// conversation; bound to the time and the body, it cannot be redated or
// altered. The body is last, so the statement needs no length field.
#pragma once

#include <cstdint>
#include <string_view>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/secret.hpp"
#include "meldpunt/crypto/sign.hpp"

namespace meldpunt::protocol {

inline constexpr std::string_view kReplyDomain = "meldpunt/v1/reply";

// What the replying adviser signs (in wiped memory: it holds the body).
crypto::SecretBuffer reply_statement(const crypto::AdviserId& adviser,
                                     const crypto::X25519PublicKey& reporter_message_pk, std::uint64_t sent_at,
                                     ByteView body);

crypto::Signature sign_reply(const crypto::AdviserId& adviser, const crypto::X25519PublicKey& reporter_message_pk,
                             std::uint64_t sent_at, ByteView body,
                             const crypto::Secret<crypto::kEd25519SecretBytes>& sign_sk);

// Replies without a signature come from adviser programs from before
// signing, or from someone who holds an adviser's X25519 message key but not
// its signing key (key-compromise impersonation). Such programs cannot fetch
// from a relay that sends the id list with a fetch answer, so after the
// upgrade every new reply is signed and the unsigned ones left at the relay
// expire within the retention (at most 67 days). From this date (2027-03-01
// 00:00 UTC, by the reader's clock) a reporter's client refuses unsigned
// replies instead of showing them marked NOT SIGNED.
inline constexpr std::uint64_t kUnsignedReplyCutoff = 1803859200;
[[nodiscard]] constexpr bool unsigned_replies_accepted(std::uint64_t now_unix_seconds) {
  return now_unix_seconds < kUnsignedReplyCutoff;
}

[[nodiscard]] bool verify_reply(const crypto::AdviserId& adviser, const crypto::X25519PublicKey& reporter_message_pk,
                                std::uint64_t sent_at, ByteView body, const crypto::Signature& signature,
                                const crypto::Ed25519PublicKey& adviser_sign_pk);

}  // namespace meldpunt::protocol
