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
//   idle-ping        the same, each sending a ZMTP PING every 0.5 s
//
// Each attack runs for S seconds (silent: until the connections are open),
// then the tool prints one line "attack=KIND connections=C bytes=B
// requests=R replaced=X open=O" and holds its connections until a line (or
// end of input) arrives on stdin. Exit 0 unless the tool itself failed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "curve_test_client.hpp"
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



// A CurveZMQ client (RFC 26 over ZMTP 3.1) on a blocking TCP socket, just
// enough to send the parts of a message one by one: the protocol is
// CurveTestClient's (tests/support), the socket is this tool's.
class RawCurve {
 public:
  RawCurve(std::uint16_t port, const FixedBytes<32>& server_pk, int receive_buffer = 0) : curve_(server_pk) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (receive_buffer > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      if (fd_ >= 0) ::close(fd_);
      throw std::runtime_error("connect");
    }
    try {
      handshake();
    } catch (...) {
      ::close(fd_);
      throw;
    }
  }
  ~RawCurve() { ::close(fd_); }
  RawCurve(const RawCurve&) = delete;
  RawCurve& operator=(const RawCurve&) = delete;

  // One message part (more: not the last) or a command inside the box.
  bool send_part(ByteView data, bool more, bool command = false) {
    return send_bytes(curve_.message(data, more, command));
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
  void write_all(ByteView b) {
    std::size_t done = 0;
    while (done < b.size()) {
      const ssize_t n = ::send(fd_, b.data() + done, b.size() - done, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("the relay closed the connection");
      done += static_cast<std::size_t>(n);
    }
  }
  bool send_bytes(ByteView b) {
    try {
      write_all(b);
    } catch (const std::runtime_error&) {
      return false;
    }
    return true;
  }
  // Reads from the relay until the client has reached a stage.
  template <typename Reached>
  void read_until(Reached reached) {
    std::uint8_t buffer[4096];
    while (!reached()) {
      const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
      if (got <= 0) throw std::runtime_error("the relay closed the connection in the handshake");
      if (!curve_.receive(ByteView(buffer, static_cast<std::size_t>(got)))) {
        throw std::runtime_error("handshake: " + curve_.error());
      }
    }
  }
  void handshake() {
    Bytes hello = curve_.greeting();
    append(hello, curve_.hello());
    write_all(hello);
    read_until([&] { return curve_.welcomed(); });
    write_all(curve_.initiate());
    read_until([&] { return curve_.ready(); });
  }

  int fd_ = -1;
  test_support::CurveTestClient curve_;
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

void idle(const protocol::ChannelAddress& address, const Options& opt, bool ping, Tally& tally) {
  const std::string prefix = "tcp://127.0.0.1:";
  const auto port = static_cast<std::uint16_t>(std::stoi(address.endpoint.substr(prefix.size())));
  std::vector<std::unique_ptr<RawCurve>> conns;
  for (std::size_t i = 0; i < opt.connections; ++i) {
    conns.push_back(std::make_unique<RawCurve>(port, address.relay_curve_pk));
  }
  tally.open = conns.size();
  summary(opt, tally);
  // idle-ping: a PING on every connection each 0.5 s, to look busy; a
  // connection the relay dropped just fails its sends.
  std::atomic<bool> stop{false};
  std::thread pinger;
  if (ping) {
    pinger = std::thread([&] {
      const Bytes ping_command = {4, 'P', 'I', 'N', 'G', 0, 0};
      while (!stop.load()) {
        for (auto& c : conns) (void)c->send_part(ping_command, false, true);
        for (int i = 0; i < 10 && !stop.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    });
  }
  std::string line;
  std::getline(std::cin, line);
  stop = true;
  if (pinger.joinable()) pinger.join();
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
  if (opt.attack == "idle" || opt.attack == "idle-ping") {
    idle(*address, opt, opt.attack == "idle-ping", tally);
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
