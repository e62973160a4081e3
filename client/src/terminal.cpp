#include "meldpunt/client/terminal.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace meldpunt::client {
namespace {

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Restores the terminal's echo flag on every exit path, including an
// exception from a full secure-memory allocation.
class EchoOff {
 public:
  explicit EchoOff(bool active) {
    if (!active || tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    // TCSANOW, not TCSAFLUSH: flushing would throw away what the user (or a
    // paste) already typed, and with it a code typed right after the prompt.
    active_ = tcsetattr(STDIN_FILENO, TCSANOW, &quiet) == 0;
  }
  ~EchoOff() {
    if (active_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

Result<crypto::SecretBuffer> read_line_impl(std::string_view prompt, bool echo, std::size_t max_bytes) {
  const bool tty = stdin_is_terminal();
  // Echo goes off before the prompt appears, so nothing typed in answer to
  // the prompt is ever shown.
  EchoOff guard(tty && !echo);
  if (!prompt.empty()) write_err(prompt);
  crypto::SecretBuffer line;
  bool got_any = false;
  for (;;) {
    std::uint8_t c = 0;
    const ssize_t n = ::read(STDIN_FILENO, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got_any = true;
    if (c == '\n') break;
    if (line.size() >= max_bytes) return Error{ErrorCode::kTooLarge, "input line too long"};
    line.push_back(c);
  }
  if (!got_any) return Error{ErrorCode::kNotFound, "no input (end of file)"};
  if (!line.empty() && line.data()[line.size() - 1] == '\r') line.resize(line.size() - 1);
  return line;
}

Result<crypto::SecretBuffer> read_fd_to_end(int fd, std::size_t max_bytes) {
  crypto::SecretBuffer out;
  crypto::SecretBuffer chunk(4096);
  for (;;) {
    const ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{ErrorCode::kIo, std::string("read failed: ") + std::strerror(errno)};
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
      return Error{ErrorCode::kTooLarge, "input larger than " + std::to_string(max_bytes) + " bytes"};
    }
    out.append(chunk.view().first(static_cast<std::size_t>(n)));
  }
  return out;
}

// A file in RAM that is overwritten with zeros and unlinked when this goes
// out of scope, whatever happened in between.
class RamFile {
 public:
  explicit RamFile(std::string path) : path_(std::move(path)) {}
  ~RamFile() { wipe(); }
  RamFile(const RamFile&) = delete;
  RamFile& operator=(const RamFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  void wipe() {
    // The editor may have replaced the file (write to a new file, rename);
    // whichever file now has the name is the one holding the text.
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
    if (fd >= 0) {
      struct stat st {};
      if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        std::vector<char> zeros(4096, 0);
        off_t left = st.st_size;
        while (left > 0) {
          const std::size_t n = static_cast<std::size_t>(std::min<off_t>(left, 4096));
          const ssize_t w = ::write(fd, zeros.data(), n);
          if (w < 0 && errno == EINTR) continue;
          if (w <= 0) break;
          left -= w;
        }
        (void)::fsync(fd);
      }
      ::close(fd);
    }
    ::unlink(path_.c_str());
  }
  std::string path_;
};

// Ignores SIGINT and SIGQUIT for its lifetime, as system(3) does while the
// child runs.
class IgnoreInterrupts {
 public:
  IgnoreInterrupts() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGINT, &ignore, &saved_int_);
    sigaction(SIGQUIT, &ignore, &saved_quit_);
  }
  ~IgnoreInterrupts() {
    sigaction(SIGINT, &saved_int_, nullptr);
    sigaction(SIGQUIT, &saved_quit_, nullptr);
  }
  IgnoreInterrupts(const IgnoreInterrupts&) = delete;
  IgnoreInterrupts& operator=(const IgnoreInterrupts&) = delete;
  const struct sigaction& saved_int() const { return saved_int_; }
  const struct sigaction& saved_quit() const { return saved_quit_; }

 private:
  struct sigaction saved_int_ {};
  struct sigaction saved_quit_ {};
};

}  // namespace

bool stdin_is_terminal() { return ::isatty(STDIN_FILENO) == 1; }
bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }

void clear_terminal_screen() {
  if (!stdout_is_terminal()) return;
  // Cursor home, erase the screen, erase the scrollback (ED 3).
  write_out("\x1b[H\x1b[2J\x1b[3J");
}

Result<crypto::SecretBuffer> read_secret_line(std::string_view prompt) {
  return read_line_impl(prompt, false, kMaxSecretLine);
}

Result<crypto::SecretBuffer> read_line(std::string_view prompt, std::size_t max_bytes) {
  return read_line_impl(prompt, true, max_bytes);
}

Result<crypto::SecretBuffer> read_stdin_to_end(std::size_t max_bytes) { return read_fd_to_end(STDIN_FILENO, max_bytes); }

Result<crypto::SecretBuffer> read_file_secret(const std::filesystem::path& path, std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return Error{errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                 "cannot open " + path.string() + ": " + std::strerror(errno)};
  }
  auto result = read_fd_to_end(fd, max_bytes);
  ::close(fd);
  return result;
}

Result<crypto::SecretBuffer> edit_in_editor(std::string_view editor, std::size_t max_bytes,
                                            const std::filesystem::path& ram_folder) {
  struct statfs fs {};
  if (::statfs(ram_folder.c_str(), &fs) != 0 || fs.f_type != TMPFS_MAGIC) {
    return Error{ErrorCode::kUnavailable, ram_folder.string() + " is not a RAM file system, so the editor cannot be "
                                          "used without writing to disk; type the message or use --file"};
  }
  std::string tmpl = (ram_folder / "meldpunt-XXXXXX").string();
  // mkostemp: O_CREAT | O_EXCL, mode 0600.
  const int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) return Error{ErrorCode::kIo, "cannot create a file in " + ram_folder.string() + ": " + std::strerror(errno)};
  ::close(fd);
  RamFile file(tmpl);

  int status = 0;
  {
    IgnoreInterrupts quiet;
    const std::string command = std::string(editor) + " \"$1\"";
    const pid_t pid = ::fork();
    if (pid < 0) return Error{ErrorCode::kIo, std::string("cannot start the editor: ") + std::strerror(errno)};
    if (pid == 0) {
      sigaction(SIGINT, &quiet.saved_int(), nullptr);
      sigaction(SIGQUIT, &quiet.saved_quit(), nullptr);
      ::execl("/bin/sh", "sh", "-c", command.c_str(), "sh", file.path().c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    while (::waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) return Error{ErrorCode::kIo, "lost track of the editor"};
    }
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Error{ErrorCode::kIo, "the editor (" + std::string(editor.substr(0, 60)) +
                                     ") did not finish normally; nothing was sent"};
  }
  auto text = read_file_secret(file.path(), max_bytes);
  if (!text) return text.error();
  bool blank = true;
  for (std::uint8_t c : text->view()) {
    if (c != ' ' && c != '\n' && c != '\t' && c != '\r') blank = false;
  }
  if (blank) return Error{ErrorCode::kMalformed, "the message is empty; nothing was sent"};
  return text;
}

void write_out(std::string_view text) { write_all(STDOUT_FILENO, text); }
void write_err(std::string_view text) { write_all(STDERR_FILENO, text); }

}  // namespace meldpunt::client
