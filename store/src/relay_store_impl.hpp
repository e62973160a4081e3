// Private to the store: the relay's record layouts and RelayStore::Impl,
// shared by the files that implement RelayStore (relay_store.cpp: opening,
// messages, clues and the directory; relay_store_prekeys.cpp: prekeys;
// relay_store_check.cpp: check and stats). Byte layouts are documented in
// docs/PROTOCOL.md; keep the two in step.
#pragma once

#include <algorithm>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "clue_index.hpp"
#include "meldpunt/store/lmdb.hpp"
#include "meldpunt/store/relay_store.hpp"

namespace meldpunt::store {

namespace records {

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
inline std::uint64_t reserve_bytes(std::uint64_t max_map_bytes) {
  std::uint64_t r = std::max<std::uint64_t>(max_map_bytes / 32, 256u << 10);
  return std::min(r, max_map_bytes / 4);
}

// Deletes run in chunks so a large purge does not hold the writer lock for long.
constexpr std::size_t kPurgeChunk = 1024;

// Clue records read between two releases of the map's pages while the clue
// cache loads (see Impl::reload_cache).
constexpr std::size_t kReleaseEvery = 4096;

inline Bytes u32_le(std::uint32_t v) {
  Bytes b;
  append_u32_le(b, v);
  return b;
}

inline Bytes u64_le(std::uint64_t v) {
  Bytes b;
  append_u64_le(b, v);
  return b;
}

inline bool exceeds(std::uint64_t current, std::uint64_t add, std::uint64_t limit) {
  return current > limit || add > limit - current;
}

inline std::uint64_t saturating_sub(std::uint64_t a, std::uint64_t b) { return a > b ? a - b : 0; }

inline void append_u64_be(Bytes& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// The first T::size() bytes of v (the caller has checked the length).
template <class T>
T fixed(ByteView v) {
  T out{};
  std::copy_n(v.begin(), out.size(), out.begin());
  return out;
}

inline StoredMediumPrekey read_medium(ByteView v) {
  StoredMediumPrekey m;
  m.pk = fixed<PublicKeyBytes>(v.first(kKeyBytes));
  m.expires_day = read_u32_le(v.data() + kKeyBytes);
  m.signature = fixed<FixedBytes<kPrekeySignatureBytes>>(v.subspan(kKeyBytes + 4));
  return m;
}

inline Bytes clue_value(const StoredClue& clue, std::uint32_t expiry_day) {
  Bytes value(clue.begin(), clue.end());
  append_u32_le(value, expiry_day);
  return value;
}

// A clue record as stored, or nullopt if damaged (sizes; check() reports it).
inline std::optional<ClueRecord> read_clue_record(ByteView key, ByteView value) {
  if (key.size() != kIdBytes || value.size() != kClueValueBytes) return std::nullopt;
  return ClueRecord{fixed<MessageId>(key), fixed<StoredClue>(value.first(kClueBytes)),
                    read_u32_le(value.data() + kClueBytes)};
}

inline std::uint32_t read_u32_be(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

struct Totals {
  std::uint64_t messages = 0;
  std::uint64_t envelope_bytes = 0;
};

// What to do when the upgrade from schema 1 found the map full: an estimate
// of the room it needs (rounded up to whole MiB) and the two ways out.
inline std::string v1_upgrade_room_advice(std::uint64_t clue_count) {
  const std::uint64_t mib = std::max<std::uint64_t>(1, (clue_count * kV1UpgradeBytesPerClue + (1u << 20) - 1) >> 20);
  return "the upgrade rewrites all " + std::to_string(clue_count) +
         " clue records in one commit and needs about " + std::to_string(mib) +
         " MiB of free room in the map for it: raise `max-map-bytes` (and the free disk space) by about " +
         std::to_string(mib) + " MiB, or restore a backup instead " +
         "(`relay restore` upgrades its copy of the backup with a large map)";
}

}  // namespace records

using namespace records;  // NOLINT: the layouts are this store's own vocabulary

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

  // Opens (or initialises, or upgrades from schema 1) the store in folder.
  Impl(const fs::path& folder, const RelayStoreOptions& opts);

  // Schema 1 -> 2, in one commit (relay_store.cpp says how).
  void upgrade_from_v1(const fs::path& folder);

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

}  // namespace meldpunt::store
