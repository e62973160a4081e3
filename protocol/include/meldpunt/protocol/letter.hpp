// Letters: the plaintext inside an envelope (never seen by the relay).
//
//   letter = version u8 (2) || kind u8 || sent_at u64 LE (unix seconds)
//            || directory serial u64 LE (the highest directory serial the
//               sender had seen; 0: none)
//            || adviser id (16) || reporter fetch pk (32) || delete token (32)
//            || recipient count u8 || recipient ids (count * 16)
//            || body length u32 LE || body
//            || [kind 2 only: signature block = block version u8 (1)
//                || Ed25519 signature (64), see protocol/reply_signature.hpp]
//            version 3 only, before any signature block: file count u8
//            (1..kMaxLetterFiles) || count * file key entry
//   file key entry = file id (16) || total size u64 LE || piece count u16 LE
//            || digest (32) || key seed (32) || name length u8 (1..255) || name
//   Version 1 (written before the serial existed) lacks the serial and is
//   read with serial 0. Letters are written as version 2, or as version 3
//   when they announce files (kinds 1, 2 and 3 only; docs/PROTOCOL.md,
//   "Attachments"): each file's pieces are sealed once, to the keys derived
//   from its seed (crypto::derive_file_keys), and every reader learns the
//   seed from its own letter, so the number of pieces does not depend on
//   the number of readers. The reporter's own copy (kind 3) carries a zero
//   seed: it needs only name, size and digest. The signature
//   block has a version of its own: a kind-2 letter without it (written
//   before replies were signed) still decodes, with no signature.
//
//   kind 1 report     reporter -> adviser. adviser id = the adviser this copy
//                     is for; reporter fetch pk = where replies go;
//                     recipients = every adviser the reporter wrote to.
//   kind 2 reply      adviser -> reporter. adviser id = the replying adviser;
//                     reporter fetch pk and recipients unused (zero, 0).
//   kind 3 sent copy  reporter -> the reporter's own key: the reporter keeps
//                     no files, so its own messages are kept at the relay
//                     like everything else; recipients as in kind 1.
//   kind 4 rotate     reporter -> adviser: the reporter moved the conversation
//                     to a new code. Sealed by the OLD reporter message key
//                     (so the adviser finds the case by the envelope's
//                     sender); adviser id = the adviser this copy is for;
//                     reporter fetch pk = the NEW fetch pk; recipients = the
//                     advisers of the conversation; body = exactly the NEW
//                     reporter message pk (32 bytes).
//   kind 5 history    reporter -> the reporter's NEW key, written by
//                     `rotate`: sealed by the new message key; reporter fetch
//                     pk = the new fetch pk; recipients = the advisers of the
//                     conversation; body = the conversation so far in the
//                     history format below, so the new code shows it all.
//
//   kind 6 attachment one piece of a file: reporter -> adviser (fields as in
//                     kind 1), adviser -> reporter (fields as in kind 2), or
//                     the reporter's own copy (as kind 3); body = an
//                     attachment chunk (protocol/attachment.hpp).
//   kind 7 hand-over  adviser -> reporter: the adviser proposes to hand the
//          proposal   case to another adviser of the directory. adviser id =
//                     the proposing adviser; body = a proposal
//                     (protocol/handover.hpp). Nothing changes until the
//                     reporter answers.
//   kind 8 hand-over  reporter -> the proposing adviser, and a copy to the
//          answer     reporter's own key: accepted or declined. adviser id =
//                     the proposing adviser; recipients = the advisers who
//                     receive the reporter's messages from now on; body = an
//                     answer (protocol/handover.hpp).
//   kind 9 hand-over  reporter -> the new adviser, only after the reporter
//          history    accepted: the conversation so far. adviser id = the
//                     new adviser; reporter fetch pk = where replies go;
//                     recipients as in kind 8; body = a history (below).
//
//   history = version u8 (2) || flags u8 (bit 0: older entries were left out
//             to fit; other bits 0) || count u16 LE || count * entry
//   entry   = sent_at u64 LE || from u8 (1 reporter, 2 adviser)
//             || adviser id (16; the replying adviser, zero for the reporter)
//             || recipient count u8 || recipient ids (count * 16; the
//             reporter's entries only) || body length u32 LE || body
//             || signed u8 (0 no, 1 yes; adviser entries only)
//             || if signed: reporter message pk (32; the key the reply was
//                addressed to) || signature (64; the adviser's, as in the reply)
//             || file count u8 (<= kMaxHistoryFileNotes) || count * file note
//   file note = size u64 LE || digest (32) || name length u8 (1..255) || name
//             (a file the message had, which the history does not carry)
//   Version 1 entries end after the body (no signature, no file notes).
//
// The sender is not in the letter: the envelope authenticates the sender's
// X25519 key (sealed sender), and the recipient maps it to an adviser through
// the signed directory or to a case through the reporter's message key.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/common/result.hpp"
#include "meldpunt/common/tagged_bytes.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/derive.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/hash.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::protocol {

