// A CurveZMQ client (RFC 23 ZMTP 3.1, RFC 26 CurveZMQ, as libzmq 4.3 speaks
// them) over bytes, with no socket: it makes what a client sends and reads
// what the server sends. The unit tests and the fuzz target drive the
// relay's relay::CurveServerSession with it, and tests/tools/load_attacker
// speaks to a relay with it, so the client side exists once.
//
//   client: greeting, HELLO            server: greeting, WELCOME
//   client: INITIATE                   server: READY
//   then MESSAGE frames both ways (client nonces "CurveZMQMESSAGEC",
//   server's "CurveZMQMESSAGES"), each one part with its flags in the box.
//
// Faults (CurveClientFaults, and the nonce and cookie setters) make it break
// the rules a server must enforce, one at a time. The client's own keys are
// test keys: fresh unless given, held in guarded memory all the same.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::test_support {

// ZMTP frame flags (RFC 23).
inline constexpr std::uint8_t kZmtpMore = 0x01;
inline constexpr std::uint8_t kZmtpLongSize = 0x02;
inline constexpr std::uint8_t kZmtpCommand = 0x04;
// Flags of a part inside a MESSAGE box (RFC 26).
inline constexpr std::uint8_t kBoxMore = 0x01;
inline constexpr std::uint8_t kBoxCommand = 0x02;
// Where a MESSAGE body's MAC starts: "\x07MESSAGE" (8), short nonce (8).
inline constexpr std::size_t kMessageMacOffset = 16;

// One frame: flags and body; long size when the body is over 255 bytes or
// when forced (a short body may legally be sent with a long size).
Bytes zmtp_frame(std::uint8_t flags, ByteView body, bool force_long = false);
// The size of a frame's header (2 or 9) from its first byte.
std::size_t zmtp_header_size(std::uint8_t flags);

// Flips one byte of the MAC of a MESSAGE frame made by CurveTestClient::
// message (or by a server's seal), so the box no longer opens.
void corrupt_message_mac(Bytes& frame);

struct CurveClientFaults {
  // Greeting: claim to be the server, another mechanism ("NULL", "PLAIN"),
  // another major version.
  bool greeting_as_server = false;
  std::string mechanism = "CURVE";
  std::uint8_t major_version = 3;
  // HELLO: its box does not open (one byte flipped), or opens to something
  // else than the 64 zero bytes.
  bool corrupt_hello_box = false;
  bool hello_box_not_zeros = false;
  // INITIATE: the vouch names another server key or another short-term
  // client key, or is sealed by another long-term key than the one
  // INITIATE presents; the box does not open.
  bool vouch_wrong_server_key = false;
  bool vouch_wrong_transient_key = false;
  bool vouch_wrong_client_key = false;
  bool corrupt_initiate_box = false;
  // INITIATE metadata: the Socket-Type sent; empty sends no Socket-Type.
  // `metadata`, when set, is sent instead, byte for byte.
  std::string socket_type = "DEALER";
  std::optional<Bytes> metadata;
};

class CurveTestClient {
 public:
  struct Part {
    Bytes data;
    bool more = false;
    bool command = false;  // a ZMTP command inside the box (PING, PONG)
  };

  // `server_pk` is the server key the client trusts. The long-term and
  // transient key pairs are fresh unless their secrets are given (the fuzz
  // target fixes them).
  explicit CurveTestClient(const FixedBytes<32>& server_pk, CurveClientFaults faults = {});
  CurveTestClient(const FixedBytes<32>& server_pk, const crypto::Secret<32>& long_term_sk,
                  const crypto::Secret<32>& transient_sk, CurveClientFaults faults = {});
  ~CurveTestClient();
  CurveTestClient(const CurveTestClient&) = delete;
  CurveTestClient& operator=(const CurveTestClient&) = delete;

  // What the client sends, in order: greeting and HELLO at once, INITIATE
  // once welcomed(), then message parts once ready().
  Bytes greeting() const;
  Bytes hello();
  Bytes initiate();

  // One part as a MESSAGE frame with the next short nonce.
  Bytes message(ByteView part, bool more, bool command = false);
  // The same as a frame body only, with the box flags given as they are
  // (for frames with other ZMTP flags or unknown box flags).
  Bytes message_body(ByteView part, std::uint8_t box_flags);
  // A PING command part ("\x04PING", TTL in deciseconds, context), sealed.
  Bytes ping(std::uint16_t ttl, ByteView context);

  // The short nonce the next HELLO, INITIATE or MESSAGE carries (HELLO
  // takes 1); setting it lower replays or goes back.
  std::uint64_t next_nonce() const { return nonce_; }
  void set_next_nonce(std::uint64_t nonce) { nonce_ = nonce; }

  // The WELCOME cookie; INITIATE carries a replaced one (from another
  // session) instead.
  const Bytes& cookie() const { return cookie_; }
  void replace_cookie(ByteView cookie) { cookie_.assign(cookie.begin(), cookie.end()); }

  // Reads what the server sent (any split): greeting, WELCOME, READY, then
  // MESSAGE frames into parts(). False once the server broke the protocol
  // (error() says how); the client reads nothing more then.
  bool receive(ByteView bytes);
  bool welcomed() const { return stage_ >= Stage::kInitiate; }
  bool ready() const { return stage_ == Stage::kReady; }
  const std::string& error() const { return error_; }
  // The metadata of READY (Socket-Type, ...).
  const std::map<std::string, std::string>& server_metadata() const { return server_metadata_; }
  // Parts received, oldest first; the caller pops what it has read.
  std::deque<Part>& parts() { return parts_; }
  // Bytes received that do not yet make a whole frame.
  std::size_t pending_bytes() const { return inbox_.size(); }

  const FixedBytes<32>& long_term_pk() const { return long_term_pk_; }

 private:
  enum class Stage { kGreeting, kWelcome, kInitiate, kReady, kFailed };
  bool fail(std::string message);
  bool on_welcome(ByteView body);
  bool on_ready(ByteView body);
  bool on_message(ByteView body);
  Bytes take_nonce();

  FixedBytes<32> server_pk_{};
  CurveClientFaults faults_;
  crypto::Secret<32> long_term_sk_, transient_sk_;
  FixedBytes<32> long_term_pk_{}, transient_pk_{}, server_transient_{};
  std::uint64_t nonce_ = 1;
  std::uint64_t server_nonce_ = 0;  // the server's last short nonce
  Bytes cookie_;
  Stage stage_ = Stage::kGreeting;
  Bytes inbox_;
  std::deque<Part> parts_;
  std::map<std::string, std::string> server_metadata_;
  std::string error_;
};

}  // namespace meldpunt::test_support
