// relay-flood: a load generator for flood tests and capacity drills. Opens
// many CurveZMQ connections to a relay and sends, without waiting for
// answers, a mix of garbage, deposits without a valid proof of work,
// fetches and policy requests for a bounded time, then prints what came
// back. Point it only at a relay you run (loopback in the tests).
#include <zmq.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include <CLI/CLI.hpp>

#include "meldpunt/crypto/init.hpp"
#include "meldpunt/crypto/random.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "meldpunt/protocol/wire.hpp"

namespace {

using namespace meldpunt;

Bytes random_bytes(std::size_t n) {
  Bytes b(n);
  crypto::random_fill(b);
  return b;
}

// One request of the given kind, as frames.
protocol::Frames make_request(const std::string& kind, std::uint64_t i) {
  const std::string k = kind == "mixed" ? std::array<std::string, 4>{"garbage", "deposit", "fetch", "policy"}[i % 4] : kind;
  if (k == "garbage") {
    protocol::Frames frames;
    const std::size_t n = 1 + crypto::random_below(6);
    for (std::size_t f = 0; f < n; ++f) frames.push_back(random_bytes(crypto::random_below(300)));
    return frames;
  }
  if (k == "deposit") {
    // Right shape, no valid proof: the relay must refuse it cheaply.
    protocol::DepositItem item;
    crypto::random_fill(item.clue);
    crypto::random_fill(item.verifier);
    const Bytes envelope = random_bytes(4096);
    item.envelope = envelope;
    protocol::DepositPow pow;
    crypto::random_fill(pow.challenge);
    return protocol::make_deposit_request(std::vector<protocol::DepositItem>{item}, pow);
  }
  if (k == "fetch") return protocol::request_header_only(protocol::Op::kFetch);
  return protocol::request_header_only(protocol::Op::kGetPolicy);
}

struct Totals {
  std::mutex mutex;
  std::uint64_t sent = 0;
  std::map<int, std::uint64_t> replies;  // by status byte
};

void flood(const protocol::ChannelAddress& address, const std::string& kind, double seconds, Totals& totals) {
  zmq::context_t context{1};
  zmq::socket_t s{context, zmq::socket_type::dealer};
  std::array<char, 41> public_z85{}, secret_z85{};
  if (zmq_curve_keypair(public_z85.data(), secret_z85.data()) != 0) return;
  s.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(address.relay_curve_pk.data(), address.relay_curve_pk.size()));
  s.set(zmq::sockopt::curve_publickey, std::string(public_z85.data(), 40));
  s.set(zmq::sockopt::curve_secretkey, std::string(secret_z85.data(), 40));
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::sndhwm, 1000);
  s.connect(address.endpoint);

  std::uint64_t sent = 0;
  std::map<int, std::uint64_t> replies;
  auto drain = [&] {
    zmq::message_t part;
    while (s.recv(part, zmq::recv_flags::dontwait)) {
      const int status = part.size() == 2 ? static_cast<const std::uint8_t*>(part.data())[1] : -1;
      replies[status]++;
      while (part.more()) (void)s.recv(part, zmq::recv_flags::none);
    }
  };
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    const protocol::Frames frames = make_request(kind, sent);
    bool queued = true;
    for (std::size_t f = 0; f < frames.size() && queued; ++f) {
      const auto flags = f + 1 < frames.size() ? zmq::send_flags::sndmore | zmq::send_flags::dontwait
                                               : zmq::send_flags::dontwait;
      queued = s.send(zmq::const_buffer(frames[f].data(), frames[f].size()), flags).has_value();
    }
    if (queued) {
      ++sent;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // the pipe is full: the relay is behind
    }
    drain();
  }
  // Late answers.
  const auto grace = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  while (std::chrono::steady_clock::now() < grace) {
    drain();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::lock_guard<std::mutex> lock(totals.mutex);
  totals.sent += sent;
  for (const auto& [k, v] : replies) totals.replies[k] += v;
}

}  // namespace

int main(int argc, char** argv) {
  meldpunt::crypto::init();
  CLI::App app{"relay-flood: send a bounded flood of hostile requests to a relay you run (tests, capacity drills)"};
  std::string channel, kind = "mixed";
  unsigned connections = 8;
  double seconds = 5;
  app.add_option("--channel", channel, "Channel address of the relay")->required();
  app.add_option("--connections", connections, "Parallel connections")->capture_default_str()->check(CLI::Range(1u, 256u));
  app.add_option("--seconds", seconds, "How long to flood")->capture_default_str()->check(CLI::Range(0.1, 600.0));
  app.add_option("--kind", kind, "garbage, deposit, fetch, policy or mixed")->capture_default_str()
      ->check(CLI::IsMember({"garbage", "deposit", "fetch", "policy", "mixed"}));
  CLI11_PARSE(app, argc, argv);
  auto address = meldpunt::protocol::parse_address(channel);
  if (!address) {
    std::cerr << "relay-flood: error: " << address.error().message << "\n";
    return 2;
  }
  Totals totals;
  std::vector<std::thread> threads;
  for (unsigned c = 0; c < connections; ++c) {
    threads.emplace_back([&] { flood(*address, kind, seconds, totals); });
  }
  for (std::thread& t : threads) t.join();
  std::uint64_t answered = 0;
  for (const auto& [k, v] : totals.replies) answered += v;
  std::cout << "sent " << totals.sent << "\nanswered " << answered << "\n";
  for (const auto& [k, v] : totals.replies) std::cout << "status " << k << " " << v << "\n";
  return 0;
}
