// The relay store's clues in memory (store/src/clue_index.hpp and
// RelayStoreOptions::clue_cache): the index itself against a reference map,
// the store's copy against what was committed (also by another process), and
// the LMDB wrapper's release of mapped pages that the cache's load relies on.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

// Internal to the store module; tested directly because a fetch's answer
// depends on its deletions being exact.
#include "../store/src/clue_index.hpp"
#include "common.hpp"
#include "meldpunt/store/lmdb.hpp"
#include "meldpunt/store/relay_store.hpp"

namespace fs = std::filesystem;
using namespace meldpunt;
using namespace meldpunt::store;
using meldpunt::test_support::random_fixed;
using meldpunt::test_support::random_as;

namespace {

// Store folders must be private (0700).
struct TempFolder : test_support::PrivateTempDir {
  TempFolder() : PrivateTempDir("meldpunt-clue-cache-test-") {}
};

std::mt19937_64& rng() {
  static std::mt19937_64 r{std::random_device{}()};
  return r;
}

std::size_t below(std::size_t n) { return static_cast<std::size_t>(rng()() % n); }

using Model = std::map<MessageId, StoredClue>;

Model as_model(const std::vector<ClueRecord>& records) {
  Model out;
  for (const ClueRecord& r : records) REQUIRE(out.emplace(r.id, r.clue).second);  // no id twice
  return out;
}

RelayStoreOptions fast_options(bool clue_cache) {
  RelayStoreOptions o;
  o.durable = false;
  o.initial_map_bytes = 4ull << 20;
  o.max_map_bytes = 256ull << 20;
  o.clue_cache = clue_cache;
  return o;
}

// Deposits n messages with tiny envelopes expiring on `day`; records them.
void deposit(RelayStore& store, std::size_t n, std::uint32_t day, Model& model,
             std::map<MessageId, std::uint32_t>* days = nullptr) {
  const Bytes envelope(32, 0x5a);
  std::vector<NewMessage> batch(n);
  for (NewMessage& m : batch) {
    m.id = random_as<MessageId>();
    m.clue = random_as<StoredClue>();
    m.verifier = random_as<DeleteVerifier>();
    m.expiry_day = day;
    m.envelope = envelope;
  }
  REQUIRE(store.deposit_batch(batch));
  for (const NewMessage& m : batch) {
    model[m.id] = m.clue;
    if (days != nullptr) (*days)[m.id] = day;
  }
}

double rss_file_mib() {
  const std::optional<std::uint64_t> kib = test_support::proc_status_kib("RssFile");
  if (!kib) FAIL("no RssFile in /proc/self/status");
  return static_cast<double>(*kib) / 1024.0;
}

}  // namespace

TEST_CASE("clue index: inserts, erases and reinsertions match a reference map", "[store][clue-cache]") {
  ClueIndex index;
  Model model;
  std::vector<MessageId> ids;  // every id ever used, present or not
  // Phases grow the index past several rehashes, then shrink it past the
  // give-back threshold, so probe runs wrap around and shift in every way.
  for (const std::size_t target : {3000u, 200u, 5000u, 0u, 700u}) {
    for (int step = 0; step < 40000 && model.size() != target; ++step) {
      const bool grow = model.size() < target ? below(4) != 0 : below(4) == 0;
      if (grow || ids.empty()) {
        // A known id now and then: present ones must be refused.
        const MessageId id = (!ids.empty() && below(8) == 0) ? ids[below(ids.size())] : random_as<MessageId>();
        const StoredClue clue = random_as<StoredClue>();
        const bool fresh = model.count(id) == 0;
        REQUIRE(index.insert(ClueRecord{id, clue, 0}) == fresh);
        if (fresh) model[id] = clue;
        ids.push_back(id);
      } else {
        // Mostly a present id, sometimes one erased before or never used.
        MessageId id = ids[below(ids.size())];
        if (!model.empty() && below(4) != 0) {
          auto it = model.begin();
          std::advance(it, static_cast<std::ptrdiff_t>(below(model.size())));
          id = it->first;
        }
        REQUIRE(index.erase(id) == (model.erase(id) == 1));
      }
      REQUIRE(index.size() == model.size());
    }
    REQUIRE(model.size() == target);
    REQUIRE(as_model(index.records()) == model);
    for (const MessageId& id : ids) {  // every id is found exactly when present
      ClueIndex copy = index;
      REQUIRE(copy.erase(id) == (model.count(id) == 1));
    }
  }
  index.clear();
  REQUIRE(index.size() == 0);
  REQUIRE_FALSE(index.erase(ids.front()));
  REQUIRE(index.insert(ClueRecord{ids.front(), StoredClue{}, 0}));
}

