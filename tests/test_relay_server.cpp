// The serving loop itself (relay::serve on a loopback port, real CurveZMQ):
// a fetch, whose cost grows with the store, runs beside the loop and must not
// hold up other requests; too many waiting fetches are refused, not queued
// without bound. (Ordering and expiry of the queue: test_fetch_scheduler.cpp.)
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <iostream>
#include <sstream>
#include <thread>
#include <zmq.hpp>

#include "command_support.hpp"
#include "common.hpp"
#include "data_folder.hpp"
#include "status_report.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/identity.hpp"
#include "meldpunt/crypto/sign.hpp"
#include "request_handler.hpp"
#include "server.hpp"

using namespace meldpunt;

namespace {

// A relay serving a store that holds `messages` valid clues, so one fetch
// takes a noticeable time (two scalar multiplications per message).
class ServingRelay {
 public:
  // With an admin socket: its handler answers with the loop's fetch counts,
  // "running waiting max_pending refused_busy".
  // front_door: behind the front door that ends CurveZMQ, as `relay serve`.
  ServingRelay(std::size_t messages, std::size_t max_pending_fetches, bool admin = false, bool front_door = false) {
    const crypto::SigningKeyPair org = crypto::SigningKeyPair::generate();
    relay::DataFolder folder{dir_.path() / "relay"};
    REQUIRE(folder.initialise(org.pk).ok());
    auto keys = folder.load_keys();
    REQUIRE(keys.ok());
    secret_ = std::move(keys->secret);
    const std::uint16_t port = test_support::free_loopback_port();
    address_ = {"tcp://127.0.0.1:" + std::to_string(port), keys->public_key, org.pk};
    store::RelayStoreOptions store_options;
    store_options.durable = false;
    store_ = std::make_unique<store::RelayStore>(folder.store_dir(), store_options);
    fill(messages);
    relay::RelayPolicy policy;
    policy.fetch_threads = 1;
    // Fetches free: these tests are about the loop and the queue; prices
    // have tests of their own (test_pricing.cpp).
    policy.pricing.fetch_work_min = 0;
    policy.pricing.fetch_work_per_message = 0;
    handler_ = std::make_unique<relay::RequestHandler>(*store_, org.pk, policy);
    relay::ServerOptions options;
    options.endpoint = address_.endpoint;
    options.max_pending_fetches = max_pending_fetches;
    options.rate_limit.tokens_per_second = 0;  // no flood control: this test measures the loop
    if (front_door) options.front_door = relay::ServerOptions::FrontDoorSetup{};
    if (admin) {
      auto endpoint = folder.admin_endpoint();
      REQUIRE(endpoint.ok());
      options.admin_endpoint = *endpoint;
      options.admin_handler = [](std::string_view, const relay::ServerLoad& load) {
        return std::to_string(load.fetches_running) + " " + std::to_string(load.fetches_waiting) + " " +
               std::to_string(load.max_pending_fetches) + " " + std::to_string(load.fetches_refused_busy);
      };
    }
    data_ = folder.root;
    thread_ = std::thread([this, options] { relay::serve(*handler_, secret_, options, stop_); });
    test_support::wait_until_listening(port);
  }
  ~ServingRelay() {
    stop_ = true;
    thread_.join();
  }
  ServingRelay(const ServingRelay&) = delete;
  ServingRelay& operator=(const ServingRelay&) = delete;

  const protocol::ChannelAddress& address() const { return address_; }

  // The fetch counts as `relay status` gets them over the admin socket.
  relay::ServerLoad status() const {
    std::ostringstream captured;
    std::streambuf* const saved = std::cout.rdbuf(captured.rdbuf());
    const int rc = relay::cmd_status(data_, false);
    std::cout.rdbuf(saved);
    REQUIRE(rc == relay::kExitOk);
    relay::ServerLoad load;
    std::istringstream in(captured.str());
    in >> load.fetches_running >> load.fetches_waiting >> load.max_pending_fetches >> load.fetches_refused_busy;
    REQUIRE(in);
    return load;
  }

