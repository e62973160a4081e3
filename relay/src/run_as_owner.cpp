#include "run_as_owner.hpp"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace meldpunt::relay {

namespace {

Status switch_failed(const std::string& what) {
  return Error{ErrorCode::kIo, "cannot switch to the data folder's owner (" + what + "): " + std::strerror(errno) +
                                   "; run the command as that user (sudo -u USER relay ...)"};
}

}  // namespace

Status become_folder_owner(const std::filesystem::path& folder) {
  if (::geteuid() != 0) return Status::success();
  // The folder itself, or for `init` the parent it will be made in. stat
  // follows a link in the path the administrator typed, which is theirs to
  // choose; what matters is who owns the folder the command works in.
  std::filesystem::path at = std::filesystem::absolute(folder).lexically_normal();
  struct stat st {};
  while (::stat(at.c_str(), &st) != 0) {
    if (errno != ENOENT || !at.has_relative_path()) {
      return Error{ErrorCode::kIo, "cannot stat " + at.string() + ": " + std::strerror(errno)};
    }
    at = at.parent_path();
  }
  if (st.st_uid == 0) return Status::success();
  // Order matters: groups and gid first, while still allowed to change them.
  if (::setgroups(0, nullptr) != 0) return switch_failed("supplementary groups");
  if (::setgid(st.st_gid) != 0) return switch_failed("group " + std::to_string(st.st_gid));
  if (::setuid(st.st_uid) != 0) return switch_failed("user " + std::to_string(st.st_uid));
  if (::setuid(0) == 0 || ::geteuid() == 0 || ::getegid() != st.st_gid) {
    return Error{ErrorCode::kIo, "switching to the data folder's owner did not drop root; refusing to go on"};
  }
  return Status::success();
}

}  // namespace meldpunt::relay
