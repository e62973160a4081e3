// A small RAII wrapper over LMDB, generic enough for the relay's tables and the
// adviser's local store. The header names LMDB's handles only by forward
// declaration, so no module outside store/src includes lmdb.h.
//
//   Environment env(folder, {...});          // one per folder and process
//   Table t = env.open_table("messages");    // at setup, before other threads use env
//   Status s = env.write([&](WriteTxn& txn) {  // map grown and body re-run on MAP_FULL
//     return t.put(txn, key, value);
//   });
//   ReadTxn r = env.begin_read();
//   std::optional<ByteView> v = t.get(r, key);  // points into the map: valid while r lives
//
// Errors: LMDB return codes are turned into errors in one place (lmdb.cpp).
// Expected outcomes come back as values: a missing key (kNotFound), a full map,
// a full transaction or a full disk (kStorageFull), an I/O error on write
// (kIo). Everything else (a bad handle, a corrupt file detected by LMDB, a
// setup failure) throws LmdbError.
//
// Map growth: LMDB reports MDB_MAP_FULL when the memory map is exhausted.
// mdb_env_set_mapsize remaps the file, which is only legal while no
// transaction of this process is active, because every view handed out
// points into the old mapping. Each transaction therefore holds a share of a
// gate for its lifetime and a resize takes the gate exclusively. Environment::
// write() aborts the transaction that hit MAP_FULL, doubles the map (up to
// EnvironmentOptions::max_map_bytes) and runs the body again. A thread that
// still holds another transaction of the same environment cannot grow the map
// (it would wait for itself); its write then ends in kStorageFull.
//
// Threads: an Environment may be shared by many threads. Read transactions are
// opened with MDB_NOTLS, so a thread may hold several at once. A transaction
// must end on the thread that began it, and every transaction must end before
// its Environment is destroyed or moved from.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/common/result.hpp"
#include "meldpunt/store/fault.hpp"

// LMDB's opaque C handle types; only store/src sees their definitions.
struct MDB_txn;

namespace meldpunt::store::lmdb {

// A setup failure or an LMDB error that no caller is expected to handle.
class LmdbError : public std::runtime_error {
 public:
  LmdbError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  // The LMDB or errno code (0 when the failure did not come from LMDB).
  int code() const { return code_; }

 private:
  int code_;
};

struct EnvironmentOptions {
  unsigned max_tables = 8;                        // named databases (mdb_env_set_maxdbs)
  unsigned max_readers = 126;                     // concurrent read transactions
  std::uint64_t initial_map_bytes = 64ull << 20;  // an existing larger file wins
  std::uint64_t max_map_bytes = 64ull << 30;      // write() never grows beyond this
  // true: every commit is flushed to disk before it returns (no MDB_NOSYNC,
  // no MDB_NOMETASYNC). false only for tests and benchmarks: a crash may lose
  // the last commits (never corrupt the file).
  bool durable = true;
  // false: MDB_NORDAHEAD, so touching one page does not make the kernel read
  // (and count as resident) its neighbours; right for stores far larger than
  // what one scan needs, such as the relay's envelopes beside its clues.
  bool readahead = true;
  // Tests only: storage failures on demand (fault.hpp). Empty in the programs.
  FaultHook fault;
};

struct EnvironmentStats {
  std::uint32_t page_size = 0;
  std::uint64_t map_bytes = 0;       // current size of the memory map
  std::uint64_t last_page = 0;       // highest page number ever used (file high-water mark)
  std::uint64_t pages_in_use = 0;    // meta pages + pages of the free-page list, the main database
                                     // and every table opened by open_table or find_table(name);
                                     // the free pages themselves excluded
  std::uint32_t max_readers = 0;
  std::uint32_t readers_used = 0;
};

namespace detail {
struct EnvState;  // shared by Environment and its transactions
}

class Table;

// Base of both transaction kinds: what reads need.
class Txn {
 public:
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;
  // False after commit/abort or once moved from.
  bool active() const { return handle_ != nullptr; }
  // LMDB's transaction id (mdb_txn_id): for a read, the id of the last
  // commit its snapshot shows; for a write, the id it gets if it commits with
  // changes (last commit + 1). Ids only grow, across every process sharing
  // the file.
  std::uint64_t id() const;

 protected:
  Txn() = default;
  Txn(MDB_txn* handle, detail::EnvState* env) : handle_(handle), env_(env) {}
  Txn(Txn&& other) noexcept;
  Txn& operator=(Txn&& other) noexcept;
  ~Txn() = default;
  // Ends the LMDB transaction (abort) if still active and releases the gate.
  void end() noexcept;

  MDB_txn* handle_ = nullptr;
  detail::EnvState* env_ = nullptr;

  friend class Table;
  friend class Environment;
};

// A read-only snapshot. Views returned by Table::get and for_each point into
// the memory map and are valid only while this transaction lives.
class ReadTxn : public Txn {
 public:
  ReadTxn() = default;
  ReadTxn(ReadTxn&&) noexcept = default;
  ReadTxn& operator=(ReadTxn&&) noexcept;
  ~ReadTxn();

 private:
  using Txn::Txn;
  friend class Environment;
};

// The only write transaction of the environment while it lives (LMDB
// serialises writers). Aborted in its destructor unless committed.
class WriteTxn : public Txn {
 public:
  WriteTxn() = default;
  WriteTxn(WriteTxn&& other) noexcept;
  WriteTxn& operator=(WriteTxn&& other) noexcept;
  ~WriteTxn();

