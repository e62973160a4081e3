#include "curve_server.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace meldpunt::relay {
namespace {

constexpr std::uint8_t kFlagMore = 0x01, kFlagLong = 0x02, kFlagCommand = 0x04;
constexpr std::uint8_t kPartMore = 0x01, kPartCommand = 0x02;  // inside a MESSAGE box

constexpr std::size_t kHelloBytes = 200;    // name (6), version (2), padding (72), C' (32), nonce (8), box (80)
constexpr std::size_t kWelcomeBytes = 168;  // name (8), nonce (16), box (144)
constexpr std::size_t kCookieBytes = 96;    // nonce (16), box (16 + C' + s')
constexpr std::size_t kInitiateMinBytes = 9 + kCookieBytes + 8 + 16 + 32 + 16 + 80;  // 257: empty metadata
constexpr std::size_t kMaxPingContext = 16;
constexpr std::size_t kKeptPartBytes = 32 * 1024;

static_assert(crypto_box_BEFORENMBYTES == 32 && crypto_box_PUBLICKEYBYTES == 32 && crypto_box_SECRETKEYBYTES == 32);
static_assert(crypto_box_MACBYTES == 16 && crypto_secretbox_MACBYTES == 16 && crypto_box_NONCEBYTES == 24);

std::uint64_t get_be64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

void put_be64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<std::uint8_t>(v);
    v >>= 8;
  }
}

// A 24-byte nonce: a 16- or 8-byte text prefix and the rest from the stream.
struct Nonce {
  std::uint8_t bytes[crypto_box_NONCEBYTES] = {};
  Nonce(std::string_view prefix, const std::uint8_t* rest) {
    std::memcpy(bytes, prefix.data(), prefix.size());
    std::memcpy(bytes + prefix.size(), rest, sizeof bytes - prefix.size());
  }
};

bool starts_with(ByteView body, std::string_view name) {
  return body.size() >= name.size() && std::memcmp(body.data(), name.data(), name.size()) == 0;
}

// The metadata of INITIATE (RFC 23 §"Connection metadata"): properties of
// name length (1), name, value length (4, big-endian), value. A client of
// the relay is a DEALER (or a REQ, which the relay answers as malformed
// requests, see docs/PROTOCOL.md); any other type, a property cut short or
// a repeated Socket-Type is refused.
bool client_socket_type_fits(ByteView metadata) {
  bool seen = false, fits = false;
  std::size_t at = 0;
  while (at < metadata.size()) {
    const std::size_t name_size = metadata[at++];
    if (name_size == 0 || metadata.size() - at < name_size + 4) return false;
    const std::string_view name(reinterpret_cast<const char*>(metadata.data() + at), name_size);
    at += name_size;
    const std::uint64_t value_size = (std::uint64_t{metadata[at]} << 24) | (std::uint64_t{metadata[at + 1]} << 16) |
                                     (std::uint64_t{metadata[at + 2]} << 8) | metadata[at + 3];
    at += 4;
    if (metadata.size() - at < value_size) return false;
    const std::string_view value(reinterpret_cast<const char*>(metadata.data() + at), value_size);
    at += value_size;
    if (name_size == 11 && sodium_memcmp(name.data(), "Socket-Type", 11) == 0) {
      if (seen) return false;
      seen = true;
      fits = value == "DEALER" || value == "REQ";
    }
  }
  return seen && fits;
}

}  // namespace

// Layout of the guarded bytes. The short-term secret key and the cookie key
// are needed only between HELLO and INITIATE; the session key from then on;
// `scratch` holds the keys of one step (the box key with the relay's own
// key, the vouch key, the opened cookie) and is wiped after it.
struct CurveServerSession::Keys {
  static constexpr std::size_t kTransientSecret = 0, kCookieKey = 32, kSessionKey = 64, kScratch = 96;
  static constexpr std::size_t kScratchBytes = 16 + 64;  // the opened cookie box: MAC room is not needed, C' + s'
  crypto::Secret<kScratch + kScratchBytes> bytes;
  std::uint8_t* transient_secret() { return bytes.data() + kTransientSecret; }
  std::uint8_t* cookie_key() { return bytes.data() + kCookieKey; }
  std::uint8_t* session_key() { return bytes.data() + kSessionKey; }
  std::uint8_t* scratch() { return bytes.data() + kScratch; }
  void wipe_scratch() { crypto::detail::secure_wipe(scratch(), kScratchBytes); }
  void wipe_handshake() {
    crypto::detail::secure_wipe(transient_secret(), 32);
    crypto::detail::secure_wipe(cookie_key(), 32);
    wipe_scratch();
  }
};

