// RelayStore's prekeys: one-time prekeys in upload order per adviser, the
// upload counters that refuse a replayed upload, and the medium-term prekey.
#include <algorithm>
#include <span>

#include "relay_store_impl.hpp"

namespace meldpunt::store {

Status RelayStore::add_prekeys(const PublicKeyBytes& adviser, std::uint64_t counter,
                               std::span<const StoredPrekey> keys,
                               const std::optional<StoredMediumPrekey>& medium) {
  Impl& s = *impl_;
  return s.write([&](WriteTxn& txn) -> Status {
    if (std::optional<ByteView> last = s.counters.get(txn, adviser)) {
      if (last->size() != 8) {
        return Status(ErrorCode::kInternal, "prekey counter record is damaged; run check");
      }
      if (counter <= read_u64_le(last->data())) {
        return Status(ErrorCode::kReplay, "prekey upload counter is not newer than the last one");
      }
    }
    if (keys.size() > kMaxPrekeysPerAdd) {
      return Status(ErrorCode::kTooLarge, "too many prekeys in one upload");
    }
    Bytes key(adviser.begin(), adviser.end());
    append_u64_be(key, counter);
    key.resize(kPrekeyKeyBytes);
    Bytes value;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      key[kKeyBytes + 8] = static_cast<std::uint8_t>(i >> 8);
      key[kKeyBytes + 9] = static_cast<std::uint8_t>(i);
      value.assign(keys[i].pk.begin(), keys[i].pk.end());
      append(value, keys[i].signature);
      if (Status st = s.prekeys.put(txn, key, value); !st) return st;
    }
    if (Status st = s.counters.put(txn, adviser, u64_le(counter)); !st) return st;
    if (medium) {
      Bytes record(medium->pk.begin(), medium->pk.end());
      append_u32_le(record, medium->expires_day);
      append(record, medium->signature);
      if (Status st = s.medium_prekeys.put(txn, adviser, record); !st) return st;
    }
    return s.check_headroom(txn);
  });
}

std::optional<StoredMediumPrekey> RelayStore::medium_prekey(const PublicKeyBytes& adviser) const {
  ReadTxn txn = impl_->env.begin_read();
  std::optional<ByteView> v = impl_->medium_prekeys.get(txn, adviser);
  if (!v || v->size() != kMediumValueBytes) return std::nullopt;
  return read_medium(*v);
}

std::optional<StoredPrekey> RelayStore::take_prekey(const PublicKeyBytes& adviser) {
  Impl& s = *impl_;
  std::optional<StoredPrekey> taken;
  Status st = s.write([&](WriteTxn& txn) -> Status {
    taken.reset();
    Bytes key;
    // Keys sort by adviser, then upload counter, then position: the first
    // record at or after the adviser's 32 bytes is its oldest prekey.
    s.prekeys.for_each(
        txn,
        [&](ByteView k, ByteView v) {
          if (k.size() < kKeyBytes || !std::equal(adviser.begin(), adviser.end(), k.begin())) {
            return false;  // past this adviser's keys
          }
          if (k.size() != kPrekeyKeyBytes || v.size() != kPrekeyValueBytes) return true;
          StoredPrekey p;
          p.pk = fixed<PublicKeyBytes>(v.first(kKeyBytes));
          p.signature = fixed<FixedBytes<kPrekeySignatureBytes>>(v.subspan(kKeyBytes));
          taken = p;
          key.assign(k.begin(), k.end());
          return false;
        },
        adviser);
    if (!taken) return Status::success();
    return s.prekeys.del(txn, key);
  });
  if (!st) throw StoreError(Error{st.error().code, "taking a prekey: " + st.error().message});
  return taken;
}

std::uint64_t RelayStore::prekey_count(const PublicKeyBytes& adviser) const {
  ReadTxn txn = impl_->env.begin_read();
  std::uint64_t n = 0;
  impl_->prekeys.for_each(
      txn,
      [&](ByteView k, ByteView v) {
        if (k.size() < kKeyBytes || !std::equal(adviser.begin(), adviser.end(), k.begin())) return false;
        if (k.size() == kPrekeyKeyBytes && v.size() == kPrekeyValueBytes) ++n;
        return true;
      },
      adviser);
  return n;
}

}  // namespace meldpunt::store
