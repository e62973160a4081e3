// LMDB wrapper: the only file besides the store's tables that sees lmdb.h.
#include "meldpunt/store/lmdb.hpp"

#include <fcntl.h>
#include <lmdb.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "meldpunt/os/files.hpp"
#include "meldpunt/os/unique_fd.hpp"

namespace meldpunt::store::lmdb {

static_assert(std::is_same_v<MDB_dbi, unsigned>, "Table stores an MDB_dbi as unsigned");

namespace {

// LMDB's fixed handles for the free-page list and the main database (lmdb.h
// documents 0 and 1; mdb_stat accepts both).
constexpr MDB_dbi kFreeDbi = 0;
constexpr MDB_dbi kMainDbi = 1;
constexpr std::uint64_t kMetaPages = 2;

std::string describe(int rc, const char* what) {
  return std::string(what) + ": " + mdb_strerror(rc);
}

[[noreturn]] void fail(int rc, const char* what) { throw LmdbError(rc, describe(rc, what)); }

void check_setup(int rc, const char* what) {
  if (rc != MDB_SUCCESS) fail(rc, what);
}

MDB_val to_val(ByteView v) {
  // LMDB never writes through mv_data of an input value.
  return MDB_val{v.size(), const_cast<std::uint8_t*>(v.data())};
}

ByteView from_val(const MDB_val& v) {
  return {static_cast<const std::uint8_t*>(v.mv_data), v.mv_size};
}

// Room left on the file system holding the store, as an unprivileged
// writer may use it, is below this: a write cut short there was cut short
// for lack of room. (A short write leaves less than one block; the margin
// covers allocation in larger units and a little metadata.)
constexpr std::uint64_t kFullFileSystemBytes = 1u << 20;

bool file_system_full(const std::filesystem::path& folder) {
  struct statvfs st {};
  if (::statvfs(folder.c_str(), &st) != 0) return false;
  return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize < kFullFileSystemBytes;
}

}  // namespace

// The one place that turns LMDB return codes into errors. Expected outcomes
// become a Status; anything else is a bug or a broken environment and throws.
// Callers holding a WriteTxn also record MDB_MAP_FULL on it (note_map_full),
// so Environment::write knows to grow the map whatever the body did with
// the Status.
static Status to_status(int rc, const char* what) {
  switch (rc) {
    case MDB_SUCCESS:
      return Status::success();
    case MDB_NOTFOUND:
      return Status(ErrorCode::kNotFound, describe(rc, what));
    case MDB_MAP_FULL:
    case MDB_TXN_FULL:
    case ENOSPC:
    case EDQUOT:
      return Status(ErrorCode::kStorageFull, describe(rc, what));
    case EIO:
      return Status(ErrorCode::kIo, describe(rc, what));
    default:
      fail(rc, what);
  }
}

namespace detail {

// The environment handle plus the gate that keeps mdb_env_set_mapsize away
// from live transactions (see the header).
struct EnvState {
  MDB_env* env = nullptr;
  std::filesystem::path folder;
  std::uint64_t max_map_bytes = 0;
  FaultHook fault;  // tests only (fault.hpp)

  std::mutex gate_mutex;
  std::condition_variable gate_cv;
  std::size_t active = 0;      // transactions alive in this process
  bool resizing = false;       // a resize waits for active == 0 or runs
  std::uint64_t map_bytes = 0; // current map size, guarded by gate_mutex

  std::mutex tables_mutex;
  std::vector<MDB_dbi> tables;  // opened through this environment, for stats