CurveServerSession::CurveServerSession(const crypto::Secret<32>& server_secret, ByteView server_public,
                                       Limits limits)
    : server_secret_(server_secret), limits_(limits) {
  if (server_public.size() != sizeof server_public_) throw std::length_error("server public key must be 32 bytes");
  std::memcpy(server_public_, server_public.data(), sizeof server_public_);
  output_.assign(kZmtpGreetingBytes, 0);
  output_[0] = 0xFF;
  output_[9] = 0x7F;
  output_[10] = 3;  // ZMTP 3.1, as libzmq 4.3 says
  output_[11] = 1;
  std::memcpy(output_.data() + 12, "CURVE", 5);
  output_[32] = 1;  // as-server
}

CurveServerSession::~CurveServerSession() = default;

std::size_t CurveServerSession::sealed_size(std::size_t size) {
  const std::size_t body = kCurveMessageOverhead + size;
  return (body > 255 ? 9 : 2) + body;
}

ByteView CurveServerSession::part() const {
  return part_.empty() ? ByteView() : ByteView(part_.data() + 1, part_.size() - 1);
}

CurveServerSession::Step CurveServerSession::fail(std::string message) {
  state_ = State::kFailed;
  error_ = std::move(message);
  if (keys_) keys_.reset();  // wiped by Secret's destructor
  part_.clear();
  return {0, Event::kError};
}

void CurveServerSession::release_part() {
  // A large part's buffer is not kept for the connection's life.
  if (part_.capacity() > kKeptPartBytes) Bytes().swap(part_);
  part_.clear();
}

CurveServerSession::Step CurveServerSession::next(ByteView input) {
  release_part();  // the last part is no longer needed
  // Frames the session answers itself (the greeting, HELLO, a PING) are
  // taken in a row, so the caller hears only of what concerns it.
  std::size_t consumed = 0;
  for (;;) {
    const Step step = next_frame(input.subspan(consumed));
    consumed += step.consumed;
    if (step.event == Event::kError) return {0, Event::kError};
    if (step.event != Event::kNeedMore || step.consumed == 0) return {consumed, step.event};
  }
}

CurveServerSession::Step CurveServerSession::next_frame(ByteView input) {
  needed_ = 0;
  if (state_ == State::kFailed) return {0, Event::kError};
  if (state_ == State::kGreeting) {
    if (input.size() < kZmtpGreetingBytes) {
      // Check what has come so far, so a client that is not ZMTP is refused
      // at its first byte rather than at the handshake timeout.
      if (!input.empty() && input[0] != 0xFF) return fail("not a ZMTP greeting");
      needed_ = kZmtpGreetingBytes;
      return {0, Event::kNeedMore};
    }
    if (input[0] != 0xFF || input[9] != 0x7F) return fail("not a ZMTP greeting");
    if (input[10] < 3) return fail("ZMTP version before 3.0");
    static constexpr std::uint8_t kCurve[20] = {'C', 'U', 'R', 'V', 'E'};
    if (std::memcmp(input.data() + 12, kCurve, sizeof kCurve) != 0) return fail("mechanism is not CURVE");
    if (input[32] != 0) return fail("the client says it is a server");
    state_ = State::kHello;
    return {kZmtpGreetingBytes, Event::kNeedMore};
  }

  // A frame: flags, size, body. What may come is decided at the header, so
  // nothing is buffered that would be refused anyway.
  if (input.size() < 2) {
    needed_ = 2;
    return {0, Event::kNeedMore};
  }
  const std::uint8_t flags = input[0];
  if ((flags & ~(kFlagMore | kFlagLong | kFlagCommand)) != 0) return fail("reserved frame flags set");
  if ((flags & kFlagMore) != 0) return fail("a frame with the more flag (CURVE carries it inside the box)");
  const bool command = (flags & kFlagCommand) != 0;
  if (state_ == State::kReady && command) return fail("a command in the clear after the handshake");
  if (state_ != State::kReady && !command) return fail("a message before the handshake");
  const std::size_t header = (flags & kFlagLong) != 0 ? 9 : 2;
  if (input.size() < header) {
    needed_ = header;
    return {0, Event::kNeedMore};
  }
  const std::uint64_t size = header == 9 ? get_be64(input.data() + 1) : input[1];
  const std::uint64_t limit =
      command ? limits_.max_command_bytes : std::uint64_t{limits_.max_part_bytes} + kCurveMessageOverhead;
  if (size > limit) return fail(command ? "handshake command too large" : "message part too large");
  if (input.size() - header < size) {
    needed_ = header + static_cast<std::size_t>(size);
    return {0, Event::kNeedMore};
  }
  const ByteView body(input.data() + header, static_cast<std::size_t>(size));
  Step step;
  switch (state_) {
    case State::kHello:
      step = on_hello(body);
      break;
    case State::kInitiate:
      step = on_initiate(body);
      break;
    default:
      step = on_message(body);
      break;
  }
  if (step.event != Event::kError) step.consumed = header + static_cast<std::size_t>(size);
  return step;
}

