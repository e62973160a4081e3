// The relay's tables over the LMDB wrapper: opening a RelayStore, messages
// with their clues, purges, the directory and backups. Prekeys are in
// relay_store_prekeys.cpp, check() and stats() in relay_store_check.cpp.
// Byte layouts are documented in docs/PROTOCOL.md; keep the two in step.
#include "meldpunt/store/relay_store.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "relay_store_impl.hpp"

namespace meldpunt::store {

RelayStore::Impl::Impl(const fs::path& folder, const RelayStoreOptions& opts)
    : options(opts), env(folder, environment_options(opts)) {
  if (is_uninitialised()) {
    // Tables are created one commit each; the schema record comes last, in
    // the same commit as the totals, so a crash before it leaves only empty
    // tables and the next open starts over.
    open_tables();
    Status s = env.write([&](WriteTxn& txn) -> Status {
      if (Status st = meta.put(txn, as_bytes(kMetaSchema), u32_le(kRelaySchemaVersion)); !st) return st;
      return write_totals(txn, Totals{});
    });
    if (!s) throw std::runtime_error("initialising the relay store in " + folder.string() + ": " + s.error().message);
    if (options.clue_cache) reload_cache();
    return;
  }
  std::optional<Table> m = env.find_table("meta");
  if (!m) {
    throw std::runtime_error("folder " + folder.string() +
                             " holds an LMDB database that is not a relay store; refusing to use it");
  }
  meta = *m;
  std::uint32_t version = 0;
  {
    ReadTxn txn = env.begin_read();
    std::optional<ByteView> v = meta.get(txn, as_bytes(kMetaSchema));
    if (!v || v->size() != 4) {
      throw std::runtime_error("relay store in " + folder.string() +
                               " has no readable schema version; refusing to open it (run check on a copy)");
    }
    version = read_u32_le(v->data());
  }
  if (version == kSchemaWithExpiryIndex && !options.upgrade_schema) {
    throw std::runtime_error("relay store in " + folder.string() +
                             " has schema version 1; `relay serve` of this version upgrades it to version " +
                             std::to_string(kRelaySchemaVersion) +
                             " when it starts (stop the old relay and copy the folder first if you may go back)");
  }
  if (version != kRelaySchemaVersion && version != kSchemaWithExpiryIndex) {
    throw std::runtime_error("relay store in " + folder.string() + " has schema version " +
                             std::to_string(version) + ", this relay expects version " +
                             std::to_string(kRelaySchemaVersion) +
                             "; refusing to open it (use a matching relay or migrate the data)");
  }
  open_tables();
  if (version == kSchemaWithExpiryIndex) {
    upgrade_from_v1(folder);
    upgraded_from = version;
  }
  if (options.clue_cache) reload_cache();
}

// Schema 1 -> 2: each clue record gets its message's expiry day appended,
// the `expiry` index table goes, and the schema record says 2, all in one
// commit (a crash or a full disk leaves version 1 as it was). The days
// come from the index (20-byte keys, a cheap scan) and, for a message the
// index missed, from the message record. A clue without a message keeps
// its old record; check() reports it. Needs free map room about the size
// of the clue table (kV1UpgradeBytesPerClue); the error says so.
void RelayStore::Impl::upgrade_from_v1(const fs::path& folder) {
  std::uint64_t clue_count = 0;
  {
    ReadTxn txn = env.begin_read();
    clue_count = clues.count(txn);
  }
  if (options.before_upgrade) options.before_upgrade(kSchemaWithExpiryIndex, clue_count);
  Status s = env.write([&](WriteTxn& txn) -> Status {
    std::vector<std::pair<MessageId, std::uint32_t>> days;
    if (std::optional<Table> index = env.find_table(txn, kV1ExpiryTable)) {
      index->for_each(txn, [&](ByteView key, ByteView) {
        if (key.size() == kV1ExpiryKeyBytes) days.emplace_back(fixed<MessageId>(key.subspan(4)), read_u32_be(key.data()));
        return true;
      });
    }
    std::sort(days.begin(), days.end());
    std::vector<ClueRecord> records;
    clues.for_each(txn, [&](ByteView key, ByteView value) {
      if (key.size() == kIdBytes && value.size() == kClueBytes) {
        records.push_back(ClueRecord{fixed<MessageId>(key), fixed<StoredClue>(value), 0});
      }
      return true;
    });
    for (const ClueRecord& r : records) {
      auto it = std::lower_bound(days.begin(), days.end(), std::make_pair(r.id, std::uint32_t{0}));
      std::uint32_t day = 0;
      if (it != days.end() && it->first == r.id) {
        day = it->second;
      } else if (std::optional<ByteView> m = messages.get(txn, r.id); m && m->size() >= kMessageHeaderBytes) {
        day = read_u32_le(m->data());
      } else {
        continue;
      }
      if (Status st = clues.put(txn, r.id, clue_value(r.clue, day)); !st) return st;
    }
    if (Status st = env.drop_table(txn, kV1ExpiryTable); !st) return st;
    return meta.put(txn, as_bytes(kMetaSchema), u32_le(kRelaySchemaVersion));
  });
  if (!s) {
    std::string what = "upgrading the relay store in " + folder.string() + " from schema version 1: " +
                       s.error().message + " (nothing was changed)";
    if (s.error().code == ErrorCode::kStorageFull) what += "; " + v1_upgrade_room_advice(clue_count);
    throw std::runtime_error(what);
  }
}

RelayStore::RelayStore(const fs::path& folder, const RelayStoreOptions& options)
    : impl_(std::make_unique<Impl>(folder, options)) {}
RelayStore::~RelayStore() = default;
std::optional<std::uint32_t> RelayStore::upgraded_from() const { return impl_->upgraded_from; }
RelayStore::RelayStore(RelayStore&&) noexcept = default;
RelayStore& RelayStore::operator=(RelayStore&&) noexcept = default;

Status RelayStore::deposit_batch(std::span<const NewMessage> batch) {
  if (batch.empty()) return Status::success();
  std::uint64_t batch_bytes = 0;
  bool larger_than_letters = false;
  for (const NewMessage& m : batch) {
    batch_bytes += m.envelope.size();
    larger_than_letters = larger_than_letters || m.envelope.size() > kSmallestEnvelopeBytes;
  }
  Impl& s = *impl_;
  return s.write(
      [&](WriteTxn& txn) -> Status {
        Result<Totals> totals = s.read_totals(txn);
        if (!totals) return totals.error();
        if (exceeds(totals->messages, batch.size(), s.options.max_messages)) {
          return Status(ErrorCode::kStorageFull, "relay message quota reached");
        }
        if (exceeds(totals->envelope_bytes, batch_bytes, s.options.max_envelope_bytes)) {
          return Status(ErrorCode::kStorageFull, "relay storage quota reached");
        }
        const std::uint64_t reserve = std::min(s.options.letter_reserve_bytes, s.options.max_envelope_bytes);
        if (larger_than_letters &&
            exceeds(totals->envelope_bytes, batch_bytes, s.options.max_envelope_bytes - reserve)) {
          return Status(ErrorCode::kStorageFull, "relay storage for attachments is full; the rest is kept for letters");
        }
        Bytes value;
        for (const NewMessage& m : batch) {
          value.clear();
          value.reserve(kMessageHeaderBytes + m.envelope.size());
          append_u32_le(value, m.expiry_day);
          append(value, m.verifier);
          append(value, m.envelope);
          Result<bool> inserted = s.messages.insert(txn, m.id, value);
          if (!inserted) return inserted.error();
          if (!*inserted) return Status(ErrorCode::kInternal, "duplicate message id in a deposit");
          if (Status st = s.clues.put(txn, m.id, clue_value(m.clue, m.expiry_day)); !st) return st;
        }
        totals->messages += batch.size();
        totals->envelope_bytes += batch_bytes;
        if (Status st = s.write_totals(txn, *totals); !st) return st;
        return s.check_headroom(txn);
      },
      [&](ClueIndex& cache) {
        for (const NewMessage& m : batch) cache.insert(ClueRecord{m.id, m.clue, m.expiry_day});
      });
}

std::optional<StoredMessage> RelayStore::get_message(const MessageId& id) const {
  ReadTxn txn = impl_->env.begin_read();
  std::optional<ByteView> v = impl_->messages.get(txn, id);
  // A damaged record reads as absent; check() reports it.
  if (!v || v->size() < kMessageHeaderBytes) return std::nullopt;
  StoredMessage out;
  out.expiry_day = read_u32_le(v->data());
  out.verifier = fixed<DeleteVerifier>(v->subspan(4, kVerifierBytes));
  ByteView envelope = v->subspan(kMessageHeaderBytes);
  out.envelope.assign(envelope.begin(), envelope.end());
  return out;
}

Status RelayStore::delete_message(const MessageId& id) {
  Impl& s = *impl_;
  return s.write(
      [&](WriteTxn& txn) -> Status {
        Result<Totals> totals = s.read_totals(txn);
        if (!totals) return totals.error();
        if (Status st = s.remove_message(txn, id, *totals); !st) return st;
        return s.write_totals(txn, *totals);
      },
      [&](ClueIndex& cache) { cache.erase(id); });
}

std::vector<ClueRecord> RelayStore::clues() const {
  const Impl& s = *impl_;
  if (s.options.clue_cache) return s.cached_clues();
  std::vector<ClueRecord> out;
  s.scan_clue_table([&](const ClueRecord& r) { out.push_back(r); });
  return out;
}

void RelayStore::for_each_clue(
    const std::function<void(const MessageId&, const StoredClue&)>& visit) const {
  for (const ClueRecord& r : clues()) visit(r.id, r.clue);
}

std::uint64_t RelayStore::purge_expired(std::uint32_t today) {
  Impl& s = *impl_;
  // The days beside the clues (in memory with the clue cache, otherwise one
  // scan of the small clue records): no envelope page of a message that
  // stays is read.
  const std::vector<MessageId> expired = s.expired_ids(today);
  std::uint64_t purged = 0;
  for (std::size_t begin = 0; begin < expired.size(); begin += kPurgeChunk) {
    std::size_t end = std::min(expired.size(), begin + kPurgeChunk);
    std::vector<const MessageId*> removed;
    Status st = s.write(
        [&](WriteTxn& txn) -> Status {
          removed.clear();
          Result<Totals> totals = s.read_totals(txn);
          if (!totals) return totals.error();
          for (std::size_t i = begin; i < end; ++i) {
            // Re-checked: it may have been deleted since the scan.
            std::optional<ByteView> v = s.messages.get(txn, expired[i]);
            if (!v || v->size() < kMessageHeaderBytes || read_u32_le(v->data()) >= today) continue;
            if (Status r = s.remove_message(txn, expired[i], *totals); !r) return r;
            removed.push_back(&expired[i]);
          }
          return s.write_totals(txn, *totals);
        },
        [&](ClueIndex& cache) {
          for (const MessageId* id : removed) cache.erase(*id);
        });
    if (!st) throw StoreError(Error{st.error().code, "purging expired messages: " + st.error().message});
    purged += removed.size();
  }
  return purged;
}

Status RelayStore::put_directory(ByteView signed_directory) {
  Impl& s = *impl_;
  return s.write([&](WriteTxn& txn) -> Status {
    if (Status st = s.directory.put(txn, as_bytes(kDirectoryKey), signed_directory); !st) return st;
    return s.check_headroom(txn);
  });
}

std::optional<Bytes> RelayStore::get_directory() const {
  ReadTxn txn = impl_->env.begin_read();
  std::optional<ByteView> v = impl_->directory.get(txn, as_bytes(kDirectoryKey));
  if (!v) return std::nullopt;
  return Bytes(v->begin(), v->end());
}

std::uint64_t RelayStore::message_count() const {
  ReadTxn txn = impl_->env.begin_read();
  Result<Totals> t = impl_->read_totals(txn);
  return t ? t->messages : 0;
}

Status RelayStore::backup_to(const fs::path& folder) const {
  std::error_code ec;
  fs::file_status st = fs::symlink_status(folder, ec);
  if (fs::exists(st)) {
    if (!fs::is_directory(st)) {
      return Status(ErrorCode::kIo, "backup target " + folder.string() + " exists and is not a folder");
    }
    if (!fs::is_empty(folder, ec) || ec) {
      return Status(ErrorCode::kIo, "backup folder " + folder.string() + " is not empty");
    }
  } else if (::mkdir(folder.c_str(), 0700) != 0) {
    return Status(ErrorCode::kIo,
                  "creating backup folder " + folder.string() + ": " + std::strerror(errno));
  }
  return impl_->env.copy_compact_to(folder);
}

}  // namespace meldpunt::store
