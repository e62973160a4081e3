// What every program of the project (relay, reporter-client, adviser-client)
// does the same way at its edges: how it starts, and what its exit code means.
//
//   int main(int argc, char** argv) {
//     if (Status s = cli::start_up(); !s) return cli::fail_start_up("relay", s.error());
//     CLI::App app{...};
//     try { app.parse(argc, argv); }
//     catch (const CLI::ParseError& e) { return cli::exit_for_parse_error(app, e); }
//     ... return cli::kExitDone / kExitFailed; exceptions -> kExitInternal
//   }
#pragma once

#include <string_view>

#include "meldpunt/common/result.hpp"

namespace CLI {
class App;
class ParseError;
}  // namespace CLI

namespace meldpunt::cli {

// The exit codes of all three programs. Scripts and the guides' tables rely
// on them: never renumber. A command may add codes of its own from 4 up for
// a result that is not a failure (`relay directory check`: 4, gaps), and the
// reporter's 130 follows the shell's convention for Ctrl-C; both are stated
// in that program's guide.
inline constexpr int kExitDone = 0;      // the command did what was asked (also --help)
inline constexpr int kExitUsage = 1;     // the command line is wrong; nothing was done
inline constexpr int kExitFailed = 2;    // the operation failed; the reason is on stderr
inline constexpr int kExitInternal = 3;  // a bug or the environment failed (start-up, memory)

// The exit code for a command line CLI11 refused or answered itself, from
// CLI11's own code (CLI::ParseError::get_exit_code(), CLI::ExitCodes):
// kExitDone for --help, kExitInternal for the codes that mean the program's
// own option definitions are wrong (IncorrectConstruction, BadNameString,
// OptionAlreadyAdded, OptionNotFound, HorribleError, BaseClass), kExitUsage
// for every other (unknown option, missing or invalid value, a bad config
// file, ...), including codes CLI11 may add later.
int exit_code_for_cli11(int cli11_exit_code);

// CLI11's message for `e` (the help text on stdout, an error on stderr, as
// CLI::App::exit prints them), and the exit code exit_code_for_cli11 gives.
int exit_for_parse_error(const CLI::App& app, const CLI::ParseError& e);

// What every program does first, before it reads its command line:
// libsodium initialised (crypto::init), then the process hardened
// (crypto::harden_process: no core dumps, no ptrace by other processes,
// locked memory raised to the hard limit).
//
// Policy: a failure of either is fatal. The programs hold passphrases, codes
// and decrypted reports; one that could dump them into a core file must not
// run, and each hardening step is one an unprivileged process may always
// take, so a failure means something is in the way that the user must know
// of. kInternal with what failed; the caller prints it (fail_start_up).
[[nodiscard]] Status start_up();

// Says on stderr that `program` cannot start and why ("relay: internal error:
// ...; refusing to run"), and returns kExitInternal for main to return.
int fail_start_up(std::string_view program, const Error& e);

}  // namespace meldpunt::cli
