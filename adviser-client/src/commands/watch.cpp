#include "commands/watch.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "commands/session.hpp"
#include "meldpunt/cli/program.hpp"
#include "text.hpp"
#include "usecases/inbox_run.hpp"
#include "usecases/open_store.hpp"
#include "watch_alerts.hpp"

namespace meldpunt::adviser::commands {

namespace {

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop(int) { g_stop = 1; }

void say(const std::string& line) { out("[" + format_minute(now_seconds()) + "] " + line + "\n"); }

// Waits `seconds`, or less when asked to stop.
void pause(std::chrono::seconds seconds) {
  const auto until = std::chrono::steady_clock::now() + seconds;
  while (!g_stop && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

struct Round {
  bool fetched = false;
  std::vector<std::string> lines;  // for the notifiers
};

// One fetch and the deadlines, under the home folder's lock.
Round run_round(const Home& home, const KeyFile& held, const protocol::ChannelAddress& address, unsigned timeout,
                DeadlineAlerts& alerts, const std::string& again) {
  Round round;
  auto lock = lock_home_folder(home.lock_file());
  if (!lock) {
    err("adviser-client watch: " + lock.error().message + "; trying again " + again + "\n");
    return round;
  }
  // The key file as it is now: another command may have saved it (prekeys).
  KeyFile key = check(held.reopen());
  auto store = usecase::open_case_store(home, key);
  if (!store) {
    err("adviser-client watch: " + store.error().message + "; trying again " + again + "\n");
    return round;
  }
  auto summary = usecase::run_inbox(address, connection_options(timeout), key, *store, now_seconds());
  if (summary) {
    round.fetched = true;
    if (const std::string text = new_messages_text(summary->stored, language()); !text.empty()) round.lines.push_back(text);
  } else {
    std::string why = summary.error().message;
    if (summary.error().code == ErrorCode::kUnavailable) why = "the relay at " + address.endpoint + " did not answer";
    err("adviser-client watch: fetching failed (" + why + "); trying again " + again + "\n");
  }
  if (auto list = usecase::list_cases(*store)) {
    for (std::string& line : alerts.update(list->cases, list->settings, now_seconds(), language())) round.lines.push_back(line);
  }
  return round;
}

}  // namespace

int cmd_watch(const Home& home, const std::string& given_channel, unsigned timeout, const WatchOptions& options) {
  if (!options.notifiers.mail_to.empty()) {
    if (Status s = validate_mail_address(options.notifiers.mail_to); !s) throw Failure{s.error(), true};
  }
  const std::string channel = channel_for_command(home, given_channel);
  const protocol::ChannelAddress address = parse_channel(channel);
  const KeyFile held = unlock(home);  // the passphrase, once (or the shell's key)

  g_stop = 0;
  struct sigaction stop {};
  stop.sa_handler = on_stop;
  sigemptyset(&stop.sa_mask);
  ::sigaction(SIGINT, &stop, nullptr);
  ::sigaction(SIGTERM, &stop, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  const auto interval = options.test_interval_seconds != 0 ? std::chrono::seconds(options.test_interval_seconds)
                                                           : std::chrono::minutes(options.interval_minutes);
  const std::string again = options.rounds == 1 ? "at the next run"
                            : options.test_interval_seconds != 0
                                ? "in " + std::to_string(options.test_interval_seconds) + " s"
                                : "in " + std::to_string(options.interval_minutes) + " minutes";
  std::string through;
  if (options.notifiers.desktop) through += ", desktop";
  if (!options.notifiers.command.empty()) through += ", command";
  if (!options.notifiers.mail_to.empty()) through += ", e-mail";
  say("watching " + address.endpoint + (options.rounds == 1 ? " once" : " every " + again.substr(3)) +
      "; notifying through " + (through.empty() ? "this output only" : through.substr(2)) +
      (options.rounds == 1 ? "" : ". Ctrl-C or SIGTERM stops."));

  DeadlineAlerts alerts;
  bool last_fetched = true, kept = false;
  for (unsigned done = 1; !g_stop; ++done) {
    const bool last = options.rounds != 0 && done >= options.rounds;
    const Round round = run_round(home, held, address, timeout, alerts, last ? "at the next run" : again);
    last_fetched = round.fetched;
    if (round.fetched && !kept) {  // as after any network command that worked
      keep_channel(home, given_channel);
      kept = true;
    }
    for (const std::string& line : round.lines) say(line);
    if (!round.lines.empty() && options.notifiers.any()) {
      for (const std::string& failure : notify(options.notifiers, round.lines)) {
        err("adviser-client watch: " + failure + "; watching goes on\n");
      }
    }
    if (last) break;
    pause(interval);
  }
  if (g_stop) say("stopped");
  return options.rounds != 0 && !last_fetched ? cli::kExitFailed : cli::kExitDone;
}

}  // namespace meldpunt::adviser::commands
