// `adviser-client`: the confidential adviser's program. Creates the
// adviser's identity and card, keeps prekeys topped up at the relay, collects
// reports into an encrypted local case store, sends replies, and does the
// case work: statuses and deadlines, private notes, exports, evaluation
// counts, passphrase change, backup and restore.
//
// Exit codes (cli/program.hpp): 0 done, 1 usage, 2 the operation failed
// (message on stderr), 3 internal error. Passphrases are read from the
// terminal without echo, or one line per prompt from stdin when it is not a
// terminal; never from argv or the environment.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>

#include <stdlib.h>

#include <CLI/CLI.hpp>

#include "archive.hpp"
#include "attachments.hpp"
#include "case_store.hpp"
#include "casework.hpp"
#include "commands/inbox_report.hpp"
#include "home.hpp"
#include "inbox.hpp"
#include "key_file.hpp"
#include "refusal.hpp"
#include "meldpunt/cli/passphrase_prompt.hpp"
#include "meldpunt/cli/program.hpp"
#include "meldpunt/client/terminal.hpp"
#include "meldpunt/crypto/random.hpp"
#include "meldpunt/os/files.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "meldpunt/protocol/letter.hpp"
#include "text.hpp"
#include "usecases/acknowledge.hpp"
#include "usecases/attachment.hpp"
#include "usecases/backup.hpp"
#include "usecases/case_history.hpp"
#include "usecases/change_status.hpp"
#include "usecases/export_case.hpp"
#include "usecases/file_case.hpp"
#include "usecases/handover.hpp"
#include "usecases/identity.hpp"
#include "usecases/inbox_run.hpp"
#include "usecases/notes.hpp"
#include "usecases/open_store.hpp"
#include "usecases/read_case.hpp"
#include "usecases/reply.hpp"
#include "usecases/relay_directory.hpp"
#include "usecases/settings.hpp"
#include "usecases/stats.hpp"

