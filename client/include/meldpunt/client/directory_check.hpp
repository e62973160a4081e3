// Rollback: a relay (or whoever controls its disk) can serve any directory
// the organisation ever signed, for instance one that still lists an adviser
// who has since been removed. Both clients refuse a directory older than one
// they can know of:
//   - past its signed valid-until date (crypto::Directory::valid_until);
//   - without a valid-until date (signed before it existed) once
//     crypto::kLegacyDirectoryCutoff has passed, or once the client has seen a
//     directory that carries one;
//   - with a serial below the highest the client knows: the adviser client
//     keeps the highest serial it has seen (in its key file's profile), the
//     reporter client reads it from its own letters (protocol/letter.hpp
//     version 2 carries the serial its sender had seen).
// (A minimum serial in the channel address is checked where the address is.)
#pragma once

#include <cstdint>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/directory.hpp"

namespace meldpunt::client {

struct DirectoryHistory {
  std::uint64_t highest_serial = 0;  // 0: none known
  bool seen_valid_until = false;     // a directory with a valid-until date was seen
};

// kReplay (with a message for the user that names the serial or date and
// says that nothing was sent) if `directory` must be refused; `now` in unix
// seconds.
Status check_directory_fresh(const crypto::Directory& directory, const DirectoryHistory& known, std::uint64_t now);

}  // namespace meldpunt::client
