// A request that fails in the store (or anywhere in its handling) is
// answered and logged, and the relay serves on (docs/PROTOCOL.md, "Reply":
// internal). Storage failures are injected at the boundary to LMDB
// (store/fault.hpp), so the wrapper's mapping of return codes, the relay
// store and the handler all run as they would on a failing or full disk:
// EIO (a write error, or a write a full disk cut short), ENOSPC (no room),
// EROFS (a code the wrapper has no mapping for, so it throws).
#include <catch2/catch.hpp>

#include <cerrno>

#include <atomic>
#include <chrono>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "common.hpp"
#include "data_folder.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/identity.hpp"
#include "meldpunt/crypto/random.hpp"
#include "meldpunt/protocol/wire.hpp"
#include "relay_test_support.hpp"
#include "request_handler.hpp"
#include "server.hpp"

using namespace meldpunt;
using protocol::Frames;
using protocol::Op;

namespace {

// Which storage calls fail now, and with what code (0: none).
struct Faults {
  std::atomic<int> commit{0};
  std::atomic<int> begin_read{0};
  // Reads fail with this code on every thread but `spared` (the serving
  // loop's), so a fetch gets past the loop and fails on its worker.
  std::atomic<int> begin_read_elsewhere{0};
  std::atomic<std::thread::id> spared{};

