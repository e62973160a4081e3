// The server side of one client's ZMTP 3.1 stream under CurveZMQ (RFC 23,
// RFC 26, as libzmq 4.3 speaks them), over bytes, with no socket and no
// thread: the front door (front_door.hpp) feeds it what a client sent and
// sends what it produces.
//
//   greeting  = signature (0xFF, 8 bytes, 0x7F), version 3.1, mechanism
//               "CURVE" + NULs (20), as-server (1), filler (31): 64 bytes
//   frame     = flags (1: 0x01 more, 0x02 long size, 0x04 command), size (1,
//               or 8 big-endian), body
//   handshake = client HELLO, server WELCOME, client INITIATE, server READY,
//               each a command frame (flags 0x04)
//   message   = a data frame (flags 0x00 or 0x02) whose body is
//               "\x07MESSAGE", nonce (8, big-endian), Box[flags + part]:
//               16-byte MAC, then the part's flags (0x01 more, 0x02
//               command) and the part, encrypted with the session key.
//
// Why the relay ends CurveZMQ itself rather than leaving it to libzmq:
// libzmq keeps an incomplete multipart message until its last part and
// neither shows to the relay's code, so libzmq cannot bound what one client
// makes the relay hold (docs/SECURITY.md §7). Ending the transport here
// lets the front door see whole requests, with every byte bounded, and
// hand them to the serving loop without a second connection and parse.
//
// Secrets: the relay's secret key stays in the caller's guarded Secret; the
// session's own (its short-term secret key, the cookie key, the session
// key and every intermediate key) live in one guarded Secret allocated at
// HELLO and wiped as soon as they are no longer needed. Error texts name
// what was wrong with the stream, never a byte of a key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::relay {

inline constexpr std::size_t kZmtpGreetingBytes = 64;
// What a MESSAGE frame's body adds to its part: "\x07MESSAGE" (8), nonce
// (8), MAC (16), flags (1).
inline constexpr std::size_t kCurveMessageOverhead = 8 + 8 + 16 + 1;
// A frame's header: flags and an 8-byte size at most.
inline constexpr std::size_t kZmtpLongHeader = 9;

class CurveServerSession {
 public:
  struct Limits {
    std::size_t max_part_bytes = 0;        // largest message part a client may send (plaintext)
    std::size_t max_command_bytes = 4096;  // largest handshake command body (INITIATE with its metadata)
  };
  enum class Event {
    kNeedMore,  // the input holds no complete frame: give at least needed() bytes from where consumed ended
    kPart,      // a message part arrived: part(), part_more()
    kReady,     // the handshake is complete (READY is in output())
    kError,     // the stream broke the rules: error(); close the connection, give no more bytes
  };
  struct Step {
    std::size_t consumed = 0;  // bytes of the input used (whole frames only)
    Event event = Event::kNeedMore;
  };

  // `server_secret` must outlive the session; `server_public` is its public
  // key (32 bytes; computed once by the caller rather than per handshake).
  // The server's greeting is in output() at once.
  CurveServerSession(const crypto::Secret<32>& server_secret, ByteView server_public, Limits limits);
  ~CurveServerSession();
  CurveServerSession(const CurveServerSession&) = delete;
  CurveServerSession& operator=(const CurveServerSession&) = delete;

  // Reads whole frames (and the greeting) from the start of `input` and
  // acts on them, up to the first that concerns the caller: a part, the
  // end of the handshake, an error, or a frame not yet complete. Commands the session answers by
  // itself (WELCOME, READY, PONG) are appended to output(). A PING is
  // answered only while output() holds no earlier PONG, so a client that
  // never reads cannot grow it.
  Step next(ByteView input);

  // After kNeedMore: the bytes the pending frame needs in all, counted
  // from the first unconsumed byte (never more than the limits allow).
  std::size_t needed() const { return needed_; }
  bool ready() const { return state_ == State::kReady; }
  ByteView part() const;        // after kPart: valid until the next call of next() or release_part()
  void release_part();          // the caller has copied part(): its bytes are freed
  bool part_more() const { return part_more_; }
  const std::string& error() const { return error_; }

  // Bytes for the client that the session produced (greeting, WELCOME,
  // READY, PONG); the caller sends them and erases what was sent.
  Bytes& output() { return output_; }

  // Appends one part of a reply to `out` as a MESSAGE frame. Only once
  // ready(); before, or after an error, it throws std::logic_error.
  void seal_part(ByteView plaintext, bool more, Bytes& out);

  // The whole frame seal_part appends for a part of `size` bytes (header,
  // MESSAGE overhead and the part).
  static std::size_t sealed_size(std::size_t size);

 private:
  enum class State { kGreeting, kHello, kInitiate, kReady, kFailed };
  struct Keys;  // the session's guarded secrets (curve_server.cpp)

  Step fail(std::string message);
  Step next_frame(ByteView input);
  Step on_hello(ByteView body);
  Step on_initiate(ByteView body);
  Step on_message(ByteView body);
  void append_command(ByteView body);
  void append_pong(ByteView ping);
  void seal_frame(ByteView plaintext, std::uint8_t part_flags, Bytes& out);

  const crypto::Secret<32>& server_secret_;
  Limits limits_;
  State state_ = State::kGreeting;
  std::unique_ptr<Keys> keys_;
  std::uint8_t server_public_[32] = {};     // S
  std::uint8_t client_transient_[32] = {};  // C' (public)
  std::uint8_t server_transient_[32] = {};  // S' (public)
  std::uint64_t peer_nonce_ = 0;            // the client's last short nonce
  std::uint64_t nonce_ = 1;                 // our next short nonce
  Bytes output_;
  Bytes part_;  // flags + plaintext of the last part
  bool part_more_ = false;
  std::size_t needed_ = 0;
  std::string error_;
};

}  // namespace meldpunt::relay
