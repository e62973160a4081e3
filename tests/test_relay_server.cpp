// The serving loop itself (relay::serve on a loopback port, real CurveZMQ):
// a fetch, whose cost grows with the store, runs beside the loop and must not
// hold up other requests; too many waiting fetches are refused, not queued
// without bound.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "common.hpp"
#include "data_folder.hpp"
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
  ServingRelay(std::size_t messages, std::size_t max_pending_fetches) {
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
    handler_ = std::make_unique<relay::RequestHandler>(*store_, org.pk, policy);
    relay::ServerOptions options;
    options.endpoint = address_.endpoint;
    options.max_pending_fetches = max_pending_fetches;
    options.rate_limit.tokens_per_second = 0;  // no flood control: this test measures the loop
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

 private:
  void fill(std::size_t messages) {
    const crypto::FetchKeyPair recipient = crypto::FetchKeyPair::generate();
    const Bytes envelope(4096, 0);
    std::vector<store::NewMessage> batch;
    for (std::size_t i = 0; i < messages; ++i) {
      store::NewMessage m;
      crypto::random_fill(m.id);
      m.clue = crypto::make_clue(recipient.pk).value();
      m.expiry_day = relay::days_since_epoch_now() + 60;
      m.envelope = envelope;
      batch.push_back(m);
    }
    REQUIRE(store_->deposit_batch(batch).ok());
  }

  test_support::TempDir dir_{"meldpunt-server-test-"};
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
    REQUIRE(reply->fields.size() == 1);
    CHECK(reply->fields[0].size() == protocol::padded_fetch_count(6000) * crypto::kFetchEntryBytes);
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
  ServingRelay relay(6000, 1);
  client::RelayConnection first(relay.address(), client::ConnectionOptions{});
  client::RelayConnection second(relay.address(), client::ConnectionOptions{});
  REQUIRE(first.call(protocol::request_header_only(protocol::Op::kGetPolicy)).ok());
  REQUIRE(second.call(protocol::request_header_only(protocol::Op::kGetPolicy)).ok());

  std::thread first_fetch([&] { CHECK(first.call(protocol::request_header_only(protocol::Op::kFetch)).ok()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto refused = second.call(protocol::request_header_only(protocol::Op::kFetch));
  first_fetch.join();
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kRateLimited);
  // Once the first is answered, a new fetch is taken again.
  CHECK(second.call(protocol::request_header_only(protocol::Op::kFetch)).ok());
}
