#include "commands/session.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>

#include "meldpunt/cli/passphrase_prompt.hpp"
#include "meldpunt/client/terminal.hpp"
#include "text.hpp"
#include "usecases/open_store.hpp"

namespace meldpunt::adviser::commands {

namespace fs = std::filesystem;

namespace {

std::string& socks_proxy() {
  static std::string proxy;
  return proxy;
}

const KeyFile*& held_key() {
  static const KeyFile* key = nullptr;
  return key;
}

std::filesystem::path& session_home() {
  static std::filesystem::path root;
  return root;
}

}  // namespace

[[noreturn]] void fail(const Error& e) { throw Failure{e}; }
[[noreturn]] void fail(ErrorCode code, std::string message) { throw Failure{Error{code, std::move(message)}}; }

void check(const Status& s) {
  if (!s) fail(s.error());
}

namespace {
Lang g_language = Lang::kEn;  // the program's one language, chosen before any command runs
}  // namespace

void set_language(Lang lang) { g_language = lang; }
Lang language() { return g_language; }

void out(std::string_view text) { client::write_out(text); }
void err(std::string_view text) { client::write_err(text); }

Result<crypto::SecretBuffer> new_passphrase(std::string_view what, std::string_view nothing_done) {
  cli::NewPassphrasePrompt prompt;
  prompt.first = "New passphrase " + std::string(what) + " (at least " + std::to_string(kMinPassphraseLength) +
                 " characters): ";
  prompt.min_length = kMinPassphraseLength;
  prompt.nothing_done = std::string(nothing_done);
  return cli::read_new_passphrase(prompt);
}

usecase::SecretSource passphrase_prompt(std::string prompt) {
  return [prompt = std::move(prompt)]() -> Result<crypto::SecretBuffer> {
    auto passphrase = client::read_secret_line(prompt);
    if (!passphrase) return Error{passphrase.error().code, "reading the passphrase: " + passphrase.error().message};
    return passphrase;
  };
}

crypto::KdfParams kdf_params(bool insecure) {
  return insecure ? crypto::KdfParams::insecure_for_tests() : crypto::KdfParams::production();
}

void require_identity(const Home& home) {
  std::error_code ec;
  if (!fs::exists(home.key_file(), ec)) {
    fail(ErrorCode::kNotFound, "no adviser identity in " + home.root.string() +
                                   " (create one with `adviser-client init`, or pass --home)");
  }
}

void hold_unlocked_key(const KeyFile* key) { held_key() = key; }

std::filesystem::path default_home() { return session_home().empty() ? default_home_folder() : session_home(); }
void set_session_home(std::filesystem::path root) { session_home() = std::move(root); }

KeyFile unlock(const Home& home) {
  require_identity(home);
  check(make_private_folder(home.root));
  if (const KeyFile* held = held_key(); held != nullptr && held->path() == home.key_file()) {
    return check(held->reopen());
  }
  const crypto::SecretBuffer passphrase = check(passphrase_prompt("Passphrase: ")());
  return check(KeyFile::unlock(home.key_file(), passphrase));
}

CaseStore open_store(const Home& home, const KeyFile& key_file) {
  return check(usecase::open_case_store(home, key_file));
}

protocol::ChannelAddress parse_channel(const std::string& text) {
  auto address = protocol::parse_address(text);
  if (!address) fail(ErrorCode::kMalformed, "--channel: " + address.error().message);
  if (!address->checked) {
    err("note: this channel address has the old form (meldpunt1:) without check characters; a copy mistake "
        "then shows only as a failed connection or a refused directory. Ask the administrator for the current "
        "address (`relay address` prints one starting with meldpunt2:).\n");
  }
  return std::move(address).value();
}

std::string channel_for_command(const Home& home, const std::string& given) {
  if (!given.empty()) return given;
  const std::optional<std::string> stored = check(stored_channel(home));
  if (!stored) {
    throw Failure{Error{ErrorCode::kMalformed,
                        "no channel address: give --channel ADDRESS (from the administrator; `relay address` prints "
                        "it). After a command with it worked, it is kept in " + home.channel_file().string() +
                            " and --channel may be left out"},
                  true};
  }
  return *stored;
}

void keep_channel(const Home& home, const std::string& given) {
  if (given.empty()) return;
  auto address = protocol::parse_address(given);
  if (!address || !address->checked) return;  // parse_channel has said why the old form is not enough
  const std::string file = home.channel_file().string();
  const auto stored = stored_channel(home);
  if (stored && *stored && **stored == protocol::format_address(*address)) return;
  if (Status s = store_channel(home, *address); !s) {
    err("adviser-client: warning: the channel address worked but could not be stored: " + s.error().message + "\n");
    return;
  }
  if (stored && !*stored) {
    err("adviser-client: channel address stored in " + file + "; later commands may leave out --channel\n");
  } else {
    err("adviser-client: channel address changed; stored in " + file + "\n");
  }
}

void use_socks_proxy(std::string proxy) { socks_proxy() = std::move(proxy); }

client::ConnectionOptions connection_options(unsigned timeout_seconds) {
  client::ConnectionOptions options;
  options.timeout = std::chrono::seconds(timeout_seconds);
  options.socks_proxy = socks_proxy();
  // Tor builds a circuit before the first byte reaches the relay: the same
  // connect allowance as reporter-client's through a proxy.
  if (!options.socks_proxy.empty()) options.connect_timeout = std::chrono::seconds(90);
  // A busy relay is asked again after a pause: say so, rather than seem to hang.
  options.on_retry = [](const client::RetryNotice& n) {
    std::cerr << "adviser-client: the relay is busy; trying again in " << (n.delay.count() + 999) / 1000
              << " s (attempt " << n.next_attempt << " of " << n.max_attempts << ")\n";
  };
  return options;
}

namespace {

Error relay_error(const Error& e, const protocol::ChannelAddress& address) {
  if (e.code == ErrorCode::kUnavailable) {
    return Error{ErrorCode::kUnavailable, "cannot reach the relay at " + address.endpoint +
                                              " (no answer); check the channel address and that the relay is running"};
  }
  return e;
}

}  // namespace

[[noreturn]] void fail_relay(const Error& e, const protocol::ChannelAddress& address) { fail(relay_error(e, address)); }

Result<crypto::SecretBuffer> compose_text(const Home& home, const std::string& file, std::size_t max,
                                          std::string_view what, std::string_view nothing_done) {
  Result<crypto::SecretBuffer> body = Error{ErrorCode::kInternal, "no text"};
  if (!file.empty()) {
    body = client::read_file_secret(file, max);
  } else if (client::stdin_is_terminal()) {
    body = compose_in_editor(home.root, max);
  } else {
    body = client::read_stdin_to_end(max);
  }
  const std::string refused = "; " + std::string(nothing_done);
  if (!body) {
    if (body.error().code == ErrorCode::kTooLarge) {
      return Error{ErrorCode::kTooLarge, "the " + std::string(what) + " is longer than " + std::to_string(max) +
                                             " bytes" + refused};
    }
    if (body.error().code == ErrorCode::kNotFound && file.empty()) {
      return Error{ErrorCode::kMalformed, "the " + std::string(what) + " is empty" + refused};
    }
    return body.error();
  }
  const bool blank = std::all_of(body->data(), body->data() + body->size(),
                                 [](std::uint8_t b) { return b == ' ' || b == '\n' || b == '\r' || b == '\t'; });
  if (blank) return Error{ErrorCode::kMalformed, "the " + std::string(what) + " is empty" + refused};
  if (!is_valid_utf8(body->view())) {
    return Error{ErrorCode::kMalformed, "the " + std::string(what) + " is not UTF-8 text" + refused};
  }
  return body;
}

}  // namespace meldpunt::adviser::commands
