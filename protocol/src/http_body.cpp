#include "meldpunt/protocol/http_body.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace meldpunt::protocol {
namespace {

template <typename FrameList>
Bytes encode(const FrameList& frames) {
  std::size_t total = 0;
  for (const auto& f : frames) total += kHttpFrameHeaderBytes + f.size();
  Bytes out;
  out.reserve(total);
  for (const auto& f : frames) {
    // Replies carry a fetch answer of up to 512 MiB (64 bytes per stored
    // message, bounded by the message quota), far below 4 GiB.
    append_u32_le(out, static_cast<std::uint32_t>(f.size()));
    append(out, ByteView(f.data(), f.size()));
  }
  return out;
}

}  // namespace

DecodedHttpBody decode_http_body(ByteView body) {
  DecodedHttpBody result;
  if (body.size() > kMaxHttpBodyBytes) {
    result.error = HttpBodyError::kTooLarge;
    return result;
  }
  if (body.empty()) {
    result.error = HttpBodyError::kMalformed;
    return result;
  }
  std::size_t at = 0;
  std::vector<ByteView> frames;
  while (at < body.size()) {
    if (frames.size() == kMaxRequestFrames) {
      result.error = HttpBodyError::kTooLarge;
      return result;
    }
    if (body.size() - at < kHttpFrameHeaderBytes) {
      result.error = HttpBodyError::kMalformed;
      return result;
    }
    const std::uint32_t length = read_u32_le(body.data() + at);
    at += kHttpFrameHeaderBytes;
    if (length > kMaxRequestFrameBytes) {
      result.error = HttpBodyError::kTooLarge;
      return result;
    }
    if (body.size() - at < length) {
      result.error = HttpBodyError::kMalformed;
      return result;
    }
    frames.push_back(body.subspan(at, length));
    at += length;
  }
  result.frames = std::move(frames);
  return result;
}

Bytes encode_http_body(const Frames& frames) { return encode(frames); }
Bytes encode_http_body(const std::vector<ByteView>& frames) { return encode(frames); }

std::size_t encoded_http_body_size(const std::vector<ByteView>& frames) {
  std::size_t total = 0;
  for (const ByteView& f : frames) total += kHttpFrameHeaderBytes + f.size();
  return total;
}

void encode_http_body_into(const std::vector<ByteView>& frames, std::uint8_t* out, std::size_t out_size) {
  std::size_t at = 0;
  for (const ByteView& f : frames) {
    if (out_size - at < kHttpFrameHeaderBytes + f.size()) throw std::length_error("http body: buffer too small");
    const auto length = static_cast<std::uint32_t>(f.size());
    for (std::size_t i = 0; i < kHttpFrameHeaderBytes; ++i) out[at + i] = static_cast<std::uint8_t>(length >> (8 * i));
    at += kHttpFrameHeaderBytes;
    if (!f.empty()) std::memcpy(out + at, f.data(), f.size());
    at += f.size();
  }
  if (at != out_size) throw std::length_error("http body: buffer of the wrong size");
}

std::size_t reserved_reply_bytes(ByteView header) {
  // An ok reply: its header frame, then its fields.
  const auto ok = [](std::initializer_list<std::size_t> fields) {
    std::size_t total = kHttpFrameHeaderBytes + 2;
    for (std::size_t f : fields) total += kHttpFrameHeaderBytes + f;
    return total;
  };
  std::size_t largest_ok = 0;
  if (header.size() == 2 && header[0] == kWireVersion) {
    switch (static_cast<Op>(header[1])) {
      case Op::kDeposit:  // one id (16) per deposited envelope
        largest_ok = ok({}) + kMaxDepositsPerRequest * (kHttpFrameHeaderBytes + 16);
        break;
      case Op::kGetPrekeys:  // u16 count, then count entries: the wire allows 256 (the relay sends ≤ 64)
        largest_ok = ok({2 + 256 * kBundleEntryBytes});
        break;
      case Op::kGetPolicy:  // challenge, difficulty, two u32, five u64 of which one is three
        largest_ok = ok({32, 1, 4, 4, 8, 8, 8, 3 * 8, 8});
        break;
      case Op::kUploadPrekeys:  // prekeys now held (u32)
        largest_ok = ok({4});
        break;
      case Op::kDelete:
      case Op::kPublishDirectory:
        largest_ok = ok({});
        break;
      default:  // get-directory, fetch, get-message: read-only, their room is taken with the answer
        break;
    }
  }
  return std::max(largest_ok, kMaxEncodedErrorReply);
}

}  // namespace meldpunt::protocol
