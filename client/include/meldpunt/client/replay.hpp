// Replays: the relay may deposit a stored envelope again (or any number of
// times) under a new message id. A letter is recognised by its delete token,
// 32 random bytes drawn for every letter and carried inside the encryption
// (protocol/letter.hpp), never by the relay's id: two letters with the same
// token from the same authenticated sender are the same letter.
#pragma once

#include <cstddef>
#include <vector>

#include "meldpunt/client/mailbox.hpp"

namespace meldpunt::client {

// Keeps the first of every set of letters with the same sender and delete
// token, in order; returns how many copies were removed.
std::size_t drop_replayed(std::vector<ReceivedLetter>& letters);

}  // namespace meldpunt::client
