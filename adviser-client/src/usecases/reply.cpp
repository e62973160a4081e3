#include "usecases/reply.hpp"

#include "attachments.hpp"
#include "inbox.hpp"
#include "text.hpp"

namespace meldpunt::adviser::usecase {

Result<ReplySent> send_case_reply(const protocol::ChannelAddress& address, const client::ConnectionOptions& options,
                                  const KeyFile& key_file, CaseStore& store, const ReplyRequest& request,
                                  const SecretSource& text) {
  auto record = store.find_case(request.case_id);
  if (!record) return record.error();
  const CaseRecord& c = *record;
  if (c.handed_over()) {
    return Error{ErrorCode::kMalformed, "case " + c.id() + " was handed over to " +
                                            terminal_safe_label(c.handover_adviser_name) +
                                            " with the reporter's consent; they answer the reporter now. Nothing "
                                            "was sent."};
  }

  bool acknowledge = false;
  const bool is_new = c.status == CaseStatus::kNew && c.acknowledged_at == 0;
  if (is_new && request.acknowledge_new) {
    auto chosen = request.acknowledge_new(c);
    if (!chosen) return chosen.error();
    acknowledge = *chosen;
  }
  // After the reply went out: the status follows it, and only a failure to
  // set it is said (the reply itself was sent).
  const auto finish = [&](ReplySent sent) -> Result<ReplySent> {
    sent.left_new = is_new && !acknowledge;
    if (!acknowledge) return sent;
    const std::uint64_t now = request.clock ? request.clock() : now_seconds();
    auto after = store.change_status(sent.record.key, StatusAction::kAcknowledge, now, true);
    if (!after) {
      return Error{after.error().code, "the reply was sent, but marking the case acknowledged failed: " +
                                           after.error().message + "; run `adviser-client status " +
                                           sent.record.id() + " acknowledged`"};
    }
    sent.record = std::move(after).value();
    sent.acknowledged = true;
    return sent;
  };

  client::RelayConnection relay(address, options);
  if (request.attach.empty() && !request.no_text) {
    auto body = text();
    if (!body) return body.error();
    auto sent = send_reply(relay, key_file, store, c, *body);
    if (!sent) return sent.error();
    return finish(ReplySent{std::move(record).value(), false, false, body->size(), std::nullopt, {}});
  }

  if (request.attach.empty()) {
    return Error{ErrorCode::kMalformed, "--no-text needs at least one --attach FILE; nothing was sent"};
  }
  // Checked against the relay's limit before the text is written.
  auto files = read_files_to_send(relay, request.attach);
  if (!files) return files.error();
  crypto::SecretBuffer body;
  if (!request.no_text) {
    auto written = text();
    if (!written) return written.error();
    body = std::move(written).value();
  }
  auto sent = send_with_attachments(relay, key_file, store, c, body, *files);
  if (!sent) return sent.error();
  auto stored = store.attachments(c.key);
  if (!stored) return stored.error();
  return finish(ReplySent{std::move(record).value(), false, false, body.size(), sent->envelopes,
                          std::move(stored).value()});
}

}  // namespace meldpunt::adviser::usecase
