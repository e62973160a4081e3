#include "commands/watch.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>
#include <utility>

#include "commands/session.hpp"
#include "meldpunt/cli/program.hpp"
#include "text.hpp"
#include "usecases/inbox_run.hpp"
#include "usecases/open_store.hpp"
#include "watch_alerts.hpp"
#include "wording_commands.hpp"

namespace meldpunt::adviser::commands {

namespace {

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop(int) { g_stop = 1; }

void stamped(const std::string& line) { out("[" + format_minute(now_seconds()) + "] " + line + "\n"); }

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
    err(tell(language(), Tell::kWatchRetry, {describe(language(), lock.error()), again}) + "\n");
    return round;
  }
  // The key file as it is now: another command may have saved it (prekeys).
  KeyFile key = check(held.reopen());
  auto store = usecase::open_case_store(home, key);
  if (!store) {
    err(tell(language(), Tell::kWatchRetry, {describe(language(), store.error()), again}) + "\n");
    return round;
  }
  auto summary = usecase::run_inbox(address, connection_options(timeout), key, *store, now_seconds());
  if (summary) {
    round.fetched = true;
    if (const std::string text = new_messages_text(summary->stored, language()); !text.empty()) round.lines.push_back(text);
  } else {
    const std::string why = summary.error().code == ErrorCode::kUnavailable && !summary.error().from_relay
                                ? tell(language(), Tell::kWatchNoAnswer, {address.endpoint})
                                : describe(language(), summary.error());
    err(tell(language(), Tell::kWatchFetchFailed, {why, again}) + "\n");
  }
  if (auto list = usecase::list_cases(*store)) {
    for (std::string& line : alerts.update(list->cases, list->settings, now_seconds(), language())) round.lines.push_back(line);
  }
  return round;
}

}  // namespace

int cmd_watch(const Home& home, const std::string& given_channel, unsigned timeout, const WatchOptions& options) {
  if (!options.notifiers.mail_to.empty()) {
    if (Status s = validate_mail_address(options.notifiers.mail_to, language()); !s) throw Failure{s.error(), true};
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
  const Lang lang = language();
  const std::string every = options.test_interval_seconds != 0
                                ? tally(lang, Tally::kSeconds, options.test_interval_seconds)
                                : tally(lang, Tally::kMinutes, options.interval_minutes);
  const std::string next_run = tell(lang, Tell::kWatchAgainNextRun);
  const std::string again = options.rounds == 1 ? next_run : tell(lang, Tell::kWatchAgainIn, {every});
  std::string through;
  for (const auto& [on, key] : {std::pair{options.notifiers.desktop, Tell::kWatchThroughDesktop},
                                std::pair{!options.notifiers.command.empty(), Tell::kWatchThroughCommand},
                                std::pair{!options.notifiers.mail_to.empty(), Tell::kWatchThroughEmail}}) {
    if (on) through += (through.empty() ? "" : ", ") + tell(lang, key);
  }
  if (through.empty()) through = tell(lang, Tell::kWatchThroughOutput);
  stamped(options.rounds == 1 ? tell(lang, Tell::kWatchStartOnce, {address.endpoint, through})
                              : tell(lang, Tell::kWatchStartEvery, {address.endpoint, every, through}));

  DeadlineAlerts alerts;
  bool last_fetched = true, kept = false;
  for (unsigned done = 1; !g_stop; ++done) {
    const bool last = options.rounds != 0 && done >= options.rounds;
    const Round round = run_round(home, held, address, timeout, alerts, last ? next_run : again);
    last_fetched = round.fetched;
    if (round.fetched && !kept) {  // as after any network command that worked
      keep_channel(home, given_channel);
      kept = true;
    }
    for (const std::string& line : round.lines) stamped(line);
    if (!round.lines.empty() && options.notifiers.any()) {
      for (const std::string& failure : notify(options.notifiers, round.lines, lang)) {
        err(tell(lang, Tell::kWatchNotifyFailed, {failure}) + "\n");
      }
    }
    if (last) break;
    pause(interval);
  }
  if (g_stop) stamped(tell(lang, Tell::kWatchStopped));
  return options.rounds != 0 && !last_fetched ? cli::kExitFailed : cli::kExitDone;
}

}  // namespace meldpunt::adviser::commands
