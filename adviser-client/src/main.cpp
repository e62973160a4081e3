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
crypto::SecretBuffer new_passphrase(std::string_view what = "for your adviser key file",
                                    std::string_view nothing_done = "nothing was created") {
  cli::NewPassphrasePrompt prompt;
  prompt.first = "New passphrase " + std::string(what) + " (at least " + std::to_string(kMinPassphraseLength) +
                 " characters): ";
  prompt.min_length = kMinPassphraseLength;
  prompt.nothing_done = std::string(nothing_done);
  return check(cli::read_new_passphrase(prompt));
}

crypto::KdfParams kdf_params(bool insecure) {
  return insecure ? crypto::KdfParams::insecure_for_tests() : crypto::KdfParams::production();
}

// Refuses to replace an existing file: exports and backups are records.
void require_new_file(const std::string& path) {
  std::error_code ec;
  if (fs::exists(path, ec) || ec) fail(ErrorCode::kIo, path + " already exists; choose another file name");
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

[[noreturn]] void fail_relay(const Error& e, const protocol::ChannelAddress& address) {
  if (e.code == ErrorCode::kUnavailable) {
    fail(ErrorCode::kUnavailable, "cannot reach the relay at " + address.endpoint +
                                      " (no answer); check the channel address and that the relay is running");
  }
  fail(e);
}

// The current directory, refused if it is below the channel address's
// minimum serial, older than one this adviser has seen, or expired
// (client/directory_check.hpp); its serial is then remembered in the case
// store.
crypto::Directory verified_directory(client::RelayConnection& relay, const protocol::ChannelAddress& address,
                                     CaseStore& store) {
  auto directory = client::fetch_directory(relay, address);
  if (directory) {
    if (Status fresh = client::check_directory_fresh(*directory, check(store.directory_history()), now_seconds());
        !fresh) {
      fail(fresh.error().code, fresh.error().message);
    }
    check(store.note_directory(*directory));
  }
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

void print_cases(const CaseStore& store) {
  out(case_table(check(store.list_cases()), check(store.settings()), now_seconds()));
}

// A message or note: from --file, the editor on a terminal, or the rest of
// stdin after the passphrase line. Refuses empty and non-UTF-8 text.
crypto::SecretBuffer compose_text(const Home& home, const std::string& file, std::size_t max, std::string_view what,
                                  std::string_view nothing_done) {
  Result<crypto::SecretBuffer> body = Error{ErrorCode::kInternal, "no text"};
  if (!file.empty()) {
    body = client::read_file_secret(file, max);
  } else if (client::stdin_is_terminal()) {
    body = compose_in_editor(home.root, max);
  } else {
    body = client::read_stdin_to_end(max);
  }
  if (!body) {
    if (body.error().code == ErrorCode::kTooLarge) {
      fail(ErrorCode::kTooLarge, "the " + std::string(what) + " is longer than " + std::to_string(max) + " bytes; " +
                                     std::string(nothing_done));
    }
    if (body.error().code == ErrorCode::kNotFound && file.empty()) {
      fail(ErrorCode::kMalformed, "the " + std::string(what) + " is empty; " + std::string(nothing_done));
    }
    fail(body.error());
  }
  const bool blank = std::all_of(body->data(), body->data() + body->size(),
                                 [](std::uint8_t b) { return b == ' ' || b == '\n' || b == '\r' || b == '\t'; });
  if (blank) fail(ErrorCode::kMalformed, "the " + std::string(what) + " is empty; " + std::string(nothing_done));
  if (!is_valid_utf8(body->view())) {
    fail(ErrorCode::kMalformed, "the " + std::string(what) + " is not UTF-8 text; " + std::string(nothing_done));
  }
  return std::move(body).value();
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
  check(os::write_file_atomically(home.card_file(), as_bytes(card + "\n"), 0644));
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
  auto card = os::read_file(home.card_file(), 64 * 1024);
  if (!card) {
    if (card.error().code == ErrorCode::kNotFound) {
      fail(ErrorCode::kNotFound, "no card in " + home.root.string() + " (create an identity with `adviser-client init`)");
    }
    fail(card.error());
  }
  // The file ends with a newline; printed through the terminal-safe filter it
  // would become a "?" that `> anna.card` then carries into the card.
  std::string_view text(reinterpret_cast<const char*>(card->data()), card->size());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  out(terminal_safe_label(text) + "\n");
  return 0;
}

// One line about a counter of an inbox run, printed only when it is not
// zero: what happened to cases goes to standard output, notes and warnings
// about letters to standard error.
void say_count(std::size_t n, const std::string& text) {
  if (n > 0) out(std::to_string(n) + text + "\n");
}

void note_count(std::size_t n, const std::string& level, const std::string& text) {
  if (n > 0) client::write_err("adviser-client: " + level + ": " + std::to_string(n) + text + "\n");
}

int cmd_inbox(const Home& home, const std::string& channel, unsigned timeout) {
  const protocol::ChannelAddress address = parse_channel(channel);
  require_identity(home);
  check(make_private_folder(home.root));
  os::FolderLock lock = check(lock_home_folder(home.lock_file()));
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);

  client::RelayConnection relay(address, connection_options(timeout));
  const crypto::Directory directory = verified_directory(relay, address, store);
  auto summary = sync_inbox(relay, directory, key_file, store);
  if (!summary) fail_relay(summary.error(), address);

  std::ostringstream report;
  report << summary->stored << " new message" << (summary->stored == 1 ? "" : "s");
  if (summary->prekeys) report << "; " << summary->prekeys->at_relay << " prekeys at the relay";
  report << ".\n";
  out(report.str());
  if (summary->prekey_error) {
    client::write_err("adviser-client: warning: prekeys were not topped up: " + describe(*summary->prekey_error) +
                      "\n");
  }
  if (summary->attachment_pieces > 0 || summary->attachments_damaged > 0) {
    out(std::to_string(summary->attachment_pieces) + " attachment piece(s) stored; " +
        std::to_string(summary->attachments_completed) + " attachment(s) complete and intact" +
        (summary->attachments_damaged > 0
             ? "; " + std::to_string(summary->attachments_damaged) + " DAMAGED (not saveable)"
             : std::string()) +
        " (see `adviser-client read CASE`).\n");
  }
  note_count(summary->attachment_pieces_waiting, "note",
             " attachment piece(s) belong to a report that has not arrived yet (or to one whose sending was "
             "stopped, and which will not come); they stay at the relay for the next inbox, and expire if their "
             "report never comes");
  note_count(summary->files_refused, "note",
             " announced file(s) refused: larger than the relay's attachment limit, or over the case's allowance");
  note_count(summary->attachments_refused, "note",
             " attachment piece(s) refused and deleted: the file is larger than the relay's attachment limit, or "
             "its case already holds " + std::to_string(kMaxAttachmentsPerCase) + " files or " +
                 std::to_string(kMaxAttachmentBytesPerCase >> 20) + " MiB from the reporter");
  note_count(summary->pieces_expired, "note",
             " attachment piece(s) deleted: their report did not arrive within a week (an upload that broke off)");
  note_count(summary->unreadable, "warning",
             " message(s) addressed to you could not be opened (damaged, or sent to a prekey this key file no "
             "longer holds)");
  say_count(summary->medium_erased,
            " medium-term key(s) erased: nothing sent to them can still arrive, so the reports sealed to them can "
            "no longer be opened with this key file (forward secrecy).");
  say_count(summary->moved,
            " case(s): the reporter moved to a new code; replies now go to the new code (see `adviser-client "
            "history CASE`).");
  say_count(summary->received_by_handover,
            " case(s) handed to you with the reporter's consent, with the conversation so far.");
  say_count(summary->handed_over,
            " case(s): the reporter accepted your hand-over; the other adviser handles them now (closed here).");
  note_count(summary->to_handed_over, "note",
             " message(s) arrived in cases you handed over; the reporter's program may be out of date or its "
             "clock wrong. They are stored (see `cases`); the other adviser did not receive them.");
  say_count(summary->handover_declined, " case(s): the reporter declined your hand-over; the case stays with you.");
  note_count(summary->refused, "note",
             " letter(s) refused and deleted: sent with a code the reporter has moved away from, a move to a new "
             "code from a sender that is no case's current reporter, or an answer to no open hand-over proposal "
             "of yours");
  note_count(summary->replayed, "note",
             " copy/copies of letters received before (replayed by the relay, or a hand-over applied before) "
             "changed nothing and were deleted");
  // Whatever is dropped from a case is named with that case.
  for (const CaseKey& key : summary->refused_cases) {
    client::write_err("adviser-client: note: case " + to_hex(key).substr(0, kCaseIdChars) +
                      ": a message the reporter sent with the code they had moved away from was refused and deleted "
                      "(its text is not kept); ask in this case whether anything is missing.\n");
  }
  note_count(summary->ignored, "note", " letter(s) that are not reports for you were left at the relay");
  note_count(summary->delete_pending, "note",
             " stored message(s) could not be deleted at the relay yet; the next inbox retries");
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
  const std::vector<NoteRecord> notes = check(store.notes(c.key));

  out(render_case_header(c, check(store.settings()), now_seconds(), messages.size()));
  out(render_conversation(messages).text());
  if (const std::vector<AttachmentRecord> files = check(store.attachments(c.key)); !files.empty()) {
    out("\n=== Attachments (never opened here; save one with `adviser-client attachment " + c.id() +
        " N --save FOLDER`) ===\n" + render_attachments(files));
  }
  if (!notes.empty()) {
    out("\n=== Your private notes (kept here only, never sent) ===\n");
    out(render_notes(notes).text());
  }
  check(store.mark_read(c.key));
  return 0;
}

struct AttachArgs {
  std::vector<std::string> files;  // --attach FILE ...
  bool no_text = false;            // --no-text: the attachments only
};

int cmd_reply(const Home& home, const std::string& case_id, const std::string& channel, const std::string& file,
              unsigned timeout, const AttachArgs& attach = {}) {
  const protocol::ChannelAddress address = parse_channel(channel);
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const CaseRecord c = check(store.find_case(case_id));
  if (c.handed_over()) {
    fail(ErrorCode::kMalformed, "case " + c.id() + " was handed over to " + terminal_safe_label(c.handover_adviser_name) +
                                    " with the reporter's consent; they answer the reporter now. Nothing was sent.");
  }

  client::RelayConnection relay(address, connection_options(timeout));
  if (!attach.files.empty() || attach.no_text) {
    if (attach.files.empty()) fail(ErrorCode::kMalformed, "--no-text needs at least one --attach FILE; nothing was sent");
    // Checked against the relay's limit before the text is written.
    auto files = read_files_to_send(relay, attach.files);
    if (!files) fail_relay(files.error(), address);
    const crypto::SecretBuffer body =
        attach.no_text ? crypto::SecretBuffer()
                       : compose_text(home, file, protocol::max_reply_body_bytes(), "reply", "nothing was sent");
    auto sent = send_with_attachments(relay, key_file, store, c, body, *files);
    if (!sent) fail_relay(sent.error(), address);
    out("Reply sent in case " + c.id() + (body.empty() ? " (attachments only)" : "") + ", " +
        std::to_string(sent->envelopes) + " envelope(s):\n" + render_attachments(check(store.attachments(c.key))));
    return 0;
  }
  const crypto::SecretBuffer body = compose_text(home, file, protocol::max_reply_body_bytes(), "reply", "nothing was sent");

  auto sent = send_reply(relay, key_file, store, c, body);
  if (!sent) fail_relay(sent.error(), address);
  out("Reply sent in case " + c.id() + " (" + std::to_string(body.size()) + " bytes).\n");
  return 0;
}

// The directory entry `--to` names: its adviser id (32 hex digits, or a
// unique prefix of at least 4), or its name (case-insensitive, exact).
const crypto::DirectoryEntry& find_adviser(const crypto::Directory& directory, const std::string& wanted) {
  std::string lowered = wanted;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char ch) { return std::tolower(ch); });
  const bool hex = lowered.size() >= 4 && lowered.find_first_not_of("0123456789abcdef") == std::string::npos;
  std::vector<const crypto::DirectoryEntry*> matches;
  for (const crypto::DirectoryEntry& e : directory.entries) {
    std::string name = e.name;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (name == lowered || (hex && to_hex(e.id).rfind(lowered, 0) == 0)) matches.push_back(&e);
  }
  if (matches.size() == 1) return *matches.front();
  std::string listing;
  for (const crypto::DirectoryEntry& e : directory.entries) {
    listing += "\n  " + to_hex(e.id) + "  " + terminal_safe_label(e.name) + " (" +
               std::string(crypto::role_keyword(e.role)) + ")";
  }
  fail(ErrorCode::kNotFound, std::string(matches.empty() ? "no adviser in the directory matches --to "
                                                         : "several advisers match --to ") +
                                 terminal_safe_label(wanted.substr(0, 64)) + "; the directory lists:" + listing +
                                 "\nNothing was sent.");
}