 private:
  void fill(std::size_t messages) {
    const crypto::FetchKeyPair recipient = crypto::FetchKeyPair::generate();
    const Bytes envelope(4096, 0);
    std::vector<store::NewMessage> batch;
    for (std::size_t i = 0; i < messages; ++i) {
      store::NewMessage m;
      crypto::random_fill(m.id);
      m.clue = store::StoredClue{crypto::make_clue(recipient.pk).value().bytes};
      m.expiry_day = relay::days_since_epoch_now() + 60;
      m.envelope = envelope;
      batch.push_back(m);
    }
    REQUIRE(store_->deposit_batch(batch).ok());
  }

  test_support::TempDir dir_{"meldpunt-server-test-"};
  std::filesystem::path data_;
  crypto::Secret<32> secret_;
  protocol::ChannelAddress address_;
  std::unique_ptr<store::RelayStore> store_;
  std::unique_ptr<relay::RequestHandler> handler_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

TEST_CASE("a fetch runs beside the serving loop: other requests are answered meanwhile", "[relay][server]") {
  ServingRelay relay(6000, 8);
  client::RelayConnection fetcher(relay.address(), client::ConnectionOptions{});
  client::RelayConnection other(relay.address(), client::ConnectionOptions{});
  // Both connections complete their handshakes before the race starts.
  REQUIRE(fetcher.call(protocol::request_header_only(protocol::Op::kGetPolicy)).ok());
  REQUIRE(other.call(protocol::request_header_only(protocol::Op::kGetPolicy)).ok());

  std::atomic<bool> fetch_answered{false};
  std::thread fetch_thread([&] {
    auto reply = fetcher.call(protocol::request_header_only(protocol::Op::kFetch));
    fetch_answered = true;
    REQUIRE(reply.ok());
    REQUIRE(reply->fields.size() == 2);  // entries, then the stored ids
    CHECK(reply->fields[0].size() == protocol::padded_fetch_count(6000) * crypto::kFetchEntryBytes);
    CHECK(reply->fields[1].size() == 6000 * crypto::kMessageIdBytes);
  });
  // Give the fetch a head start so it is being worked on (it takes far longer
  // than this); what the test checks is that the other request is answered
  // while the fetch is still outstanding. (The next test detects a loop that
  // runs fetches itself without any race: it would never refuse a fetch.)
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto policy = other.call(protocol::request_header_only(protocol::Op::kGetPolicy));
  const bool fetch_was_outstanding = !fetch_answered.load();
  fetch_thread.join();
  REQUIRE(policy.ok());
  CHECK(fetch_was_outstanding);
}

TEST_CASE("fetches beyond the waiting limit are refused, not queued without bound", "[relay][server]") {
  ServingRelay relay(6000, 2);  // one running, one waiting
  client::RelayConnection first(relay.address(), client::ConnectionOptions{});
  client::RelayConnection second(relay.address(), client::ConnectionOptions{});
  client::RelayConnection third(relay.address(), client::ConnectionOptions{});
  for (client::RelayConnection* c : {&first, &second, &third}) {
    REQUIRE(c->call(protocol::request_header_only(protocol::Op::kGetPolicy)).ok());
  }

  std::thread first_fetch([&] { CHECK(first.call(protocol::request_header_only(protocol::Op::kFetch)).ok()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::thread second_fetch([&] { CHECK(second.call(protocol::request_header_only(protocol::Op::kFetch)).ok()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // Paid no more than the one waiting (all free here): refused at once.
  auto refused = third.call(protocol::request_header_only(protocol::Op::kFetch));
  first_fetch.join();
  second_fetch.join();
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kRateLimited);
  // Once the others are answered, a new fetch is taken again.
  CHECK(third.call(protocol::request_header_only(protocol::Op::kFetch)).ok());
}

TEST_CASE("relay status shows the fetches running, waiting and refused as busy", "[relay][server]") {
  ServingRelay relay(6000, 2, /*admin=*/true);
  const relay::ServerLoad idle = relay.status();
  CHECK(idle.fetches_running == 0);
  CHECK(idle.fetches_waiting == 0);
  CHECK(idle.max_pending_fetches == 2);
  CHECK(idle.fetches_refused_busy == 0);

  client::RelayConnection first(relay.address(), client::ConnectionOptions{});
  client::RelayConnection second(relay.address(), client::ConnectionOptions{});
  client::RelayConnection third(relay.address(), client::ConnectionOptions{});
  for (client::RelayConnection* c : {&first, &second, &third}) {
    REQUIRE(c->call(protocol::request_header_only(protocol::Op::kGetPolicy)).ok());
  }
  // One fetch on the worker, one waiting behind it (each takes far longer
  // than these pauses), and a third beyond max-pending-fetches = 2.
  std::thread first_fetch([&] { CHECK(first.call(protocol::request_header_only(protocol::Op::kFetch)).ok()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::thread second_fetch([&] { CHECK(second.call(protocol::request_header_only(protocol::Op::kFetch)).ok()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto refused = third.call(protocol::request_header_only(protocol::Op::kFetch));
  const relay::ServerLoad busy = relay.status();
  first_fetch.join();
  second_fetch.join();
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kRateLimited);
  CHECK(busy.fetches_running == 1);
  CHECK(busy.fetches_waiting == 1);
  CHECK(busy.fetches_refused_busy == 1);

  const relay::ServerLoad after = relay.status();
  CHECK(after.fetches_running == 0);
  CHECK(after.fetches_waiting == 0);
  CHECK(after.fetches_refused_busy == 1);
}

TEST_CASE("a fetch queued for a client that left the front door is dropped uncomputed", "[relay][server][front_door]") {
  // 12,000 stored: one fetch takes over a second on the one fetch thread.
  ServingRelay relay(12000, 4, /*admin=*/true, /*front_door=*/true);
  client::RelayConnection first(relay.address(), client::ConnectionOptions{});
  REQUIRE(first.call(protocol::request_header_only(protocol::Op::kGetPolicy)).ok());
  std::atomic<bool> first_answered{false};
  std::thread first_fetch([&] {
    CHECK(first.call(protocol::request_header_only(protocol::Op::kFetch)).ok());
    first_answered = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));

  // A second client asks for a fetch, which waits behind the first, and
  // goes away without its answer (a raw DEALER, so it can close mid-call:
  // a FIN, as any client that exits sends).
  zmq::context_t context{1};
  {
    zmq::socket_t leaver(context, zmq::socket_type::dealer);
    std::array<char, 41> public_text{}, secret_text{};
    REQUIRE(zmq_curve_keypair(public_text.data(), secret_text.data()) == 0);
    std::array<char, 41> server_text{};
    REQUIRE(zmq_z85_encode(server_text.data(), relay.address().relay_curve_pk.data(), 32) != nullptr);
    leaver.set(zmq::sockopt::curve_serverkey, std::string(server_text.data(), 40));
    leaver.set(zmq::sockopt::curve_publickey, std::string(public_text.data(), 40));
    leaver.set(zmq::sockopt::curve_secretkey, std::string(secret_text.data(), 40));
    leaver.set(zmq::sockopt::linger, 0);
    leaver.connect(relay.address().endpoint);
    const protocol::Frames fetch = protocol::request_header_only(protocol::Op::kFetch);
    REQUIRE(leaver.send(zmq::const_buffer(fetch[0].data(), fetch[0].size()), zmq::send_flags::none));
    relay::ServerLoad queued;
    for (int i = 0; i < 50; ++i) {  // until the request has gone through the handshake and the door
      queued = relay.status();
      if (queued.fetches_waiting == 1) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    REQUIRE(queued.fetches_running == 1);
    REQUIRE(queued.fetches_waiting == 1);
  }  // closed: the door sees the connection go and tells the loop
  relay::ServerLoad after;
  for (int i = 0; i < 40; ++i) {
    after = relay.status();
    if (after.fetches_waiting == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // Taken while the first fetch still runs, so the second cannot have been
  // computed in the meantime: it was dropped.
  const bool first_still_running = !first_answered.load();
  CHECK(after.fetches_waiting == 0);
  first_fetch.join();
  REQUIRE(first_still_running);  // else this run proves nothing: the machine was too slow
}
