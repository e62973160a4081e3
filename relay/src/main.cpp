// `relay`: the administrator's program. Serves the anonymous API and manages
// keys, the adviser directory and the data folder. It never sees plaintext,
// codes, or who talks to whom.
#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "coverage_report.hpp"
#include "data_folder.hpp"
#include "meldpunt/cli/passphrase_prompt.hpp"
#include "meldpunt/cli/program.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/client/terminal.hpp"
#include "meldpunt/client/text.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/passphrase_box.hpp"
#include "meldpunt/crypto/sign.hpp"
#include "meldpunt/os/files.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "meldpunt/store/relay_store.hpp"
#include "operations.hpp"
#include "run_as_owner.hpp"
#include "signpost_file.hpp"

namespace {

using namespace meldpunt;

// Exit codes (cli/program.hpp): 0 done, 1 usage, 2 the operation failed (or
// check found a fault), 3 internal; with --check-config a command line or
// config file CLI11 rejects is the check's failure, 2.
using cli::kExitFailed;
using cli::kExitInternal;
using cli::kExitUsage;
static_assert(relay::kExitFailed == cli::kExitFailed, "operations.hpp's exit code is the shared one");
// `relay directory check`: the directory is readable, but some group x kind
// of its signpost has nobody (a script can tell this from an error, 2).
constexpr int kExitGaps = 4;

int fail(const Error& e) {
  std::cerr << "relay: error: " << e.message << std::endl;
  return kExitFailed;
}

crypto::KdfParams kdf_params(bool insecure) {
  return insecure ? crypto::KdfParams::insecure_for_tests() : crypto::KdfParams::production();
}

Result<crypto::Ed25519PublicKey> parse_public_key(const std::string& text, std::string_view what) {
  auto bytes = crypto::from_base64url(text);
  if (!bytes || bytes->size() != 32) {
    return Error{ErrorCode::kMalformed, std::string(what) + " must be 43 characters of base64url (32 bytes)"};
  }
  crypto::Ed25519PublicKey pk{};
  std::copy(bytes->begin(), bytes->end(), pk.begin());
  return pk;
}

Result<crypto::SecretBuffer> new_passphrase() {
  cli::NewPassphrasePrompt prompt;
  prompt.first = "New passphrase for the organisation key (at least 12 characters): ";
  prompt.min_length = 12;
  prompt.nothing_done = "no key was created";
  return cli::read_new_passphrase(prompt);
}

// ---- subcommands ----

int cmd_init(const std::filesystem::path& data, const std::string& org_public) {
  auto org = parse_public_key(org_public, "--org-public");
  if (!org) return fail(org.error());
  relay::DataFolder folder{data};
  if (Status s = folder.initialise(*org); !s) return fail(s.error());
  store::RelayStore store(folder.store_dir(), store::RelayStoreOptions{});  // creates the tables
  auto keys = folder.load_keys();
  if (!keys) return fail(keys.error());
  std::cout << "Initialised relay data folder " << data.string() << "\n"
            << "relay public key: " << crypto::to_base64url(keys->public_key) << "\n"
            << "Next: `relay address --data " << data.string()
            << " --endpoint tcp://HOST:PORT` prints the channel address for reporters.\n";
  return 0;
}

int cmd_address(const std::filesystem::path& data, const std::string& endpoint, bool old, std::uint64_t min_serial) {
  relay::DataFolder folder{data};
  Result<relay::RelayKeys> keys = folder.load_keys();
  if (old) {
    auto previous = folder.load_old_keys();
    if (!previous) return fail(previous.error());
    if (!previous->has_value()) return fail(Error{ErrorCode::kNotFound, "there is no old relay key (no rotation in progress)"});
    keys = std::move(**previous);
  }
  if (!keys) return fail(keys.error());
  auto org = folder.load_org_key();
  if (!org) return fail(org.error());
  protocol::ChannelAddress address{endpoint, keys->public_key, *org};
  address.min_serial = min_serial;
  const std::string text = protocol::format_address(address);
  if (auto check = protocol::parse_address(text); !check) return fail(check.error());
  std::cout << text << "\n";
  return 0;
}

int cmd_org_key_new(const std::filesystem::path& out, bool insecure) {
  if (std::filesystem::exists(out)) {
    return fail(Error{ErrorCode::kIo, out.string() + " already exists; refusing to overwrite an organisation key"});
  }
  auto passphrase = new_passphrase();
  if (!passphrase) return fail(passphrase.error());
  crypto::SigningKeyPair org = crypto::SigningKeyPair::generate();
  const crypto::PassphraseBox box = crypto::PassphraseBox::create(*passphrase, kdf_params(insecure));
  if (Status s = os::write_file_atomically(out, box.seal(org.sk.view()), 0600); !s) return fail(s.error());
  const std::string pub = crypto::to_base64url(org.pk);
  std::filesystem::path pub_file = out;
  pub_file += ".pub";
  if (Status s = os::write_file_atomically(pub_file, as_bytes(pub + "\n"), 0644); !s) return fail(s.error());
  std::cout << "Organisation key written to " << out.string() << " (keep it offline).\n"
            << "organisation public key: " << pub << "\n";
  return 0;
}

Result<crypto::SigningKeyPair> unlock_org_key(const std::filesystem::path& file) {
  auto sealed = os::read_file(file, crypto::kBoxMaxFileBytes);
  if (!sealed) return sealed.error();
  auto passphrase = client::read_secret_line("Passphrase of the organisation key: ");
  if (!passphrase) return passphrase.error();
  auto box = crypto::PassphraseBox::for_sealed(*sealed, *passphrase);
  if (!box) return box.error();
  auto secret = box->open(*sealed);
  if (!secret) return Error{ErrorCode::kUnauthorised, "wrong passphrase or damaged organisation key file"};
  if (secret->size() != crypto::kEd25519SecretBytes) return Error{ErrorCode::kMalformed, "organisation key file has a wrong size"};
  crypto::SigningKeyPair org;
  org.sk = crypto::Secret<crypto::kEd25519SecretBytes>::from(secret->view());
  std::copy_n(secret->data() + 32, 32, org.pk.begin());  // libsodium's sk is seed || pk
  return org;
}

// A card given as text (possibly pasted with line breaks) rather than a file.
bool is_card_text(const std::string& arg) {
  const std::size_t start = arg.find_first_not_of(" \t\r\n");
  return start != std::string::npos && arg.compare(start, 8, "mpcard1.") == 0;
}

// The card text; crypto::parse_card ignores whitespace, so a file written by
// `adviser-client card > anna.card` or saved from an e-mail is used as it is.
Result<std::string> read_card_argument(const std::string& arg) {
  if (is_card_text(arg)) return arg;
  auto content = os::read_file(arg, 64 * 1024);
  if (!content) return content.error();
  return std::string(content->begin(), content->end());
}

// The draft directory from adviser cards and, when given, the signpost file.
Result<crypto::Directory> draft_directory(const std::vector<std::string>& cards, const std::filesystem::path& signpost) {
  crypto::Directory directory;
  for (const std::string& arg : cards) {
    auto text = read_card_argument(arg);
    if (!text) return text.error();
    auto entry = crypto::parse_card(*text);
    // Named by its file, never by echoing what was pasted.
    const std::string label = is_card_text(arg) ? "given as text" : client::terminal_safe_label(arg);
    if (!entry) return Error{entry.error().code, "adviser card " + label + ": " + entry.error().message};
    directory.entries.push_back(std::move(entry).value());
  }
  if (!signpost.empty()) {
    auto content = os::read_file(signpost, relay::kMaxSignpostFileBytes);
    if (!content) return content.error();
    const std::string text(content->begin(), content->end());
    if (Status s = relay::apply_signpost_file(text, directory); !s) return s.error();
  }
  return directory;
}

int cmd_directory_sign(const std::filesystem::path& org_key, const std::vector<std::string>& cards,
                       const std::filesystem::path& signpost, std::uint64_t serial, std::uint32_t valid_days,
                       const std::filesystem::path& out) {
  auto draft = draft_directory(cards, signpost);
  if (!draft) return fail(draft.error());
  crypto::Directory& directory = *draft;
  directory.serial = serial;
  // Clients refuse the directory after this: a relay cannot serve an old
  // one (listing an adviser removed since) for longer.
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  directory.valid_until = static_cast<std::uint64_t>(now) + std::uint64_t{valid_days} * 86400;
  auto org = unlock_org_key(org_key);
  if (!org) return fail(org.error());
  directory.org_sign_pk = org->pk;
  auto signed_bytes = crypto::sign_directory(directory, *org);
  if (!signed_bytes) return fail(signed_bytes.error());
  if (Status s = os::write_file_atomically(out, *signed_bytes, 0644); !s) return fail(s.error());
  std::cout << "Signed directory (serial " << serial << ", " << directory.entries.size() << " advisers, valid for "
            << valid_days << " days) written to " << out.string() << "\n"
            << "Clients refuse it after that: sign and publish a new one before then (`relay status` warns "
               "21 days ahead).\n";
  for (const crypto::DirectoryEntry& e : directory.entries) {
    std::cout << "  " << to_hex(e.id) << "  " << crypto::role_keyword(e.role) << "  "
              << client::terminal_safe_label(e.name) << "\n";
  }
  if (directory.has_signpost()) {
    const relay::CoverageReport report = relay::coverage_report(directory);
    std::cout << "Signpost: " << directory.groups.size() << " groups, " << directory.kinds.size() << " kinds; "
              << report.gaps.size() << " combinations nobody covers (`relay directory check` lists them).\n";
  }
  return 0;
}

// The coverage of a draft (cards and signpost file) or of a signed directory
// (checked against the organisation's public key, a key or a .pub file).
int cmd_directory_check(const std::vector<std::string>& cards, const std::filesystem::path& signpost,
                        const std::filesystem::path& file, const std::string& org_public) {
  if (file.empty() && cards.empty()) {
    return fail(Error{ErrorCode::kMalformed, "give the draft's --adviser cards (and --signpost), or --file with --org-public"});
  }
  Result<crypto::Directory> directory = Error{ErrorCode::kMalformed, "nothing to check"};
  if (!file.empty()) {
    std::string key_text = org_public;
    if (std::filesystem::is_regular_file(org_public)) {
      auto content = os::read_file(org_public, 1024);
      if (!content) return fail(content.error());
      key_text.assign(content->begin(), content->end());
      while (!key_text.empty() && (key_text.back() == '\n' || key_text.back() == '\r')) key_text.pop_back();
    }
    auto org = parse_public_key(key_text, "--org-public");
    if (!org) return fail(org.error());
    auto bytes = os::read_file(file, crypto::kMaxSignedDirectoryBytes);
    if (!bytes) return fail(bytes.error());
    directory = crypto::verify_directory(*bytes, *org);
    if (!directory) return fail(Error{directory.error().code, "not a directory signed by this organisation key: " +
                                                                  directory.error().message});
    std::cout << "Signed directory serial " << directory->serial << " with " << directory->entries.size()
              << " advisers.\n";
  } else {
    directory = draft_directory(cards, signpost);
    if (!directory) return fail(directory.error());
    std::cout << "Draft directory with " << directory->entries.size() << " advisers (not signed).\n";
  }
  const relay::CoverageReport report = relay::coverage_report(*directory);
  std::cout << relay::render_coverage(*directory, report);
  return report.gaps.empty() ? 0 : kExitGaps;
}

int cmd_directory_publish(const std::string& channel, const std::filesystem::path& file) {
  auto address = protocol::parse_address(channel);
  if (!address) return fail(address.error());
  auto bytes = os::read_file(file, crypto::kMaxSignedDirectoryBytes);
  if (!bytes) return fail(bytes.error());
  auto directory = crypto::verify_directory(*bytes, address->org_sign_pk);
  if (!directory) return fail(Error{directory.error().code, "not a directory signed by this channel's organisation key: " + directory.error().message});
  // Clients holding this address would refuse it.
  if (Status fresh = protocol::check_min_serial(*address, directory->serial); !fresh) return fail(fresh.error());
  client::RelayConnection connection(*address, client::ConnectionOptions{});
  auto reply = connection.call(protocol::make_publish_directory_request(*bytes));
  if (!reply) return fail(reply.error());
  std::cout << "Published directory serial " << directory->serial << " with " << directory->entries.size()
            << " advisers.\n";
  return 0;
}

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
      "  relay directory publish --channel ADDRESS --file dir.signed",
      "relay"};
  app.footer("Exit codes: 0 done, 1 usage error, 2 the operation failed (or `check` found a fault),\n"
             "3 internal error; `directory check` gives 4 when some group x kind has nobody.");
  app.require_subcommand(1);
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
                    "Client connections at once (also bounded by the descriptor limit, 3 per connection)")
      ->capture_default_str()->check(CLI::Range(1u, relay::kMaxConnectionsLimit));
  serve->add_option("--handshake-timeout", s.handshake_timeout_seconds,
                    "Seconds a new connection has to finish its CurveZMQ handshake")
      ->capture_default_str()->check(CLI::Range(1u, 3600u));
  serve->add_option("--idle-timeout", s.idle_timeout_seconds, "Seconds without a byte either way before a connection is closed")
      ->capture_default_str()->check(CLI::Range(1u, 86400u));
  serve->add_option("--write-timeout", s.write_timeout_seconds,
                    "Seconds a client may leave an answer unread before it is disconnected")
      ->capture_default_str()->check(CLI::Range(1u, 3600u));
  serve->add_option("--max-held-bytes", s.max_held_bytes,
                    "Request bytes held for all connections at once; beyond, the largest holder is disconnected")
      ->capture_default_str()->check(CLI::Range(relay::kMinHeldBytes, std::uint64_t{1} << 40));
  serve->add_option("--prekey-warning", s.prekey_warning, "Status warns when an adviser has fewer prekeys left")
      ->capture_default_str();
  serve->add_option("--log-level", s.log_level, "error, warning, info or debug")->capture_default_str()
      ->check(CLI::IsMember({"error", "warning", "info", "debug"}));
  serve->add_flag("--check-config", check_config, "Validate the configuration, print the effective settings, exit 0 or 2")
      ->configurable(false);
  serve->add_option("--test-days-ahead", s.test_days_ahead, "Tests only: run the relay's calendar this many days ahead")
      ->group("");

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
    if (Status st = relay::become_folder_owner(folder); !st) return fail(st.error());
  }

  try {
    if (*init) return cmd_init(data, org_public);
    if (*serve) return check_config ? relay::cmd_check_config(s) : relay::cmd_serve(s);
    if (*status) return relay::cmd_status(data, json);
    if (*backup) return relay::cmd_backup(data, backup_to);
    if (*check) return relay::cmd_check(data, backup_folder);
    if (*restore) return relay::cmd_restore(data, restore_from);
    if (*purge) return relay::cmd_purge(data, days_ahead);
    if (*key_rotate) return relay::cmd_key_rotate(data);
    if (*key_retire) return relay::cmd_key_retire(data);
    if (*address) return cmd_address(data, endpoint, old_address, min_serial);
    if (*org_new) return cmd_org_key_new(out, insecure);
    if (*dir_sign) return cmd_directory_sign(org_key, cards, signpost, serial, valid_days, out);
    if (*dir_check) return cmd_directory_check(cards, signpost, file, org_public);
    if (*dir_publish) return cmd_directory_publish(channel, file);
  } catch (const std::exception& e) {
    std::cerr << "relay: error: " << e.what() << std::endl;
    return kExitInternal;
  }
  return 0;
}
