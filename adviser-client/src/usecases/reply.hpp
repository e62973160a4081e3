// `reply CASE [--attach FILE]... [--no-text]`: a reply to the reporter of a
// case, with files if asked, sent through the relay and kept in the case.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "case_store.hpp"
#include "key_file.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "usecases/inputs.hpp"

namespace meldpunt::adviser::usecase {

// Whether a reply to a case that is still new also acknowledges it; asked
// (given the case) only for such a case, before the text.
using AcknowledgeChoice = std::function<Result<bool>(const CaseRecord& record)>;

struct ReplyRequest {
  std::string case_id;
  std::vector<std::string> attach;  // files to send with the reply
  bool no_text = false;             // the files only: `text` is not asked
  // Empty: a new case stays new. Set: asked for a new case; yes marks it
  // acknowledged once the reply went out (the reply is the acknowledgement
  // of receipt; the history records both), dated by `clock`.
  AcknowledgeChoice acknowledge_new;
  Clock clock;  // empty: the system clock
};

struct ReplySent {
  CaseRecord record;  // after the reply (acknowledged when it was)
  bool acknowledged = false;  // this reply acknowledged the case
  bool left_new = false;      // the case was new and stays so
  std::size_t body_bytes = 0;             // 0: files only
  std::optional<std::size_t> envelopes;   // set when files were sent
  std::vector<AttachmentRecord> files;    // the case's files afterwards (when files were sent)
};

// Refused before any connection: an unknown or ambiguous case id
// (kNotFound), a case handed over to another adviser (kMalformed).
// With files, they are checked against the relay's limit (and --no-text
// without files refused) before `text` is asked. A relay error comes as it
// came (kUnavailable when the relay does not answer).
Result<ReplySent> send_case_reply(const protocol::ChannelAddress& address, const client::ConnectionOptions& options,
                                  const KeyFile& key_file, CaseStore& store, const ReplyRequest& request,
                                  const SecretSource& text);

}  // namespace meldpunt::adviser::usecase
