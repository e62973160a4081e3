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
bool stdout_is_terminal();

// On a terminal (stdout): clears the screen and, where the terminal supports
// it (xterm's ED 3, honoured by most emulators and tmux), the scrollback, so
// that a code shown once does not stay readable while it is typed back or
// after the window is left. Does nothing when stdout is not a terminal.
void clear_terminal_screen();

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

// The message written in the user's editor, for people who would rather not
// type a long text line by line. `editor` is a shell command line ($VISUAL or
// $EDITOR, e.g. "nano" or "vim -n"), run as `sh -c '<editor> "$1"'` with the
// file's path as $1.
//
// The file lives in RAM only: it is created with O_EXCL and mode 0600 in
// `ram_folder` (default /dev/shm), which must be a tmpfs (kUnavailable
// otherwise, so the text never reaches a disk). Afterwards the file is
// overwritten with zeros and unlinked on every path, including an editor
// that fails. What the editor itself keeps (swap files, undo files, history
// such as ~/.viminfo) is beyond this function's reach; see
// docs/reporter-client.md. SIGINT and SIGQUIT are ignored by the caller while
// the editor runs (as system(3) does), so Ctrl-C in the editor cannot skip
// the wipe. kMalformed if the saved file is empty, kTooLarge beyond
// max_bytes, kIo if the editor cannot be started or exits with an error.
Result<crypto::SecretBuffer> edit_in_editor(std::string_view editor, std::size_t max_bytes,
                                            const std::filesystem::path& ram_folder = "/dev/shm");

// Writes text to stdout/stderr with write(2), so secrets shown to the user
// (the new code) do not pass through iostream buffers.
void write_out(std::string_view text);
void write_err(std::string_view text);

}  // namespace meldpunt::client
