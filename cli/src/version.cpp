#include "meldpunt/cli/version.hpp"

#include <CLI/CLI.hpp>

#include "meldpunt/protocol/channel_address.hpp"
#include "meldpunt/protocol/wire.hpp"

#ifndef MELDPUNT_RELEASE
#error "MELDPUNT_RELEASE comes from cli/CMakeLists.txt (the project's version)"
#endif

namespace meldpunt::cli {

std::string_view release() { return MELDPUNT_RELEASE; }

std::string version_text(std::string_view program) {
  std::string_view prefix = protocol::kAddressPrefix;
  return std::string(program) + " " + std::string(release()) + " (meldpunt protocol: relay API version " +
         std::to_string(protocol::kWireVersion) + ", channel addresses " + std::string(prefix) + ")";
}

void add_version_flag(CLI::App& app, std::string_view program, Lang lang) {
  app.set_version_flag("--version", version_text(program),
                       std::string(pick(lang, Text{"Print the version (and the protocol's) and exit",
                                                   "Toon de versie (en die van het protocol) en stop"})));
}

}  // namespace meldpunt::cli