int cmd_handover(const Home& home, const std::string& case_id, const std::string& to, const std::string& channel,
                 const std::string& file, unsigned timeout) {
  const protocol::ChannelAddress address = parse_channel(channel);
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const CaseRecord c = check(store.find_case(case_id));
  if (c.handed_over()) {
    fail(ErrorCode::kMalformed, "case " + c.id() + " was handed over to " + terminal_safe_label(c.handover_adviser_name) +
                                    " already. Nothing was sent.");
  }
  crypto::SecretBuffer note;
  if (!file.empty()) {
    note = compose_text(home, file, protocol::kMaxHandoverNoteBytes, "note for the reporter", "nothing was sent");
  }

  client::RelayConnection relay(address, connection_options(timeout));
  const crypto::Directory directory = verified_directory(relay, address, store);
  const crypto::DirectoryEntry& target = find_adviser(directory, to);
  if (target.id == key_file.profile().id) fail(ErrorCode::kMalformed, "--to names you; nothing was sent");
  auto proposed = propose_handover(relay, key_file, store, c, target, note);
  if (!proposed) fail_relay(proposed.error(), address);
  const std::string name = terminal_safe_label(target.name);
  out("Hand-over of case " + c.id() + " to " + name + " (" + std::string(crypto::role_keyword(target.role)) +
      ") proposed to the reporter.\n"
      "The reporter sees the proposal at their next `check` and accepts or declines. Nothing is sent to " +
      name + " unless the reporter accepts; then their client sends " + name +
      " the conversation and `adviser-client inbox` shows the answer here.\n");
  if (!c.open_proposals.empty()) {
    out("Your earlier proposal(s) for this case stay open until the reporter answers one: whichever the reporter\n"
        "accepts first takes effect.\n");
  }
  return 0;
}

