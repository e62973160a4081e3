#include "commands/commands.hpp"

#include <filesystem>

#include "attachments.hpp"
#include "case_glance.hpp"
#include "casework.hpp"
#include "commands/session.hpp"
#include "text.hpp"
#include "usecases/attachment.hpp"
#include "usecases/case_history.hpp"
#include "usecases/case_overview.hpp"
#include "usecases/change_status.hpp"
#include "usecases/export_case.hpp"
#include "usecases/file_case.hpp"
#include "usecases/inbox_run.hpp"
#include "usecases/notes.hpp"
#include "usecases/read_case.hpp"
#include "usecases/settings.hpp"
#include "usecases/stats.hpp"

namespace meldpunt::adviser::commands {

namespace fs = std::filesystem;

void print_cases(const CaseStore& store) {
  const usecase::CaseOverview overview = check(usecase::case_overview(store, CaseFilter{}, now_seconds()));
  out(glance_table(overview.cases, overview.settings, now_seconds(), output_columns(), language()).text());
}

int cmd_cases(const Home& home, const CaseFilter& filter) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const std::uint64_t now = now_seconds();
  const usecase::CaseOverview overview = check(usecase::case_overview(store, filter, now));
  if (overview.cases.empty() && overview.all > 0) {
    out(say(language(), Say::kNoCaseMatches, {std::to_string(overview.all)}));
    return 0;
  }
  out(glance_table(overview.cases, overview.settings, now, output_columns(), language()).text());
  return 0;
}

int cmd_read(const Home& home, const std::string& case_id) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const usecase::CaseView v = check(usecase::read_case(store, case_id));
  out(render_case_header(v.record, v.settings, now_seconds(), v.messages.size(), language()));
  if (v.label) {
    out("Label: [" + std::string(safe_line(v.label->view(), kMaxCaseLabelBytes).text()) +
        "]   (yours only; change it with `adviser-client label " + v.record.id() + "`)\n");
  }
  out(render_conversation(v.messages, language()).text());
  if (!v.attachments.empty()) {
    out(say(language(), Say::kAttachmentsHeading, {v.record.id()}) + render_attachments(v.attachments));
  }
  if (!v.notes.empty()) {
    out(say(language(), Say::kNotesHeading));
    out(render_notes(v.notes).text());
  }
  check(usecase::mark_read(store, v.record));
  return 0;
}

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

}  // namespace meldpunt::adviser::commands
