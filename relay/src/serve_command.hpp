// `relay serve`: validates the settings, opens the store and keys, purges
// expired messages in the background, answers status on the admin socket
// and serves until SIGINT or SIGTERM; `--check-config` only validates and
// prints the effective settings. Both return the exit code
// (command_support.hpp).
#pragma once

#include "serve_settings.hpp"

namespace meldpunt::relay {

int cmd_check_config(const ServeSettings& settings);
int cmd_serve(const ServeSettings& settings);

}  // namespace meldpunt::relay
