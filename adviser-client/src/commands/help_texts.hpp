// adviser-client's --help in Dutch: each command's and option's text keyed
// by its name (cli::HelpRow), set on the CLI11 app by cli::localise_help. A
// new command or option gets a row here; without one its help stays English.
#pragma once

#include <span>

#include "meldpunt/cli/cli11_texts.hpp"

namespace meldpunt::adviser::commands {

std::span<const cli::HelpRow> help_rows();

}  // namespace meldpunt::adviser::commands