// HELLO = "\x05HELLO", version 1.0 (2), padding (72), C' (32), short nonce
// (8), Box[64 zero bytes](C'->S) (80). The padding makes HELLO longer than
// WELCOME, so the relay never answers with more bytes than it was sent.
CurveServerSession::Step CurveServerSession::on_hello(ByteView body) {
  if (!starts_with(body, "\x05HELLO")) return fail("expected HELLO");
  if (body.size() != kHelloBytes) return fail("malformed HELLO");
  if (body[6] != 1 || body[7] != 0) return fail("CurveZMQ version is not 1.0");
  std::memcpy(client_transient_, body.data() + 80, 32);
  peer_nonce_ = get_be64(body.data() + 112);

  keys_ = std::make_unique<Keys>();
  std::uint8_t* box_key = keys_->scratch();  // precomputed (C', s)
  if (crypto_box_beforenm(box_key, client_transient_, server_secret_.data()) != 0) {
    return fail("HELLO: the client's short-term key is a weak point");
  }
  std::uint8_t zeros[64];
  const Nonce hello_nonce("CurveZMQHELLO---", body.data() + 112);
  if (crypto_box_open_easy_afternm(zeros, body.data() + 120, 80, hello_nonce.bytes, box_key) != 0) {
    return fail("HELLO does not open with the relay's key");
  }
  // The 64 bytes must be zero: nothing else is specified, and a box that
  // opens already proves the client knows the relay's public key.
  static constexpr std::uint8_t kZeros[64] = {};
  if (sodium_memcmp(zeros, kZeros, sizeof zeros) != 0) return fail("malformed HELLO");

  // WELCOME = "\x07WELCOME", nonce (16), Box[S' + cookie](S->C'), where
  // cookie = nonce (16), SecretBox[C' + s'](cookie key). The cookie key is
  // this session's own: a cookie opens only on the connection it was made on.
  crypto_box_keypair(server_transient_, keys_->transient_secret());
  randombytes_buf(keys_->cookie_key(), 32);
  std::uint8_t plain[32 + kCookieBytes];
  std::memcpy(plain, server_transient_, 32);
  std::uint8_t* cookie = plain + 32;
  randombytes_buf(cookie, 16);
  const Nonce cookie_nonce("COOKIE--", cookie);
  std::uint8_t cookie_plain[64];
  std::memcpy(cookie_plain, client_transient_, 32);
  std::memcpy(cookie_plain + 32, keys_->transient_secret(), 32);
  crypto_secretbox_easy(cookie + 16, cookie_plain, sizeof cookie_plain, cookie_nonce.bytes, keys_->cookie_key());
  sodium_memzero(cookie_plain, sizeof cookie_plain);

  std::uint8_t welcome[kWelcomeBytes];
  std::memcpy(welcome, "\x07WELCOME", 8);
  randombytes_buf(welcome + 8, 16);
  const Nonce welcome_nonce("WELCOME-", welcome + 8);
  crypto_box_easy_afternm(welcome + 24, plain, sizeof plain, welcome_nonce.bytes, box_key);
  keys_->wipe_scratch();
  append_command(ByteView(welcome, sizeof welcome));
  state_ = State::kInitiate;
  return {0, Event::kNeedMore};
}