  ~EnvState() {
    if (env != nullptr) mdb_env_close(env);
  }
};

}  // namespace detail

namespace {

using detail::EnvState;

// How many transactions the current thread holds per environment. A thread
// that holds one must not wait for a resize (the resize waits for it), and
// cannot resize itself.
using HeldMap = std::unordered_map<const EnvState*, std::size_t>;
HeldMap& held_map() {
  thread_local HeldMap held;
  return held;
}
std::size_t held_by_this_thread(const EnvState* env) {
  auto it = held_map().find(env);
  return it == held_map().end() ? 0 : it->second;
}

void gate_enter(EnvState& s) {
  std::size_t& held = held_map()[&s];
  std::unique_lock lock(s.gate_mutex);
  if (held == 0) s.gate_cv.wait(lock, [&] { return !s.resizing; });
  ++s.active;
  ++held;
}

void gate_leave(EnvState& s) noexcept {
  auto it = held_map().find(&s);
  // Entries at zero are dropped so the map does not grow with every
  // environment this thread ever used (a later one may reuse the address).
  if (it != held_map().end() && --it->second == 0) held_map().erase(it);
  std::lock_guard lock(s.gate_mutex);
  --s.active;
  if (s.active == 0) s.gate_cv.notify_all();
}

std::uint64_t current_map_size(MDB_env* env) {
  MDB_envinfo info;
  check_setup(mdb_env_info(env, &info), "reading the LMDB map size");
  return info.me_mapsize;
}

// Runs change() with the gate held exclusively (no transaction of this
// process alive). False when this thread holds a transaction itself.
template <typename Change>
bool with_exclusive_gate(EnvState& s, Change change) {
  if (held_by_this_thread(&s) != 0) return false;
  std::unique_lock lock(s.gate_mutex);
  s.gate_cv.wait(lock, [&] { return !s.resizing; });
  s.resizing = true;
  s.gate_cv.wait(lock, [&] { return s.active == 0; });
  struct Reopen {
    EnvState& s;
    ~Reopen() {
      s.resizing = false;
      s.gate_cv.notify_all();
    }
  } reopen{s};
  return change();
}

// Another process grew the map: adopt its size before any transaction starts.
void adopt_resized_map(EnvState& s) {
  bool done = with_exclusive_gate(s, [&] {
    check_setup(mdb_env_set_mapsize(s.env, 0), "adopting the LMDB map size grown by another process");
    s.map_bytes = current_map_size(s.env);
    return true;
  });
  if (!done) {
    throw LmdbError(MDB_MAP_RESIZED,
                    "another process grew the LMDB map while this thread holds a transaction; "
                    "end it and retry");
  }
}

MDB_txn* begin_txn(EnvState& s, unsigned flags) {
  for (;;) {
    gate_enter(s);
    MDB_txn* txn = nullptr;
    int rc = (flags & MDB_RDONLY) != 0 && s.fault ? s.fault(FaultPoint::kBeginRead) : MDB_SUCCESS;
    if (rc == MDB_SUCCESS) rc = mdb_txn_begin(s.env, nullptr, flags, &txn);
    if (rc == MDB_SUCCESS) return txn;
    gate_leave(s);
    if (rc != MDB_MAP_RESIZED) fail(rc, "beginning an LMDB transaction");
    adopt_resized_map(s);
  }
}

}  // namespace

// ---- Txn ----

Txn::Txn(Txn&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)), env_(std::exchange(other.env_, nullptr)) {}

Txn& Txn::operator=(Txn&& other) noexcept {
  if (this != &other) {
    end();
    handle_ = std::exchange(other.handle_, nullptr);
    env_ = std::exchange(other.env_, nullptr);
  }
  return *this;
}

void Txn::end() noexcept {
  if (handle_ != nullptr) {
    mdb_txn_abort(handle_);
    handle_ = nullptr;
    gate_leave(*env_);
  }
}

std::uint64_t Txn::id() const {
  if (handle_ == nullptr) throw LmdbError(0, "id of a transaction that is not active");
  return mdb_txn_id(handle_);
}

ReadTxn& ReadTxn::operator=(ReadTxn&& other) noexcept {
  Txn::operator=(std::move(other));
  return *this;
}

ReadTxn::~ReadTxn() { end(); }

WriteTxn::WriteTxn(WriteTxn&& other) noexcept
    : Txn(std::move(other)), map_full_(std::exchange(other.map_full_, false)) {}

WriteTxn& WriteTxn::operator=(WriteTxn&& other) noexcept {
  if (this != &other) {
    Txn::operator=(std::move(other));
    map_full_ = std::exchange(other.map_full_, false);
  }
  return *this;
}

