// `adviser-client watch`: unlocked once, fetches every --interval minutes
// (an inbox run: prekeys topped up, new letters into the store) and tells
// the adviser through the configured notifiers (notify.hpp) how many new
// messages came and which deadlines come near (watch_alerts.hpp): counts
// and due dates only. A failed fetch is said on stderr and tried again at
// the next interval; a failed notifier is said and watching goes on.
// SIGINT and SIGTERM end it after the current round (exit 0).
#pragma once

#include <string>

#include "commands/notify.hpp"
#include "home.hpp"

namespace meldpunt::adviser::commands {

inline constexpr unsigned kDefaultWatchMinutes = 15;
inline constexpr unsigned kMinWatchMinutes = 5;

// Set from `watch`'s options (main.cpp).
struct WatchOptions {
  unsigned interval_minutes = kDefaultWatchMinutes;
  unsigned test_interval_seconds = 0;  // --test-interval-seconds, for automated tests only
  unsigned rounds = 0;                 // --rounds / --once: stop after this many fetches (0: until stopped)
  Notifiers notifiers;
};

// Exit 0 when stopped or after --rounds; 2 when the last fetch failed with
// --rounds, or the key file stopped opening (passphrase changed).
int cmd_watch(const Home& home, const std::string& channel, unsigned timeout, const WatchOptions& options);

}  // namespace meldpunt::adviser::commands