// ---- case work ----

std::string default_acknowledgement(const Settings& settings) {
  const std::string months = std::to_string(settings.feedback_months);
  return "Thank you for your report. I have received it and will treat it in confidence. Within " + months +
         (settings.feedback_months == 1 ? " month" : " months") +
         " you will hear from me what is being done with it. You can write to me at any time with the same "
         "code.\n\n"
         "Dank je wel voor je melding. Ik heb hem ontvangen en behandel hem vertrouwelijk. Binnen " + months +
         (settings.feedback_months == 1 ? " maand" : " maanden") +
         " hoor je van mij wat ermee gebeurt. Je kunt me altijd schrijven met dezelfde code.\n";
}

int cmd_status(const Home& home, const std::string& case_id, const std::string& word) {
  const StatusAction action = check(parse_status_action(word));
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const CaseRecord before = check(store.find_case(case_id));
  const std::uint64_t now = now_seconds();
  const CaseRecord after = check(store.change_status(before.key, action, now));
  out("Case " + after.id() + ": " + std::string(status_keyword(before.status)) + " -> " +
      std::string(status_keyword(after.status)) + "   due: " +
      describe_deadline(deadline_for(after, check(store.settings()), now)) + "\n");
  return 0;
}

int cmd_history(const Home& home, const std::string& case_id) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const CaseRecord c = check(store.find_case(case_id));
  out(render_case_header(c, check(store.settings()), now_seconds(), c.next_sequence) + "\n" +
      render_history(check(store.history(c.key))));
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
  const CaseRecord c = check(store.find_case(args.case_id));
  if (c.status == CaseStatus::kClosed) fail(ErrorCode::kMalformed, "case " + c.id() + " is closed; nothing was sent");
  if (c.acknowledged_at != 0) {
    fail(ErrorCode::kMalformed, "case " + c.id() + " was acknowledged on " + format_minute(c.acknowledged_at) +
                                    "; use `reply` to write again. Nothing was sent");
  }
  const Settings settings = check(store.settings());
  crypto::SecretBuffer body;
  if (!args.text.empty()) {
    body = crypto::SecretBuffer::copy_of(std::string_view(args.text));
  } else if (!args.file.empty()) {
    body = compose_text(home, args.file, protocol::max_reply_body_bytes(), "acknowledgement", "nothing was sent");
  } else {
    body = crypto::SecretBuffer::copy_of(std::string_view(default_acknowledgement(settings)));
  }
  if (!is_valid_utf8(body.view())) fail(ErrorCode::kMalformed, "the acknowledgement is not UTF-8 text; nothing was sent");

  client::RelayConnection relay(address, connection_options(args.timeout));
  auto sent = send_reply(relay, key_file, store, c, body);
  if (!sent) fail_relay(sent.error(), address);
  const std::uint64_t now = now_seconds();
  auto after = store.change_status(c.key, StatusAction::kAcknowledge, now, true);
  if (!after) {
    fail(after.error().code, "the acknowledgement was sent, but setting the status failed: " + after.error().message +
                                 "; run `adviser-client status " + c.id() + " acknowledged`");
  }
  out("Acknowledgement sent in case " + c.id() + "; status acknowledged.   due: " +
      describe_deadline(deadline_for(*after, settings, now)) + "\n");
  return 0;
}

