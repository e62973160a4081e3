// Terminal input for secrets and messages.
//
// Secrets (codes, passphrases) are read with read(2) straight into secure
// memory: no std::cin, no stdio buffer that would keep a copy in ordinary heap
// memory. On a terminal the prompt goes to stderr and echo is switched off;
// otherwise one line is read from standard input, so tests and scripts can
// pipe input (never argv or the environment, which other users and shell
// history can see).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::client {

inline constexpr std::size_t kMaxSecretLine = 1024;

bool stdin_is_terminal();

// One line (without its newline) from the terminal with echo off, or from
// stdin. kNotFound at end of input, kTooLarge beyond kMaxSecretLine.
Result<crypto::SecretBuffer> read_secret_line(std::string_view prompt);

// One line with echo (choices, confirmations, lines of a message), at most
// max_bytes long.
Result<crypto::SecretBuffer> read_line(std::string_view prompt, std::size_t max_bytes = kMaxSecretLine);

// Everything left on stdin, at most max_bytes (kTooLarge beyond).
Result<crypto::SecretBuffer> read_stdin_to_end(std::size_t max_bytes);

// A whole file into secure memory, at most max_bytes.
Result<crypto::SecretBuffer> read_file_secret(const std::filesystem::path& path, std::size_t max_bytes);

// Writes text to stdout/stderr with write(2), so secrets shown to the user
// (the new code) do not pass through iostream buffers.
void write_out(std::string_view text);
void write_err(std::string_view text);

}  // namespace meldpunt::client
