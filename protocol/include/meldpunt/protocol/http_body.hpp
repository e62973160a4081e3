// The body of the relay's HTTP door (docs/PROTOCOL.md, "HTTP door"): one
// relay request or reply, its frames each encoded as
//   u32-LE length || bytes
// and concatenated, nothing before, between or after them.
//
// The relay decodes request bodies from anonymous HTTP clients, so the
// decoder bounds everything before it trusts it: at most kMaxRequestFrames
// frames, each at most kMaxRequestFrameBytes, the whole body at most
// kMaxHttpBodyBytes. It returns views into the body (no copy), never throws.
#pragma once

#include <cstdint>
#include <vector>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/protocol/wire.hpp"

namespace meldpunt::protocol {

// Largest request body: the same bound the front door puts on one request
// framed under CurveZMQ (4,459,262 bytes), so neither door admits a request
// the other would refuse for its size, and 50 frames of 262144 bytes do not
// fit (the largest valid request has only 17 large frames).
inline constexpr std::uint64_t kMaxHttpBodyBytes = 4'459'262;
inline constexpr std::size_t kHttpFrameHeaderBytes = 4;

enum class HttpBodyError : std::uint8_t {
  kNone = 0,
  kMalformed = 1,  // truncated header or frame, no frame at all: HTTP 400
  kTooLarge = 2,   // too many frames, a frame or the body too large: HTTP 413
};

struct DecodedHttpBody {
  HttpBodyError error = HttpBodyError::kNone;
  std::vector<ByteView> frames;  // views into the body; empty unless error == kNone
};

// Splits a request body into its frames. An empty body, or one that ends
// inside a length or a frame, is kMalformed; more than kMaxRequestFrames
// frames, a frame over kMaxRequestFrameBytes or a body over
// kMaxHttpBodyBytes is kTooLarge (checked before anything is kept).
DecodedHttpBody decode_http_body(ByteView body);

// Encodes frames (a reply, or a request for a test or a client) as a body.
Bytes encode_http_body(const Frames& frames);
Bytes encode_http_body(const std::vector<ByteView>& frames);

// The same encoding into a buffer the caller owns (the relay's door hands
// it to its HTTP library as it is): encoded_http_body_size(frames) bytes,
// which `out` must hold exactly.
std::size_t encoded_http_body_size(const std::vector<ByteView>& frames);
void encode_http_body_into(const std::vector<ByteView>& frames, std::uint8_t* out, std::size_t out_size);

// The room the relay's door keeps for the answer to a request whose first
// frame is `header`, before it hands the request on (docs/PROTOCOL.md
// "POST /api"): the largest encoded reply the relay can send to it. That is
// the operation's largest ok reply for every operation whose answer is
// small and bounded (deposit 326 bytes, get-prekeys 58380, get-policy 139,
// upload-prekeys, delete, publish-directory), and an error reply's
// (kMaxEncodedErrorReply) for anything else: the read-only get-directory,
// fetch and get-message, whose answers may be large, and requests the relay
// refuses (unknown operation or version, a header not of 2 bytes).
inline constexpr std::size_t kMaxEncodedErrorReply = 2 * kHttpFrameHeaderBytes + 2 + kMaxErrorText;
std::size_t reserved_reply_bytes(ByteView header);

}  // namespace meldpunt::protocol
