#include "usecases/backup.hpp"

#include <stdlib.h>

#include <filesystem>

#include "archive.hpp"
#include "meldpunt/os/files.hpp"

namespace meldpunt::adviser::usecase {

namespace fs = std::filesystem;

Result<std::size_t> write_backup(const Home& home, const CaseStore& store, const std::string& out_file,
                                 const SecretSource& passphrase, const crypto::KdfParams& params) {
  BackupContents contents;
  {
    std::string pattern = (home.root / "backup-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return Error{ErrorCode::kIo, "cannot create a scratch folder in " + home.root.string()};
    }
    const fs::path scratch = pattern;
    Status copied = store.copy_compact_to(scratch);
    Result<Bytes> data =
        copied ? os::read_file(scratch / "data.mdb", crypto::kBoxMaxFileBytes) : Result<Bytes>(copied.error());
    std::error_code ignored;
    fs::remove_all(scratch, ignored);
    if (!data && data.error().code == ErrorCode::kTooLarge) {
      return Error{ErrorCode::kTooLarge,
                   "the case store is larger than one backup file can hold (64 MiB); nothing was written"};
    }
    if (!data) return data.error();
    contents.store = std::move(data).value();
  }
  auto key_file = os::read_file(home.key_file(), crypto::kBoxMaxFileBytes);
  if (!key_file) return key_file.error();
  contents.key_file = std::move(key_file).value();
  if (auto card = os::read_file(home.card_file(), kMaxCardFileBytes)) {
    contents.card.assign(reinterpret_cast<const char*>(card->data()), card->size());
  }
  auto secret = passphrase();
  if (!secret) return secret.error();
  const crypto::PassphraseBox box = crypto::PassphraseBox::create(*secret, params);
  auto sealed = seal_backup(box, contents);
  if (!sealed) return sealed.error();
  if (Status written = os::write_file_atomically(out_file, *sealed, 0600); !written) return written.error();
  return sealed->size();
}

Status restore_backup(const Home& home, const std::string& from, const SecretSource& backup_passphrase) {
  std::error_code ec;
  if (fs::exists(home.key_file(), ec) || fs::exists(home.store_folder() / "data.mdb", ec)) {
    return Error{ErrorCode::kIo,
                 home.root.string() +
                     " already holds an adviser identity or case store; restore into a new folder (--home)",
                 false, ErrorSubject::kIdentityExists};
  }
  auto sealed = os::read_file(from, crypto::kBoxMaxFileBytes);
  if (!sealed) return sealed.error();
  auto secret = backup_passphrase();
  if (!secret) return secret.error();
  auto contents = open_backup(*sealed, *secret);
  if (!contents) return contents.error();

  if (Status made = make_private_folder(home.root); !made) return made;
  if (Status made = make_private_folder(home.store_folder()); !made) return made;
  // The key file last: a home with a key file is a complete home.
  if (Status s = os::write_file_atomically(home.store_folder() / "data.mdb", contents->store, 0600); !s) return s;
  if (!contents->card.empty()) {
    if (Status s = os::write_file_atomically(home.card_file(), as_bytes(contents->card), 0644); !s) return s;
  }
  return os::write_file_atomically(home.key_file(), contents->key_file, 0600);
}

Result<std::size_t> count_cases(const CaseStore& store) {
  auto cases = store.list_cases();
  if (!cases) return cases.error();
  return cases->size();
}

Status change_passphrase(KeyFile& key_file, const SecretSource& new_passphrase, const crypto::KdfParams& params) {
  auto secret = new_passphrase();
  if (!secret) return secret.error();
  return key_file.change_passphrase(*secret, params);
}

}  // namespace meldpunt::adviser::usecase
