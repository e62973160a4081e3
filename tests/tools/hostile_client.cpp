// Test tool: a hostile client for tests/integration/test_hostile_clients.py.
//
//   hostile_client CHANNEL_ADDRESS [--requests N] [--connections C] [--seed S]
//
// Loopback only (refuses other hosts). Phases, all bounded in count and time:
//   1. half-open TCP: connections that never speak, that stop half-way
//      through the ZMTP greeting, that send raw garbage, that close at once
//      (held open until the end);
//   2. a CURVE handshake with a wrong server key (never reaches the relay's
//      parser, must not disturb it);
//   3. a slow reader: a CURVE connection that sends requests with large
//      replies and never reads them (held open until the end);
//   4. N malformed requests over C CURVE connections (so they reach
//      parse_request): random frames, wrong version, unknown operations,
//      wrong frame counts and sizes, invalid clue points, too many frames,
//      garbage directories and uploads; pipelined, at most kWindow in
//      flight per connection, every reply read and tallied by status;
//   5. oversize frames (> ZMQ_MAXMSGSIZE): libzmq drops the connection.
// Then it prints one summary line:
//   sent=N replied=R ok=K lost=L status_<code>=... half_open=H garbage=G
//   oversize=O slow_reader_sent=S wrong_key=W
// and waits for a line (or end of input) on stdin before closing the held
// connections, so the test can run an honest exchange while they are open.
// Exit 0 unless the tool itself failed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "meldpunt/crypto/init.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "meldpunt/protocol/wire.hpp"

namespace {

using namespace meldpunt;
using Clock = std::chrono::steady_clock;

constexpr int kWindow = 32;                 // requests in flight per connection
constexpr auto kConnectionQuiet = std::chrono::seconds(5);  // no reply for this long: the rest is lost
constexpr auto kPhaseDeadline = std::chrono::seconds(90);

struct Options {
  std::string channel;
  std::size_t requests = 100'000;
  std::size_t connections = 64;
  std::uint64_t seed = 1;
};

std::mt19937_64 g_rng;

std::size_t below(std::size_t n) { return static_cast<std::size_t>(g_rng() % n); }
Bytes random_bytes(std::size_t n) {
  Bytes b(n);
  for (auto& x : b) x = static_cast<std::uint8_t>(g_rng());
  return b;
}
Bytes header(std::uint8_t version, std::uint8_t op) { return Bytes{version, op}; }
// A field after the header, of any size: the front door knows where a
// request ends (it ends CurveZMQ), so a 2-byte field is a field like any.
Bytes field(std::size_t n) { return random_bytes(n); }

// One malformed request of the given kind (never a valid one).
protocol::Frames malformed(std::size_t kind) {
  protocol::Frames f;
  const auto op = [](protocol::Op o) { return static_cast<std::uint8_t>(o); };
  switch (kind % 9) {
    case 0: {  // random frames; the header is never [1, op] (a header of 2 bytes starting 0x01 is avoided)
      const std::size_t n = 1 + below(8);
      for (std::size_t i = 0; i < n; ++i) f.push_back(i == 0 ? random_bytes(below(300)) : field(below(300)));
      if (f[0].size() == 2 && f[0][0] == protocol::kWireVersion) f[0][0] = 0x7f;
      break;
    }
    case 1:  // wrong version
      f.push_back(header(static_cast<std::uint8_t>(2 + below(250)), static_cast<std::uint8_t>(1 + below(9))));
      break;
    case 2: {  // unknown operation, with some fields
      const std::uint8_t unknown = below(2) == 0 ? 0 : static_cast<std::uint8_t>(protocol::kLastOp + 1 + below(255 - protocol::kLastOp));
      f.push_back(header(protocol::kWireVersion, unknown));
      for (std::size_t i = below(4); i > 0; --i) f.push_back(field(below(64)));
      break;
    }
    case 3: {  // get-message / delete with wrong id or token sizes, or extra frames
      const bool del = below(2) == 0;
      f.push_back(header(protocol::kWireVersion, op(del ? protocol::Op::kDelete : protocol::Op::kGetMessage)));
      std::size_t id = below(40);
      if (id == 16) id = 17;
      f.push_back(field(id));
      if (del) f.push_back(random_bytes(below(2) == 0 ? 31 : 33));
      if (below(3) == 0) f.push_back(random_bytes(5));
      break;
    }
    case 4: {  // deposit: wrong triple counts, wrong sizes, invalid points
      f.push_back(header(protocol::kWireVersion, op(protocol::Op::kDeposit)));
      if (below(2) == 0) f.push_back(random_bytes(protocol::kPowFieldBytes));
      const std::size_t triples = below(3);
      for (std::size_t i = 0; i < triples; ++i) {
        f.push_back(random_bytes(below(4) == 0 ? 63 : 64));  // random bytes are almost never valid points
        f.push_back(random_bytes(below(4) == 0 ? 31 : 32));
        static constexpr std::size_t kSizes[] = {0, 1, 4095, 4097, 5000, 32767};
        f.push_back(random_bytes(kSizes[below(std::size(kSizes))]));
      }
      if (triples == 0 || below(3) == 0) f.push_back(field(below(100)));  // a dangling field
      break;
    }
    case 5:  // publish-directory with garbage
      f.push_back(header(protocol::kWireVersion, op(protocol::Op::kPublishDirectory)));
      f.push_back(field(below(2048)));
      break;
    case 6: {  // upload-prekeys with wrong sizes or a bad signature
      f.push_back(header(protocol::kWireVersion, op(protocol::Op::kUploadPrekeys)));
      f.push_back(field(below(2) == 0 ? 32 : below(40)));
      f.push_back(random_bytes(8));
      f.push_back(field(protocol::kPrekeyWireBytes * below(4) + below(2)));
      f.push_back(random_bytes(64));
      break;
    }
    case 7: {  // too many frames
      f.push_back(header(protocol::kWireVersion, op(protocol::Op::kDeposit)));
      const std::size_t n = protocol::kMaxRequestFrames + below(40);
      for (std::size_t i = 0; i < n; ++i) f.push_back(field(below(8)));
      break;
    }
    default: {  // header-only operations with stray fields, or a truncated header
      if (below(2) == 0) {
        f.push_back(random_bytes(below(2)));  // 0 or 1 byte header
      } else {
        f.push_back(header(protocol::kWireVersion, op(below(2) == 0 ? protocol::Op::kGetDirectory : protocol::Op::kFetch)));
        f.push_back(field(1 + below(32)));
      }
      break;
    }
  }
  return f;
}

zmq::socket_t curve_dealer(zmq::context_t& ctx, const protocol::ChannelAddress& address, bool wrong_key = false) {
  zmq::socket_t s{ctx, zmq::socket_type::dealer};
  std::array<char, 41> pub{}, sec{};
  if (zmq_curve_keypair(pub.data(), sec.data()) != 0) throw std::runtime_error("no CURVE support in libzmq");
  FixedBytes<32> server = address.relay_curve_pk;
  if (wrong_key) server[0] ^= 0x55;
  s.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(server.data(), server.size()));
  s.set(zmq::sockopt::curve_publickey, std::string(pub.data(), 40));
  s.set(zmq::sockopt::curve_secretkey, std::string(sec.data(), 40));
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::sndhwm, 100'000);
  s.connect(address.endpoint);
  return s;
}