WriteTxn::~WriteTxn() { end(); }

void WriteTxn::abort() noexcept { end(); }

Status WriteTxn::commit() {
  if (handle_ == nullptr) throw LmdbError(0, "commit of a transaction that is not active");
  MDB_txn* txn = std::exchange(handle_, nullptr);
  int rc = env_->fault ? env_->fault(FaultPoint::kCommit) : MDB_SUCCESS;
  if (rc == MDB_SUCCESS) {
    rc = mdb_txn_commit(txn);  // frees the transaction whatever it returns
  } else {
    mdb_txn_abort(txn);  // an injected failure leaves what a failed commit leaves: nothing written
  }
  gate_leave(*env_);
  if (rc == MDB_MAP_FULL) map_full_ = true;
  if (rc == ENOSPC || rc == EDQUOT || (rc == EIO && file_system_full(env_->folder))) {
    return Status(ErrorCode::kStorageFull, "the disk holding the store is full");
  }
  return to_status(rc, "committing an LMDB transaction");
}

// ---- Table ----

void Table::require_valid() const {
  if (!valid_) throw LmdbError(0, "use of a Table that was never opened");
}

static void require_active(const Txn& txn) {
  if (!txn.active()) throw LmdbError(0, "use of a transaction that is not active");
}

std::optional<ByteView> Table::get(const Txn& txn, ByteView key) const {
  require_valid();
  require_active(txn);
  MDB_val k = to_val(key);
  MDB_val v{};
  int rc = mdb_get(txn.handle_, dbi_, &k, &v);
  if (rc == MDB_NOTFOUND) return std::nullopt;
  if (rc != MDB_SUCCESS) fail(rc, "reading an LMDB record");
  return from_val(v);
}

Status Table::put(WriteTxn& txn, ByteView key, ByteView value) {
  require_valid();
  require_active(txn);
  MDB_val k = to_val(key);
  MDB_val v = to_val(value);
  int rc = mdb_put(txn.handle_, dbi_, &k, &v, 0);
  if (rc == MDB_MAP_FULL) txn.map_full_ = true;
  return to_status(rc, "writing an LMDB record");
}

Result<bool> Table::insert(WriteTxn& txn, ByteView key, ByteView value) {
  require_valid();
  require_active(txn);
  MDB_val k = to_val(key);
  MDB_val v = to_val(value);
  int rc = mdb_put(txn.handle_, dbi_, &k, &v, MDB_NOOVERWRITE);
  if (rc == MDB_KEYEXIST) return false;
  if (rc == MDB_MAP_FULL) txn.map_full_ = true;
  Status s = to_status(rc, "writing an LMDB record");
  if (!s.ok()) return s.error();
  return true;
}

Status Table::del(WriteTxn& txn, ByteView key) {
  require_valid();
  require_active(txn);
  MDB_val k = to_val(key);
  int rc = mdb_del(txn.handle_, dbi_, &k, nullptr);
  if (rc == MDB_MAP_FULL) txn.map_full_ = true;
  return to_status(rc, "deleting an LMDB record");
}

std::uint64_t Table::count(const Txn& txn) const {
  require_valid();
  require_active(txn);
  MDB_stat st;
  check_setup(mdb_stat(txn.handle_, dbi_, &st), "counting LMDB records");
  return st.ms_entries;
}

void Table::for_each(const Txn& txn, const std::function<bool(ByteView, ByteView)>& visit,
                     ByteView start) const {
  require_valid();
  require_active(txn);
  MDB_cursor* cursor = nullptr;
  check_setup(mdb_cursor_open(txn.handle_, dbi_, &cursor), "opening an LMDB cursor");
  struct Close {
    MDB_cursor* c;
    ~Close() { mdb_cursor_close(c); }
  } close{cursor};
  MDB_val k = to_val(start);
  MDB_val v{};
  int rc = start.empty() ? mdb_cursor_get(cursor, &k, &v, MDB_FIRST)
                         : mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
  while (rc == MDB_SUCCESS) {
    if (!visit(from_val(k), from_val(v))) return;
    rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
  }
  if (rc != MDB_NOTFOUND) fail(rc, "iterating an LMDB table");
}