inline constexpr std::uint8_t kLetterVersion = 2;
inline constexpr std::uint8_t kLetterVersionWithoutSerial = 1;
inline constexpr std::uint8_t kLetterVersionWithFiles = 3;
// At most this many files per letter (a reporter's message or a reply).
inline constexpr std::size_t kMaxLetterFiles = 8;
inline constexpr std::size_t kFileEntryFixedBytes = 16 + 8 + 2 + crypto::kFileDigestBytes + crypto::kFileKeySeedBytes + 1;
inline constexpr std::size_t kMaxFileEntryNameBytes = 255;
inline constexpr std::size_t kLetterHeaderBytes = 1 + 1 + 8 + 8 + 16 + 32 + 32 + 1;
inline constexpr std::size_t kMaxRecipients = crypto::kMaxDirectoryEntries;

enum class LetterKind : std::uint8_t {
  kReport = 1,
  kReply = 2,
  kSentCopy = 3,
  kRotate = 4,
  kHistory = 5,
  kAttachmentChunk = 6,
  kHandoverProposal = 7,
  kHandoverAnswer = 8,
  kHandoverHistory = 9,
};
inline constexpr std::uint8_t kMaxLetterKind = static_cast<std::uint8_t>(LetterKind::kHandoverHistory);

// The signature block after a kind-2 body (the replying adviser's signature,
// protocol/reply_signature.hpp). Its own version, apart from the letter's.
inline constexpr std::uint8_t kLetterSignatureVersion = 1;
inline constexpr std::size_t kLetterSignatureBytes = 1 + crypto::kSignatureBytes;

// The body of a kind-4 letter: the new reporter message public key.
inline constexpr std::size_t kRotateBodyBytes = crypto::kX25519KeyBytes;

// A file's random id, the same in its announcement and in each of its pieces
// (attachment.hpp).
inline constexpr std::size_t kAttachmentFileIdBytes = 16;
struct AttachmentFileIdTag;
using AttachmentFileId = TaggedBytes<AttachmentFileIdTag, kAttachmentFileIdBytes>;

// A file a version 3 letter announces: what it is, and the seed of the keys
// its pieces are sealed to (crypto::derive_file_keys).
struct FileEntry {
  AttachmentFileId file_id{};
  std::uint64_t total_bytes = 0;
  std::uint16_t count = 0;  // = attachment_piece_count(total_bytes)
  crypto::FileDigest digest{};
  crypto::Secret<crypto::kFileKeySeedBytes> key_seed;  // all zero in the reporter's own copy
  crypto::SecretBuffer name;                           // 1..255 bytes, as the sender gave it: sanitise before use
};

struct Letter {
  LetterKind kind = LetterKind::kReport;
  std::uint64_t sent_at = 0;
  // The highest adviser-directory serial the sender had seen when writing.
  // The reporter keeps no files: its own letters carry this to its later
  // runs, which refuse an older directory (client/directory_check.hpp).
  std::uint64_t directory_serial = 0;
  crypto::AdviserId adviser_id{};
  crypto::FetchPublicKey reporter_fetch_pk{};
  FixedBytes<32> delete_token{};  // the recipient presents it to delete this message at the relay
  std::vector<crypto::AdviserId> recipients;
  crypto::SecretBuffer body;  // UTF-8 text, or the kind's own format (above)
  // Kind 2 only: the replying adviser's signature over the reply
  // (protocol/reply_signature.hpp); none in replies written before signing.
  std::optional<crypto::Signature> signature;
  // Kinds 1, 2 and 3 only: the files this letter announces (version 3).
  std::vector<FileEntry> files;
};

// Bytes the file block of a letter announcing `files` takes (0 for none).
std::size_t file_block_bytes(const std::vector<FileEntry>& files);