TEST_CASE("relay store: the clue cache follows deposits, deletes, purges and other writes",
          "[store][clue-cache]") {
  const bool cached = GENERATE(true, false);
  CAPTURE(cached);
  TempFolder dir;
  Model model;
  std::map<MessageId, std::uint32_t> days;
  const PublicKeyBytes adviser = random_as<PublicKeyBytes>();
  std::uint64_t counter = 0;
  {
    RelayStore store(dir.path(), fast_options(cached));
    for (int step = 0; step < 400; ++step) {
      switch (below(7)) {
        case 0:
        case 1:
          deposit(store, 1 + below(40), 100 + static_cast<std::uint32_t>(below(20)), model, &days);
          break;
        case 2: {  // delete a stored message, then the same again (absent now)
          if (model.empty()) break;
          auto it = model.begin();
          std::advance(it, static_cast<std::ptrdiff_t>(below(model.size())));
          const MessageId id = it->first;
          REQUIRE(store.delete_message(id));
          REQUIRE(store.delete_message(id).error().code == ErrorCode::kNotFound);
          model.erase(id);
          days.erase(id);
          break;
        }
        case 3: {
          const std::uint32_t today = 100 + static_cast<std::uint32_t>(below(8));
          std::uint64_t expected = 0;
          for (auto it = days.begin(); it != days.end();) {
            if (it->second < today) {
              model.erase(it->first);
              it = days.erase(it);
              ++expected;
            } else {
              ++it;
            }
          }
          REQUIRE(store.purge_expired(today) == expected);
          break;
        }
        case 4: {  // prekeys: writes that change no clue, and one that commits nothing
          StoredPrekey p;
          p.pk = random_as<PublicKeyBytes>();
          REQUIRE(store.add_prekeys(adviser, ++counter, std::vector<StoredPrekey>{p}));
          REQUIRE(store.take_prekey(adviser));
          REQUIRE_FALSE(store.take_prekey(adviser));
          break;
        }
        case 5:
          REQUIRE(store.put_directory(as_bytes("directory " + std::to_string(step))));
          break;
        default: {  // a refused batch (an id twice): nothing of it may reach the cache
          NewMessage m;
          m.id = random_as<MessageId>();
          m.clue = random_as<StoredClue>();
          REQUIRE(store.deposit_batch(std::vector<NewMessage>(2, m)).error().code == ErrorCode::kInternal);
          break;
        }
      }
      REQUIRE(as_model(store.clues()) == model);
    }
    REQUIRE(store.check().empty());
  }
  // Reopened, the cache is loaded from the table.
  RelayStore store(dir.path(), fast_options(cached));
  REQUIRE(as_model(store.clues()) == model);
}

TEST_CASE("relay store: commits by another process reach the clue cache", "[store][clue-cache]") {
  TempFolder dir;
  Model model;
  RelayStore store(dir.path(), fast_options(true));
  deposit(store, 300, 100, model);
  REQUIRE(as_model(store.clues()) == model);

  // Another process (as `relay purge` beside `relay serve`) deletes two
  // messages and deposits one; its own RelayStore opens without a cache.
  const MessageId gone1 = model.begin()->first, gone2 = model.rbegin()->first;
  const MessageId added = random_as<MessageId>();
  const StoredClue added_clue = random_as<StoredClue>();
  REQUIRE(test_support::succeeds_in_child([&] {
    RelayStore other(dir.path(), fast_options(false));
    NewMessage m;
    m.id = added;
    m.clue = added_clue;
    m.expiry_day = 100;
    return other.delete_message(gone1).ok() && other.delete_message(gone2).ok() &&
           other.deposit_batch(std::vector<NewMessage>{m}).ok();
  }));
  model.erase(gone1);
  model.erase(gone2);
  model[added] = added_clue;

  // A write of this process first: it must not make the cache skip the
  // other process's commits.
  deposit(store, 5, 100, model);
  REQUIRE(as_model(store.clues()) == model);
  REQUIRE(store.delete_message(added));
  model.erase(added);
  REQUIRE(as_model(store.clues()) == model);
  REQUIRE(store.check().empty());
}

TEST_CASE("lmdb wrapper: releasing mapped pages keeps every view valid", "[store][clue-cache]") {
  TempFolder dir;
  lmdb::EnvironmentOptions o;
  o.durable = false;
  o.initial_map_bytes = 64ull << 20;
  o.readahead = false;
  lmdb::Environment env(dir.path(), o);
  lmdb::Table t = env.open_table("big");
  // 16 MiB in 1024 values of 16 KiB (overflow pages).
  std::vector<Bytes> values;
  REQUIRE(env.write([&](lmdb::WriteTxn& txn) -> Status {
    values.clear();
    for (std::uint32_t i = 0; i < 1024; ++i) {
      const Bytes key{static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)};  // sorts as i
      Bytes value(16 << 10, static_cast<std::uint8_t>(i * 7));
      for (std::size_t j = 0; j < value.size(); j += 4096) value[j] = static_cast<std::uint8_t>(j >> 12);
      if (Status s = t.put(txn, key, value); !s) return s;
      values.push_back(std::move(value));
    }
    return Status::success();
  }));
  lmdb::ReadTxn txn = env.begin_read();
  std::vector<ByteView> views;
  t.for_each(txn, [&](ByteView, ByteView v) {
    std::uint64_t sum = 0;
    for (std::size_t j = 0; j < v.size(); j += 512) sum += v[j];  // touch every page
    REQUIRE(sum > 0);
    views.push_back(v);
    return true;
  });
  REQUIRE(views.size() == values.size());
  const double touched = rss_file_mib();
  REQUIRE(env.release_mapped_pages());
  const double released = rss_file_mib();
  CAPTURE(touched, released);
  REQUIRE(released < touched - 12.0);  // the 16 MiB read no longer count
  // The views of the open transaction still read the same bytes.
  for (std::size_t i = 0; i < views.size(); ++i) {
    REQUIRE(std::equal(views[i].begin(), views[i].end(), values[i].begin(), values[i].end()));
  }
}
