// Store module: the generic LMDB wrapper and the relay's tables, on real
// temporary folders.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common.hpp"
#include "meldpunt/store/lmdb.hpp"
#include "meldpunt/store/relay_store.hpp"

namespace fs = std::filesystem;
using namespace meldpunt;
using namespace meldpunt::store;
using meldpunt::test_support::random_bytes;
using meldpunt::test_support::random_fixed;
using meldpunt::test_support::random_as;

namespace {

// Store folders must be private (0700).
struct TempFolder : test_support::PrivateTempDir {
  TempFolder() : PrivateTempDir("meldpunt-store-test-") {}
};

// Owns the envelope bytes that NewMessage only views.
struct TestMessage {
  NewMessage msg;
  Bytes envelope;
};

std::vector<TestMessage> make_messages(std::size_t count, std::size_t envelope_bytes,
                                       std::uint32_t expiry_day = 20000) {
  std::vector<TestMessage> out(count);
  for (auto& m : out) {
    m.envelope = random_bytes(envelope_bytes);
    m.msg.id = random_as<MessageId>();
    m.msg.clue = random_as<StoredClue>();
    m.msg.verifier = random_as<DeleteVerifier>();
    m.msg.expiry_day = expiry_day;
  }
  return out;
}

// NewMessage views into the TestMessages (which must outlive the result).
std::vector<NewMessage> views(const std::vector<TestMessage>& msgs) {
  std::vector<NewMessage> out;
  for (const auto& m : msgs) {
    NewMessage n = m.msg;
    n.envelope = m.envelope;
    out.push_back(n);
  }
  return out;
}

Status deposit(RelayStore& store, const std::vector<TestMessage>& msgs) {
  std::vector<NewMessage> v = views(msgs);
  return store.deposit_batch(v);
}

void require_stored(const RelayStore& store, const TestMessage& m) {
  std::optional<StoredMessage> got = store.get_message(m.msg.id);
  REQUIRE(got);
  REQUIRE(got->expiry_day == m.msg.expiry_day);
  REQUIRE(got->verifier == m.msg.verifier);
  REQUIRE(got->envelope == m.envelope);
}

std::map<MessageId, StoredClue> all_clues(const RelayStore& store) {
  std::map<MessageId, StoredClue> out;
  store.for_each_clue([&](const MessageId& id, const StoredClue& clue) { out[id] = clue; });
  return out;
}

RelayStoreOptions fast_options() {
  RelayStoreOptions o;
  o.durable = false;
  o.initial_map_bytes = 4ull << 20;
  o.max_map_bytes = 256ull << 20;
  return o;
}

lmdb::EnvironmentOptions small_env() {
  lmdb::EnvironmentOptions o;
  o.initial_map_bytes = 1ull << 20;
  o.max_map_bytes = 64ull << 20;
  o.durable = false;
  return o;
}

Bytes u32_key(std::uint32_t i) {
  Bytes k;
  append_u32_le(k, i);
  return k;
}

StoredPrekey random_prekey() {
  StoredPrekey p;
  p.pk = random_as<PublicKeyBytes>();
  p.signature = random_fixed<kPrekeySignatureBytes>();
  return p;
}

}  // namespace

// ---------------------------------------------------------------- wrapper

TEST_CASE("lmdb wrapper: put, get, insert, delete, count, iterate", "[store]") {
  TempFolder dir;
  lmdb::Environment env(dir.path(), small_env());
  lmdb::Table t = env.open_table("things");

  REQUIRE(env.write([&](lmdb::WriteTxn& txn) -> Status {
    for (char c : std::string("dbca")) {
      std::string k(1, c);
      if (Status s = t.put(txn, as_bytes(k), as_bytes("value-" + k)); !s) return s;
    }
    return Status::success();
  }));
  {
    lmdb::ReadTxn r = env.begin_read();
    REQUIRE(t.count(r) == 4);
    std::optional<ByteView> v = t.get(r, as_bytes("b"));
    REQUIRE(v);
    REQUIRE(std::string(v->begin(), v->end()) == "value-b");
    REQUIRE_FALSE(t.get(r, as_bytes("z")));

    std::string order;
    t.for_each(r, [&](ByteView k, ByteView) {
      order.push_back(static_cast<char>(k[0]));
      return true;
    });
    REQUIRE(order == "abcd");
    order.clear();
    t.for_each(
        r,
        [&](ByteView k, ByteView) {
          order.push_back(static_cast<char>(k[0]));
          return order.size() < 2;
        },
        as_bytes("bb"));
    REQUIRE(order == "cd");
  }
  REQUIRE(env.write([&](lmdb::WriteTxn& txn) -> Status {
    Result<bool> again = t.insert(txn, as_bytes("a"), as_bytes("other"));
    REQUIRE(again.ok());
    REQUIRE_FALSE(*again);
    Result<bool> fresh = t.insert(txn, as_bytes("e"), as_bytes("new"));
    REQUIRE(fresh.ok());
    REQUIRE(*fresh);
    Status missing = t.del(txn, as_bytes("zz"));
    REQUIRE(missing.error().code == ErrorCode::kNotFound);
    return t.del(txn, as_bytes("c"));
  }));
  lmdb::ReadTxn r = env.begin_read();
  REQUIRE(t.count(r) == 4);
  REQUIRE_FALSE(t.get(r, as_bytes("c")));
  std::optional<ByteView> a = t.get(r, as_bytes("a"));
  REQUIRE(a);
  REQUIRE(std::string(a->begin(), a->end()) == "value-a");

  std::vector<std::string> names = env.table_names();
  REQUIRE(names == std::vector<std::string>{"things"});
  lmdb::EnvironmentStats st = env.stats(r);
  REQUIRE(st.page_size >= 512);
  REQUIRE(st.pages_in_use >= 3);
  REQUIRE(st.map_bytes >= (1u << 20));
}

