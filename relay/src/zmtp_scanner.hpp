// What the front door (front_door.hpp) can see of one direction of a ZMTP 3
// stream under CURVE, without any key: the greeting and the frame headers.
//
//   greeting = signature (10: 0xFF, 8 bytes padding, 0x7F), version (2: major
//              3, minor), mechanism (20: "CURVE" and NULs), as-server (1),
//              filler (31): 64 bytes in all
//   frame    = flags (1: 0x01 more, 0x02 long size, 0x04 command; the other
//              bits 0), size (1 byte, or 8 bytes big-endian when long), body
//
// The handshake commands (HELLO, INITIATE from the client; WELCOME, READY or
// ERROR from the server) travel in the clear as command frames, body =
// name length (1), name, fields. After it, libzmq 4.3 sends every message
// part, and every ZMTP command such as PING/PONG, as a body "\x07MESSAGE",
// nonce (8), box (16-byte MAC + one byte of flags + the plaintext), in a
// frame whose own flags carry neither more nor command: the more flag of a
// multipart message is inside the box. So a frame's size is all that shows
// of a message part: 33 bytes more than its plaintext.
//
// The scanner checks what it sees against the limits it was given and hands
// out one event at a time; it never buffers more than a few bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "meldpunt/common/bytes.hpp"

namespace meldpunt::relay {

// Bytes a MESSAGE body adds to a message part under CURVE: "\x07MESSAGE" (8),
// nonce (8), MAC (16), flags (1).
inline constexpr std::uint64_t kCurveMessageOverhead = 8 + 8 + 16 + 1;
inline constexpr std::size_t kZmtpGreetingBytes = 64;
// The greeting's signature: a libzmq peer sends it and waits for the other
// side's before it says more, so the front door connects to the relay once
// a client has sent these bytes (and they were valid).
inline constexpr std::size_t kZmtpSignatureBytes = 10;

class ZmtpScanner {
 public:
  enum class Side { kClient, kServer };  // whose bytes this scanner sees
  struct Limits {
    std::uint64_t max_command_body = 4096;  // a handshake command
    std::uint64_t max_message_body = 0;     // one MESSAGE frame (one message part)
    unsigned max_commands = 2;              // commands in the clear (the handshake)
  };
  enum class Event {
    kNeedMore,  // every byte given was used; give more
    kGreeting,  // the 64-byte greeting is complete and valid
    kFrame,     // a frame's header (and the first bytes of its body) seen: frame()
    kError,     // the stream breaks the rules: error(); give no more bytes
  };
  struct Frame {
    std::uint64_t start = 0;  // stream offset of the frame's flags byte
    std::uint64_t total = 0;  // header + body bytes
    std::uint64_t body = 0;
    bool command = false;
    bool ready = false;  // the server's READY command: the handshake is done
  };
  struct Step {
    std::size_t consumed = 0;  // bytes of the input used before the event
    Event event = Event::kNeedMore;
  };

  ZmtpScanner(Side side, Limits limits) : side_(side), limits_(limits) {}

  // Scans `input` (the next bytes of the stream) up to the next event.
  Step scan(ByteView input);

  const Frame& frame() const { return frame_; }      // after kFrame
  const std::string& error() const { return error_; }  // after kError
  std::uint64_t offset() const { return offset_; }    // stream bytes scanned so far
  bool greeted() const { return state_ != State::kGreeting; }
  unsigned commands() const { return commands_; }

 private:
  enum class State { kGreeting, kFlags, kSize, kPrefix, kBody, kFailed };
  Step fail(std::size_t consumed, std::string message);
  bool check_greeting_byte(std::size_t index);
  bool header_done();

  Side side_;
  Limits limits_;
  State state_ = State::kGreeting;
  std::uint64_t offset_ = 0;
  std::array<std::uint8_t, kZmtpGreetingBytes> greeting_{};
  std::size_t have_ = 0;  // bytes of the greeting, size or prefix collected
  std::uint8_t flags_ = 0;
  std::array<std::uint8_t, 8> field_{};  // size bytes, then the body's first bytes
  std::uint64_t left_ = 0;               // body bytes still to skip
  bool saw_message_ = false;             // a data frame has gone by: no more commands
  unsigned commands_ = 0;
  Frame frame_;
  std::string error_;
};

// True for a frame that carries a two-byte message part: the header frame
// of a request ([version][op]) or of a reply ([version][status]). No other
// field of the relay API is two bytes long (docs/PROTOCOL.md), and a PONG's
// plaintext is at least "\x04PONG", so this is how the front door tells
// requests and replies apart without a key.
bool is_api_header(const ZmtpScanner::Frame& frame);

}  // namespace meldpunt::relay
