// The HTTP door's check of a request head before libmicrohttpd reads it
// (relay/http_head.hpp), and the door's one-buffer answer encoder
// (protocol/http_body.hpp). Through the door: tests/integration/
// test_http_door.py (every answer's headers, malformed heads included).
#include <catch2/catch.hpp>

#include <string>

#include "http_head.hpp"
#include "meldpunt/protocol/http_body.hpp"

using namespace meldpunt;
using relay::HeadVerdict;

namespace {

relay::HeadCheck check(const std::string& text) {
  return relay::check_http_head(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

}  // namespace

TEST_CASE("http head: what browsers and proxies send passes", "[relay][http]") {
  CHECK(check("GET / HTTP/1.1\r\nHost: x\r\n\r\n").verdict == HeadVerdict::kOk);
  CHECK(check("GET /app.js?v=1 HTTP/1.0\r\n\r\n").verdict == HeadVerdict::kOk);
  const std::string post =
      "POST /api HTTP/1.1\r\nHost: abc.onion\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n"
      "Accept-Language: nl,en;q=0.5\r\nContent-Type: application/octet-stream\r\nContent-Length: 6\r\n"
      "X-Empty:\r\nX-Tab:\t\xc3\xa9\r\n\r\n";
  CHECK(check(post).verdict == HeadVerdict::kOk);
  CHECK(check(post + std::string("\x02\0\0\0\x01\x09", 6)).verdict == HeadVerdict::kOk);  // the body after it
  CHECK(check(post).status == 0);
}

TEST_CASE("http head: an unfinished head waits, up to its bound", "[relay][http]") {
  CHECK(check("").verdict == HeadVerdict::kIncomplete);
  CHECK(check("GET / HTTP/1.1\r\nHost: x\r\n").verdict == HeadVerdict::kIncomplete);
  const std::string big = "GET / HTTP/1.1\r\nX: " + std::string(relay::kMaxHttpHeadBytes, 'a');
  CHECK(check(big).verdict == HeadVerdict::kTooLarge);
  CHECK(check(big).status == 431);
  // The blank line just past the bound is too late.
  const std::string late = "GET / HTTP/1.1\r\nX: " + std::string(relay::kMaxHttpHeadBytes - 21, 'a') + "\r\n\r\n";
  CHECK(check(late).verdict == HeadVerdict::kTooLarge);
  std::string many = "GET / HTTP/1.1\r\n";
  for (std::size_t i = 0; i <= relay::kMaxHttpHeadLines; ++i) many += "X: 1\r\n";
  CHECK(check(many + "\r\n").verdict == HeadVerdict::kTooLarge);
}

TEST_CASE("http head: what libmicrohttpd would answer itself is refused here", "[relay][http]") {
  for (const std::string& bad : {
           std::string("garbage\r\n\r\n"),                                      // no target, no version
           std::string("GET / HTTP/1.1\r\nBad header line\r\n\r\n"),           // no colon
           std::string("GET / HTTP/1.1\r\n folded: x\r\n\r\n"),                // obsolete folding
           std::string("GET / HTTP/1.1\nHost: x\r\n\r\n"),                    // a bare LF
           std::string("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n"),                  // a bare CR
           std::string("GET / HTTP/1.1\r\nX: a\x01\r\n\r\n"),                 // a control byte
           std::string("GET  / HTTP/1.1\r\n\r\n"),                             // two spaces
           std::string("GET x HTTP/1.1\r\n\r\n"),                              // not a path
           std::string("GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n"),
           std::string("GET / HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 1\r\n\r\n"),
           std::string("GET / HTTP/1.1\r\nContent-Length:\r\n\r\n"),
           std::string("\r\n\r\n"),
       }) {
    INFO(bad);
    CHECK(check(bad).verdict == HeadVerdict::kMalformed);
    CHECK(check(bad).status == 400);
  }
  CHECK(check("GET / HTTP/1.1\r\nContent-Length:  12 \r\n\r\n").verdict == HeadVerdict::kOk);
  CHECK(check("POST /api HTTP/1.1\r\nContent-Length: 999999999999999999\r\n\r\n").verdict == HeadVerdict::kOk);
  CHECK(check("POST /api HTTP/1.1\r\nContent-Length: 9999999999999999999\r\n\r\n").status == 413);
  CHECK(check("GET / HTTP/3.0\r\nHost: x\r\n\r\n").verdict == HeadVerdict::kVersion);
  CHECK(check("GET / HTTP/3.0\r\nHost: x\r\n\r\n").status == 505);
  CHECK(check("GET / HTTP/1.10\r\n\r\n").verdict == HeadVerdict::kMalformed);
}

TEST_CASE("http body: the one-buffer encoder gives encode_http_body's bytes", "[protocol][http]") {
  const Bytes a{1, 0}, b(70'000, 0x5a), c{};
  const std::vector<ByteView> frames{a, b, c};
  const Bytes expected = protocol::encode_http_body(frames);
  REQUIRE(protocol::encoded_http_body_size(frames) == expected.size());
  Bytes into(expected.size());
  protocol::encode_http_body_into(frames, into.data(), into.size());
  CHECK(into == expected);
  Bytes small(expected.size() - 1);
  CHECK_THROWS_AS(protocol::encode_http_body_into(frames, small.data(), small.size()), std::length_error);
  Bytes large(expected.size() + 1);
  CHECK_THROWS_AS(protocol::encode_http_body_into(frames, large.data(), large.size()), std::length_error);
}
