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

  client::RelayConnection relay(address, options);
  if (request.attach.empty() && !request.no_text) {
    auto body = text();
    if (!body) return body.error();
    auto sent = send_reply(relay, key_file, store, c, *body);
    if (!sent) return sent.error();
    return ReplySent{std::move(record).value(), body->size(), std::nullopt, {}};
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
  return ReplySent{std::move(record).value(), body.size(), sent->envelopes, std::move(stored).value()};
}

}  // namespace meldpunt::adviser::usecase
