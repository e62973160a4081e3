#include "commands/commands.hpp"

#include <cctype>

#include "attachments.hpp"
#include "commands/inbox_report.hpp"
#include "commands/session.hpp"
#include "meldpunt/client/terminal.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/protocol/letter.hpp"
#include "text.hpp"
#include "usecases/acknowledge.hpp"
#include "usecases/handover.hpp"
#include "usecases/inbox_run.hpp"
#include "usecases/reply.hpp"
#include "wording_commands.hpp"

namespace meldpunt::adviser::commands {

int cmd_inbox(const Home& home, const std::string& channel, unsigned timeout) {
  const protocol::ChannelAddress address = parse_channel(channel);
  require_identity(home);
  check(make_private_folder(home.root));
  os::FolderLock lock = check(lock_home_folder(home.lock_file()));
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const InboxSummary summary =
      check_relay(usecase::run_inbox(address, connection_options(timeout), key_file, store, now_seconds()), address);
  render_inbox_summary(summary, out, err, language());
  print_cases(store);
  return 0;
}

int cmd_reply(const Home& home, const std::string& channel, const std::string& file, unsigned timeout,
              const usecase::ReplyRequest& request) {
  const protocol::ChannelAddress address = parse_channel(channel);
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const auto text = [&] {
    return compose_text(home, file, protocol::max_reply_body_bytes(), tell(language(), Tell::kWhatReply),
                        tell(language(), Tell::kNothingSent));
  };
  const usecase::ReplySent sent = check_relay(
      usecase::send_case_reply(address, connection_options(timeout), key_file, store, request, text), address);
  if (sent.envelopes) {
    const std::string only = sent.body_bytes == 0 ? tell(language(), Tell::kAttachmentsOnly) : std::string();
    out(tally(language(), Tally::kReplySentEnvelopes, *sent.envelopes, {sent.record.id(), only}) + "\n" +
        render_attachments(sent.files, language()));
  } else {
    out(tell(language(), Tell::kReplySent, {sent.record.id(), std::to_string(sent.body_bytes)}) + "\n");
  }
  if (sent.acknowledged) {
    out(tell(language(), Tell::kReplyAcknowledged,
             {sent.record.id(),
              describe_deadline(deadline_for(sent.record, check(store.settings()), now_seconds()), language())}) +
        "\n");
  } else if (sent.left_new) {
    out(tell(language(), Tell::kReplyLeftNew, {sent.record.id()}) + "\n");
  }
  return 0;
}

usecase::AcknowledgeChoice acknowledge_choice(std::optional<bool> flag) {
  return [flag](const CaseRecord& record) -> Result<bool> {
    if (flag) return *flag;
    if (!client::stdin_is_terminal()) return false;  // nobody to ask: cmd_reply says the case stays new
    const PersonWait waiting;
    for (int attempt = 0; attempt < 3; ++attempt) {
      auto line = client::read_line(tell(language(), Tell::kAckQuestion, {record.id()}), 16);
      if (!line) return line.error().code == ErrorCode::kNotFound ? Result<bool>(false) : Result<bool>(line.error());
      std::string answer(line->text());
      for (char& ch : answer) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (answer == "y" || answer == "yes" || answer == "j" || answer == "ja") return true;
      if (answer == "n" || answer == "no" || answer == "nee") return false;
      err(tell(language(), Tell::kAnswerYesNo) + "\n");
    }
    return false;
  };
}

int cmd_handover(const Home& home, const std::string& case_id, const std::string& to, const std::string& channel,
                 const std::string& file, unsigned timeout) {
  const protocol::ChannelAddress address = parse_channel(channel);
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  usecase::SecretSource note;
  if (!file.empty()) {
    note = [&] {
      return compose_text(home, file, protocol::kMaxHandoverNoteBytes, tell(language(), Tell::kWhatHandoverNote),
                          tell(language(), Tell::kNothingSent));
    };
  }
  const usecase::HandoverProposed proposed = check_relay(
      usecase::hand_over_case(address, connection_options(timeout), key_file, store, case_id, to, note, now_seconds),
      address);
  const std::string name = terminal_safe_label(proposed.target.name);
  out(tell(language(), Tell::kHandoverProposed,
           {proposed.record.id(), name, crypto::role_keyword(proposed.target.role)}) +
      "\n");
  if (proposed.earlier_proposals_open) out(tell(language(), Tell::kHandoverEarlierOpen) + "\n");
  return 0;
}

int cmd_acknowledge(const Home& home, const AcknowledgeArgs& args) {
  const protocol::ChannelAddress address = parse_channel(args.channel);
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const auto text = [&](const Settings& settings) -> Result<crypto::SecretBuffer> {
    if (!args.text.empty()) return crypto::SecretBuffer::copy_of(std::string_view(args.text));
    if (!args.file.empty()) {
      return compose_text(home, args.file, protocol::max_reply_body_bytes(),
                          tell(language(), Tell::kWhatAcknowledgement), tell(language(), Tell::kNothingSent));
    }
    return crypto::SecretBuffer::copy_of(std::string_view(usecase::default_acknowledgement(settings)));
  };
  const usecase::Acknowledged done = check_relay(
      usecase::acknowledge(address, connection_options(args.timeout), key_file, store, args.case_id, text, now_seconds),
      address);
  out(tell(language(), Tell::kAckSent, {done.record.id(), describe_deadline(done.due, language())}) + "\n");
  return 0;
}

}  // namespace meldpunt::adviser::commands
