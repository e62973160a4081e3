// Files adviser-client writes for use outside its home folder: case exports
// and backups. Both are crypto::PassphraseBox files under a passphrase of
// their own (asked twice when written), never the key file's passphrase.
//
//   export plaintext = magic "MPADVEX\x01" (8) || document (UTF-8 text,
//                      casework.hpp export_document)
//   backup plaintext = magic "MPADVBK\x01" (8)
//                      || key file length u32 LE (<= crypto::kBoxMaxFileBytes) || key file
//                         (identity.key exactly as on disk: still sealed under the
//                         adviser's passphrase)
//                      || card length u32 LE (<= kMaxCardFileBytes) || card.txt
//                      || store length u64 LE || data.mdb (a compacting LMDB copy;
//                         its values stay sealed under the store key)
//
// A whole backup is at most crypto::kBoxMaxFileBytes (64 MiB), the largest
// PassphraseBox file; a larger store is refused with a clear error.
#pragma once

#include <string>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/passphrase_box.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::adviser {

inline constexpr std::size_t kMaxCardFileBytes = 64 * 1024;

Bytes seal_export(const crypto::PassphraseBox& box, ByteView document);
// kUnauthorised for a wrong passphrase or a changed file, kMalformed for a
// file that is not a case export. Never throws on bad bytes.
Result<crypto::SecretBuffer> open_export(ByteView sealed, const crypto::SecretBuffer& passphrase);

struct BackupContents {
  Bytes key_file;  // sealed: no secret in the clear
  std::string card;
  Bytes store;     // data.mdb: values sealed under the store key
};
// kTooLarge if the parts do not fit one PassphraseBox file.
Result<Bytes> seal_backup(const crypto::PassphraseBox& box, const BackupContents& contents);
// As open_export; kMalformed for bad lengths or trailing bytes.
Result<BackupContents> open_backup(ByteView sealed, const crypto::SecretBuffer& passphrase);
// The plaintext codec, exposed for tests.
Bytes encode_backup(const BackupContents& contents);
Result<BackupContents> decode_backup(ByteView plaintext);

}  // namespace meldpunt::adviser