TEST_CASE("lmdb wrapper: a write transaction not committed is rolled back", "[store]") {
  TempFolder dir;
  lmdb::Environment env(dir.path(), small_env());
  lmdb::Table t = env.open_table("t");
  {
    lmdb::WriteTxn txn = env.begin_write();
    REQUIRE(t.put(txn, as_bytes("k"), as_bytes("v")));
    REQUIRE(t.get(txn, as_bytes("k")));
    lmdb::WriteTxn moved = std::move(txn);
    REQUIRE_FALSE(txn.active());
    REQUIRE(moved.active());
  }  // destroyed without commit
  REQUIRE(env.write([&](lmdb::WriteTxn& txn) -> Status {
    REQUIRE(t.put(txn, as_bytes("x"), as_bytes("1")));
    return Status(ErrorCode::kMalformed, "body refuses");  // write() must not commit
  }).error().code == ErrorCode::kMalformed);
  {
    lmdb::WriteTxn txn = env.begin_write();
    REQUIRE(t.put(txn, as_bytes("y"), as_bytes("2")));
    txn.abort();
    REQUIRE_FALSE(txn.active());
  }
  lmdb::ReadTxn r = env.begin_read();
  REQUIRE(t.count(r) == 0);
  REQUIRE_FALSE(t.get(r, as_bytes("k")));
}

TEST_CASE("lmdb wrapper: the map grows on demand, and not while the thread holds a reader",
          "[store]") {
  TempFolder dir;
  lmdb::EnvironmentOptions o = small_env();
  o.max_map_bytes = 8ull << 20;
  lmdb::Environment env(dir.path(), o);
  lmdb::Table t = env.open_table("blobs");
  Bytes blob = random_bytes(256 << 10);

  std::uint64_t runs = 0;
  for (std::uint32_t i = 0; i < 12; ++i) {  // 3 MiB into a 1 MiB map
    Status s = env.write([&](lmdb::WriteTxn& txn) {
      ++runs;
      return t.put(txn, u32_key(i), blob);
    });
    REQUIRE(s.ok());
  }
  REQUIRE(runs > 12);  // some bodies were re-run after a growth
  REQUIRE(env.stats().map_bytes > (1u << 20));

  {
    // Holding a reader: this thread cannot wait for itself, so no growth.
    lmdb::ReadTxn reader = env.begin_read();
    Status s = env.write([&](lmdb::WriteTxn& txn) -> Status {
      for (std::uint32_t i = 100; i < 140; ++i) {
        if (Status st = t.put(txn, u32_key(i), blob); !st) return st;
      }
      return Status::success();
    });
    REQUIRE(s.error().code == ErrorCode::kStorageFull);
  }
  // At the maximum size: kStorageFull, earlier data intact.
  Status s = env.write([&](lmdb::WriteTxn& txn) -> Status {
    for (std::uint32_t i = 100; i < 140; ++i) {
      if (Status st = t.put(txn, u32_key(i), blob); !st) return st;
    }
    return Status::success();
  });
  REQUIRE(s.error().code == ErrorCode::kStorageFull);
  REQUIRE(env.stats().map_bytes == (8u << 20));
  lmdb::ReadTxn r = env.begin_read();
  REQUIRE(t.count(r) == 12);
}

TEST_CASE("lmdb wrapper: setup errors throw", "[store]") {
  TempFolder dir;
  REQUIRE_THROWS_AS(lmdb::Environment(dir.path() / "missing", small_env()), lmdb::LmdbError);
  lmdb::EnvironmentOptions bad = small_env();
  bad.max_map_bytes = bad.initial_map_bytes / 2;
  REQUIRE_THROWS_AS(lmdb::Environment(dir.path(), bad), lmdb::LmdbError);
}

// ---------------------------------------------------------------- relay store

TEST_CASE("relay store: deposit, get and delete a message", "[store]") {
  TempFolder dir;
  RelayStore store(dir.path(), fast_options());
  auto msgs = make_messages(1, 1000);
  REQUIRE(deposit(store, msgs));
  require_stored(store, msgs[0]);
  auto clues = all_clues(store);
  REQUIRE(clues.size() == 1);
  REQUIRE(clues.at(msgs[0].msg.id) == msgs[0].msg.clue);
  REQUIRE(store.stats().messages == 1);
  REQUIRE(store.stats().envelope_bytes == 1000);

  REQUIRE_FALSE(store.get_message(random_as<MessageId>()));
  REQUIRE(store.delete_message(msgs[0].msg.id));
  REQUIRE_FALSE(store.get_message(msgs[0].msg.id));
  REQUIRE(all_clues(store).empty());
  REQUIRE(store.delete_message(msgs[0].msg.id).error().code == ErrorCode::kNotFound);
  REQUIRE(store.stats().messages == 0);
  REQUIRE(store.stats().envelope_bytes == 0);
  REQUIRE(store.check().empty());
}

