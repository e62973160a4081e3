// The front door's view of a ZMTP 3 / CurveZMQ stream (relay/src/
// zmtp_scanner.hpp): what it accepts, what it refuses, and that chunk
// boundaries never change what it sees.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "front_door.hpp"
#include "meldpunt/protocol/wire.hpp"
#include "zmtp_scanner.hpp"

using namespace meldpunt;
using relay::ZmtpScanner;

namespace {

Bytes greeting(std::uint8_t major = 3, std::string_view mechanism = "CURVE") {
  Bytes g(64, 0);
  g[0] = 0xFF;
  g[9] = 0x7F;
  g[10] = major;
  g[11] = 1;
  std::copy(mechanism.begin(), mechanism.end(), g.begin() + 12);
  return g;
}

// A frame: flags, short or long size, body starting with `prefix`.
Bytes frame(std::uint8_t flags, std::string_view prefix, std::size_t body_size, bool force_long = false) {
  Bytes out;
  const bool long_size = force_long || body_size > 255;
  out.push_back(static_cast<std::uint8_t>(flags | (long_size ? 0x02 : 0)));
  if (long_size) {
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(body_size >> (8 * i)));
  } else {
    out.push_back(static_cast<std::uint8_t>(body_size));
  }
  Bytes body(body_size, 0xAB);
  std::copy(prefix.begin(), prefix.begin() + static_cast<std::ptrdiff_t>(std::min(prefix.size(), body_size)), body.begin());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Bytes message(std::size_t plaintext) { return frame(0, "\x07MESSAGE", relay::kCurveMessageOverhead + plaintext); }

Bytes client_handshake() {
  Bytes s = greeting();
  append(s, frame(0x04, "\x05HELLO", 200));
  append(s, frame(0x04, "\x08INITIATE", 290));
  return s;
}

Bytes server_handshake() {
  Bytes s = greeting();
  append(s, frame(0x04, "\x07WELCOME", 168));
  append(s, frame(0x04, "\x05READY", 60));
  return s;
}

struct Scan {
  std::vector<ZmtpScanner::Event> events;
  std::vector<ZmtpScanner::Frame> frames;
  std::string error;
};

ZmtpScanner::Limits limits() {
  ZmtpScanner::Limits l;
  l.max_message_body = protocol::kMaxRequestFrameBytes + relay::kCurveMessageOverhead;
  return l;
}

Scan scan(ZmtpScanner::Side side, const Bytes& stream, std::size_t chunk) {
  ZmtpScanner scanner(side, limits());
  Scan out;
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    ByteView rest = ByteView(stream).subspan(at, std::min(chunk, stream.size() - at));
    while (!rest.empty()) {
      const ZmtpScanner::Step step = scanner.scan(rest);
      rest = rest.subspan(step.consumed);
      if (step.event == ZmtpScanner::Event::kNeedMore) break;
      out.events.push_back(step.event);
      if (step.event == ZmtpScanner::Event::kFrame) out.frames.push_back(scanner.frame());
      if (step.event == ZmtpScanner::Event::kError) {
        out.error = scanner.error();
        return out;
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("zmtp scanner: a client's handshake and requests, in any chunks", "[relay][front_door]") {
  Bytes stream = client_handshake();
  append(stream, message(2));                              // a request header
  append(stream, message(protocol::kMaxRequestFrameBytes));  // the largest envelope
  append(stream, message(7));                              // a PING inside the box
  for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{64}, stream.size()}) {
    const Scan s = scan(ZmtpScanner::Side::kClient, stream, chunk);
    INFO("chunk " << chunk);
    REQUIRE(s.error.empty());
    REQUIRE(s.events.front() == ZmtpScanner::Event::kGreeting);
    REQUIRE(s.frames.size() == 5);
    CHECK(s.frames[0].command);
    CHECK(s.frames[1].command);
    CHECK(s.frames[1].total == 9 + 290);  // a long size: 1 + 8 header bytes
    CHECK(relay::is_api_header(s.frames[2]));
    CHECK(s.frames[2].start == 64 + 202 + 299);
    CHECK_FALSE(relay::is_api_header(s.frames[3]));
    CHECK_FALSE(relay::is_api_header(s.frames[4]));  // a PING is never taken for a request
  }
}

TEST_CASE("zmtp scanner: the server's READY ends the handshake, a PONG is no reply", "[relay][front_door]") {
  Bytes stream = server_handshake();
  append(stream, message(2));  // a reply header
  append(stream, message(5));  // "\x04PONG", the shortest PONG
  const Scan s = scan(ZmtpScanner::Side::kServer, stream, 5);
  REQUIRE(s.error.empty());
  REQUIRE(s.frames.size() == 4);
  CHECK_FALSE(s.frames[0].ready);
  CHECK(s.frames[1].ready);
  CHECK(relay::is_api_header(s.frames[2]));
  CHECK_FALSE(relay::is_api_header(s.frames[3]));
}

TEST_CASE("zmtp scanner: refuses what a CurveZMQ client never sends", "[relay][front_door]") {
  auto refused = [](const Bytes& stream) {
    return scan(ZmtpScanner::Side::kClient, stream, 7).events.back() == ZmtpScanner::Event::kError;
  };
  Bytes bad = greeting();
  bad[0] = 0x00;  // ZMTP 1.0 or garbage
  CHECK(refused(bad));
  CHECK(refused(greeting(2)));          // ZMTP 2: no CURVE
  CHECK(refused(greeting(3, "NULL")));  // another mechanism
  CHECK(refused(greeting(3, "PLAIN")));

  Bytes data_first = greeting();
  append(data_first, message(2));
  CHECK(refused(data_first));  // a message before the handshake

  Bytes wrong_command = greeting();
  append(wrong_command, frame(0x04, "\x08INITIATE", 290));
  CHECK(refused(wrong_command));  // INITIATE before HELLO

  Bytes third_command = client_handshake();
  append(third_command, frame(0x04, "\x05HELLO", 200));
  CHECK(refused(third_command));

  Bytes big_command = greeting();
  append(big_command, frame(0x04, "\x05HELLO", 5000));
  CHECK(refused(big_command));

  Bytes oversize = client_handshake();
  append(oversize, message(protocol::kMaxRequestFrameBytes + 1));
  CHECK(refused(oversize));

  Bytes huge = client_handshake();
  append(huge, Bytes{0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF});  // 2^64-1 bytes announced
  CHECK(refused(huge));

  Bytes more_in_clear = client_handshake();
  append(more_in_clear, frame(0x01, "\x07MESSAGE", 40));
  CHECK(refused(more_in_clear));  // under CURVE the more flag is inside the box

  Bytes reserved = client_handshake();
  append(reserved, frame(0x08, "\x07MESSAGE", 40));
  CHECK(refused(reserved));

  Bytes not_message = client_handshake();
  append(not_message, frame(0, "\x07MASSAGE", 40));
  CHECK(refused(not_message));

  Bytes short_message = client_handshake();
  append(short_message, frame(0, "\x07MESSAGE", 20));
  CHECK(refused(short_message));

  // And nothing is taken after an error.
  ZmtpScanner scanner(ZmtpScanner::Side::kClient, limits());
  const Bytes garbage(10, 0);
  CHECK(scanner.scan(garbage).event == ZmtpScanner::Event::kError);
  CHECK(scanner.scan(garbage).consumed == 0);
}

TEST_CASE("front door: limits derived from the protocol and the descriptor limit", "[relay][front_door]") {
  // The largest valid request: header, proof of work and 16 deposits of
  // clue, verifier and the largest envelope, each part framed under CURVE.
  std::uint64_t largest = 9 + relay::kCurveMessageOverhead + 2 + 9 + relay::kCurveMessageOverhead + protocol::kPowFieldBytes;
  for (std::size_t i = 0; i < protocol::kMaxDepositsPerRequest; ++i) {
    largest += 3 * (9 + relay::kCurveMessageOverhead) + 64 + 32 + protocol::kMaxRequestFrameBytes;
  }
  CHECK(relay::max_request_wire_bytes() >= largest);
  CHECK(relay::max_request_wire_bytes() < largest + 2 * protocol::kMaxRequestFrameBytes);
  CHECK(relay::connections_for_descriptors(1024) == 320);
  CHECK(relay::connections_for_descriptors(10) == 1);
}

TEST_CASE("front door: its thread is named, so top -H and profiles tell it apart", "[relay][front_door]") {
  const auto thread_names = [] {
    std::vector<std::string> names;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
      std::ifstream comm(task.path() / "comm");
      std::string name;
      std::getline(comm, name);
      names.push_back(name);
    }
    return names;
  };
  const auto count = [](const std::vector<std::string>& names) {
    return std::count(names.begin(), names.end(), std::string("front-door"));
  };
  const auto before = count(thread_names());
  {
    // Port 0: any free port; no ROUTER behind it is needed to start.
    relay::FrontDoor door({{"tcp://127.0.0.1:0", "/nonexistent/serve.sock"}}, relay::FrontDoorLimits{});
    // The thread names itself as it starts: give it a moment.
    for (int i = 0; i < 200 && count(thread_names()) == before; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CHECK(count(thread_names()) == before + 1);
  }
}
