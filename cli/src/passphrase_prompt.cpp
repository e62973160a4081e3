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

namespace {

constexpr Text kTooShort{"the passphrase is too short (at least {1} characters)",
                         "het wachtwoord is te kort (minstens {1} tekens)"};
constexpr Text kDiffer{"the two passphrases differ", "de twee wachtwoorden verschillen"};
constexpr Text kChooseLonger{"; please choose a longer one.\n", "; kies een langer wachtwoord.\n"};
constexpr Text kTypeAgain{"; please type the new passphrase again.\n", "; typ het nieuwe wachtwoord opnieuw.\n"};
constexpr Text kReading{"reading the passphrase: {1}", "het wachtwoord lezen: {1}"};

}  // namespace

Result<crypto::SecretBuffer> read_new_passphrase(const NewPassphrasePrompt& prompt, const PromptIo& io) {
  const std::string too_short = fill(pick(prompt.lang, kTooShort), {std::to_string(prompt.min_length)});
  const std::string differ(pick(prompt.lang, kDiffer));
  const auto reading = [&](const Error& e) { return Error{e.code, fill(pick(prompt.lang, kReading), {e.message})}; };
  for (int attempt = 1;; ++attempt) {
    const bool last = !io.interactive || attempt >= kNewPassphraseTries;
    auto first = io.read_secret(prompt.first);
    if (!first) return reading(first.error());
    if (first->size() < prompt.min_length) {
      if (last) return Error{ErrorCode::kMalformed, too_short + "; " + prompt.nothing_done};
      io.say(too_short + std::string(pick(prompt.lang, kChooseLonger)));
      continue;
    }
    auto second = io.read_secret(prompt.repeat);
    if (!second) return reading(second.error());
    if (first->equals(*second)) return std::move(first).value();
    if (last) return Error{ErrorCode::kMalformed, differ + "; " + prompt.nothing_done};
    io.say(differ + std::string(pick(prompt.lang, kTypeAgain)));
  }
}

}  // namespace meldpunt::cli
