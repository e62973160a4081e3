// The release and the version line; the --version flag that prints it is
// set on a CLI11 app in cli11_texts.cpp (the one file that includes CLI11).
#include "meldpunt/cli/version.hpp"

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

}  // namespace meldpunt::cli
