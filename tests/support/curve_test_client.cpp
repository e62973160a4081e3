#include "curve_test_client.hpp"

#include <sodium.h>

#include <stdexcept>

namespace meldpunt::test_support {
namespace {

constexpr std::size_t kBoxMac = crypto_box_MACBYTES;
static_assert(kBoxMac == 16 && crypto_box_NONCEBYTES == 24 && crypto_box_PUBLICKEYBYTES == 32 &&
              crypto_box_SECRETKEYBYTES == 32);
constexpr std::size_t kCookieBytes = 16 + 80;  // nonce, Box[C' + s'](K)
constexpr std::size_t kWelcomeBytes = 8 + 16 + kBoxMac + 32 + kCookieBytes;
// What the client takes from the server before anything else is known:
// bounds the inbox while a frame is incomplete.
constexpr std::size_t kMaxCommandBytes = 4096;
constexpr std::size_t kMaxMessageBytes = 64u << 20;

Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }

void put_u64_be(Bytes& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint64_t get_u64_be(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

// A 24-byte nonce: a 16- or 8-byte prefix, then the given tail.
void make_nonce(std::uint8_t (&nonce)[crypto_box_NONCEBYTES], std::string_view prefix, ByteView tail) {
  if (prefix.size() + tail.size() != crypto_box_NONCEBYTES) throw std::logic_error("nonce of wrong size");
  std::copy(prefix.begin(), prefix.end(), nonce);
  std::copy(tail.begin(), tail.end(), nonce + prefix.size());
}

Bytes seal(ByteView plain, std::string_view prefix, ByteView tail, const std::uint8_t* pk, const std::uint8_t* sk) {
  std::uint8_t nonce[crypto_box_NONCEBYTES];
  make_nonce(nonce, prefix, tail);
  Bytes out(plain.size() + kBoxMac);
  if (crypto_box_easy(out.data(), plain.data(), plain.size(), nonce, pk, sk) != 0) {
    throw std::runtime_error("crypto_box_easy failed");
  }
  return out;
}

bool open(Bytes& plain, ByteView box, std::string_view prefix, ByteView tail, const std::uint8_t* pk,
          const std::uint8_t* sk) {
  if (box.size() < kBoxMac) return false;
  std::uint8_t nonce[crypto_box_NONCEBYTES];
  make_nonce(nonce, prefix, tail);
  plain.resize(box.size() - kBoxMac);
  return crypto_box_open_easy(plain.data(), box.data(), box.size(), nonce, pk, sk) == 0;
}

FixedBytes<32> public_of(const crypto::Secret<32>& sk) {
  FixedBytes<32> pk{};
  if (crypto_scalarmult_base(pk.data(), sk.data()) != 0) throw std::runtime_error("crypto_scalarmult_base failed");
  return pk;
}

// name-length (1), name, value-length (4, big-endian), value; repeated.
bool parse_metadata(ByteView in, std::map<std::string, std::string>& out) {
  std::size_t at = 0;
  while (at < in.size()) {
    const std::size_t name_size = in[at++];
    if (name_size == 0 || in.size() - at < name_size + 4) return false;
    std::string name(in.begin() + static_cast<std::ptrdiff_t>(at),
                     in.begin() + static_cast<std::ptrdiff_t>(at + name_size));
    at += name_size;
    std::size_t value_size = 0;
    for (int i = 0; i < 4; ++i) value_size = (value_size << 8) | in[at++];
    if (in.size() - at < value_size) return false;
    out[name] = std::string(in.begin() + static_cast<std::ptrdiff_t>(at),
                            in.begin() + static_cast<std::ptrdiff_t>(at + value_size));
    at += value_size;
  }
  return true;
}

}  // namespace

Bytes zmtp_frame(std::uint8_t flags, ByteView body, bool force_long) {
  Bytes out;
  if (force_long || body.size() > 255) {
    out.push_back(static_cast<std::uint8_t>(flags | kZmtpLongSize));
    put_u64_be(out, body.size());
  } else {
    out.push_back(static_cast<std::uint8_t>(flags & ~kZmtpLongSize));
    out.push_back(static_cast<std::uint8_t>(body.size()));
  }
  append(out, body);
  return out;
}

std::size_t zmtp_header_size(std::uint8_t flags) { return (flags & kZmtpLongSize) != 0 ? 9 : 2; }

void corrupt_message_mac(Bytes& frame) {
  if (frame.empty()) throw std::logic_error("no frame");
  const std::size_t at = zmtp_header_size(frame[0]) + kMessageMacOffset;
  if (frame.size() <= at) throw std::logic_error("not a MESSAGE frame");
  frame[at] ^= 0x01;
}

CurveTestClient::CurveTestClient(const FixedBytes<32>& server_pk, CurveClientFaults faults)
    : CurveTestClient(server_pk, crypto::Secret<32>::random(), crypto::Secret<32>::random(), std::move(faults)) {}

CurveTestClient::CurveTestClient(const FixedBytes<32>& server_pk, const crypto::Secret<32>& long_term_sk,
                                 const crypto::Secret<32>& transient_sk, CurveClientFaults faults)
    : server_pk_(server_pk),
      faults_(std::move(faults)),
      long_term_sk_(long_term_sk.clone()),
      transient_sk_(transient_sk.clone()),
      long_term_pk_(public_of(long_term_sk_)),
      transient_pk_(public_of(transient_sk_)) {}

CurveTestClient::~CurveTestClient() = default;

Bytes CurveTestClient::greeting() const {
  Bytes g(64, 0);
  g[0] = 0xFF;
  g[9] = 0x7F;
  g[10] = faults_.major_version;
  g[11] = 1;
  const std::size_t mechanism = std::min<std::size_t>(faults_.mechanism.size(), 20);
  std::copy_n(faults_.mechanism.begin(), mechanism, g.begin() + 12);
  g[32] = faults_.greeting_as_server ? 1 : 0;
  return g;
}

Bytes CurveTestClient::take_nonce() {
  Bytes n;
  put_u64_be(n, nonce_++);
  return n;
}

// HELLO: "\x05HELLO", version 1.0, 72 bytes of zeros (so HELLO is not
// shorter than WELCOME), C', short nonce, Box[64 zeros](C' -> S).
Bytes CurveTestClient::hello() {
  Bytes body = text("\x05HELLO");
  body.push_back(1);
  body.push_back(0);
  body.resize(body.size() + 72, 0);
  append(body, transient_pk_);
  const Bytes short_nonce = take_nonce();
  append(body, short_nonce);
  Bytes zeros(64, 0);
  if (faults_.hello_box_not_zeros) zeros[63] = 1;
  Bytes box = seal(zeros, "CurveZMQHELLO---", short_nonce, server_pk_.data(), transient_sk_.data());
  if (faults_.corrupt_hello_box) box[0] ^= 0x01;
  append(body, box);
  return zmtp_frame(kZmtpCommand, body);
}

// INITIATE: "\x08INITIATE", cookie, short nonce, Box[C + vouch nonce +
// Box[C' + S](C -> S') + metadata](C' -> S').
Bytes CurveTestClient::initiate() {
  if (stage_ != Stage::kInitiate && stage_ != Stage::kReady) throw std::logic_error("INITIATE before WELCOME");
  FixedBytes<32> vouched_server = server_pk_;
  if (faults_.vouch_wrong_server_key) vouched_server[5] ^= 0x40;
  Bytes vouch_plain(transient_pk_.begin(), transient_pk_.end());
  if (faults_.vouch_wrong_transient_key) vouch_plain[7] ^= 0x08;
  append(vouch_plain, vouched_server);
  Bytes vouch_nonce(16);
  randombytes_buf(vouch_nonce.data(), vouch_nonce.size());
  const crypto::Secret<32> other = crypto::Secret<32>::random();
  const std::uint8_t* voucher = faults_.vouch_wrong_client_key ? other.data() : long_term_sk_.data();
  const Bytes vouch = seal(vouch_plain, "VOUCH---", vouch_nonce, server_transient_.data(), voucher);

  Bytes plain(long_term_pk_.begin(), long_term_pk_.end());
  append(plain, vouch_nonce);
  append(plain, vouch);
  if (faults_.metadata) {
    append(plain, *faults_.metadata);
  } else if (!faults_.socket_type.empty()) {
    const std::string_view name = "Socket-Type";
    plain.push_back(static_cast<std::uint8_t>(name.size()));
    append(plain, as_bytes(name));
    for (int i = 3; i >= 0; --i) plain.push_back(static_cast<std::uint8_t>(faults_.socket_type.size() >> (8 * i)));
    append(plain, as_bytes(faults_.socket_type));
  }
  Bytes body = text("\x08INITIATE");
  append(body, cookie_);
  const Bytes short_nonce = take_nonce();
  append(body, short_nonce);
  Bytes box = seal(plain, "CurveZMQINITIATE", short_nonce, server_transient_.data(), transient_sk_.data());
  if (faults_.corrupt_initiate_box) box[box.size() - 1] ^= 0x01;
  append(body, box);
  return zmtp_frame(kZmtpCommand, body);
}

Bytes CurveTestClient::message_body(ByteView part, std::uint8_t box_flags) {
  if (stage_ != Stage::kReady && stage_ != Stage::kInitiate) throw std::logic_error("MESSAGE before WELCOME");
  Bytes plain{box_flags};
  append(plain, part);
  Bytes body = text("\x07MESSAGE");
  const Bytes short_nonce = take_nonce();
  append(body, short_nonce);
  append(body, seal(plain, "CurveZMQMESSAGEC", short_nonce, server_transient_.data(), transient_sk_.data()));
  return body;
}

Bytes CurveTestClient::message(ByteView part, bool more, bool command) {
  const auto flags = static_cast<std::uint8_t>((more ? kBoxMore : 0) | (command ? kBoxCommand : 0));
  return zmtp_frame(0, message_body(part, flags));
}

Bytes CurveTestClient::ping(std::uint16_t ttl, ByteView context) {
  Bytes command = text("\x04PING");
  command.push_back(static_cast<std::uint8_t>(ttl >> 8));
  command.push_back(static_cast<std::uint8_t>(ttl));
  append(command, context);
  return message(command, false, true);
}

bool CurveTestClient::fail(std::string message) {
  stage_ = Stage::kFailed;
  error_ = std::move(message);
  inbox_.clear();
  return false;
}

bool CurveTestClient::receive(ByteView bytes) {
  if (stage_ == Stage::kFailed) return false;
  append(inbox_, bytes);
  std::size_t at = 0;
  bool ok = true;
  for (;;) {
    const ByteView rest = ByteView(inbox_).subspan(at);
    if (stage_ == Stage::kGreeting) {
      if (rest.size() < 64) break;
      if (rest[0] != 0xFF || rest[9] != 0x7F) return fail("the server's greeting has no ZMTP signature");
      if (rest[10] < 3) return fail("the server speaks ZMTP before 3.0");
      static constexpr std::uint8_t kCurve[20] = {'C', 'U', 'R', 'V', 'E'};
      if (!std::equal(rest.begin() + 12, rest.begin() + 32, kCurve)) return fail("the server's mechanism is not CURVE");
      // as-server (byte 32) is not read: libzmq 4.3 sends 0 on both sides.
      stage_ = Stage::kWelcome;
      at += 64;
      continue;
    }
    if (rest.size() < 2) break;
    const std::size_t header = zmtp_header_size(rest[0]);
    if (rest.size() < header) break;
    const std::uint64_t size = header == 9 ? get_u64_be(rest.data() + 1) : rest[1];
    const bool command = (rest[0] & kZmtpCommand) != 0;
    if ((rest[0] & ~(kZmtpMore | kZmtpLongSize | kZmtpCommand)) != 0) return fail("a frame has unknown flags");
    if (size > (command ? kMaxCommandBytes : kMaxMessageBytes)) return fail("a frame from the server is too large");
    if (rest.size() - header < size) break;
    const ByteView body = rest.subspan(header, static_cast<std::size_t>(size));
    at += header + static_cast<std::size_t>(size);
    if (stage_ == Stage::kWelcome) {
      ok = command ? on_welcome(body) : fail("a data frame before WELCOME");
    } else if (stage_ == Stage::kInitiate) {
      ok = command ? on_ready(body) : fail("a data frame before READY");
    } else if (command) {
      ok = fail("a command frame after READY (commands travel inside MESSAGE boxes)");
    } else if ((rest[0] & kZmtpMore) != 0) {
      ok = fail("a MESSAGE frame with the ZMTP more flag");
    } else {
      ok = on_message(body);
    }
    if (!ok) return false;
  }
  inbox_.erase(inbox_.begin(), inbox_.begin() + static_cast<std::ptrdiff_t>(at));
  return true;
}

// WELCOME: "\x07WELCOME", long nonce (16), Box[S' + cookie](S -> C').
bool CurveTestClient::on_welcome(ByteView body) {
  if (body.size() != kWelcomeBytes ||
      std::string_view(reinterpret_cast<const char*>(body.data()), 8) != "\x07WELCOME") {
    return fail("the server's first command is not a WELCOME");
  }
  Bytes plain;
  if (!open(plain, body.subspan(24), "WELCOME-", body.subspan(8, 16), server_pk_.data(), transient_sk_.data())) {
    return fail("WELCOME does not open with the server key");
  }
  std::copy(plain.begin(), plain.begin() + 32, server_transient_.begin());
  cookie_.assign(plain.begin() + 32, plain.end());
  stage_ = Stage::kInitiate;
  return true;
}

// READY: "\x05READY", short nonce, Box[metadata](S' -> C').
bool CurveTestClient::on_ready(ByteView body) {
  if (body.size() < 6 + 8 + kBoxMac || std::string_view(reinterpret_cast<const char*>(body.data()), 6) != "\x05READY") {
    return fail("the server's answer to INITIATE is not READY");
  }
  server_nonce_ = get_u64_be(body.data() + 6);
  Bytes plain;
  if (!open(plain, body.subspan(14), "CurveZMQREADY---", body.subspan(6, 8), server_transient_.data(),
            transient_sk_.data())) {
    return fail("READY does not open");
  }
  if (!parse_metadata(plain, server_metadata_)) return fail("READY's metadata is malformed");
  stage_ = Stage::kReady;
  return true;
}

// MESSAGE: "\x07MESSAGE", short nonce, Box[flags + part](S' -> C').
bool CurveTestClient::on_message(ByteView body) {
  if (body.size() < 8 + 8 + kBoxMac + 1 ||
      std::string_view(reinterpret_cast<const char*>(body.data()), 8) != "\x07MESSAGE") {
    return fail("a data frame from the server is not a MESSAGE");
  }
  const std::uint64_t nonce = get_u64_be(body.data() + 8);
  if (nonce <= server_nonce_) return fail("the server's MESSAGE nonce does not increase");
  server_nonce_ = nonce;
  Bytes plain;
  if (!open(plain, body.subspan(16), "CurveZMQMESSAGES", body.subspan(8, 8), server_transient_.data(),
            transient_sk_.data())) {
    return fail("a MESSAGE from the server does not open");
  }
  if ((plain[0] & ~(kBoxMore | kBoxCommand)) != 0) return fail("a MESSAGE from the server has unknown flags");
  Part part;
  part.more = (plain[0] & kBoxMore) != 0;
  part.command = (plain[0] & kBoxCommand) != 0;
  part.data.assign(plain.begin() + 1, plain.end());
  parts_.push_back(std::move(part));
  return true;
}

}  // namespace meldpunt::test_support