// Encoded size of a letter with this many recipients and body bytes (and a
// file block of `file_bytes`, from file_block_bytes).
std::size_t letter_bytes(std::size_t recipients, std::size_t body_bytes, std::size_t file_bytes = 0);
// Largest body that fits the largest envelope with a given recipient count.
std::size_t max_body_bytes(std::size_t recipients);
// Largest body of a signed kind-2 reply (the signature block takes room).
inline std::size_t max_reply_body_bytes() { return max_body_bytes(0) - kLetterSignatureBytes; }

// Throws std::invalid_argument for a signature on a letter that is not kind 2,
// or files the decoder would refuse (kind, count, sizes, names, ids).
crypto::SecretBuffer encode_letter(const Letter& letter);
// kMalformed on any inconsistency (unknown kind, counts, lengths, trailing
// bytes other than one signature block after a kind-2 body; in version 3 a
// file count of 0 or over kMaxLetterFiles, files in another kind than 1, 2
// or 3, a total of 0 or over 64 MiB, a piece count that does not follow
// from the total, an empty name, two entries with one file id or one seed).
Result<Letter> decode_letter(ByteView bytes);

// ---- history (the body of a kind-5 letter) ----

inline constexpr std::uint8_t kHistoryVersion = 2;
inline constexpr std::uint8_t kHistoryVersionWithoutSignatures = 1;
inline constexpr std::uint8_t kHistoryTruncated = 0x01;
inline constexpr std::size_t kHistoryHeaderBytes = 1 + 1 + 2;
inline constexpr std::size_t kMaxHistoryEntries = 0xFFFF;
inline constexpr std::size_t kMaxHistoryFileNotes = 64;
inline constexpr std::size_t kMaxFileNoteNameBytes = 255;

// A file a message of the conversation had, which the history does not
// carry: what the reader is told about it.
struct FileNote {
  std::uint64_t total_bytes = 0;
  crypto::FileDigest digest{};
  crypto::SecretBuffer name;  // as the sender named it (1..255 bytes); sanitise before use
};

// A list of file notes as a history entry ends (file count || count * file
// note, above); the adviser's store keeps them in the same form.
// append_file_notes throws std::length_error for too many notes or an empty
// or too long name (programmer errors); take_file_notes replaces `notes` and
// returns false on any inconsistency (the reader's position is then
// unspecified), never throwing on untrusted bytes.
void append_file_notes(crypto::SecretBuffer& out, const std::vector<FileNote>& notes);
[[nodiscard]] bool take_file_notes(ByteReader& reader, std::vector<FileNote>& notes);

// An adviser entry's signature as the reply carried it, with the reporter
// key it was made for (the conversation's key then: a reply from before a
// `rotate` was signed for the earlier code's key).
struct EntrySignature {
  crypto::X25519PublicKey reporter_message_pk{};
  crypto::Signature signature{};
};

struct HistoryEntry {
  std::uint64_t sent_at = 0;
  bool from_reporter = false;
  crypto::AdviserId adviser_id{};             // the replying adviser (adviser entries)
  std::vector<crypto::AdviserId> recipients;  // whom the reporter wrote to (reporter entries)
  crypto::SecretBuffer body;
  std::optional<EntrySignature> signature;  // version 2, adviser entries only
  std::vector<FileNote> files;              // version 2
};

struct History {
  // Written as kHistoryVersion; a decoded version 1 history keeps its version
  // (and so encodes back to the same bytes) and has no signatures or notes.
  std::uint8_t version = kHistoryVersion;
  bool truncated = false;  // older entries were left out to fit one letter
  std::vector<HistoryEntry> entries;
};

// Encoded size of one entry in a version 2 history (so a caller can choose
// what fits a letter).
std::size_t history_entry_bytes(const HistoryEntry& entry);
// Throws std::length_error if there are more than kMaxHistoryEntries entries,
// an entry has more than kMaxRecipients recipients or kMaxHistoryFileNotes
// notes, a note's name is empty or over kMaxFileNoteNameBytes, or a version 1
// history holds signatures or notes (programmer errors).
crypto::SecretBuffer encode_history(const History& history);
// kMalformed on any inconsistency; never throws on untrusted bytes.
Result<History> decode_history(ByteView bytes);

}  // namespace meldpunt::protocol
