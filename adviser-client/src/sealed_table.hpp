// The sealed-table layer under the adviser's case store: LMDB tables
// (store::lmdb) whose every value is sealed under the store key, so the
// folder on disk holds records nobody without the key can read or change.
//
//   value on disk = crypto::seal_value(store_key, ad, plaintext record)
//   ad            = table name || 0x00 || record key
//
// Binding the table and the record key into the seal means a value copied
// to another record or another table no longer opens: whoever can write the
// file cannot move a case's record onto another case. Record keys are not
// sealed (LMDB orders by them); where a key would say what it names (a
// reporter key, a relay id, a delete token), the store uses
// StoreKey::name instead.
//
// Nothing here knows what a record holds: store_records.hpp encodes them,
// case_store.hpp says which table holds what.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/secret.hpp"
#include "meldpunt/store/lmdb.hpp"

namespace meldpunt::adviser {

// The identity's store key, in sodium_malloc memory (crypto::Secret), and
// the two things it is used for here.
class StoreKey {
 public:
  explicit StoreKey(crypto::Secret<32> key) : key_(std::move(key)) {}

  Bytes seal(std::string_view table, ByteView record_key, ByteView plaintext) const;
  // kUnauthorised ("a TABLE record does not open") if the value was changed,
  // moved to another key or table, or sealed under another key.
  Result<crypto::SecretBuffer> open(std::string_view table, ByteView record_key, ByteView sealed) const;
  // A 16-byte record key for `data` in `domain` (crypto::keyed_name): the
  // same data always gives the same key, and the key reveals nothing of it.
  FixedBytes<16> name(std::string_view domain, ByteView data) const;

 private:
  crypto::Secret<32> key_;
};

// One LMDB table of sealed values. A cheap value, like store::lmdb::Table:
// valid as long as the Environment that opened the table. The store key is
// shared (not copied) between the tables of one store and lives as long as
// the last of them.
class SealedTable {
 public:
  SealedTable() = default;
  // `name` must outlive the table (a string constant): it is part of every seal.
  SealedTable(store::lmdb::Table table, std::string_view name, std::shared_ptr<const StoreKey> key)
      : table_(table), name_(name), key_(std::move(key)) {}

  std::string_view name() const { return name_; }

  // The opened value under key: nullopt when there is none, kUnauthorised
  // when it does not open.
  Result<std::optional<crypto::SecretBuffer>> get(const store::lmdb::Txn& txn, ByteView key) const;
  // Whether a value is stored under key (nothing is opened).
  bool contains(const store::lmdb::Txn& txn, ByteView key) const;
  // Seals plaintext for this table and key and stores it (errors as
  // store::lmdb::Table::put).
  Status put(store::lmdb::WriteTxn& txn, ByteView key, ByteView plaintext);
  // kNotFound when the key is absent.
  Status del(store::lmdb::WriteTxn& txn, ByteView key);
  std::uint64_t count(const store::lmdb::Txn& txn) const;

  // Calls visit(key) in key order until it returns false; opens nothing
  // (for looking records up by key alone).
  void for_each_key(const store::lmdb::Txn& txn, const std::function<bool(ByteView key)>& visit) const;
  // Calls visit(key, plaintext) in key order for every record whose key
  // starts with `prefix` (all records when it is empty). Each key is checked
  // before its value is opened: one of another size than key_bytes (any
  // size when 0) ends the walk with kMalformed ("damaged TABLE key"); a
  // value that does not open ends it with kUnauthorised; an error visit
  // returns ends it with that error. A damaged store is reported, never
  // half shown.
  Status for_each(const store::lmdb::Txn& txn, ByteView prefix, std::size_t key_bytes,
                  const std::function<Status(ByteView key, ByteView plaintext)>& visit) const;

 private:
  store::lmdb::Table table_;
  std::string_view name_;
  std::shared_ptr<const StoreKey> key_;
};

}  // namespace meldpunt::adviser
