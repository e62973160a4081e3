#include "interrupt.hpp"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstring>

namespace meldpunt::reporter::interrupt {
namespace {

constexpr std::size_t kMaxText = 1024;

struct Text {
  std::array<char, kMaxText> bytes{};
  std::size_t size = 0;
};

termios g_terminal{};
bool g_have_terminal = false;
Text g_exit_text;
Text g_stopping_text;
Text g_forced_text;
volatile std::sig_atomic_t g_in_step = 0;
volatile std::sig_atomic_t g_stop = 0;

void write_text(const Text& t) {
  std::size_t done = 0;
  while (done < t.size) {
    const ssize_t n = ::write(STDERR_FILENO, t.bytes.data() + done, t.size - done);
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

[[noreturn]] void end(const Text& t) {
  if (g_have_terminal) tcsetattr(STDIN_FILENO, TCSANOW, &g_terminal);
  write_text(t);
  ::_exit(130);
}

extern "C" void on_sigint(int) {
  if (g_in_step != 0 && g_stop == 0) {
    g_stop = 1;
    write_text(g_stopping_text);
    return;
  }
  end(g_in_step != 0 ? g_forced_text : g_exit_text);
}

// Texts are replaced with SIGINT blocked, so the handler never sees half of one.
void store(Text& target, std::string_view text) {
  sigset_t block, saved;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  pthread_sigmask(SIG_BLOCK, &block, &saved);
  target.size = std::min(text.size(), kMaxText);
  std::memcpy(target.bytes.data(), text.data(), target.size);
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
}

}  // namespace

void install() {
  g_have_terminal = ::isatty(STDIN_FILENO) == 1 && tcgetattr(STDIN_FILENO, &g_terminal) == 0;
  struct sigaction action {};
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocking read returns, and the loops around it go on
  sigaction(SIGINT, &action, nullptr);
}

void set_exit_text(std::string_view text) { store(g_exit_text, text); }

bool stop_requested() { return g_stop != 0; }

SendingStep::SendingStep(std::string_view stopping, std::string_view forced) {
  store(g_stopping_text, stopping);
  store(g_forced_text, forced);
  g_in_step = 1;
}

SendingStep::~SendingStep() { g_in_step = 0; }

}  // namespace meldpunt::reporter::interrupt
