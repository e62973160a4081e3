// `adviser-client shell`: one unlock for a working session.
//
// The passphrase is asked once; the unlocked key file (its passphrase-derived
// key and the identity, all in libsodium's guarded, locked memory) stays in
// the shell. Each command line is then run exactly as the one-shot program
// runs it (the same parser, commands, texts and exit codes: `run` is the
// program's own command line), in a child process that re-reads the key file
// with the held key (commands/session.hpp hold_unlocked_key) instead of
// asking. A child per command means Ctrl-C cancels that command the way it
// cancels a one-shot command, and leaves the shell running.
//
// Line editing, completion of command names and case ids, and history come
// from libedit; the history lives in memory only and is never written
// anywhere (command lines hold case ids). After `idle` without a keystroke
// the key is wiped, the history cleared and the person told; the next
// command asks for the passphrase again.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "home.hpp"

namespace meldpunt::adviser::commands {

inline constexpr unsigned kDefaultIdleMinutes = 10;

struct ShellOptions {
  unsigned idle_minutes = kDefaultIdleMinutes;
  unsigned idle_seconds = 0;  // --idle-seconds, for tests: replaces idle_minutes when not 0
};

// The program's command line as main() runs it (argv[0] is the program name).
using CommandLineRunner = int (*)(int argc, char** argv);

// Runs the shell until `exit` or Ctrl-D; returns the exit code. `names` are
// the program's command names, for completion; its options are set in main.cpp.
int cmd_shell(const Home& home, const ShellOptions& options, std::vector<std::string> names, CommandLineRunner run);

}  // namespace meldpunt::adviser::commands
