// `adviser-client`: the confidential adviser's program. Creates the
// adviser's identity and card, keeps prekeys topped up at the relay, collects
// reports into an encrypted local case store, and sends replies.
//
// Exit codes: 0 ok, 1 usage, 2 the operation failed (message on stderr),
// 3 internal error. Passphrases are read from the terminal without echo, or
// one line per prompt from stdin when it is not a terminal; never from argv
// or the environment.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "case_store.hpp"
#include "home.hpp"
#include "inbox.hpp"
#include "key_file.hpp"
#include "meldpunt/client/terminal.hpp"
#include "meldpunt/crypto/init.hpp"
#include "meldpunt/crypto/random.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "meldpunt/protocol/letter.hpp"
#include "text.hpp"

namespace {

using namespace meldpunt;
using namespace meldpunt::adviser;
namespace fs = std::filesystem;

constexpr int kExitUsage = 1;
constexpr int kExitFailed = 2;
constexpr int kExitInternal = 3;

// An expected failure, carried to main() and turned into exit code 2.
struct Failure {
  Error error;
};

[[noreturn]] void fail(const Error& e) { throw Failure{e}; }
[[noreturn]] void fail(ErrorCode code, std::string message) { throw Failure{Error{code, std::move(message)}}; }

template <typename T>
T check(Result<T> r) {
  if (!r) fail(r.error());
  return std::move(r).value();
}
void check(const Status& s) {
  if (!s) fail(s.error());
}

void out(std::string_view text) { client::write_out(text); }

crypto::SecretBuffer new_passphrase() {
  auto first = client::read_secret_line("New passphrase for your adviser key file (at least 12 characters): ");
  if (!first) fail(first.error().code, "reading the passphrase: " + first.error().message);
  if (first->size() < kMinPassphraseLength) {
    fail(ErrorCode::kMalformed, "the passphrase is too short (at least " + std::to_string(kMinPassphraseLength) +
                                    " characters); nothing was created");
  }
  auto second = client::read_secret_line("Repeat the passphrase: ");
  if (!second) fail(second.error().code, "reading the passphrase: " + second.error().message);
  if (!first->equals(*second)) fail(ErrorCode::kMalformed, "the two passphrases differ; nothing was created");
  return std::move(first).value();
}

// Asks for the passphrase only once the key file is known to exist, so a
// wrong --home fails before anyone types a secret.
void require_identity(const Home& home) {
  std::error_code ec;
  if (!fs::exists(home.key_file(), ec)) {
    fail(ErrorCode::kNotFound, "no adviser identity in " + home.root.string() +
                                   " (create one with `adviser-client init`, or pass --home)");
  }
}

KeyFile unlock(const Home& home) {
  require_identity(home);
  check(make_private_folder(home.root));
  auto passphrase = client::read_secret_line("Passphrase: ");
  if (!passphrase) fail(passphrase.error().code, "reading the passphrase: " + passphrase.error().message);
  return check(KeyFile::unlock(home.key_file(), *passphrase));
}

CaseStore open_store(const Home& home, const KeyFile& key_file) {
  check(make_private_folder(home.store_folder()));
  return check(CaseStore::open(home.store_folder(), key_file.identity().store_key));
}

protocol::ChannelAddress parse_channel(const std::string& text) {
  auto address = protocol::parse_address(text);
  if (!address) fail(ErrorCode::kMalformed, "--channel: " + address.error().message);
  return std::move(address).value();
}

client::ConnectionOptions connection_options(unsigned timeout_seconds) {
  client::ConnectionOptions options;
  options.timeout = std::chrono::seconds(timeout_seconds);
  return options;
}

[[noreturn]] void fail_relay(const Error& e, const protocol::ChannelAddress& address) {
  if (e.code == ErrorCode::kUnavailable) {
    fail(ErrorCode::kUnavailable, "cannot reach the relay at " + address.endpoint +
                                      " (no answer); check the channel address and that the relay is running");
  }
  fail(e);
}

crypto::Directory fetch_directory(client::RelayConnection& relay, const protocol::ChannelAddress& address) {
  auto directory = client::fetch_directory(relay, address.org_sign_pk);
  if (!directory) {
    if (directory.error().code == ErrorCode::kNotFound) {
      fail(ErrorCode::kNotFound,
           "the relay has no adviser directory yet; ask the administrator to publish one "
           "(`relay directory sign` with your card, then `relay directory publish`)");
    }
    fail_relay(directory.error(), address);
  }
  return std::move(directory).value();
}

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

void print_cases(const CaseStore& store) {
  std::vector<CaseRecord> cases = check(store.list_cases());
  if (cases.empty()) {
    out("No cases yet.\n");
    return;
  }
  std::stable_sort(cases.begin(), cases.end(),
                   [](const CaseRecord& a, const CaseRecord& b) { return a.last_activity > b.last_activity; });
  std::ostringstream table;
  table << pad("CASE", kCaseIdChars + 2) << pad("STATUS", 14) << pad("MESSAGES", 10) << pad("LAST ACTIVITY", 18)
        << "\n";
  for (const CaseRecord& c : cases) {
    table << pad(c.id(), kCaseIdChars + 2) << pad(std::string(status_keyword(c.status)), 14)
          << pad(std::to_string(c.next_sequence), 10) << pad(format_minute(c.last_activity), 18);
    if (c.unread > 0) table << "NEW (" << c.unread << " unread)";
    table << "\n";
  }
  out(table.str());
}

// ---- subcommands ----

struct InitArgs {
  std::string name, role, description_nl, description_en;
  bool insecure_kdf = false;
};

int cmd_init(const Home& home, const InitArgs& args) {
  std::error_code ec;
  if (fs::exists(home.key_file(), ec)) {
    fail(ErrorCode::kIo, home.key_file().string() + " already exists; refusing to overwrite an adviser identity");
  }
  AdviserProfile profile;
  profile.role = check(crypto::parse_role(args.role));
  profile.name = args.name;
  profile.description_nl = args.description_nl;
  profile.description_en = args.description_en;
  check(validate_profile(profile));
  crypto::random_fill(profile.id);

  check(make_private_folder(home.root));  // a shared or foreign folder is refused before any secret is typed
  crypto::SecretBuffer passphrase = new_passphrase();
  const crypto::KdfParams params =
      args.insecure_kdf ? crypto::KdfParams::insecure_for_tests() : crypto::KdfParams::production();
  KeyFile key_file = check(KeyFile::create(home.key_file(), passphrase, params, std::move(profile),
                                           crypto::AdviserIdentity::generate()));
  const crypto::DirectoryEntry entry = directory_entry(key_file.profile(), key_file.identity());
  const std::string card = crypto::make_card(entry, key_file.identity().sign.sk);
  check(crypto::write_file_atomically(home.card_file(), as_bytes(card + "\n"), 0644));
  // Create the store now, so a wrong home folder shows up at once.
  (void)open_store(home, key_file);

  out("Adviser identity created in " + home.root.string() + "\n" +
      "  name:       " + entry.name + "\n" +
      "  role:       " + std::string(crypto::role_keyword(entry.role)) + "\n" +
      "  adviser id: " + to_hex(entry.id) + "\n\n" +
      "Your adviser card (also in " + home.card_file().string() + "):\n\n" + card + "\n\n" +
      "Next steps:\n"
      "  1. Give the card to the administrator (it holds only public keys). Compare the adviser id\n"
      "     above with the one `relay directory sign` prints, by phone or in person.\n"
      "  2. The administrator signs a directory with it and publishes it:\n"
      "       relay directory sign --org-key org.key --adviser card.txt ... --serial N --out dir.signed\n"
      "       relay directory publish --channel ADDRESS --file dir.signed\n"
      "  3. Run `adviser-client inbox --channel ADDRESS` to upload prekeys and collect reports.\n"
      "Keep the passphrase safe: without it the key file and every case stored here cannot be opened.\n");
  return 0;
}

int cmd_card(const Home& home) {
  auto card = crypto::read_file(home.card_file(), 64 * 1024);
  if (!card) {
    if (card.error().code == ErrorCode::kNotFound) {
      fail(ErrorCode::kNotFound, "no card in " + home.root.string() + " (create an identity with `adviser-client init`)");
    }
    fail(card.error());
  }
  out(terminal_safe_label(std::string_view(reinterpret_cast<const char*>(card->data()), card->size())) + "\n");
  return 0;
}

int cmd_inbox(const Home& home, const std::string& channel, unsigned timeout) {
  const protocol::ChannelAddress address = parse_channel(channel);
  require_identity(home);
  check(make_private_folder(home.root));
  FolderLock lock = check(FolderLock::acquire(home.lock_file()));
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);

