#include "operations.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>
#include <zmq.hpp>

#include "data_folder.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/os/files.hpp"
#include "server.hpp"

namespace meldpunt::relay {
namespace {

namespace fs = std::filesystem;

// `relay status` warns this long before the published directory expires.
constexpr std::uint64_t kDirectoryRenewWarningDays = 21;

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop.store(true); }

int fail(const std::string& message) {
  std::cerr << "relay: error: " << message << std::endl;
  return kExitFailed;
}

int fail(const Error& e) { return fail(e.message); }

store::RelayStoreOptions store_options(const ServeSettings& s) {
  store::RelayStoreOptions o;
  o.upgrade_schema = true;  // the relay that will serve a store upgrades it
  // An upgrade is one long write transaction: say so before it starts, so a
  // slow start is not taken for a hang and cut short.
  o.before_upgrade = [](std::uint32_t from_version, std::uint64_t clues) {
    log(LogLevel::kInfo, "upgrading the relay store from schema version " + std::to_string(from_version) + " to " +
                             std::to_string(store::kRelaySchemaVersion) + " (one pass over the " +
                             std::to_string(clues) + " clue records; do not interrupt)");
  };
  o.max_messages = s.max_messages;
  o.max_envelope_bytes = s.max_bytes;
  o.letter_reserve_bytes = s.max_bytes / 100 * s.letter_reserve_percent;
  o.max_map_bytes = s.max_map_bytes;
  return o;
}

// Options for the commands that open the store beside a running relay:
// quotas only matter for deposits, which these never make, and they never
// fetch, so they skip loading the clue cache.
store::RelayStoreOptions maintenance_options() {
  store::RelayStoreOptions o;
  o.clue_cache = false;
  return o;
}

// The relay store, or nullptr after saying why: a store that cannot be
// opened (missing, another database, another schema version) is a failed
// operation (exit 2), not an internal error.
std::unique_ptr<store::RelayStore> open_store(const fs::path& dir, const store::RelayStoreOptions& options) {
  try {
    return std::make_unique<store::RelayStore>(dir, options);
  } catch (const std::runtime_error& e) {
    (void)fail(e.what());
    return nullptr;
  }
}

bool valid_tcp_endpoint(const std::string& endpoint) {
  constexpr std::string_view kTcp = "tcp://";
  if (endpoint.rfind(kTcp, 0) != 0) return false;
  const std::size_t colon = endpoint.rfind(':');
  if (colon == std::string::npos || colon < kTcp.size() + 1 || colon + 1 >= endpoint.size()) return false;
  const std::string port = endpoint.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return false;
  const unsigned long n = std::stoul(port);
  return n >= 1 && n <= 65535;
}

// A TOML basic string for `relay serve --check-config`: TOML's basic
// strings take JSON's escapes, so the JSON library quotes it.
std::string toml_string(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::uint64_t disk_free_bytes(const fs::path& dir) {
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) return 0;
  return static_cast<std::uint64_t>(st.f_bavail) * static_cast<std::uint64_t>(st.f_frsize);
}

std::string human_bytes(std::uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  std::size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(units)) {
    v /= 1024;
    ++u;
  }
  std::ostringstream out;
  out.precision(u == 0 ? 0 : 1);
  out << std::fixed << v << " " << units[u];
  return out.str();
}

