// note_files and files_left_behind (attachments.hpp): what a history says
// about the files it does not carry.
#include <algorithm>

#include "attachments.hpp"
#include "meldpunt/client/text.hpp"

namespace meldpunt::reporter {

void note_files(Conversation& conversation, const ConversationAttachments& attachments) {
  auto add = [&](FileMention mention) {
    const bool known = std::any_of(conversation.files.begin(), conversation.files.end(), [&](const FileMention& f) {
      return f.sent_at == mention.sent_at && f.from_reporter == mention.from_reporter &&
             f.adviser_id == mention.adviser_id && f.digest == mention.digest &&
             f.total_bytes == mention.total_bytes && f.name.equals(mention.name);
    });
    if (!known) conversation.files.push_back(std::move(mention));
  };
  for (const SentAttachment& s : attachments.sent) {
    add({s.sent_at, true, crypto::AdviserId{}, s.total_bytes, s.digest, s.name.clone(), false});
  }
  for (const ReceivedAttachment& r : attachments.received) {
    add({r.file.sent_at, false, r.adviser->id, r.file.total_bytes, r.file.digest, r.file.name.clone(), false});
  }
  std::stable_sort(conversation.files.begin(), conversation.files.end(),
                   [](const FileMention& a, const FileMention& b) { return a.sent_at < b.sent_at; });
}

std::string files_left_behind(const Conversation& conversation) {
  std::string out;
  for (const FileMention& f : conversation.files) {
    const crypto::SecretBuffer name = client::sanitise_file_name(f.name.view());
    out += "    " + std::string(name.text()) + " (" + client::describe_size(f.total_bytes) + ")\n";
  }
  return out;
}

}  // namespace meldpunt::reporter
