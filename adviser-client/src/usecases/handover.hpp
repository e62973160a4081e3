// `handover CASE --to ADVISER`: proposes to the reporter that another
// adviser of the directory takes the case over. The reporter decides; only
// if they accept does their client send the conversation on.
#pragma once

#include <string>
#include <string_view>

#include "case_store.hpp"
#include "key_file.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "usecases/inputs.hpp"

namespace meldpunt::adviser::usecase {

// The directory entry `wanted` names: its adviser id (32 hex digits, or a
// unique prefix of at least 4), or its name (case-insensitive, exact).
// kNotFound when none or several match; the message lists the directory.
Result<crypto::DirectoryEntry> find_adviser(const crypto::Directory& directory, const std::string& wanted);

struct HandoverProposed {
  CaseRecord record;               // as it was before the proposal
  crypto::DirectoryEntry target;
  bool earlier_proposals_open = false;  // an earlier proposal for the case still waits for an answer
};

// Refused before any connection: an unknown or ambiguous case id
// (kNotFound), a case handed over already (kMalformed). `note`, if set, is
// asked next (a note for the reporter; none if unset). Then the verified
// directory (verified_directory), the adviser `to` names (find_adviser;
// kMalformed if it is ourselves), and the proposal sent. A relay error comes
// as it came (kUnavailable when the relay does not answer).
Result<HandoverProposed> hand_over_case(const protocol::ChannelAddress& address,
                                        const client::ConnectionOptions& options, const KeyFile& key_file,
                                        CaseStore& store, std::string_view case_id, const std::string& to,
                                        const SecretSource& note, const Clock& clock);

}  // namespace meldpunt::adviser::usecase
