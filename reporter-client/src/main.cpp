// `reporter-client`: report unwanted behaviour anonymously and follow up with
// nothing but a code. Writes nothing to disk; reads the code only from a
// prompt (no echo) or standard input, never from arguments or the
// environment.
#include <ctime>
#include <iostream>
#include <set>
#include <sstream>

#include <CLI/CLI.hpp>

#include "conversation.hpp"
#include "meldpunt/client/terminal.hpp"
#include "meldpunt/crypto/init.hpp"
#include "meldpunt/protocol/channel_address.hpp"

namespace {

using namespace meldpunt;
using client::write_err;
using client::write_out;

constexpr int kExitFailed = 2;
constexpr int kExitInternal = 3;
constexpr int kCodeConfirmTries = 3;

struct Options {
  std::string channel;
  std::string file;
  std::vector<std::string> to;
  std::vector<std::string> exclude;
  std::string lang = "en";
  bool insecure_kdf = false;
  bool yes = false;
};

int fail(const Error& e) {
  write_err("reporter-client: error: " + e.message + "\n");
  return kExitFailed;
}

crypto::KdfParams kdf(const Options& o) {
  return o.insecure_kdf ? crypto::KdfParams::insecure_for_tests() : crypto::KdfParams::production();
}

std::string format_time(std::uint64_t seconds) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::string role_text(crypto::Role role) {
  switch (role) {
    case crypto::Role::kInternalConfidentialAdviser: return "internal confidential adviser";
    case crypto::Role::kExternalConfidentialAdviser: return "external confidential adviser";
    case crypto::Role::kComplaintsCommittee: return "complaints committee";
    case crypto::Role::kIntegrityOfficer: return "integrity officer";
  }
  return "adviser";
}

const std::string& description(const crypto::DirectoryEntry& e, const Options& o) {
  return o.lang == "nl" ? e.description_nl : e.description_en;
}

void show_directory(const crypto::Directory& directory, const Options& o) {
  write_out("Advisers you can write to:\n");
  for (std::size_t i = 0; i < directory.entries.size(); ++i) {
    const crypto::DirectoryEntry& e = directory.entries[i];
    write_out("  [" + std::to_string(i + 1) + "] " + e.name + " (" + role_text(e.role) + ")\n");
    if (!description(e, o).empty()) write_out("      " + description(e, o) + "\n");
  }
}

// An adviser named by its number in the list or its 32-hex-digit id.
Result<crypto::AdviserId> resolve_adviser(const crypto::Directory& directory, std::string_view token) {
  if (!token.empty() && token.size() <= 3 && std::all_of(token.begin(), token.end(), ::isdigit)) {
    const std::size_t n = std::stoul(std::string(token));
    if (n >= 1 && n <= directory.entries.size()) return directory.entries[n - 1].id;
  } else {
    Bytes id;
    if (from_hex(token, id) && id.size() == crypto::kAdviserIdBytes) {
      crypto::AdviserId aid{};
      std::copy(id.begin(), id.end(), aid.begin());
      if (directory.find(aid) != nullptr) return aid;
    }
  }
  return Error{ErrorCode::kNotFound, "no adviser '" + std::string(token.substr(0, 40)) + "' in the list"};
}

std::vector<std::string> split_choices(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (c == ',' || c == ' ' || c == '\t') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

Result<std::vector<crypto::AdviserId>> choose_advisers(const crypto::Directory& directory, const Options& o) {
  std::vector<std::string> picks;
  for (const std::string& t : o.to) {
    for (const std::string& p : split_choices(t)) picks.push_back(p);
  }
  if (picks.empty()) {
    auto line = client::read_line("Numbers of the advisers to write to, separated by spaces (Enter = all): ");
    if (!line) return line.error();
    picks = split_choices(line->text());
  }
  std::vector<crypto::AdviserId> chosen;
  if (picks.empty()) {
    for (const crypto::DirectoryEntry& e : directory.entries) chosen.push_back(e.id);
  }
  for (const std::string& p : picks) {
    auto id = resolve_adviser(directory, p);
    if (!id) return id.error();
    if (std::find(chosen.begin(), chosen.end(), *id) == chosen.end()) chosen.push_back(*id);
  }
  for (const std::string& t : o.exclude) {
    for (const std::string& p : split_choices(t)) {
      auto id = resolve_adviser(directory, p);
      if (!id) return id.error();
      chosen.erase(std::remove(chosen.begin(), chosen.end(), *id), chosen.end());
    }
  }
  if (chosen.empty()) return Error{ErrorCode::kMalformed, "no adviser left to write to"};
  return chosen;
}

// The message from --file, or from standard input up to a line holding only
// "." (or the end of input), so the code can still be typed after it.
Result<crypto::SecretBuffer> read_message(const Options& o, std::size_t max_bytes) {
  if (!o.file.empty()) return client::read_file_secret(o.file, max_bytes);
  if (client::stdin_is_terminal()) {
    write_err("Type your message. End it with a line holding only a dot (.)\n");
  }
  crypto::SecretBuffer body;
  for (;;) {
    auto line = client::read_line("", max_bytes);
    if (!line) {
      if (line.error().code == ErrorCode::kNotFound) break;  // end of input ends the message
      return line.error();
    }
    if (line->text() == ".") break;
    if (body.size() + line->size() + 1 > max_bytes) {
      return Error{ErrorCode::kTooLarge, "message too long (at most " + std::to_string(max_bytes) + " bytes)"};
    }
    body.append(line->view());
    body.push_back('\n');
  }
  if (body.empty()) return Error{ErrorCode::kMalformed, "the message is empty; nothing was sent"};
  return body;
}

Result<crypto::ReporterCode> ask_code() {
  auto typed = client::read_secret_line("Your code: ");
  if (!typed) return typed.error();
  return crypto::ReporterCode::parse(typed->text());
}

crypto::ReporterKeys derive(const crypto::ReporterCode& code, const protocol::ChannelAddress& address, const Options& o) {
  write_err("Deriving your keys from the code (about a second)...\n");
  return crypto::derive_reporter_keys(code, address.org_sign_pk, kdf(o));
}

std::string names_of(const crypto::Directory& directory, const std::vector<crypto::AdviserId>& ids) {
  std::string out;
  for (const crypto::AdviserId& id : ids) {
    const crypto::DirectoryEntry* e = directory.find(id);
    if (!out.empty()) out += ", ";
    out += e != nullptr ? e->name : std::string("(an adviser no longer listed)");
  }
  return out;
}

void show_readers(const crypto::Directory& directory, const std::vector<crypto::AdviserId>& ids) {
  write_out("Only these advisers will be able to read it: " + names_of(directory, ids) + "\n");
}

// ---- subcommands ----

int cmd_new(const Options& o) {
  auto address = protocol::parse_address(o.channel);
  if (!address) return fail(address.error());
  client::RelayConnection relay(*address, client::ConnectionOptions{});
  auto directory = client::fetch_directory(relay, address->org_sign_pk);
  if (!directory) return fail(directory.error());
  if (directory->entries.empty()) return fail(Error{ErrorCode::kNotFound, "the directory lists no advisers"});

  show_directory(*directory, o);
  auto chosen = choose_advisers(*directory, o);
  if (!chosen) return fail(chosen.error());
  show_readers(*directory, *chosen);

  auto body = read_message(o, protocol::max_body_bytes(chosen->size()));
  if (!body) return fail(body.error());

  const crypto::ReporterCode code = crypto::ReporterCode::generate();
  {
    const crypto::SecretBuffer shown = code.display();
    write_out("\nYour code (shown only this once):\n\n    ");
    write_out(shown.text());
    write_out(
        "\n\nWrite it down and keep it somewhere only you can reach. With it you read replies and continue\n"
        "the conversation. Nobody can recover a lost code, not even the relay's administrator.\n\n");
  }
  bool confirmed = false;
  for (int attempt = 1; attempt <= kCodeConfirmTries && !confirmed; ++attempt) {
    auto typed = client::read_secret_line("Type the code back to confirm you have it: ");
    if (!typed) return fail(Error{ErrorCode::kBadCode, "the code was not confirmed; nothing was sent"});
    auto parsed = crypto::ReporterCode::parse(typed->text());
    if (parsed && parsed->equals(code)) {
      confirmed = true;
    } else {
      write_err(parsed ? "That is a valid code, but not this one.\n" : parsed.error().message + "\n");
    }
  }
  if (!confirmed) return fail(Error{ErrorCode::kBadCode, "the code was not confirmed; nothing was sent"});

  const crypto::ReporterKeys keys = derive(code, *address, o);
  auto sent = reporter::send_report(relay, keys, *directory, *chosen, *body);
  if (!sent) return fail(sent.error());
  write_out("Your report was sent to " + names_of(*directory, *chosen) +
            ".\nCheck for replies later with: reporter-client check --channel <address>\n");
  return 0;
}

Result<reporter::Conversation> load_conversation(client::RelayConnection& relay, const crypto::ReporterKeys& keys,
                                                 const crypto::Directory& directory) {
  client::MailboxKeys mk;
  mk.fetch_sk = &keys.fetch_sk;
  mk.message_sk = &keys.message_sk;
  mk.message_pk = keys.message_pk;
  auto mailbox = client::collect_mailbox(relay, mk);
  if (!mailbox) return mailbox.error();
  return reporter::build_conversation(std::move(mailbox).value(), keys, directory);
}

int cmd_check(const Options& o) {
  auto address = protocol::parse_address(o.channel);
  if (!address) return fail(address.error());
  auto code = ask_code();  // a typo is caught here, before any network traffic
  if (!code) return fail(code.error());
  const crypto::ReporterKeys keys = derive(*code, *address, o);

  client::RelayConnection relay(*address, client::ConnectionOptions{});
  auto directory = client::fetch_directory(relay, address->org_sign_pk);
  if (!directory) return fail(directory.error());
  auto conversation = load_conversation(relay, keys, *directory);
  if (!conversation) return fail(conversation.error());

  if (conversation->entries.empty()) {
    write_out("No messages for this code. If you sent a report with it, messages may have expired;\n"
              "otherwise check that you typed the code you were given.\n");
    return 0;
  }
  for (const reporter::ConversationEntry& e : conversation->entries) {
    const std::string who = e.from_reporter ? "You, to " + names_of(*directory, e.recipients)
                                            : e.adviser->name + " (" + role_text(e.adviser->role) + ")";
    write_out("--- " + format_time(e.sent_at) + "  " + who + "\n");
    write_out(e.body->text());
    if (e.body->empty() || e.body->text().back() != '\n') write_out("\n");
  }
  if (!conversation->current_recipients.empty()) show_readers(*directory, conversation->current_recipients);
  if (conversation->mailbox.unreadable > 0 || conversation->ignored > 0) {
    write_err("Note: " + std::to_string(conversation->mailbox.unreadable + conversation->ignored) +
              " message(s) could not be verified and are not shown.\n");
  }
  return 0;
}

int cmd_reply(const Options& o) {
  auto address = protocol::parse_address(o.channel);
  if (!address) return fail(address.error());
  auto code = ask_code();
  if (!code) return fail(code.error());
  const crypto::ReporterKeys keys = derive(*code, *address, o);

  client::RelayConnection relay(*address, client::ConnectionOptions{});
  auto directory = client::fetch_directory(relay, address->org_sign_pk);
  if (!directory) return fail(directory.error());
  auto conversation = load_conversation(relay, keys, *directory);
  if (!conversation) return fail(conversation.error());
  if (conversation->current_recipients.empty()) {
    return fail(Error{ErrorCode::kNotFound, "no conversation found for this code (start one with `new`)"});
  }
  const std::vector<crypto::AdviserId>& to = conversation->current_recipients;
  show_readers(*directory, to);
  auto body = read_message(o, protocol::max_body_bytes(to.size()));
  if (!body) return fail(body.error());
  auto sent = reporter::send_report(relay, keys, *directory, to, *body);
  if (!sent) return fail(sent.error());
  write_out("Your message was sent to " + names_of(*directory, to) + ".\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  crypto::init();
  crypto::harden_process();

  CLI::App app{
      "reporter-client: report unwanted behaviour anonymously, and follow up with only a code.\n\n"
      "  reporter-client new   --channel ADDRESS   choose advisers, write a report, get your code\n"
      "  reporter-client check --channel ADDRESS   read the conversation (asks for your code)\n"
      "  reporter-client reply --channel ADDRESS   continue the conversation (asks for your code)\n\n"
      "ADDRESS is the channel address your organisation publishes (it starts with meldpunt1:).\n"
      "Your code is never taken from the command line: type it at the prompt (it is not shown)\n"
      "or pipe it on standard input. Nothing is written to this computer's disk.",
      "reporter-client"};
  app.require_subcommand(1);
  Options o;
  auto add_common = [&](CLI::App* sub) {
    sub->add_option("--channel", o.channel, "Channel address (meldpunt1:...)")->required();
    sub->add_option("--lang", o.lang, "Language of the advisers' descriptions: en or nl")
        ->check(CLI::IsMember({"en", "nl"}))->capture_default_str();
    sub->add_flag("--insecure-test-kdf", o.insecure_kdf, "")->group("");  // tests only: cheap key derivation
  };
  auto* cmd_new_app = app.add_subcommand("new", "Write a new report and receive your code");
  add_common(cmd_new_app);
  cmd_new_app->add_option("--to", o.to, "Advisers to write to, by number in the list or id (default: ask)");
  cmd_new_app->add_option("--exclude", o.exclude, "Advisers to leave out (conflict of interest)");
  cmd_new_app->add_option("--file", o.file, "Read the message from this file instead of standard input");
  auto* cmd_check_app = app.add_subcommand("check", "Read replies and the whole conversation");
  add_common(cmd_check_app);
  auto* cmd_reply_app = app.add_subcommand("reply", "Send another message in your conversation");
  add_common(cmd_reply_app);
  cmd_reply_app->add_option("--file", o.file, "Read the message from this file instead of standard input");

  CLI11_PARSE(app, argc, argv);
  try {
    if (*cmd_new_app) return cmd_new(o);
    if (*cmd_check_app) return cmd_check(o);
    if (*cmd_reply_app) return cmd_reply(o);
  } catch (const std::bad_alloc&) {
    write_err("reporter-client: error: not enough memory for the key derivation (needs 256 MiB)\n");
    return kExitInternal;
  } catch (const std::exception& e) {
    write_err(std::string("reporter-client: error: ") + e.what() + "\n");
    return kExitInternal;
  }
  return 0;
}
