// Whole-file reads and writes that either complete or say why, and the
// directory syncs that make renames and new names durable. Errors are kIo
// values naming the path and the system's reason (kNotFound, kTooLarge where
// stated); nothing here throws on I/O failures.
#pragma once

#include <filesystem>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/common/result.hpp"

namespace meldpunt::os {

// Writes a file so that a crash leaves either the old or the new content:
// temp file in the same folder (random name, O_EXCL, the given mode exactly),
// write, fsync, rename over path, fsync of the folder.
Status write_file_atomically(const std::filesystem::path& path, ByteView content, unsigned mode = 0600);

// Reads a whole file of at most max_bytes (kTooLarge beyond, kNotFound if it
// does not exist, kIo on other errors). Reads pipes too, up to the bound.
Result<Bytes> read_file(const std::filesystem::path& path, std::size_t max_bytes);

// fsync(2) of a directory, so that names created, renamed or removed in it
// survive a crash.
Status sync_directory(const std::filesystem::path& dir);

// Copies from into a new file to (O_EXCL: never replaces one; mode 0600) and
// fsyncs it. The caller syncs the folder once the copy has its final name.
// On failure the partial copy is removed.
Status copy_file_synced(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace meldpunt::os