  store::FaultHook hook() {
    return [this](store::FaultPoint point) {
      if (point == store::FaultPoint::kCommit) return commit.load();
      if (begin_read.load() != 0) return begin_read.load();
      return std::this_thread::get_id() != spared.load() ? begin_read_elsewhere.load() : 0;
    };
  }
};

// Everything the relay logs while it lives (log() writes to std::cerr).
// Installed before any serving thread starts, removed after it ended.
class CapturedLog {
 public:
  CapturedLog() : saved_(std::cerr.rdbuf(text_.rdbuf())) {}
  ~CapturedLog() { std::cerr.rdbuf(saved_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;
  std::string text() const { return text_.str(); }

 private:
  std::ostringstream text_;
  std::streambuf* saved_;
};

relay::RelayPolicy no_pow_policy() {
  relay::RelayPolicy policy;
  policy.pricing.pow_difficulty = 0;  // deposits and get-prekeys free
  policy.pricing.fetch_work_min = 0;  // fetches free
  policy.pricing.fetch_work_per_message = 0;
  policy.fetch_threads = 1;
  return policy;
}

store::RelayStoreOptions faulty_options(Faults& faults, bool clue_cache) {
  store::RelayStoreOptions options;
  options.durable = false;
  options.clue_cache = clue_cache;
  options.fault = faults.hook();
  return options;
}

struct Fixture {
  explicit Fixture(bool clue_cache = true) : store(dir.path(), faulty_options(faults, clue_cache)) {
    crypto::random_fill(entry.id);
    entry.name = "Anna";
    entry.sign_pk = adviser.sign.pk;
    entry.message_pk = adviser.message.pk;
    entry.fetch_pk = adviser.fetch.pk;
  }

  protocol::Reply call(const Frames& request) { return test_support::call_handler(handler, request); }

  void publish_with_prekeys(std::size_t n) {
    crypto::Directory d;
    d.org_sign_pk = org.pk;
    d.serial = 1;
    d.entries = {entry};
    REQUIRE(call(protocol::make_publish_directory_request(crypto::sign_directory(d, org).value())).status ==
            ErrorCode::kOk);
    REQUIRE(call(protocol::make_prekey_upload_request(adviser.sign, 1, adviser.make_prekeys(n))).status ==
            ErrorCode::kOk);
  }

  Frames deposit_request() {
    protocol::DepositItem item;
    item.clue = crypto::make_clue(recipient.pk).value();
    crypto::random_fill(item.verifier);
    envelope = test_support::random_bytes(crypto::kEnvelopeSizes[0]);
    item.envelope = envelope;
    const std::vector<protocol::DepositItem> items{item};
    return protocol::make_deposit_request(items);
  }

  Faults faults;
  test_support::TempDir dir{"meldpunt-failure-test-"};
  store::RelayStore store;
  crypto::SigningKeyPair org = crypto::SigningKeyPair::generate();
  relay::RequestHandler handler{store, org.pk, no_pow_policy()};
  crypto::AdviserIdentity adviser = crypto::AdviserIdentity::generate();
  crypto::DirectoryEntry entry;
  crypto::FetchKeyPair recipient = crypto::FetchKeyPair::generate();
  Bytes envelope;
};

void require_internal(const protocol::Reply& reply) {
  REQUIRE(reply.status == ErrorCode::kInternal);
  CHECK(reply.error_text == relay::kInternalErrorText);  // what failed stays in the relay's log
}

std::size_t bundle_size(const protocol::Reply& reply) {
  REQUIRE(reply.status == ErrorCode::kOk);
  return protocol::decode_bundle(reply.fields.at(0)).value().size();
}

}  // namespace

TEST_CASE("get-prekeys on a store that cannot be written is answered, the prekey stays in the pool",
          "[relay][failure]") {
  CapturedLog log;
  Fixture f;
  f.publish_with_prekeys(2);

  f.faults.commit = EIO;  // a write error on a disk with room left
  require_internal(f.call(protocol::request_header_only(Op::kGetPrekeys)));
  f.faults.commit = EROFS;  // a code the LMDB wrapper throws for
  require_internal(f.call(protocol::request_header_only(Op::kGetPrekeys)));
  f.faults.commit = ENOSPC;  // no room: said as such
  CHECK(f.call(protocol::request_header_only(Op::kGetPrekeys)).status == ErrorCode::kStorageFull);

  // The relay serves on, and the failed requests took no prekey.
  f.faults.commit = 0;
  CHECK(bundle_size(f.call(protocol::request_header_only(Op::kGetPrekeys))) == 1);
  CHECK(bundle_size(f.call(protocol::request_header_only(Op::kGetPrekeys))) == 1);
  CHECK(bundle_size(f.call(protocol::request_header_only(Op::kGetPrekeys))) == 0);
  CHECK(f.handler.counters().failed[static_cast<std::size_t>(Op::kGetPrekeys)] == 3);

  // Logged (once: the rest within a minute are counted, not repeated),
  // without the adviser's key.
  const std::string logged = log.text();
  CHECK(logged.find("get-prekeys failed: taking a prekey: committing an LMDB transaction") != std::string::npos);
  CHECK(logged.find(to_hex(f.adviser.sign.pk)) == std::string::npos);
}

TEST_CASE("a deposit whose commit fails is answered with a status of the protocol and stores nothing",
          "[relay][failure]") {
  CapturedLog log;
  Fixture f;
  f.faults.commit = EIO;  // the wrapper's kIo (11) is no relay status: internal-error
  require_internal(f.call(f.deposit_request()));
  f.faults.commit = EROFS;
  require_internal(f.call(f.deposit_request()));
  f.faults.commit = ENOSPC;
  const protocol::Reply full = f.call(f.deposit_request());
  CHECK(full.status == ErrorCode::kStorageFull);
  CHECK(f.store.message_count() == 0);
  CHECK(f.store.clues().empty());

  f.faults.commit = 0;
  const protocol::Reply stored = f.call(f.deposit_request());
  REQUIRE(stored.status == ErrorCode::kOk);
  REQUIRE(stored.fields.size() == 1);
  CHECK(f.store.message_count() == 1);
  CHECK(f.store.check().empty());
  CHECK(log.text().find("deposit failed: ") != std::string::npos);
}

TEST_CASE("reads that fail are answered: fetch, get-message, get-directory", "[relay][failure]") {
  CapturedLog log;
  Fixture f(/*clue_cache=*/false);  // without the copy in memory a fetch reads the store
  f.publish_with_prekeys(0);
  const protocol::Reply stored = f.call(f.deposit_request());
  REQUIRE(stored.status == ErrorCode::kOk);
  crypto::MessageId id{};
  std::copy(stored.fields.at(0).begin(), stored.fields.at(0).end(), id.begin());

  f.faults.begin_read = EIO;
  const Frames fetch = f.handler.fetch_reply();  // the fetch worker's call
  auto parsed = protocol::parse_reply(test_support::views(fetch));
  REQUIRE(parsed.ok());
  require_internal(*parsed);
  require_internal(f.call(protocol::request_header_only(Op::kFetch)));
  require_internal(f.call(protocol::make_get_message_request(id)));
  require_internal(f.call(protocol::request_header_only(Op::kGetDirectory)));

  f.faults.begin_read = 0;
  CHECK(f.call(protocol::request_header_only(Op::kFetch)).status == ErrorCode::kOk);
  const protocol::Reply message = f.call(protocol::make_get_message_request(id));
  REQUIRE(message.status == ErrorCode::kOk);
  CHECK(message.fields.at(0) == f.envelope);
  CHECK(log.text().find("fetch failed: ") != std::string::npos);
}

TEST_CASE("a purge that cannot commit throws StoreError with the failure's code and loses nothing",
          "[relay][failure][store]") {
  Faults faults;
  test_support::TempDir dir("meldpunt-failure-test-");
  store::RelayStore s(dir.path(), faulty_options(faults, true));
  const crypto::FetchKeyPair recipient = crypto::FetchKeyPair::generate();
  const Bytes envelope = test_support::random_bytes(crypto::kEnvelopeSizes[0]);
  std::vector<store::NewMessage> batch(3);
  for (store::NewMessage& m : batch) {
    crypto::random_fill(m.id);
    m.clue = store::StoredClue{crypto::make_clue(recipient.pk).value().bytes};
    m.expiry_day = 100;
    m.envelope = envelope;
  }
  REQUIRE(s.deposit_batch(batch).ok());

  faults.commit = EIO;
  try {
    (void)s.purge_expired(101);
    FAIL("purge did not report the failure");
  } catch (const store::StoreError& e) {
    CHECK(e.code() == ErrorCode::kIo);
    CHECK(std::string(e.what()).find("purging expired messages: ") == 0);
  }
  faults.commit = ENOSPC;
  try {
    (void)s.purge_expired(101);
    FAIL("purge did not report the failure");
  } catch (const store::StoreError& e) {
    CHECK(e.code() == ErrorCode::kStorageFull);
  }
  CHECK(s.message_count() == 3);
  CHECK(s.clues().size() == 3);
  CHECK(s.check().empty());

  faults.commit = 0;
  CHECK(s.purge_expired(101) == 3);
  CHECK(s.message_count() == 0);
  CHECK(s.check().empty());
}

TEST_CASE("relay serve keeps serving through failing requests, fetches and housekeeping", "[relay][failure][server]") {
  CapturedLog log;
  Fixture f(/*clue_cache=*/false);
  f.publish_with_prekeys(1);
  relay::DataFolder folder{f.dir.path() / "relay"};
  REQUIRE(folder.initialise(f.org.pk).ok());
  auto keys = folder.load_keys();
  REQUIRE(keys.ok());
  const std::uint16_t port = test_support::free_loopback_port();
  const protocol::ChannelAddress address{"tcp://127.0.0.1:" + std::to_string(port), keys->public_key, f.org.pk};

  relay::ServerOptions options;
  options.endpoint = address.endpoint;
  options.rate_limit.tokens_per_second = 0;
  std::atomic<int> ticks{0};
  // Housekeeping on the serving thread: a purge of the failing store.
  options.tick = [&] {
    ticks++;
    (void)f.store.purge_expired(relay::days_since_epoch_now());
  };
  std::atomic<bool> stop{false};
  std::thread server([&] { relay::serve(f.handler, keys->secret, options, stop); });
  test_support::wait_until_listening(port);
  struct Stop {
    std::atomic<bool>& stop;
    std::thread& server;
    ~Stop() {
      stop = true;
      if (server.joinable()) server.join();
    }
  } stopper{stop, server};

  client::RelayConnection relay(address, client::ConnectionOptions{});
  auto failed = [&](const Frames& request) {
    auto reply = relay.call(request);
    REQUIRE_FALSE(reply.ok());
    return reply.error().code;
  };
  f.faults.commit = EIO;
  f.faults.begin_read = EIO;
  CHECK(failed(protocol::request_header_only(Op::kGetPrekeys)) == ErrorCode::kInternal);
  CHECK(failed(f.deposit_request()) == ErrorCode::kInternal);
  CHECK(failed(protocol::request_header_only(Op::kFetch)) == ErrorCode::kInternal);  // in the loop (its cost)
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ticks.load() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(ticks.load() >= 2);  // the first tick threw, and the loop ticked again

  f.faults.commit = 0;
  f.faults.begin_read = 0;
  f.faults.spared = server.get_id();
  f.faults.begin_read_elsewhere = EIO;
  CHECK(failed(protocol::request_header_only(Op::kFetch)) == ErrorCode::kInternal);  // on the fetch worker
  f.faults.begin_read_elsewhere = 0;
  auto prekeys = relay.call(protocol::request_header_only(Op::kGetPrekeys));
  REQUIRE(prekeys.ok());
  CHECK(protocol::decode_bundle(prekeys->fields.at(0)).value().size() == 1);
  CHECK(relay.call(f.deposit_request()).ok());
  CHECK(relay.call(protocol::request_header_only(Op::kFetch)).ok());
  stop = true;
  server.join();
  const std::string logged = log.text();
  CHECK(logged.find("housekeeping failed: ") != std::string::npos);
  CHECK(logged.find("get-prekeys failed: ") != std::string::npos);
  CHECK(logged.find("a request failed in the serving loop: ") != std::string::npos);
  CHECK(logged.find("fetch failed: ") != std::string::npos);  // the worker's, logged apart from the others
}

TEST_CASE("under storage failures every reply carries a status of the protocol and no storage detail",
          "[relay][failure]") {
  CapturedLog log;
  Fixture f;
  f.publish_with_prekeys(4);
  crypto::MessageId id{};
  crypto::random_fill(id);
  const Bytes token(32, 7);
  const std::vector<Frames> requests = {
      protocol::request_header_only(Op::kGetDirectory),
      protocol::request_header_only(Op::kGetPrekeys),
      f.deposit_request(),
      protocol::request_header_only(Op::kFetch),
      protocol::make_get_message_request(id),
      protocol::make_delete_request(id, token),
      protocol::make_prekey_upload_request(f.adviser.sign, 2, f.adviser.make_prekeys(1)),
      protocol::request_header_only(Op::kGetPolicy),
  };
  for (int commit : {0, EIO, ENOSPC, EROFS, EDQUOT, EACCES}) {
    for (int read : {0, EIO, EINVAL}) {
      f.faults.commit = commit;
      f.faults.begin_read = read;
      for (const Frames& request : requests) {
        const protocol::Reply reply = f.call(request);
        if (reply.status == ErrorCode::kOk) continue;
        CHECK(protocol::is_relay_error_status(reply.status));
        CHECK(reply.error_text.find("LMDB") == std::string::npos);
        const bool disk_full = commit == ENOSPC || commit == EDQUOT;
        if (read == 0 && disk_full) CHECK(reply.status != ErrorCode::kInternal);
      }
    }
  }
}
