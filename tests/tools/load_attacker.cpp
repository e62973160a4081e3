// Test tool: the memory and connection attacks of tests/integration/
// test_hostile_load.py, against a relay on loopback (refuses other hosts).
//
//   load_attacker CHANNEL_ADDRESS --attack KIND [--connections C] [--seconds S]
//                 [--requests N] [--fill N] [--linger S]
//
//   multipart        C CurveZMQ connections, each sending 256 KiB parts of one
//                    multipart message that never ends (at most 128 MiB per
//                    connection; one the relay drops is replaced by a new one).
//                    libzmq sends nothing of a message before its last part,
//                    so these speak ZMTP 3.1 and CurveZMQ (RFC 26) themselves.
//   multipart-ping   the same with a ZMTP PING after every part, so the
//                    relay's PONGs come back between the parts
//   unread-envelope  deposits one 256 KiB envelope, then C connections each
//                    ask N times for it and never read an answer
//   unread-fetch     deposits --fill small envelopes, then C connections each
//                    send a fetch every 20 ms and never read an answer
// The unread attacks count the connections the relay closed (dropped=N),
// waiting --linger S more seconds for them after the attack.
//   silent           C TCP connections that never send a byte
//   idle             C CurveZMQ connections that finish the handshake and
//                    then say nothing
//
// Each attack runs for S seconds (silent: until the connections are open),
// then the tool prints one line "attack=KIND connections=C bytes=B
// requests=R replaced=X open=O" and holds its connections until a line (or
// end of input) arrives on stdin. Exit 0 unless the tool itself failed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "meldpunt/client/mailbox.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/identity.hpp"
#include "meldpunt/crypto/init.hpp"
#include "meldpunt/crypto/random.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "meldpunt/protocol/wire.hpp"

namespace {

using namespace meldpunt;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kPartBytes = 256 * 1024;
constexpr std::uint64_t kMaxBytesPerConnection = 128ull << 20;

struct Options {
  std::string channel, attack;
  std::size_t connections = 4;
  double seconds = 3;
  std::size_t requests = 1000;
  std::size_t fill = 0;
  double linger = 0;
};

struct Tally {
  std::uint64_t bytes = 0, requests = 0, replaced = 0, open = 0, dropped = 0;
};

void summary(const Options& opt, const Tally& tally) {
  std::cout << "attack=" << opt.attack << " connections=" << opt.connections << " bytes=" << tally.bytes
            << " requests=" << tally.requests << " replaced=" << tally.replaced << " open=" << tally.open << " dropped=" << tally.dropped << std::endl;
}



// A raw CurveZMQ client (RFC 26 over ZMTP 3.1), just enough to send the
// parts of a message one by one: blocking TCP, its own transient keys.
class RawCurve {
 public:
  RawCurve(std::uint16_t port, const FixedBytes<32>& server_pk, int receive_buffer = 0) : server_pk_(server_pk) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (receive_buffer > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) throw std::runtime_error("connect");
    crypto_box_keypair(client_pk_.data(), client_sk_.data());
    crypto_box_keypair(transient_pk_.data(), transient_sk_.data());
    handshake();
  }
  ~RawCurve() { ::close(fd_); }
  RawCurve(const RawCurve&) = delete;
  RawCurve& operator=(const RawCurve&) = delete;

