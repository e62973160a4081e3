#include "commands/session.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>

#include "meldpunt/cli/passphrase_prompt.hpp"
#include "meldpunt/client/terminal.hpp"
#include "text.hpp"
#include "usecases/open_store.hpp"
#include "wording_commands.hpp"

namespace meldpunt::adviser::commands {

namespace fs = std::filesystem;

namespace {

std::string& socks_proxy() {
  static std::string proxy;
  return proxy;
}

int g_wait_fd = -1;  // the shell's pipe in its child; -1 elsewhere

void tell_shell(char what) {
  if (g_wait_fd < 0) return;
  ssize_t n = 0;
  do {
    n = ::write(g_wait_fd, &what, 1);
  } while (n < 0 && errno == EINTR);
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
  prompt.first = tell(language(), Tell::kNewPassphrase, {what, std::to_string(kMinPassphraseLength)});
  prompt.min_length = kMinPassphraseLength;
  prompt.repeat = tell(language(), Tell::kRepeatPassphrase);
  prompt.nothing_done = std::string(nothing_done);
  prompt.lang = language();
  const PersonWait waiting;
  return cli::read_new_passphrase(prompt);
}

usecase::SecretSource passphrase_prompt(std::string prompt) {
  return [prompt = std::move(prompt)]() -> Result<crypto::SecretBuffer> {
    const PersonWait waiting;
    auto passphrase = client::read_secret_line(prompt);
    if (!passphrase) {
      return Error{passphrase.error().code, tell(language(), Tell::kReadingPassphrase, {passphrase.error().message})};
    }
    return passphrase;
  };
}

crypto::KdfParams kdf_params(bool insecure) {
  return insecure ? crypto::KdfParams::insecure_for_tests() : crypto::KdfParams::production();
}

void require_identity(const Home& home) {
  std::error_code ec;
  if (!fs::exists(home.key_file(), ec)) {
    fail(ErrorCode::kNotFound, tell(language(), Tell::kNoIdentity, {home.root.string()}));
  }
}

void report_waits_to(int fd) { g_wait_fd = fd; }
PersonWait::PersonWait() { tell_shell(kWaitStarts); }
PersonWait::~PersonWait() { tell_shell(kWaitEnds); }

void hold_unlocked_key(const KeyFile* key) { held_key() = key; }

std::filesystem::path default_home() { return session_home().empty() ? default_home_folder() : session_home(); }
void set_session_home(std::filesystem::path root) { session_home() = std::move(root); }

KeyFile unlock(const Home& home) {
  require_identity(home);
  check(make_private_folder(home.root));
  if (const KeyFile* held = held_key(); held != nullptr && held->path() == home.key_file()) {
    return check(held->reopen());
  }
  const crypto::SecretBuffer passphrase = check(passphrase_prompt(tell(language(), Tell::kPassphrasePrompt))());
  return check(KeyFile::unlock(home.key_file(), passphrase));
}

CaseStore open_store(const Home& home, const KeyFile& key_file) {
  return check(usecase::open_case_store(home, key_file));
}

protocol::ChannelAddress parse_channel(const std::string& text) {
  auto address = protocol::parse_address(text);
  if (!address) {
    Error e = address.error();  // its subject says in which way (wording.cpp)
    e.message = "--channel: " + e.message;
    fail(e);
  }
  if (!address->checked) {
    err(tell(language(), Tell::kOldChannelForm) + "\n");
  }
  return std::move(address).value();
}

std::string channel_for_command(const Home& home, const std::string& given) {
  if (!given.empty()) return given;
  const std::optional<std::string> stored = check(stored_channel(home));
  if (!stored) {
    throw Failure{Error{ErrorCode::kMalformed, tell(language(), Tell::kNoChannel, {home.channel_file().string()})},
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
    err(say(language(), Say::kWarningPrefix) +
        tell(language(), Tell::kChannelNotStored, {describe(language(), s.error())}) + "\n");
    return;
  }
  if (stored && !*stored) {
    err("adviser-client: " + tell(language(), Tell::kChannelStored, {file}) + "\n");
  } else {
    err("adviser-client: " + tell(language(), Tell::kChannelChanged, {file}) + "\n");
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
    err("adviser-client: " +
        tell(language(), Tell::kRelayBusy,
             {std::to_string((n.delay.count() + 999) / 1000), std::to_string(n.next_attempt),
              std::to_string(n.max_attempts)}) +
        "\n");
  };
  return options;
}

namespace {

Error relay_error(const Error& e, const protocol::ChannelAddress& address) {
  if (e.code == ErrorCode::kUnavailable && e.subject == ErrorSubject::kNone) {
    return Error{ErrorCode::kUnavailable, tell(language(), Tell::kRelayUnreachable, {address.endpoint}), false,
                 ErrorSubject::kRelaySilent};
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
    const PersonWait waiting;
    body = compose_in_editor(home.root, max);
  } else {
    body = client::read_stdin_to_end(max);
  }
  if (!body) {
    if (body.error().code == ErrorCode::kTooLarge) {
      return Error{ErrorCode::kTooLarge,
                   tell(language(), Tell::kTextTooLong, {what, std::to_string(max), nothing_done})};
    }
    if (body.error().code == ErrorCode::kNotFound && file.empty()) {
      return Error{ErrorCode::kMalformed, tell(language(), Tell::kTextEmpty, {what, nothing_done})};
    }
    return body.error();
  }
  const bool blank = std::all_of(body->data(), body->data() + body->size(),
                                 [](std::uint8_t b) { return b == ' ' || b == '\n' || b == '\r' || b == '\t'; });
  if (blank) return Error{ErrorCode::kMalformed, tell(language(), Tell::kTextEmpty, {what, nothing_done})};
  if (!is_valid_utf8(body->view())) {
    return Error{ErrorCode::kMalformed, tell(language(), Tell::kTextNotUtf8, {what, nothing_done})};
  }
  return body;
}

}  // namespace meldpunt::adviser::commands