  client::RelayConnection relay(address, connection_options(timeout));
  const crypto::Directory directory = fetch_directory(relay, address);
  auto summary = sync_inbox(relay, directory, key_file, store);
  if (!summary) fail_relay(summary.error(), address);

  std::ostringstream report;
  report << summary->stored << " new message" << (summary->stored == 1 ? "" : "s");
  if (summary->prekeys && summary->prekeys->checked) {
    report << "; " << summary->prekeys->at_relay << " prekeys at the relay";
  } else if (summary->prekeys) {
    report << "; prekeys checked at " << format_minute(key_file.profile().prekeys_checked_at);
  }
  report << ".\n";
  out(report.str());
  if (summary->prekey_error) {
    client::write_err("adviser-client: warning: prekeys were not topped up: " + summary->prekey_error->message + "\n");
  }
  if (summary->unreadable > 0) {
    client::write_err("adviser-client: warning: " + std::to_string(summary->unreadable) +
                      " message(s) addressed to you could not be opened (damaged, or sent to a prekey this "
                      "key file no longer holds)\n");
  }
  if (summary->ignored > 0) {
    client::write_err("adviser-client: note: " + std::to_string(summary->ignored) +
                      " letter(s) that are not reports for you were left at the relay\n");
  }
  if (summary->delete_pending > 0) {
    client::write_err("adviser-client: note: " + std::to_string(summary->delete_pending) +
                      " stored message(s) could not be deleted at the relay yet; the next inbox retries\n");
  }
  print_cases(store);
  return 0;
}

