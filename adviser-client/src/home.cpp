#include "home.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#include "meldpunt/client/terminal.hpp"
#include "meldpunt/os/files.hpp"
#include "meldpunt/protocol/channel_address.hpp"

namespace meldpunt::adviser {
namespace {

Error io_error(const std::filesystem::path& path, std::string_view what, int err) {
  return Error{ErrorCode::kIo, std::string(what) + " " + path.string() + ": " + std::strerror(err)};
}

bool is_directory(const char* path) {
  struct stat st {};
  return ::stat(path, &st) == 0 && S_ISDIR(st.st_mode) && ::access(path, W_OK | X_OK) == 0;
}

// Overwrites a file's bytes with zeros before it is unlinked, so the draft
// does not linger in freed blocks of a disk-backed fallback folder.
void wipe_and_remove(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd >= 0) {
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
      std::vector<char> zeros(4096, 0);
      auto left = static_cast<std::size_t>(st.st_size);
      while (left > 0) {
        const std::size_t n = std::min(left, zeros.size());
        const ssize_t written = ::write(fd, zeros.data(), n);
        if (written <= 0) break;
        left -= static_cast<std::size_t>(written);
      }
      ::fsync(fd);
    }
    ::close(fd);
  }
  ::unlink(file.c_str());
}

}  // namespace

std::filesystem::path default_home_folder() {
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') {
    const passwd* pw = ::getpwuid(::getuid());
    if (pw == nullptr || pw->pw_dir == nullptr) throw std::runtime_error("cannot find your home folder; use --home");
    home = pw->pw_dir;
  }
  return std::filesystem::path(home) / ".meldpunt-adviser";
}

Result<std::optional<std::string>> stored_channel(const Home& home) {
  const std::string file = home.channel_file().string();
  auto saved = os::read_file(home.channel_file(), protocol::kMaxPastedAddressLength);
  if (!saved) {
    if (saved.error().code == ErrorCode::kNotFound) return std::optional<std::string>{};
    if (saved.error().code == ErrorCode::kTooLarge) {
      return Error{ErrorCode::kMalformed, file + " is too large for a channel address; remove it and give --channel "
                                                 "ADDRESS once"};
    }
    return saved.error();
  }
  const std::string text(saved->begin(), saved->end());
  auto address = protocol::parse_address(text);
  // Only checked addresses are ever stored, so anything else is damage.
  if (!address || !address->checked) {
    return Error{ErrorCode::kMalformed,
                 file + " does not hold a valid channel address (" +
                     (address ? std::string("old form without check characters") : address.error().message) +
                     "); give --channel ADDRESS once to replace it, or remove the file"};
  }
  return std::optional<std::string>{protocol::format_address(*address)};
}

Status store_channel(const Home& home, const protocol::ChannelAddress& address) {
  if (!address.checked) {
    return Error{ErrorCode::kMalformed, "only a current channel address (meldpunt2:) is stored"};
  }
  const std::string line = protocol::format_address(address) + "\n";
  return os::write_file_atomically(home.channel_file(), as_bytes(line), 0600);
}

Status make_private_folder(const std::filesystem::path& folder) {
  struct stat st {};
  if (::stat(folder.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return Error{ErrorCode::kIo, folder.string() + " is not a folder"};
    // Never loosen or silently take over someone else's folder: refuse.
    if (st.st_uid != ::geteuid()) return Error{ErrorCode::kIo, folder.string() + " belongs to another user"};
    if ((st.st_mode & 077) != 0) {
      return Error{ErrorCode::kIo, folder.string() + " is accessible to other users; run `chmod 700 " +
                                       folder.string() + "` or choose another --home"};
    }
    return Status::success();
  }
  if (errno != ENOENT) return io_error(folder, "cannot examine", errno);
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) return Error{ErrorCode::kIo, "cannot create " + folder.string() + ": " + ec.message()};
  if (::chmod(folder.c_str(), 0700) != 0) return io_error(folder, "cannot set mode 0700 on", errno);
  return Status::success();
}