  // One message part (more: not the last) or a command inside the box.
  bool send_part(ByteView data, bool more, bool command = false) {
    Bytes plain{static_cast<std::uint8_t>((more ? 0x01 : 0) | (command ? 0x02 : 0))};
    plain.insert(plain.end(), data.begin(), data.end());
    Bytes body = as_bytes_vec("\x07MESSAGE");
    const Bytes short_nonce = next_nonce();
    body.insert(body.end(), short_nonce.begin(), short_nonce.end());
    const Bytes box = seal(plain, "CurveZMQMESSAGEC", short_nonce, server_transient_, transient_sk_);
    body.insert(body.end(), box.begin(), box.end());
    return send_frame(0, body);
  }
  // A whole request, part by part.
  bool send_request(const protocol::Frames& frames) {
    for (std::size_t i = 0; i < frames.size(); ++i) {
      if (!send_part(frames[i], i + 1 < frames.size())) return false;
    }
    return true;
  }
  // True once the relay closed the connection (FIN or reset), even with
  // answers unread: the kernel's TCP state is no longer "established".
  bool closed_by_peer() const {
    tcp_info info{};
    socklen_t len = sizeof info;
    if (::getsockopt(fd_, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return true;
    return info.tcpi_state != TCP_ESTABLISHED;
  }
  // Reads whatever the relay sent, without waiting; false once it closed.
  bool drain() {
    std::uint8_t buffer[65536];
    for (;;) {
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n > 0) continue;
      if (n == 0) return false;
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
  }

 private:
  static Bytes as_bytes_vec(std::string_view s) { return Bytes(s.begin(), s.end()); }

  Bytes next_nonce() {
    Bytes n(8);
    for (int i = 0; i < 8; ++i) n[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(nonce_ >> (56 - 8 * i));
    nonce_++;
    return n;
  }
  static Bytes seal(ByteView plain, std::string_view prefix, ByteView tail, const FixedBytes<32>& pk,
                    const FixedBytes<32>& sk) {
    std::uint8_t nonce[crypto_box_NONCEBYTES];
    std::memcpy(nonce, prefix.data(), prefix.size());
    std::memcpy(nonce + prefix.size(), tail.data(), tail.size());
    Bytes out(plain.size() + crypto_box_MACBYTES);
    if (crypto_box_easy(out.data(), plain.data(), plain.size(), nonce, pk.data(), sk.data()) != 0) {
      throw std::runtime_error("crypto_box_easy");
    }
    return out;
  }
  void write_all(ByteView b) {
    std::size_t done = 0;
    while (done < b.size()) {
      const ssize_t n = ::send(fd_, b.data() + done, b.size() - done, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("the relay closed the connection");
      done += static_cast<std::size_t>(n);
    }
  }
  bool send_frame(std::uint8_t flags, ByteView body) {
    Bytes header;
    if (body.size() > 255) {
      header.push_back(static_cast<std::uint8_t>(flags | 0x02));
      for (int i = 7; i >= 0; --i) header.push_back(static_cast<std::uint8_t>(body.size() >> (8 * i)));
    } else {
      header = {flags, static_cast<std::uint8_t>(body.size())};
    }
    try {
      write_all(header);
      write_all(body);
    } catch (const std::runtime_error&) {
      return false;
    }
    return true;
  }
  void read_exact(std::uint8_t* out, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
      const ssize_t got = ::recv(fd_, out + done, n - done, 0);
      if (got <= 0) throw std::runtime_error("the relay closed the connection in the handshake");
      done += static_cast<std::size_t>(got);
    }
  }
  Bytes read_command() {
    std::uint8_t flags = 0;
    read_exact(&flags, 1);
    std::uint64_t size = 0;
    if ((flags & 0x02) != 0) {
      std::uint8_t b[8];
      read_exact(b, 8);
      for (std::uint8_t x : b) size = (size << 8) | x;
    } else {
      std::uint8_t b = 0;
      read_exact(&b, 1);
      size = b;
    }
    if (size > 4096) throw std::runtime_error("handshake command too large");
    Bytes body(size);
    read_exact(body.data(), body.size());
    return body;
  }
  void handshake() {
    Bytes greeting(64, 0);
    greeting[0] = 0xFF;
    greeting[9] = 0x7F;
    greeting[10] = 3;
    greeting[11] = 1;
    std::memcpy(greeting.data() + 12, "CURVE", 5);
    write_all(greeting);
    std::uint8_t theirs[64];
    read_exact(theirs, sizeof theirs);
    // HELLO: version, 72 bytes padding, C', short nonce, Box[64 zeros](C'->S).
    Bytes hello = as_bytes_vec("\x05HELLO");
    hello.push_back(1);
    hello.push_back(0);
    hello.resize(hello.size() + 72, 0);
    hello.insert(hello.end(), transient_pk_.begin(), transient_pk_.end());
    Bytes short_nonce = next_nonce();
    hello.insert(hello.end(), short_nonce.begin(), short_nonce.end());
    const Bytes zeros(64, 0);
    const Bytes hello_box = seal(zeros, "CurveZMQHELLO---", short_nonce, server_pk_, transient_sk_);
    hello.insert(hello.end(), hello_box.begin(), hello_box.end());
    send_frame(0x04, hello);
    // WELCOME: nonce (16), Box[S' + cookie](S->C').
    const Bytes welcome = read_command();
    if (welcome.size() != 168 || std::memcmp(welcome.data(), "\x07WELCOME", 8) != 0) throw std::runtime_error("no WELCOME");
    std::uint8_t nonce[crypto_box_NONCEBYTES];
    std::memcpy(nonce, "WELCOME-", 8);
    std::memcpy(nonce + 8, welcome.data() + 8, 16);
    std::uint8_t opened[128];
    if (crypto_box_open_easy(opened, welcome.data() + 24, 144, nonce, server_pk_.data(), transient_sk_.data()) != 0) {
      throw std::runtime_error("WELCOME does not open");
    }
    std::memcpy(server_transient_.data(), opened, 32);
    // INITIATE: cookie, short nonce, Box[C + vouch nonce + vouch + metadata](C'->S').
    Bytes vouch_plain(transient_pk_.begin(), transient_pk_.end());
    vouch_plain.insert(vouch_plain.end(), server_pk_.begin(), server_pk_.end());
    Bytes vouch_nonce(16);
    randombytes_buf(vouch_nonce.data(), vouch_nonce.size());
    const Bytes vouch = seal(vouch_plain, "VOUCH---", vouch_nonce, server_transient_, client_sk_);
    Bytes plain(client_pk_.begin(), client_pk_.end());
    plain.insert(plain.end(), vouch_nonce.begin(), vouch_nonce.end());
    plain.insert(plain.end(), vouch.begin(), vouch.end());
    const std::string_view name = "Socket-Type", value = "DEALER";
    plain.push_back(static_cast<std::uint8_t>(name.size()));
    plain.insert(plain.end(), name.begin(), name.end());
    for (int i = 3; i >= 0; --i) plain.push_back(static_cast<std::uint8_t>(value.size() >> (8 * i)));
    plain.insert(plain.end(), value.begin(), value.end());
    Bytes initiate = as_bytes_vec("\x08INITIATE");
    initiate.insert(initiate.end(), opened + 32, opened + 128);  // the cookie
    short_nonce = next_nonce();
    initiate.insert(initiate.end(), short_nonce.begin(), short_nonce.end());
    const Bytes initiate_box = seal(plain, "CurveZMQINITIATE", short_nonce, server_transient_, transient_sk_);
    initiate.insert(initiate.end(), initiate_box.begin(), initiate_box.end());
    send_frame(0x04, initiate);
    const Bytes ready = read_command();
    if (ready.size() < 6 || std::memcmp(ready.data(), "\x05READY", 6) != 0) throw std::runtime_error("no READY");
  }

  int fd_ = -1;
  FixedBytes<32> server_pk_{}, client_pk_{}, client_sk_{}, transient_pk_{}, transient_sk_{}, server_transient_{};
  std::uint64_t nonce_ = 1;
};

client::ConnectionOptions quick_options() {
  client::ConnectionOptions o;
  o.timeout = std::chrono::milliseconds(30'000);
  o.connect_timeout = std::chrono::milliseconds(5000);
  return o;
}

// Deposits `count` envelopes of `size` bytes; returns the id of the first.
crypto::MessageId deposit(const protocol::ChannelAddress& address, std::size_t count, std::size_t size) {
  client::RelayConnection relay(address, quick_options());
  const crypto::FetchPublicKey recipient = crypto::FetchKeyPair::generate().pk;
  crypto::MessageId first{};
  for (std::size_t done = 0; done < count;) {
    std::vector<client::Outgoing> batch;
    for (; done < count && batch.size() < protocol::kMaxDepositsPerRequest; ++done) {
      client::Outgoing item;
      item.clue = crypto::make_clue(recipient).value();
      crypto::random_fill(item.verifier);
      item.envelope.resize(size);
      crypto::random_fill(item.envelope);
      item.envelope[0] = crypto::kEnvelopeVersion;
      batch.push_back(std::move(item));
    }
    auto ids = client::deposit_all(relay, batch);
    if (!ids) throw std::runtime_error("deposit failed: " + ids.error().message);
    if (done == batch.size()) first = ids->front();
  }
  return first;
}

void multipart(const protocol::ChannelAddress& address, const Options& opt, bool ping, Tally& tally) {
  const std::string prefix = "tcp://127.0.0.1:";
  const auto port = static_cast<std::uint16_t>(std::stoi(address.endpoint.substr(prefix.size())));
  std::vector<std::unique_ptr<RawCurve>> conns;
  std::vector<std::uint64_t> sent;
  for (std::size_t i = 0; i < opt.connections; ++i) {
    conns.push_back(std::make_unique<RawCurve>(port, address.relay_curve_pk));
    sent.push_back(0);
  }
  Bytes part(kPartBytes);
  crypto::random_fill(part);
  const Bytes ping_command = {4, 'P', 'I', 'N', 'G', 0, 0};
  const auto end = Clock::now() + std::chrono::duration<double>(opt.seconds);
  while (Clock::now() < end) {
    for (std::size_t i = 0; i < conns.size(); ++i) {
      if (sent[i] >= kMaxBytesPerConnection) continue;
      const bool alive = conns[i]->send_part(part, true) && (!ping || conns[i]->send_part(ping_command, false, true)) &&
                         conns[i]->drain();
      if (!alive) {  // the relay dropped it: a new connection goes on
        conns[i] = std::make_unique<RawCurve>(port, address.relay_curve_pk);
        sent[i] = 0;
        tally.replaced++;
        continue;
      }
      sent[i] += part.size();
      tally.bytes += part.size();
    }
  }
  tally.open = conns.size();
  summary(opt, tally);
  std::string line;
  std::getline(std::cin, line);
}

void unread(const protocol::ChannelAddress& address, const Options& opt, bool fetch, Tally& tally) {
  protocol::Frames request;
  if (fetch) {
    (void)deposit(address, opt.fill, crypto::kEnvelopeSizes[0]);
    request = protocol::request_header_only(protocol::Op::kFetch);
  } else {
    request = protocol::make_get_message_request(deposit(address, 1, crypto::kEnvelopeSizes.back()));
  }
  const std::string prefix = "tcp://127.0.0.1:";
  const auto port = static_cast<std::uint16_t>(std::stoi(address.endpoint.substr(prefix.size())));
  std::vector<std::unique_ptr<RawCurve>> conns;
  for (std::size_t i = 0; i < opt.connections; ++i) {
    conns.push_back(std::make_unique<RawCurve>(port, address.relay_curve_pk, 4096));  // reads nothing
  }
  std::vector<bool> gone(conns.size(), false);
  auto count_gone = [&] {
    for (std::size_t i = 0; i < conns.size(); ++i) {
      if (!gone[i] && conns[i]->closed_by_peer()) {
        gone[i] = true;
        tally.dropped++;
      }
    }
  };
  const auto end = Clock::now() + std::chrono::duration<double>(opt.seconds);
  std::vector<std::size_t> asked(conns.size(), 0);
  while (Clock::now() < end) {
    for (std::size_t i = 0; i < conns.size(); ++i) {
      // Requests are small: all of them fit in the kernel's buffers even
      // while the relay holds them, so these writes do not block.
      for (int burst = 0; burst < (fetch ? 1 : 100) && asked[i] < opt.requests && !gone[i]; ++burst) {
        if (!conns[i]->send_request(request)) break;
        asked[i]++;
        tally.requests++;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    count_gone();
  }
  const auto linger_end = Clock::now() + std::chrono::duration<double>(opt.linger);
  while (Clock::now() < linger_end && tally.dropped < conns.size()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    count_gone();
  }
  tally.open = conns.size() - tally.dropped;
  summary(opt, tally);
  std::string line;
  std::getline(std::cin, line);
}

void silent(const protocol::ChannelAddress& address, const Options& opt, Tally& tally) {
  const std::string prefix = "tcp://127.0.0.1:";
  const auto port = static_cast<std::uint16_t>(std::stoi(address.endpoint.substr(prefix.size())));
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  std::vector<int> fds;
  for (std::size_t i = 0; i < opt.connections; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) break;
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      ::close(fd);
      continue;
    }
    fds.push_back(fd);
  }
  tally.open = fds.size();
  summary(opt, tally);
  std::string line;
  std::getline(std::cin, line);
  for (int fd : fds) ::close(fd);
}

void idle(const protocol::ChannelAddress& address, const Options& opt, Tally& tally) {
  const std::string prefix = "tcp://127.0.0.1:";
  const auto port = static_cast<std::uint16_t>(std::stoi(address.endpoint.substr(prefix.size())));
  std::vector<std::unique_ptr<RawCurve>> conns;
  for (std::size_t i = 0; i < opt.connections; ++i) {
    conns.push_back(std::make_unique<RawCurve>(port, address.relay_curve_pk));
  }
  tally.open = conns.size();
  summary(opt, tally);
  std::string line;
  std::getline(std::cin, line);
}

int run(const Options& opt) {
  auto address = protocol::parse_address(opt.channel);
  if (!address) throw std::runtime_error(address.error().message);
  if (address->endpoint.rfind("tcp://127.0.0.1:", 0) != 0) throw std::runtime_error("loopback relays only");
  Tally tally;
  if (opt.attack == "silent") {
    silent(*address, opt, tally);
    return 0;
  }
  if (opt.attack == "idle") {
    idle(*address, opt, tally);
    return 0;
  }
  if (opt.attack == "multipart" || opt.attack == "multipart-ping") {
    multipart(*address, opt, opt.attack == "multipart-ping", tally);
  } else if (opt.attack == "unread-envelope" || opt.attack == "unread-fetch") {
    unread(*address, opt, opt.attack == "unread-fetch", tally);
  } else {
    throw std::runtime_error("unknown attack " + opt.attack);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  crypto::init();
  Options opt;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << "usage: load_attacker CHANNEL_ADDRESS --attack KIND [--connections C] [--seconds S] "
                 "[--requests N] [--fill N] [--linger S]\n";
    return 1;
  }
  opt.channel = args[0];
  for (std::size_t i = 1; i + 1 < args.size(); i += 2) {
    if (args[i] == "--attack") opt.attack = args[i + 1];
    else if (args[i] == "--connections") opt.connections = std::stoul(args[i + 1]);
    else if (args[i] == "--seconds") opt.seconds = std::stod(args[i + 1]);
    else if (args[i] == "--requests") opt.requests = std::stoul(args[i + 1]);
    else if (args[i] == "--fill") opt.fill = std::stoul(args[i + 1]);
    else if (args[i] == "--linger") opt.linger = std::stod(args[i + 1]);
    else {
      std::cerr << "load_attacker: unknown option " << args[i] << "\n";
      return 1;
    }
  }
  try {
    return run(opt);
  } catch (const std::exception& e) {
    std::cerr << "load_attacker: " << e.what() << "\n";
    return 3;
  }
}
