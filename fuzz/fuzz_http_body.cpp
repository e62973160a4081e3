// protocol::decode_http_body on arbitrary bytes: the body of POST /api,
// straight from an anonymous HTTP client. Beyond "no crash": a body that
// decodes keeps to every limit, its frames lie inside it in order and
// cover it exactly, and encoding them again (both encoders) gives the same
// bytes.
#include <cstdlib>

#include "fuzz_common.hpp"
#include "meldpunt/protocol/http_body.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  const ByteView body(data, size);
  const protocol::DecodedHttpBody decoded = protocol::decode_http_body(body);
  if (decoded.error != protocol::HttpBodyError::kNone) {
    if (!decoded.frames.empty()) std::abort();
    return 0;
  }
  if (size == 0 || size > protocol::kMaxHttpBodyBytes) std::abort();
  if (decoded.frames.empty() || decoded.frames.size() > protocol::kMaxRequestFrames) std::abort();
  std::size_t at = 0;
  for (const ByteView f : decoded.frames) {
    if (f.size() > protocol::kMaxRequestFrameBytes) std::abort();
    if (f.data() != data + at + protocol::kHttpFrameHeaderBytes) std::abort();
    at += protocol::kHttpFrameHeaderBytes + f.size();
  }
  if (at != size) std::abort();
  const Bytes again = protocol::encode_http_body(decoded.frames);
  if (again.size() != size || std::memcmp(again.data(), data, size) != 0) std::abort();
  // The door's encoder into its own buffer gives the same bytes.
  if (protocol::encoded_http_body_size(decoded.frames) != size) std::abort();
  Bytes into(size);
  protocol::encode_http_body_into(decoded.frames, into.data(), into.size());
  if (into != again) std::abort();
  return 0;
}