int cmd_settings(const Home& home, std::optional<unsigned> ack_days, std::optional<unsigned> feedback_months) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  Settings settings = check(store.settings());
  if (ack_days || feedback_months) {
    if (ack_days) settings.ack_days = *ack_days;
    if (feedback_months) settings.feedback_months = *feedback_months;
    check(store.set_settings(settings));
    out("Settings saved.\n");
  }
  out("Acknowledge within:  " + std::to_string(settings.ack_days) + " days of the first message\n" +
      "Feedback within:     " + std::to_string(settings.feedback_months) + " months of the acknowledgement\n");
  return 0;
}

int cmd_note(const Home& home, const std::string& case_id, const std::string& file) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const CaseRecord c = check(store.find_case(case_id));
  const crypto::SecretBuffer text = compose_text(home, file, kMaxNoteBytes, "note", "nothing was saved");
  check(store.add_note(c.key, now_seconds(), text.view()));
  out("Private note saved in case " + c.id() + " (kept in your encrypted store only; never sent).\n");
  return 0;
}

int cmd_notes(const Home& home, const std::string& case_id) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const CaseRecord c = check(store.find_case(case_id));
  const std::vector<NoteRecord> notes = check(store.notes(c.key));
  out("Private notes of case " + c.id() + " (never sent): " + std::to_string(notes.size()) + "\n");
  out(render_notes(notes).text());
  return 0;
}

