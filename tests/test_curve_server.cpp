// relay::CurveServerSession (relay/src/curve_server.hpp), the relay's own
// end of CurveZMQ: with a real libzmq DEALER over TCP loopback, with the
// test client (tests/support/curve_test_client.hpp) fed in chunks of any
// size, and against each way a client can break the rules.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <zmq.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "curve_server.hpp"
#include "curve_test_client.hpp"
#include "meldpunt/crypto/identity.hpp"
#include "meldpunt/crypto/random.hpp"

using namespace meldpunt;
using relay::CurveServerSession;
using test_support::CurveClientFaults;
using test_support::CurveTestClient;
using Event = CurveServerSession::Event;
using namespace std::string_view_literals;

namespace {

constexpr std::size_t kMaxPart = 256 * 1024;
constexpr std::size_t kMaxCommand = 4096;

CurveServerSession::Limits limits() {
  CurveServerSession::Limits l;
  l.max_part_bytes = kMaxPart;
  l.max_command_bytes = kMaxCommand;
  return l;
}

// The most a session may ask for at once: the largest MESSAGE frame.
constexpr std::size_t kMaxNeeded = kMaxPart + relay::kCurveMessageOverhead + relay::kZmtpLongHeader;

Bytes random_bytes(std::size_t n) {
  Bytes b(n);
  crypto::random_fill(b);
  return b;
}

Bytes joined(std::initializer_list<ByteView> pieces) {
  Bytes out;
  for (ByteView p : pieces) append(out, p);
  return out;
}

struct ServerKeys {
  crypto::X25519KeyPair keys = crypto::X25519KeyPair::generate();
  FixedBytes<32> pk() const { return keys.pk.bytes; }
};

struct Got {
  Bytes data;
  bool more = false;
};

// A session and the bytes it has been given but not yet used, as the front
// door holds them. Every step is checked against the contract of next().
struct Feeder {
  CurveServerSession session;
  Bytes pending;
  std::vector<Event> events;  // every event but kNeedMore
  std::vector<Got> parts;

  explicit Feeder(const ServerKeys& server, CurveServerSession::Limits l = limits())
      : session(server.keys.sk, server.keys.pk, l) {}

  // Gives the session `bytes` after what it holds and runs it until it needs
  // more or fails.
  void feed(ByteView bytes) {
    append(pending, bytes);
    for (int guard = 0; guard < 1'000'000; ++guard) {
      if (failed()) return;  // a closed connection: nothing more is read
      const CurveServerSession::Step step = session.next(pending);
      REQUIRE(step.consumed <= pending.size());
      pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(step.consumed));
      if (step.event == Event::kNeedMore) {
        if (step.consumed > 0 && !pending.empty()) continue;  // a frame handled with nothing to tell
        REQUIRE(session.needed() > pending.size());
        REQUIRE(session.needed() <= kMaxNeeded);
        return;
      }
      events.push_back(step.event);
      if (step.event == Event::kPart) {
        const ByteView p = session.part();
        REQUIRE(p.size() <= kMaxPart);
        parts.push_back({Bytes(p.begin(), p.end()), session.part_more()});
      }
      if (step.event == Event::kError) {
        REQUIRE_FALSE(session.error().empty());
        return;
      }
    }
    FAIL("the session does not stop");
  }
  bool failed() const { return !events.empty() && events.back() == Event::kError; }
  bool saw(Event e) const { return std::find(events.begin(), events.end(), e) != events.end(); }
  // Hands what the session produced to the client.
  void deliver(CurveTestClient& client) {
    REQUIRE(client.receive(session.output()));
    session.output().clear();
  }
};

// Runs the handshake; the session is ready after it and its output empty.
void handshake(Feeder& f, CurveTestClient& client) {
  f.feed(joined({client.greeting(), client.hello()}));
  REQUIRE(f.events.empty());
  f.deliver(client);
  REQUIRE(client.welcomed());
  f.feed(client.initiate());
  REQUIRE(f.events == std::vector<Event>{Event::kReady});
  REQUIRE(f.session.ready());
  f.deliver(client);
  REQUIRE(client.ready());
  f.events.clear();
}

}  // namespace

