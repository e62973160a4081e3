// `acknowledge CASE`: sends the acknowledgement of receipt to the reporter
// and marks the case acknowledged, which starts the feedback deadline.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "case_store.hpp"
#include "casework.hpp"
#include "key_file.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "usecases/inputs.hpp"

namespace meldpunt::adviser::usecase {

// The standard acknowledgement, in English and Dutch, naming the feedback
// deadline of `settings`.
std::string default_acknowledgement(const Settings& settings);

// The text to send; given the adviser's settings so it can be the standard one.
using AcknowledgementText = std::function<Result<crypto::SecretBuffer>(const Settings& settings)>;

struct Acknowledged {
  CaseRecord record;  // after the change
  Deadline due;       // the feedback deadline it started
};

// Refuses, before `text` is asked and before any connection: an unknown or
// ambiguous case id (kNotFound), a closed case or one acknowledged before
// (kMalformed, saying what to do; nothing sent). Then sends the text as a
// reply over a connection to `address` (kMalformed if it is not UTF-8; a
// relay error as it came, kUnavailable when it does not answer), and sets
// the status, dated by `clock` after sending; if only that fails, the error
// says the acknowledgement went out and how to set the status.
Result<Acknowledged> acknowledge(const protocol::ChannelAddress& address, const client::ConnectionOptions& options,
                                 const KeyFile& key_file, CaseStore& store, std::string_view case_id,
                                 const AcknowledgementText& text, const Clock& clock);

}  // namespace meldpunt::adviser::usecase