// One attachment of a case in detail, and saved on request: a new file
// (never replacing one) with mode 0600 in the folder named, its name
// sanitised. Nothing is ever opened or run.
int cmd_attachment(const Home& home, const std::string& case_id, std::size_t number, const std::string& save_dir) {
  if (!save_dir.empty()) {
    std::error_code ec;
    if (!fs::is_directory(save_dir, ec)) fail(ErrorCode::kNotFound, "--save: no folder " + save_dir + "; create it first");
  }
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const CaseRecord c = check(store.find_case(case_id));
  const std::vector<AttachmentRecord> files = check(store.attachments(c.key));
  if (files.empty()) fail(ErrorCode::kNotFound, "case " + c.id() + " has no attachments");
  if (number < 1 || number > files.size()) {
    fail(ErrorCode::kNotFound, "case " + c.id() + " has " + std::to_string(files.size()) +
                                   " attachment(s); N is 1 to " + std::to_string(files.size()) +
                                   " as `adviser-client read " + c.id() + "` numbers them");
  }
  const AttachmentRecord& a = files[number - 1];
  out(describe_attachment(a, number));
  if (save_dir.empty()) {
    out("Save it with: adviser-client attachment " + c.id() + " " + std::to_string(number) +
        " --save FOLDER   (it is never opened or run by this program)\n");
    return 0;
  }
  const crypto::SecretBuffer content = check(store.attachment_content(c.key, a.sequence));
  const crypto::SecretBuffer saved = check(client::save_attachment(save_dir, a.name.view(), content.view()));
  out("Saved as " + terminal_safe_label((fs::path(save_dir) / std::string(saved.text())).string()) +
      " (mode 0600, not executable; checksum verified). It is now outside the encrypted case store:\n"
      "delete it when you no longer need it, and open it only with a program you trust for this kind of file.\n");
  return 0;
}

