// An exclusive, non-blocking flock(2) on a lock file, held while the object
// lives: one process at a time in a data or home folder.
#pragma once

#include <filesystem>
#include <string>

#include "meldpunt/common/result.hpp"
#include "meldpunt/os/unique_fd.hpp"

namespace meldpunt::os {

class FolderLock {
 public:
  // Opens (creating, mode 0600) and locks lock_file. The file is opened with
  // O_NOFOLLOW: a symlink planted under its name is refused (kIo), never
  // followed to a file elsewhere. kUnavailable with busy_message if another
  // process holds the lock; kIo on other failures.
  static Result<FolderLock> acquire(const std::filesystem::path& lock_file, const std::string& busy_message);

 private:
  explicit FolderLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;  // closing it releases the lock
};

}  // namespace meldpunt::os