int cmd_cases(const Home& home) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  print_cases(store);
  return 0;
}

int cmd_read(const Home& home, const std::string& case_id) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const CaseRecord c = check(store.find_case(case_id));
  const std::vector<MessageRecord> messages = check(store.messages(c.key));

  std::string header = "Case " + c.id() + "   status: " + std::string(status_keyword(c.status)) +
                       "   opened: " + format_minute(c.created_at) + "   messages: " + std::to_string(messages.size()) +
                       "\n";
  if (!c.other_advisers.empty()) {
    header += "The reporter also wrote to: ";
    for (std::size_t i = 0; i < c.other_advisers.size(); ++i) {
      const OtherAdviser& a = c.other_advisers[i];
      if (i > 0) header += ", ";
      header += a.name.empty() ? "adviser " + to_hex(a.id) + " (not in the directory)" : terminal_safe_label(a.name);
    }
    header += "\n";
  } else {
    header += "The reporter wrote to you only.\n";
  }
  out(header);
  for (const MessageRecord& m : messages) {
    out("\n--- " + format_minute(m.sent_at) + "  " + (m.direction == Direction::kIn ? "reporter" : "you") + " ---\n");
    const crypto::SecretBuffer safe = terminal_safe(m.body.view());
    out(safe.text());
    if (safe.empty() || safe.data()[safe.size() - 1] != '\n') out("\n");
  }
  check(store.mark_read(c.key));
  return 0;
}

