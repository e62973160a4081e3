// What a use case needs from outside the store: text the adviser writes,
// a passphrase, the time. They are passed as functions so that a use case
// asks for them at the moment the command always did (after the case id is
// known to be valid, so a mistyped id fails before an editor or a prompt
// opens) without touching the terminal itself; unit tests answer them.
#pragma once

#include <cstdint>
#include <functional>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::adviser::usecase {

// A message, a note or a passphrase; its error ends the use case unchanged.
using SecretSource = std::function<Result<crypto::SecretBuffer>()>;

// Seconds since the epoch, read when the use case records something (after
// an editor closes or a relay answers, which may take minutes).
using Clock = std::function<std::uint64_t()>;

}  // namespace meldpunt::adviser::usecase
