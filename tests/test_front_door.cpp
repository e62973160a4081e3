// The front door's limits and thread (relay/src/front_door.hpp); what it
// does with clients is driven end to end by tests/integration
// (test_hostile_load.py, test_front_door*.py) and the CurveZMQ session it
// runs by test_curve_server.cpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.hpp"
#include "curve_server.hpp"
#include "curve_test_client.hpp"
#include "front_door.hpp"
#include "meldpunt/protocol/wire.hpp"

using namespace meldpunt;

namespace {

// One client over a blocking loopback socket, speaking through the test
// client: enough to hold a connection open in a given state.
class DoorClient {
 public:
  DoorClient(std::uint16_t port, const FixedBytes<32>& server_pk) : client_(server_pk) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  }
  ~DoorClient() { ::close(fd_); }
  DoorClient(const DoorClient&) = delete;
  DoorClient& operator=(const DoorClient&) = delete;

  // True once READY came; false if the door closed the connection first.
  bool handshake() {
    Bytes first = client_.greeting();
    const Bytes hello = client_.hello();
    first.insert(first.end(), hello.begin(), hello.end());
    if (!send_all(first) || !read_until([&] { return client_.welcomed(); })) return false;
    return send_all(client_.initiate()) && read_until([&] { return client_.ready(); });
  }
  bool send_part(std::string_view text, bool more) {
    return send_all(client_.message(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), more));
  }
  // Whether the door has closed the connection (waits up to a second).
  bool closed_by_door() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 1000) <= 0) return false;
    std::uint8_t buffer[4096];
    return ::recv(fd_, buffer, sizeof buffer, 0) <= 0;
  }

 private:
  bool send_all(const Bytes& bytes) { return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()); }
  template <typename Done>
  bool read_until(Done done) {
    std::uint8_t buffer[4096];
    for (int i = 0; i < 100 && !done(); ++i) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0 || !client_.receive(ByteView(buffer, static_cast<std::size_t>(n)))) return false;
    }
    return done();
  }

  test_support::CurveTestClient client_;
  int fd_ = -1;
};

}  // namespace

TEST_CASE("front door: limits derived from the protocol and the descriptor limit", "[relay][front_door]") {
  // The largest valid request: header, proof of work and 16 deposits of
  // clue, verifier and the largest envelope, each part framed under CURVE.
  std::uint64_t largest = 9 + relay::kCurveMessageOverhead + 2 + 9 + relay::kCurveMessageOverhead + protocol::kPowFieldBytes;
  for (std::size_t i = 0; i < protocol::kMaxDepositsPerRequest; ++i) {
    largest += 3 * (9 + relay::kCurveMessageOverhead) + 64 + 32 + protocol::kMaxRequestFrameBytes;
  }
  CHECK(relay::max_request_wire_bytes() >= largest);
  CHECK(relay::max_request_wire_bytes() < largest + 2 * protocol::kMaxRequestFrameBytes);
  // One descriptor per client now that no stream to a ROUTER is opened.
  CHECK(relay::connections_for_descriptors(1024) == 960);
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
    // Port 0: any free port; no serving loop behind it is needed to start.
    zmq::context_t context{1};
    const auto key = crypto::Secret<32>::random();
    relay::FrontDoor door(context, {{"tcp://127.0.0.1:0", "inproc://front-door-test", &key}}, relay::FrontDoorLimits{});
    // The thread names itself as it starts: give it a moment.
    for (int i = 0; i < 200 && count(thread_names()) == before; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CHECK(count(thread_names()) == before + 1);
  }
}

TEST_CASE("front door: when full and nobody is quiet the oldest busy connection makes room", "[relay][front_door]") {
  // Two connections that finished their handshake and keep a request open
  // (one part sent with the more flag, the rest never): neither is in its
  // handshake nor quiet, so before busy_eviction_age no newcomer gets in,
  // and after it the oldest gives way.
  zmq::context_t context{1};
  zmq::socket_t relay_side(context, zmq::socket_type::router);
  relay_side.bind("inproc://front-door-eviction-test");
  const auto key = crypto::Secret<32>::random();
  FixedBytes<32> server_pk{};
  crypto_scalarmult_base(server_pk.data(), key.data());
  relay::FrontDoorLimits limits;
  limits.max_connections = 2;
  limits.busy_eviction_age = std::chrono::milliseconds(1500);
  const std::uint16_t port = test_support::free_loopback_port();
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(port);
  relay::FrontDoor door(context, {{endpoint, "inproc://front-door-eviction-test", &key}}, limits);

  DoorClient first(port, server_pk), second(port, server_pk);
  REQUIRE(first.handshake());
  REQUIRE(second.handshake());
  REQUIRE(first.send_part("half of a request", true));
  REQUIRE(second.send_part("half of a request", true));
  {
    DoorClient early(port, server_pk);  // too soon: both are younger than the age
    CHECK_FALSE(early.handshake());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1700));
  DoorClient late(port, server_pk);
  CHECK(late.handshake());
  CHECK(first.closed_by_door());  // the oldest went
  CHECK(door.counters().evicted == 1);
}
