// `relay`: the administrator's program. Serves the anonymous API and manages
// keys, the adviser directory and the data folder. It never sees plaintext,
// codes, or who talks to whom. This file only wires the command line to the
// subcommands, which live in the relay library: key_commands,
// directory_commands, serve_command, status_report and store_maintenance.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "command_support.hpp"
#include "directory_commands.hpp"
#include "key_commands.hpp"
#include "meldpunt/cli/program.hpp"
#include "meldpunt/cli/version.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/pow.hpp"
#include "meldpunt/protocol/wire.hpp"
#include "run_as_owner.hpp"
#include "serve_command.hpp"
#include "serve_settings.hpp"
#include "status_report.hpp"
#include "store_maintenance.hpp"
#include "web_root.hpp"

namespace {

using namespace meldpunt;

// Exit codes (cli/program.hpp): 0 done, 1 usage, 2 the operation failed (or
// check found a fault), 3 internal; with --check-config a command line or
// config file CLI11 rejects is the check's failure, 2. `directory check`
// adds 4 (directory_commands.hpp).
using cli::kExitFailed;
using cli::kExitInternal;
using cli::kExitUsage;
static_assert(relay::kExitFailed == cli::kExitFailed, "command_support.hpp's exit code is the shared one");

}  // namespace

int main(int argc, char** argv) {
  if (Status started = cli::start_up(); !started) return cli::fail_start_up("relay", started.error());

  CLI::App app{
      "relay: the anonymous reporting channel's relay.\n"
      "Stores end-to-end encrypted, padded envelopes; never sees plaintext, codes, or who talks to whom.\n\n"
      "Typical set-up:\n"
      "  relay org-key new --out org.key            (offline: the organisation key)\n"
      "  relay init --data /var/lib/meldpunt --org-public KEY\n"
      "  relay address --data /var/lib/meldpunt --endpoint tcp://relay.example.org:7450\n"
      "  relay directory sign --org-key org.key --adviser card1.txt --adviser card2.txt --signpost signpost.txt \\\n"
      "      --serial 1 --out dir.signed            (relay directory check first shows who is there for whom)\n"
      "  relay serve --data /var/lib/meldpunt --endpoint tcp://0.0.0.0:7450\n"
      "  relay directory publish --channel ADDRESS --file dir.signed\n"
      "  relay web-hash --web-root /usr/share/meldpunt/web   (with serve --http: the reporter page's hash,\n"
      "      published next to the channel address; docs/OPERATIONS.md §13)",
      "relay"};
  app.footer("Exit codes: 0 done, 1 usage error, 2 the operation failed (or `check` found a fault),\n"
             "3 internal error; `directory check` gives 4 when some group x kind has nobody.");
  app.require_subcommand(1);
  cli::add_version_flag(app, "relay", cli::Lang::kEn);
  app.set_config("--config", "", "Read options from this INI/TOML file (sections per subcommand, e.g. [serve])");
  // `relay serve --config FILE` as well as `relay --config FILE serve`.
  app.fallthrough();
  // A misspelt key must not be ignored silently.
  app.allow_config_extras(CLI::config_extras_mode::error);

  std::filesystem::path data, backup_to, restore_from, backup_folder;
  std::string org_public, endpoint, channel;
  std::filesystem::path out, org_key, file;
  std::vector<std::string> cards;
  std::filesystem::path signpost;
  std::uint64_t serial = 0;
  std::uint64_t min_serial = 0;
  std::uint32_t valid_days = crypto::kDefaultDirectoryValidDays;
  std::uint32_t days_ahead = 0;
  bool insecure = false, json = false, old_address = false, check_config = false;
  relay::ServeSettings s;

  auto* init = app.add_subcommand("init", "Create the relay key and the data folder (refuses to overwrite keys)");
  init->add_option("--data", data, "Data folder to create (mode 0700)")->required();
  init->add_option("--org-public", org_public, "The organisation's public key (from `relay org-key new`)")->required();

  auto* serve = app.add_subcommand("serve", "Serve the API in the foreground; SIGINT/SIGTERM stop it cleanly");
  serve->add_option("--data", s.data, "Data folder made by `relay init`")->required();
  serve->add_option("--endpoint", s.endpoint, "ZeroMQ endpoint to bind, tcp://HOST:PORT")->capture_default_str();
  serve->add_option("--old-key-endpoint", s.old_key_endpoint,
                    "During a key rotation: serve the previous key (relay.key.old) on this endpoint");
  serve->add_option("--retention-days", s.retention_days, "Days a message is kept (plus up to retention-fuzz-days)")
      ->capture_default_str()->check(CLI::Range(1u, 3650u));
  serve->add_option("--retention-fuzz-days", s.retention_fuzz_days, "Random extra days, so expiry does not date a message")
      ->capture_default_str()->check(CLI::Range(0u, 365u));
  serve->add_option("--purge-interval", s.purge_interval_seconds, "Seconds between background purges of expired messages")
      ->capture_default_str()->check(CLI::Range(1u, 86400u));
  serve->add_option("--max-messages", s.max_messages, "Quota: stored messages (also bounds the work of a fetch)")
      ->capture_default_str();
  serve->add_option("--max-bytes", s.max_bytes, "Quota: stored envelope bytes")->capture_default_str();
  serve->add_option("--max-map-bytes", s.max_map_bytes, "Largest size of the store file")->capture_default_str();
  serve->add_option("--fetch-threads", s.fetch_threads, "Threads for a fetch (0 = all cores)")->capture_default_str();
  serve->add_option("--max-pending-fetches", s.max_pending_fetches,
                    "Paid fetches waiting or running at once; beyond, the cheapest is refused as busy")
      ->capture_default_str()->check(CLI::Range(1u, relay::kMaxPendingFetchesLimit));
  serve->add_option("--fetch-max-wait", s.fetch_max_wait,
                    "Seconds (plus 0.1 ms per stored message) within which a fetch's answer must be ready; "
                    "one that cannot be is dropped uncomputed (its client would have given up)")
      ->capture_default_str()->check(CLI::Range(1u, relay::kMaxFetchWaitSeconds));
  serve->add_option("--max-attachment-bytes", s.max_attachment_bytes,
                    "Largest attachment clients may send, announced in get-policy (0 = no attachments)")
      ->capture_default_str()->check(CLI::Range(std::uint64_t{0}, protocol::kMaxAttachmentBytesLimit));
  serve->add_option("--pow-difficulty", s.pow_difficulty, "Proof of work per 4096-byte envelope, in leading zero bits (0 = deposits free)")
      ->capture_default_str()->check(CLI::Range(0u, crypto::kMaxPowDifficulty));
  serve->add_option("--pow-max-raise", s.pow_max_raise, "Bits a size class's price may rise above pow-difficulty under load")
      ->capture_default_str()->check(CLI::Range(0u, crypto::kMaxPowDifficulty));
  serve->add_option("--pow-raise-bytes", s.pow_raise_bytes,
                    "Envelope bytes of one size class per window above which its price rises (0 = never)")
      ->capture_default_str();
  serve->add_option("--fetch-work-per-message", s.fetch_work_per_message,
                    "Fetch price per stored message, in proof-of-work digests (0 with fetch-work-min 0: free)")
      ->capture_default_str();
  serve->add_option("--fetch-work-min", s.fetch_work_min, "Cheapest fetch, in proof-of-work digests")
      ->capture_default_str()->check(CLI::Range(std::uint64_t{0}, crypto::kMaxPowWork));
  serve->add_option("--prekeys-weight", s.prekeys_weight,
                    "get-prekeys price with full prekey pools, in letters (2^pow-difficulty; rises as a pool "
                    "empties; 0 = free)")
      ->capture_default_str()->check(CLI::Range(0u, 64u));
  serve->add_option("--letter-reserve-percent", s.letter_reserve_percent,
                    "Share of max-bytes that only 4096-byte letters may use (room for ongoing conversations)")
      ->capture_default_str()->check(CLI::Range(0u, 90u));
  serve->add_option("--pow-adjust-seconds", s.pow_adjust_seconds, "Length of a difficulty adjustment window")
      ->capture_default_str()->check(CLI::Range(1u, 86400u));
  serve->add_option("--pow-challenge-seconds", s.pow_challenge_seconds, "Seconds between proof-of-work challenges")
      ->capture_default_str()->check(CLI::Range(1u, 86400u));
  serve->add_option("--rate-per-connection", s.rate_per_connection, "Requests per second one connection may sustain (0 = no limit)")
      ->capture_default_str();
  serve->add_option("--burst-per-connection", s.burst_per_connection, "Requests one connection may send at once")
      ->capture_default_str();
  serve->add_option("--max-connections", s.max_connections,
                    "Client connections at once (also bounded by the descriptor limit, 1 per connection)")
      ->capture_default_str()->check(CLI::Range(1u, relay::kMaxConnectionsLimit));
  serve->add_option("--handshake-timeout", s.handshake_timeout_seconds,
                    "Seconds a new connection has to finish its CurveZMQ handshake")
      ->capture_default_str()->check(CLI::Range(1u, 3600u));
  serve->add_option("--idle-timeout", s.idle_timeout_seconds, "Seconds without a request or an answer (PINGs do not count) before a connection is closed")
      ->capture_default_str()->check(CLI::Range(1u, 86400u));
  serve->add_option("--write-timeout", s.write_timeout_seconds,
                    "Seconds a client may leave an answer unread before it is disconnected")
      ->capture_default_str()->check(CLI::Range(1u, 3600u));
  serve->add_option("--max-held-bytes", s.max_held_bytes,
                    "Request and answer bytes held for all connections at once; beyond, the largest holder of "
                    "request bytes is disconnected (raised to fit the largest fetch answer at max-messages)")
      ->capture_default_str()->check(CLI::Range(relay::kMinHeldBytes, std::uint64_t{1} << 40));
  serve->add_option("--http", s.http,
                    "Also serve the reporter page and the API over HTTP here: PORT (on 127.0.0.1), IPV4:PORT or "
                    "[IPV6]:PORT; off unless set (publish it through an onion service or a TLS proxy, "
                    "docs/OPERATIONS.md)");
  serve->add_option("--http-web-root", s.http_web_root,
                    "Folder of the reporter page, listed in its MANIFEST (check it with `relay web-hash`)");
  serve->add_option("--http-channel", s.http_channel,
                    "The channel address the page is for (from `relay address`), served at /channel; must name "
                    "this relay's key and organisation");
  serve->add_option("--http-max-connections", s.http_max_connections, "HTTP connections at once")
      ->capture_default_str()->check(CLI::Range(1u, relay::kMaxHttpConnectionsLimit));
  serve->add_option("--http-timeout", s.http_timeout_seconds,
                    "Seconds an HTTP connection has to deliver a whole request, and its answer to leave (and "
                    "the connection may stay silent)")
      ->capture_default_str()->check(CLI::Range(1u, 3600u));
  serve->add_option("--http-header-timeout", s.http_header_timeout_seconds,
                    "Seconds an HTTP connection has to deliver a request's head (--http-timeout if that is shorter)")
      ->capture_default_str()->check(CLI::Range(1u, 3600u));
  serve->add_option("--http-max-body-bytes", s.http_max_body_bytes,
                    "Bytes of HTTP request bodies held at once, as they arrive; beyond, the upload holding most is "
                    "dropped")
      ->capture_default_str()->check(CLI::Range(relay::kMinHttpBodyBytes, std::uint64_t{1} << 40));
  serve->add_option("--http-max-answer-bytes", s.http_max_answer_bytes,
                    "Bytes of HTTP answers not yet sent, held at once; beyond, the oldest unread are dropped "
                    "(raised to the largest fetch answer, 64 bytes x max-messages)")
      ->capture_default_str()->check(CLI::Range(relay::kMinHttpAnswerBytes, std::uint64_t{1} << 40));
  serve->add_option("--prekey-warning", s.prekey_warning, "Status warns when an adviser has fewer prekeys left")
      ->capture_default_str();
  serve->add_option("--log-level", s.log_level, "error, warning, info or debug")->capture_default_str()
      ->check(CLI::IsMember({"error", "warning", "info", "debug"}));
  serve->add_option("--instance", s.instance,
                    "Name of this relay on a host serving several organisations (meldpunt-relay@NAME); "
                    "`relay status` shows it");
  serve->add_flag("--check-config", check_config, "Validate the configuration, print the effective settings, exit 0 or 2")
      ->configurable(false);
  serve->add_option("--test-days-ahead", s.test_days_ahead, "Tests only: run the relay's calendar this many days ahead")
      ->group("");

  auto* web_hash = app.add_subcommand("web-hash",
                                      "Print the reporter page's web hash (publish it next to the channel address)");
  web_hash->add_option("--web-root", file, "Folder of the reporter page, with its MANIFEST")->required();

  auto* status = app.add_subcommand("status", "Ask the running relay for its status over the local admin socket");
  status->add_option("--data", data, "Data folder of the running relay")->required();
  status->add_flag("--json", json, "Machine-readable output for monitoring");

  auto* backup = app.add_subcommand("backup", "Consistent, compacting copy of the store while the relay serves");
  backup->add_option("--data", data, "Data folder")->required();
  backup->add_option("--to", backup_to, "New or empty folder for the copy (data.mdb)")->required();

  auto* check = app.add_subcommand("check", "Verify every record of the store and the data folder; exit 2 on any fault");
  auto* check_data = check->add_option("--data", data, "Data folder");
  auto* check_backup = check->add_option("--backup", backup_folder, "Check a backup folder instead");
  check_data->excludes(check_backup);
  check->require_option(1);

  auto* restore = app.add_subcommand("restore", "Replace the store with a verified backup (the relay must be stopped)");
  restore->add_option("--data", data, "Data folder")->required();
  restore->add_option("--from", restore_from, "Backup folder made by `relay backup`")->required()->check(CLI::ExistingDirectory);

  auto* purge = app.add_subcommand("purge", "Delete expired messages now (also safe while the relay serves)");
  purge->add_option("--data", data, "Data folder")->required();
  purge->add_option("--days-ahead", days_ahead, "Purge as if this many days had passed (drills and tests)");

  auto* key = app.add_subcommand("key", "The relay's CurveZMQ key");
  key->require_subcommand(1);
  auto* key_rotate = key->add_subcommand("rotate", "New relay key; the current one is kept for an overlap period");
  key_rotate->add_option("--data", data, "Data folder")->required();
  auto* key_retire = key->add_subcommand("retire", "End the overlap: wipe and remove the previous relay key");
  key_retire->add_option("--data", data, "Data folder")->required();

  auto* address = app.add_subcommand("address", "Print the channel address that reporters need");
  address->add_option("--data", data, "Data folder")->required();
  address->add_option("--endpoint", endpoint, "Endpoint as reporters reach it, e.g. tcp://relay.example.org:7450")->required();
  address->add_flag("--old", old_address, "The address of the previous key (during a rotation's overlap)");
  address->add_option("--min-serial", min_serial,
                      "Clients holding this address refuse a signed directory with a lower serial; give the serial "
                      "of the directory you publish with it (default 0: no minimum)");

  auto* org = app.add_subcommand("org-key", "The organisation key (keep it offline)");
  org->require_subcommand(1);
  auto* org_new = org->add_subcommand("new", "Create an organisation key file encrypted under a passphrase");
  org_new->add_option("--out", out, "Key file to create (also writes FILE.pub)")->required();
  org_new->add_flag("--insecure-test-kdf", insecure, "Cheap key stretching, for tests only");

  auto* dir = app.add_subcommand("directory", "The signed adviser directory");
  dir->require_subcommand(1);
  auto* dir_sign = dir->add_subcommand("sign", "Sign a directory from adviser cards (offline)");
  dir_sign->add_option("--org-key", org_key, "Organisation key file")->required()->check(CLI::ExistingFile);
  dir_sign->add_option("--adviser", cards, "Adviser card (a file, or the mpcard1.… text); repeat per adviser")->required();
  dir_sign->add_option("--signpost", signpost,
                       "Signpost file: groups, kinds and whom each adviser is there for (docs/OPERATIONS.md)")
      ->check(CLI::ExistingFile);
  dir_sign->add_option("--serial", serial, "Serial number, greater than the published one")->required();
  dir_sign->add_option("--valid-days", valid_days,
                       "Days from now until clients refuse this directory (default " +
                           std::to_string(crypto::kDefaultDirectoryValidDays) + ")")
      ->check(CLI::Range(1u, crypto::kMaxDirectoryValidDays));
  dir_sign->add_option("--out", out, "Signed directory file to write")->required();
  auto* dir_check = dir->add_subcommand(
      "check", "Show who is there for every group x kind of the signpost; exit 4 if nobody is for some");
  dir_check->footer(
      "A draft:  relay directory check --adviser card1.txt --adviser card2.txt --signpost signpost.txt\n"
      "Signed:   relay directory check --file dir.signed --org-public org.key.pub\n"
      "Exit codes: 0 every combination is covered (or there is no signpost), 4 some combination has nobody\n"
      "(listed at the end), 2 the input could not be read or verified.");
  auto* check_cards = dir_check->add_option("--adviser", cards, "Adviser card of the draft; repeat per adviser");
  auto* check_signpost = dir_check->add_option("--signpost", signpost, "Signpost file of the draft")
                             ->check(CLI::ExistingFile);
  auto* check_file = dir_check->add_option("--file", file, "A signed directory instead of a draft")
                         ->check(CLI::ExistingFile);
  auto* check_org = dir_check->add_option("--org-public", org_public,
                                          "With --file: the organisation's public key, or its .pub file");
  check_file->excludes(check_cards)->excludes(check_signpost)->needs(check_org);
  check_org->needs(check_file);
  check_signpost->needs(check_cards);
  auto* dir_publish = dir->add_subcommand("publish", "Send a signed directory to the relay");
  dir_publish->add_option("--channel", channel, "Channel address (from `relay address`)")->required();
  dir_publish->add_option("--file", file, "Signed directory file")->required()->check(CLI::ExistingFile);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = cli::exit_for_parse_error(app, e);
    // --check-config promises 0 or 2, also for a config file CLI11 rejects
    // (the flag itself may not have been parsed yet).
    const bool checking = std::any_of(argv + 1, argv + argc, [](const char* a) { return std::string_view(a) == "--check-config"; });
    return checking && rc == kExitUsage ? kExitFailed : rc;
  }

  // Commands that work in a data folder run as its owner (see run_as_owner.hpp).
  const bool uses_data = *init || *serve || *status || *backup || *check || *restore || *purge || *key_rotate ||
                         *key_retire || *address;
  if (uses_data) {
    const std::filesystem::path& folder = *serve ? s.data : (*check && data.empty() ? backup_folder : data);
    if (Status st = relay::become_folder_owner(folder); !st) return relay::fail(st.error());
  }

  try {
    if (*init) return relay::cmd_init(data, org_public);
    if (*serve) return check_config ? relay::cmd_check_config(s) : relay::cmd_serve(s);
    if (*status) return relay::cmd_status(data, json);
    if (*backup) return relay::cmd_backup(data, backup_to);
    if (*check) return relay::cmd_check(data, backup_folder);
    if (*restore) return relay::cmd_restore(data, restore_from);
    if (*purge) return relay::cmd_purge(data, days_ahead);
    if (*key_rotate) return relay::cmd_key_rotate(data);
    if (*key_retire) return relay::cmd_key_retire(data);
    if (*address) return relay::cmd_address(data, endpoint, old_address, min_serial);
    if (*web_hash) return relay::cmd_web_hash(file);
    if (*org_new) return relay::cmd_org_key_new(out, insecure);
    if (*dir_sign) return relay::cmd_directory_sign(org_key, cards, signpost, serial, valid_days, out);
    if (*dir_check) return relay::cmd_directory_check(cards, signpost, file, org_public);
    if (*dir_publish) return relay::cmd_directory_publish(channel, file);
  } catch (const std::exception& e) {
    std::cerr << "relay: error: " << e.what() << std::endl;
    return kExitInternal;
  }
  return 0;
}