namespace {

using namespace meldpunt;
using namespace meldpunt::adviser;
namespace fs = std::filesystem;

using cli::kExitFailed;
using cli::kExitInternal;

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
void err(std::string_view text) { client::write_err(text); }

// A new passphrase, asked twice (again on a terminal after a slip:
// cli/passphrase_prompt.hpp). `what` names it in the prompt ("for your
// adviser key file", "for this export").
Result<crypto::SecretBuffer> new_passphrase(std::string_view what = "for your adviser key file",
                                            std::string_view nothing_done = "nothing was created") {
  cli::NewPassphrasePrompt prompt;
  prompt.first = "New passphrase " + std::string(what) + " (at least " + std::to_string(kMinPassphraseLength) +
                 " characters): ";
  prompt.min_length = kMinPassphraseLength;
  prompt.nothing_done = std::string(nothing_done);
  return cli::read_new_passphrase(prompt);
}

// A passphrase asked once, without echo (a use case's SecretSource).
usecase::SecretSource passphrase_prompt(std::string prompt) {
  return [prompt = std::move(prompt)]() -> Result<crypto::SecretBuffer> {
    auto passphrase = client::read_secret_line(prompt);
    if (!passphrase) return Error{passphrase.error().code, "reading the passphrase: " + passphrase.error().message};
    return passphrase;
  };
}

crypto::KdfParams kdf_params(bool insecure) {
  return insecure ? crypto::KdfParams::insecure_for_tests() : crypto::KdfParams::production();
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
  const crypto::SecretBuffer passphrase = check(passphrase_prompt("Passphrase: ")());
  return check(KeyFile::unlock(home.key_file(), passphrase));
}

CaseStore open_store(const Home& home, const KeyFile& key_file) {
  return check(usecase::open_case_store(home, key_file));
}

protocol::ChannelAddress parse_channel(const std::string& text) {
  auto address = protocol::parse_address(text);
  if (!address) fail(ErrorCode::kMalformed, "--channel: " + address.error().message);
  if (!address->checked) {
    err("note: this channel address has the old form (meldpunt1:) without check characters; a copy mistake "
        "then shows only as a failed connection or a refused directory. Ask the administrator for the current "
        "address (`relay address` prints one starting with meldpunt2:).\n");
  }
  return std::move(address).value();
}

// "HOST:PORT" of the SOCKS5 proxy given with --proxy (parsed once in main),
// empty for direct connections.
std::string socks_proxy;

client::ConnectionOptions connection_options(unsigned timeout_seconds) {
  client::ConnectionOptions options;
  options.timeout = std::chrono::seconds(timeout_seconds);
  options.socks_proxy = socks_proxy;
  // A busy relay is asked again after a pause: say so, rather than seem to hang.
  options.on_retry = [](const client::RetryNotice& n) {
    std::cerr << "adviser-client: the relay is busy; trying again in " << (n.delay.count() + 999) / 1000
              << " s (attempt " << n.next_attempt << " of " << n.max_attempts << ")\n";
  };
  return options;
}

// A relay that does not answer is named with its address; other errors as
// they came.
Error relay_error(const Error& e, const protocol::ChannelAddress& address) {
  if (e.code == ErrorCode::kUnavailable) {
    return Error{ErrorCode::kUnavailable, "cannot reach the relay at " + address.endpoint +
                                              " (no answer); check the channel address and that the relay is running"};
  }
  return e;
}

[[noreturn]] void fail_relay(const Error& e, const protocol::ChannelAddress& address) { fail(relay_error(e, address)); }

// check() for a use case that talks to the relay.
template <typename T>
T check_relay(Result<T> r, const protocol::ChannelAddress& address) {
  if (!r) fail_relay(r.error(), address);
  return std::move(r).value();
}

void print_cases(const CaseStore& store) {
  usecase::CaseList list = check(usecase::list_cases(store));
  out(case_table(std::move(list.cases), list.settings, now_seconds()));
}

// A message or note: from --file, the editor on a terminal, or the rest of
// stdin after the passphrase line. Refuses empty and non-UTF-8 text.
Result<crypto::SecretBuffer> compose_text(const Home& home, const std::string& file, std::size_t max,
                                          std::string_view what, std::string_view nothing_done) {
  Result<crypto::SecretBuffer> body = Error{ErrorCode::kInternal, "no text"};
  if (!file.empty()) {
    body = client::read_file_secret(file, max);
  } else if (client::stdin_is_terminal()) {
    body = compose_in_editor(home.root, max);
  } else {
    body = client::read_stdin_to_end(max);
  }
  const std::string refused = "; " + std::string(nothing_done);
  if (!body) {
    if (body.error().code == ErrorCode::kTooLarge) {
      return Error{ErrorCode::kTooLarge, "the " + std::string(what) + " is longer than " + std::to_string(max) +
                                             " bytes" + refused};
    }
    if (body.error().code == ErrorCode::kNotFound && file.empty()) {
      return Error{ErrorCode::kMalformed, "the " + std::string(what) + " is empty" + refused};
    }
    return body.error();
  }
  const bool blank = std::all_of(body->data(), body->data() + body->size(),
                                 [](std::uint8_t b) { return b == ' ' || b == '\n' || b == '\r' || b == '\t'; });
  if (blank) return Error{ErrorCode::kMalformed, "the " + std::string(what) + " is empty" + refused};
  if (!is_valid_utf8(body->view())) {
    return Error{ErrorCode::kMalformed, "the " + std::string(what) + " is not UTF-8 text" + refused};
  }
  return body;
}

// ---- subcommands ----

int cmd_init(const Home& home, const usecase::InitRequest& request, bool insecure_kdf) {
  const usecase::CreatedIdentity created =
      check(usecase::create_identity(home, request, [] { return new_passphrase(); }, kdf_params(insecure_kdf)));
  const crypto::DirectoryEntry& entry = created.entry;
  out("Adviser identity created in " + home.root.string() + "\n" +
      "  name:       " + entry.name + "\n" +
      "  role:       " + std::string(crypto::role_keyword(entry.role)) + "\n" +
      "  adviser id: " + to_hex(entry.id) + "\n\n" +
      "Your adviser card (also in " + home.card_file().string() + "):\n\n" + created.card + "\n\n" +
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
  out(terminal_safe_label(check(usecase::read_card(home))) + "\n");
  return 0;
}

int cmd_inbox(const Home& home, const std::string& channel, unsigned timeout) {
  const protocol::ChannelAddress address = parse_channel(channel);
  require_identity(home);
  check(make_private_folder(home.root));
  os::FolderLock lock = check(lock_home_folder(home.lock_file()));
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const InboxSummary summary =
      check_relay(usecase::run_inbox(address, connection_options(timeout), key_file, store, now_seconds()), address);
  render_inbox_summary(summary, out, err);
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
  const usecase::CaseView v = check(usecase::read_case(store, case_id));
  out(render_case_header(v.record, v.settings, now_seconds(), v.messages.size()));
  out(render_conversation(v.messages).text());
  if (!v.attachments.empty()) {
    out("\n=== Attachments (never opened here; save one with `adviser-client attachment " + v.record.id() +
        " N --save FOLDER`) ===\n" + render_attachments(v.attachments));
  }
  if (!v.notes.empty()) {
    out("\n=== Your private notes (kept here only, never sent) ===\n");
    out(render_notes(v.notes).text());
  }
  check(usecase::mark_read(store, v.record));
  return 0;
}

int cmd_reply(const Home& home, const std::string& channel, const std::string& file, unsigned timeout,
              const usecase::ReplyRequest& request) {
  const protocol::ChannelAddress address = parse_channel(channel);
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const auto text = [&] {
    return compose_text(home, file, protocol::max_reply_body_bytes(), "reply", "nothing was sent");
  };
  const usecase::ReplySent sent = check_relay(
      usecase::send_case_reply(address, connection_options(timeout), key_file, store, request, text), address);
  if (sent.envelopes) {
    out("Reply sent in case " + sent.record.id() + (sent.body_bytes == 0 ? " (attachments only)" : "") + ", " +
        std::to_string(*sent.envelopes) + " envelope(s):\n" + render_attachments(sent.files));
  } else {
    out("Reply sent in case " + sent.record.id() + " (" + std::to_string(sent.body_bytes) + " bytes).\n");
  }
  return 0;
}

int cmd_handover(const Home& home, const std::string& case_id, const std::string& to, const std::string& channel,
                 const std::string& file, unsigned timeout) {
  const protocol::ChannelAddress address = parse_channel(channel);
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  usecase::SecretSource note;
  if (!file.empty()) {
    note = [&] {
      return compose_text(home, file, protocol::kMaxHandoverNoteBytes, "note for the reporter", "nothing was sent");
    };
  }
  const usecase::HandoverProposed proposed = check_relay(
      usecase::hand_over_case(address, connection_options(timeout), key_file, store, case_id, to, note, now_seconds),
      address);
  const std::string name = terminal_safe_label(proposed.target.name);
  out("Hand-over of case " + proposed.record.id() + " to " + name + " (" +
      std::string(crypto::role_keyword(proposed.target.role)) +
      ") proposed to the reporter.\n"
      "The reporter sees the proposal at their next `check` and accepts or declines. Nothing is sent to " +
      name + " unless the reporter accepts; then their client sends " + name +
      " the conversation and `adviser-client inbox` shows the answer here.\n");
  if (proposed.earlier_proposals_open) {
    out("Your earlier proposal(s) for this case stay open until the reporter answers one: whichever the reporter\n"
        "accepts first takes effect.\n");
  }
  return 0;
}

// ---- case work ----

int cmd_status(const Home& home, const std::string& case_id, const std::string& word) {
  const StatusAction action = check(parse_status_action(word));
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const usecase::StatusChange change = check(usecase::change_status(store, case_id, action, now_seconds()));
  out("Case " + change.after.id() + ": " + std::string(status_keyword(change.before.status)) + " -> " +
      std::string(status_keyword(change.after.status)) + "   due: " + describe_deadline(change.due) + "\n");
  return 0;
}

int cmd_history(const Home& home, const std::string& case_id) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const usecase::CaseHistory h = check(usecase::case_history(store, case_id));
  out(render_case_header(h.record, h.settings, now_seconds(), h.record.next_sequence) + "\n" +
      render_history(h.entries));
  return 0;
}

struct AcknowledgeArgs {
  std::string case_id, channel, text, file;
  unsigned timeout = 15;
};

int cmd_acknowledge(const Home& home, const AcknowledgeArgs& args) {
  const protocol::ChannelAddress address = parse_channel(args.channel);
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const auto text = [&](const Settings& settings) -> Result<crypto::SecretBuffer> {
    if (!args.text.empty()) return crypto::SecretBuffer::copy_of(std::string_view(args.text));
    if (!args.file.empty()) {
      return compose_text(home, args.file, protocol::max_reply_body_bytes(), "acknowledgement", "nothing was sent");
    }
    return crypto::SecretBuffer::copy_of(std::string_view(usecase::default_acknowledgement(settings)));
  };
  const usecase::Acknowledged done = check_relay(
      usecase::acknowledge(address, connection_options(args.timeout), key_file, store, args.case_id, text, now_seconds),
      address);
  out("Acknowledgement sent in case " + done.record.id() + "; status acknowledged.   due: " +
      describe_deadline(done.due) + "\n");
  return 0;
}

int cmd_settings(const Home& home, std::optional<unsigned> ack_days, std::optional<unsigned> feedback_months) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const usecase::SettingsOutcome outcome = check(usecase::update_settings(store, ack_days, feedback_months));
  if (outcome.saved) out("Settings saved.\n");
  out("Acknowledge within:  " + std::to_string(outcome.settings.ack_days) + " days of the first message\n" +
      "Feedback within:     " + std::to_string(outcome.settings.feedback_months) + " months of the acknowledgement\n");
  return 0;
}

