#include "serve_settings.hpp"

#include <algorithm>

#include <arpa/inet.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>

#include "data_folder.hpp"
#include "log.hpp"
#include "meldpunt/crypto/pow.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "store_maintenance.hpp"

namespace meldpunt::relay {
namespace {

namespace fs = std::filesystem;

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

bool all_digits(const std::string& text) {
  return !text.empty() && text.size() <= 5 && text.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

std::optional<HttpListen> parse_http_listen(const std::string& text) {
  HttpListen out;
  std::string port = text;
  if (const std::size_t colon = text.rfind(':'); colon != std::string::npos) {
    out.host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
      out.host = out.host.substr(1, out.host.size() - 2);
      in6_addr v6{};
      if (inet_pton(AF_INET6, out.host.c_str(), &v6) != 1) return std::nullopt;
    } else {
      in_addr v4{};
      if (inet_pton(AF_INET, out.host.c_str(), &v4) != 1) return std::nullopt;
    }
  } else {
    out.host = "127.0.0.1";  // a port alone: loopback, for a local proxy or onion service
  }
  if (!all_digits(port)) return std::nullopt;
  const unsigned long n = std::stoul(port);
  if (n < 1 || n > 65535) return std::nullopt;
  out.port = static_cast<std::uint16_t>(n);
  return out;
}

Result<HttpDoorSetup> http_door_setup(const ServeSettings& s) {
  const std::optional<HttpListen> listen = parse_http_listen(s.http);
  if (!listen) return Error{ErrorCode::kMalformed, "http must be PORT (on 127.0.0.1), IPV4:PORT or [IPV6]:PORT"};
  HttpDoorSetup setup;
  setup.host = listen->host;
  setup.port = listen->port;
  setup.limits.max_connections = s.http_max_connections;
  setup.limits.request_timeout = std::chrono::seconds(s.http_timeout_seconds);
  setup.limits.max_body_bytes = s.http_max_body_bytes;
  // An answer larger than the whole budget is never sent: the largest fetch
  // answer (64 bytes per message at max-messages) must fit.
  setup.limits.max_answer_bytes = std::max(s.http_max_answer_bytes, 64 * s.max_messages + 4096);
  // A head is part of the request: its deadline is never the later one.
  setup.limits.header_timeout = std::chrono::seconds(std::min(s.http_header_timeout_seconds, s.http_timeout_seconds));
  if (!s.http_web_root.empty()) {
    Result<WebRoot> root = WebRoot::load(s.http_web_root);
    if (!root) return Error{root.error().code, "http-web-root: " + root.error().message};
    setup.web_root = std::make_shared<const WebRoot>(std::move(*root));
  }
  if (!s.http_channel.empty()) {
    Result<protocol::ChannelAddress> address = protocol::parse_address(s.http_channel);
    if (!address) return Error{address.error().code, "http-channel: " + address.error().message};
    const DataFolder folder{s.data};
    Result<RelayKeys> keys = folder.load_keys();
    if (!keys) return keys.error();
    Result<crypto::Ed25519PublicKey> org = folder.load_org_key();
    if (!org) return org.error();
    if (address->relay_curve_pk != keys->public_key || address->org_sign_pk != *org) {
      return Error{ErrorCode::kMalformed,
                   "http-channel is not this relay's channel address (its relay key or organisation key differs; "
                   "print it with `relay address`)"};
    }
    setup.channel = protocol::format_address(*address);
  }
  return setup;
}

bool valid_instance_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxInstanceNameLength) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::vector<std::string> validate(const ServeSettings& s) {
  std::vector<std::string> problems;
  if (!s.instance.empty() && !valid_instance_name(s.instance)) {
    problems.push_back("instance must be 1.." + std::to_string(kMaxInstanceNameLength) +
                       " letters, digits, '.', '_' or '-'");
  }
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
  if (!s.http.empty() && !parse_http_listen(s.http)) {
    problems.push_back("http must be PORT (on 127.0.0.1), IPV4:PORT or [IPV6]:PORT");
  }
  if (s.http.empty() && (!s.http_web_root.empty() || !s.http_channel.empty())) {
    problems.push_back("http-web-root and http-channel need http (the HTTP door is off)");
  }
  if (s.http_max_connections < 1 || s.http_max_connections > kMaxHttpConnectionsLimit) {
    problems.push_back("http-max-connections must be 1.." + std::to_string(kMaxHttpConnectionsLimit));
  }
  if (s.http_timeout_seconds < 1 || s.http_timeout_seconds > 3600) problems.push_back("http-timeout must be 1..3600 seconds");
  if (s.http_max_body_bytes < kMinHttpBodyBytes) problems.push_back("http-max-body-bytes must be at least 8 MiB (8388608)");
  if (s.http_max_answer_bytes < kMinHttpAnswerBytes) {
    problems.push_back("http-max-answer-bytes must be at least 1 MiB (1048576)");
  }
  if (s.http_header_timeout_seconds < 1 || s.http_header_timeout_seconds > 3600) {
    problems.push_back("http-header-timeout must be 1..3600 seconds");
  }
  if (!s.http.empty() && parse_http_listen(s.http)) {
    if (Result<HttpDoorSetup> setup = http_door_setup(s); !setup) problems.push_back(setup.error().message);
  }
  const DataFolder folder{s.data};
  for (const std::string& f : check_folder(folder)) problems.push_back(f);
  if (!fs::exists(folder.store_dir() / "data.mdb")) problems.push_back("no store in " + folder.store_dir().string() + " (run `relay init`)");
  if (auto admin = folder.admin_endpoint(); !admin) problems.push_back(admin.error().message);
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
      << "http = " << toml_string(s.http) << "\n"
      << "http-web-root = " << toml_string(s.http_web_root.string()) << "\n"
      << "http-channel = " << toml_string(s.http_channel) << "\n"
      << "http-max-connections = " << s.http_max_connections << "\n"
      << "http-timeout = " << s.http_timeout_seconds << "\n"
      << "http-header-timeout = " << s.http_header_timeout_seconds << "\n"
      << "http-max-body-bytes = " << s.http_max_body_bytes << "\n"
      << "http-max-answer-bytes = " << s.http_max_answer_bytes << "\n"
      << "log-level = " << toml_string(s.log_level) << "\n"
      << "instance = " << toml_string(s.instance) << "\n";
  return out.str();
}

}  // namespace meldpunt::relay
