#pragma once

namespace meldpunt::crypto {

// Initialises libsodium. Call once at program start, before any other
// function of this module; throws std::runtime_error if libsodium cannot start
// (no usable random source). Safe to call more than once.
void init();

// Hardening for every program of the project: no core dumps (RLIMIT_CORE=0 and
// PR_SET_DUMPABLE=0, so a crash never writes secrets to disk and other users'
// processes cannot ptrace us), and the soft RLIMIT_MEMLOCK raised to the hard
// limit, so that as many secrets as allowed stay in locked memory (never
// swapped to disk; see SecretBuffer::locked). Returns false if a step failed (the caller
// decides whether that is fatal).
bool harden_process();

}  // namespace meldpunt::crypto
