#include "usecases/acknowledge.hpp"

#include "inbox.hpp"
#include "text.hpp"

namespace meldpunt::adviser::usecase {

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

Result<Acknowledged> acknowledge(const protocol::ChannelAddress& address, const client::ConnectionOptions& options,
                                 const KeyFile& key_file, CaseStore& store, std::string_view case_id,
                                 const AcknowledgementText& text, const Clock& clock) {
  auto record = store.find_case(case_id);
  if (!record) return record.error();
  const CaseRecord& c = *record;
  if (c.status == CaseStatus::kClosed) return Error{ErrorCode::kMalformed, "case " + c.id() + " is closed; nothing was sent"};
  if (c.acknowledged_at != 0) {
    return Error{ErrorCode::kMalformed, "case " + c.id() + " was acknowledged on " + format_minute(c.acknowledged_at) +
                                            "; use `reply` to write again. Nothing was sent"};
  }
  auto settings = store.settings();
  if (!settings) return settings.error();
  auto body = text(*settings);
  if (!body) return body.error();
  if (!is_valid_utf8(body->view())) {
    return Error{ErrorCode::kMalformed, "the acknowledgement is not UTF-8 text; nothing was sent"};
  }

  client::RelayConnection relay(address, options);
  auto sent = send_reply(relay, key_file, store, c, *body);
  if (!sent) return sent.error();
  const std::uint64_t now = clock();
  auto after = store.change_status(c.key, StatusAction::kAcknowledge, now, true);
  if (!after) {
    return Error{after.error().code, "the acknowledgement was sent, but setting the status failed: " +
                                         after.error().message + "; run `adviser-client status " + c.id() +
                                         " acknowledged`"};
  }
  const Deadline due = deadline_for(*after, *settings, now);
  return Acknowledged{std::move(after).value(), due};
}

}  // namespace meldpunt::adviser::usecase
