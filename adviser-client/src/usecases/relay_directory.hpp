// The relay's current adviser directory, as the commands that need it
// (inbox, handover) accept it.
#pragma once

#include <cstdint>

#include "case_store.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/protocol/channel_address.hpp"

namespace meldpunt::adviser::usecase {

// The current directory, refused if it is below the channel address's
// minimum serial, older than one this adviser has seen, or expired
// (client/directory_check.hpp); its serial is then remembered in the case
// store. kNotFound (saying to ask the administrator) when the relay has
// none yet; a failed request's error as it came (kUnavailable when the
// relay does not answer).
Result<crypto::Directory> verified_directory(client::RelayConnection& relay, const protocol::ChannelAddress& address,
                                             CaseStore& store, std::uint64_t now);

}  // namespace meldpunt::adviser::usecase
