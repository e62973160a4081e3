// Letters: the plaintext inside an envelope (never seen by the relay).
//
//   letter = version u8 (1) || kind u8 || sent_at u64 LE (unix seconds)
//            || adviser id (16) || reporter fetch pk (32) || delete token (32)
//            || recipient count u8 || recipient ids (count * 16)
//            || body length u32 LE || body
//
//   kind 1 report     reporter -> adviser. adviser id = the adviser this copy
//                     is for; reporter fetch pk = where replies go;
//                     recipients = every adviser the reporter wrote to.
//   kind 2 reply      adviser -> reporter. adviser id = the replying adviser;
//                     reporter fetch pk and recipients unused (zero, 0).
//   kind 3 sent copy  reporter -> the reporter's own key: the reporter keeps
//                     no files, so its own messages are kept at the relay
//                     like everything else; recipients as in kind 1.
//
// The sender is not in the letter: the envelope authenticates the sender's
// X25519 key (sealed sender), and the recipient maps it to an adviser through
// the signed directory or to a case through the reporter's message key.
#pragma once

#include <cstdint>
#include <vector>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::protocol {

inline constexpr std::uint8_t kLetterVersion = 1;
inline constexpr std::size_t kLetterHeaderBytes = 1 + 1 + 8 + 16 + 32 + 32 + 1;
inline constexpr std::size_t kMaxRecipients = crypto::kMaxDirectoryEntries;

enum class LetterKind : std::uint8_t { kReport = 1, kReply = 2, kSentCopy = 3 };

struct Letter {
  LetterKind kind = LetterKind::kReport;
  std::uint64_t sent_at = 0;
  crypto::AdviserId adviser_id{};
  crypto::FetchPublicKey reporter_fetch_pk{};
  FixedBytes<32> delete_token{};  // the recipient presents it to delete this message at the relay
  std::vector<crypto::AdviserId> recipients;
  crypto::SecretBuffer body;  // UTF-8 text
};

// Largest body that fits the largest envelope with a given recipient count.
std::size_t max_body_bytes(std::size_t recipients);

crypto::SecretBuffer encode_letter(const Letter& letter);
// kMalformed on any inconsistency (unknown kind, counts, lengths, trailing bytes).
Result<Letter> decode_letter(ByteView bytes);

}  // namespace meldpunt::protocol
