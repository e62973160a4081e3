#include "sealed_table.hpp"

#include <algorithm>
#include <string>

#include "meldpunt/crypto/aead.hpp"

namespace meldpunt::adviser {
namespace {

namespace lmdb = store::lmdb;

// table name || 0x00 || record key: the table name never contains 0x00, so
// no (table, key) pair shares its associated data with another.
Bytes associated_data(std::string_view table, ByteView record_key) {
  Bytes ad(as_bytes(table).begin(), as_bytes(table).end());
  ad.push_back(0);
  append(ad, record_key);
  return ad;
}

bool starts_with(ByteView key, ByteView prefix) {
  return key.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), key.begin());
}

}  // namespace

Bytes StoreKey::seal(std::string_view table, ByteView record_key, ByteView plaintext) const {
  return crypto::seal_value(key_, associated_data(table, record_key), plaintext);
}

Result<crypto::SecretBuffer> StoreKey::open(std::string_view table, ByteView record_key, ByteView sealed) const {
  auto plain = crypto::open_value(key_, associated_data(table, record_key), sealed);
  if (!plain) {
    return Error{ErrorCode::kUnauthorised,
                 "case store: a " + std::string(table) + " record does not open (changed or moved)"};
  }
  return plain;
}

FixedBytes<16> StoreKey::name(std::string_view domain, ByteView data) const {
  return crypto::keyed_name(key_, domain, data);
}

Result<std::optional<crypto::SecretBuffer>> SealedTable::get(const lmdb::Txn& txn, ByteView key) const {
  std::optional<ByteView> sealed = table_.get(txn, key);
  if (!sealed) return std::optional<crypto::SecretBuffer>{};
  auto plain = key_->open(name_, key, *sealed);
  if (!plain) return plain.error();
  return std::optional<crypto::SecretBuffer>(std::move(plain).value());
}

bool SealedTable::contains(const lmdb::Txn& txn, ByteView key) const { return table_.get(txn, key).has_value(); }

Status SealedTable::put(lmdb::WriteTxn& txn, ByteView key, ByteView plaintext) {
  return table_.put(txn, key, key_->seal(name_, key, plaintext));
}

Status SealedTable::del(lmdb::WriteTxn& txn, ByteView key) { return table_.del(txn, key); }

std::uint64_t SealedTable::count(const lmdb::Txn& txn) const { return table_.count(txn); }

void SealedTable::for_each_key(const lmdb::Txn& txn, const std::function<bool(ByteView key)>& visit) const {
  table_.for_each(txn, [&](ByteView key, ByteView) { return visit(key); });
}

Status SealedTable::for_each(const lmdb::Txn& txn, ByteView prefix, std::size_t key_bytes,
                             const std::function<Status(ByteView key, ByteView plaintext)>& visit) const {
  Status failure;
  table_.for_each(
      txn,
      [&](ByteView key, ByteView sealed) {
        if (!starts_with(key, prefix)) return false;  // past the records asked for
        if (key_bytes != 0 && key.size() != key_bytes) {
          failure = Status(ErrorCode::kMalformed, "case store: damaged " + std::string(name_) + " key");
          return false;
        }
        auto plain = key_->open(name_, key, sealed);
        if (!plain) {
          failure = plain.error();
          return false;
        }
        failure = visit(key, plain->view());
        return static_cast<bool>(failure);
      },
      prefix);
  return failure;
}

}  // namespace meldpunt::adviser
