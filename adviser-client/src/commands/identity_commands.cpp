#include "commands/commands.hpp"

#include <filesystem>
#include <optional>
#include <string>

#include "commands/session.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "text.hpp"
#include "usecases/backup.hpp"
#include "usecases/identity.hpp"
#include "wording_commands.hpp"

namespace meldpunt::adviser::commands {

int cmd_init(const Home& home, const usecase::InitRequest& request, bool insecure_kdf) {
  const usecase::CreatedIdentity created = check(usecase::create_identity(
      home, request,
      [] { return new_passphrase(tell(language(), Tell::kForKeyFile), tell(language(), Tell::kNothingCreated)); },
      kdf_params(insecure_kdf)));
  const crypto::DirectoryEntry& entry = created.entry;
  out(tell(language(), Tell::kInitDone,
           {home.root.string(), entry.name, crypto::role_keyword(entry.role), to_hex(entry.id),
            home.card_file().string(), created.card}));
  return 0;
}

int cmd_card(const Home& home) {
  require_identity(home);  // said in the program's language; the card is read without the passphrase
  out(terminal_safe_label(check(usecase::read_card(home))) + "\n");
  return 0;
}

int cmd_channel(const Home& home, bool forget) {
  if (forget) {
    std::error_code ec;
    const bool removed = std::filesystem::remove(home.channel_file(), ec);
    if (ec) {
      fail(ErrorCode::kIo, tell(language(), Tell::kChannelCannotRemove, {home.channel_file().string(), ec.message()}));
    }
    out(tell(language(), removed ? Tell::kChannelForgotten : Tell::kChannelNoneKept) + "\n");
    return 0;
  }
  const std::optional<std::string> stored = check(stored_channel(home));
  if (!stored) {
    fail(ErrorCode::kNotFound, tell(language(), Tell::kChannelNotKept, {home.root.string()}));
  }
  out(*stored + "\n");
  return 0;
}

int cmd_passphrase(const Home& home, bool insecure_kdf) {
  require_identity(home);
  check(make_private_folder(home.root));
  // An inbox run saves the key file under the old box; never interleave.
  os::FolderLock lock = check(lock_home_folder(home.lock_file()));
  KeyFile key_file = unlock(home);
  const auto passphrase = [] {
    return new_passphrase(tell(language(), Tell::kForKeyFile), tell(language(), Tell::kNothingChanged));
  };
  check(usecase::change_passphrase(key_file, passphrase, kdf_params(insecure_kdf)));
  out(tell(language(), Tell::kPassphraseChanged, {home.key_file().string()}) + "\n");
  return 0;
}

int cmd_backup(const Home& home, const std::string& out_file, bool insecure_kdf) {
  check(usecase::require_new_file(out_file));
  require_identity(home);
  check(make_private_folder(home.root));
  os::FolderLock lock = check(lock_home_folder(home.lock_file()));  // key file and store from one moment
  KeyFile key_file = unlock(home);
  CaseStore store = open_store(home, key_file);
  const auto passphrase = [] {
    return new_passphrase(tell(language(), Tell::kForBackup), tell(language(), Tell::kNothingWritten));
  };
  const std::size_t bytes =
      check(usecase::write_backup(home, store, out_file, passphrase, kdf_params(insecure_kdf)));
  out(tell(language(), Tell::kBackupWritten, {out_file, std::to_string(bytes)}) + "\n");
  return 0;
}

int cmd_restore(const Home& home, const std::string& from) {
  check(usecase::restore_backup(home, from, passphrase_prompt(tell(language(), Tell::kBackupPassphrasePrompt))));
  out(tell(language(), Tell::kRestoredChecking, {home.root.string()}) + "\n");
  const crypto::SecretBuffer passphrase = check(passphrase_prompt(tell(language(), Tell::kPassphrasePrompt))());
  KeyFile key_file = check(KeyFile::unlock(home.key_file(), passphrase));
  CaseStore store = open_store(home, key_file);
  const std::size_t cases = check(usecase::count_cases(store));
  out(tally(language(), Tally::kRestoredCases, cases) + "\n");
  return 0;
}

}  // namespace meldpunt::adviser::commands