// INITIATE = "\x08INITIATE", cookie (96), short nonce (8),
// Box[C + vouch nonce (16) + vouch (80) + metadata](C'->S'), where
// vouch = Box[C' + S](C->S').
CurveServerSession::Step CurveServerSession::on_initiate(ByteView body) {
  if (!starts_with(body, "\x08INITIATE")) return fail("expected INITIATE");
  if (body.size() < kInitiateMinBytes) return fail("malformed INITIATE");
  const std::uint8_t* cookie = body.data() + 9;
  std::uint8_t* opened_cookie = keys_->scratch();  // C' + s'
  const Nonce cookie_nonce("COOKIE--", cookie);
  if (crypto_secretbox_open_easy(opened_cookie, cookie + 16, 80, cookie_nonce.bytes, keys_->cookie_key()) != 0 ||
      sodium_memcmp(opened_cookie, client_transient_, 32) != 0 ||
      sodium_memcmp(opened_cookie + 32, keys_->transient_secret(), 32) != 0) {
    return fail("INITIATE: the cookie is not this connection's");
  }
  keys_->wipe_scratch();

  const std::uint64_t short_nonce = get_be64(body.data() + 105);
  if (short_nonce <= peer_nonce_) return fail("INITIATE: nonce not above HELLO's");
  peer_nonce_ = short_nonce;
  if (crypto_box_beforenm(keys_->session_key(), client_transient_, keys_->transient_secret()) != 0) {
    return fail("INITIATE: the client's short-term key is a weak point");
  }
  const Nonce initiate_nonce("CurveZMQINITIATE", body.data() + 105);
  const std::size_t box_size = body.size() - 113;
  Bytes plain(box_size - crypto_box_MACBYTES);  // C (public), the vouch, metadata
  if (crypto_box_open_easy_afternm(plain.data(), body.data() + 113, box_size, initiate_nonce.bytes,
                                   keys_->session_key()) != 0) {
    return fail("INITIATE does not open");
  }
  const std::uint8_t* client_key = plain.data();
  std::uint8_t* vouch_key = keys_->scratch();  // precomputed (C, s')
  if (crypto_box_beforenm(vouch_key, client_key, keys_->transient_secret()) != 0) {
    return fail("INITIATE: the client's key is a weak point");
  }
  const Nonce vouch_nonce("VOUCH---", plain.data() + 32);
  std::uint8_t vouch[64];
  const bool vouch_opens = crypto_box_open_easy_afternm(vouch, plain.data() + 48, 80, vouch_nonce.bytes, vouch_key) == 0;
  keys_->wipe_scratch();
  if (!vouch_opens) return fail("INITIATE: the vouch does not open");
  // libzmq checks only C'; the relay also checks S, so a vouch made for
  // another server is refused.
  if (sodium_memcmp(vouch, client_transient_, 32) != 0 || sodium_memcmp(vouch + 32, server_public_, 32) != 0) {
    return fail("INITIATE: the vouch is for another connection or server");
  }
  if (!client_socket_type_fits(ByteView(plain.data() + 128, plain.size() - 128))) {
    return fail("INITIATE: the client is not a DEALER socket");
  }
  // The handshake's keys are no longer needed: only the session key stays.
  keys_->wipe_handshake();

  // READY = "\x05READY", short nonce (8), Box[metadata](S'->C'), where the
  // metadata says what libzmq's ROUTER says: Socket-Type ROUTER, empty Identity.
  static constexpr std::uint8_t kMetadata[] = {11,  'S', 'o', 'c', 'k', 'e', 't', '-', 'T', 'y', 'p', 'e', 0,  0,
                                               0,   6,   'R', 'O', 'U', 'T', 'E', 'R', 8,   'I', 'd', 'e', 'n', 't',
                                               'i', 't', 'y', 0,   0,   0,   0};
  std::uint8_t ready[6 + 8 + crypto_box_MACBYTES + sizeof kMetadata];
  std::memcpy(ready, "\x05READY", 6);
  put_be64(ready + 6, nonce_++);
  const Nonce ready_nonce("CurveZMQREADY---", ready + 6);
  crypto_box_easy_afternm(ready + 14, kMetadata, sizeof kMetadata, ready_nonce.bytes, keys_->session_key());
  append_command(ByteView(ready, sizeof ready));
  state_ = State::kReady;
  return {0, Event::kReady};
}

