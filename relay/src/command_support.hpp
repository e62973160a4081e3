// What every administrator subcommand of `relay` shares: its exit codes and
// how it reports a failure and a size. A command returns the process exit
// code: 0 ok, 2 the operation failed or found a fault (cli/program.hpp).
#pragma once

#include <cstdint>
#include <string>

#include "meldpunt/common/result.hpp"

namespace meldpunt::relay {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 2;

// Prints "relay: error: MESSAGE" to stderr; returns kExitFailed.
int fail(const std::string& message);
int fail(const Error& e);

// A size for people, e.g. "1.5 GiB".
std::string human_bytes(std::uint64_t n);

}  // namespace meldpunt::relay