int cmd_reply(const Home& home, const std::string& case_id, const std::string& channel, const std::string& file,
              unsigned timeout) {
  const protocol::ChannelAddress address = parse_channel(channel);
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const CaseRecord c = check(store.find_case(case_id));

  const std::size_t max = protocol::max_body_bytes(0);
  Result<crypto::SecretBuffer> body = Error{ErrorCode::kInternal, "no message"};
  if (!file.empty()) {
    body = client::read_file_secret(file, max);
  } else if (client::stdin_is_terminal()) {
    body = compose_in_editor(home.root, max);
  } else {
    body = client::read_stdin_to_end(max);
  }
  if (!body) {
    if (body.error().code == ErrorCode::kTooLarge) {
      fail(ErrorCode::kTooLarge, "the reply is longer than " + std::to_string(max) + " bytes; nothing was sent");
    }
    fail(body.error());
  }
  const bool blank = std::all_of(body->data(), body->data() + body->size(),
                                 [](std::uint8_t b) { return b == ' ' || b == '\n' || b == '\r' || b == '\t'; });
  if (blank) fail(ErrorCode::kMalformed, "the reply is empty; nothing was sent");
  if (!is_valid_utf8(body->view())) fail(ErrorCode::kMalformed, "the reply is not UTF-8 text; nothing was sent");

  client::RelayConnection relay(address, connection_options(timeout));
  auto sent = send_reply(relay, key_file, store, c, *body);
  if (!sent) fail_relay(sent.error(), address);
  out("Reply sent in case " + c.id() + " (" + std::to_string(body->size()) + " bytes).\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    meldpunt::crypto::init();
  } catch (const std::exception& e) {
    std::cerr << "adviser-client: internal error: " << e.what() << std::endl;
    return kExitInternal;
  }
  if (!meldpunt::crypto::harden_process()) {
    std::cerr << "adviser-client: warning: could not disable core dumps" << std::endl;
  }

  CLI::App app{
      "adviser-client: the confidential adviser's side of the anonymous reporting channel.\n"
      "Reports arrive end-to-end encrypted through the relay; they are kept in an encrypted\n"
      "store in your home folder, unlocked with your passphrase (asked for without echo, or one\n"
      "line from stdin when stdin is not a terminal; never on the command line).\n\n"
      "Getting started:\n"
      "  adviser-client init --name \"Anna de Vries\" --role internal \\\n"
      "      --description-nl \"Vertrouwenspersoon integriteit\" --description-en \"Confidential adviser, integrity\"\n"
      "  adviser-client card                                  (hand this to the administrator)\n"
      "  adviser-client inbox --channel meldpunt1:...@tcp://relay.example.org:7450\n"
      "  adviser-client read 3fa9c0\n"
      "  adviser-client reply 3fa9c0 --channel meldpunt1:...@tcp://relay.example.org:7450\n",
      "adviser-client"};
  app.require_subcommand(1);
  app.footer("Exit codes: 0 ok, 1 usage, 2 the operation failed, 3 internal error.\n"
             "More: docs/adviser-client.md");

  std::string home_arg, channel, case_id, file;
  unsigned timeout = 15;
  InitArgs init_args;

  auto add_home = [&](CLI::App* cmd) {
    cmd->add_option("--home", home_arg, "Home folder with your identity and cases (default ~/.meldpunt-adviser)");
  };
  auto add_channel = [&](CLI::App* cmd) {
    cmd->add_option("--channel", channel, "Channel address (meldpunt1:...@tcp://HOST:PORT, from `relay address`)")
        ->required();
    cmd->add_option("--timeout", timeout, "Seconds to wait for each relay answer")
        ->capture_default_str()
        ->check(CLI::Range(1u, 600u));
  };

  auto* init = app.add_subcommand("init", "Create your identity (keys, key file, card); asks for a new passphrase twice");
  init->footer("Example:\n  adviser-client init --name \"Anna de Vries\" --role internal \\\n"
               "      --description-nl \"Interne vertrouwenspersoon\" --description-en \"Internal confidential adviser\"\n"
               "Roles: internal, external, committee, integrity. Refuses to overwrite an existing identity.");
  init->add_option("--name", init_args.name, "Your name as reporters will see it (1-128 bytes)")->required();
  init->add_option("--role", init_args.role, "internal | external | committee | integrity")->required();
  init->add_option("--description-nl", init_args.description_nl, "Short description in Dutch (at most 1024 bytes)")
      ->required();
  init->add_option("--description-en", init_args.description_en, "Short description in English (at most 1024 bytes)")
      ->required();
  init->add_flag("--insecure-test-kdf", init_args.insecure_kdf,
                 "Cheap passphrase stretching, for automated tests only (never for a real identity)");
  add_home(init);

  auto* card = app.add_subcommand("card", "Print your adviser card (public; give it to the administrator)");
  card->footer("Example:\n  adviser-client card > anna.card   (then: relay directory sign ... --adviser anna.card)");
  add_home(card);

  auto* inbox = app.add_subcommand("inbox", "Top up prekeys, collect new reports and list your cases");
  inbox->footer("Example:\n  adviser-client inbox --channel meldpunt1:...@tcp://relay.example.org:7450\n"
                "Cases with unread messages are marked NEW. Messages are deleted at the relay only\n"
                "after they are safely in your local store.");
  add_channel(inbox);
  add_home(inbox);

  auto* cases = app.add_subcommand("cases", "List your cases (offline), most recent activity first");
  cases->footer("Example:\n  adviser-client cases");
  add_home(cases);

  auto* read = app.add_subcommand("read", "Show a case's conversation and mark it read (offline)");
  read->footer("Example:\n  adviser-client read 3fa9c0     (at least 4 characters of the case id)");
  read->add_option("CASE", case_id, "Case id as `cases` shows it, or a unique prefix of at least 4 characters")
      ->required();
  add_home(read);

  auto* reply = app.add_subcommand("reply", "Send a reply to the reporter of a case");
  reply->footer("Examples:\n"
                "  adviser-client reply 3fa9c0 --channel ADDRESS                 (opens $EDITOR)\n"
                "  adviser-client reply 3fa9c0 --channel ADDRESS --file answer.txt\n"
                "  { pass show meldpunt; cat answer.txt; } | adviser-client reply 3fa9c0 --channel ADDRESS\n"
                "With stdin not a terminal (scripts), the first line is the passphrase and the rest the message.");
  reply->add_option("CASE", case_id, "Case id or a unique prefix of at least 4 characters")->required();
  reply->add_option("--file", file, "Read the message from this file")->check(CLI::ExistingFile);
  add_channel(reply);
  add_home(reply);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }

  try {
    const Home home{home_arg.empty() ? default_home_folder() : fs::path(home_arg)};
    if (*init) return cmd_init(home, init_args);
    if (*card) return cmd_card(home);
    if (*inbox) return cmd_inbox(home, channel, timeout);
    if (*cases) return cmd_cases(home);
    if (*read) return cmd_read(home, case_id);
    if (*reply) return cmd_reply(home, case_id, channel, file, timeout);
  } catch (const Failure& f) {
    client::write_err("adviser-client: error: " + f.error.message + "\n");
    return kExitFailed;
  } catch (const std::exception& e) {
    std::cerr << "adviser-client: internal error: " << e.what() << std::endl;
    return kExitInternal;
  }
  return kExitInternal;
}