namespace {

volatile std::sig_atomic_t g_held_signal = 0;
extern "C" void hold_signal(int signal) { g_held_signal = signal; }

// While alive: SIGINT, SIGTERM, SIGHUP and SIGQUIT only interrupt waits and
// are remembered (seen()); afterwards the earlier handlers are back. The
// editor, a process of its own, still gets them with their usual effect.
class HeldSignals {
 public:
  HeldSignals() {
    g_held_signal = 0;
    struct sigaction hold {};
    hold.sa_handler = hold_signal;
    sigemptyset(&hold.sa_mask);
    for (std::size_t i = 0; i < std::size(kSignals); ++i) ::sigaction(kSignals[i], &hold, &previous_[i]);
  }
  ~HeldSignals() {
    for (std::size_t i = 0; i < std::size(kSignals); ++i) ::sigaction(kSignals[i], &previous_[i], nullptr);
  }
  HeldSignals(const HeldSignals&) = delete;
  HeldSignals& operator=(const HeldSignals&) = delete;
  int seen() const { return g_held_signal; }

 private:
  static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
  struct sigaction previous_[std::size(kSignals)]{};
};

// Overwrites and removes every file in `folder` (one level: an editor's
// scratch files), then the folder.
void wipe_folder(const std::filesystem::path& folder) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    if (entry.is_regular_file(ec)) {
      wipe_and_remove(entry.path());
    } else {
      std::filesystem::remove(entry.path(), ec);
    }
  }
  ::rmdir(folder.c_str());
}

}  // namespace

Result<os::FolderLock> lock_home_folder(const std::filesystem::path& lock_file) {
  auto lock = os::FolderLock::acquire(
      lock_file, "another adviser-client is working in this home folder; try again when it is done");
  if (!lock && lock.error().code == ErrorCode::kUnavailable) {
    Error busy = lock.error();
    busy.subject = ErrorSubject::kFolderInUse;
    return busy;
  }
  return lock;
}

Result<crypto::SecretBuffer> compose_in_editor(const std::filesystem::path& fallback_folder, std::size_t max_bytes) {
  std::filesystem::path base = fallback_folder;
  if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime != nullptr && is_directory(runtime)) {
    base = runtime;
  } else if (is_directory("/dev/shm")) {
    base = "/dev/shm";
  }
  std::string pattern = (base / "meldpunt-reply-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return io_error(base, "cannot create a scratch folder in", errno);
  const std::filesystem::path folder = pattern;  // mkdtemp makes it 0700
  const std::filesystem::path file = folder / "reply.txt";

  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int err = errno;
    ::rmdir(folder.c_str());
    return io_error(file, "cannot create", err);
  }
  ::close(fd);

  const char* editor = std::getenv("VISUAL");
  if (editor == nullptr || *editor == '\0') editor = std::getenv("EDITOR");
  if (editor == nullptr || *editor == '\0') editor = "vi";

  // The editor setting may carry arguments ("code --wait"), so the shell
  // splits it; the file name travels as "$1" and is never parsed.
  const std::string command = std::string(editor) + " \"$1\"";
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    wipe_and_remove(file);
    ::rmdir(folder.c_str());
    return Error{ErrorCode::kIo, std::string("cannot start the editor: ") + std::strerror(err)};
  }
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), "sh", file.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  int signal_seen = 0;
  {
    // A signal while the editor runs (Ctrl-C; the shell's idle lock ending
    // the command) is held until the draft is wiped, then takes its course.
    const HeldSignals held;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    signal_seen = held.seen();
  }
  Result<crypto::SecretBuffer> text = Error{ErrorCode::kIo, "the editor failed; nothing was sent"};
  if (signal_seen == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    text = client::read_file_secret(file, max_bytes);
  }
  wipe_folder(folder);  // the draft, and what the editor left beside it (swap,
                        // backup, .save files)
  if (signal_seen != 0) ::raise(signal_seen);
  if (!text) return text;
  if (text->empty()) return Error{ErrorCode::kNotFound, "the message is empty; nothing was sent"};
  return text;
}

}  // namespace meldpunt::adviser
