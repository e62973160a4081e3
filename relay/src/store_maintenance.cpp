#include "store_maintenance.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "command_support.hpp"
#include "log.hpp"
#include "meldpunt/os/files.hpp"
#include "request_handler.hpp"

namespace meldpunt::relay {
namespace {

namespace fs = std::filesystem;

// Opens a store and runs its integrity check; the problems (empty = healthy).
// upgrade: let an older schema be upgraded first (only for a private copy
// no relay can be serving); upgraded_from then says from which version.
std::vector<std::string> check_store(const fs::path& dir, store::StoreStats* stats_out = nullptr,
                                     bool upgrade = false, std::optional<std::uint32_t>* upgraded_from = nullptr) {
  if (!fs::exists(dir / "data.mdb")) return {"no store (data.mdb) in " + dir.string()};
  try {
    store::RelayStoreOptions options = maintenance_options();
    options.upgrade_schema = upgrade;
    store::RelayStore store(dir, options);
    if (upgraded_from != nullptr) *upgraded_from = store.upgraded_from();
    std::vector<std::string> problems = store.check();
    if (stats_out != nullptr) *stats_out = store.stats();
    return problems;
  } catch (const std::exception& e) {
    return {e.what()};
  }
}

// Where `relay restore` stages its copy of a backup (see cmd_restore). One
// found while holding the folder lock is a dead restore's: restore holds the
// same lock from before it creates the folder until after it removed it.
fs::path restore_staging(const DataFolder& folder) { return folder.store_dir() / "restoring"; }

// Where a path leads: absolute, with the symlinks and dot-dots of its
// existing part resolved and no trailing separator. nullopt if unresolvable.
std::optional<fs::path> resolved(const fs::path& path) {
  std::error_code ec;
  fs::path out = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) return std::nullopt;
  if (!out.has_filename()) out = out.parent_path();
  return out;
}

// A backup inside the store folder (the store itself, or a staging folder
// left by a dead restore) would be replaced or deleted by the restore that
// reads it: refused before anything changes.
Status backup_outside_store(const DataFolder& folder, const fs::path& from) {
  const std::optional<fs::path> store = resolved(folder.store_dir());
  const std::optional<fs::path> backup = resolved(from);
  if (!store || !backup) {
    return Error{ErrorCode::kIo, "cannot resolve the path of " + from.string() + " or of the store folder"};
  }
  // Inside (or the same): every element of the store's path starts the backup's.
  if (std::mismatch(store->begin(), store->end(), backup->begin(), backup->end()).first == store->end()) {
    return Error{ErrorCode::kIo, "the backup " + from.string() + " lies inside the store folder " +
                                     folder.store_dir().string() +
                                     ", which a restore replaces; copy it elsewhere first (nothing was changed)"};
  }
  return Status::success();
}

// Removes a folder when the scope ends, on every way out of it.
struct RemoveOnExit {
  fs::path path;
  explicit RemoveOnExit(fs::path p) : path(std::move(p)) {}
  RemoveOnExit(const RemoveOnExit&) = delete;
  RemoveOnExit& operator=(const RemoveOnExit&) = delete;
  ~RemoveOnExit() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// For `relay check`: a staging folder left by a dead restore holds a full
// copy of a backup that no purge reaches (it outlives the retention).
// Not part of check_folder, which serve's validation runs: serve removes it.
std::optional<std::string> dead_restore_fault(const DataFolder& folder) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(restore_staging(folder), ec))) return std::nullopt;
  return "a staging folder left by an interrupted `relay restore` holds a copy of a backup: " +
         restore_staging(folder).string() + " (`relay serve` removes it when it starts, or remove it by hand)";
}

}  // namespace

store::RelayStoreOptions maintenance_options() {
  store::RelayStoreOptions o;
  o.clue_cache = false;
  return o;
}

std::unique_ptr<store::RelayStore> open_store(const fs::path& dir, const store::RelayStoreOptions& options) {
  try {
    return std::make_unique<store::RelayStore>(dir, options);
  } catch (const std::runtime_error& e) {
    (void)fail(e.what());
    return nullptr;
  }
}

std::vector<std::string> check_folder(const DataFolder& folder) {
  std::vector<std::string> faults;
  struct stat st {};
  if (::stat(folder.root.c_str(), &st) != 0) {
    faults.push_back("data folder " + folder.root.string() + " is missing");
    return faults;
  }
  if ((st.st_mode & 0077) != 0) faults.push_back("data folder is readable by others (mode should be 0700)");
  if (auto keys = folder.load_keys(); !keys) {
    faults.push_back("relay key: " + keys.error().message);
  } else if (::stat(folder.key_file().c_str(), &st) == 0 && (st.st_mode & 0077) != 0) {
    faults.push_back("relay key file is readable by others (mode should be 0600)");
  }
  if (auto old = folder.load_old_keys(); !old) faults.push_back("old relay key: " + old.error().message);
  if (auto org = folder.load_org_key(); !org) faults.push_back("organisation key: " + org.error().message);
  return faults;
}

void remove_dead_restore(const DataFolder& folder) {
  const fs::path staging = restore_staging(folder);
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(staging, ec))) return;
  fs::remove_all(staging, ec);
  if (ec) {
    log(LogLevel::kWarning, "cannot remove " + staging.string() + ", left by an interrupted `relay restore`: " +
                                ec.message() + " (remove it by hand)");
    return;
  }
  log(LogLevel::kWarning, "removed " + staging.string() + ", left by an interrupted `relay restore`");
}

