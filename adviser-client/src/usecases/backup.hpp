// `backup --out FILE`, `restore --from FILE` and `passphrase`: the key file
// and the store kept safe, brought back, and the key file's passphrase
// changed.
#pragma once

#include <cstddef>
#include <string>

#include "case_store.hpp"
#include "home.hpp"
#include "key_file.hpp"
#include "meldpunt/crypto/passphrase_box.hpp"
#include "usecases/inputs.hpp"

namespace meldpunt::adviser::usecase {

// Writes an encrypted backup of `home` (key file, card, a compact copy of
// `store`, the unlocked store of that home) to `out_file` (mode 0600,
// atomically; it must not exist: require_new_file), sealed under the
// passphrase `passphrase` gives once the contents are read, stretched with
// `params`. kTooLarge if the store exceeds what one backup file holds.
// Returns the backup file's size in bytes. The caller holds the home
// folder's lock, so key file and store are from one moment.
Result<std::size_t> write_backup(const Home& home, const CaseStore& store, const std::string& out_file,
                                 const SecretSource& passphrase, const crypto::KdfParams& params);

// Writes the backup `from` into `home` after `backup_passphrase` opened it:
// store, card, then the key file (a home with a key file is complete).
// Refused (kIo) if `home` holds an identity or a store already; the
// backup's errors as they came (kUnauthorised for a wrong passphrase).
Status restore_backup(const Home& home, const std::string& from, const SecretSource& backup_passphrase);

// The number of cases in a store (the restored store's check).
Result<std::size_t> count_cases(const CaseStore& store);

// Re-encrypts the key file under the passphrase `new_passphrase` gives,
// stretched with `params`. The caller holds the home folder's lock: an
// inbox run saves the key file too.
Status change_passphrase(KeyFile& key_file, const SecretSource& new_passphrase, const crypto::KdfParams& params);

}  // namespace meldpunt::adviser::usecase