// Digests of a price in millions, e.g. "1.7 M".
std::string human_digests(std::uint64_t n) {
  std::ostringstream out;
  out.precision(n >= 100'000 ? 1 : 3);
  out << std::fixed << static_cast<double>(n) / 1e6 << " M";
  return out.str();
}

// What the purging thread reports to status.
struct PurgeCounters {
  std::atomic<std::uint64_t> runs{0};
  std::atomic<std::uint64_t> removed{0};
  std::atomic<std::uint64_t> last_removed{0};
  std::atomic<bool> failing{false};
};

struct StatusSources {
  const ServeSettings* settings = nullptr;
  const store::RelayStore* store = nullptr;
  RequestHandler* handler = nullptr;
  const PurgeCounters* purge = nullptr;
  crypto::Ed25519PublicKey org_pk{};
  bool old_key_served = false;
  std::chrono::steady_clock::time_point started;
};

struct AdviserLevel {
  std::string id, name;
  std::uint64_t left = 0;
  std::optional<std::uint32_t> medium_expires;  // day; nullopt: no medium-term prekey held
};

// status warns when an adviser's medium-term prekey expires within this many
// days (the adviser rotates it a week ahead, so the inbox has gone unopened
// for more than ten days); reporters then cannot write to that adviser.
constexpr std::uint32_t kMediumPrekeyWarnDays = 3;

// Days until a medium-term prekey expires, negative once it has.
std::int64_t medium_days_left(const AdviserLevel& a, std::uint32_t today) {
  return static_cast<std::int64_t>(*a.medium_expires) - static_cast<std::int64_t>(today);
}

// The status report, as JSON (for monitoring) or text (for people). Holds
// counts and settings only: no message id, no key, no client information.
std::string status_report(const StatusSources& src, const ServerLoad& load, bool json) {
  const ServeSettings& cfg = *src.settings;
  const store::StoreStats stats = src.store->stats();
  const std::uint64_t disk_free = disk_free_bytes(cfg.data / "store");
  const auto uptime = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - src.started).count());
  const OpCounters& counters = src.handler->counters();
  // As get-policy announces it (the handler's copy), not as configured.
  const std::uint64_t attachment_limit = src.handler->policy().max_attachment_bytes;

  std::vector<std::string> warnings;
  std::vector<AdviserLevel> advisers;
  std::uint64_t directory_serial = 0, directory_valid_until = 0;
  std::uint64_t unlisted = 0;
  std::map<store::PublicKeyBytes, std::uint64_t> remaining = stats.prekeys;
  if (auto stored = src.store->get_directory()) {
    if (auto directory = crypto::verify_directory(*stored, src.org_pk)) {
      directory_serial = directory->serial;
      directory_valid_until = directory->valid_until;
      const auto wall = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                                       std::chrono::system_clock::now().time_since_epoch())
                                                       .count());
      if (directory_valid_until == 0) {
        warnings.push_back("the published directory has no valid-until date; clients refuse such directories from "
                           "2027-07-01: sign a new one (`relay directory sign`) and publish it");
      } else if (wall > directory_valid_until) {
        warnings.push_back("the published directory EXPIRED: clients refuse it and nobody can send reports; sign "
                           "a new one (`relay directory sign`) and publish it now");
      } else if (directory_valid_until - wall < kDirectoryRenewWarningDays * 86400) {
        warnings.push_back("the published directory expires in " +
                           std::to_string((directory_valid_until - wall) / 86400) +
                           " day(s); clients then refuse it: sign a new one (`relay directory sign`) and publish it");
      }
      for (const crypto::DirectoryEntry& e : directory->entries) {
        AdviserLevel level{to_hex(e.id), e.name, 0, std::nullopt};
        if (auto it = remaining.find(e.sign_pk); it != remaining.end()) {
          level.left = it->second;
          remaining.erase(it);
        }
        if (auto it = stats.medium_expires.find(e.sign_pk); it != stats.medium_expires.end()) {
          level.medium_expires = it->second;
        }
        advisers.push_back(level);
      }
    }
  }
  for (const auto& [pk, n] : remaining) unlisted += n;

  const std::uint32_t today = days_since_epoch_now() + cfg.test_days_ahead;
  for (const AdviserLevel& a : advisers) {
    if (a.left < cfg.prekey_warning) {
      warnings.push_back("adviser " + a.id + " has " + std::to_string(a.left) +
                         " prekeys left (warning level " + std::to_string(cfg.prekey_warning) +
                         "): the adviser should run `adviser-client inbox`");
    }
    if (!a.medium_expires) {
      warnings.push_back("adviser " + a.id +
                         " has no medium-term prekey at the relay: reporters cannot write to this adviser until "
                         "the adviser runs `adviser-client inbox`");
    } else if (medium_days_left(a, today) < 0) {
      warnings.push_back("adviser " + a.id +
                         "'s medium-term prekey has expired: reporters cannot write to this adviser until the "
                         "adviser runs `adviser-client inbox`");
    } else if (medium_days_left(a, today) <= kMediumPrekeyWarnDays) {
      warnings.push_back("adviser " + a.id + "'s medium-term prekey expires in " +
                         std::to_string(medium_days_left(a, today)) +
                         " day(s): the adviser should run `adviser-client inbox`");
    }
  }
  if (stats.messages * 10 >= cfg.max_messages * 9) warnings.push_back("stored messages at 90% of the quota or more");
  if (stats.envelope_bytes * 10 >= cfg.max_bytes * 9) warnings.push_back("stored bytes at 90% of the quota or more");
  if (stats.map_bytes_used * 10 >= cfg.max_map_bytes * 9) warnings.push_back("store file at 90% of max-map-bytes or more");
  if (disk_free < (1ull << 30)) warnings.push_back("less than 1 GiB free on the store's file system");
  if (src.handler->current_difficulty() > cfg.pow_difficulty) {
    warnings.push_back("proof-of-work difficulty raised under load");
  }
  std::string raises;
  for (std::size_t c = 0; c < protocol::kSizeClasses; ++c) {
    raises += (c ? ", " : "") + std::to_string(src.handler->pricing().raise_of_class(c));
  }
  if (src.purge->failing.load()) warnings.push_back("the last purge of expired messages failed (see the log)");
  const RequestHandler::Prices prices = src.handler->current_prices();

  if (json) {
    // ordered_json: the keys in the order people read them, as before.
    using Json = nlohmann::ordered_json;
    Json advisers_json = Json::array();
    for (const AdviserLevel& a : advisers) {
      advisers_json.push_back({{"id", a.id},
                               {"name", a.name},
                               {"left", a.left},
                               {"low", a.left < cfg.prekey_warning},
                               {"medium_days_left", a.medium_expires ? Json(medium_days_left(a, today)) : Json()},
                               {"medium_warning",
                                !a.medium_expires || medium_days_left(a, today) <= kMediumPrekeyWarnDays}});
    }
    Json requests = Json::object();
    for (std::uint8_t op = 1; op <= protocol::kLastOp; ++op) {
      requests[std::string(protocol::op_name(static_cast<protocol::Op>(op)))] = {{"ok", counters.ok[op]},
                                                                    {"failed", counters.failed[op]}};
    }
    requests["unparsable"] = counters.unparsable;
    requests["rate_limited"] = counters.rate_limited;
    requests["pow_refused"] = counters.pow_refused;
    Json raise_per_class = Json::array();
    for (std::size_t c = 0; c < protocol::kSizeClasses; ++c) {
      raise_per_class.push_back(src.handler->pricing().raise_of_class(c));
    }
    Json front_door;  // null without a front door
    if (const auto& d = load.front_door) {
      front_door = {{"open", d->open},
                    {"max_connections", d->max_connections},
                    {"held_bytes", d->held_bytes},
                    {"max_held_bytes", d->max_held_bytes},
                    {"accepted", d->accepted},
                    {"refused_full", d->refused_full},
                    {"displaced", d->evicted},
                    {"handshake_timeouts", d->handshake_timeouts},
                    {"idle_timeouts", d->idle_timeouts},
                    {"write_timeouts", d->write_timeouts},
                    {"protocol_errors", d->protocol_errors},
                    {"over_max_held_bytes", d->over_budget},
                    {"descriptor_shortages", d->descriptor_shortages}};
    }
    const Json report = {
        {"uptime_seconds", uptime},
        {"messages", {{"stored", stats.messages}, {"max", cfg.max_messages}}},
        {"envelope_bytes", {{"stored", stats.envelope_bytes}, {"max", cfg.max_bytes}}},
        {"store",
         {{"map_bytes_used", stats.map_bytes_used}, {"map_bytes_max", cfg.max_map_bytes}, {"disk_free_bytes", disk_free}}},
        {"retention",
         {{"days", cfg.retention_days},
          {"fuzz_days", cfg.retention_fuzz_days},
          {"purge_runs", src.purge->runs.load()},
          {"purged_since_start", src.purge->removed.load()},
          {"last_purge_removed", src.purge->last_removed.load()}}},
        {"proof_of_work",
         {{"difficulty", src.handler->current_difficulty()},
          {"base", cfg.pow_difficulty},
          {"max", cfg.pow_difficulty + cfg.pow_max_raise},
          {"raise_per_size_class", raise_per_class}}},
        {"attachments", {{"max_bytes", attachment_limit}}},
        {"directory_serial", directory_serial},
        {"directory_valid_until", directory_valid_until},
        {"prekeys", {{"warning_level", cfg.prekey_warning}, {"unlisted", unlisted}, {"advisers", advisers_json}}},
        {"requests", requests},
        {"fetches",
         {{"running", load.fetches_running},
          {"waiting", load.fetches_waiting},
          {"max_pending", load.max_pending_fetches},
          {"refused_busy", load.fetches_refused_busy},
          {"expired", load.fetches_expired}}},
        {"prices",
         {{"fetch", prices.fetch},
          {"get_prekeys", prices.get_prekeys},
          {"envelope", {prices.envelope[0], prices.envelope[1], prices.envelope[2]}}}},
        {"front_door", front_door},
        {"old_key_served", src.old_key_served},
        {"warnings", warnings}};
    // Adviser names come from the signed directory, which admits UTF-8 only;
    // replacing any invalid byte keeps the output valid JSON regardless.
    return report.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
  }
  std::ostringstream out;
  out << "uptime            " << uptime / 86400 << "d " << (uptime % 86400) / 3600 << "h " << (uptime % 3600) / 60
      << "m\n"
      << "messages          " << stats.messages << " of " << cfg.max_messages << "\n"
      << "envelope bytes    " << human_bytes(stats.envelope_bytes) << " of " << human_bytes(cfg.max_bytes) << "\n"
      << "store file        " << human_bytes(stats.map_bytes_used) << " used, at most "
      << human_bytes(cfg.max_map_bytes) << "; " << human_bytes(disk_free) << " free on disk\n"
      << "retention         " << cfg.retention_days << " days + up to " << cfg.retention_fuzz_days << "; "
      << src.purge->removed.load() << " expired messages purged since start\n"
      << "proof of work     " << src.handler->current_difficulty() << " bits per letter (base " << cfg.pow_difficulty
      << ", max " << cfg.pow_difficulty + cfg.pow_max_raise << "); raise per size class " << raises << "\n"
      << "attachments       "
      << (attachment_limit == 0 ? std::string("refused (max-attachment-bytes = 0)")
                                : "up to " + human_bytes(attachment_limit) + " per file")
      << "\n"
      << "old key served    " << (src.old_key_served ? "yes (rotation overlap)" : "no") << "\n"
      << "directory serial  " << directory_serial
      << (directory_valid_until == 0 ? std::string(", no valid-until date")
                                     : ", valid until unix time " + std::to_string(directory_valid_until))
      << "\n"
      << "prekeys left (warning below " << cfg.prekey_warning << "; medium-term prekey days left):\n";
  for (const AdviserLevel& a : advisers) {
    std::string medium = "medium: none";
    if (a.medium_expires) {
      const std::int64_t left = medium_days_left(a, today);
      medium = left < 0 ? "medium: EXPIRED" : "medium: " + std::to_string(left) + "d";
    }
    const bool medium_low = !a.medium_expires || medium_days_left(a, today) <= kMediumPrekeyWarnDays;
    out << "  " << a.id << "  " << a.left << (a.left < cfg.prekey_warning ? "  LOW  " : "       ") << medium
        << (medium_low ? "  LOW  " : "  ") << a.name << "\n";
  }
  if (unlisted != 0) out << "  (" << unlisted << " prekeys of advisers no longer listed)\n";
  out << "requests since start (ok / failed):\n";
  for (std::uint8_t op = 1; op <= protocol::kLastOp; ++op) {
    const std::string name(protocol::op_name(static_cast<protocol::Op>(op)));
    out << "  " << name << std::string(name.size() < 18 ? 18 - name.size() : 1, ' ') << counters.ok[op] << " / "
        << counters.failed[op] << "\n";
  }
  out << "  unparsable        " << counters.unparsable << "\n"
      << "  rate-limited      " << counters.rate_limited << "\n"
      << "  no valid proof    " << counters.pow_refused << "\n"
      << "fetches now       " << load.fetches_running << " running, " << load.fetches_waiting << " waiting (at most "
      << load.max_pending_fetches << " at once); " << load.fetches_refused_busy << " answered busy since start ("
      << load.fetches_expired << " dropped after waiting too long)\n"
      << "prices now        fetch " << human_digests(prices.fetch) << " digests, get-prekeys "
      << human_digests(prices.get_prekeys) << ", envelope of 4/32/256 KiB " << human_digests(prices.envelope[0])
      << " / " << human_digests(prices.envelope[1]) << " / " << human_digests(prices.envelope[2]) << "\n";
  if (const auto& d = load.front_door) {
    out << "connections       " << d->open << " open (at most " << d->max_connections << "); "
        << human_bytes(d->held_bytes) << " of requests held for the relay (at most " << human_bytes(d->max_held_bytes)
        << ")\n"
        << "  since start     " << d->accepted << " accepted; dropped: " << d->refused_full << " at max-connections, "
        << d->evicted << " displaced by a newcomer, " << d->handshake_timeouts << " handshake timeouts, "
        << d->idle_timeouts << " idle, " << d->write_timeouts << " not reading (write-timeout), "
        << d->protocol_errors << " framing or size, " << d->over_budget << " over max-held-bytes, "
        << d->descriptor_shortages << " short of descriptors\n";
  }
  for (const std::string& w : warnings) out << "WARNING: " << w << "\n";
  return out.str();
}

