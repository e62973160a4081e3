#include "meldpunt/client/terminal.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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
    active_ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (active_) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

Result<crypto::SecretBuffer> read_line_impl(std::string_view prompt, bool echo, std::size_t max_bytes) {
  const bool tty = stdin_is_terminal();
  if (!prompt.empty()) write_err(prompt);
  EchoOff guard(tty && !echo);
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

}  // namespace

bool stdin_is_terminal() { return ::isatty(STDIN_FILENO) == 1; }

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

void write_out(std::string_view text) { write_all(STDOUT_FILENO, text); }
void write_err(std::string_view text) { write_all(STDERR_FILENO, text); }

}  // namespace meldpunt::client
