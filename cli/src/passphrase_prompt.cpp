#include "meldpunt/cli/passphrase_prompt.hpp"

#include "meldpunt/client/terminal.hpp"

namespace meldpunt::cli {

PromptIo terminal_io() {
  PromptIo io;
  io.read_secret = [](std::string_view prompt) { return client::read_secret_line(prompt); };
  io.say = [](std::string_view text) { client::write_err(text); };
  io.interactive = client::stdin_is_terminal();
  return io;
}

Result<crypto::SecretBuffer> read_new_passphrase(const NewPassphrasePrompt& prompt, const PromptIo& io) {
  const std::string too_short =
      "the passphrase is too short (at least " + std::to_string(prompt.min_length) + " characters)";
  const std::string differ = "the two passphrases differ";
  for (int attempt = 1;; ++attempt) {
    const bool last = !io.interactive || attempt >= kNewPassphraseTries;
    auto first = io.read_secret(prompt.first);
    if (!first) return Error{first.error().code, "reading the passphrase: " + first.error().message};
    if (first->size() < prompt.min_length) {
      if (last) return Error{ErrorCode::kMalformed, too_short + "; " + prompt.nothing_done};
      io.say(too_short + "; please choose a longer one.\n");
      continue;
    }
    auto second = io.read_secret(prompt.repeat);
    if (!second) return Error{second.error().code, "reading the passphrase: " + second.error().message};
    if (first->equals(*second)) return std::move(first).value();
    if (last) return Error{ErrorCode::kMalformed, differ + "; " + prompt.nothing_done};
    io.say(differ + "; please type the new passphrase again.\n");
  }
}

}  // namespace meldpunt::cli
