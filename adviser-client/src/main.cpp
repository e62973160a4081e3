// `adviser-client`: the confidential adviser's program. Creates the
// adviser's identity and card, keeps prekeys topped up at the relay, collects
// reports into an encrypted local case store, sends replies, and does the
// case work: statuses and deadlines, private notes, exports, evaluation
// counts, passphrase change, backup and restore.
//
// This file only wires the command line (CLI11) to the commands: each is a
// function in commands/ that unlocks what it needs, calls its use case
// (usecases/, one per file, printing nothing) and prints the result.
//
// Exit codes (cli/program.hpp): 0 done, 1 usage, 2 the operation failed
// (message on stderr), 3 internal error. Passphrases are read from the
// terminal without echo, or one line per prompt from stdin when it is not a
// terminal; never from argv or the environment.
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "case_store.hpp"
#include "case_rules.hpp"
#include "commands/commands.hpp"
#include "commands/help_texts.hpp"
#include "commands/session.hpp"
#include "commands/shell.hpp"
#include "commands/watch.hpp"
#include "home.hpp"
#include "meldpunt/cli/cli11_texts.hpp"
#include "meldpunt/cli/language.hpp"
#include "meldpunt/cli/version.hpp"
#include "meldpunt/cli/program.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/client/terminal.hpp"
#include "refusal.hpp"
#include "wording.hpp"
#include "wording_commands.hpp"

namespace {

using namespace meldpunt;
using namespace meldpunt::adviser;
using namespace meldpunt::adviser::commands;
namespace fs = std::filesystem;

using cli::kExitDone;
using cli::kExitFailed;
using cli::kExitInternal;
using cli::kExitUsage;

// The command line, parsed and run; main() and each line of `shell`.
int run_command_line(int argc, char** argv);

// `shell` and `watch` with their own options (commands/shell.hpp,
// commands/watch.hpp). They are set here, beside every other command's, so
// that this is the program's only file that includes CLI11.
CLI::App* add_shell_command(CLI::App& app, ShellOptions& options) {
  auto* shell = app.add_subcommand("shell", "Unlock once, then run commands with line editing until you exit");
  shell->footer(
      "Examples:\n  adviser-client shell\n  adviser-client shell --idle-minutes 5\n"
      "  adviser> cases\n  adviser> read 3fa9<Tab>\n  adviser> inbox\n  adviser> lock\n  adviser> exit\n"
      "The passphrase is asked once; the key stays in locked memory until `lock`, `exit`, or the idle time\n"
      "without a keystroke, after which the next command asks again. Each line runs as the same command\n"
      "would from the command line. History stays in memory only. Needs a terminal.");
  shell->add_option("--idle-minutes", options.idle_minutes, "Lock after this many minutes without a keystroke")
      ->capture_default_str()
      ->check(CLI::Range(1u, 24u * 60u));
  shell->add_option("--idle-seconds", options.idle_seconds,
                    "For automated tests only: lock after this many seconds instead")
      ->check(CLI::Range(1u, 24u * 3600u));
  return shell;
}

// The names of `app`'s commands, for the shell's completion.
std::vector<std::string> command_names(CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) names.push_back(sub->get_name());
  return names;
}

