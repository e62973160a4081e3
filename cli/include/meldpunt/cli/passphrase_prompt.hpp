// Asking for a new passphrase (an organisation key, an adviser key file, an
// export or a backup), the same way in every program.
//
// The passphrase is asked for twice. On a terminal a passphrase that is too
// short, or a repetition that differs, is explained and asked for again, up
// to kNewPassphraseTries times, so a slip does not end `init` after the
// profile was typed. When stdin is not a terminal (scripts and tests give
// one line per prompt), the first such problem ends the prompt with an
// error: a further line may be meant for something else, and a script gets
// a clear failure instead of a prompt that eats its input.
//
// Secrets are read with client::read_secret_line (no echo, secure memory);
// nothing of a passphrase reaches an error text.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "meldpunt/cli/language.hpp"
#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::cli {

inline constexpr int kNewPassphraseTries = 3;

struct NewPassphrasePrompt {
  std::string first;                          // e.g. "New passphrase for the organisation key (at least 12 characters): "
  std::string repeat = "Repeat the passphrase: ";
  std::size_t min_length = 12;                // bytes
  std::string nothing_done = "nothing was created";  // ends every error text
  Lang lang = Lang::kEn;                      // of the texts said between tries and of the errors
};

// Where the prompt reads and writes: the terminal in the programs, a script
// in the unit tests.
struct PromptIo {
  std::function<Result<crypto::SecretBuffer>(std::string_view prompt)> read_secret;
  std::function<void(std::string_view text)> say;  // explanations before asking again
  bool interactive = false;                          // a person answers: problems are asked again
};

// The terminal (client::read_secret_line, stderr, stdin_is_terminal()).
PromptIo terminal_io();

// The new passphrase, or: kMalformed "the passphrase is too short (at least
// N characters); <nothing_done>" / "the two passphrases differ;
// <nothing_done>" (at once when not interactive, after kNewPassphraseTries
// tries otherwise); the reading error (kNotFound at end of input,
// kTooLarge) prefixed with "reading the passphrase: ". In prompt.lang; the
// prompts themselves are the caller's.
Result<crypto::SecretBuffer> read_new_passphrase(const NewPassphrasePrompt& prompt, const PromptIo& io = terminal_io());

}  // namespace meldpunt::cli
