#include "commands/notify.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>

#include "wording_commands.hpp"

extern char** environ;

namespace meldpunt::adviser::commands {

namespace {

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += (text.empty() ? "" : "\n") + line;
  return text;
}

bool on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = dirs.find(':', start);
    const std::string dir = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0) return true;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

// Runs argv (argv[0] looked up on PATH unless it holds a '/') with `input`
// on its standard input; empty on success, else what went wrong.
std::string run_notifier(std::vector<std::string> argv, const std::string& input, Lang lang) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return tell(lang, Tell::kNotifyNoPipe, {std::strerror(errno)});
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[0], STDIN_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);  // ignored here (a notifier that exits early), not in the notifier
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(pipe_fds[0]);
  if (spawned != 0) {
    ::close(pipe_fds[1]);
    return tell(lang, Tell::kNotifyCannotRun, {argv[0], std::strerror(spawned)});
  }
  std::size_t written = 0;
  while (written < input.size()) {
    const ssize_t n = ::write(pipe_fds[1], input.data() + written, input.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // it stopped reading; its exit status says more
    written += static_cast<std::size_t>(n);
  }
  ::close(pipe_fds[1]);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kNotifierSeconds);
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return tell(lang, Tell::kNotifyLost, {argv[0]});
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return tell(lang, Tell::kNotifyTooSlow, {std::to_string(kNotifierSeconds)});
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  if (WIFEXITED(status)) return tell(lang, Tell::kNotifyExited, {std::to_string(WEXITSTATUS(status))});
  return tell(lang, Tell::kNotifySignal, {std::to_string(WTERMSIG(status))});
}

}  // namespace

Status validate_mail_address(const std::string& address, Lang lang) {
  const std::size_t at = address.find('@');
  bool ok = !address.empty() && address.size() <= 254 && at != std::string::npos && at > 0 &&
            at + 1 < address.size() && address.find('@', at + 1) == std::string::npos;
  for (const char c : address) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '<' || c == '>' || c == '"' || c == ',' || c == ';' || c == '(' ||
        c == ')' || c == '\\') {
      ok = false;
    }
  }
  if (!ok) return Error{ErrorCode::kMalformed, tell(lang, Tell::kMailAddressBad)};
  return Status::success();
}

std::vector<std::string> notify(const Notifiers& notifiers, const std::vector<std::string>& lines, Lang lang) {
  std::vector<std::string> failures;
  const std::string text = joined(lines);
  if (notifiers.desktop) {
    if (std::string e = run_notifier({"notify-send", "--app-name=meldpunt", "meldpunt", text}, "", lang); !e.empty()) {
      failures.push_back(tell(lang, Tell::kNotifyDesktopFailed, {e}));
    }
  }
  if (!notifiers.command.empty()) {
    if (std::string e = run_notifier({notifiers.command, text}, "", lang); !e.empty()) {
      failures.push_back(tell(lang, Tell::kNotifyCommandFailed, {e}));
    }
  }
  if (!notifiers.mail_to.empty()) {
    const std::string sendmail = on_path("sendmail") ? "sendmail" : "/usr/sbin/sendmail";
    const std::string mail = "To: " + notifiers.mail_to + "\nSubject: meldpunt: " + lines.front() +
                             "\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" + text + "\n";
    if (std::string e = run_notifier({sendmail, "-t"}, mail, lang); !e.empty()) {
      failures.push_back(tell(lang, Tell::kNotifyMailFailed, {sendmail, e}));
    }
  }
  return failures;
}

}  // namespace meldpunt::adviser::commands