// ---- Environment ----

Environment::Environment(const std::filesystem::path& folder, const EnvironmentOptions& options)
    : state_(std::make_unique<detail::EnvState>()) {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) {
    throw LmdbError(ENOENT, "data folder does not exist or is not a folder: " + folder.string());
  }
  if (options.initial_map_bytes == 0 || options.max_map_bytes < options.initial_map_bytes) {
    throw LmdbError(EINVAL, "LMDB map sizes: need 0 < initial_map_bytes <= max_map_bytes");
  }
  auto& s = *state_;
  s.folder = folder;
  s.max_map_bytes = options.max_map_bytes;
  s.fault = options.fault;
  check_setup(mdb_env_create(&s.env), "creating the LMDB environment");
  check_setup(mdb_env_set_maxdbs(s.env, options.max_tables), "setting the LMDB table limit");
  check_setup(mdb_env_set_maxreaders(s.env, options.max_readers), "setting the LMDB reader limit");
  check_setup(mdb_env_set_mapsize(s.env, static_cast<std::size_t>(options.initial_map_bytes)),
              "setting the LMDB map size");
  // MDB_NOTLS: reader slots belong to transactions, not threads, so one
  // thread may hold several read transactions (nested reads, copies).
  unsigned flags = MDB_NOTLS;
  if (!options.durable) flags |= MDB_NOSYNC | MDB_NOMETASYNC;
  if (!options.readahead) flags |= MDB_NORDAHEAD;
  int rc = mdb_env_open(s.env, folder.c_str(), flags, 0600);
  if (rc != MDB_SUCCESS) {
    throw LmdbError(rc, "opening the LMDB environment in " + folder.string() + ": " +
                            mdb_strerror(rc) +
                            (rc == EAGAIN || rc == EBUSY ? " (is another process using it?)" : ""));
  }
  // Clear reader slots left behind by processes that crashed.
  int dead = 0;
  check_setup(mdb_reader_check(s.env, &dead), "clearing stale LMDB readers");
  s.map_bytes = current_map_size(s.env);
}

Environment::~Environment() = default;
Environment::Environment(Environment&&) noexcept = default;
Environment& Environment::operator=(Environment&&) noexcept = default;

static void require_open(const std::unique_ptr<detail::EnvState>& s) {
  if (!s) throw LmdbError(0, "use of a moved-from Environment");
}

std::optional<Table> Environment::find_table(std::string_view name) {
  require_open(state_);
  std::string n(name);
  WriteTxn txn = begin_write();
  MDB_dbi dbi = 0;
  int rc = mdb_dbi_open(txn.handle_, n.c_str(), 0, &dbi);
  if (rc == MDB_NOTFOUND) return std::nullopt;
  check_setup(rc, "opening an LMDB table");
  Status s = txn.commit();
  if (!s.ok()) throw LmdbError(0, "opening LMDB table " + n + ": " + s.error().message);
  std::lock_guard lock(state_->tables_mutex);
  if (std::find(state_->tables.begin(), state_->tables.end(), dbi) == state_->tables.end()) {
    state_->tables.push_back(dbi);
  }
  return Table(dbi);
}

Table Environment::open_table(std::string_view name) {
  require_open(state_);
  std::string n(name);
  Status s = write([&](WriteTxn& txn) {
    MDB_dbi dbi = 0;
    int rc = mdb_dbi_open(txn.handle_, n.c_str(), MDB_CREATE, &dbi);
    if (rc == MDB_MAP_FULL) txn.map_full_ = true;
    return to_status(rc, "creating an LMDB table");
  });
  if (!s.ok()) throw LmdbError(0, "creating LMDB table " + n + ": " + s.error().message);
  std::optional<Table> t = find_table(name);
  if (!t) throw LmdbError(MDB_NOTFOUND, "LMDB table " + n + " vanished after creation");
  return *t;
}

