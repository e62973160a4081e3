#include "meldpunt/os/files.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string>
#include <system_error>

#include "meldpunt/os/unique_fd.hpp"

namespace meldpunt::os {
namespace {

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

Error io_error(const std::filesystem::path& path, std::string_view what, int err) {
  return Error{ErrorCode::kIo, std::string(what) + " " + path.string() + ": " + errno_text(err)};
}

// Writes all of content, retrying short writes and EINTR; errno set on failure.
bool write_all(int fd, const std::uint8_t* data, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// A name for the temp file beside path: unpredictable, so another local user
// cannot pre-create it (O_EXCL refuses it anyway; this only avoids retries).
Result<std::filesystem::path> temp_name(const std::filesystem::path& path) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::array<std::uint8_t, 6> noise{};
  std::size_t got = 0;
  while (got < noise.size()) {
    const ssize_t n = ::getrandom(noise.data() + got, noise.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(path, "cannot pick a temporary name for", errno);
    }
    got += static_cast<std::size_t>(n);
  }
  std::string suffix = ".tmp-";
  for (std::uint8_t b : noise) suffix.push_back(kAlphabet[b % 36]);
  std::filesystem::path temp = path;
  temp += suffix;
  return temp;
}

}  // namespace

Status write_file_atomically(const std::filesystem::path& path, ByteView content, unsigned mode) {
  const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::filesystem::path temp;
  UniqueFd file;
  for (int attempt = 0; attempt < 16 && !file.valid(); ++attempt) {
    auto name = temp_name(path);
    if (!name) return name.error();
    temp = std::move(*name);
    file = UniqueFd(::open(temp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC,
                           static_cast<mode_t>(mode)));
    if (!file.valid() && errno != EEXIST) return io_error(temp, "cannot create", errno);
  }
  if (!file.valid()) return io_error(temp, "cannot create", EEXIST);

  auto fail = [&](std::string_view what, int err) -> Status {
    Error e = io_error(path, what, err);
    ::unlink(temp.c_str());
    return e;
  };
  // The umask may have removed bits; set exactly what was asked for.
  if (::fchmod(file.get(), static_cast<mode_t>(mode)) != 0) return fail("cannot set mode of", errno);
  if (!write_all(file.get(), content.data(), content.size())) return fail("cannot write", errno);
  if (::fsync(file.get()) != 0) return fail("cannot sync", errno);
  if (!file.close_checked()) return fail("cannot close", errno);
  if (::rename(temp.c_str(), path.c_str()) != 0) return fail("cannot replace", errno);
  // Make the rename itself durable.
  if (Status s = sync_directory(folder); !s) {
    return Error{ErrorCode::kIo, "wrote " + path.string() + " but " + s.error().message};
  }
  return Status::success();
}

Result<Bytes> read_file(const std::filesystem::path& path, std::size_t max_bytes) {
  UniqueFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!file.valid()) {
    const int err = errno;
    if (err == ENOENT) return Error{ErrorCode::kNotFound, "no such file: " + path.string()};
    return io_error(path, "cannot open", err);
  }
  struct stat st {};
  if (::fstat(file.get(), &st) != 0) return io_error(path, "cannot stat", errno);
  if (S_ISDIR(st.st_mode)) return io_error(path, "cannot read", EISDIR);
  if (S_ISREG(st.st_mode) && static_cast<std::uintmax_t>(st.st_size) > max_bytes) {
    return Error{ErrorCode::kTooLarge, path.string() + " is larger than " + std::to_string(max_bytes) + " bytes"};
  }
  // Read up to one byte past the bound: the file may grow after fstat, or be
  // a pipe with no size at all.
  Bytes out;
  std::array<std::uint8_t, 64 * 1024> chunk{};
  while (true) {
    const std::size_t room = max_bytes - out.size();
    const std::size_t want = room >= chunk.size() ? chunk.size() : room + 1;
    const ssize_t n = ::read(file.get(), chunk.data(), want);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(path, "cannot read", errno);
    }
    if (n == 0) break;
    out.insert(out.end(), chunk.begin(), chunk.begin() + n);
    if (out.size() > max_bytes) {
      return Error{ErrorCode::kTooLarge, path.string() + " is larger than " + std::to_string(max_bytes) + " bytes"};
    }
  }
  return out;
}

Status sync_directory(const std::filesystem::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return io_error(dir, "cannot open folder", errno);
  if (::fsync(fd.get()) != 0) return io_error(dir, "cannot sync folder", errno);
  return Status::success();
}

Status copy_file_synced(const std::filesystem::path& from, const std::filesystem::path& to) {
  UniqueFd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return io_error(from, "cannot open", errno);
  UniqueFd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!out.valid()) return io_error(to, "cannot create", errno);
  auto fail = [&](std::string_view what, const std::filesystem::path& path, int err) -> Status {
    Error e = io_error(path, what, err);
    out.reset();
    ::unlink(to.c_str());
    return e;
  };
  std::array<std::uint8_t, 64 * 1024> buffer{};
  for (;;) {
    const ssize_t n = ::read(in.get(), buffer.data(), buffer.size());
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot read", from, errno);
    }
    if (!write_all(out.get(), buffer.data(), static_cast<std::size_t>(n))) return fail("cannot write", to, errno);
  }
  if (::fsync(out.get()) != 0) return fail("cannot sync", to, errno);
  if (!out.close_checked()) return fail("cannot close", to, errno);
  return Status::success();
}

}  // namespace meldpunt::os