int cmd_note(const Home& home, const std::string& case_id, const std::string& file) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const auto text = [&] { return compose_text(home, file, kMaxNoteBytes, "note", "nothing was saved"); };
  const CaseRecord c = check(usecase::add_note(store, case_id, text, now_seconds));
  out("Private note saved in case " + c.id() + " (kept in your encrypted store only; never sent).\n");
  return 0;
}

int cmd_notes(const Home& home, const std::string& case_id) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const usecase::CaseNotes n = check(usecase::case_notes(store, case_id));
  out("Private notes of case " + n.record.id() + " (never sent): " + std::to_string(n.notes.size()) + "\n");
  out(render_notes(n.notes).text());
  return 0;
}

int cmd_attachment(const Home& home, const std::string& case_id, std::size_t number, const std::string& save_dir) {
  if (!save_dir.empty()) {
    std::error_code ec;
    if (!fs::is_directory(save_dir, ec)) fail(ErrorCode::kNotFound, "--save: no folder " + save_dir + "; create it first");
  }
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const usecase::FoundAttachment found = check(usecase::find_attachment(store, case_id, number));
  out(describe_attachment(found.attachment, number));
  if (save_dir.empty()) {
    out("Save it with: adviser-client attachment " + found.record.id() + " " + std::to_string(number) +
        " --save FOLDER   (it is never opened or run by this program)\n");
    return 0;
  }
  const crypto::SecretBuffer saved = check(usecase::save_attachment(store, found, save_dir));
  out("Saved as " + terminal_safe_label((fs::path(save_dir) / std::string(saved.text())).string()) +
      " (mode 0600, not executable; checksum verified). It is now outside the encrypted case store:\n"
      "delete it when you no longer need it, and open it only with a program you trust for this kind of file.\n");
  return 0;
}

