#include "commands/shell.hpp"

#include <fcntl.h>
#include <histedit.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <clocale>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <cwchar>
#include <iostream>
#include <optional>

#include "commands/session.hpp"
#include "meldpunt/cli/program.hpp"
#include "meldpunt/client/terminal.hpp"
#include "meldpunt/crypto/secret.hpp"
#include "usecases/inbox_run.hpp"
#include "usecases/open_store.hpp"
#include "wording_commands.hpp"

namespace meldpunt::adviser::commands {

namespace {

using Clock = std::chrono::steady_clock;

// Set by SIGINT; the shell's only signal handler (the line being typed is
// given up, a running command is the child's to end).
volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_interrupt(int) { g_interrupted = 1; }

// Commands that must not run on the held key: changing the passphrase asks
// for the old one, so a person at an unlocked shell cannot set a new one
// without knowing it.
bool asks_its_own_passphrase(const std::string& command) { return command == "passphrase"; }

const char* const kShellWords[] = {"help", "lock", "exit", "quit"};

struct Session {
  explicit Session(Home h) : home(std::move(h)) {}
  Home home;
  std::chrono::seconds idle{};
  std::string idle_text;  // "10 minutes"
  std::vector<std::string> names;
  std::vector<std::string> case_ids;  // for completion
  std::optional<KeyFile> key;
  Clock::time_point last_use = Clock::now();
  bool timed_out = false;
  bool interrupted = false;
  std::mbstate_t multibyte{};
  std::string prompt;
};

Session* session_of(EditLine* el) {
  void* data = nullptr;
  el_get(el, EL_CLIENTDATA, &data);
  return static_cast<Session*>(data);
}

// libedit's character source: stdin, with the idle deadline and Ctrl-C
// breaking the wait. Returning -1 ends el_gets; the flags say why.
int read_char(EditLine* el, wchar_t* out) {
  Session* s = session_of(el);
  for (;;) {
    if (g_interrupted) {
      g_interrupted = 0;
      s->interrupted = true;
      return -1;
    }
    int timeout_ms = -1;
    if (s->key) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(s->last_use + s->idle - Clock::now());
      if (left.count() <= 0) {
        s->timed_out = true;
        return -1;
      }
      timeout_ms = static_cast<int>(std::min<long long>(left.count() + 1, INT_MAX));
    }
    pollfd p{STDIN_FILENO, POLLIN, 0};
    const int ready = ::poll(&p, 1, timeout_ms);
    if (ready < 0 && errno != EINTR) return -1;
    if (ready <= 0) continue;  // a signal or the deadline: checked at the top
    char c = 0;
    const ssize_t n = ::read(STDIN_FILENO, &c, 1);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return -1;
    }
    if (n == 0) return 0;  // end of input: as Ctrl-D
    s->last_use = Clock::now();
    wchar_t wc = 0;
    const std::size_t used = std::mbrtowc(&wc, &c, 1, &s->multibyte);
    if (used == static_cast<std::size_t>(-2)) continue;  // more bytes of this character to come
    if (used == static_cast<std::size_t>(-1)) {          // not a character: dropped
      s->multibyte = std::mbstate_t{};
      continue;
    }
    *out = wc;
    return 1;
  }
}

char* prompt_of(EditLine* el) {
  Session* s = session_of(el);
  s->prompt = s->key ? "adviser> " : tell(language(), Tell::kShellPromptLocked);
  return s->prompt.data();
}

