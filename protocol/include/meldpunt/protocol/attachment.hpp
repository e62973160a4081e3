// Attachments: a file travels as pieces, each the body of one kind-6 letter
// (protocol/letter.hpp), each piece's envelope exactly the largest size class
// (256 KiB), so the relay sees only uniform envelopes.
//
//   chunk = version u8 (1) || type u8 (1 piece, 2 description)
//           || file id (16, random per file) || index u16 LE || count u16 LE
//           || total size u64 LE (the file's bytes) || digest (32)
//           || name length u8 (1..255) || name (bytes as the sender gave them)
//           || piece only: data || zero padding
//
//   digest = BLAKE2b-256 of the whole file, unkeyed (`b2sum -l 256 FILE`).
//   count  = ceil(total / kAttachmentPieceDataBytes); 1 <= total <= kMaxAttachmentFileBytes.
//   piece  : index < count; data is kAttachmentPieceDataBytes long except in
//            the last piece, which holds the rest (the length is implied by
//            total and index, so it cannot disagree with them); the zero
//            padding makes every piece body exactly kAttachmentPieceBodyBytes
//            long, whatever the name and the data, so the last piece looks
//            like all the others.
//   description: index 0, no data, no padding. The reporter's own record of
//            a file it sent (kind 6 to its own key): the reporter keeps no
//            files and already has this one, so only what `check` shows
//            travels (name, size, digest), not a second copy of the file.
//
// Why 256 KiB pieces rather than 32 KiB: every stored envelope adds one clue
// to every fetch of every client (the fetch list grows with the number of
// stored messages, not their size), and every envelope is one more entry in
// a deposit of at most 16; 252 KiB of data per envelope keeps a 10 MiB file
// at 41 envelopes instead of 330. The cost is that a tiny file still takes a
// whole 256 KiB envelope.
//
// The decoder is strict (one file, one encoding: a chunk that decodes
// encodes back to the same bytes), bounded (total at most
// kMaxAttachmentFileBytes, so count is at most kMaxAttachmentPieces) and never
// throws on untrusted bytes. The name is untrusted: a receiver sanitises it
// (client/attachment.hpp) before showing or using it.
#pragma once

#include <cstdint>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/hash.hpp"
#include "meldpunt/crypto/secret.hpp"
#include "meldpunt/protocol/letter.hpp"

namespace meldpunt::protocol {

inline constexpr std::uint8_t kAttachmentChunkVersion = 1;
inline constexpr std::size_t kMaxAttachmentNameBytes = 255;
// version, type, file id, index, count, total, digest, name length.
inline constexpr std::size_t kAttachmentHeaderBytes = 1 + 1 + kAttachmentFileIdBytes + 2 + 2 + 8 + crypto::kFileDigestBytes + 1;
inline constexpr std::size_t kAttachmentPieceDataBytes = 252 * 1024;
inline constexpr std::size_t kAttachmentPieceBodyBytes =
    kAttachmentHeaderBytes + kMaxAttachmentNameBytes + kAttachmentPieceDataBytes;

// The receivers' own hard cap on one file, whatever a relay announces: a
// client holds a whole file in locked memory while it checks the digest.
inline constexpr std::uint64_t kMaxAttachmentFileBytes = 64ull << 20;  // 64 MiB
inline constexpr std::uint64_t kMaxAttachmentPieces =
    (kMaxAttachmentFileBytes + kAttachmentPieceDataBytes - 1) / kAttachmentPieceDataBytes;
static_assert(kMaxAttachmentPieces <= 0xFFFF, "a piece index must fit u16");

// A piece letter with the most recipients a letter can have still fits the
// largest envelope, and even the smallest piece letter is too large for the
// 32 KiB class: every piece travels in a 256 KiB envelope.
inline constexpr std::size_t kLargestPieceLetterBytes =
    kLetterHeaderBytes + kMaxRecipients * crypto::kAdviserIdBytes + 4 + kAttachmentPieceBodyBytes;
static_assert(kLargestPieceLetterBytes <= crypto::kMaxEnvelopePayload, "a piece letter must fit the largest envelope");
static_assert(kLetterHeaderBytes + 4 + kAttachmentPieceBodyBytes > crypto::envelope_capacity(crypto::kEnvelopeSizes[1]),
              "every piece letter must need the largest envelope class");

enum class ChunkType : std::uint8_t { kPiece = 1, kDescription = 2 };

struct AttachmentChunk {
  ChunkType type = ChunkType::kPiece;
  AttachmentFileId file_id{};
  std::uint16_t index = 0;
  std::uint16_t count = 0;
  std::uint64_t total_bytes = 0;
  crypto::FileDigest digest{};
  crypto::SecretBuffer name;  // a file's name says what it is about: secret
  crypto::SecretBuffer data;  // piece: attachment_piece_bytes(total_bytes, index) bytes; description: empty
};

// Pieces of a file of `total_bytes` (1..kMaxAttachmentFileBytes; 0 outside).
std::uint16_t attachment_piece_count(std::uint64_t total_bytes);
// Data bytes of piece `index` of such a file (0 if index >= the count).
std::size_t attachment_piece_bytes(std::uint64_t total_bytes, std::uint16_t index);

// Throws std::invalid_argument for a chunk the decoder would refuse
// (programmer error: the sender builds chunks with client::attachment_piece).
crypto::SecretBuffer encode_attachment_chunk(const AttachmentChunk& chunk);
// kMalformed on any inconsistency (version, type, sizes, counts, index,
// empty name, padding, trailing bytes); kTooLarge for a declared total above
// kMaxAttachmentFileBytes. Never throws on untrusted bytes and allocates no
// more than the input's own size.
Result<AttachmentChunk> decode_attachment_chunk(ByteView bytes);

}  // namespace meldpunt::protocol