int cmd_backup(const fs::path& data, const fs::path& to) {
  const DataFolder folder{data};
  {
    std::unique_ptr<store::RelayStore> store = open_store(folder.store_dir(), maintenance_options());
    if (!store) return kExitFailed;
    if (Status s = store->backup_to(to); !s) return fail(s.error());
  }
  store::StoreStats stats;
  const std::vector<std::string> problems = check_store(to, &stats);
  for (const std::string& p : problems) std::cerr << "relay: backup fault: " << p << "\n";
  if (!problems.empty()) return kExitFailed;
  std::cout << "Backup written to " << to.string() << " and verified: " << stats.messages << " messages, "
            << human_bytes(fs::file_size(to / "data.mdb")) << ".\n"
            << "It holds ciphertext only, but whoever has it has what the relay stores: keep it as safe as the relay.\n";
  return kExitOk;
}

int cmd_check(const fs::path& data, const fs::path& backup) {
  std::vector<std::string> faults;
  store::StoreStats stats;
  if (!backup.empty()) {
    faults = check_store(backup, &stats);
  } else {
    const DataFolder folder{data};
    faults = check_folder(folder);
    if (std::optional<std::string> f = dead_restore_fault(folder)) faults.push_back(*f);
    for (const std::string& p : check_store(folder.store_dir(), &stats)) faults.push_back(p);
  }
  for (const std::string& f : faults) std::cout << "fault: " << f << "\n";
  if (!faults.empty()) {
    std::cerr << "relay: check found " << faults.size() << " fault(s)" << std::endl;
    return kExitFailed;
  }
  std::uint64_t prekeys = 0;
  for (const auto& [pk, n] : stats.prekeys) prekeys += n;
  std::cout << "ok: " << stats.messages << " messages, " << human_bytes(stats.envelope_bytes) << " of envelopes, "
            << prekeys << " prekeys, schema version " << store::kRelaySchemaVersion << "\n";
  return kExitOk;
}

int cmd_restore(const fs::path& data, const fs::path& from) {
  const DataFolder folder{data};
  auto lock = lock_data_folder(folder);
  if (!lock) return fail(lock.error());
  if (Status s = backup_outside_store(folder, from); !s) return fail(s.error());
  if (!fs::exists(from / "data.mdb")) return fail("no store (data.mdb) in " + from.string());
  std::error_code ec;
  fs::create_directories(folder.store_dir(), ec);
  ::chmod(folder.store_dir().c_str(), 0700);
  // The backup is copied into a staging folder beside the store and checked
  // there: what is checked is exactly what gets installed, and a backup of
  // an older schema version is upgraded in the copy (the lock keeps the
  // relay away), never in the backup itself. The copy is a full copy of
  // the backup, so it goes on every way out of here; one left by a killed
  // restore is removed by the next serve (and reported by check).
  const fs::path staging = restore_staging(folder);
  fs::remove_all(staging, ec);
  if (::mkdir(staging.c_str(), 0700) != 0) {
    return fail("cannot create " + staging.string() + ": " + std::strerror(errno));
  }
  const RemoveOnExit remove_staging{staging};
  const fs::path incoming = staging / "data.mdb";
  if (Status s = os::copy_file_synced(from / "data.mdb", incoming); !s) return fail(s.error());
  store::StoreStats stats;
  std::optional<std::uint32_t> upgraded_from;
  if (std::vector<std::string> problems = check_store(staging, &stats, true, &upgraded_from); !problems.empty()) {
    for (const std::string& p : problems) std::cerr << "relay: backup fault: " << p << "\n";
    return fail("refusing to restore a backup that does not pass the check");
  }
  // The rename replaces the store in one step; the lock file belongs to the
  // old file's readers and is rebuilt by the next open.
  const fs::path target = folder.store_dir() / "data.mdb";
  if (::rename(incoming.c_str(), target.c_str()) != 0) {
    return fail("cannot install the restored store: " + std::string(std::strerror(errno)));
  }
  fs::remove_all(staging, ec);
  fs::remove(folder.store_dir() / "lock.mdb", ec);
  if (Status s = os::sync_directory(folder.store_dir()); !s) return fail(s.error());
  std::vector<std::string> after = check_store(folder.store_dir(), &stats);
  if (!after.empty()) {
    for (const std::string& p : after) std::cerr << "relay: fault after restore: " << p << "\n";
    return kExitFailed;
  }
  std::cout << "Restored " << stats.messages << " messages from " << from.string() << " into "
            << folder.store_dir().string() << ". Start the relay again.\n";
  if (upgraded_from) {
    std::cout << "The backup had schema version " << *upgraded_from << "; the restored copy was upgraded to "
              << store::kRelaySchemaVersion << " (the backup itself is unchanged).\n";
  }
  return kExitOk;
}

int cmd_purge(const fs::path& data, std::uint32_t days_ahead) {
  const DataFolder folder{data};
  std::unique_ptr<store::RelayStore> store = open_store(folder.store_dir(), maintenance_options());
  if (!store) return kExitFailed;
  const std::uint64_t n = store->purge_expired(days_since_epoch_now() + days_ahead);
  std::cout << "Purged " << n << " expired messages; " << store->message_count() << " remain.\n";
  return kExitOk;
}

}  // namespace meldpunt::relay