// Tab: the command name for the first word, a case id for the others.
unsigned char complete(EditLine* el, int) {
  Session* s = session_of(el);
  const LineInfo* line = el_line(el);
  const std::string before(line->buffer, static_cast<std::size_t>(line->cursor - line->buffer));
  const std::size_t word_start = before.find_last_of(" \t") == std::string::npos ? 0 : before.find_last_of(" \t") + 1;
  const std::string word = before.substr(word_start);
  const bool first = before.find_first_not_of(" \t") >= word_start;
  std::vector<std::string> matches;
  if (first) {
    for (const std::string& n : s->names) {
      if (n.rfind(word, 0) == 0) matches.push_back(n);
    }
    for (const char* w : kShellWords) {
      if (std::string(w).rfind(word, 0) == 0) matches.emplace_back(w);
    }
  } else if (word.empty() || word[0] != '-') {
    for (const std::string& id : s->case_ids) {
      if (id.rfind(word, 0) == 0) matches.push_back(id);
    }
  }
  if (matches.empty()) return CC_ERROR;
  std::sort(matches.begin(), matches.end());
  matches.erase(std::unique(matches.begin(), matches.end()), matches.end());
  std::string common = matches.front();
  for (const std::string& m : matches) {
    std::size_t i = 0;
    while (i < common.size() && i < m.size() && common[i] == m[i]) ++i;
    common.resize(i);
  }
  if (matches.size() == 1) {
    el_insertstr(el, (common.substr(word.size()) + " ").c_str());
    return CC_REFRESH;
  }
  if (common.size() > word.size()) {
    el_insertstr(el, common.substr(word.size()).c_str());
    return CC_REFRESH;
  }
  std::string list = "\n";
  for (const std::string& m : matches) list += m + "  ";
  list += "\n";
  out(list);
  return CC_REDISPLAY;
}

// The case ids for completion; a key file that no longer opens with the held
// key (the passphrase was changed) locks the shell.
void refresh_case_ids(Session& s) {
  s.case_ids.clear();
  if (!s.key) return;
  auto fresh = s.key->reopen();
  if (!fresh) {
    s.key.reset();
    err(tell(language(), Tell::kShellKeyChanged) + "\n");
    return;
  }
  auto store = usecase::open_case_store(s.home, *fresh);
  if (!store) return;
  auto list = usecase::list_cases(*store);
  if (!list) return;
  for (const CaseRecord& record : list->cases) s.case_ids.push_back(record.id());
}

// Asks for the passphrase until it opens the key file or the person gives up
// (an empty line, Ctrl-D or Ctrl-C: false).
bool unlock_session(Session& s) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto passphrase = client::read_secret_line(tell(language(), Tell::kPassphrasePrompt));
    if (!passphrase || passphrase->empty()) {
      err(tell(language(), Tell::kShellNotUnlocked) + "\n");
      return false;
    }
    auto key = KeyFile::unlock(s.home.key_file(), *passphrase);
    if (key) {
      s.key.emplace(std::move(key).value());
      s.last_use = Clock::now();
      refresh_case_ids(s);
      return true;
    }
    err(say(language(), Say::kErrorPrefix) + describe(language(), key.error()) + "\n");
    if (key.error().code != ErrorCode::kUnauthorised) return false;
  }
  return false;
}

// Overwrites every history entry (the strings libedit keeps for us: command
// lines may hold case ids, labels and search words), then empties the list.
void wipe_history(History* history) {
  HistEvent event;
  for (int more = ::history(history, &event, H_FIRST); more != -1; more = ::history(history, &event, H_NEXT)) {
    if (event.str != nullptr) crypto::detail::secure_wipe(const_cast<char*>(event.str), std::strlen(event.str));
  }
  ::history(history, &event, H_CLEAR);
}

// Overwrites the line libedit edited last (its buffer is reused, not freed).
void wipe_edit_line(EditLine* el) {
  const LineInfoW* line = el_wline(el);
  if (line != nullptr && line->lastchar > line->buffer) {
    crypto::detail::secure_wipe(const_cast<wchar_t*>(line->buffer),
                                static_cast<std::size_t>(line->lastchar - line->buffer) * sizeof(wchar_t));
  }
}

