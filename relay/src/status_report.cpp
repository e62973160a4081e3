#include "status_report.hpp"

#include <sys/statvfs.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <vector>
#include <zmq.hpp>

#include "command_support.hpp"
#include "data_folder.hpp"
#include "meldpunt/crypto/directory.hpp"

namespace meldpunt::relay {
namespace {

namespace fs = std::filesystem;

// `relay status` warns this long before the published directory expires.
constexpr std::uint64_t kDirectoryRenewWarningDays = 21;

std::uint64_t disk_free_bytes(const fs::path& dir) {
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) return 0;
  return static_cast<std::uint64_t>(st.f_bavail) * static_cast<std::uint64_t>(st.f_frsize);
}

// Digests of a price in millions, e.g. "1.7 M".
std::string human_digests(std::uint64_t n) {
  std::ostringstream out;
  out.precision(n >= 100'000 ? 1 : 3);
  out << std::fixed << static_cast<double>(n) / 1e6 << " M";
  return out.str();
}

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

}  // namespace

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
        if (auto it = remaining.find(store::PublicKeyBytes{e.sign_pk.bytes}); it != remaining.end()) {
          level.left = it->second;
          remaining.erase(it);
        }
        if (auto it = stats.medium_expires.find(store::PublicKeyBytes{e.sign_pk.bytes}); it != stats.medium_expires.end()) {
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
    Json http_door;  // null without the HTTP door
    if (const auto& h = load.http_door) {
      http_door = {{"open", h->open},
                   {"max_connections", h->max_connections},
                   {"body_bytes", h->body_bytes},
                   {"max_body_bytes", h->max_body_bytes},
                   {"answer_bytes", h->answer_bytes},
                   {"max_answer_bytes", h->max_answer_bytes},
                   {"answered", h->answered},
                   {"served", h->served},
                   {"refused",
                    {{"malformed", h->malformed},
                     {"too_large", h->too_large},
                     {"no_length", h->no_length},
                     {"not_found", h->not_found},
                     {"busy", h->busy}}},
                   {"dropped",
                    {{"bodies_over_budget", h->bodies_dropped},
                     {"answers_over_budget", h->answers_dropped},
                     {"head_timeouts", h->head_timeouts},
                     {"request_timeouts", h->request_timeouts},
                     {"write_timeouts", h->write_timeouts}}}};
    }
    const Json report = {
        {"instance", cfg.instance.empty() ? Json() : Json(cfg.instance)},
        {"data", cfg.data.string()},
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
        {"http_door", http_door},
        {"old_key_served", src.old_key_served},
        {"warnings", warnings}};
    // Adviser names come from the signed directory, which admits UTF-8 only;
    // replacing any invalid byte keeps the output valid JSON regardless.
    return report.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
  }
  std::ostringstream out;
  out << "instance          " << (cfg.instance.empty() ? std::string("(not named; `relay serve --instance`)") : cfg.instance)
      << "\n"
      << "data folder       " << cfg.data.string() << "\n"
      << "uptime            " << uptime / 86400 << "d " << (uptime % 86400) / 3600 << "h " << (uptime % 3600) / 60
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
        << human_bytes(d->held_bytes) << " of requests and replies held (at most " << human_bytes(d->max_held_bytes)
        << ")\n"
        << "  since start     " << d->accepted << " accepted; dropped: " << d->refused_full << " at max-connections, "
        << d->evicted << " displaced by a newcomer, " << d->handshake_timeouts << " handshake timeouts, "
        << d->idle_timeouts << " idle, " << d->write_timeouts << " not reading (write-timeout), "
        << d->protocol_errors << " framing or size, " << d->over_budget << " over max-held-bytes, "
        << d->descriptor_shortages << " short of descriptors\n";
  }
  if (const auto& h = load.http_door) {
    out << "http door         " << h->open << " open (at most " << h->max_connections << "); "
        << human_bytes(h->body_bytes) << " of request bodies held (at most " << human_bytes(h->max_body_bytes)
        << "), " << human_bytes(h->answer_bytes) << " of answers not yet sent (at most "
        << human_bytes(h->max_answer_bytes) << ")\n"
        << "  since start     " << h->answered << " API requests answered, " << h->served
        << " files served; refused: " << h->malformed << " malformed, " << h->too_large << " too large, "
        << h->no_length << " without a length, " << h->not_found << " not found or wrong method, " << h->busy
        << " busy (answer budget full); dropped: " << h->bodies_dropped << " uploads over the body budget, "
        << h->answers_dropped << " unread answers over the answer budget, " << h->head_timeouts << " head timeouts, "
        << h->request_timeouts << " request timeouts, " << h->write_timeouts << " answers not read in time\n";
  }
  for (const std::string& w : warnings) out << "WARNING: " << w << "\n";
  return out.str();
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

}  // namespace meldpunt::relay
