// The settings of `relay serve`: their defaults and bounds, their validation
// against the data folder, and the effective settings that
// `relay serve --check-config` prints as a config file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "http_door.hpp"
#include "meldpunt/common/result.hpp"
#include "meldpunt/protocol/wire.hpp"

namespace meldpunt::relay {

// Every setting of `relay serve`; each is a command-line flag and a key of
// the [serve] section of the config file (docs/OPERATIONS.md).
struct ServeSettings {
  std::filesystem::path data;
  std::string endpoint = "tcp://127.0.0.1:7450";
  std::string old_key_endpoint;  // rotation overlap: the previous key here
  std::uint32_t retention_days = 60;
  std::uint32_t retention_fuzz_days = 7;
  std::uint32_t purge_interval_seconds = 3600;
  std::uint64_t max_messages = 1'000'000;
  std::uint64_t max_bytes = 8ull << 30;
  std::uint64_t max_map_bytes = 64ull << 30;
  unsigned fetch_threads = 0;
  std::uint32_t max_pending_fetches = 32;  // paid fetches waiting or running; beyond, the cheapest is refused
  std::uint32_t fetch_max_wait = 15;       // seconds (+ 0.1 ms per stored message) for a fetch to be answered
  std::uint64_t max_attachment_bytes = protocol::kDefaultMaxAttachmentBytes;  // announced in get-policy
  unsigned pow_difficulty = 20;
  unsigned pow_max_raise = 6;
  std::uint64_t pow_raise_bytes = 2ull << 20;       // bytes of one size class per window that raise its price
  std::uint64_t fetch_work_per_message = 128;       // fetch price per stored message, in digests
  std::uint64_t fetch_work_min = 4096;              // cheapest fetch, in digests
  std::uint32_t prekeys_weight = 3;                 // get-prekeys with full pools, in letters (2^pow-difficulty)
  std::uint32_t letter_reserve_percent = 12;        // of max-bytes, kept for 4096-byte letters
  std::uint32_t pow_adjust_seconds = 60;
  std::uint32_t pow_challenge_seconds = 3600;
  double rate_per_connection = 200;
  double burst_per_connection = 2000;
  std::uint32_t prekey_warning = 20;
  // The front door (front_door.hpp, docs/SECURITY.md): connection limits.
  std::uint32_t max_connections = 1000;
  std::uint32_t handshake_timeout_seconds = 10;
  std::uint32_t idle_timeout_seconds = 120;
  std::uint32_t write_timeout_seconds = 30;
  std::uint64_t max_held_bytes = 128ull << 20;
  // The HTTP door (http_door.hpp, docs/OPERATIONS.md "The HTTP door"): off
  // while `http` is empty; "PORT" listens on 127.0.0.1, "HOST:PORT" (an
  // IPv4 address, or an IPv6 one in brackets) on that address.
  std::string http;
  std::filesystem::path http_web_root;  // the reporter page's folder (MANIFEST); empty: no files
  std::string http_channel;             // served at GET /channel; must name this relay's key and organisation
  std::uint32_t http_max_connections = 256;
  std::uint32_t http_timeout_seconds = 60;  // to deliver a whole request, and to send its answer; also the idle limit
  std::uint64_t http_max_body_bytes = 64ull << 20;    // request bodies held, all HTTP connections together
  std::uint64_t http_max_answer_bytes = 64ull << 20;  // answers not yet sent; raised to the largest fetch answer
  std::uint32_t http_header_timeout_seconds = 10;  // to deliver a request's head (http_timeout if that is shorter)
  std::string log_level = "info";
  // Which organisation's relay this is on a host serving several (the
  // template unit meldpunt-relay@.service passes its instance name);
  // `relay status` names it. Empty: not named.
  std::string instance;
  std::uint32_t test_days_ahead = 0;  // tests only: the relay's clock runs this many days ahead
};

// Largest fetch answer the clients accept is 512 MiB: 64 bytes per stored
// message, so the message quota must stay below this.
inline constexpr std::uint64_t kMaxMessagesQuota = (512ull << 20) / 64;

// Bound on max-pending-fetches: fetches run one after another, so the last
// one waiting also waits for every fetch before it (seconds each on a full
// store); a longer queue only makes clients time out instead of retrying.
inline constexpr std::uint32_t kMaxPendingFetchesLimit = 1024;
// Bound on fetch-max-wait: the clients' reply timeout is 15 s by default; a
// fetch kept longer is work for a client that has gone.
inline constexpr std::uint32_t kMaxFetchWaitSeconds = 600;

// Bounds on the front door's settings: below the floor of max-held-bytes
// one largest deposit could not get through.
inline constexpr std::uint32_t kMaxConnectionsLimit = 1'000'000;
inline constexpr std::uint64_t kMinHeldBytes = 16ull << 20;

inline constexpr std::uint32_t kMaxHttpConnectionsLimit = 10'000;
// The HTTP body budget holds at least two of the largest bodies; the answer
// budget at least a few small answers.
inline constexpr std::uint64_t kMinHttpBodyBytes = 8ull << 20;
inline constexpr std::uint64_t kMinHttpAnswerBytes = 1ull << 20;

// An instance name: 1..64 of A-Z a-z 0-9 . _ - (what a systemd instance
// name needs for a data folder and a config file name; nothing to escape in
// a status report or a log line).
inline constexpr std::size_t kMaxInstanceNameLength = 64;
bool valid_instance_name(const std::string& name);

// The `http` setting as an address and port; nullopt if it is not "PORT",
// "IPV4:PORT" or "[IPV6]:PORT" with a port 1..65535.
struct HttpListen {
  std::string host;
  std::uint16_t port = 0;
};
std::optional<HttpListen> parse_http_listen(const std::string& text);

// The HTTP door's setup (`http` must be set and valid): the web root read
// and checked (web_root.hpp), the channel address parsed and checked to
// name this data folder's current relay key and organisation key, so the
// page is never told another channel's organisation key.
Result<HttpDoorSetup> http_door_setup(const ServeSettings& settings);

// Problems with the settings (empty = valid), checked against the data folder.
std::vector<std::string> validate(const ServeSettings& settings);
// The effective settings as a [serve] section that is itself a valid config file.
std::string effective_settings(const ServeSettings& settings);

}  // namespace meldpunt::relay