TEST_CASE("relay store: a batch of 100 is stored in one all-or-nothing commit", "[store]") {
  TempFolder dir;
  RelayStore store(dir.path(), fast_options());
  auto msgs = make_messages(100, 512);
  REQUIRE(deposit(store, msgs));
  for (const auto& m : msgs) require_stored(store, m);
  REQUIRE(all_clues(store).size() == 100);
  REQUIRE(store.stats().messages == 100);
  REQUIRE(store.stats().envelope_bytes == 100 * 512);

  // A batch whose last message repeats an id fails as a whole.
  auto more = make_messages(10, 512);
  more.back().msg.id = msgs[0].msg.id;
  REQUIRE(deposit(store, more).error().code == ErrorCode::kInternal);
  for (std::size_t i = 0; i + 1 < more.size(); ++i) REQUIRE_FALSE(store.get_message(more[i].msg.id));
  REQUIRE(store.stats().messages == 100);
  REQUIRE(store.check().empty());
}

TEST_CASE("relay store: close and reopen keeps everything (durable)", "[store]") {
  TempFolder dir;
  RelayStoreOptions o;  // durable by default
  o.initial_map_bytes = 1ull << 20;
  REQUIRE(o.durable);
  auto msgs = make_messages(20, 2000);
  PublicKeyBytes adviser = random_as<PublicKeyBytes>();
  std::vector<StoredPrekey> pks{random_prekey(), random_prekey()};
  Bytes directory = random_bytes(300);
  {
    RelayStore store(dir.path(), o);
    REQUIRE(deposit(store, msgs));
    REQUIRE(store.add_prekeys(adviser, 7, pks));
    REQUIRE(store.put_directory(directory));
  }
  RelayStore store(dir.path(), o);
  for (const auto& m : msgs) require_stored(store, m);
  REQUIRE(all_clues(store).size() == 20);
  StoreStats st = store.stats();
  REQUIRE(st.messages == 20);
  REQUIRE(st.envelope_bytes == 20 * 2000);
  REQUIRE(st.prekeys.at(adviser) == 2);
  REQUIRE(store.get_directory() == directory);
  REQUIRE(store.add_prekeys(adviser, 7, pks).error().code == ErrorCode::kReplay);
  REQUIRE(store.check().empty());
}

TEST_CASE("relay store: a different schema version on reopen throws", "[store]") {
  TempFolder dir;
  { RelayStore store(dir.path(), fast_options()); }
  {
    lmdb::Environment env(dir.path(), small_env());
    lmdb::Table meta = env.open_table("meta");
    Bytes v;
    append_u32_le(v, kRelaySchemaVersion + 1);
    REQUIRE(env.write([&](lmdb::WriteTxn& txn) { return meta.put(txn, as_bytes("schema"), v); }));
  }
  REQUIRE_THROWS_WITH(RelayStore(dir.path(), fast_options()),
                      Catch::Contains("schema version " + std::to_string(kRelaySchemaVersion + 1)));
}

TEST_CASE("relay store: refuses a folder that is missing or holds another database", "[store]") {
  TempFolder dir;
  REQUIRE_THROWS_AS(RelayStore(dir.path() / "missing", fast_options()), std::runtime_error);
  {
    lmdb::Environment env(dir.path(), small_env());
    lmdb::Table other = env.open_table("cases");
    REQUIRE(env.write([&](lmdb::WriteTxn& txn) { return other.put(txn, as_bytes("k"), as_bytes("v")); }));
  }
  REQUIRE_THROWS_WITH(RelayStore(dir.path(), fast_options()), Catch::Contains("not a relay store"));
}

TEST_CASE("relay store: quotas give kStorageFull and store nothing partial", "[store]") {
  TempFolder dir;
  RelayStoreOptions o = fast_options();
  o.max_messages = 10;
  o.max_envelope_bytes = 10'000;
  RelayStore store(dir.path(), o);

  auto first = make_messages(8, 100);
  REQUIRE(deposit(store, first));
  auto three = make_messages(3, 100);
  Status s = deposit(store, three);
  REQUIRE(s.error().code == ErrorCode::kStorageFull);
  for (const auto& m : three) REQUIRE_FALSE(store.get_message(m.msg.id));
  REQUIRE(store.stats().messages == 8);
  REQUIRE(all_clues(store).size() == 8);

  auto big = make_messages(2, 5000);  // 800 + 10000 bytes > 10000
  REQUIRE(deposit(store, big).error().code == ErrorCode::kStorageFull);
  for (const auto& m : big) REQUIRE_FALSE(store.get_message(m.msg.id));
  REQUIRE(store.stats().envelope_bytes == 800);

  auto two = make_messages(2, 100);  // exactly at the message quota
  REQUIRE(deposit(store, two));
  REQUIRE(store.stats().messages == 10);
  REQUIRE(deposit(store, make_messages(1, 1)).error().code == ErrorCode::kStorageFull);
  REQUIRE(store.delete_message(first[0].msg.id));
  REQUIRE(deposit(store, make_messages(1, 1)));
  REQUIRE(store.check().empty());
}

