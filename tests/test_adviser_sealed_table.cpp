// adviser-client: the sealed-table layer under the case store
// (sealed_table.hpp). The seal's associated data is pinned to its
// documented bytes (stores on disk depend on it), and a value moved to
// another key or table, or opened under another store key, does not open.
#include <catch2/catch.hpp>

#include <string>

#include "common.hpp"
#include "meldpunt/crypto/aead.hpp"
#include "sealed_table.hpp"

using namespace meldpunt;
using namespace meldpunt::adviser;
using meldpunt::test_support::TempDir;

namespace {

namespace lmdb = store::lmdb;

Bytes ad_of(std::string_view table, ByteView key) {
  Bytes ad(as_bytes(table).begin(), as_bytes(table).end());
  ad.push_back(0);
  append(ad, key);
  return ad;
}

std::string text_of(const crypto::SecretBuffer& b) { return std::string(b.text()); }

}  // namespace

TEST_CASE("sealed table: values are sealed to their table and key under the store key", "[adviser][sealed]") {
  const auto secret = crypto::Secret<32>::random();
  const StoreKey key(secret.clone());
  const Bytes record_key{1, 2, 3};
  const Bytes sealed = key.seal("cases", record_key, as_bytes("plain"));

  // The documented form: seal_value(store key, table || 0x00 || record key, plaintext).
  auto direct = crypto::open_value(secret, ad_of("cases", record_key), sealed);
  REQUIRE(direct.ok());
  CHECK(text_of(*direct) == "plain");
  const Bytes made_directly = crypto::seal_value(secret, ad_of("notes", record_key), as_bytes("note"));
  CHECK(text_of(*key.open("notes", record_key, made_directly)) == "note");

  CHECK(text_of(*key.open("cases", record_key, sealed)) == "plain");
  CHECK(key.open("notes", record_key, sealed).error().code == ErrorCode::kUnauthorised);
  CHECK(key.open("cases", Bytes{1, 2, 4}, sealed).error().code == ErrorCode::kUnauthorised);
  // "case" || 0x00 || "s\x00..." must not be "cases" || 0x00 || ...: the separator keeps them apart.
  CHECK_FALSE(key.open("case", Bytes{'s', 0, 1, 2, 3}, sealed).ok());
  const StoreKey other(crypto::Secret<32>::random());
  CHECK(other.open("cases", record_key, sealed).error().code == ErrorCode::kUnauthorised);
  Bytes flipped = sealed;
  flipped.back() ^= 1;
  CHECK_FALSE(key.open("cases", record_key, flipped).ok());

  CHECK(key.name("case", record_key) == crypto::keyed_name(secret, "case", record_key));
  CHECK(key.name("case", record_key) != key.name("letter", record_key));
}

TEST_CASE("sealed table: get, put, walk and damage on a real LMDB file", "[adviser][sealed]") {
  TempDir dir("meldpunt-sealed-");
  lmdb::EnvironmentOptions options;
  options.max_tables = 4;
  options.initial_map_bytes = 1 << 20;
  lmdb::Environment env(dir.path(), options);
  auto key = std::make_shared<const StoreKey>(crypto::Secret<32>::random());
  SealedTable table(env.open_table("things"), "things", key);
  lmdb::Table raw = env.open_table("things");

  const std::string marker = "sealed-table marker 4e1f";
  REQUIRE(env.write([&](lmdb::WriteTxn& txn) -> Status {
                if (Status s = table.put(txn, Bytes{1, 0}, as_bytes(marker)); !s) return s;
                if (Status s = table.put(txn, Bytes{1, 1}, as_bytes("second")); !s) return s;
                return table.put(txn, Bytes{2, 0}, as_bytes("other prefix"));
              })
              .ok());
  {
    lmdb::ReadTxn txn = env.begin_read();
    CHECK(table.count(txn) == 3);
    CHECK(table.contains(txn, Bytes{1, 0}));
    CHECK_FALSE(table.contains(txn, Bytes{9}));
    auto absent = table.get(txn, Bytes{9});
    REQUIRE(absent.ok());
    CHECK_FALSE(absent->has_value());
    auto present = table.get(txn, Bytes{1, 0});
    REQUIRE(present.ok());
    REQUIRE(present->has_value());
    CHECK(text_of(**present) == marker);
    // What LMDB holds is not the plaintext.
    const std::optional<ByteView> stored = raw.get(txn, Bytes{1, 0});
    REQUIRE(stored);
    CHECK(std::string(reinterpret_cast<const char*>(stored->data()), stored->size()).find("marker") ==
          std::string::npos);

    std::vector<std::string> seen;
    REQUIRE(table
                .for_each(txn, Bytes{1}, 2,
                          [&](ByteView, ByteView plain) {
                            seen.emplace_back(reinterpret_cast<const char*>(plain.data()), plain.size());
                            return Status::success();
                          })
                .ok());
    CHECK(seen == std::vector<std::string>{marker, "second"});
    // An error from the visitor ends the walk with it.
    int visits = 0;
    Status stopped = table.for_each(txn, {}, 0, [&](ByteView, ByteView) {
      ++visits;
      return Status(ErrorCode::kNotFound, "stop");
    });
    CHECK(stopped.error().code == ErrorCode::kNotFound);
    CHECK(visits == 1);
    int keys = 0;
    table.for_each_key(txn, [&](ByteView) { return ++keys < 2; });
    CHECK(keys == 2);
  }

  // Damage: a key of the wrong size, and a value moved to another key.
  REQUIRE(env.write([&](lmdb::WriteTxn& txn) -> Status {
                auto moved = raw.get(txn, Bytes{1, 0});
                if (!moved) return Status(ErrorCode::kInternal, "missing");
                const Bytes copy(moved->begin(), moved->end());
                if (Status s = raw.put(txn, Bytes{3, 0}, copy); !s) return s;
                return raw.put(txn, Bytes{4, 0, 0}, copy);
              })
              .ok());
  lmdb::ReadTxn txn = env.begin_read();
  CHECK(table.get(txn, Bytes{3, 0}).error().code == ErrorCode::kUnauthorised);
  const auto visit_all = [](ByteView, ByteView) { return Status::success(); };
  CHECK(table.for_each(txn, Bytes{3}, 2, visit_all).error().code == ErrorCode::kUnauthorised);
  // The size is checked before anything is opened.
  CHECK(table.for_each(txn, Bytes{4}, 2, visit_all).error().code == ErrorCode::kMalformed);
  CHECK(table.for_each(txn, Bytes{1}, 2, visit_all).ok());  // the walk stops at its prefix
}
