// The relay's tables over the LMDB wrapper. Byte layouts are documented in
// docs/PROTOCOL.md; keep the two in step.
#include "meldpunt/store/relay_store.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>

#include "clue_index.hpp"
#include "meldpunt/store/lmdb.hpp"

namespace meldpunt::store {

namespace {

namespace fs = std::filesystem;
using lmdb::Environment;
using lmdb::ReadTxn;
using lmdb::Table;
using lmdb::Txn;
using lmdb::WriteTxn;

constexpr std::string_view kMetaSchema = "schema";
constexpr std::string_view kMetaMessages = "messages";
constexpr std::string_view kMetaEnvelopeBytes = "envelope_bytes";
constexpr std::string_view kDirectoryKey = "current";

// messages value: expiry day u32 LE || delete verifier || envelope
constexpr std::size_t kMessageHeaderBytes = 4 + kVerifierBytes;
// The smallest envelope size class (crypto/envelope.hpp): what a letter takes.
constexpr std::size_t kSmallestEnvelopeBytes = 4096;
// clues value: clue || expiry day u32 LE (the message's day, for purges)
constexpr std::size_t kClueValueBytes = kClueBytes + 4;

// Schema 1 kept the days in an index table (u32 BE day || id -> empty) and
// clue records of the clue alone; see Impl::upgrade_from_v1.
constexpr std::uint32_t kSchemaWithExpiryIndex = 1;
constexpr std::string_view kV1ExpiryTable = "expiry";
constexpr std::size_t kV1ExpiryKeyBytes = 4 + kIdBytes;
// Free map room the upgrade from schema 1 takes per clue record. It rewrites
// every clue leaf page in one commit, and LMDB reuses the pages a commit
// frees only after it: the new clue tree needs room of its own. Measured
// ~140 bytes per clue (the longer records split pages); 150 for a margin.
constexpr std::uint64_t kV1UpgradeBytesPerClue = 150;
// prekeys key: adviser sign pk || upload counter u64 BE || position u16 BE,
// so one adviser's prekeys sort oldest upload first; value: pk || signature.
constexpr std::size_t kPrekeyKeyBytes = kKeyBytes + 8 + 2;
constexpr std::size_t kPrekeyValueBytes = kKeyBytes + kPrekeySignatureBytes;
constexpr std::size_t kMediumValueBytes = kKeyBytes + 4 + kPrekeySignatureBytes;


// Deletions after a purge must also copy pages (copy-on-write), so writes
// that add data stop while this much of the largest map is still unused;
// deletes may use it and free space again.
std::uint64_t reserve_bytes(std::uint64_t max_map_bytes) {
  std::uint64_t r = std::max<std::uint64_t>(max_map_bytes / 32, 256u << 10);
  return std::min(r, max_map_bytes / 4);
}

// Deletes run in chunks so a large purge does not hold the writer lock for long.
constexpr std::size_t kPurgeChunk = 1024;

// Clue records read between two releases of the map's pages while the clue
// cache loads (see Impl::reload_cache).
constexpr std::size_t kReleaseEvery = 4096;

Bytes u32_le(std::uint32_t v) {
  Bytes b;
  append_u32_le(b, v);
  return b;
}

Bytes u64_le(std::uint64_t v) {
  Bytes b;
  append_u64_le(b, v);
  return b;
}

bool exceeds(std::uint64_t current, std::uint64_t add, std::uint64_t limit) {
  return current > limit || add > limit - current;
}

std::uint64_t saturating_sub(std::uint64_t a, std::uint64_t b) { return a > b ? a - b : 0; }

void append_u64_be(Bytes& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// The first T::size() bytes of v (the caller has checked the length).
template <class T>
T fixed(ByteView v) {
  T out{};
  std::copy_n(v.begin(), out.size(), out.begin());
  return out;
}

StoredMediumPrekey read_medium(ByteView v) {
  StoredMediumPrekey m;
  m.pk = fixed<PublicKeyBytes>(v.first(kKeyBytes));
  m.expires_day = read_u32_le(v.data() + kKeyBytes);
  m.signature = fixed<FixedBytes<kPrekeySignatureBytes>>(v.subspan(kKeyBytes + 4));
  return m;
}

Bytes clue_value(const StoredClue& clue, std::uint32_t expiry_day) {
  Bytes value(clue.begin(), clue.end());
  append_u32_le(value, expiry_day);
  return value;
}

// A clue record as stored, or nullopt if damaged (sizes; check() reports it).
std::optional<ClueRecord> read_clue_record(ByteView key, ByteView value) {
  if (key.size() != kIdBytes || value.size() != kClueValueBytes) return std::nullopt;
  return ClueRecord{fixed<MessageId>(key), fixed<StoredClue>(value.first(kClueBytes)),
                    read_u32_le(value.data() + kClueBytes)};
}

std::uint32_t read_u32_be(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

struct Totals {
  std::uint64_t messages = 0;
  std::uint64_t envelope_bytes = 0;
};

// What to do when the upgrade from schema 1 found the map full: an estimate
// of the room it needs (rounded up to whole MiB) and the two ways out.
std::string v1_upgrade_room_advice(std::uint64_t clue_count) {
  const std::uint64_t mib = std::max<std::uint64_t>(1, (clue_count * kV1UpgradeBytesPerClue + (1u << 20) - 1) >> 20);
  return "the upgrade rewrites all " + std::to_string(clue_count) +
         " clue records in one commit and needs about " + std::to_string(mib) +
         " MiB of free room in the map for it: raise `max-map-bytes` (and the free disk space) by about " +
         std::to_string(mib) + " MiB, or restore a backup instead " +
         "(`relay restore` upgrades its copy of the backup with a large map)";
}

}  // namespace

struct RelayStore::Impl {
  RelayStoreOptions options;
  Environment env;
  Table meta, messages, clues, prekeys, counters, medium_prekeys, directory;
  std::optional<std::uint32_t> upgraded_from;  // schema version before this open upgraded it

  // The clue cache (options.clue_cache; see relay_store.hpp). Lock order:
  // write_mutex, then cache_mutex.
  mutable std::mutex write_mutex;  // one write of this process and its cache update at a time
  mutable std::mutex cache_mutex;  // guards the three below
  mutable ClueIndex cache;
  mutable std::uint64_t cache_txn = 0;  // the LMDB commit whose clues the cache holds
  mutable bool cache_stale = true;      // reload before the next read

  Impl(const fs::path& folder, const RelayStoreOptions& opts)
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
  void upgrade_from_v1(const fs::path& folder) {
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

  // Fills the cache from the clues table. Called at open and, with
  // write_mutex held, when another process committed since the last fill.
  void reload_cache() const {
    ReadTxn txn = env.begin_read();
    std::lock_guard lock(cache_mutex);
    cache.clear();
    cache.reserve(clues.count(txn));
    std::size_t since_release = 0;
    clues.for_each(txn, [&](ByteView key, ByteView value) {
      // Damaged records are left out, as in a scan; check() reports them.
      if (std::optional<ClueRecord> r = read_clue_record(key, value)) cache.insert(*r);
      // The clue leaf pages lie scattered among the envelopes' pages, and
      // the kernel maps the cached pages around each one touched (~200 MiB
      // per 100k messages right after they were written). Dropping those
      // mappings as the scan goes keeps them from ever counting as this
      // process's memory: about 90 leaf pages (~6 MiB mapped) per round.
      if (++since_release == kReleaseEvery) {
        since_release = 0;
        env.release_mapped_pages();
      }
      return true;
    });
    env.release_mapped_pages();
    cache_txn = txn.id();
    cache_stale = false;
  }

  // Every write of a RelayStore goes through here: body runs in a write
  // transaction (Environment::write), and once it committed, apply() brings
  // the cache to the committed state before the caller returns (so a
  // deposit is in the cache before it is acknowledged). LMDB admits one
  // writer at a time anyway; write_mutex also keeps the cache updates in
  // commit order. The cache follows only if this commit is the next after
  // the one it holds; if another process committed in between, or the
  // outcome is unclear, it is marked for a reload.
  Status write(const std::function<Status(WriteTxn&)>& body,
               const std::function<void(ClueIndex&)>& apply = {}) {
    if (!options.clue_cache) return env.write(body);
    std::lock_guard write_lock(write_mutex);
    std::uint64_t txn_id = 0;
    Status result = env.write([&](WriteTxn& txn) -> Status {
      txn_id = txn.id();
      return body(txn);
    });
    const std::uint64_t last = env.last_txn_id();
    std::lock_guard lock(cache_mutex);
    if (result.ok() && !cache_stale && last == txn_id && txn_id == cache_txn + 1) {
      try {
        if (apply) apply(cache);
        cache_txn = txn_id;
      } catch (const std::exception&) {  // out of memory: the durable state is fine, refill later
        cache.clear();
        cache_stale = true;
      }
    } else if (last != cache_txn) {
      // (last == cache_txn: nothing was committed, or a commit without
      // changes, which LMDB does not count; the cache is still current.)
      cache_stale = true;
    }
    return result;
  }

  // Calls read(cache) with cache_mutex held, once the cache holds the last
  // commit (reloaded first if stale or behind). read should be quick: every
  // write of this process waits for it.
  void read_cache(const std::function<void(const ClueIndex&)>& read) const {
    {
      std::lock_guard lock(cache_mutex);
      if (!cache_stale && cache_txn == env.last_txn_id()) {
        read(cache);
        return;
      }
    }
    // Behind: either a write of this process is between its commit and its
    // cache update (waiting for write_mutex lets it finish), or another
    // process committed (reload).
    std::lock_guard write_lock(write_mutex);
    {
      std::lock_guard lock(cache_mutex);
      if (!cache_stale && cache_txn == env.last_txn_id()) {
        read(cache);
        return;
      }
    }
    reload_cache();
    std::lock_guard lock(cache_mutex);
    read(cache);
  }

  // The cached clues (a copy), as read_cache finds them.
  std::vector<ClueRecord> cached_clues() const {
    std::vector<ClueRecord> out;
    read_cache([&](const ClueIndex& c) { out = c.records(); });
    return out;
  }

  // Ids of the messages whose clue record says a day before today: from the
  // cache in place, or from one read transaction over the clues table. Only
  // the ids are copied (16 bytes each, for the expired messages alone); a
  // copy of every record would cost 84 bytes per stored message per purge.
  std::vector<MessageId> expired_ids(std::uint32_t today) const {
    std::vector<MessageId> out;
    auto collect = [&](const ClueRecord& r) {
      if (r.expiry_day < today) out.push_back(r.id);
    };
    if (options.clue_cache) {
      read_cache([&](const ClueIndex& c) {
        for (const ClueRecord& r : c.records()) collect(r);
      });
      return out;
    }
    scan_clue_table(collect);
    return out;
  }

  // Every clue record of the table, in one read transaction: what clues()
  // and a purge read without the cache. Damaged records are skipped;
  // check() reports them.
  void scan_clue_table(const std::function<void(const ClueRecord&)>& visit) const {
    ReadTxn txn = env.begin_read();
    clues.for_each(txn, [&](ByteView key, ByteView value) {
      if (std::optional<ClueRecord> r = read_clue_record(key, value)) visit(*r);
      return true;
    });
  }

  // True for a new file, or one whose initialisation was cut short: no
  // records in any table.
  bool is_uninitialised() {
    for (const std::string& name : env.table_names()) {
      std::optional<Table> t = env.find_table(name);
      ReadTxn txn = env.begin_read();
      if (t && t->count(txn) != 0) return false;
    }
    return true;
  }

  static lmdb::EnvironmentOptions environment_options(const RelayStoreOptions& o) {
    lmdb::EnvironmentOptions e;
    e.max_tables = 8;
    e.initial_map_bytes = o.initial_map_bytes;
    e.max_map_bytes = o.max_map_bytes;
    e.durable = o.durable;
    // Loading the clue cache (and a purge without it) scans the small clue
    // records; with readahead the kernel would also map the envelopes stored next to them.
    e.readahead = false;
    e.fault = o.fault;
    return e;
  }

  void open_tables() {
    meta = env.open_table("meta");
    messages = env.open_table("messages");
    clues = env.open_table("clues");
    prekeys = env.open_table("prekeys");
    counters = env.open_table("counters");
    medium_prekeys = env.open_table("medium_prekeys");
    directory = env.open_table("directory");
  }

  Result<Totals> read_totals(const Txn& txn) const {
    std::optional<ByteView> m = meta.get(txn, as_bytes(kMetaMessages));
    std::optional<ByteView> b = meta.get(txn, as_bytes(kMetaEnvelopeBytes));
    if (!m || m->size() != 8 || !b || b->size() != 8) {
      return Error{ErrorCode::kInternal, "relay store totals are damaged; run check"};
    }
    return Totals{read_u64_le(m->data()), read_u64_le(b->data())};
  }

  Status write_totals(WriteTxn& txn, const Totals& t) {
    if (Status s = meta.put(txn, as_bytes(kMetaMessages), u64_le(t.messages)); !s) return s;
    return meta.put(txn, as_bytes(kMetaEnvelopeBytes), u64_le(t.envelope_bytes));
  }

  // For writes that add data: kStorageFull once the reserve would be touched.
  Status check_headroom(const Txn& txn) const {
    lmdb::EnvironmentStats st = env.stats(txn);
    std::uint64_t live = st.pages_in_use * st.page_size;
    if (live > options.max_map_bytes - reserve_bytes(options.max_map_bytes)) {
      return Status(ErrorCode::kStorageFull, "relay store is at its maximum size");
    }
    return Status::success();
  }

  // Deletes a message and its clue and updates the totals; kNotFound if absent.
  Status remove_message(WriteTxn& txn, ByteView id, Totals& totals) {
    std::optional<ByteView> v = messages.get(txn, id);
    if (!v) return Status(ErrorCode::kNotFound, "no such message");
    std::uint64_t envelope = v->size() >= kMessageHeaderBytes ? v->size() - kMessageHeaderBytes : 0;
    if (Status s = messages.del(txn, id); !s) return s;
    if (Status s = clues.del(txn, id); !s && s.error().code != ErrorCode::kNotFound) return s;
    totals.messages = saturating_sub(totals.messages, 1);
    totals.envelope_bytes = saturating_sub(totals.envelope_bytes, envelope);
    return Status::success();
  }
};

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

StoreStats RelayStore::stats() const {
  const Impl& s = *impl_;
  ReadTxn txn = s.env.begin_read();
  StoreStats out;
  if (Result<Totals> t = s.read_totals(txn)) {
    out.messages = t->messages;
    out.envelope_bytes = t->envelope_bytes;
  }
  lmdb::EnvironmentStats es = s.env.stats(txn);
  out.map_bytes_used = es.pages_in_use * es.page_size;
  out.map_bytes_total = es.map_bytes;
  s.prekeys.for_each(txn, [&](ByteView k, ByteView v) {
    if (k.size() == kPrekeyKeyBytes && v.size() == kPrekeyValueBytes) {
      ++out.prekeys[fixed<PublicKeyBytes>(k)];
    }
    return true;
  });
  s.medium_prekeys.for_each(txn, [&](ByteView k, ByteView v) {
    if (k.size() == kKeyBytes && v.size() == kMediumValueBytes) {
      out.medium_expires[fixed<PublicKeyBytes>(k)] = read_medium(v).expires_day;
    }
    return true;
  });
  return out;
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

std::vector<std::string> RelayStore::check() const {
  const Impl& s = *impl_;
  std::vector<std::string> problems;
  auto report = [&](std::uint64_t n, const char* what) {
    if (n != 0) problems.push_back(std::string(what) + ": " + std::to_string(n));
  };

  for (const std::string& name : s.env.table_names()) {
    if (name != "meta" && name != "messages" && name != "clues" && name != "prekeys" &&
        name != "counters" && name != "medium_prekeys" && name != "directory") {
      problems.push_back("unknown table in the store: " + name);
    }
  }

  ReadTxn txn = s.env.begin_read();

  // meta
  std::optional<ByteView> schema = s.meta.get(txn, as_bytes(kMetaSchema));
  if (!schema) {
    problems.push_back("schema version record is missing");
  } else if (schema->size() != 4) {
    problems.push_back("schema version record with bad size");
  } else if (std::uint32_t v = read_u32_le(schema->data()); v != kRelaySchemaVersion) {
    problems.push_back("schema version is " + std::to_string(v) + ", expected " +
                       std::to_string(kRelaySchemaVersion));
  }
  std::optional<Totals> totals;
  {
    std::optional<ByteView> m = s.meta.get(txn, as_bytes(kMetaMessages));
    std::optional<ByteView> b = s.meta.get(txn, as_bytes(kMetaEnvelopeBytes));
    if (!m || m->size() != 8) problems.push_back("message count record is missing or has a bad size");
    if (!b || b->size() != 8) problems.push_back("envelope byte total record is missing or has a bad size");
    if (m && m->size() == 8 && b && b->size() == 8) {
      totals = Totals{read_u64_le(m->data()), read_u64_le(b->data())};
    }
  }
  std::uint64_t unknown_meta = 0;
  s.meta.for_each(txn, [&](ByteView k, ByteView) {
    std::string_view name(reinterpret_cast<const char*>(k.data()), k.size());
    if (name != kMetaSchema && name != kMetaMessages && name != kMetaEnvelopeBytes) ++unknown_meta;
    return true;
  });
  report(unknown_meta, "unknown meta record");

  // messages and clues, each side checked against the other
  std::uint64_t found = 0, bytes = 0, bad_message_key = 0, bad_message_size = 0, no_clue = 0;
  s.messages.for_each(txn, [&](ByteView k, ByteView v) {
    ++found;
    if (k.size() != kIdBytes) ++bad_message_key;
    if (v.size() < kMessageHeaderBytes) {
      ++bad_message_size;
    } else {
      bytes += v.size() - kMessageHeaderBytes;
    }
    if (!s.clues.get(txn, k)) ++no_clue;
    return true;
  });
  report(bad_message_key, "message record with bad key size");
  report(bad_message_size, "message record with bad size");
  report(no_clue, "message without a clue");

  std::uint64_t bad_clue_key = 0, bad_clue_size = 0, no_message = 0, other_day = 0;
  s.clues.for_each(txn, [&](ByteView k, ByteView v) {
    if (k.size() != kIdBytes) ++bad_clue_key;
    if (v.size() != kClueValueBytes) ++bad_clue_size;
    std::optional<ByteView> m = s.messages.get(txn, k);
    if (!m) {
      ++no_message;
    } else if (v.size() == kClueValueBytes && m->size() >= kMessageHeaderBytes &&
               read_u32_le(v.data() + kClueBytes) != read_u32_le(m->data())) {
      ++other_day;  // a purge would go by the wrong day
    }
    return true;
  });
  report(bad_clue_key, "clue record with bad key size");
  report(bad_clue_size, "clue record with bad size");
  report(no_message, "clue without a message");
  report(other_day, "clue whose expiry day is not its message's");

  if (totals) {
    if (totals->messages != found) {
      problems.push_back("stored message count is " + std::to_string(totals->messages) + " but " +
                         std::to_string(found) + " message records were found");
    }
    if (totals->envelope_bytes != bytes) {
      problems.push_back("stored envelope byte total is " + std::to_string(totals->envelope_bytes) +
                         " but the message records hold " + std::to_string(bytes));
    }
  }

  // prekeys and counters
  std::uint64_t bad_prekey_key = 0, bad_prekey_size = 0, no_counter = 0;
  s.prekeys.for_each(txn, [&](ByteView k, ByteView v) {
    if (k.size() != kPrekeyKeyBytes) {
      ++bad_prekey_key;
    } else if (!s.counters.get(txn, k.first(kKeyBytes))) {
      ++no_counter;
    }
    if (v.size() != kPrekeyValueBytes) ++bad_prekey_size;
    return true;
  });
  report(bad_prekey_key, "prekey record with bad key size");
  report(bad_prekey_size, "prekey record with bad size");
  report(no_counter, "prekey of an adviser without an upload counter");

  std::uint64_t bad_counter = 0;
  s.counters.for_each(txn, [&](ByteView k, ByteView v) {
    if (k.size() != kKeyBytes || v.size() != 8) ++bad_counter;
    return true;
  });
  report(bad_counter, "prekey counter record with bad size");

  std::uint64_t bad_medium = 0;
  s.medium_prekeys.for_each(txn, [&](ByteView k, ByteView v) {
    if (k.size() != kKeyBytes || v.size() != kMediumValueBytes) ++bad_medium;
    return true;
  });
  report(bad_medium, "medium-term prekey record with bad size");

  // directory
  std::uint64_t unknown_directory = 0;
  s.directory.for_each(txn, [&](ByteView k, ByteView) {
    if (std::string_view(reinterpret_cast<const char*>(k.data()), k.size()) != kDirectoryKey) {
      ++unknown_directory;
    }
    return true;
  });
  report(unknown_directory, "unknown directory record");
  return problems;
}

}  // namespace meldpunt::store