TEST_CASE("relay store: a tiny map grows to hold 20 MiB of deposits", "[store]") {
  TempFolder dir;
  RelayStoreOptions o = fast_options();
  o.initial_map_bytes = 1ull << 20;
  o.max_map_bytes = 256ull << 20;
  RelayStore store(dir.path(), o);
  std::vector<std::vector<TestMessage>> batches;
  for (int i = 0; i < 20; ++i) {
    batches.push_back(make_messages(16, 64 << 10));  // 1 MiB per batch
    REQUIRE(deposit(store, batches.back()));
  }
  StoreStats st = store.stats();
  REQUIRE(st.messages == 320);
  REQUIRE(st.envelope_bytes == 20ull << 20);
  REQUIRE(st.map_bytes_total > (20ull << 20));
  REQUIRE(st.map_bytes_used >= (20ull << 20));
  REQUIRE(st.map_bytes_used <= st.map_bytes_total);
  for (const auto& b : batches) {
    for (const auto& m : b) require_stored(store, m);
  }
  REQUIRE(store.check().empty());
}

TEST_CASE("relay store: at max_map_bytes deposits get kStorageFull and the store stays usable",
          "[store]") {
  TempFolder dir;
  RelayStoreOptions o = fast_options();
  o.initial_map_bytes = 1ull << 20;
  o.max_map_bytes = 4ull << 20;
  std::vector<TestMessage> stored;
  {
    RelayStore store(dir.path(), o);
    Status last;
    for (int i = 0; i < 100 && last.ok(); ++i) {
      auto batch = make_messages(2, 60 << 10);
      last = deposit(store, batch);
      if (last.ok()) stored.insert(stored.end(), batch.begin(), batch.end());
    }
    REQUIRE(last.error().code == ErrorCode::kStorageFull);
    REQUIRE(stored.size() >= 20);
    // A batch larger than the room left fills the map itself (MDB_MAP_FULL at
    // the maximum size): same answer, nothing partial.
    auto huge = make_messages(8, 256 << 10);
    REQUIRE(deposit(store, huge).error().code == ErrorCode::kStorageFull);
    for (const auto& m : huge) REQUIRE_FALSE(store.get_message(m.msg.id));
    REQUIRE(store.check().empty());
    StoreStats st = store.stats();
    REQUIRE(st.messages == stored.size());
    REQUIRE(st.map_bytes_total <= o.max_map_bytes);
    for (const auto& m : stored) require_stored(store, m);
    // Deleting still works at the limit and makes room again.
    for (std::size_t i = 0; i < 6; ++i) REQUIRE(store.delete_message(stored[i].msg.id));
    stored.erase(stored.begin(), stored.begin() + 6);
    auto after = make_messages(1, 60 << 10);
    REQUIRE(deposit(store, after));
    stored.push_back(after[0]);
  }
  RelayStore store(dir.path(), o);
  REQUIRE(store.check().empty());
  for (const auto& m : stored) require_stored(store, m);
}

TEST_CASE("relay store: purge_expired deletes messages and clues before today", "[store]") {
  TempFolder dir;
  RelayStore store(dir.path(), fast_options());
  auto old_msgs = make_messages(1500, 64, 100);  // more than one purge chunk
  auto today_msgs = make_messages(5, 64, 200);
  auto later_msgs = make_messages(5, 64, 300);
  REQUIRE(deposit(store, old_msgs));
  REQUIRE(deposit(store, today_msgs));
  REQUIRE(deposit(store, later_msgs));

  REQUIRE(store.purge_expired(100) == 0);
  REQUIRE(store.purge_expired(200) == 1500);
  REQUIRE(store.purge_expired(200) == 0);
  for (const auto& m : old_msgs) REQUIRE_FALSE(store.get_message(m.msg.id));
  for (const auto& m : today_msgs) require_stored(store, m);
  auto clues = all_clues(store);
  REQUIRE(clues.size() == 10);
  for (const auto& m : old_msgs) REQUIRE(clues.count(m.msg.id) == 0);
  REQUIRE(store.stats().messages == 10);
  REQUIRE(store.stats().envelope_bytes == 10 * 64);
  REQUIRE(store.purge_expired(301) == 10);
  REQUIRE(store.stats().messages == 0);
  REQUIRE(store.check().empty());
}

namespace {

// Sets the peak resident size (VmHWM) back to the current one (Linux 4.0
// and later); false where the kernel refuses.
bool reset_peak_resident() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return out.good();
}

}  // namespace

