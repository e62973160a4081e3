// A `relay` command run as root on a data folder that belongs to the relay's
// user runs as that user.
//
// Why: the data folder (and its store folder) is writable by the service
// user. A root process opening files there follows symbolic links the
// service user may have planted: LMDB opens lock.mdb with O_CREAT, and
// handing files back with chown() would give any root-owned file on the
// system to that user. Checking names first leaves a window between check
// and open; acting as the owner has none, since root then holds nothing the
// owner does not. Files the command makes belong to the owner, so the
// service can open them afterwards.
#pragma once

#include <filesystem>

#include "meldpunt/common/result.hpp"

namespace meldpunt::relay {

// If this process runs as root and the nearest existing folder at or above
// `folder` belongs to another user, switches to that user and the folder's
// group for good (supplementary groups dropped), and checks that root
// cannot be regained. Does nothing when not root or when the folder is
// root's. kIo if a switch fails (the command must then stop).
Status become_folder_owner(const std::filesystem::path& folder);

}  // namespace meldpunt::relay
