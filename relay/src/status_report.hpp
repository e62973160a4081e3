// `relay status`: the report a serving relay gives on its local admin
// socket, as JSON (for monitoring) or text (for people), and the subcommand
// that asks for it. The report holds counts and settings only: no message
// id, no key, no client information.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "meldpunt/crypto/keys.hpp"
#include "meldpunt/store/relay_store.hpp"
#include "request_handler.hpp"
#include "serve_settings.hpp"
#include "server.hpp"

namespace meldpunt::relay {

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

// The report, as JSON (json) or text; both end with a newline.
std::string status_report(const StatusSources& src, const ServerLoad& load, bool json);

// Asks the relay serving from `data` for its report and prints it.
int cmd_status(const std::filesystem::path& data, bool json);

}  // namespace meldpunt::relay