// Wipes the key and the history; `why` ("Locked after 10 minutes without
// use.") is said with what was done, unless empty.
void lock(Session& s, EditLine* el, History* history, const std::string& why) {
  s.key.reset();  // KeyFile's secrets wipe themselves
  s.case_ids.clear();
  wipe_history(history);
  wipe_edit_line(el);
  if (!why.empty()) err(why + " " + tell(language(), Tell::kShellLockedDetail) + "\n");
}

// When the person last pressed a key: at the shell's own prompt (exact), or
// in the running command or its editor (the terminal's access time, which the
// kernel keeps to 8 seconds, as `w` shows it).
Clock::time_point last_keystroke(const Session& s) {
  Clock::time_point last = s.last_use;
  struct stat st {};
  if (::fstat(STDIN_FILENO, &st) == 0) {
    const auto read_at =
        std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::seconds(st.st_atim.tv_sec) + std::chrono::nanoseconds(st.st_atim.tv_nsec)));
    const auto ago = std::chrono::system_clock::now() - read_at;
    if (ago.count() >= 0) last = std::max(last, Clock::now() - std::chrono::duration_cast<Clock::duration>(ago));
  }
  return last;
}

// Gives the terminal's foreground to process group `group` (the command's, or
// the shell's own back): the terminal then sends Ctrl-C to that group only.
void give_terminal(pid_t group) {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  struct sigaction previous {};
  ::sigaction(SIGTTOU, &ignore,
              &previous);  // a background group may take the terminal back
  ::tcsetpgrp(STDIN_FILENO, group);
  ::sigaction(SIGTTOU, &previous, nullptr);
}

// How long a command ended by the idle lock gets to wipe what it holds (its
// editor's draft) before it is killed.
constexpr auto kEndGrace = std::chrono::seconds(3);

