#include "serve_command.hpp"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "command_support.hpp"
#include "curve_server.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/protocol/wire.hpp"
#include "data_folder.hpp"
#include "log.hpp"
#include "request_handler.hpp"
#include "server.hpp"
#include "status_report.hpp"
#include "store_maintenance.hpp"

namespace meldpunt::relay {
namespace {

namespace fs = std::filesystem;

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop.store(true); }

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

// A fetch answer of a store at max-messages (entries padded, then ids),
// framed as the front door sends it, with room for the header part.
std::uint64_t largest_reply_wire_bytes(std::uint64_t max_messages) {
  const std::uint64_t entries = protocol::padded_fetch_count(max_messages) * crypto::kFetchEntryBytes;
  const std::uint64_t ids = max_messages * crypto::kMessageIdBytes;
  return 3 * CurveServerSession::sealed_size(0) + entries + ids + 4096;
}

ServerOptions::FrontDoorSetup front_door_setup(const ServeSettings& s) {
  ServerOptions::FrontDoorSetup setup;
  setup.limits.max_connections = s.max_connections;
  setup.limits.handshake_timeout = std::chrono::seconds(s.handshake_timeout_seconds);
  setup.limits.idle_timeout = std::chrono::seconds(s.idle_timeout_seconds);
  setup.limits.write_timeout = std::chrono::seconds(s.write_timeout_seconds);
  // Replies are charged too until written, so the budget always holds the
  // largest fetch answer (at max-messages) beside the largest request: an
  // honest fetch of a full store is never dropped for its own size.
  setup.limits.max_held_bytes = std::max<std::uint64_t>(s.max_held_bytes, largest_reply_wire_bytes(s.max_messages) +
                                                                                 max_request_wire_bytes());
  return setup;
}

}  // namespace

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
  options.front_door = front_door_setup(settings);
  options.fetch_max_wait_seconds = settings.fetch_max_wait;
  if (!settings.http.empty()) {
    Result<HttpDoorSetup> http = http_door_setup(settings);  // validate() checked it
    if (!http) return fail(http.error());
    if (http->web_root) log(LogLevel::kInfo, "http door: web hash " + http->web_root->hash_hex());
    // The door's connections take descriptors the front door must leave free.
    options.front_door->limits.reserved_descriptors = settings.http_max_connections + 16;
    options.http_door = std::move(*http);
  }

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

}  // namespace meldpunt::relay