TEST_CASE("a CurveZMQ session reads a whole handshake and message parts of the test client", "[relay][curve]") {
  const ServerKeys server;
  Feeder f(server);
  CurveTestClient client(server.pk());
  // The greeting is there before the client says anything.
  REQUIRE(f.session.output().size() == relay::kZmtpGreetingBytes);
  handshake(f, client);
  CHECK(client.server_metadata().at("Socket-Type") == "ROUTER");

  const Bytes a = random_bytes(1), b = {}, c = random_bytes(kMaxPart);
  f.feed(joined({client.message(a, true), client.message(b, true), client.message(c, false)}));
  REQUIRE(f.events == std::vector<Event>{Event::kPart, Event::kPart, Event::kPart});
  REQUIRE(f.parts.size() == 3);
  CHECK((f.parts[0].data == a && f.parts[0].more));
  CHECK((f.parts[1].data == b && f.parts[1].more));
  CHECK((f.parts[2].data == c && !f.parts[2].more));
  CHECK(f.pending.empty());

  // Replies the client opens, in order, with their flags.
  Bytes reply;
  f.session.seal_part(as_bytes("first"), true, reply);
  CHECK(reply.size() == CurveServerSession::sealed_size(5));
  const std::size_t before = reply.size();
  const Bytes big = random_bytes(300 * 1024);
  f.session.seal_part(big, false, reply);
  CHECK(reply.size() - before == CurveServerSession::sealed_size(big.size()));
  REQUIRE(client.receive(reply));
  REQUIRE(client.parts().size() == 2);
  CHECK((client.parts()[0].data == Bytes{'f', 'i', 'r', 's', 't'} && client.parts()[0].more));
  CHECK((client.parts()[1].data == big && !client.parts()[1].more && !client.parts()[1].command));
}

TEST_CASE("a CurveZMQ session sees the same stream in chunks of any size", "[relay][curve]") {
  const ServerKeys server;
  // 0: exactly what needed() asks for, each time.
  const std::size_t chunk = GENERATE(as<std::size_t>(), 0, 1, 2, 3, 7, 64, 1000, 65536);
  CAPTURE(chunk);
  CurveTestClient client(server.pk());
  Feeder f(server);
  // Where each frame of the client's stream ends: the session uses whole
  // frames only, so whatever it has used ends at one of these.
  std::vector<std::size_t> ends;
  std::size_t sent = 0, used = 0;
  auto frames = [&](std::initializer_list<ByteView> list) {
    Bytes out;
    for (ByteView frame : list) {
      append(out, frame);
      ends.push_back(sent + out.size());
    }
    return out;
  };
  auto feed_in_chunks = [&](ByteView bytes) {
    for (std::size_t at = 0, n = 0; at < bytes.size(); at += n) {
      const std::size_t held = f.pending.size();
      // What needed() asks for is what makes the session go on: it never
      // asks for bytes it has, nor for more than the frame.
      const std::size_t needed = f.session.needed() > held ? f.session.needed() - held : 1;
      n = std::min(chunk == 0 ? needed : chunk, bytes.size() - at);
      f.feed(bytes.subspan(at, n));
      REQUIRE_FALSE(f.failed());
      const std::size_t now_used = used + held + n - f.pending.size();
      if (now_used != used) CHECK(std::find(ends.begin(), ends.end(), now_used) != ends.end());
      used = now_used;
    }
    sent += bytes.size();
  };

  feed_in_chunks(frames({client.greeting(), client.hello()}));
  f.deliver(client);
  const std::vector<Bytes> parts = {random_bytes(0), random_bytes(200), random_bytes(256), random_bytes(70'000),
                                    random_bytes(kMaxPart)};
  const Bytes initiate = client.initiate();
  std::vector<Bytes> messages;
  for (std::size_t i = 0; i < parts.size(); ++i) messages.push_back(client.message(parts[i], true));
  // A short body may come with a long size header: still one frame.
  messages.push_back(test_support::zmtp_frame(0, client.message_body(as_bytes("long header"), 0), true));
  feed_in_chunks(frames({initiate, messages[0], messages[1], messages[2], messages[3], messages[4], messages[5]}));

  REQUIRE(f.events.front() == Event::kReady);
  REQUIRE(f.parts.size() == parts.size() + 1);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    CHECK(f.parts[i].data == parts[i]);
    CHECK(f.parts[i].more);
  }
  CHECK((f.parts.back().data == Bytes{'l', 'o', 'n', 'g', ' ', 'h', 'e', 'a', 'd', 'e', 'r'} && !f.parts.back().more));
  CHECK(f.pending.empty());
  CHECK(used == sent);
}

