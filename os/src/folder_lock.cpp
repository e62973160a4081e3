#include "meldpunt/os/folder_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <system_error>

namespace meldpunt::os {

Result<FolderLock> FolderLock::acquire(const std::filesystem::path& lock_file, const std::string& busy_message) {
  UniqueFd fd(::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) {
    const int err = errno;
    std::string why = std::error_code(err, std::generic_category()).message();
    if (err == ELOOP) why = "it is a symbolic link (remove it; a lock file is never followed elsewhere)";
    return Error{ErrorCode::kIo, "cannot open " + lock_file.string() + ": " + why};
  }
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err == EWOULDBLOCK) return Error{ErrorCode::kUnavailable, busy_message};
    return Error{ErrorCode::kIo, "cannot lock " + lock_file.string() + ": " +
                                     std::error_code(err, std::generic_category()).message()};
  }
  return FolderLock(std::move(fd));
}

}  // namespace meldpunt::os