// Runs one command line in a child exactly as the program would, in a process
// group of its own in the terminal's foreground; returns its exit code, or
// 130 when Ctrl-C ended it.
//
// The idle time counts while the command runs too. When it passes, the shell
// locks at once (its key and history wiped). A command waiting on the person
// then (a question, a passphrase, the editor: PersonWait, session.hpp) or
// later is ended: SIGTERM to its group, SIGKILL after kEndGrace; the editor's
// draft is wiped on the way (compose_in_editor). A command at work (an inbox
// run, `watch`) goes on with its own copy of the key, as a one-shot command
// would, and the shell asks for the passphrase after it.
int run_in_child(Session& s, EditLine* el, History* history, const std::vector<std::string>& words,
                 CommandLineRunner run) {
  std::vector<std::string> args{"adviser-client"};
  args.insert(args.end(), words.begin(), words.end());
  termios saved{};
  const bool terminal = ::tcgetattr(STDIN_FILENO, &saved) == 0;
  int waits[2] = {-1, -1};
  if (::pipe2(waits, O_CLOEXEC | O_NONBLOCK) != 0) {
    err(tell(language(), Tell::kShellCannotStart) + "\n");
    return cli::kExitInternal;
  }
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(waits[0]);
    ::close(waits[1]);
    err(tell(language(), Tell::kShellCannotStart) + "\n");
    return cli::kExitInternal;
  }
  if (pid == 0) {
    ::close(waits[0]);
    ::setpgid(0, 0);
    if (terminal) give_terminal(::getpgrp());
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTSTP, SIG_IGN);  // the shell cannot resume a stopped command:
                                    // Ctrl-Z does nothing
    std::setlocale(LC_CTYPE, "C");  // as the one-shot program runs
    set_session_home(s.home.root);
    report_waits_to(waits[1]);
    if (s.key && !asks_its_own_passphrase(words.front())) hold_unlocked_key(&*s.key);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = run(static_cast<int>(args.size()), argv.data());
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    ::_exit(rc);
  }
  ::close(waits[1]);
  ::setpgid(pid, pid);  // also here: whichever of the two runs first
  if (terminal) give_terminal(pid);

  int status = 0;
  int person_waits = 0;  // open PersonWaits in the child
  bool idle_passed = false, ended = false, killed = false;
  Clock::time_point ended_at{};
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG | WUNTRACED);
    if (done == pid && WIFSTOPPED(status)) {
      ::kill(-pid,
             SIGCONT);  // stopped by a signal the shell cannot hand on: let it run
      continue;
    }
    if (done == pid || (done < 0 && errno != EINTR)) break;
    pollfd p{waits[0], POLLIN, 0};
    (void)::poll(&p, 1, 200);
    char told[64];
    for (ssize_t n = ::read(waits[0], told, sizeof told); n > 0; n = ::read(waits[0], told, sizeof told)) {
      for (ssize_t i = 0; i < n; ++i) person_waits += told[i] == kWaitStarts ? 1 : told[i] == kWaitEnds ? -1 : 0;
    }
    if (!idle_passed && s.key && Clock::now() - last_keystroke(s) >= s.idle) {
      idle_passed = true;
      lock(s, el, history, "");
      err("\n" + tell(language(), Tell::kShellLockedWhileRunning, {s.idle_text}) + "\n");
    }
    if (idle_passed && person_waits > 0 && !ended) {
      ::kill(-pid, SIGTERM);
      ended = true;
      ended_at = Clock::now();
    }
    if (ended && !killed && Clock::now() - ended_at > kEndGrace) {
      ::kill(-pid, SIGKILL);
      killed = true;
    }
  }
  ::close(waits[0]);
  g_interrupted = 0;
  if (terminal) {
    give_terminal(::getpgrp());
    ::tcsetattr(STDIN_FILENO, TCSANOW,
                &saved);  // a prompt cut short may have left echo off
  }
  s.last_use = Clock::now();
  if (ended) {
    err("\n" + tell(language(), Tell::kShellCommandEnded) + "\n");
    return cli::kExitFailed;
  }
  if (idle_passed) err(tell(language(), Tell::kShellLockedAfterCommand) + "\n");
  if (WIFSIGNALED(status)) {
    err(WTERMSIG(status) == SIGINT ? "\n" + tell(language(), Tell::kShellCancelled) + "\n"
                                   : "\n" + tell(language(), Tell::kShellAbnormalEnd) + "\n");
    return WTERMSIG(status) == SIGINT ? 130 : cli::kExitInternal;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : cli::kExitInternal;
}

std::string shell_help(const Session& s) { return tell(language(), Tell::kShellHelp, {s.idle_text}); }

// Overwrites a copy of a command line before it is freed.
void wipe(std::string& text) {
  if (!text.empty()) crypto::detail::secure_wipe(text.data(), text.size());
  text.clear();
}

void wipe(std::vector<std::string>& words) {
  for (std::string& w : words) wipe(w);
  words.clear();
}

}  // namespace

