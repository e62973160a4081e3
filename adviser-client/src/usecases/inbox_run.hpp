// `inbox`: prekeys topped up, new letters collected into the store, then the
// case list; and `cases`, the list alone.
#pragma once

#include <cstdint>
#include <vector>

#include "case_store.hpp"
#include "inbox.hpp"
#include "key_file.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/protocol/channel_address.hpp"

namespace meldpunt::adviser::usecase {

// One inbox run over a connection to `address`: the verified directory
// (verified_directory), then sync_inbox. The caller holds the home
// folder's lock. A relay error comes as it came (kUnavailable when the
// relay does not answer).
Result<InboxSummary> run_inbox(const protocol::ChannelAddress& address, const client::ConnectionOptions& options,
                               KeyFile& key_file, CaseStore& store, std::uint64_t now);

struct CaseList {
  std::vector<CaseRecord> cases;
  Settings settings;  // for the deadlines
};

// Every case, with the settings the table's deadlines need.
Result<CaseList> list_cases(const CaseStore& store);

}  // namespace meldpunt::adviser::usecase
