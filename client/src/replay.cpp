#include "meldpunt/client/replay.hpp"

#include <algorithm>
#include <set>
#include <utility>

namespace meldpunt::client {

std::size_t drop_replayed(std::vector<ReceivedLetter>& letters) {
  std::set<std::pair<crypto::X25519PublicKey, FixedBytes<32>>> seen;
  const auto before = letters.size();
  std::erase_if(letters, [&](const ReceivedLetter& r) {
    return !seen.emplace(r.sender_pk, r.letter.delete_token).second;
  });
  return before - letters.size();
}

}  // namespace meldpunt::client