namespace {

// A listening TCP socket on loopback whose connection the test accepts and
// serves by hand, pumping bytes between it and a session.
class Loopback {
 public:
  Loopback() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listener_ >= 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    REQUIRE(::listen(listener_, 1) == 0);
    socklen_t len = sizeof sa;
    REQUIRE(::getsockname(listener_, reinterpret_cast<sockaddr*>(&sa), &len) == 0);
    port_ = ntohs(sa.sin_port);
  }
  ~Loopback() {
    if (fd_ >= 0) ::close(fd_);
    ::close(listener_);
  }
  Loopback(const Loopback&) = delete;
  Loopback& operator=(const Loopback&) = delete;

  std::string endpoint() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
  void accept() {
    pollfd p{listener_, POLLIN, 0};
    REQUIRE(::poll(&p, 1, 10'000) == 1);
    fd_ = ::accept(listener_, nullptr, nullptr);
    REQUIRE(fd_ >= 0);
  }
  void write_all(ByteView bytes) {
    for (std::size_t done = 0; done < bytes.size();) {
      const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      REQUIRE(n > 0);
      done += static_cast<std::size_t>(n);
    }
  }
  // Sends what the session produced and feeds it what arrives, until
  // `done` holds (at most 10 seconds).
  void pump(Feeder& f, const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::vector<std::uint8_t> buffer(65536);
    for (;;) {
      if (f.session.ready()) sent_after_ready_ += f.session.output().size();
      write_all(f.session.output());
      f.session.output().clear();
      INFO(f.session.error());
      REQUIRE_FALSE(f.failed());
      if (done()) return;
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) != 1) continue;
      const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
      REQUIRE(n > 0);  // libzmq closed the connection: it took something for a protocol error
      f.feed(ByteView(buffer.data(), static_cast<std::size_t>(n)));
    }
  }
  // What the session produced by itself once ready (PONGs).
  std::size_t sent_after_ready() const { return sent_after_ready_; }

