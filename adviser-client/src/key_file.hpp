// The adviser's key file: the identity (keys, prekey secrets, upload counter)
// and the profile (who the adviser is in the directory), sealed under the
// adviser's passphrase with crypto::PassphraseBox.
//
//   plaintext = magic "MPADVKF\x01" (8)
//               || profile length u32 LE || profile
//               || identity length u32 LE || AdviserIdentity::serialize()
//   profile   = version u8 (1) || adviser id (16) || role u8 (1..4)
//               || name (u16 LE length, 1..128 bytes UTF-8)
//               || description_nl (u16 LE length, 0..1024 bytes UTF-8)
//               || description_en (u16 LE length, 0..1024 bytes UTF-8)
//               || relay prekeys u32 LE (the relay's count after our last upload,
//                  less the prekeys our reports used since)
//               || prekeys checked at u64 LE (unix seconds of that upload)
//
// The profile is kept inside the box although it is public (it is on the
// card), so the key file on disk reveals nothing about whose it is.
#pragma once

#include <filesystem>
#include <string>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/identity.hpp"
#include "meldpunt/crypto/passphrase_box.hpp"

namespace meldpunt::adviser {

inline constexpr std::uint8_t kProfileVersion = 1;
inline constexpr std::size_t kMaxProfileBytes =
    1 + crypto::kAdviserIdBytes + 1 + 3 * 2 + crypto::kMaxNameBytes + 2 * crypto::kMaxDescriptionBytes + 4 + 8;
inline constexpr std::size_t kMinPassphraseLength = 12;

struct AdviserProfile {
  crypto::AdviserId id{};
  crypto::Role role = crypto::Role::kInternalConfidentialAdviser;
  std::string name;
  std::string description_nl;
  std::string description_en;
  std::uint32_t relay_prekeys = 0;         // as reported by the relay after the last upload
  std::uint64_t prekeys_checked_at = 0;    // when that was (unix seconds)
};

// kMalformed with a message naming the field (length bounds, UTF-8).
Status validate_profile(const AdviserProfile& profile);

Bytes encode_profile(const AdviserProfile& profile);
// Never throws on bad bytes: kMalformed, or kUnsupportedVersion.
Result<AdviserProfile> decode_profile(ByteView bytes);

struct KeyFileContents {
  AdviserProfile profile;
  crypto::AdviserIdentity identity;
};

crypto::SecretBuffer encode_key_file(const AdviserProfile& profile, const crypto::AdviserIdentity& identity);
// Never throws on bad bytes: kMalformed or kUnsupportedVersion.
Result<KeyFileContents> decode_key_file(ByteView plaintext);

// The public directory entry for this adviser (what the card carries).
crypto::DirectoryEntry directory_entry(const AdviserProfile& profile, const crypto::AdviserIdentity& identity);

// An unlocked key file. Keeps the passphrase-derived box key in secure memory,
// so save() re-seals without running Argon2id again.
class KeyFile {
 public:
  // Writes a new key file (mode 0600, atomically). kIo if `path` exists:
  // an identity is never overwritten.
  static Result<KeyFile> create(const std::filesystem::path& path, const crypto::SecretBuffer& passphrase,
                                const crypto::KdfParams& params, AdviserProfile profile,
                                crypto::AdviserIdentity identity);
  // kNotFound if there is no key file, kUnauthorised for a wrong passphrase
  // or a changed file, kMalformed for a file that is not a key file.
  static Result<KeyFile> unlock(const std::filesystem::path& path, const crypto::SecretBuffer& passphrase);

  // The key file as it is on disk now (another command may have saved it
  // since: prekey secrets used or added), opened with this object's
  // passphrase-derived key, so without the passphrase and without Argon2id.
  // kUnauthorised if the file was sealed under another passphrase since
  // (`adviser-client passphrase`), as unlock() says for a wrong one.
  Result<KeyFile> reopen() const;

  const std::filesystem::path& path() const { return path_; }

  // Re-seals the current contents (fresh nonce) and replaces the file
  // atomically: a crash leaves the old or the new file, never a mix.
  Status save() const;
  // Seals the same contents under a new passphrase (fresh salt, `params`)
  // and replaces the file atomically; the old passphrase no longer opens it.
  // On failure the file and this object keep the old passphrase.
  Status change_passphrase(const crypto::SecretBuffer& passphrase, const crypto::KdfParams& params);

  AdviserProfile& profile() { return contents_.profile; }
  const AdviserProfile& profile() const { return contents_.profile; }
  crypto::AdviserIdentity& identity() { return contents_.identity; }
  const crypto::AdviserIdentity& identity() const { return contents_.identity; }

 private:
  KeyFile(std::filesystem::path path, crypto::PassphraseBox box, KeyFileContents contents)
      : path_(std::move(path)), box_(std::move(box)), contents_(std::move(contents)) {}
  std::filesystem::path path_;
  crypto::PassphraseBox box_;
  KeyFileContents contents_;
};

}  // namespace meldpunt::adviser