std::optional<Table> Environment::find_table(WriteTxn& txn, std::string_view name) {
  require_open(state_);
  require_active(txn);
  std::string n(name);
  MDB_dbi dbi = 0;
  int rc = mdb_dbi_open(txn.handle_, n.c_str(), 0, &dbi);
  if (rc == MDB_NOTFOUND) return std::nullopt;
  check_setup(rc, "opening an LMDB table");
  return Table(dbi);
}

Status Environment::drop_table(WriteTxn& txn, std::string_view name) {
  require_open(state_);
  require_active(txn);
  std::string n(name);
  MDB_dbi dbi = 0;
  int rc = mdb_dbi_open(txn.handle_, n.c_str(), 0, &dbi);
  if (rc == MDB_NOTFOUND) return Status::success();
  if (rc != MDB_SUCCESS) return to_status(rc, "opening an LMDB table to drop it");
  rc = mdb_drop(txn.handle_, dbi, 1);  // 1: delete the table itself and close dbi
  if (rc == MDB_MAP_FULL) txn.map_full_ = true;
  if (rc != MDB_SUCCESS) return to_status(rc, "dropping an LMDB table");
  // The handle is closed now, even if txn aborts later: stats() must no
  // longer ask for it.
  std::lock_guard lock(state_->tables_mutex);
  state_->tables.erase(std::remove(state_->tables.begin(), state_->tables.end(), dbi), state_->tables.end());
  return Status::success();
}

std::vector<std::string> Environment::table_names() const {
  require_open(state_);
  ReadTxn txn = begin_read();
  Table main(kMainDbi);
  std::vector<std::string> names;
  main.for_each(txn, [&](ByteView key, ByteView) {
    names.emplace_back(reinterpret_cast<const char*>(key.data()), key.size());
    return true;
  });
  return names;
}

ReadTxn Environment::begin_read() const {
  require_open(state_);
  return ReadTxn(begin_txn(*state_, MDB_RDONLY), state_.get());
}

WriteTxn Environment::begin_write() {
  require_open(state_);
  return WriteTxn(begin_txn(*state_, 0), state_.get());
}

Status Environment::write(const std::function<Status(WriteTxn&)>& body) {
  require_open(state_);
  auto& s = *state_;
  for (;;) {
    std::uint64_t size_seen = 0;
    {
      WriteTxn txn = begin_write();
      {
        std::lock_guard lock(s.gate_mutex);
        size_seen = s.map_bytes;
      }
      Status result = body(txn);
      if (result.ok() && !txn.map_full()) result = txn.commit();
      if (!txn.map_full()) return result;
    }  // the failed transaction is aborted here, before the resize waits
    bool grown = with_exclusive_gate(s, [&] {
      if (s.map_bytes > size_seen) return true;  // another thread grew it meanwhile
      if (s.map_bytes >= s.max_map_bytes) return false;
      std::uint64_t target = std::min(s.map_bytes * 2, s.max_map_bytes);
      check_setup(mdb_env_set_mapsize(s.env, static_cast<std::size_t>(target)),
                  "growing the LMDB map");
      s.map_bytes = current_map_size(s.env);
      return true;
    });
    if (!grown) {
      return Status(ErrorCode::kStorageFull,
                    held_by_this_thread(&s) != 0
                        ? "database map is full and cannot grow while this thread holds a transaction"
                        : "database map is full at its maximum size");
    }
  }
}

Status Environment::copy_compact_to(const std::filesystem::path& folder) const {
  require_open(state_);
  auto& s = *state_;
  // mdb_env_copy2 runs its own read transaction; hold the gate like one so a
  // resize cannot remap under it.
  gate_enter(s);
  int rc = mdb_env_copy2(s.env, folder.c_str(), MDB_CP_COMPACT);
  gate_leave(s);
  if (rc != MDB_SUCCESS) {
    return Status(ErrorCode::kIo, "compacting copy to " + folder.string() + ": " + mdb_strerror(rc));
  }
  // LMDB creates the copy with mode 0666 & umask and does not fsync it.
  std::filesystem::path file = folder / "data.mdb";
  os::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Status(ErrorCode::kIo, "opening the copy " + file.string() + ": " + std::strerror(errno));
  const bool ok = ::fchmod(fd.get(), 0600) == 0 && ::fsync(fd.get()) == 0;
  const int err = errno;
  if (!ok) return Status(ErrorCode::kIo, "securing the copy " + file.string() + ": " + std::strerror(err));
  // Makes the new directory entry durable too.
  if (Status synced = os::sync_directory(folder); !synced) return synced;
  return Status::success();
}

