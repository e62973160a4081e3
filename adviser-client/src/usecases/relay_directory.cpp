#include "usecases/relay_directory.hpp"

namespace meldpunt::adviser::usecase {

Result<crypto::Directory> verified_directory(client::RelayConnection& relay, const protocol::ChannelAddress& address,
                                             CaseStore& store, std::uint64_t now) {
  auto directory = client::fetch_directory(relay, address);
  if (!directory) {
    if (directory.error().code == ErrorCode::kNotFound) {
      return Error{ErrorCode::kNotFound,
                   "the relay has no adviser directory yet; ask the administrator to publish one "
                   "(`relay directory sign` with your card, then `relay directory publish`)"};
    }
    return directory.error();
  }
  auto seen = store.directory_history();
  if (!seen) return seen.error();
  if (Status fresh = client::check_directory_fresh(*directory, *seen, now); !fresh) {
    return Error{fresh.error().code, fresh.error().message};
  }
  if (Status noted = store.note_directory(*directory); !noted) return noted.error();
  return directory;
}

}  // namespace meldpunt::adviser::usecase