// The caller adds --channel, --timeout, --proxy and --home as for `inbox`.
CLI::App* add_watch_command(CLI::App& app, WatchOptions& options) {
  auto* watch = app.add_subcommand("watch", "Fetch every N minutes and notify of new messages and near deadlines");
  watch->footer(
      "Examples:\n"
      "  adviser-client watch --notify-send                           (desktop notifications)\n"
      "  adviser-client watch --interval 30 --mail-to anna@example.org  (e-mail through the local sendmail)\n"
      "  adviser-client watch --notify-command ~/bin/meldpunt-alert   (runs it with the text as argument)\n"
      "  adviser-client watch --once                                  (one fetch, e.g. from cron)\n"
      "Notifications carry counts and due dates only (\"2 new messages\", \"case 3fa9c0d1e2:\n"
      "acknowledgement due in 2 days\"): never a message, label or name. Each deadline is told once\n"
      "when it comes within 3 days, within 1 day, and when it passes. The passphrase is asked once;\n"
      "the key then stays in locked memory until watch ends (Ctrl-C, SIGTERM). From `shell`, watch\n"
      "runs until Ctrl-C without asking (the shell itself locks after its idle time meanwhile).\n"
      "As a systemd --user service: docs/adviser-client.md.");
  watch->add_option("--interval", options.interval_minutes, "Minutes between fetches")
      ->capture_default_str()
      ->check(CLI::Range(kMinWatchMinutes, 24u * 60u));
  watch->add_option("--test-interval-seconds", options.test_interval_seconds,
                    "For automated tests only: seconds between fetches instead")
      ->check(CLI::Range(1u, 3600u));
  auto* rounds = watch->add_option("--rounds", options.rounds, "Stop after this many fetches")
                     ->check(CLI::Range(1u, 1000000u));
  watch->add_flag_callback("--once", [&options] { options.rounds = 1; }, "Fetch once, notify, and stop")
      ->excludes(rounds);
  watch->add_flag("--notify-send", options.notifiers.desktop, "Desktop notification through notify-send");
  watch->add_option("--notify-command", options.notifiers.command,
                    "Run this program with the notification text as its one argument (no shell)");
  watch->add_option("--mail-to", options.notifiers.mail_to,
                    "E-mail the notification to this address through sendmail -t (the local mail system)");
  return watch;
}

}  // namespace

int main(int argc, char** argv) {
  if (Status started = cli::start_up(); !started) return cli::fail_start_up("adviser-client", started.error());
  return run_command_line(argc, argv);
}