// Checks of the data folder beside the store's own check: keys readable,
// modes as `relay init` set them.
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

// For `relay serve`, holding the folder lock: removes such a staging folder
// before the store opens, and says so.
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

ServerOptions::FrontDoorSetup front_door_setup(const DataFolder& folder, const ServeSettings& s) {
  ServerOptions::FrontDoorSetup setup;
  setup.socket_path = folder.socket_path(folder.serve_socket()).value();  // validate() checked the length
  setup.old_key_socket_path = folder.socket_path(folder.old_key_serve_socket()).value();
  setup.limits.max_connections = s.max_connections;
  setup.limits.handshake_timeout = std::chrono::seconds(s.handshake_timeout_seconds);
  setup.limits.idle_timeout = std::chrono::seconds(s.idle_timeout_seconds);
  setup.limits.write_timeout = std::chrono::seconds(s.write_timeout_seconds);
  setup.limits.max_held_bytes = s.max_held_bytes;
  return setup;
}

}  // namespace

std::vector<std::string> validate(const ServeSettings& s) {
  std::vector<std::string> problems;
  if (!parse_log_level(s.log_level)) problems.push_back("log-level must be error, warning, info or debug");
  if (!valid_tcp_endpoint(s.endpoint)) problems.push_back("endpoint must look like tcp://HOST:PORT");
  if (!s.old_key_endpoint.empty()) {
    if (!valid_tcp_endpoint(s.old_key_endpoint)) problems.push_back("old-key-endpoint must look like tcp://HOST:PORT");
    if (s.old_key_endpoint == s.endpoint) problems.push_back("old-key-endpoint must differ from endpoint");
  }
  if (s.retention_days < 1) problems.push_back("retention-days must be at least 1");
  if (s.purge_interval_seconds < 1) problems.push_back("purge-interval must be at least 1 second");
  if (s.max_messages < 1 || s.max_messages > kMaxMessagesQuota) {
    problems.push_back("max-messages must be 1.." + std::to_string(kMaxMessagesQuota) +
                       " (a fetch answer holds 64 bytes per stored message and clients accept at most 512 MiB)");
  }
  if (s.max_pending_fetches < 1 || s.max_pending_fetches > kMaxPendingFetchesLimit) {
    problems.push_back("max-pending-fetches must be 1.." + std::to_string(kMaxPendingFetchesLimit));
  }
  if (s.max_attachment_bytes > protocol::kMaxAttachmentBytesLimit) {
    problems.push_back("max-attachment-bytes must be 0.." + std::to_string(protocol::kMaxAttachmentBytesLimit) +
                       " (256 MiB; clients refuse a larger limit)");
  }
  if (s.max_map_bytes < (1ull << 20)) problems.push_back("max-map-bytes must be at least 1 MiB");
  if (s.max_bytes > s.max_map_bytes) problems.push_back("max-bytes cannot exceed max-map-bytes");
  if (s.pow_difficulty + s.pow_max_raise > crypto::kMaxPowDifficulty) {
    problems.push_back("pow-difficulty + pow-max-raise must be at most " + std::to_string(crypto::kMaxPowDifficulty));
  }
  if (s.fetch_max_wait < 1 || s.fetch_max_wait > kMaxFetchWaitSeconds) {
    problems.push_back("fetch-max-wait must be 1.." + std::to_string(kMaxFetchWaitSeconds) + " seconds");
  }
  if (s.letter_reserve_percent > 90) problems.push_back("letter-reserve-percent must be 0..90");
  if (s.fetch_work_min > crypto::kMaxPowWork) {
    problems.push_back("fetch-work-min must be at most " + std::to_string(crypto::kMaxPowWork) +
                       " (clients refuse dearer prices)");
  }
  if (s.prekeys_weight > 64) problems.push_back("prekeys-weight must be 0..64");
  if (s.pow_adjust_seconds < 1 || s.pow_challenge_seconds < 1) {
    problems.push_back("pow-adjust-seconds and pow-challenge-seconds must be at least 1");
  }
  if (s.rate_per_connection < 0 || s.burst_per_connection < 1) {
    problems.push_back("rate-per-connection must be >= 0 (0 = no limit) and burst-per-connection >= 1");
  }
  if (s.max_connections < 1 || s.max_connections > kMaxConnectionsLimit) {
    problems.push_back("max-connections must be 1.." + std::to_string(kMaxConnectionsLimit));
  }
  if (s.handshake_timeout_seconds < 1 || s.idle_timeout_seconds < 1 || s.write_timeout_seconds < 1) {
    problems.push_back("handshake-timeout, idle-timeout and write-timeout must be at least 1 second");
  }
  if (s.max_held_bytes < kMinHeldBytes) {
    problems.push_back("max-held-bytes must be at least " + std::to_string(kMinHeldBytes) +
                       " (16 MiB: a few of the largest requests at once)");
  }
  const DataFolder folder{s.data};
  for (const std::string& f : check_folder(folder)) problems.push_back(f);
  if (!fs::exists(folder.store_dir() / "data.mdb")) problems.push_back("no store in " + folder.store_dir().string() + " (run `relay init`)");
  if (auto admin = folder.admin_endpoint(); !admin) problems.push_back(admin.error().message);
  if (auto path = folder.socket_path(folder.old_key_serve_socket()); !path) problems.push_back(path.error().message);
  return problems;
}