bool send_frames(zmq::socket_t& s, const protocol::Frames& frames) {
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const auto flags = (i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none) |
                       zmq::send_flags::dontwait;
    if (!s.send(zmq::const_buffer(frames[i].data(), frames[i].size()), flags)) return false;
  }
  return true;
}

// Reads one whole reply if one is waiting; its status byte (or 255 if the
// reply did not even have a header).
std::optional<int> receive_reply(zmq::socket_t& s) {
  zmq::message_t part;
  if (!s.recv(part, zmq::recv_flags::dontwait)) return std::nullopt;
  int status = part.size() == 2 ? static_cast<const std::uint8_t*>(part.data())[1] : 255;
  while (part.more()) {
    if (!s.recv(part, zmq::recv_flags::none)) break;
  }
  return status;
}

struct Tcp {
  std::string host;
  std::uint16_t port = 0;
};

Tcp loopback_endpoint(const std::string& endpoint) {
  const std::string prefix = "tcp://127.0.0.1:";
  if (endpoint.rfind(prefix, 0) != 0) throw std::runtime_error("hostile_client only attacks tcp://127.0.0.1");
  return {"127.0.0.1", static_cast<std::uint16_t>(std::stoi(endpoint.substr(prefix.size())))};
}

int tcp_connect(const Tcp& t) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(t.port);
  inet_pton(AF_INET, t.host.c_str(), &sa.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void write_all(int fd, const Bytes& b) {
  std::size_t done = 0;
  while (done < b.size()) {
    const ssize_t n = ::send(fd, b.data() + done, b.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return;  // the relay may drop us, which is fine
    done += static_cast<std::size_t>(n);
  }
}

int run(const Options& opt) {
  auto address = protocol::parse_address(opt.channel);
  if (!address) {
    std::cerr << "hostile_client: " << address.error().message << "\n";
    return 2;
  }
  const Tcp tcp = loopback_endpoint(address->endpoint);
  g_rng.seed(opt.seed);
  zmq::context_t ctx{1};
  std::map<std::string, std::uint64_t> tally;

  // 1. Half-open and garbage TCP connections.
  std::vector<int> held;
  std::uint64_t half_open = 0, garbage = 0;
  for (int i = 0; i < 100; ++i) {
    const int fd = tcp_connect(tcp);
    if (fd < 0) continue;
    if (i % 2 == 1) write_all(fd, Bytes{0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3});  // ZMTP signature, then silence
    held.push_back(fd);
    half_open++;
  }
  for (int i = 0; i < 400; ++i) {
    const int fd = tcp_connect(tcp);
    if (fd < 0) continue;
    if (i % 4 != 0) write_all(fd, random_bytes(1 + below(4096)));
    ::close(fd);
    garbage++;
  }

  // 2. CURVE with the wrong server key: the handshake fails.
  std::vector<zmq::socket_t> wrong;
  for (int i = 0; i < 10; ++i) {
    wrong.push_back(curve_dealer(ctx, *address, true));
    (void)send_frames(wrong.back(), protocol::request_header_only(protocol::Op::kGetDirectory));
  }

  // 3. The slow reader: large replies it never reads.
  zmq::socket_t slow = curve_dealer(ctx, *address);
  slow.set(zmq::sockopt::rcvhwm, 1);
  slow.set(zmq::sockopt::rcvbuf, 4096);
  std::uint64_t slow_sent = 0;
  for (int i = 0; i < 1500; ++i) {
    if (send_frames(slow, protocol::request_header_only(protocol::Op::kGetDirectory))) slow_sent++;
  }

  // 4. Malformed requests over many CURVE connections.
  struct Conn {
    zmq::socket_t socket;
    int in_flight = 0;
    Clock::time_point last_reply;
  };
  std::vector<Conn> conns;
  for (std::size_t i = 0; i < opt.connections; ++i) conns.push_back({curve_dealer(ctx, *address), 0, Clock::now()});
  std::uint64_t sent = 0, replied = 0, ok = 0, lost = 0;
  const auto deadline = Clock::now() + kPhaseDeadline;
  std::size_t next_kind = 0;
  while ((sent < opt.requests || std::any_of(conns.begin(), conns.end(), [](const Conn& c) { return c.in_flight > 0; })) &&
         Clock::now() < deadline) {
    for (Conn& c : conns) {
      while (c.in_flight < kWindow && sent < opt.requests) {
        if (!send_frames(c.socket, malformed(next_kind++))) break;
        if (c.in_flight == 0) c.last_reply = Clock::now();
        c.in_flight++;
        sent++;
      }
    }
    std::vector<zmq::pollitem_t> items;
    for (Conn& c : conns) items.push_back({c.socket.handle(), 0, ZMQ_POLLIN, 0});
    zmq::poll(items.data(), items.size(), std::chrono::milliseconds(50));
    const auto now = Clock::now();
    for (std::size_t i = 0; i < conns.size(); ++i) {
      Conn& c = conns[i];
      while (auto status = receive_reply(c.socket)) {
        replied++;
        c.in_flight = std::max(0, c.in_flight - 1);
        c.last_reply = now;
        if (*status == 0) ok++;
        tally["status_" + std::to_string(*status)]++;
      }
      if (c.in_flight > 0 && now - c.last_reply > kConnectionQuiet) {
        lost += static_cast<std::uint64_t>(c.in_flight);
        c.in_flight = 0;
      }
    }
  }
  for (Conn& c : conns) lost += static_cast<std::uint64_t>(c.in_flight);

  // 5. Oversize frames: the relay's libzmq closes these connections.
  std::uint64_t oversize = 0;
  for (int i = 0; i < 20; ++i) {
    zmq::socket_t big = curve_dealer(ctx, *address);
    protocol::Frames f{header(protocol::kWireVersion, static_cast<std::uint8_t>(protocol::Op::kPublishDirectory)),
                       random_bytes(protocol::kMaxRequestFrameBytes + 1 + below(100'000))};
    if (send_frames(big, f)) oversize++;
    zmq::pollitem_t item{big.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(100));  // a reply would be a bug; counted below
    if (auto status = receive_reply(big)) tally["oversize_answered"]++;
  }

  std::cout << "sent=" << sent << " replied=" << replied << " ok=" << ok << " lost=" << lost;
  for (const auto& [k, v] : tally) std::cout << " " << k << "=" << v;
  std::cout << " half_open=" << half_open << " garbage=" << garbage << " oversize=" << oversize
            << " slow_reader_sent=" << slow_sent << " wrong_key=" << wrong.size() << std::endl;

  std::string line;
  std::getline(std::cin, line);  // hold the half-open connections and the slow reader until told
  for (int fd : held) ::close(fd);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  crypto::init();
  Options opt;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << "usage: hostile_client CHANNEL_ADDRESS [--requests N] [--connections C] [--seed S]\n";
    return 1;
  }
  opt.channel = args[0];
  for (std::size_t i = 1; i + 1 < args.size(); i += 2) {
    if (args[i] == "--requests") opt.requests = std::stoul(args[i + 1]);
    else if (args[i] == "--connections") opt.connections = std::stoul(args[i + 1]);
    else if (args[i] == "--seed") opt.seed = std::stoull(args[i + 1]);
    else {
      std::cerr << "hostile_client: unknown option " << args[i] << "\n";
      return 1;
    }
  }
  try {
    return run(opt);
  } catch (const std::exception& e) {
    std::cerr << "hostile_client: " << e.what() << "\n";
    return 3;
  }
}
