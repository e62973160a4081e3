// How `adviser-client watch` hands a notification on: a desktop
// notification (notify-send), a command of the adviser's choosing, and/or
// an e-mail through the local mail transfer agent (sendmail -t).
//
// The text is counts and due dates only (watch_alerts.hpp); nothing else
// reaches a notifier's argv, environment (inherited unchanged) or input.
// Each notifier runs without a shell (posix_spawn), with its standard output
// discarded, and is given kNotifierSeconds to finish before it is killed.
#pragma once

#include <string>
#include <vector>

#include "meldpunt/common/result.hpp"
#include "wording.hpp"

namespace meldpunt::adviser::commands {

inline constexpr int kNotifierSeconds = 30;

struct Notifiers {
  bool desktop = false;        // notify-send (found on PATH) "meldpunt" TEXT
  std::string command;         // COMMAND TEXT (a path, or a name found on PATH)
  std::string mail_to;         // sendmail -t (found on PATH, else /usr/sbin/sendmail), To: this address

  bool any() const { return desktop || !command.empty() || !mail_to.empty(); }
};

// kMalformed unless `address` is a plain address (local@domain, printable
// ASCII without spaces, quotes or angle brackets, at most 254 bytes): it
// becomes a mail header line, so nothing may break out of it.
Status validate_mail_address(const std::string& address, Lang lang);

// Hands `lines` to each configured notifier. Returns one error text in
// `lang` per notifier that failed ("the desktop notification (notify-send)
// failed: exited with 1"); the others still ran.
std::vector<std::string> notify(const Notifiers& notifiers, const std::vector<std::string>& lines, Lang lang);

}  // namespace meldpunt::adviser::commands