namespace {

int run_command_line(int argc, char** argv) {
  // Chosen before CLI11 builds the help texts, so --help speaks it too.
  const cli::Lang lang = cli::language_from_args(argc, argv);
  set_language(lang);

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
      "  adviser-client label 3fa9c0      (asks for the label)      adviser-client search   (asks what to look for)\n"
      "  adviser-client handover 3fa9c0 --to \"Bram Jansen\" --channel ...   (the reporter must consent)\n"
      "  adviser-client shell                 (passphrase once, then the commands above; locks when idle)\n"
      "  adviser-client watch --notify-send   (fetch every 15 minutes; notify with counts and due dates only)\n",
      "adviser-client"};
  cli::localise_app(app, lang);
  app.require_subcommand(1);
  cli::add_version_flag(app, "adviser-client", lang);
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
                    "Channel address (meldpunt2:...@tcp://HOST:PORT, from `relay address`). Kept in the home folder "
                    "(channel.txt) once a command with it worked; without --channel the kept one is used");
    cmd->add_flag("--remember-channel", remember_channel,
                  "Accepted for older scripts; a --channel that worked is now always kept");
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
  inbox->footer("Examples:\n  adviser-client inbox --channel meldpunt2:...@tcp://relay.example.org:7450\n"
                "  adviser-client inbox     (the address kept after the first --channel that worked)\n"
                "Cases with unread messages are marked NEW. Messages are deleted at the relay only\n"
                "after they are safely in your local store.");
  add_channel(inbox);
  add_home(inbox);

  auto* channel_cmd = app.add_subcommand("channel", "Print the channel address kept in your home folder");
  channel_cmd->footer("Examples:\n  adviser-client channel            (the address later network commands use)\n"
                      "  adviser-client channel --forget   (remove it; the next network command needs --channel)\n"
                      "The address is kept after the first network command with --channel that worked, and\n"
                      "replaced only when a command with another --channel worked.");
  bool forget_channel = false;
  channel_cmd->add_flag("--forget", forget_channel, "Remove the kept address");
  add_home(channel_cmd);

  auto* cases = app.add_subcommand(
      "cases", "List your cases (offline): what is due first, overdue ones leading; closed ones last");
  cases->footer("Examples:\n  adviser-client cases\n  adviser-client cases --overdue\n"
                "  adviser-client cases --new --status in-progress\n  adviser-client cases --due-within 3\n"
                "Filters combine (every one given must hold). Order: by due date, earliest first (overdue\n"
                "deadlines lead); cases that owe nothing (closed) follow, most recent activity first.");
  CaseFilter case_filter;
  std::string status_filter;
  std::uint32_t due_within = 0;
  cases->add_flag("--overdue", case_filter.overdue, "Only cases with a deadline that has passed");
  cases->add_flag("--new", case_filter.unread, "Only cases with unread messages (marked NEW)");
  cases->add_option("--status", status_filter, "Only cases with this status")
      ->check(CLI::IsMember({"new", "acknowledged", "in-progress", "closed"}));
  auto* due_within_opt = cases->add_option("--due-within", due_within,
                                           "Only cases with something due within DAYS days (overdue included)")
                             ->check(CLI::Range(0u, 3650u));
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
                "  { pass show meldpunt; cat answer.txt; } | adviser-client reply 3fa9c0 --acknowledge\n"
                "With stdin not a terminal (scripts), the first line is the passphrase and the rest the message.\n"
                "A case still new: on a terminal you are asked whether the reply also acknowledges it (status\n"
                "acknowledged, so it does not turn OVERDUE); --acknowledge or --no-acknowledge answer for scripts.\n"
                "From a pipe without either, the case stays new and the output says so.");
  reply->add_option("CASE", case_id, "Case id or a unique prefix of at least 4 characters")->required();
  reply->add_option("--file", file, "Read the message from this file")->check(CLI::ExistingFile);
  usecase::ReplyRequest reply_request;
  reply->add_option("--attach", reply_request.attach,
                    "Attach a file (repeatable; at most 8, each within the relay's max-attachment-bytes). It is\n"
                    "sent in encrypted 256 KiB pieces before the text and kept in the case");
  // No CLI::ExistingFile check: its error prints the path raw (a name may hold
  // terminal control characters); read_files_to_send says it safely.
  reply->add_flag("--no-text", reply_request.no_text, "Send the attachments without a text (no editor, no stdin text)");
  bool reply_ack = false, reply_no_ack = false;
  auto* reply_ack_opt = reply->add_flag(
      "--acknowledge", reply_ack,
      "If the case is still new, mark it acknowledged once the reply is sent (the reply is the acknowledgement)");
  reply->add_flag("--no-acknowledge", reply_no_ack, "Leave a new case new (its acknowledgement stays due)")
      ->excludes(reply_ack_opt);
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
                   "A new proposal does not cancel an earlier one (at most 8 wait per case): whichever the reporter\n"
                   "accepts first takes effect. Your private notes never travel.");
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

  std::string label_text;
  bool clear_label = false;
  auto* label = app.add_subcommand("label", "Give a case a private label (shown by `cases` and `read`, never sent)");
  label->footer(
      "Examples:\n  adviser-client label 3fa9c0                  (asks: Label for case 3fa9c0 ...)\n"
      "  adviser-client label 3fa9c0 \"Facilities, 3rd floor; call back Tuesday\"\n"
      "  adviser-client label 3fa9c0 --clear\n"
      "A label is one line of at most 120 bytes, kept encrypted in your case store; it replaces an\n"
      "earlier one. It is yours alone: it never goes to the relay, the reporter or another adviser\n"
      "(not even with a hand-over).\n"
      "Leave TEXT out to be asked for it: then it stays out of the process list (ps) and your shell\n"
      "history, where text given on the command line can be seen. Scripts may pipe the passphrase line,\n"
      "then the label line.");
  label->add_option("CASE", case_id, "Case id or a unique prefix of at least 4 characters")->required();
  auto* label_text_opt =
      label->add_option("TEXT", label_text, "The label (leave it out to be asked for it, out of the process list)");
  label->add_flag("--clear", clear_label, "Remove the case's label")->excludes(label_text_opt);
  add_home(label);

  auto* search = app.add_subcommand("search", "Search every case's messages, notes and labels (locally)");
  search->footer(
      "Examples:\n  adviser-client search                  (asks: Search for ...)\n"
      "  adviser-client search \"parking garage\"\n  adviser-client search 3rd floor\n"
      "Each record is decrypted in memory only, searched and wiped; no index or plaintext is written.\n"
      "Letters a-z match without regard to case; other characters exactly. Lists each case with where\n"
      "it matched (label, message N, note N) and the line around the match, made safe to show.\n"
      "Leave TEXT out to be asked for it: then it stays out of the process list (ps) and your shell\n"
      "history, where text given on the command line can be seen.");
  std::vector<std::string> search_words;
  search->add_option("TEXT", search_words,
                     "What to look for (several words: searched as one text, with spaces); leave it out to be asked "
                     "for it, out of the process list");
  add_home(search);

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

  ShellOptions shell_options;
  auto* shell = add_shell_command(app, shell_options);
  add_home(shell);
  WatchOptions watch_options;
  auto* watch = add_watch_command(app, watch_options);
  add_channel(watch);
  add_home(watch);

  // --lang on every command; its value was read above (language_from_args),
  // CLI11 checks it. Then the help in the chosen language (help_texts.cpp).
  std::string lang_option;
  for (CLI::App* sub : app.get_subcommands({})) {
    sub->add_option("--lang", lang_option, "Language: en or nl (default: from LC_ALL, LC_MESSAGES or LANG)")
        ->check(CLI::IsMember({"en", "nl"}));
  }
  cli::localise_help(app, lang, help_rows());

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli::exit_for_parse_error(app, e, lang);
  }

  try {
    // A case id whose form is wrong is refused before anything is asked.
    if (!case_id.empty()) {
      if (Status valid = validate_case_id(case_id); !valid) throw Failure{valid.error(), true};
    }
    const Home home{home_arg.empty() ? default_home() : fs::path(home_arg)};
    const bool network = *inbox || *reply || *handover || *acknowledge;
    const std::string given_channel = channel;
    if (network) channel = channel_for_command(home, given_channel);
    if (!proxy.empty()) use_socks_proxy(check(client::parse_socks_proxy(proxy)));
    if (*init) return cmd_init(home, init_args, insecure_kdf);
    if (*card) return cmd_card(home);
    if (network) {
      int rc = kExitInternal;
      if (*inbox) rc = cmd_inbox(home, channel, timeout);
      if (*reply) {
        reply_request.case_id = case_id;
        reply_request.acknowledge_new = acknowledge_choice(
            reply_ack ? std::optional<bool>(true) : reply_no_ack ? std::optional<bool>(false) : std::nullopt);
        rc = cmd_reply(home, channel, file, timeout, reply_request);
      }
      if (*handover) rc = cmd_handover(home, case_id, handover_to, channel, file, timeout);
      if (*acknowledge) rc = cmd_acknowledge(home, AcknowledgeArgs{case_id, channel, ack_text, file, timeout});
      if (rc == kExitDone) keep_channel(home, given_channel);
      return rc;
    }
    if (*channel_cmd) return cmd_channel(home, forget_channel);
    if (*cases) {
      if (!status_filter.empty()) case_filter.status = check(parse_status(status_filter));
      if (due_within_opt->count()) case_filter.due_within_days = due_within;
      return cmd_cases(home, case_filter);
    }
    if (*read) return cmd_read(home, case_id);
    if (*status) return cmd_status(home, case_id, status_word);
    if (*history) return cmd_history(home, case_id);
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
        fail(ErrorCode::kMalformed, tell(lang, Tell::kFileGive));
      }
      return cmd_file(home, case_id, filing, clear_filing);
    }
    if (*stats) return cmd_stats(home, json);
    if (*label) {
      if (label_text_opt->count() > 0 && label_text.empty()) {
        throw Failure{Error{ErrorCode::kMalformed, tell(lang, Tell::kLabelGive)}, true};
      }
      return cmd_label(home, case_id, label_text_opt->count() > 0 ? std::optional(label_text) : std::nullopt,
                       clear_label);
    }
    if (*search) {
      if (search_words.empty()) return cmd_search(home, std::nullopt);
      std::string joined;
      for (const std::string& word : search_words) joined += (joined.empty() ? "" : " ") + word;
      return cmd_search(home, joined);
    }
    if (*passphrase) return cmd_passphrase(home, insecure_kdf);
    if (*backup) return cmd_backup(home, out_file, insecure_kdf);
    if (*restore) return cmd_restore(home, from_file);
    if (*watch) return cmd_watch(home, channel, timeout, watch_options);
    if (*shell) return cmd_shell(home, shell_options, command_names(app), run_command_line);
  } catch (const Failure& f) {
    // A refusal by the relay is said in words (refusal.hpp), never shown raw.
    client::write_err(say(lang, Say::kErrorPrefix) + describe(lang, f.error) + "\n");
    return f.usage ? kExitUsage : kExitFailed;
  } catch (const std::exception& e) {
    client::write_err(say(lang, Say::kInternalPrefix) + e.what() + "\n");
    return kExitInternal;
  }
  return kExitInternal;
}

}  // namespace