TEST_CASE("relay store: a purge with the clue cache copies no clue record", "[store]") {
  TempFolder dir;
  RelayStore store(dir.path(), fast_options());
  // 100,000 messages: a copy of their cached clue records would be 8.4 MB.
  constexpr std::size_t kMessages = 100'000;
  for (std::size_t stored = 0; stored < kMessages; stored += 10'000) {
    REQUIRE(deposit(store, make_messages(10'000, 16, 300)));
  }
  REQUIRE(store.message_count() == kMessages);
  if (!reset_peak_resident()) {
    WARN("cannot reset the peak resident size here; not measured");
    return;
  }
  const std::uint64_t before = test_support::proc_status_kib("VmRSS").value_or(0) * 1024;
  // Nothing is due: the purge only looks for expired ids (no write, no
  // page of the map read).
  REQUIRE(store.purge_expired(300) == 0);
  const std::uint64_t peak = test_support::proc_status_kib("VmHWM").value_or(0) * 1024;
  CAPTURE(before, peak);
  REQUIRE(peak >= before);
  REQUIRE(peak - before < (4u << 20));
  REQUIRE(store.purge_expired(301) == kMessages);
  REQUIRE(store.message_count() == 0);
}

TEST_CASE("relay store: a purge finds what another process deposited since the clue cache loaded",
          "[store]") {
  TempFolder dir;
  RelayStore store(dir.path(), fast_options());
  auto kept = make_messages(20, 100, 300);
  auto expired = make_messages(30, 100, 100);
  REQUIRE(deposit(store, kept));
  REQUIRE(store.purge_expired(200) == 0);
  // Another process (as `relay purge` beside `relay serve`) deposits
  // expired messages; this process's cache has not seen them.
  REQUIRE(test_support::succeeds_in_child([&] {
    RelayStoreOptions o = fast_options();
    o.clue_cache = false;
    RelayStore other(dir.path(), o);
    return deposit(other, expired).ok();
  }));
  REQUIRE(store.purge_expired(200) == expired.size());
  for (const auto& m : expired) REQUIRE_FALSE(store.get_message(m.msg.id));
  for (const auto& m : kept) require_stored(store, m);
  REQUIRE(all_clues(store).size() == kept.size());
  REQUIRE(store.check().empty());
}

TEST_CASE("relay store: prekeys add, take, replay and counts", "[store]") {
  TempFolder dir;
  RelayStore store(dir.path(), fast_options());
  PublicKeyBytes a = random_as<PublicKeyBytes>();
  PublicKeyBytes b = random_as<PublicKeyBytes>();
  std::vector<StoredPrekey> a_keys{random_prekey(), random_prekey(), random_prekey()};
  std::vector<StoredPrekey> b_keys{random_prekey(), random_prekey()};

  REQUIRE_FALSE(store.take_prekey(a));
  REQUIRE(store.add_prekeys(a, 1, a_keys));
  REQUIRE(store.add_prekeys(b, 5, b_keys));
  REQUIRE(store.stats().prekeys.at(a) == 3);
  REQUIRE(store.stats().prekeys.at(b) == 2);

  // Replay: same or older counter, nothing stored.
  std::vector<StoredPrekey> extra{random_prekey()};
  REQUIRE(store.add_prekeys(a, 1, extra).error().code == ErrorCode::kReplay);
  REQUIRE(store.add_prekeys(a, 0, extra).error().code == ErrorCode::kReplay);
  REQUIRE(store.stats().prekeys.at(a) == 3);
  REQUIRE(store.add_prekeys(a, 2, extra));
  a_keys.push_back(extra[0]);
  REQUIRE(store.stats().prekeys.at(a) == 4);

  std::set<PublicKeyBytes> taken;
  for (int i = 0; i < 4; ++i) {
    std::optional<StoredPrekey> p = store.take_prekey(a);
    REQUIRE(p);
    auto it = std::find_if(a_keys.begin(), a_keys.end(),
                           [&](const StoredPrekey& k) { return k.pk == p->pk; });
    REQUIRE(it != a_keys.end());
    REQUIRE(it->signature == p->signature);
    taken.insert(p->pk);
  }
  REQUIRE(taken.size() == 4);
  REQUIRE_FALSE(store.take_prekey(a));
  REQUIRE(store.stats().prekeys.count(a) == 0);
  REQUIRE(store.stats().prekeys.at(b) == 2);
  // Emptying the pool does not reset the replay counter.
  REQUIRE(store.add_prekeys(a, 2, extra).error().code == ErrorCode::kReplay);
  REQUIRE(store.check().empty());
}

TEST_CASE("relay store: directory put and get", "[store]") {
  TempFolder dir;
  RelayStore store(dir.path(), fast_options());
  REQUIRE_FALSE(store.get_directory());
  Bytes d1 = random_bytes(1234), d2 = random_bytes(99);
  REQUIRE(store.put_directory(d1));
  REQUIRE(store.get_directory() == d1);
  REQUIRE(store.put_directory(d2));
  REQUIRE(store.get_directory() == d2);
  REQUIRE(store.check().empty());
}

TEST_CASE("relay store: backup while a reader is open, then open the backup", "[store]") {
  TempFolder dir, backups;
  RelayStoreOptions o = fast_options();
  o.clue_cache = false;  // so for_each_clue below visits inside an LMDB read transaction
  RelayStore store(dir.path(), o);
  auto msgs = make_messages(50, 3000);
  REQUIRE(deposit(store, msgs));
  REQUIRE(store.put_directory(as_bytes("signed directory")));
  for (int i = 0; i < 10; ++i) REQUIRE(store.delete_message(msgs[static_cast<std::size_t>(i)].msg.id));
  msgs.erase(msgs.begin(), msgs.begin() + 10);

  fs::path target = backups.path() / "copy";
  bool backed_up = false;
  store.for_each_clue([&](const MessageId&, const StoredClue&) {
    if (backed_up) return;
    backed_up = true;
    REQUIRE(store.backup_to(target));  // while this read transaction is open
  });
  REQUIRE(backed_up);
  struct stat st {};
  REQUIRE(::stat(target.c_str(), &st) == 0);
  REQUIRE((st.st_mode & 0777) == 0700);
  REQUIRE(::stat((target / "data.mdb").c_str(), &st) == 0);
  REQUIRE((st.st_mode & 0777) == 0600);

  // A non-empty target is refused; an empty existing one is fine.
  REQUIRE(store.backup_to(target).error().code == ErrorCode::kIo);
  fs::create_directory(backups.path() / "empty");
  REQUIRE(store.backup_to(backups.path() / "empty"));
  REQUIRE(store.backup_to(backups.path() / "no" / "parent").error().code == ErrorCode::kIo);

  RelayStore copy(target, fast_options());
  for (const auto& m : msgs) require_stored(copy, m);
  REQUIRE(all_clues(copy) == all_clues(store));
  REQUIRE(copy.stats().messages == 40);
  REQUIRE(copy.get_directory() == Bytes(as_bytes("signed directory").begin(), as_bytes("signed directory").end()));
  REQUIRE(copy.check().empty());
}

TEST_CASE("relay store: check detects hand-corrupted records without naming them", "[store]") {
  TempFolder dir;
  auto msgs = make_messages(5, 100);
  {
    RelayStore store(dir.path(), fast_options());
    REQUIRE(deposit(store, msgs));
    REQUIRE(store.check().empty());
  }
  MessageId bad_id = random_as<MessageId>();
  {
    lmdb::Environment env(dir.path(), small_env());
    lmdb::Table messages = env.open_table("messages");
    lmdb::Table clues = env.open_table("clues");
    REQUIRE(env.write([&](lmdb::WriteTxn& txn) -> Status {
      if (Status s = messages.put(txn, bad_id, as_bytes("bad")); !s) return s;  // 3 bytes < 36
      return clues.put(txn, msgs[0].msg.id, as_bytes("short clue"));
    }));
  }
  RelayStore store(dir.path(), fast_options());
  std::vector<std::string> problems = store.check();
  auto has = [&](const std::string& text) {
    return std::any_of(problems.begin(), problems.end(),
                       [&](const std::string& p) { return p == text; });
  };
  CAPTURE(problems);
  REQUIRE(has("message record with bad size: 1"));
  REQUIRE(has("message without a clue: 1"));
  REQUIRE(has("clue record with bad size: 1"));
  REQUIRE(has("stored message count is 5 but 6 message records were found"));
  for (const std::string& p : problems) {
    REQUIRE(p.find(to_hex(bad_id)) == std::string::npos);
    REQUIRE(p.find(to_hex(msgs[0].msg.id)) == std::string::npos);
  }
  // The damaged records read as absent instead of crashing readers.
  REQUIRE_FALSE(store.get_message(bad_id));
  REQUIRE(all_clues(store).size() == 4);
}

namespace {

// Turns a store of this version back into the schema 1 layout by hand,
// through the generic LMDB wrapper: 64-byte clue records, an `expiry` index
// table (u32be day || id -> empty) missing the entry of `unindexed`, and
// schema record 1.
void write_as_schema_1(const fs::path& folder, const std::vector<TestMessage>& msgs, const MessageId& unindexed) {
  lmdb::Environment env(folder, small_env());
  lmdb::Table meta = env.open_table("meta");
  lmdb::Table clues = env.open_table("clues");
  lmdb::Table expiry = env.open_table("expiry");
  REQUIRE(env.write([&](lmdb::WriteTxn& txn) -> Status {
    for (const TestMessage& m : msgs) {
      if (Status st = clues.put(txn, m.msg.id, m.msg.clue); !st) return st;
      if (m.msg.id == unindexed) continue;
      const std::uint32_t day = m.msg.expiry_day;
      Bytes key{static_cast<std::uint8_t>(day >> 24), static_cast<std::uint8_t>(day >> 16),
                static_cast<std::uint8_t>(day >> 8), static_cast<std::uint8_t>(day)};
      append(key, m.msg.id);
      if (Status st = expiry.put(txn, key, {}); !st) return st;
    }
    Bytes version;
    append_u32_le(version, 1);
    return meta.put(txn, as_bytes("schema"), version);
  }));
}

}  // namespace

TEST_CASE("relay store: a purge goes by the day beside the clue, and check compares it with the message's",
          "[store]") {
  TempFolder dir;
  auto msgs = make_messages(4, 100, 150);
  {
    RelayStore store(dir.path(), fast_options());
    REQUIRE(deposit(store, msgs));
    REQUIRE(store.check().empty());
    for (const ClueRecord& r : store.clues()) REQUIRE(r.expiry_day == 150);
  }
  {
    // The clue record of msgs[0] says day 99 (its message still says 150).
    lmdb::Environment env(dir.path(), small_env());
    lmdb::Table clues = env.open_table("clues");
    Bytes value(msgs[0].msg.clue.begin(), msgs[0].msg.clue.end());
    append_u32_le(value, 99);
    REQUIRE(env.write([&](lmdb::WriteTxn& txn) { return clues.put(txn, msgs[0].msg.id, value); }));
  }
  RelayStore store(dir.path(), fast_options());
  std::vector<std::string> problems = store.check();
  CAPTURE(problems);
  REQUIRE(problems == std::vector<std::string>{"clue whose expiry day is not its message's: 1"});
  // The purge finds it by the clue's day but deletes only by the message's.
  REQUIRE(store.purge_expired(100) == 0);
  REQUIRE(store.stats().messages == 4);
  REQUIRE(store.purge_expired(151) == 4);
  REQUIRE(store.check().empty());
}

TEST_CASE("relay store: a schema 1 store is upgraded when opened, in one commit", "[store]") {
  TempFolder dir;
  auto early = make_messages(3, 100, 150);
  auto late = make_messages(3, 100, 170);
  std::vector<TestMessage> all = early;
  all.insert(all.end(), late.begin(), late.end());
  {
    RelayStore store(dir.path(), fast_options());
    REQUIRE(deposit(store, all));
  }
  write_as_schema_1(dir.path(), all, late[0].msg.id);

  // Not without being asked (one-off commands), and the refusal says who does.
  REQUIRE_THROWS_WITH(RelayStore(dir.path(), fast_options()),
                      Catch::Contains("schema version 1") && Catch::Contains("relay serve"));

  {
    RelayStoreOptions upgrade = fast_options();
    upgrade.upgrade_schema = true;
    RelayStore store(dir.path(), upgrade);
    REQUIRE(store.upgraded_from() == std::optional<std::uint32_t>(1));
    CAPTURE(store.check());
    REQUIRE(store.check().empty());
    for (const TestMessage& m : all) require_stored(store, m);
    std::map<MessageId, std::uint32_t> days;
    for (const ClueRecord& r : store.clues()) days[r.id] = r.expiry_day;
    REQUIRE(days.size() == all.size());
    // Days from the index, and for the message it missed, from the message.
    for (const TestMessage& m : all) REQUIRE(days.at(m.msg.id) == m.msg.expiry_day);
  }
  {
    lmdb::Environment env(dir.path(), small_env());
    std::vector<std::string> names = env.table_names();
    REQUIRE(std::find(names.begin(), names.end(), "expiry") == names.end());
  }
  RelayStoreOptions watched = fast_options();
  bool called = false;
  watched.before_upgrade = [&](std::uint32_t, std::uint64_t) { called = true; };
  RelayStore store(dir.path(), watched);
  REQUIRE_FALSE(store.upgraded_from());
  REQUIRE_FALSE(called);
  REQUIRE(store.purge_expired(151) == early.size());
  REQUIRE(store.purge_expired(171) == late.size());
  REQUIRE(store.stats().messages == 0);
  REQUIRE(store.check().empty());
}

TEST_CASE("relay store: a schema 1 store without map room for the upgrade says what to do and stays as it was",
          "[store]") {
  TempFolder dir, compacted;
  constexpr std::size_t kMessages = 20'000;
  auto msgs = make_messages(kMessages, 16, 150);
  {
    RelayStore store(dir.path(), fast_options());
    for (std::size_t i = 0; i < kMessages; i += 5'000) {
      REQUIRE(deposit(store, std::vector<TestMessage>(msgs.begin() + static_cast<std::ptrdiff_t>(i),
                                                      msgs.begin() + static_cast<std::ptrdiff_t>(i + 5'000))));
    }
  }
  write_as_schema_1(dir.path(), msgs, MessageId{});
  // A compacted copy has no free pages: the upgrade can only take room from
  // the map's growth.
  {
    lmdb::Environment env(dir.path(), small_env());
    REQUIRE(env.copy_compact_to(compacted.path()));
  }
  const std::uint64_t file_bytes = fs::file_size(compacted.path() / "data.mdb");

  std::vector<std::pair<std::uint32_t, std::uint64_t>> calls;
  RelayStoreOptions tight = fast_options();
  tight.upgrade_schema = true;
  tight.initial_map_bytes = tight.max_map_bytes = file_bytes + (256u << 10);
  tight.before_upgrade = [&](std::uint32_t from, std::uint64_t clues) { calls.emplace_back(from, clues); };
  // 20,000 clues at ~150 bytes each: about 3 MiB of room needed.
  REQUIRE_THROWS_WITH(RelayStore(compacted.path(), tight),
                      Catch::Contains("map is full") && Catch::Contains("nothing was changed") &&
                          Catch::Contains("about 3 MiB") && Catch::Contains("raise `max-map-bytes`") &&
                          Catch::Contains("restore a backup"));
  REQUIRE(calls == std::vector<std::pair<std::uint32_t, std::uint64_t>>{{1, kMessages}});

  // Still version 1, and the upgrade goes through with the room advised.
  REQUIRE_THROWS_WITH(RelayStore(compacted.path(), fast_options()), Catch::Contains("schema version 1"));
  RelayStoreOptions roomy = tight;
  roomy.initial_map_bytes = roomy.max_map_bytes = file_bytes + (3u << 20);
  calls.clear();
  RelayStore store(compacted.path(), roomy);
  REQUIRE(calls == std::vector<std::pair<std::uint32_t, std::uint64_t>>{{1, kMessages}});
  REQUIRE(store.upgraded_from() == std::optional<std::uint32_t>(1));
  REQUIRE(store.check().empty());
  REQUIRE(store.clues().size() == kMessages);
  require_stored(store, msgs.front());
  require_stored(store, msgs.back());
}

TEST_CASE("relay store: concurrent deposits from 4 threads all land", "[store]") {
  TempFolder dir;
  RelayStoreOptions o = fast_options();
  o.initial_map_bytes = 1ull << 20;  // growth races with readers and writers
  RelayStore store(dir.path(), o);
  constexpr int kThreads = 4, kBatches = 40;
  std::vector<std::vector<std::vector<TestMessage>>> per_thread(kThreads);
  for (auto& batches : per_thread) {
    for (int i = 0; i < kBatches; ++i) batches.push_back(make_messages(1 + static_cast<std::size_t>(i % 4), 8 << 10));
  }
  std::atomic<int> failures{0};
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done) {
      std::size_t n = 0;
      store.for_each_clue([&](const MessageId&, const StoredClue&) { ++n; });
      (void)store.stats();
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (const auto& batch : per_thread[static_cast<std::size_t>(t)]) {
        if (!deposit(store, batch).ok()) ++failures;
      }
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  reader.join();
  REQUIRE(failures == 0);
  std::uint64_t expected = 0;
  for (const auto& batches : per_thread) {
    for (const auto& b : batches) {
      expected += b.size();
      for (const auto& m : b) require_stored(store, m);
    }
  }
  REQUIRE(store.stats().messages == expected);
  REQUIRE(all_clues(store).size() == expected);
  REQUIRE(store.check().empty());
}

TEST_CASE("relay store: prekeys come out oldest upload first, whatever their key bytes", "[store]") {
  TempFolder dir;
  RelayStore store(dir.path(), fast_options());
  PublicKeyBytes a = random_as<PublicKeyBytes>();
  // Three uploads whose prekey pks sort in the opposite order of their age.
  std::vector<StoredPrekey> uploads[3];
  for (int u = 0; u < 3; ++u) {
    for (int i = 0; i < 3; ++i) {
      StoredPrekey p = random_prekey();
      p.pk.fill(static_cast<std::uint8_t>(0xf0 - 0x10 * u - i));
      uploads[u].push_back(p);
    }
    REQUIRE(store.add_prekeys(a, 100 + static_cast<std::uint64_t>(u) * 1000, uploads[u]));
  }
  REQUIRE(store.prekey_count(a) == 9);
  for (int u = 0; u < 3; ++u) {
    for (int i = 0; i < 3; ++i) {
      std::optional<StoredPrekey> p = store.take_prekey(a);
      REQUIRE(p);
      CHECK(p->pk == uploads[u][static_cast<std::size_t>(i)].pk);
      CHECK(p->signature == uploads[u][static_cast<std::size_t>(i)].signature);
    }
  }
  REQUIRE_FALSE(store.take_prekey(a));
  // An empty upload only advances the counter.
  REQUIRE(store.add_prekeys(a, 5000, {}));
  REQUIRE(store.prekey_count(a) == 0);
  REQUIRE(store.add_prekeys(a, 5000, {}).error().code == ErrorCode::kReplay);
  REQUIRE(store.check().empty());
}

TEST_CASE("relay store: check reports prekey records of the wrong layout", "[store]") {
  TempFolder dir;
  PublicKeyBytes a = random_as<PublicKeyBytes>();
  {
    RelayStore store(dir.path(), fast_options());
    REQUIRE(store.add_prekeys(a, 1, std::vector<StoredPrekey>{random_prekey()}));
  }
  {
    // The layout before prekeys were ordered by upload: pk-keyed, signature only.
    lmdb::Environment env(dir.path(), small_env());
    lmdb::Table prekeys = env.open_table("prekeys");
    Bytes old_key(a.begin(), a.end());
    append(old_key, random_as<PublicKeyBytes>());
    REQUIRE(env.write([&](lmdb::WriteTxn& txn) -> Status {
      return prekeys.put(txn, old_key, random_fixed<kPrekeySignatureBytes>());
    }));
  }
  RelayStore store(dir.path(), fast_options());
  std::vector<std::string> problems = store.check();
  CAPTURE(problems);
  CHECK(std::find(problems.begin(), problems.end(), "prekey record with bad key size: 1") != problems.end());
  CHECK(std::find(problems.begin(), problems.end(), "prekey record with bad size: 1") != problems.end());
  // The damaged record is skipped, the good one still handed out.
  CHECK(store.prekey_count(a) == 1);
  CHECK(store.take_prekey(a));
  CHECK_FALSE(store.take_prekey(a));
}
