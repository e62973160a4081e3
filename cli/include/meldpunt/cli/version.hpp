// `--version` on every program: the release and the protocol it speaks, so
// an administrator, adviser or reporter can tell which clients and relays
// understand each other without reading the code.
//
//   relay 0.1.0 (meldpunt protocol: relay API version 1, channel addresses meldpunt2:)
//
// The release is the CMake project's version (the Debian packages carry the
// same); the protocol versions come from the protocol module's constants,
// so the text cannot drift from what the program actually sends.
#pragma once

#include <string>
#include <string_view>

#include "meldpunt/cli/language.hpp"

namespace CLI {
class App;
}  // namespace CLI

namespace meldpunt::cli {

// The project's release, e.g. "0.1.0".
std::string_view release();

// The line `--version` prints for `program`, without a newline.
std::string version_text(std::string_view program);

// Adds --version to `app` (the program itself, not its subcommands), with
// its description in `lang`. It prints version_text(program) on stdout and
// exits 0 through exit_for_parse_error, before any required subcommand or
// option is checked.
void add_version_flag(CLI::App& app, std::string_view program, Lang lang);

}  // namespace meldpunt::cli