  // Makes every change durable (see EnvironmentOptions::durable) before it
  // returns. The transaction is over afterwards, whatever the outcome:
  // kStorageFull (map, transaction or disk full), kIo (write error). A full
  // disk also shows as EIO: LMDB reports a write the file system cut short
  // as EIO, not ENOSPC. So an EIO while the file system holding the store
  // has (almost) no room left is kStorageFull too; any other EIO is kIo.
  Status commit();
  // Discards every change. No effect on an inactive transaction.
  void abort() noexcept;
  // True once an operation of this transaction hit MDB_MAP_FULL; the
  // transaction can then only be aborted.
  bool map_full() const { return map_full_; }

 private:
  using Txn::Txn;
  bool map_full_ = false;
  friend class Table;
  friend class Environment;
};

// A named database. A cheap value (an LMDB handle number); valid as long as
// the Environment that opened it.
class Table {
 public:
  Table() = default;

  // The value stored under key, or nullopt. The view points into the memory
  // map: valid only while txn lives, and in a write transaction only until
  // the next put/del in it.
  std::optional<ByteView> get(const Txn& txn, ByteView key) const;
  // Inserts or replaces. kStorageFull when the map is full (the transaction
  // can then only be aborted; Environment::write grows the map and retries).
  Status put(WriteTxn& txn, ByteView key, ByteView value);
  // Inserts unless the key exists: true when inserted, false when present
  // (nothing changed). Errors as for put.
  Result<bool> insert(WriteTxn& txn, ByteView key, ByteView value);
  // kNotFound when the key is absent.
  Status del(WriteTxn& txn, ByteView key);
  // Number of records (O(1), from the tree's header).
  std::uint64_t count(const Txn& txn) const;
  // Calls visit(key, value) in key order, starting at the first key >= start
  // (from the beginning when start is empty), until visit returns false. The
  // views are valid during the call only. visit must not write to this table
  // through the same transaction.
  void for_each(const Txn& txn, const std::function<bool(ByteView key, ByteView value)>& visit,
                ByteView start = {}) const;

 private:
  explicit Table(unsigned dbi) : dbi_(dbi), valid_(true) {}
  void require_valid() const;
  unsigned dbi_ = 0;
  bool valid_ = false;
  friend class Environment;
};

class Environment {
 public:
  // Opens (creating the data file if needed) the LMDB environment in an
  // existing folder, with file mode 0600. Throws LmdbError with a clear
  // message (missing folder, locked, not an LMDB file, ...).
  Environment(const std::filesystem::path& folder, const EnvironmentOptions& options);
  ~Environment();
  Environment(Environment&&) noexcept;
  Environment& operator=(Environment&&) noexcept;

  // Opens the named table, creating it when missing. Call at setup, before
  // other threads use the environment (LMDB requires dbi opens not to race).
  Table open_table(std::string_view name);
  // Opens the named table if it exists.
  std::optional<Table> find_table(std::string_view name);
  // The same inside a write transaction (where find_table would wait for
  // itself). The handle is for txn only: LMDB closes it if txn aborts. It
  // is not registered for stats(), so its pages are left out of
  // pages_in_use (right for a table about to be dropped; open_table or
  // find_table() for one that stays).
  std::optional<Table> find_table(WriteTxn& txn, std::string_view name);
  // Names of the tables in the file (the main database's keys).
  std::vector<std::string> table_names() const;
  // Deletes the named table with all its records in txn (a schema upgrade
  // that retires a table). Success if there is no such table. Any Table
  // handle of it is invalid afterwards, whether txn commits or not: LMDB
  // closes the handle at once; open it again if the transaction aborts.
  // A copy of the old Table is not caught as invalid: LMDB reuses the
  // handle number for the next table opened, so the stale copy would then
  // name that other table. Drop every copy along with the table.
  Status drop_table(WriteTxn& txn, std::string_view name);

  ReadTxn begin_read() const;
  WriteTxn begin_write();

  // Runs body in a write transaction and commits it when body returns ok.
  // When the map fills up (in body or at commit) the transaction is aborted,
  // the map doubled up to max_map_bytes, and body run again from scratch, so
  // body must only act through its transaction (and must not begin another
  // write transaction: LMDB allows one writer, so that would deadlock). Returns body's error (the
  // transaction aborted), kStorageFull when the map cannot grow further, or
  // the commit's error.
  Status write(const std::function<Status(WriteTxn&)>& body);

  // Consistent compacting copy (free pages left out) into an existing folder
  // that holds no data.mdb, while readers and writers carry on. The copy is
  // made 0600 and flushed to disk. kIo on failure.
  Status copy_compact_to(const std::filesystem::path& folder) const;

  EnvironmentStats stats() const;
  // The same, seen from inside txn (pages_in_use includes its uncommitted changes).
  EnvironmentStats stats(const Txn& txn) const;

  // Id of the last committed write transaction, by any process (see
  // Txn::id). A commit without changes does not advance it.
  std::uint64_t last_txn_id() const;

  // Drops this process's page-table entries for the whole memory map
  // (madvise MADV_DONTNEED); the pages stay in the kernel's page cache and
  // the next access maps them again, so every view stays valid. For after a
  // one-off scan: each page fault also maps the neighbouring pages already
  // cached (the kernel's fault-around, which MDB_NORDAHEAD does not turn
  // off), so scanning small records stored among large ones leaves far more
  // of the file counted as resident than was read. The map is read-only
  // (no MDB_WRITEMAP), so nothing unwritten can be lost. False if the kernel
  // refused (harmless).
  bool release_mapped_pages() const;

 private:
  std::unique_ptr<detail::EnvState> state_;
};

}  // namespace meldpunt::store::lmdb