int cmd_export(const Home& home, const usecase::ExportRequest& request, bool insecure_kdf) {
  check(usecase::require_new_file(request.out_file));
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const auto passphrase = [] { return new_passphrase("for this export", "nothing was written"); };
  const CaseRecord c = check(usecase::export_case(store, key_file.profile(), request, passphrase,
                                                  kdf_params(insecure_kdf), now_seconds()));
  out("Case " + c.id() + " exported to " + request.out_file +
      (request.plain ? " as PLAIN TEXT: anyone who can read the file can read the case.\n"
                     : " (encrypted; open it with `adviser-client export-open " + request.out_file + "`).\n"));
  return 0;
}

int cmd_export_open(const std::string& file) {
  const crypto::SecretBuffer document = check(usecase::open_case_export(file, passphrase_prompt("Export passphrase: ")));
  // The export holds text from anonymous reporters: keep it from the terminal's control.
  out(terminal_safe(document.view()).text());
  return 0;
}

int cmd_file(const Home& home, const std::string& case_id, const Filing& filing, bool clear) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const usecase::FilingOutcome outcome = check(usecase::file_case(store, case_id, filing, clear));
  if (!outcome.filing) {
    out("Case " + outcome.record.id() + " is no longer filed under a group or kind.\n");
    return 0;
  }
  const Filing& f = *outcome.filing;
  out("Case " + outcome.record.id() + " filed under group " + (f.group.empty() ? "-" : f.group) + ", kind " +
      (f.kind.empty() ? "-" : f.kind) + " (kept in your encrypted store; counted by `stats`).\n");
  return 0;
}

int cmd_stats(const Home& home, bool json) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const StatsReport report = check(usecase::case_stats(store, key_file.profile().role));
  out(json ? stats_json(report) : stats_text(report));
  return 0;
}

int cmd_passphrase(const Home& home, bool insecure_kdf) {
  require_identity(home);
  check(make_private_folder(home.root));
  // An inbox run saves the key file under the old box; never interleave.
  os::FolderLock lock = check(lock_home_folder(home.lock_file()));
  KeyFile key_file = unlock(home);
  const auto passphrase = [] { return new_passphrase("for your adviser key file", "nothing was changed"); };
  check(usecase::change_passphrase(key_file, passphrase, kdf_params(insecure_kdf)));
  out("Passphrase changed. The old passphrase no longer opens " + home.key_file().string() +
      "; copies of the key file made before (backups) still open with it.\n");
  return 0;
}

