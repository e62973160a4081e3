#pragma once

#include "meldpunt/common/result.hpp"

namespace meldpunt::crypto {

// Initialises libsodium. Call once at program start, before any other
// function of this module; throws std::runtime_error if libsodium cannot start
// (no usable random source). Safe to call more than once.
void init();

// Hardening for every program of the project: no core dumps (RLIMIT_CORE=0 and
// PR_SET_DUMPABLE=0, so a crash never writes secrets to disk and other users'
// processes cannot ptrace us), and the soft RLIMIT_MEMLOCK raised to the hard
// limit, so that as many secrets as allowed stay in locked memory (never
// swapped to disk; see SecretBuffer::locked). Stops at the first step that
// fails and says which (kInternal). Every step is one an unprivileged process
// may always take, so a failure means something (a sandbox, a seccomp filter)
// is in the way; the programs refuse to run then (cli::start_up).
[[nodiscard]] Status harden_process();

}  // namespace meldpunt::crypto