std::uint64_t Environment::last_txn_id() const {
  require_open(state_);
  MDB_envinfo info;
  check_setup(mdb_env_info(state_->env, &info), "reading LMDB environment info");
  return info.me_last_txnid;
}

bool Environment::release_mapped_pages() const {
  require_open(state_);
  auto& s = *state_;
  // Held like a transaction, so a resize cannot remap the range meanwhile.
  gate_enter(s);
  struct Leave {
    EnvState& s;
    ~Leave() { gate_leave(s); }
  } leave{s};
  // LMDB reports the map's address only for MDB_FIXEDMAP. Any record read
  // from a clean page points into the map, so the mapping of this process
  // that contains such a pointer is the map.
  std::uintptr_t inside = 0;
  {
    MDB_txn* txn = nullptr;
    if (mdb_txn_begin(s.env, nullptr, MDB_RDONLY, &txn) != MDB_SUCCESS) return false;
    MDB_cursor* cursor = nullptr;
    MDB_val k{}, v{};
    if (mdb_cursor_open(txn, kMainDbi, &cursor) == MDB_SUCCESS) {
      if (mdb_cursor_get(cursor, &k, &v, MDB_FIRST) == MDB_SUCCESS) {
        inside = reinterpret_cast<std::uintptr_t>(k.mv_data);
      }
      mdb_cursor_close(cursor);
    }
    mdb_txn_abort(txn);
  }
  if (inside == 0) return false;  // an empty file: nothing mapped worth releasing
  std::FILE* maps = std::fopen("/proc/self/maps", "re");
  if (maps == nullptr) return false;
  bool released = false;
  unsigned long long begin = 0, end = 0;
  char line[512];
  bool line_start = true;  // a long line (path) takes several fgets; parse only their first
  while (std::fgets(line, sizeof line, maps) != nullptr) {
    const bool parse = line_start;
    line_start = std::strchr(line, '\n') != nullptr;
    if (!parse || std::sscanf(line, "%llx-%llx ", &begin, &end) != 2) continue;
    if (inside >= begin && inside < end) {
      released = ::madvise(reinterpret_cast<void*>(begin), static_cast<std::size_t>(end - begin),
                           MADV_DONTNEED) == 0;
      break;
    }
  }
  std::fclose(maps);
  return released;
}

EnvironmentStats Environment::stats() const {
  ReadTxn txn = begin_read();
  return stats(txn);
}

EnvironmentStats Environment::stats(const Txn& txn) const {
  require_open(state_);
  require_active(txn);
  auto& s = *state_;
  MDB_envinfo info;
  check_setup(mdb_env_info(s.env, &info), "reading LMDB environment info");
  MDB_stat st;
  check_setup(mdb_env_stat(s.env, &st), "reading LMDB environment stats");
  EnvironmentStats out;
  out.page_size = st.ms_psize;
  out.map_bytes = info.me_mapsize;
  out.last_page = info.me_last_pgno;
  out.max_readers = info.me_maxreaders;
  out.readers_used = info.me_numreaders;
  std::vector<MDB_dbi> dbis{kFreeDbi, kMainDbi};
  {
    std::lock_guard lock(s.tables_mutex);
    dbis.insert(dbis.end(), s.tables.begin(), s.tables.end());
  }
  std::uint64_t pages = kMetaPages;
  for (MDB_dbi dbi : dbis) {
    MDB_stat ds;
    check_setup(mdb_stat(txn.handle_, dbi, &ds), "reading LMDB table stats");
    pages += ds.ms_branch_pages + ds.ms_leaf_pages + ds.ms_overflow_pages;
  }
  out.pages_in_use = pages;
  return out;
}

}  // namespace meldpunt::store::lmdb
