// relay::ZmtpScanner (the front door's view of a client's or the relay's
// byte stream) on arbitrary bytes. Input: one byte choosing the side (bit 0)
// and the chunk size (bits 1-7, 1..128 bytes), then the stream. Beyond "no
// crash": chunked and whole-input scans see the same events, offsets only
// grow, and no frame beyond the limits is ever reported.
#include <cstdlib>
#include <vector>

#include "zmtp_scanner.hpp"

namespace {

using meldpunt::ByteView;
using meldpunt::relay::ZmtpScanner;

struct Seen {
  std::vector<std::uint64_t> events;  // offset * 4 + event
  std::string error;
};

ZmtpScanner::Limits limits() {
  ZmtpScanner::Limits l;
  l.max_message_body = 300'000;
  return l;
}

Seen scan(ZmtpScanner::Side side, ByteView stream, std::size_t chunk) {
  ZmtpScanner scanner(side, limits());
  Seen seen;
  std::size_t at = 0;
  std::uint64_t last = 0;
  while (at < stream.size()) {
    const std::size_t n = std::min(chunk, stream.size() - at);
    std::size_t used = 0;
    while (used < n) {
      const ZmtpScanner::Step step = scanner.scan(stream.subspan(at + used, n - used));
      if (step.consumed > n - used || scanner.offset() < last) std::abort();
      last = scanner.offset();
      used += step.consumed;
      if (step.event == ZmtpScanner::Event::kNeedMore) {
        if (used != n) std::abort();
        break;
      }
      seen.events.push_back(scanner.offset() * 4 + static_cast<std::uint64_t>(step.event));
      if (step.event == ZmtpScanner::Event::kError) {
        seen.error = scanner.error();
        return seen;
      }
      if (step.event == ZmtpScanner::Event::kFrame) {
        const ZmtpScanner::Frame& f = scanner.frame();
        if (f.total < f.body + 2 || f.start >= scanner.offset()) std::abort();
        if (f.command ? f.body > limits().max_command_body : f.body > limits().max_message_body) std::abort();
        if (!f.command && f.body < meldpunt::relay::kCurveMessageOverhead) std::abort();
      }
    }
    at += n;
  }
  return seen;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const auto side = (data[0] & 1) != 0 ? ZmtpScanner::Side::kServer : ZmtpScanner::Side::kClient;
  const std::size_t chunk = 1 + (data[0] >> 1);
  const ByteView stream(data + 1, size - 1);
  const Seen whole = scan(side, stream, stream.size() + 1);
  const Seen chunked = scan(side, stream, chunk);
  if (whole.events != chunked.events || whole.error != chunked.error) std::abort();
  return 0;
}