struct ExportArgs {
  std::string case_id, out_file;
  bool plain = false, insecure_kdf = false;
};

int cmd_export(const Home& home, const ExportArgs& args) {
  require_new_file(args.out_file);
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const CaseRecord c = check(store.find_case(args.case_id));
  const std::uint64_t now = now_seconds();
  crypto::SecretBuffer document =
      export_document(c, check(store.messages(c.key)), check(store.notes(c.key)), check(store.history(c.key)),
                      key_file.profile(), check(store.settings()), now);
  // Attachments are listed (name, size, state, checksum), not embedded:
  // `adviser-client attachment CASE N --save FOLDER` writes each file.
  if (const std::vector<AttachmentRecord> files = check(store.attachments(c.key)); !files.empty()) {
    document.append(as_bytes("\n=== Attachments (listed only; save them with `adviser-client attachment " + c.id() +
                             " N --save FOLDER`) ===\n"));
    for (std::size_t i = 0; i < files.size(); ++i) document.append(as_bytes(describe_attachment(files[i], i + 1)));
  }
  if (args.plain) {
    check(os::write_file_atomically(args.out_file, document.view(), 0600));
  } else {
    const crypto::SecretBuffer passphrase = new_passphrase("for this export", "nothing was written");
    const crypto::PassphraseBox box = crypto::PassphraseBox::create(passphrase, kdf_params(args.insecure_kdf));
    check(os::write_file_atomically(args.out_file, seal_export(box, document.view()), 0600));
  }
  check(store.record_event(c.key, HistoryEvent::kExported, now));
  out("Case " + c.id() + " exported to " + args.out_file +
      (args.plain ? " as PLAIN TEXT: anyone who can read the file can read the case.\n"
                  : " (encrypted; open it with `adviser-client export-open " + args.out_file + "`).\n"));
  return 0;
}

