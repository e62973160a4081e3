// What adviser-client's commands do the same way around a use case: read
// from the terminal (passphrases, the text of a message), unlock the key
// file and the store, connect to the relay, and end with an error.
//
// A failure is carried to main() as a Failure (fail, check) and printed
// there ("adviser-client: error: ...", exit code 2): the commands read as
// the straight line of what they do.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "case_store.hpp"
#include "home.hpp"
#include "key_file.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/passphrase_box.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "usecases/inputs.hpp"
#include "wording.hpp"

namespace meldpunt::adviser::commands {

// An expected failure, carried to main() and turned into exit code 2, or 1
// (usage) for an input the command line should have given.
struct Failure {
  Error error;
  bool usage = false;
};

[[noreturn]] void fail(const Error& e);
[[noreturn]] void fail(ErrorCode code, std::string message);

template <typename T>
T check(Result<T> r) {
  if (!r) fail(r.error());
  return std::move(r).value();
}
void check(const Status& s);

// A relay that does not answer is named with its address; other errors as
// they came.
[[noreturn]] void fail_relay(const Error& e, const protocol::ChannelAddress& address);

// check() for a use case that talks to the relay.
template <typename T>
T check_relay(Result<T> r, const protocol::ChannelAddress& address) {
  if (!r) fail_relay(r.error(), address);
  return std::move(r).value();
}

// The language the commands speak (--lang, else the environment:
// cli/language.hpp), set once by main() before any command runs.
void set_language(Lang lang);
Lang language();

// Standard output and standard error (client/terminal.hpp).
void out(std::string_view text);
void err(std::string_view text);

// A new passphrase, asked twice (again on a terminal after a slip:
// cli/passphrase_prompt.hpp). `what` names it in the prompt ("for your
// adviser key file", "for this export": Tell::kForKeyFile, kForExport);
// `nothing_done` ends its errors.
Result<crypto::SecretBuffer> new_passphrase(std::string_view what, std::string_view nothing_done);

// A passphrase asked once, without echo (a use case's SecretSource); a
// reading error says "reading the passphrase: ...".
usecase::SecretSource passphrase_prompt(std::string prompt);

crypto::KdfParams kdf_params(bool insecure);

// Asks for the passphrase only once the key file is known to exist, so a
// wrong --home fails before anyone types a secret.
void require_identity(const Home& home);

// The key file, unlocked with the passphrase asked on the terminal; or,
// while a shell holds the key (hold_unlocked_key), re-read with it without
// asking.
KeyFile unlock(const Home& home);

// For `shell` and `watch` (shell.cpp, watch.cpp): while `key` is set,
// unlock() of the home folder it belongs to re-reads the key file with it
// (KeyFile::reopen) instead of asking for the passphrase. nullptr ends that.
// The key stays owned by the caller, in secure memory.
void hold_unlocked_key(const KeyFile* key);

// Inside `shell`, a command's waits on the person (a question, a passphrase,
// the editor) are told to the shell through `fd` (report_waits_to, called in
// the shell's child): while one lasts past the idle time, the shell locks and
// ends the command (shell.cpp). Outside the shell (fd -1) nothing is told.
void report_waits_to(int fd);
class PersonWait {
 public:
  PersonWait();
  ~PersonWait();
  PersonWait(const PersonWait&) = delete;
  PersonWait& operator=(const PersonWait&) = delete;
};
inline constexpr char kWaitStarts = 'W';
inline constexpr char kWaitEnds = 'D';

// The home folder a command uses without --home: the shell's (set_session_home)
// inside a shell, else default_home_folder().
std::filesystem::path default_home();
void set_session_home(std::filesystem::path root);
CaseStore open_store(const Home& home, const KeyFile& key_file);

// --channel parsed (a note on stderr for the old form without check characters).
protocol::ChannelAddress parse_channel(const std::string& text);

// The channel address for a network command: `given` (--channel) if not
// empty, else the one stored in the home folder. Neither: a usage Failure
// saying how to give one; a damaged stored one: a Failure naming the file.
std::string channel_for_command(const Home& home, const std::string& given);

// After a network command with `given` worked: keeps it in the home folder
// if it differs from the stored one, and says so on stderr ("channel address
// changed; stored"). The old form (meldpunt1:) is not kept. A failure to
// store is a warning only: the command itself was done.
void keep_channel(const Home& home, const std::string& given);

// "HOST:PORT" of the SOCKS5 proxy given with --proxy, for every connection
// after; empty for direct connections.
void use_socks_proxy(std::string proxy);

// The options of a connection: `timeout_seconds` per answer, the proxy, and
// a line on stderr when a busy relay is asked again.
client::ConnectionOptions connection_options(unsigned timeout_seconds);

// A message or note: from `file`, the editor on a terminal, or the rest of
// stdin after the passphrase line. Refuses empty and non-UTF-8 text and text
// over `max` bytes, naming it `what` and ending with `nothing_done`.
Result<crypto::SecretBuffer> compose_text(const Home& home, const std::string& file, std::size_t max,
                                          std::string_view what, std::string_view nothing_done);

}  // namespace meldpunt::adviser::commands