int cmd_backup(const Home& home, const std::string& out_file, bool insecure_kdf) {
  check(usecase::require_new_file(out_file));
  require_identity(home);
  check(make_private_folder(home.root));
  os::FolderLock lock = check(lock_home_folder(home.lock_file()));  // key file and store from one moment
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const auto passphrase = [] { return new_passphrase("for this backup", "nothing was written"); };
  const std::size_t bytes =
      check(usecase::write_backup(home, store, out_file, passphrase, kdf_params(insecure_kdf)));
  out("Backup written to " + out_file + " (" + std::to_string(bytes) +
      " bytes, encrypted under the backup passphrase; the key file inside still needs your passphrase).\n"
      "Restore it with `adviser-client restore --from " + out_file + " --home NEW-FOLDER`.\n");
  return 0;
}

int cmd_restore(const Home& home, const std::string& from) {
  check(usecase::restore_backup(home, from, passphrase_prompt("Backup passphrase: ")));
  out("Restored into " + home.root.string() + ". Checking it with your adviser passphrase.\n");
  const crypto::SecretBuffer passphrase = check(passphrase_prompt("Passphrase: ")());
  KeyFile key_file = check(KeyFile::unlock(home.key_file(), passphrase));
  CaseStore store = open_store(home, key_file);
  const std::size_t cases = check(usecase::count_cases(store));
  out("The key file opens and its case store holds " + std::to_string(cases) + (cases == 1 ? " case" : " cases") +
      ". Run `adviser-client inbox` to carry on; reports sent to prekeys made after the backup cannot be opened.\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (Status started = cli::start_up(); !started) return cli::fail_start_up("adviser-client", started.error());

  CLI::App app{
      "adviser-client: the confidential adviser's side of the anonymous reporting channel.\n"
      "Reports arrive end-to-end encrypted through the relay; they are kept in an encrypted\n"
      "store in your home folder, unlocked with your passphrase (asked for without echo, or one\n"
      "line from stdin when stdin is not a terminal; never on the command line).\n\n"
      "Getting started:\n"
      "  adviser-client init --name \"Anna de Vries\" --role internal \\\n"
      "      --description-nl \"Vertrouwenspersoon integriteit\" --description-en \"Confidential adviser, integrity\"\n"
      "  adviser-client card                                  (hand this to the administrator)\n"
      "  adviser-client inbox --channel meldpunt2:...@tcp://relay.example.org:7450\n"
      "  adviser-client read 3fa9c0\n"
      "  adviser-client reply 3fa9c0 --channel meldpunt2:...@tcp://relay.example.org:7450\n"
      "  adviser-client acknowledge 3fa9c0 --channel meldpunt2:...   (send the acknowledgement, status acknowledged)\n"
      "  adviser-client status 3fa9c0 closed      adviser-client note 3fa9c0      adviser-client stats\n"
      "  adviser-client handover 3fa9c0 --to \"Bram Jansen\" --channel ...   (the reporter must consent)\n",
      "adviser-client"};
  app.require_subcommand(1);
  app.footer("Exit codes: 0 done, 1 usage error, 2 the operation failed, 3 internal error.\n"
             "More: docs/adviser-client.md");

  std::string home_arg, channel, case_id, file, proxy;
  bool remember_channel = false;
  unsigned timeout = 15;
  usecase::InitRequest init_args;

  auto add_home = [&](CLI::App* cmd) {
    cmd->add_option("--home", home_arg, "Home folder with your identity and cases (default ~/.meldpunt-adviser)");
  };
  auto add_channel = [&](CLI::App* cmd) {
    cmd->add_option("--channel", channel,
                    "Channel address (meldpunt2:...@tcp://HOST:PORT, from `relay address`); without it, the one "
                    "kept with --remember-channel");
    cmd->add_flag("--remember-channel", remember_channel,
                  "Keep this --channel address in the home folder (channel.txt) for later commands");
    cmd->add_option("--timeout", timeout, "Seconds to wait for each relay answer")
        ->capture_default_str()
        ->check(CLI::Range(1u, 600u));
    cmd->add_option("--proxy", proxy,
                    "Connect through a SOCKS5 proxy such as Tor, e.g. socks5h://127.0.0.1:9050 (each connection on "
                    "its own Tor circuit; without it the relay sees your address, which links your connections)");
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
  bool insecure_kdf = false;
  init->add_flag("--insecure-test-kdf", insecure_kdf,
                 "Cheap passphrase stretching, for automated tests only (never for a real identity)");
  add_home(init);

  auto* card = app.add_subcommand("card", "Print your adviser card (public; give it to the administrator)");
  card->footer("Example:\n  adviser-client card > anna.card   (then: relay directory sign ... --adviser anna.card)");
  add_home(card);

  auto* inbox = app.add_subcommand("inbox", "Top up prekeys, collect new reports and list your cases");
  inbox->footer("Example:\n  adviser-client inbox --channel meldpunt2:...@tcp://relay.example.org:7450\n"
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
                "  adviser-client reply 3fa9c0 --channel ADDRESS --file answer.txt --attach report.pdf\n"
                "  adviser-client reply 3fa9c0 --channel ADDRESS --attach scan.pdf --no-text\n"
                "  { pass show meldpunt; cat answer.txt; } | adviser-client reply 3fa9c0 --channel ADDRESS\n"
                "With stdin not a terminal (scripts), the first line is the passphrase and the rest the message.");
  reply->add_option("CASE", case_id, "Case id or a unique prefix of at least 4 characters")->required();
  reply->add_option("--file", file, "Read the message from this file")->check(CLI::ExistingFile);
  usecase::ReplyRequest reply_request;
  reply->add_option("--attach", reply_request.attach,
                    "Attach a file (repeatable; at most 8, each within the relay's max-attachment-bytes). It is\n"
                    "sent in encrypted 256 KiB pieces before the text and kept in the case");
  // No CLI::ExistingFile check: its error prints the path raw (a name may hold
  // terminal control characters); read_files_to_send says it safely.
  reply->add_flag("--no-text", reply_request.no_text, "Send the attachments without a text (no editor, no stdin text)");
  add_channel(reply);
  add_home(reply);

  std::string handover_to;
  auto* handover = app.add_subcommand("handover", "Propose to the reporter that another adviser takes the case over");
  handover->footer("Examples:\n"
                   "  adviser-client handover 3fa9c0 --to \"Bram Jansen\" --channel ADDRESS\n"
                   "  adviser-client handover 3fa9c0 --to 5d1e --channel ADDRESS --file why.txt\n"
                   "The reporter decides: they see the proposal (and your note) at their next `check` and accept\n"
                   "or decline. Only if they accept does their client send the conversation to the other adviser,\n"
                   "and from then on their messages go to that adviser instead of you; `inbox` shows the answer.\n"
                   "A new proposal for the same case replaces an unanswered one. Your private notes never travel.");
  handover->add_option("CASE", case_id, "Case id or a unique prefix of at least 4 characters")->required();
  handover->add_option("--to", handover_to, "The adviser: name as in the directory, or adviser id (prefix of 4+ hex)")
      ->required();
  handover->add_option("--file", file, "A note for the reporter explaining why (at most 4096 bytes of UTF-8)")
      ->check(CLI::ExistingFile);
  add_channel(handover);
  add_home(handover);

  std::string status_word, out_file, from_file, ack_text;
  bool plain = false, json = false;
  unsigned ack_days = 0, feedback_months = 0;
  auto add_kdf = [&](CLI::App* cmd) {
    cmd->add_flag("--insecure-test-kdf", insecure_kdf,
                  "Cheap passphrase stretching, for automated tests only (never for real use)");
  };

  auto* status = app.add_subcommand("status", "Move a case on: acknowledged, in-progress, closed, or reopen");
  status->footer("Examples:\n  adviser-client status 3fa9c0 in-progress\n  adviser-client status 3fa9c0 closed\n"
                 "  adviser-client status 3fa9c0 reopen\n"
                 "A case moves forward only (new, acknowledged, in-progress, closed); reopen takes a closed case\n"
                 "back to in-progress and restarts the feedback deadline. Every change is kept in the history.");
  status->add_option("CASE", case_id, "Case id or a unique prefix of at least 4 characters")->required();
  status->add_option("STATUS", status_word, "acknowledged | in-progress | closed | reopen")->required();
  add_home(status);

  auto* history = app.add_subcommand("history", "Show a case's history: every status change with its date");
  history->footer("Example:\n  adviser-client history 3fa9c0");
  history->add_option("CASE", case_id, "Case id or a unique prefix of at least 4 characters")->required();
  add_home(history);

  auto* acknowledge = app.add_subcommand("acknowledge", "Send the acknowledgement of receipt and mark the case acknowledged");
  acknowledge->footer("Examples:\n  adviser-client acknowledge 3fa9c0 --channel ADDRESS           (the standard text, Dutch and English)\n"
                      "  adviser-client acknowledge 3fa9c0 --channel ADDRESS --text \"Received, thank you.\"\n"
                      "  adviser-client acknowledge 3fa9c0 --channel ADDRESS --file ack.txt");
  acknowledge->add_option("CASE", case_id, "Case id or a unique prefix of at least 4 characters")->required();
  auto* ack_text_opt = acknowledge->add_option("--text", ack_text, "The acknowledgement text instead of the standard one");
  acknowledge->add_option("--file", file, "Read the acknowledgement text from this file")
      ->check(CLI::ExistingFile)
      ->excludes(ack_text_opt);
  add_channel(acknowledge);
  add_home(acknowledge);

  auto* settings = app.add_subcommand("settings", "Show or change your deadlines (stricter than the law only)");
  settings->footer("Examples:\n  adviser-client settings\n  adviser-client settings --ack-days 5 --feedback-months 2\n"
                   "Stored encrypted in your case store.");
  auto* ack_days_opt = settings->add_option("--ack-days", ack_days, "Acknowledge within N days (1-7; default 7)");
  auto* feedback_opt =
      settings->add_option("--feedback-months", feedback_months, "Give feedback within N months (1-3; default 3)");
  add_home(settings);

  auto* note = app.add_subcommand("note", "Add a private note to a case (stored encrypted here, never sent)");
  note->footer("Examples:\n  adviser-client note 3fa9c0                (opens $EDITOR)\n"
               "  adviser-client note 3fa9c0 --file call-notes.txt\n"
               "With stdin not a terminal, the first line is the passphrase and the rest the note.");
  note->add_option("CASE", case_id, "Case id or a unique prefix of at least 4 characters")->required();
  note->add_option("--file", file, "Read the note from this file")->check(CLI::ExistingFile);
  add_home(note);

  auto* notes = app.add_subcommand("notes", "Show a case's private notes");
  notes->footer("Example:\n  adviser-client notes 3fa9c0");
  notes->add_option("CASE", case_id, "Case id or a unique prefix of at least 4 characters")->required();
  add_home(notes);

  std::size_t attachment_number = 0;
  std::string save_dir;
  auto* attachment = app.add_subcommand("attachment", "Show one attachment of a case, or save it into a folder");
  attachment->footer("Examples:\n  adviser-client attachment 3fa9c0 1                       (details and checksum)\n"
                     "  adviser-client attachment 3fa9c0 1 --save ~/cases/3fa9c0    (writes a new file, mode 0600)\n"
                     "N is the number `adviser-client read CASE` shows. The file name is made safe (no folders,\n"
                     "no hidden or control characters); an existing file is never replaced (\" (1)\" is added).\n"
                     "Incomplete or damaged attachments are never saved. Nothing is ever opened or run.");
  attachment->add_option("CASE", case_id, "Case id or a unique prefix of at least 4 characters")->required();
  attachment->add_option("N", attachment_number, "The attachment's number in `read`")->required();
  attachment->add_option("--save", save_dir, "Save the attachment into this existing folder");
  add_home(attachment);

  auto* export_cmd = app.add_subcommand("export", "Write a case (conversation, notes, history) to a file, encrypted");
  export_cmd->footer("Examples:\n  adviser-client export 3fa9c0 --out case-3fa9c0.mpx      (asks for an export passphrase twice)\n"
                     "  adviser-client export 3fa9c0 --out case-3fa9c0.txt --plain   (PLAIN TEXT: handle with care)\n"
                     "Read an encrypted export with `adviser-client export-open FILE`. Never overwrites a file.");
  export_cmd->add_option("CASE", case_id, "Case id or a unique prefix of at least 4 characters")->required();
  export_cmd->add_option("--out", out_file, "The file to write (mode 0600; must not exist)")->required();
  export_cmd->add_flag("--plain", plain, "Write plain text instead of encrypting (explicit request only)");
  add_kdf(export_cmd);
  add_home(export_cmd);

  auto* export_open = app.add_subcommand("export-open", "Show an encrypted case export (asks for its passphrase)");
  export_open->footer("Example:\n  adviser-client export-open case-3fa9c0.mpx | less -R");
  export_open->add_option("FILE", from_file, "The export file")->required()->check(CLI::ExistingFile);

  Filing filing;
  bool clear_filing = false;
  auto* file_cmd = app.add_subcommand("file", "File a case under a group and kind of the directory's signpost (for stats)");
  file_cmd->footer("Examples:\n  adviser-client file 3fa9c0 --group civil-service --kind unwanted\n"
                   "  adviser-client file 3fa9c0 --kind integrity        (the group stays as it was)\n"
                   "  adviser-client file 3fa9c0 --clear\n"
                   "The ids are those of the directory's signpost (your administrator's `relay directory check`\n"
                   "lists them). You choose them; nothing the reporter sends sets them. `stats` counts by them.");
  file_cmd->add_option("CASE", case_id, "Case id or a unique prefix of at least 4 characters")->required();
  auto* group_opt = file_cmd->add_option("--group", filing.group, "Group id (e.g. civil-service)");
  auto* kind_opt = file_cmd->add_option("--kind", filing.kind, "Kind id (e.g. unwanted)");
  auto* clear_opt = file_cmd->add_flag("--clear", clear_filing, "The case is no longer filed under anything");
  clear_opt->excludes(group_opt)->excludes(kind_opt);
  add_home(file_cmd);

  auto* stats = app.add_subcommand("stats", "Counts for the organisation's evaluation (never any content)");
  stats->footer("Examples:\n  adviser-client stats\n  adviser-client stats --json\n"
                "Counts of cases by month, status and your role, by the group and kind you filed them under\n"
                "(`file`), and the median time to acknowledgement.\n"
                "Counts below 5 are shown as <5 so that no single case can be singled out.");
  stats->add_flag("--json", json, "Print JSON");
  add_home(stats);

  auto* passphrase = app.add_subcommand("passphrase", "Change the passphrase of your key file (asks for the old one)");
  passphrase->footer("Example:\n  adviser-client passphrase");
  add_kdf(passphrase);
  add_home(passphrase);

  auto* backup = app.add_subcommand("backup", "Write an encrypted backup of your identity and cases");
  backup->footer("Example:\n  adviser-client backup --out /media/usb/adviser-2025-03.mpbak   (asks for a backup passphrase twice)\n"
                 "The backup holds your key file (still under your passphrase) and a compact copy of the store.");
  backup->add_option("--out", out_file, "The file to write (mode 0600; must not exist)")->required();
  add_kdf(backup);
  add_home(backup);

  auto* restore = app.add_subcommand("restore", "Restore a backup into a new home folder");
  restore->footer("Example:\n  adviser-client restore --from adviser-2025-03.mpbak --home ~/.meldpunt-adviser\n"
                  "Asks for the backup passphrase, then your passphrase to check the restored identity.\n"
                  "Refuses a folder that already holds an identity or a case store.");
  restore->add_option("--from", from_file, "The backup file")->required()->check(CLI::ExistingFile);
  add_home(restore);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli::exit_for_parse_error(app, e);
  }

  try {
    const Home home{home_arg.empty() ? default_home_folder() : fs::path(home_arg)};
    if (*inbox || *reply || *handover || *acknowledge) channel = check(channel_for_command(home, channel, remember_channel));
    if (!proxy.empty()) socks_proxy = check(client::parse_socks_proxy(proxy));
    if (*init) return cmd_init(home, init_args, insecure_kdf);
    if (*card) return cmd_card(home);
    if (*inbox) return cmd_inbox(home, channel, timeout);
    if (*cases) return cmd_cases(home);
    if (*read) return cmd_read(home, case_id);
    if (*reply) {
      reply_request.case_id = case_id;
      return cmd_reply(home, channel, file, timeout, reply_request);
    }
    if (*handover) return cmd_handover(home, case_id, handover_to, channel, file, timeout);
    if (*status) return cmd_status(home, case_id, status_word);
    if (*history) return cmd_history(home, case_id);
    if (*acknowledge) return cmd_acknowledge(home, AcknowledgeArgs{case_id, channel, ack_text, file, timeout});
    if (*settings) {
      return cmd_settings(home, ack_days_opt->count() ? std::optional<unsigned>(ack_days) : std::nullopt,
                          feedback_opt->count() ? std::optional<unsigned>(feedback_months) : std::nullopt);
    }
    if (*note) return cmd_note(home, case_id, file);
    if (*notes) return cmd_notes(home, case_id);
    if (*attachment) return cmd_attachment(home, case_id, attachment_number, save_dir);
    if (*export_cmd) return cmd_export(home, usecase::ExportRequest{case_id, out_file, plain}, insecure_kdf);
    if (*export_open) return cmd_export_open(from_file);
    if (*file_cmd) {
      if (!clear_filing && filing.group.empty() && filing.kind.empty()) {
        fail(ErrorCode::kMalformed, "file: give --group, --kind or both (or --clear)");
      }
      return cmd_file(home, case_id, filing, clear_filing);
    }
    if (*stats) return cmd_stats(home, json);
    if (*passphrase) return cmd_passphrase(home, insecure_kdf);
    if (*backup) return cmd_backup(home, out_file, insecure_kdf);
    if (*restore) return cmd_restore(home, from_file);
  } catch (const Failure& f) {
    // A refusal by the relay is said in words (refusal.hpp), never shown raw.
    client::write_err("adviser-client: error: " + describe(f.error) + "\n");
    return kExitFailed;
  } catch (const std::exception& e) {
    std::cerr << "adviser-client: internal error: " << e.what() << std::endl;
    return kExitInternal;
  }
  return kExitInternal;
}