std::string effective_settings(const ServeSettings& s) {
  std::ostringstream out;
  out << "[serve]\n"
      << "data = " << toml_string(s.data.string()) << "\n"
      << "endpoint = " << toml_string(s.endpoint) << "\n"
      << "old-key-endpoint = " << toml_string(s.old_key_endpoint) << "\n"
      << "retention-days = " << s.retention_days << "\n"
      << "retention-fuzz-days = " << s.retention_fuzz_days << "\n"
      << "purge-interval = " << s.purge_interval_seconds << "\n"
      << "max-messages = " << s.max_messages << "\n"
      << "max-bytes = " << s.max_bytes << "\n"
      << "max-map-bytes = " << s.max_map_bytes << "\n"
      << "fetch-threads = " << s.fetch_threads << "\n"
      << "max-pending-fetches = " << s.max_pending_fetches << "\n"
      << "fetch-max-wait = " << s.fetch_max_wait << "\n"
      << "max-attachment-bytes = " << s.max_attachment_bytes << "\n"
      << "pow-difficulty = " << s.pow_difficulty << "\n"
      << "pow-max-raise = " << s.pow_max_raise << "\n"
      << "pow-raise-bytes = " << s.pow_raise_bytes << "\n"
      << "fetch-work-per-message = " << s.fetch_work_per_message << "\n"
      << "fetch-work-min = " << s.fetch_work_min << "\n"
      << "prekeys-weight = " << s.prekeys_weight << "\n"
      << "letter-reserve-percent = " << s.letter_reserve_percent << "\n"
      << "pow-adjust-seconds = " << s.pow_adjust_seconds << "\n"
      << "pow-challenge-seconds = " << s.pow_challenge_seconds << "\n"
      << "rate-per-connection = " << s.rate_per_connection << "\n"
      << "burst-per-connection = " << s.burst_per_connection << "\n"
      << "prekey-warning = " << s.prekey_warning << "\n"
      << "max-connections = " << s.max_connections << "\n"
      << "handshake-timeout = " << s.handshake_timeout_seconds << "\n"
      << "idle-timeout = " << s.idle_timeout_seconds << "\n"
      << "write-timeout = " << s.write_timeout_seconds << "\n"
      << "max-held-bytes = " << s.max_held_bytes << "\n"
      << "log-level = " << toml_string(s.log_level) << "\n";
  return out.str();
}

