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

#include "curve_server.hpp"
#include "front_door.hpp"
#include "meldpunt/protocol/wire.hpp"

using namespace meldpunt;

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
