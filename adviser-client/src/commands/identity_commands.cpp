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
  out("Adviser identity created in " + home.root.string() + "\n" +
      "  name:       " + entry.name + "\n" +
      "  role:       " + std::string(crypto::role_keyword(entry.role)) + "\n" +
      "  adviser id: " + to_hex(entry.id) + "\n\n" +
      "Your adviser card (also in " + home.card_file().string() + "):\n\n" + created.card + "\n\n" +
      "Next steps:\n"
      "  1. Give the card to the administrator (it holds only public keys). Compare the adviser id\n"
      "     above with the one `relay directory sign` prints, by phone or in person.\n"
      "  2. The administrator signs a directory with it and publishes it:\n"
      "       relay directory sign --org-key org.key --adviser card.txt ... --serial N --out dir.signed\n"
      "       relay directory publish --channel ADDRESS --file dir.signed\n"
      "  3. Run `adviser-client inbox --channel ADDRESS` to upload prekeys and collect reports\n"
      "     (the address is then kept; later commands may leave out --channel).\n"
      "Keep the passphrase safe: without it the key file and every case stored here cannot be opened.\n");
  return 0;
}

int cmd_card(const Home& home) {
  out(terminal_safe_label(check(usecase::read_card(home))) + "\n");
  return 0;
}

int cmd_channel(const Home& home, bool forget) {
  if (forget) {
    std::error_code ec;
    const bool removed = std::filesystem::remove(home.channel_file(), ec);
    if (ec) fail(ErrorCode::kIo, "cannot remove " + home.channel_file().string() + ": " + ec.message());
    out(removed ? "Channel address forgotten; the next network command needs --channel.\n"
                : "No channel address was kept.\n");
    return 0;
  }
  const std::optional<std::string> stored = check(stored_channel(home));
  if (!stored) {
    fail(ErrorCode::kNotFound, "no channel address kept in " + home.root.string() +
                                   "; one is kept after a network command with --channel ADDRESS worked");
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
  out("Passphrase changed. The old passphrase no longer opens " + home.key_file().string() +
      "; copies of the key file made before (backups) still open with it.\n");
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
  out("Backup written to " + out_file + " (" + std::to_string(bytes) +
      " bytes, encrypted under the backup passphrase; the key file inside still needs your passphrase).\n"
      "Restore it with `adviser-client restore --from " + out_file + " --home NEW-FOLDER`.\n");
  return 0;
}

int cmd_restore(const Home& home, const std::string& from) {
  check(usecase::restore_backup(home, from, passphrase_prompt(tell(language(), Tell::kBackupPassphrasePrompt))));
  out("Restored into " + home.root.string() + ". Checking it with your adviser passphrase.\n");
  const crypto::SecretBuffer passphrase = check(passphrase_prompt(tell(language(), Tell::kPassphrasePrompt))());
  KeyFile key_file = check(KeyFile::unlock(home.key_file(), passphrase));
  CaseStore store = open_store(home, key_file);
  const std::size_t cases = check(usecase::count_cases(store));
  out("The key file opens and its case store holds " + std::to_string(cases) + (cases == 1 ? " case" : " cases") +
      ". Run `adviser-client inbox` to carry on; reports sent to prekeys made after the backup cannot be opened.\n");
  return 0;
}

}  // namespace meldpunt::adviser::commands