int cmd_export_open(const std::string& file) {
  const Bytes sealed = check(os::read_file(file, crypto::kBoxMaxFileBytes));
  auto passphrase = client::read_secret_line("Export passphrase: ");
  if (!passphrase) fail(passphrase.error().code, "reading the passphrase: " + passphrase.error().message);
  const crypto::SecretBuffer document = check(open_export(sealed, *passphrase));
  // The export holds text from anonymous reporters: keep it from the terminal's control.
  out(terminal_safe(document.view()).text());
  return 0;
}

// Files a case under a group and a kind of the directory's signpost, for the
// counts of `stats`; the adviser's choice alone (a reporter sends none).
int cmd_file(const Home& home, const std::string& case_id, const Filing& filing, bool clear) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const CaseRecord c = check(store.find_case(case_id));
  if (clear) {
    check(store.clear_filing(c.key));
    out("Case " + c.id() + " is no longer filed under a group or kind.\n");
    return 0;
  }
  Filing updated = check(store.filing(c.key)).value_or(Filing{});
  if (!filing.group.empty()) updated.group = filing.group;
  if (!filing.kind.empty()) updated.kind = filing.kind;
  check(store.set_filing(c.key, updated));
  out("Case " + c.id() + " filed under group " + (updated.group.empty() ? "-" : updated.group) + ", kind " +
      (updated.kind.empty() ? "-" : updated.kind) + " (kept in your encrypted store; counted by `stats`).\n");
  return 0;
}

int cmd_stats(const Home& home, bool json) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const StatsReport report =
      compute_stats(check(store.list_cases()), key_file.profile().role, check(store.filings()));
  out(json ? stats_json(report) : stats_text(report));
  return 0;
}

int cmd_passphrase(const Home& home, bool insecure_kdf) {
  require_identity(home);
  check(make_private_folder(home.root));
  // An inbox run saves the key file under the old box; never interleave.
  os::FolderLock lock = check(lock_home_folder(home.lock_file()));
  KeyFile key_file = unlock(home);
  const crypto::SecretBuffer passphrase = new_passphrase("for your adviser key file", "nothing was changed");
  check(key_file.change_passphrase(passphrase, kdf_params(insecure_kdf)));
  out("Passphrase changed. The old passphrase no longer opens " + home.key_file().string() +
      "; copies of the key file made before (backups) still open with it.\n");
  return 0;
}

struct BackupArgs {
  std::string out_file;
  bool insecure_kdf = false;
};

int cmd_backup(const Home& home, const BackupArgs& args) {
  require_new_file(args.out_file);
  require_identity(home);
  check(make_private_folder(home.root));
  os::FolderLock lock = check(lock_home_folder(home.lock_file()));  // key file and store from one moment
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);

  BackupContents contents;
  {
    std::string pattern = (home.root / "backup-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) fail(ErrorCode::kIo, "cannot create a scratch folder in " + home.root.string());
    const fs::path scratch = pattern;
    Status copied = store.copy_compact_to(scratch);
    Result<Bytes> data =
        copied ? os::read_file(scratch / "data.mdb", crypto::kBoxMaxFileBytes) : Result<Bytes>(copied.error());
    std::error_code ignored;
    fs::remove_all(scratch, ignored);
    if (!data && data.error().code == ErrorCode::kTooLarge) {
      fail(ErrorCode::kTooLarge, "the case store is larger than one backup file can hold (64 MiB); nothing was written");
    }
    contents.store = check(std::move(data));
  }
  contents.key_file = check(os::read_file(home.key_file(), crypto::kBoxMaxFileBytes));
  if (auto card = os::read_file(home.card_file(), kMaxCardFileBytes)) {
    contents.card.assign(reinterpret_cast<const char*>(card->data()), card->size());
  }
  const crypto::SecretBuffer passphrase = new_passphrase("for this backup", "nothing was written");
  const crypto::PassphraseBox box = crypto::PassphraseBox::create(passphrase, kdf_params(args.insecure_kdf));
  const Bytes sealed = check(seal_backup(box, contents));
  check(os::write_file_atomically(args.out_file, sealed, 0600));
  out("Backup written to " + args.out_file + " (" + std::to_string(sealed.size()) +
      " bytes, encrypted under the backup passphrase; the key file inside still needs your passphrase).\n"
      "Restore it with `adviser-client restore --from " + args.out_file + " --home NEW-FOLDER`.\n");
  return 0;
}