// MESSAGE = "\x07MESSAGE", short nonce (8), Box[flags + part](C'->S').
CurveServerSession::Step CurveServerSession::on_message(ByteView body) {
  if (!starts_with(body, "\x07MESSAGE")) return fail("expected MESSAGE");
  if (body.size() < kCurveMessageOverhead) return fail("malformed MESSAGE");
  const std::uint64_t short_nonce = get_be64(body.data() + 8);
  if (short_nonce <= peer_nonce_) return fail("MESSAGE: nonce not above the last one");
  const Nonce nonce("CurveZMQMESSAGEC", body.data() + 8);
  part_.resize(body.size() - 16 - crypto_box_MACBYTES);
  if (crypto_box_open_easy_afternm(part_.data(), body.data() + 16, body.size() - 16, nonce.bytes,
                                   keys_->session_key()) != 0) {
    return fail("MESSAGE does not open");
  }
  peer_nonce_ = short_nonce;
  const std::uint8_t flags = part_[0];
  if ((flags & ~(kPartMore | kPartCommand)) != 0) return fail("MESSAGE: reserved flags set");
  if ((flags & kPartCommand) != 0) {
    // ZMTP 3.1 commands travel in the box too; the only one a DEALER sends
    // is PING (heartbeats), answered here and never seen by the relay.
    const ByteView command = part();
    if (!starts_with(command, "\x04PING") || command.size() < 7 || command.size() > 7 + kMaxPingContext) {
      return fail("MESSAGE: an unexpected command");
    }
    append_pong(command);
    part_.clear();
    return {0, Event::kNeedMore};
  }
  part_more_ = (flags & kPartMore) != 0;
  return {0, Event::kPart};
}

void CurveServerSession::append_command(ByteView body) {
  output_.push_back(kFlagCommand);
  output_.push_back(static_cast<std::uint8_t>(body.size()));  // every command here is under 256 bytes
  output_.insert(output_.end(), body.begin(), body.end());
}

// PONG = "\x04PONG" + the PING's context, sent as a command part.
void CurveServerSession::append_pong(ByteView ping) {
  if (output_.size() > 0) return;  // a PONG (or the handshake) still waits: one is enough
  Bytes pong = {4, 'P', 'O', 'N', 'G'};
  pong.insert(pong.end(), ping.begin() + 7, ping.end());
  seal_frame(ByteView(pong.data(), pong.size()), kPartCommand, output_);
}

void CurveServerSession::seal_part(ByteView plaintext, bool more, Bytes& out) {
  if (state_ != State::kReady) throw std::logic_error("sealing a reply before the CurveZMQ handshake is done");
  seal_frame(plaintext, more ? kPartMore : 0, out);
}

// Writes the frame in place: header, name, nonce, MAC room, flags, part;
// then encrypts flags and part where they are (one copy of the part only).
void CurveServerSession::seal_frame(ByteView plaintext, std::uint8_t part_flags, Bytes& out) {
  const std::size_t body = kCurveMessageOverhead + plaintext.size();
  const std::size_t start = out.size();
  out.resize(start + sealed_size(plaintext.size()));
  std::uint8_t* p = out.data() + start;
  if (body > 255) {
    *p++ = kFlagLong;
    put_be64(p, body);
    p += 8;
  } else {
    *p++ = 0;
    *p++ = static_cast<std::uint8_t>(body);
  }
  std::memcpy(p, "\x07MESSAGE", 8);
  put_be64(p + 8, nonce_++);
  const Nonce nonce("CurveZMQMESSAGES", p + 8);
  std::uint8_t* mac = p + 16;
  std::uint8_t* box = mac + crypto_box_MACBYTES;
  box[0] = part_flags;
  if (!plaintext.empty()) std::memcpy(box + 1, plaintext.data(), plaintext.size());
  crypto_box_detached_afternm(box, mac, box, 1 + plaintext.size(), nonce.bytes, keys_->session_key());
}

}  // namespace meldpunt::relay