int cmd_check_config(const ServeSettings& settings) {
  const std::vector<std::string> problems = validate(settings);
  std::cout << effective_settings(settings);
  for (const std::string& p : problems) std::cerr << "relay: config error: " << p << "\n";
  if (!problems.empty()) return kExitFailed;
  std::cout << "# configuration is valid\n";
  return kExitOk;
}

int cmd_serve(const ServeSettings& settings) {
  if (std::vector<std::string> problems = validate(settings); !problems.empty()) {
    for (const std::string& p : problems) std::cerr << "relay: config error: " << p << "\n";
    return kExitFailed;
  }
  set_log_level(*parse_log_level(settings.log_level));
#ifdef __GLIBC__
  // A fetch allocates a few buffers of 64-80 bytes per stored message (the
  // clue copy, the entries, the answer) on the fetch threads and frees them
  // seconds later. glibc's default raises its mmap threshold to the largest
  // block freed, so such buffers then come from heaps it keeps: each fetch
  // thread's arena held on to tens of MiB after a 100k fetch. A fixed
  // threshold gives every large buffer its own mapping, returned at free.
  ::mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
  const DataFolder folder{settings.data};
  auto lock = lock_data_folder(folder);
  if (!lock) return fail(lock.error());
  remove_dead_restore(folder);
  auto keys = folder.load_keys();
  if (!keys) return fail(keys.error());
  auto old_keys = folder.load_old_keys();
  if (!old_keys) return fail(old_keys.error());
  auto org = folder.load_org_key();
  if (!org) return fail(org.error());
  auto admin_endpoint = folder.admin_endpoint();
  if (!admin_endpoint) return fail(admin_endpoint.error());

  std::unique_ptr<store::RelayStore> opened = open_store(folder.store_dir(), store_options(settings));
  if (!opened) return kExitFailed;
  store::RelayStore& store = *opened;
  if (std::optional<std::uint32_t> from = store.upgraded_from()) {
    log(LogLevel::kInfo, "relay store upgraded from schema version " + std::to_string(*from) + " to " +
                             std::to_string(store::kRelaySchemaVersion));
  }

  RelayPolicy policy;
  policy.retention_days = settings.retention_days;
  policy.retention_fuzz_days = settings.retention_fuzz_days;
  policy.fetch_threads = settings.fetch_threads;
  policy.pricing.pow_difficulty = settings.pow_difficulty;
  policy.pricing.pow_max_raise = settings.pow_max_raise;
  policy.pricing.pow_raise_bytes = settings.pow_raise_bytes;
  policy.pricing.pow_adjust_seconds = settings.pow_adjust_seconds;
  policy.pricing.challenge_seconds = settings.pow_challenge_seconds;
  policy.pricing.fetch_work_per_message = settings.fetch_work_per_message;
  policy.pricing.fetch_work_min = settings.fetch_work_min;
  policy.pricing.prekeys_weight = settings.prekeys_weight;
  policy.max_attachment_bytes = settings.max_attachment_bytes;
  RequestHandler handler(store, *org, policy);
  const std::uint32_t days_ahead = settings.test_days_ahead;
  if (days_ahead != 0) {
    log(LogLevel::kWarning, "test clock: running " + std::to_string(days_ahead) + " days ahead");
    handler.today = [days_ahead] { return days_since_epoch_now() + days_ahead; };
  }

  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  // Expiry in the background: a purge at start and then every interval, on
  // its own thread so a large purge never holds up requests (LMDB lets the
  // serving thread read meanwhile; writes take turns in chunks).
  PurgeCounters purge;
  std::thread purger([&] {
    auto next = std::chrono::steady_clock::now();
    while (!g_stop.load()) {
      if (std::chrono::steady_clock::now() >= next) {
        try {
          const std::uint64_t n = store.purge_expired(days_since_epoch_now() + days_ahead);
          purge.runs++;
          purge.removed += n;
          purge.last_removed = n;
          purge.failing = false;
          if (n != 0) log(LogLevel::kInfo, "purged " + std::to_string(n) + " expired messages");
        } catch (const std::exception& e) {
          purge.failing = true;
          log(LogLevel::kError, std::string("purging expired messages failed: ") + e.what());
        }
        next = std::chrono::steady_clock::now() + std::chrono::seconds(settings.purge_interval_seconds);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });

  const bool serve_old = old_keys->has_value() && !settings.old_key_endpoint.empty();
  if (old_keys->has_value() && settings.old_key_endpoint.empty()) {
    log(LogLevel::kWarning,
        "relay.key.old exists but old-key-endpoint is not set: clients with the previous channel address cannot "
        "connect (set it for the overlap, or run `relay key retire`)");
  }
  if (!old_keys->has_value() && !settings.old_key_endpoint.empty()) {
    log(LogLevel::kWarning, "old-key-endpoint is set but there is no old key; not binding it");
  }

  StatusSources sources;
  sources.settings = &settings;
  sources.store = &store;
  sources.handler = &handler;
  sources.purge = &purge;
  sources.org_pk = *org;
  sources.old_key_served = serve_old;
  sources.started = std::chrono::steady_clock::now();

  ServerOptions options;
  options.endpoint = settings.endpoint;
  if (serve_old) {
    options.old_key_endpoint = settings.old_key_endpoint;
    options.old_curve_secret_key = &(*old_keys)->secret;
  }
  options.admin_endpoint = *admin_endpoint;
  options.admin_handler = [&](std::string_view command, const ServerLoad& load) -> std::string {
    if (command == "status json") return status_report(sources, load, true);
    if (command == "status text" || command == "status") return status_report(sources, load, false);
    return "unknown admin command\n";
  };
  options.rate_limit.tokens_per_second = settings.rate_per_connection;
  options.rate_limit.burst = settings.burst_per_connection;
  options.max_pending_fetches = settings.max_pending_fetches;
  options.front_door = front_door_setup(folder, settings);
  options.fetch_max_wait_seconds = settings.fetch_max_wait;

  int rc = kExitOk;
  try {
    serve(handler, keys->secret, options, g_stop);
  } catch (const std::exception& e) {
    log(LogLevel::kError, e.what());
    rc = kExitFailed;
  }
  g_stop = true;
  purger.join();
  std::error_code ec;
  fs::remove(folder.admin_socket(), ec);
  if (rc == kExitOk) log(LogLevel::kInfo, "stopped cleanly");
  return rc;
}

int cmd_status(const fs::path& data, bool json) {
  const DataFolder folder{data};
  auto endpoint = folder.admin_endpoint();
  if (!endpoint) return fail(endpoint.error());
  if (!fs::exists(folder.admin_socket())) {
    return fail("no relay is serving from " + data.string() + " (no admin socket)");
  }
  zmq::context_t context{1};
  zmq::socket_t socket{context, zmq::socket_type::req};
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::maxmsgsize, std::int64_t{1} << 22);
  socket.connect(*endpoint);
  const std::string command = json ? "status json" : "status text";
  socket.send(zmq::const_buffer(command.data(), command.size()), zmq::send_flags::none);
  zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
  if (zmq::poll(&item, 1, std::chrono::milliseconds(5000)) == 0) {
    return fail("the relay did not answer on its admin socket within 5 seconds");
  }
  zmq::message_t reply;
  if (!socket.recv(reply, zmq::recv_flags::none)) return fail("no answer from the relay");
  std::cout << reply.to_string_view();
  return kExitOk;
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

int cmd_key_rotate(const fs::path& data) {
  const DataFolder folder{data};
  auto before = folder.load_keys();
  if (!before) return fail(before.error());
  if (Status s = folder.rotate_key(); !s) return fail(s.error());
  auto after = folder.load_keys();
  if (!after) return fail(after.error());
  std::cout << "New relay key: " << crypto::to_base64url(after->public_key) << "\n"
            << "Previous key kept as " << folder.old_key_file().string() << " for the overlap.\n"
            << "Next:\n"
            << "  1. restart `relay serve` with --endpoint on a NEW port and --old-key-endpoint on the port the\n"
            << "     published address names (one CurveZMQ socket has one key);\n"
            << "  2. publish the new address: relay address --data " << data.string()
            << " --endpoint tcp://HOST:NEWPORT;\n"
            << "  3. after the overlap: relay key retire --data " << data.string()
            << ", and restart without --old-key-endpoint.\n";
  return kExitOk;
}

int cmd_key_retire(const fs::path& data) {
  const DataFolder folder{data};
  if (Status s = folder.retire_old_key(); !s) return fail(s.error());
  std::cout << "Old relay key overwritten and removed. Restart `relay serve` without --old-key-endpoint.\n";
  return kExitOk;
}

}  // namespace meldpunt::relay
