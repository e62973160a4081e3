#include "meldpunt/protocol/attachment.hpp"

#include <algorithm>
#include <stdexcept>

namespace meldpunt::protocol {

std::uint16_t attachment_piece_count(std::uint64_t total_bytes) {
  if (total_bytes == 0 || total_bytes > kMaxAttachmentFileBytes) return 0;
  return static_cast<std::uint16_t>((total_bytes + kAttachmentPieceDataBytes - 1) / kAttachmentPieceDataBytes);
}

std::size_t attachment_piece_bytes(std::uint64_t total_bytes, std::uint16_t index) {
  const std::uint16_t count = attachment_piece_count(total_bytes);
  if (index >= count) return 0;
  if (index + 1 < count) return kAttachmentPieceDataBytes;
  return static_cast<std::size_t>(total_bytes - std::uint64_t{index} * kAttachmentPieceDataBytes);
}

namespace {

// The rules both directions share; an empty string means the chunk is fine.
const char* chunk_problem(ChunkType type, std::uint16_t index, std::uint16_t count, std::uint64_t total,
                          std::size_t name_bytes) {
  if (type != ChunkType::kPiece && type != ChunkType::kDescription) return "unknown attachment chunk type";
  if (total == 0) return "attachment of zero bytes";
  if (total > kMaxAttachmentFileBytes) return "attachment larger than the hard cap";
  if (count != attachment_piece_count(total)) return "attachment piece count does not match its size";
  if (index >= count) return "attachment piece index out of range";
  if (type == ChunkType::kDescription && index != 0) return "attachment description with an index";
  if (name_bytes == 0 || name_bytes > kMaxAttachmentNameBytes) return "attachment name length out of range";
  return "";
}

}  // namespace

crypto::SecretBuffer encode_attachment_chunk(const AttachmentChunk& chunk) {
  const std::string_view problem =
      chunk_problem(chunk.type, chunk.index, chunk.count, chunk.total_bytes, chunk.name.size());
  if (!problem.empty()) throw std::invalid_argument(std::string(problem));
  const std::size_t data_bytes =
      chunk.type == ChunkType::kPiece ? attachment_piece_bytes(chunk.total_bytes, chunk.index) : 0;
  if (chunk.data.size() != data_bytes) throw std::invalid_argument("attachment piece data of the wrong length");

  Bytes head;
  append_u8(head, kAttachmentChunkVersion);
  append_u8(head, static_cast<std::uint8_t>(chunk.type));
  append(head, chunk.file_id);
  append_u16_le(head, chunk.index);
  append_u16_le(head, chunk.count);
  append_u64_le(head, chunk.total_bytes);
  append(head, chunk.digest);
  append_u8(head, static_cast<std::uint8_t>(chunk.name.size()));

  crypto::SecretBuffer out;
  if (chunk.type == ChunkType::kPiece) {
    out = crypto::SecretBuffer(kAttachmentPieceBodyBytes);  // zero-filled: the padding
    std::copy(head.begin(), head.end(), out.data());
    std::copy(chunk.name.view().begin(), chunk.name.view().end(), out.data() + head.size());
    std::copy(chunk.data.view().begin(), chunk.data.view().end(), out.data() + head.size() + chunk.name.size());
  } else {
    out.append(head);
    out.append(chunk.name.view());
  }
  return out;
}

Result<AttachmentChunk> decode_attachment_chunk(ByteView bytes) {
  const Error bad{ErrorCode::kMalformed, "attachment chunk is malformed"};
  ByteReader reader(bytes);
  AttachmentChunk chunk;
  std::uint8_t version = 0, type = 0, name_bytes = 0;
  if (!reader.take_u8(version) || version != kAttachmentChunkVersion) return bad;
  if (!reader.take_u8(type) || !reader.take(chunk.file_id.bytes) || !reader.take_u16(chunk.index) ||
      !reader.take_u16(chunk.count) || !reader.take_u64(chunk.total_bytes) || !reader.take(chunk.digest.bytes) ||
      !reader.take_u8(name_bytes)) {
    return bad;
  }
  chunk.type = static_cast<ChunkType>(type);
  // The size first: an honest sender never declares more than the cap, and
  // nothing below is sized from an unchecked total.
  if (chunk.total_bytes > kMaxAttachmentFileBytes) {
    return Error{ErrorCode::kTooLarge, "attachment declares more than " +
                                           std::to_string(kMaxAttachmentFileBytes >> 20) + " MiB"};
  }
  if (*chunk_problem(chunk.type, chunk.index, chunk.count, chunk.total_bytes, name_bytes) != '\0') return bad;
  ByteView name;
  if (!reader.take(name_bytes, name)) return bad;
  if (chunk.type == ChunkType::kDescription) {
    if (!reader.at_end()) return bad;
    chunk.name = crypto::SecretBuffer::copy_of(name);
    return chunk;
  }
  if (bytes.size() != kAttachmentPieceBodyBytes) return bad;
  ByteView data;
  if (!reader.take(attachment_piece_bytes(chunk.total_bytes, chunk.index), data)) return bad;
  const ByteView padding = reader.rest();
  if (!std::all_of(padding.begin(), padding.end(), [](std::uint8_t b) { return b == 0; })) return bad;
  chunk.name = crypto::SecretBuffer::copy_of(name);
  chunk.data = crypto::SecretBuffer::copy_of(data);
  return chunk;
}

}  // namespace meldpunt::protocol
