// The front door's limits and thread (relay/src/front_door.hpp); what it
// does with clients is driven end to end by tests/integration
// (test_hostile_load.py, test_front_door*.py) and the CurveZMQ session it
// runs by test_curve_server.cpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
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
  bool handshake(bool greeted = false) {
    Bytes first = greeted ? Bytes{} : client_.greeting();
    const Bytes hello = client_.hello();
    first.insert(first.end(), hello.begin(), hello.end());
    if (!send_all(first) || !read_until([&] { return client_.welcomed(); })) return false;
    return send_all(client_.initiate()) && read_until([&] { return client_.ready(); });
  }
  bool send_part(std::string_view text, bool more) {
    return send_all(client_.message(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), more));
  }
  // Reads until `parts` reply parts came; false if the door closed first.
  // `pause` between reads makes a slow reader.
  bool read_parts(std::size_t parts, std::chrono::milliseconds pause = std::chrono::milliseconds(0),
                  std::size_t chunk = 64 * 1024) {
    return read_until([&] { return client_.parts().size() >= parts; }, pause, chunk);
  }
  // Sends raw bytes (a greeting alone, to be in the handshake).
  bool send_greeting() { return send_all(client_.greeting()); }
  // Whether the door has closed the connection (waits up to a second).
  bool closed_by_door() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 1000) <= 0) return false;
    std::uint8_t buffer[4096];
    return ::recv(fd_, buffer, sizeof buffer, 0) <= 0;
  }

 private:
  bool send_all(const Bytes& bytes) { return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()); }
  // Reads for up to 10 s until done().
  template <typename Done>
  bool read_until(Done done, std::chrono::milliseconds pause = std::chrono::milliseconds(0),
                  std::size_t chunk = 64 * 1024) {
    std::vector<std::uint8_t> buffer(chunk);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(pause);
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
      if (n <= 0 || !client_.receive(ByteView(buffer.data(), static_cast<std::size_t>(n)))) return false;
    }
    return done();
  }

  test_support::CurveTestClient client_;
  int fd_ = -1;
};


// A front door on a loopback port with the test as its relay side: an
// inproc ROUTER the test reads requests from and answers by hand.
class ScriptedDoor {
 public:
  explicit ScriptedDoor(const relay::FrontDoorLimits& limits) : port_(test_support::free_loopback_port()) {
    relay_side_.bind(kInproc);
    crypto_scalarmult_base(server_pk_.data(), key_.data());
    door_ = std::make_unique<relay::FrontDoor>(
        context_, std::vector<relay::FrontDoorRoute>{{"tcp://127.0.0.1:" + std::to_string(port_), kInproc, &key_}},
        limits);
  }
  std::unique_ptr<DoorClient> connect() { return std::make_unique<DoorClient>(port_, server_pk_); }
  // Takes the next request (one part) and answers it with `reply`.
  void answer(const std::string& reply) {
    zmq::message_t id, tag, request;
    REQUIRE(relay_side_.recv(id));
    REQUIRE(relay_side_.recv(tag));
    REQUIRE(relay_side_.recv(request));
    relay_side_.send(id, zmq::send_flags::sndmore);
    relay_side_.send(tag, zmq::send_flags::sndmore);
    relay_side_.send(zmq::buffer(reply), zmq::send_flags::none);
  }
  const relay::FrontDoorCounters& counters() const { return door_->counters(); }

 private:
  static constexpr const char* kInproc = "inproc://front-door-scripted-test";
  zmq::context_t context_{1};
  zmq::socket_t relay_side_{context_, zmq::socket_type::router};
  crypto::Secret<32> key_ = crypto::Secret<32>::random();
  FixedBytes<32> server_pk_{};
  std::uint16_t port_;
  std::unique_ptr<relay::FrontDoor> door_;  // last: stops before the sockets close
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
  relay::FrontDoorLimits limits;
  limits.max_connections = 2;
  limits.busy_eviction_age = std::chrono::milliseconds(1500);
  ScriptedDoor door(limits);
  auto first = door.connect();
  auto second = door.connect();
  REQUIRE(first->handshake());
  REQUIRE(second->handshake());
  REQUIRE(first->send_part("half of a request", true));
  REQUIRE(second->send_part("half of a request", true));
  CHECK_FALSE(door.connect()->handshake());  // too soon: both are younger than the age
  std::this_thread::sleep_for(std::chrono::milliseconds(1700));
  CHECK(door.connect()->handshake());
  CHECK(first->closed_by_door());  // the oldest went
  CHECK(door.counters().evicted == 1);
}

TEST_CASE("front door: a bare connect does not push out a newcomer still in its handshake", "[relay][front_door]") {
  relay::FrontDoorLimits limits;
  limits.max_connections = 1;
  ScriptedDoor door(limits);
  auto honest = door.connect();
  REQUIRE(honest->send_greeting());  // in its handshake, as over a slow network
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto intruder = door.connect();  // a bare TCP connect meanwhile
  CHECK(intruder->closed_by_door());
  CHECK(honest->handshake(/*greeted=*/true));
}

TEST_CASE("front door: over max-held-bytes, a client's unfinished request goes before another's unread reply",
          "[relay][front_door]") {
  relay::FrontDoorLimits limits;
  limits.max_held_bytes = 1 << 20;
  ScriptedDoor door(limits);
  // A asks; the relay side answers with 900 KiB, which A has not read yet.
  auto reader = door.connect();
  REQUIRE(reader->handshake());
  REQUIRE(reader->send_part("a fetch", false));
  door.answer(std::string(900 * 1024, 'x'));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // in the door, charged
  // B sends 200 KiB of a request and no more: the door is over its budget.
  auto sender = door.connect();
  REQUIRE(sender->handshake());
  REQUIRE(sender->send_part(std::string(200 * 1024, 'y'), true));
  CHECK(sender->closed_by_door());
  CHECK(door.counters().over_budget == 1);
  CHECK(reader->read_parts(1));  // A's answer still comes
}

TEST_CASE("front door: a slow reader of a long reply is not taken for idle", "[relay][front_door]") {
  relay::FrontDoorLimits limits;
  limits.idle_timeout = std::chrono::milliseconds(500);
  ScriptedDoor door(limits);
  auto reader = door.connect();
  REQUIRE(reader->handshake());
  REQUIRE(reader->send_part("a fetch", false));
  door.answer(std::string(1 << 20, 'x'));
  // 1 MiB at 16 KiB per 25 ms: over 1.5 s of reading, three idle-timeouts, bytes moving all along.
  CHECK(reader->read_parts(1, std::chrono::milliseconds(25), 16 * 1024));
  CHECK(door.counters().idle_timeouts == 0);
}