int cmd_shell(const Home& home, const ShellOptions& options, std::vector<std::string> names, CommandLineRunner run) {
  if (!client::stdin_is_terminal() || ::isatty(STDOUT_FILENO) == 0) {
    throw Failure{Error{ErrorCode::kMalformed, tell(language(), Tell::kShellNeedsTerminal)}, true};
  }
  require_identity(home);
  check(make_private_folder(home.root));

  Session s(home);
  s.idle = options.idle_seconds != 0 ? std::chrono::seconds(options.idle_seconds)
                                     : std::chrono::minutes(options.idle_minutes);
  s.idle_text = options.idle_seconds != 0 ? tally(language(), Tally::kSeconds, options.idle_seconds)
                                          : tally(language(), Tally::kMinutes, options.idle_minutes);
  names.erase(std::remove(names.begin(), names.end(), "shell"), names.end());
  s.names = std::move(names);
  if (!unlock_session(s)) return cli::kExitFailed;

  std::setlocale(LC_CTYPE, "");  // libedit reads and shows the terminal's characters
  struct sigaction interrupt {};
  interrupt.sa_handler = on_interrupt;  // no SA_RESTART: a wait for input ends
  sigemptyset(&interrupt.sa_mask);
  struct sigaction previous {};
  ::sigaction(SIGINT, &interrupt, &previous);

  EditLine* el = el_init("adviser-client", stdin, stdout, stderr);
  History* history = history_init();
  if (el == nullptr || history == nullptr) {
    if (el != nullptr) el_end(el);
    if (history != nullptr) history_end(history);
    fail(ErrorCode::kInternal, tell(language(), Tell::kShellNoLineEditing));
  }
  HistEvent event;
  ::history(history, &event, H_SETSIZE, 500);
  ::history(history, &event, H_SETUNIQUE, 1);
  el_set(el, EL_CLIENTDATA, &s);
  el_set(el, EL_EDITOR, "emacs");
  el_set(el, EL_HIST, ::history, history);
  el_set(el, EL_PROMPT, prompt_of);
  el_set(el, EL_GETCFN, read_char);
  // The wide forms: libedit keeps these pointers as they are (the narrow
  // forms store converted copies that el_end never frees).
  el_wset(el, EL_ADDFN, L"adviser-complete", L"Complete a command name or case id", complete);
  el_wset(el, EL_BIND, L"^I", L"adviser-complete", nullptr);
  Tokenizer* tokenizer = tok_init(nullptr);

  out(tell(language(), Tell::kShellUnlocked, {s.idle_text}) + "\n");
  for (;;) {
    s.timed_out = s.interrupted = false;
    int count = 0;
    const char* raw = el_gets(el, &count);
    if (s.timed_out) {
      out("\n");
      lock(s, el, history, tell(language(), Tell::kShellLockedIdle, {s.idle_text}));
      continue;
    }
    if (s.interrupted) {
      out("^C\n");
      continue;
    }
    if (raw == nullptr || count <= 0) {  // Ctrl-D or end of input
      out("\n");
      break;
    }
    std::string line(raw);
    wipe_edit_line(el);
    int argc = 0;
    const char** argv = nullptr;
    const int parsed = tok_str(tokenizer, line.c_str(), &argc, &argv);
    std::vector<std::string> words;
    if (parsed == 0) words.assign(argv, argv + argc);
    for (int i = 0; parsed == 0 && i < argc; ++i) {
      crypto::detail::secure_wipe(const_cast<char*>(argv[i]), std::strlen(argv[i]));
    }
    tok_reset(tokenizer);
    if (parsed != 0) {
      err("adviser-client: " + tell(language(), Tell::kShellUnclosedQuote) + "\n");
      wipe(line);
      continue;
    }
    if (words.empty()) continue;
    ::history(history, &event, H_ENTER, line.c_str());
    wipe(line);
    const std::string command = words.front();
    if (command == "exit" || command == "quit") break;
    if (command == "lock") {
      if (s.key) lock(s, el, history, tell(language(), Tell::kShellLocked));
      wipe(words);
      continue;
    }
    if (command == "shell") {
      err("adviser-client: " + tell(language(), Tell::kShellAlreadyIn) + "\n");
      continue;
    }
    if (command == "help" && words.size() == 1) {
      out(shell_help(s));
      run_in_child(s, el, history, {"--help"}, run);
      continue;
    }
    if (command == "help") words = {words[1], "--help"};
    if (!s.key && !unlock_session(s)) {
      wipe(words);
      continue;
    }
    run_in_child(s, el, history, words, run);
    wipe(words);
    refresh_case_ids(s);
  }
  // Leaving wipes as locking does; libedit keeps no file (no H_SAVE, no .editrc
  // read).
  lock(s, el, history, "");
  tok_end(tokenizer);
  el_end(el);
  history_end(history);
  ::sigaction(SIGINT, &previous, nullptr);
  return cli::kExitDone;
}

}  // namespace meldpunt::adviser::commands