int cmd_restore(const Home& home, const std::string& from) {
  std::error_code ec;
  if (fs::exists(home.key_file(), ec) || fs::exists(home.store_folder() / "data.mdb", ec)) {
    fail(ErrorCode::kIo, home.root.string() + " already holds an adviser identity or case store; restore into a new "
                         "folder (--home)");
  }
  const Bytes sealed = check(os::read_file(from, crypto::kBoxMaxFileBytes));
  auto backup_passphrase = client::read_secret_line("Backup passphrase: ");
  if (!backup_passphrase) fail(backup_passphrase.error().code, "reading the passphrase: " + backup_passphrase.error().message);
  const BackupContents contents = check(open_backup(sealed, *backup_passphrase));

  check(make_private_folder(home.root));
  check(make_private_folder(home.store_folder()));
  // The key file last: a home with a key file is a complete home.
  check(os::write_file_atomically(home.store_folder() / "data.mdb", contents.store, 0600));
  if (!contents.card.empty()) check(os::write_file_atomically(home.card_file(), as_bytes(contents.card), 0644));
  check(os::write_file_atomically(home.key_file(), contents.key_file, 0600));
  out("Restored into " + home.root.string() + ". Checking it with your adviser passphrase.\n");

  auto passphrase = client::read_secret_line("Passphrase: ");
  if (!passphrase) fail(passphrase.error().code, "reading the passphrase: " + passphrase.error().message);
  KeyFile key_file = check(KeyFile::unlock(home.key_file(), *passphrase));
  CaseStore store = open_store(home, key_file);
  const std::size_t cases = check(store.list_cases()).size();
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
  InitArgs init_args;

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
  init->add_flag("--insecure-test-kdf", init_args.insecure_kdf,
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
  AttachArgs attach_args;
  reply->add_option("--attach", attach_args.files,
                    "Attach a file (repeatable; at most 8, each within the relay's max-attachment-bytes). It is\n"
                    "sent in encrypted 256 KiB pieces before the text and kept in the case");
  // No CLI::ExistingFile check: its error prints the path raw (a name may hold
  // terminal control characters); read_files_to_send says it safely.
  reply->add_flag("--no-text", attach_args.no_text, "Send the attachments without a text (no editor, no stdin text)");
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
  bool plain = false, json = false, insecure_kdf = false;
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
    if (*init) return cmd_init(home, init_args);
    if (*card) return cmd_card(home);
    if (*inbox) return cmd_inbox(home, channel, timeout);
    if (*cases) return cmd_cases(home);
    if (*read) return cmd_read(home, case_id);
    if (*reply) return cmd_reply(home, case_id, channel, file, timeout, attach_args);
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
    if (*export_cmd) return cmd_export(home, ExportArgs{case_id, out_file, plain, insecure_kdf});
    if (*export_open) return cmd_export_open(from_file);
    if (*file_cmd) {
      if (!clear_filing && filing.group.empty() && filing.kind.empty()) {
        fail(ErrorCode::kMalformed, "file: give --group, --kind or both (or --clear)");
      }
      return cmd_file(home, case_id, filing, clear_filing);
    }
    if (*stats) return cmd_stats(home, json);
    if (*passphrase) return cmd_passphrase(home, insecure_kdf);
    if (*backup) return cmd_backup(home, BackupArgs{out_file, insecure_kdf});
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
