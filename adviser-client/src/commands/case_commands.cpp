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
#include "wording_commands.hpp"

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
    out(tell(language(), Tell::kReadLabel,
             {std::string(safe_line(v.label->view(), kMaxCaseLabelBytes).text()), v.record.id()}) +
        "\n");
  }
  out(render_conversation(v.messages, language()).text());
  if (!v.attachments.empty()) {
    out(say(language(), Say::kAttachmentsHeading, {v.record.id()}) + render_attachments(v.attachments, language()));
  }
  if (!v.notes.empty()) {
    out(say(language(), Say::kNotesHeading));
    out(render_notes(v.notes, language()).text());
  }
  check(usecase::mark_read(store, v.record));
  return 0;
}

int cmd_status(const Home& home, const std::string& case_id, const std::string& word) {
  const StatusAction action = check(parse_status_action(word));
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const usecase::StatusChange change = check(usecase::change_status(store, case_id, action, now_seconds()));
  out(tell(language(), Tell::kCaseChanged,
           {change.after.id(), status_keyword(change.before.status), status_keyword(change.after.status),
            describe_deadline(change.due, language())}) +
      "\n");
  return 0;
}

int cmd_history(const Home& home, const std::string& case_id) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const usecase::CaseHistory h = check(usecase::case_history(store, case_id));
  out(render_case_header(h.record, h.settings, now_seconds(), h.record.next_sequence, language()) + "\n" +
      render_history(h.entries, language()));
  return 0;
}

int cmd_settings(const Home& home, std::optional<unsigned> ack_days, std::optional<unsigned> feedback_months) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const usecase::SettingsOutcome outcome = check(usecase::update_settings(store, ack_days, feedback_months));
  if (outcome.saved) out(tell(language(), Tell::kSettingsSaved) + "\n");
  out(tally(language(), Tally::kAckWithin, outcome.settings.ack_days) + "\n" +
      tally(language(), Tally::kFeedbackWithin, outcome.settings.feedback_months) + "\n");
  return 0;
}

int cmd_note(const Home& home, const std::string& case_id, const std::string& file) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const auto text = [&] {
    return compose_text(home, file, kMaxNoteBytes, tell(language(), Tell::kWhatNote),
                        tell(language(), Tell::kNothingSaved));
  };
  const CaseRecord c = check(usecase::add_note(store, case_id, text, now_seconds));
  out(tell(language(), Tell::kNoteSaved, {c.id()}) + "\n");
  return 0;
}

int cmd_notes(const Home& home, const std::string& case_id) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const usecase::CaseNotes n = check(usecase::case_notes(store, case_id));
  out(tell(language(), Tell::kNotesHeader, {n.record.id(), std::to_string(n.notes.size())}) + "\n");
  out(render_notes(n.notes, language()).text());
  return 0;
}

int cmd_attachment(const Home& home, const std::string& case_id, std::size_t number, const std::string& save_dir) {
  if (!save_dir.empty()) {
    std::error_code ec;
    if (!fs::is_directory(save_dir, ec)) {
      fail(ErrorCode::kNotFound, tell(language(), Tell::kSaveNoFolder, {terminal_safe_label(save_dir)}));
    }
  }
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const usecase::FoundAttachment found = check(usecase::find_attachment(store, case_id, number));
  out(describe_attachment(found.attachment, number, language()));
  if (save_dir.empty()) {
    out(tell(language(), Tell::kAttachmentSaveHint, {found.record.id(), std::to_string(number)}) + "\n");
    return 0;
  }
  const crypto::SecretBuffer saved = check(usecase::save_attachment(store, found, save_dir));
  out(tell(language(), Tell::kAttachmentSaved,
           {terminal_safe_label((fs::path(save_dir) / std::string(saved.text())).string())}) +
      "\n");
  return 0;
}

int cmd_export(const Home& home, const usecase::ExportRequest& request, bool insecure_kdf) {
  check(usecase::require_new_file(request.out_file));
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const auto passphrase = [] {
    return new_passphrase(tell(language(), Tell::kForExport), tell(language(), Tell::kNothingWritten));
  };
  const CaseRecord c = check(usecase::export_case(store, key_file.profile(), request, passphrase,
                                                  kdf_params(insecure_kdf), now_seconds()));
  out(tell(language(), request.plain ? Tell::kExportedPlain : Tell::kExported, {c.id(), request.out_file}) + "\n");
  return 0;
}

int cmd_export_open(const std::string& file) {
  const crypto::SecretBuffer document =
      check(usecase::open_case_export(file, passphrase_prompt(tell(language(), Tell::kExportPassphrasePrompt))));
  // The export holds text from anonymous reporters: keep it from the terminal's control.
  out(terminal_safe(document.view()).text());
  return 0;
}

int cmd_file(const Home& home, const std::string& case_id, const Filing& filing, bool clear) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const usecase::FilingOutcome outcome = check(usecase::file_case(store, case_id, filing, clear));
  if (!outcome.filing) {
    out(tell(language(), Tell::kUnfiled, {outcome.record.id()}) + "\n");
    return 0;
  }
  const Filing& f = *outcome.filing;
  out(tell(language(), Tell::kFiled,
           {outcome.record.id(), f.group.empty() ? "-" : f.group, f.kind.empty() ? "-" : f.kind}) +
      "\n");
  return 0;
}

int cmd_stats(const Home& home, bool json) {
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const StatsReport report = check(usecase::case_stats(store, key_file.profile().role));
  out(json ? stats_json(report) : stats_text(report, language()));
  return 0;
}

}  // namespace meldpunt::adviser::commands
