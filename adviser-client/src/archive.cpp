#include "archive.hpp"

#include <algorithm>
#include <array>

namespace meldpunt::adviser {
namespace {

constexpr std::array<std::uint8_t, 8> kExportMagic = {'M', 'P', 'A', 'D', 'V', 'E', 'X', 1};
constexpr std::array<std::uint8_t, 8> kBackupMagic = {'M', 'P', 'A', 'D', 'V', 'B', 'K', 1};
// PassphraseBox adds its header and a 16-byte tag around the plaintext.
constexpr std::size_t kMaxBoxPlaintext = crypto::kBoxMaxFileBytes - crypto::kBoxHeaderBytes - 16;

bool has_magic(ByteView bytes, const std::array<std::uint8_t, 8>& magic) {
  return bytes.size() >= magic.size() && std::equal(magic.begin(), magic.end(), bytes.begin());
}

Result<crypto::SecretBuffer> open_box(ByteView sealed, const crypto::SecretBuffer& passphrase, std::string_view what) {
  auto box = crypto::PassphraseBox::for_sealed(sealed, passphrase);
  if (!box) return Error{box.error().code, "not " + std::string(what) + ": " + box.error().message};
  auto plain = box->open(sealed);
  if (!plain) {
    return Error{ErrorCode::kUnauthorised, "wrong passphrase, or the " + std::string(what) + " was changed", false,
                 ErrorSubject::kPassphrase};
  }
  return plain;
}

}  // namespace

Bytes seal_export(const crypto::PassphraseBox& box, ByteView document) {
  if (document.size() > kMaxBoxPlaintext - kExportMagic.size()) throw std::length_error("export too large");
  crypto::SecretBuffer plain;
  plain.append(kExportMagic);
  plain.append(document);
  return box.seal(plain.view());
}

Result<crypto::SecretBuffer> open_export(ByteView sealed, const crypto::SecretBuffer& passphrase) {
  auto plain = open_box(sealed, passphrase, "a case export");
  if (!plain) return plain.error();
  if (!has_magic(plain->view(), kExportMagic)) {
    return Error{ErrorCode::kMalformed, "this passphrase file is not a case export (is it a backup?)"};
  }
  return crypto::SecretBuffer::copy_of(plain->view().subspan(kExportMagic.size()));
}

Bytes encode_backup(const BackupContents& c) {
  Bytes out(kBackupMagic.begin(), kBackupMagic.end());
  append_u32_le(out, static_cast<std::uint32_t>(c.key_file.size()));
  append(out, c.key_file);
  append_u32_le(out, static_cast<std::uint32_t>(c.card.size()));
  append(out, as_bytes(c.card));
  append_u64_le(out, c.store.size());
  append(out, c.store);
  return out;
}

Result<BackupContents> decode_backup(ByteView plaintext) {
  const Error bad{ErrorCode::kMalformed, "the backup is damaged"};
  if (!has_magic(plaintext, kBackupMagic)) {
    return Error{ErrorCode::kMalformed, "this passphrase file is not an adviser backup (is it a case export?)"};
  }
  ByteReader r(plaintext.subspan(kBackupMagic.size()));
  BackupContents c;
  std::uint32_t length = 0;
  std::uint64_t store_length = 0;
  ByteView part;
  if (!r.take_u32(length) || length > crypto::kBoxMaxFileBytes || !r.take(length, part)) return bad;
  c.key_file.assign(part.begin(), part.end());
  if (!r.take_u32(length) || length > kMaxCardFileBytes || !r.take(length, part)) return bad;
  c.card.assign(reinterpret_cast<const char*>(part.data()), part.size());
  if (!r.take_u64(store_length) || store_length > kMaxBoxPlaintext ||
      !r.take(static_cast<std::size_t>(store_length), part) || !r.at_end()) {
    return bad;
  }
  c.store.assign(part.begin(), part.end());
  if (c.key_file.empty() || c.store.empty()) return bad;
  return c;
}

Result<Bytes> seal_backup(const crypto::PassphraseBox& box, const BackupContents& contents) {
  const std::size_t size = kBackupMagic.size() + 4 + contents.key_file.size() + 4 + contents.card.size() + 8 +
                           contents.store.size();
  if (contents.key_file.size() > crypto::kBoxMaxFileBytes || contents.card.size() > kMaxCardFileBytes ||
      size > kMaxBoxPlaintext) {
    return Error{ErrorCode::kTooLarge, "the case store is too large for one backup file (" + std::to_string(size) +
                                           " bytes; at most " + std::to_string(kMaxBoxPlaintext) + ")"};
  }
  return box.seal(encode_backup(contents));
}

Result<BackupContents> open_backup(ByteView sealed, const crypto::SecretBuffer& passphrase) {
  auto plain = open_box(sealed, passphrase, "an adviser backup");
  if (!plain) return plain.error();
  return decode_backup(plain->view());
}

}  // namespace meldpunt::adviser