 private:
  std::size_t sent_after_ready_ = 0;
  int listener_ = -1;
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// A DEALER with CURVE and a fresh client key pair, connected to `door`.
void connect_dealer(zmq::socket_t& dealer, const ServerKeys& server, Loopback& door) {
  const crypto::X25519KeyPair client = crypto::X25519KeyPair::generate();
  REQUIRE(zmq_setsockopt(dealer.handle(), ZMQ_CURVE_SERVERKEY, server.pk().data(), 32) == 0);
  REQUIRE(zmq_setsockopt(dealer.handle(), ZMQ_CURVE_PUBLICKEY, client.pk.data(), 32) == 0);
  REQUIRE(zmq_setsockopt(dealer.handle(), ZMQ_CURVE_SECRETKEY, client.sk.data(), 32) == 0);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.set(zmq::sockopt::rcvtimeo, 10'000);
  dealer.set(zmq::sockopt::sndtimeo, 10'000);
  dealer.connect(door.endpoint());
  door.accept();
}

std::string text_of(const zmq::message_t& m) { return std::string(static_cast<const char*>(m.data()), m.size()); }
std::string text_of(ByteView b) { return std::string(b.begin(), b.end()); }

}  // namespace

TEST_CASE("a libzmq DEALER with CURVE talks to a CurveZMQ session over TCP", "[relay][curve]") {
  const ServerKeys server;
  Loopback door;
  zmq::context_t context;
  zmq::socket_t dealer(context, zmq::socket_type::dealer);
  connect_dealer(dealer, server, door);
  Feeder f(server);
  door.pump(f, [&] { return f.session.ready(); });
  REQUIRE(f.events == std::vector<Event>{Event::kReady});

  // Three parts, the last one as large as a part may be.
  const Bytes last = random_bytes(kMaxPart);
  REQUIRE(dealer.send(zmq::str_buffer("op"), zmq::send_flags::sndmore));
  REQUIRE(dealer.send(zmq::buffer(std::string()), zmq::send_flags::sndmore));
  REQUIRE(dealer.send(zmq::buffer(last), zmq::send_flags::none));
  door.pump(f, [&] { return f.parts.size() == 3; });
  CHECK((text_of(f.parts[0].data) == "op" && f.parts[0].more));
  CHECK((f.parts[1].data.empty() && f.parts[1].more));
  CHECK((f.parts[2].data == last && !f.parts[2].more));

  // A reply of two parts, then one of a single 300 KiB part.
  Bytes reply;
  f.session.seal_part(as_bytes("status"), true, reply);
  f.session.seal_part(as_bytes("fields"), false, reply);
  const Bytes big = random_bytes(300 * 1024);
  f.session.seal_part(big, false, reply);
  door.write_all(reply);
  zmq::message_t m;
  REQUIRE(dealer.recv(m));
  CHECK((text_of(m) == "status" && m.more()));
  REQUIRE(dealer.recv(m));
  CHECK((text_of(m) == "fields" && !m.more()));
  REQUIRE(dealer.recv(m));
  CHECK((m.size() == big.size() && std::equal(big.begin(), big.end(), static_cast<const std::uint8_t*>(m.data()))));
  CHECK_FALSE(m.more());

  // And the session goes on reading after its replies.
  REQUIRE(dealer.send(zmq::str_buffer("again"), zmq::send_flags::none));
  door.pump(f, [&] { return f.parts.size() == 4; });
  CHECK((text_of(f.parts[3].data) == "again" && !f.parts[3].more));
  CHECK(f.events.size() == 5);  // kReady and four parts, no error
}

TEST_CASE("a libzmq DEALER with heartbeats takes the PONGs of a CurveZMQ session", "[relay][curve]") {
  const ServerKeys server;
  Loopback door;
  zmq::context_t context;
  zmq::socket_t dealer(context, zmq::socket_type::dealer);
  // A PING every 50 ms. A PONG libzmq cannot open or read makes it close
  // the connection at once, which the pump sees. (The timeout is long so a
  // busy machine does not close it for want of traffic.)
  dealer.set(zmq::sockopt::heartbeat_ivl, 50);
  dealer.set(zmq::sockopt::heartbeat_timeout, 10'000);
  dealer.set(zmq::sockopt::heartbeat_ttl, 1000);
  connect_dealer(dealer, server, door);
  Feeder f(server);
  door.pump(f, [&] { return f.session.ready(); });
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(800);
  door.pump(f, [&] { return std::chrono::steady_clock::now() >= until; });
  CHECK(door.sent_after_ready() >= 3 * CurveServerSession::sealed_size(5));  // PONGs, at least three
  CHECK(f.parts.empty());  // PINGs are not parts
  zmq::message_t m;
  CHECK_FALSE(dealer.recv(m, zmq::recv_flags::dontwait));  // and PONGs are not messages

  REQUIRE(dealer.send(zmq::str_buffer("still here"), zmq::send_flags::none));
  door.pump(f, [&] { return f.parts.size() == 1; });
  CHECK(text_of(f.parts[0].data) == "still here");
}

namespace {

// A refusal for the reason `why` (a piece of the error text, so the check
// meant is the one that refused): one kError as the last event, nothing
// delivered, and a readable text without a byte of the server's secret,
// raw or in hex. A failed session stays failed.
void check_refused(Feeder& f, const ServerKeys& server, bool before_ready, std::string_view why) {
  REQUIRE(f.failed());
  CHECK(std::count(f.events.begin(), f.events.end(), Event::kError) == 1);
  CHECK(f.parts.empty());
  if (before_ready) CHECK_FALSE(f.saw(Event::kReady));
  const std::string error = f.session.error();
  CHECK_THAT(error, Catch::Contains(std::string(why)));
  CHECK(error.size() <= 200);
  CHECK(std::all_of(error.begin(), error.end(), [](char c) { return c >= 0x20 && c < 0x7F; }));
  const std::string sk_hex = to_hex(server.keys.sk.view());
  std::string sk_hex_upper = sk_hex;
  std::transform(sk_hex_upper.begin(), sk_hex_upper.end(), sk_hex_upper.begin(), ::toupper);
  for (std::size_t at = 0; at + 8 <= sk_hex.size(); at += 8) {  // no 4-byte piece of it either
    CHECK(error.find(sk_hex.substr(at, 8)) == std::string::npos);
    CHECK(error.find(sk_hex_upper.substr(at, 8)) == std::string::npos);
  }
  const std::string raw(server.keys.sk.data(), server.keys.sk.data() + 32);
  for (std::size_t at = 0; at + 4 <= raw.size(); at += 4) CHECK(error.find(raw.substr(at, 4)) == std::string::npos);

  const std::size_t output = f.session.output().size();
  const CurveServerSession::Step again = f.session.next(CurveTestClient(server.pk()).greeting());
  CHECK(again.event == Event::kError);
  CHECK(again.consumed == 0);
  CHECK(f.session.output().size() == output);
  CHECK_FALSE(f.session.ready());
}

// The session after the client's greeting and HELLO, with WELCOME delivered.
void welcome(Feeder& f, CurveTestClient& client) {
  f.feed(joined({client.greeting(), client.hello()}));
  REQUIRE(f.events.empty());
  f.deliver(client);
  REQUIRE(client.welcomed());
}

Bytes long_header(std::uint8_t flags, std::uint64_t size) {
  Bytes header = {static_cast<std::uint8_t>(flags | test_support::kZmtpLongSize)};
  for (int i = 7; i >= 0; --i) header.push_back(static_cast<std::uint8_t>(size >> (8 * i)));
  return header;
}

}  // namespace

TEST_CASE("a CurveZMQ session refuses a wrong greeting", "[relay][curve]") {
  const ServerKeys server;
  CurveClientFaults faults;
  bool no_signature = false;
  std::string why;
  SECTION("as-server set") {
    faults.greeting_as_server = true;
    why = "says it is a server";
  }
  SECTION("mechanism NULL") {
    faults.mechanism = "NULL";
    why = "mechanism is not CURVE";
  }
  SECTION("mechanism PLAIN") {
    faults.mechanism = "PLAIN";
    why = "mechanism is not CURVE";
  }
  SECTION("mechanism CURVE2") {
    faults.mechanism = "CURVE2";
    why = "mechanism is not CURVE";
  }
  SECTION("ZMTP 2") {
    faults.major_version = 2;
    why = "version before 3.0";
  }
  SECTION("no signature") {
    no_signature = true;
    why = "not a ZMTP greeting";
  }
  CurveTestClient client(server.pk(), faults);
  Bytes greeting = client.greeting();
  if (no_signature) greeting[9] = 0x00;
  // The greeting alone is refused: nothing after it is waited for.
  Feeder f(server);
  f.feed(greeting);
  check_refused(f, server, true, why);
}

TEST_CASE("a CurveZMQ session refuses a stream that is not ZMTP at its first byte", "[relay][curve]") {
  const ServerKeys server;
  Feeder f(server);
  f.feed(as_bytes("G"));
  check_refused(f, server, true, "not a ZMTP greeting");
}

TEST_CASE("a CurveZMQ session refuses a HELLO it cannot trust", "[relay][curve]") {
  const ServerKeys server;
  Feeder f(server);
  CurveClientFaults faults;
  FixedBytes<32> trusted = server.pk();
  std::string why = "HELLO does not open";
  SECTION("box does not open") { faults.corrupt_hello_box = true; }
  SECTION("sealed to another server key") { trusted[0] ^= 0x01; }
  SECTION("box holds something else than zeros") {
    faults.hello_box_not_zeros = true;
    why = "malformed HELLO";
  }
  CurveTestClient client(trusted, faults);
  f.feed(joined({client.greeting(), client.hello()}));
  check_refused(f, server, true, why);
  CHECK(f.session.output().size() == relay::kZmtpGreetingBytes);  // no WELCOME
}

TEST_CASE("a CurveZMQ session refuses a malformed HELLO", "[relay][curve]") {
  const ServerKeys server;
  Feeder f(server);
  CurveTestClient client(server.pk());
  Bytes hello = client.hello();
  std::string why;
  SECTION("version 2.0") {
    hello[2 + 6] = 2;
    why = "version is not 1.0";
  }
  SECTION("one byte short") {
    hello.pop_back();
    hello[1] = static_cast<std::uint8_t>(hello.size() - 2);
    why = "malformed HELLO";
  }
  SECTION("one byte long") {
    hello.push_back(0);
    hello[1] = static_cast<std::uint8_t>(hello.size() - 2);
    why = "malformed HELLO";
  }
  SECTION("a short-term key of low order") {
    std::fill_n(hello.begin() + 2 + 80, 32, 0);
    why = "weak point";
  }
  SECTION("not a command frame") {
    hello[0] = 0x00;
    why = "a message before the handshake";
  }
  SECTION("another command") {
    std::copy_n("\x05HELLP", 6, hello.begin() + 2);
    why = "expected HELLO";
  }
  f.feed(joined({client.greeting(), hello}));
  check_refused(f, server, true, why);
  CHECK(f.session.output().size() == relay::kZmtpGreetingBytes);  // no WELCOME
}

TEST_CASE("a CurveZMQ session refuses an INITIATE it cannot trust", "[relay][curve]") {
  const ServerKeys server;
  Feeder f(server);
  CurveClientFaults faults;
  bool other_cookie = false, hello_nonce = false;
  std::string why;
  SECTION("vouch for another server key") {
    faults.vouch_wrong_server_key = true;
    why = "the vouch is for another connection or server";
  }
  SECTION("vouch for another short-term client key") {
    faults.vouch_wrong_transient_key = true;
    why = "the vouch is for another connection or server";
  }
  SECTION("vouch by another client key") {
    faults.vouch_wrong_client_key = true;
    why = "the vouch does not open";
  }
  SECTION("box does not open") {
    faults.corrupt_initiate_box = true;
    why = "INITIATE does not open";
  }
  SECTION("Socket-Type PUB") {
    faults.socket_type = "PUB";
    why = "not a DEALER";
  }
  SECTION("Socket-Type ROUTER") {
    faults.socket_type = "ROUTER";
    why = "not a DEALER";
  }
  SECTION("no Socket-Type") {
    faults.socket_type = "";
    why = "not a DEALER";
  }
  SECTION("cookie of another session") {
    other_cookie = true;
    why = "the cookie is not this connection's";
  }
  SECTION("the nonce of HELLO again") {
    hello_nonce = true;
    why = "nonce not above HELLO's";
  }
  CurveTestClient client(server.pk(), faults);
  welcome(f, client);
  if (other_cookie) {
    // The same server key, another session: its cookie key is its own.
    Feeder other(server);
    CurveTestClient stranger(server.pk());
    welcome(other, stranger);
    client.replace_cookie(stranger.cookie());
  }
  if (hello_nonce) client.set_next_nonce(1);
  f.feed(client.initiate());
  check_refused(f, server, true, why);
  CHECK(f.session.output().empty());  // no READY
}

TEST_CASE("a CurveZMQ session accepts a REQ client as libzmq's ROUTER does", "[relay][curve]") {
  const ServerKeys server;
  Feeder f(server);
  CurveClientFaults faults;
  faults.socket_type = "REQ";
  CurveTestClient client(server.pk(), faults);
  handshake(f, client);
}

TEST_CASE("a CurveZMQ session refuses frames out of turn", "[relay][curve]") {
  const ServerKeys server;
  // A MESSAGE frame sealed properly, for another session.
  Feeder other(server);
  CurveTestClient stranger(server.pk());
  handshake(other, stranger);
  const Bytes foreign_message = stranger.message(as_bytes("hello"), false);

  Feeder f(server);
  CurveTestClient client(server.pk());
  SECTION("a MESSAGE instead of HELLO") {
    f.feed(joined({client.greeting(), foreign_message}));
    check_refused(f, server, true, "a message before the handshake");
  }
  SECTION("a MESSAGE instead of INITIATE") {
    welcome(f, client);
    f.feed(client.message(as_bytes("early"), false));
    check_refused(f, server, true, "a message before the handshake");
  }
  SECTION("a second HELLO") {
    welcome(f, client);
    f.feed(client.hello());
    check_refused(f, server, true, "expected INITIATE");
  }
  SECTION("a HELLO after READY") {
    handshake(f, client);
    f.feed(client.hello());
    check_refused(f, server, false, "a command in the clear after the handshake");
  }
  SECTION("an INITIATE after READY") {
    handshake(f, client);
    f.feed(client.initiate());
    check_refused(f, server, false, "a command in the clear after the handshake");
  }
  SECTION("a command frame after READY (commands go inside the box)") {
    handshake(f, client);
    f.feed(test_support::zmtp_frame(test_support::kZmtpCommand, as_bytes("\x04PING\x00\x00"sv)));
    check_refused(f, server, false, "a command in the clear after the handshake");
  }
  SECTION("a data frame with the ZMTP more flag") {
    handshake(f, client);
    f.feed(test_support::zmtp_frame(test_support::kZmtpMore, client.message_body(as_bytes("part"), 0)));
    check_refused(f, server, false, "more flag");
  }
  SECTION("a command frame with the ZMTP more flag") {
    f.feed(client.greeting());
    Bytes hello = client.hello();
    hello[0] |= test_support::kZmtpMore;
    f.feed(hello);
    check_refused(f, server, true, "more flag");
  }
  SECTION("a data frame with reserved flags") {
    handshake(f, client);
    f.feed(test_support::zmtp_frame(0x08, client.message_body(as_bytes("part"), 0)));
    check_refused(f, server, false, "reserved frame flags");
  }
  SECTION("a data frame that is not a MESSAGE") {
    handshake(f, client);
    Bytes body = client.message_body(as_bytes("part"), 0);
    body[7] = 'X';
    f.feed(test_support::zmtp_frame(0, body));
    check_refused(f, server, false, "expected MESSAGE");
  }
  SECTION("a MESSAGE too short to hold a box") {
    handshake(f, client);
    const Bytes body = client.message_body({}, 0);
    f.feed(test_support::zmtp_frame(0, ByteView(body).first(relay::kCurveMessageOverhead - 1)));
    check_refused(f, server, false, "malformed MESSAGE");
  }
  SECTION("a MESSAGE of another session") {
    handshake(f, client);
    f.feed(foreign_message);
    check_refused(f, server, false, "MESSAGE does not open");
  }
}

TEST_CASE("a CurveZMQ session refuses a MESSAGE whose nonce or MAC is wrong", "[relay][curve]") {
  const ServerKeys server;
  Feeder f(server);
  CurveTestClient client(server.pk());
  handshake(f, client);
  f.feed(joined({client.message(as_bytes("one"), true), client.message(as_bytes("two"), true)}));
  REQUIRE(f.parts.size() == 2);
  f.parts.clear();
  f.events.clear();
  const std::uint64_t next = client.next_nonce();
  std::string why = "nonce not above the last one";
  SECTION("the last nonce again") { client.set_next_nonce(next - 1); }
  SECTION("an older nonce") { client.set_next_nonce(next - 2); }
  SECTION("the nonce of INITIATE") { client.set_next_nonce(2); }
  SECTION("nonce zero") { client.set_next_nonce(0); }
  Bytes frame = client.message(as_bytes("three"), false);
  SECTION("a flipped MAC") {
    client.set_next_nonce(next);
    frame = client.message(as_bytes("three"), false);
    test_support::corrupt_message_mac(frame);
    why = "MESSAGE does not open";
  }
  SECTION("a flipped ciphertext byte") {
    client.set_next_nonce(next);
    frame = client.message(as_bytes("three"), false);
    frame.back() ^= 0x80;
    why = "MESSAGE does not open";
  }
  SECTION("a flipped nonce byte") {
    client.set_next_nonce(next);
    frame = client.message(as_bytes("three"), false);
    frame[2 + 15] ^= 0x10;  // a higher nonce than the box was sealed with
    why = "MESSAGE does not open";
  }
  f.feed(frame);
  check_refused(f, server, false, why);
}

TEST_CASE("a CurveZMQ session refuses what it does not expect inside the box", "[relay][curve]") {
  const ServerKeys server;
  Feeder f(server);
  CurveTestClient client(server.pk());
  handshake(f, client);
  std::string why;
  Bytes frame;
  SECTION("reserved part flags") {
    frame = test_support::zmtp_frame(0, client.message_body(as_bytes("part"), 0x04));
    why = "reserved flags set";
  }
  SECTION("a command other than PING") {
    frame = client.message(as_bytes("\x04PONG\x00\x00" "ctx"sv), false, true);
    why = "an unexpected command";
  }
  SECTION("a PING without its TTL") {
    frame = client.message(as_bytes("\x04PING\x00"sv), false, true);
    why = "an unexpected command";
  }
  SECTION("a PING with a context over 16 bytes") {
    frame = client.ping(10, random_bytes(17));
    why = "an unexpected command";
  }
  f.feed(frame);
  check_refused(f, server, false, why);
  CHECK(f.session.output().empty());  // no PONG
}

TEST_CASE("a CurveZMQ session refuses an oversize frame from its header alone", "[relay][curve]") {
  const ServerKeys server;
  Feeder f(server);
  CurveTestClient client(server.pk());
  handshake(f, client);
  const std::size_t largest_body = kMaxPart + relay::kCurveMessageOverhead;

  SECTION("the largest MESSAGE waits for its body") {
    const Bytes frame = client.message(random_bytes(kMaxPart), false);
    REQUIRE(frame.size() == relay::kZmtpLongHeader + largest_body);
    f.feed(ByteView(frame).first(relay::kZmtpLongHeader));
    REQUIRE(f.events.empty());
    CHECK(f.session.needed() == frame.size());
    f.feed(ByteView(frame).subspan(relay::kZmtpLongHeader));
    CHECK(f.parts.size() == 1);
  }
  SECTION("one byte more is refused before the body arrives") {
    f.feed(long_header(0, largest_body + 1));
    check_refused(f, server, false, "message part too large");
  }
  SECTION("a size of 2^64 - 1 is refused") {
    f.feed(long_header(0, ~std::uint64_t{0}));
    check_refused(f, server, false, "message part too large");
  }
  SECTION("a part one byte over the limit, whole, is refused and never delivered") {
    f.feed(client.message(random_bytes(kMaxPart + 1), false));
    check_refused(f, server, false, "message part too large");
  }
}

TEST_CASE("a CurveZMQ session bounds the handshake commands at their header", "[relay][curve]") {
  const ServerKeys server;
  Feeder f(server);
  CurveTestClient client(server.pk());
  f.feed(client.greeting());
  REQUIRE(f.events.empty());
  SECTION("the largest command waits for its body") {
    f.feed(long_header(test_support::kZmtpCommand, kMaxCommand));
    REQUIRE(f.events.empty());
    CHECK(f.session.needed() == relay::kZmtpLongHeader + kMaxCommand);
  }
  SECTION("a command over the limit is refused") {
    f.feed(long_header(test_support::kZmtpCommand, kMaxCommand + 1));
    check_refused(f, server, true, "handshake command too large");
  }
  SECTION("a data frame as large as a part is refused before the handshake") {
    f.feed(long_header(0, kMaxPart));
    check_refused(f, server, true, "a message before the handshake");
  }
}

TEST_CASE("a CurveZMQ session answers PING with one PONG at a time", "[relay][curve]") {
  const ServerKeys server;
  Feeder f(server);
  CurveTestClient client(server.pk());
  handshake(f, client);
  const Bytes context = {'c', 't', 'x', 0x00, 0xFF};
  f.feed(client.ping(100, context));
  CHECK(f.events.empty());  // no part for the caller
  CHECK(f.parts.empty());
  const std::size_t with_pong = f.session.output().size();
  REQUIRE(with_pong > 0);
  // A second PING while that PONG is unsent adds nothing.
  f.feed(client.ping(100, as_bytes("second")));
  CHECK(f.session.output().size() == with_pong);
  CHECK_FALSE(f.failed());

  f.deliver(client);
  REQUIRE(client.parts().size() == 1);
  const CurveTestClient::Part pong = client.parts().front();
  CHECK(pong.command);
  CHECK_FALSE(pong.more);
  CHECK(pong.data == joined({as_bytes("\x04PONG"), context}));
  client.parts().clear();

  // Once sent, the next PING is answered again; a context of 16 bytes is kept whole.
  const Bytes longest = random_bytes(16);
  f.feed(client.ping(0, longest));
  f.deliver(client);
  REQUIRE(client.parts().size() == 1);
  CHECK(client.parts().front().data == joined({as_bytes("\x04PONG"), longest}));
  // And parts still flow between PINGs.
  f.feed(joined({client.ping(1, {}), client.message(as_bytes("part"), false)}));
  REQUIRE(f.parts.size() == 1);
  CHECK(text_of(f.parts[0].data) == "part");
}
