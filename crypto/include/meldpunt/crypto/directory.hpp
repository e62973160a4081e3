// The adviser directory, signed by the organisation key: the list a reporter
// chooses from, and the only source of the public keys a reporter encrypts to.
//
// Entries are exported by each adviser as a self-signed card
// ("mpcard1." + base64url(entry || Ed25519 signature by the adviser's own
// sign key over kCardDomain)), checked by the administrator, and collected
// into a Directory that the organisation key signs offline:
//
//   signed directory = body || signature(kDirectoryDomain, body, org sk)
//   body = magic "MPDIR\0\0\1" || org_sign_pk (32) || serial u64 LE
//          || entry count u16 LE || entries
//   or, with a valid-until date (version 2):
//   body = magic "MPDIR\0\0\2" || org_sign_pk (32) || serial u64 LE
//          || valid_until u64 LE (unix seconds, not 0) || entry count u16 LE || entries
//   entry = id (16) || role u8 || name (u16 LE length + UTF-8)
//          || description_nl (u16 + UTF-8) || description_en (u16 + UTF-8)
//          || sign_pk (32) || message_pk (32) || fetch_pk (32)
//
// verify_directory() rejects any change of any byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/identity.hpp"
#include "meldpunt/crypto/keys.hpp"

namespace meldpunt::crypto {

inline constexpr std::string_view kDirectoryDomain = "meldpunt/v1/directory";
inline constexpr std::string_view kCardDomain = "meldpunt/v1/card";
inline constexpr std::size_t kAdviserIdBytes = 16;
inline constexpr std::size_t kMaxNameBytes = 128;
inline constexpr std::size_t kMaxDescriptionBytes = 1024;
inline constexpr std::size_t kMaxDirectoryEntries = 64;
inline constexpr std::size_t kMaxSignedDirectoryBytes = 256 * 1024;

// Valid-until dates: `relay directory sign` gives kDefaultDirectoryValidDays
// unless told otherwise (at most kMaxDirectoryValidDays). Directories signed
// without one (version 1) are accepted by clients until
// kLegacyDirectoryCutoff, 2027-07-01 00:00 UTC, so an organisation can
// upgrade and sign a new one at its own pace; after it, never
// (client/directory_check.hpp).
inline constexpr std::uint32_t kDefaultDirectoryValidDays = 90;
inline constexpr std::uint32_t kMaxDirectoryValidDays = 400;
inline constexpr std::uint64_t kLegacyDirectoryCutoff = 1'814'400'000;

using AdviserId = FixedBytes<kAdviserIdBytes>;

enum class Role : std::uint8_t {
  kInternalConfidentialAdviser = 1,
  kExternalConfidentialAdviser = 2,
  kComplaintsCommittee = 3,
  kIntegrityOfficer = 4,
};
// Parses "internal", "external", "committee", "integrity".
Result<Role> parse_role(std::string_view text);
std::string_view role_keyword(Role role);

struct DirectoryEntry {
  AdviserId id{};  // random, stable for the adviser's lifetime
  Role role = Role::kInternalConfidentialAdviser;
  std::string name;            // UTF-8, 1..kMaxNameBytes
  std::string description_nl;  // UTF-8, 0..kMaxDescriptionBytes
  std::string description_en;
  Ed25519PublicKey sign_pk{};
  X25519PublicKey message_pk{};
  FetchPublicKey fetch_pk{};
};

struct Directory {
  Ed25519PublicKey org_sign_pk{};
  std::uint64_t serial = 0;  // increases with every publication; clients refuse to go back
  // Unix seconds after which clients refuse the directory (a relay cannot
  // serve an old one for ever); 0: none (version 1, signed before the date
  // existed; see client/directory_check.hpp for how long clients accept it).
  std::uint64_t valid_until = 0;
  std::vector<DirectoryEntry> entries;

  const DirectoryEntry* find(const AdviserId& id) const;
};

// Entry validation (make_card, parse_card, sign_directory, verify_directory):
// role 1..4; name 1..kMaxNameBytes, descriptions 0..kMaxDescriptionBytes, all
// strict UTF-8 without control characters ('\n' allowed in descriptions only)
// and without bidirectional override/isolate characters (U+202A..U+202E,
// U+2066..U+2069), since reporters see this text on a terminal; fetch_pk a
// valid ristretto255 encoding.

// Card: what an adviser hands to the administrator (one line of text).
// Throws std::invalid_argument if the entry is invalid or adviser_sign_sk is
// not the key of entry.sign_pk (such a card could never be parsed).
std::string make_card(const DirectoryEntry& entry, const Secret<kEd25519SecretBytes>& adviser_sign_sk);
// Whitespace anywhere (a trailing newline, line breaks from e-mail or a
// wrapped terminal, indentation) is ignored; any other character outside
// "mpcard1." and base64url is kMalformed with its position. kTooLarge beyond
// 64 KiB as given or the longest possible card without whitespace,
// kMalformed for bad structure or an invalid entry, kUnauthorised if the
// self-signature does not verify.
Result<DirectoryEntry> parse_card(std::string_view card);

// Validates the entries (kMalformed if an entry is invalid, ids repeat, there
// are more than kMaxDirectoryEntries, or directory.org_sign_pk is not
// org_key.pk).
Result<Bytes> sign_directory(const Directory& directory, const SigningKeyPair& org_key);
// Checks size (kTooLarge), then the signature against the expected org key
// (kUnauthorised), then structure and bounds of the signed body (kMalformed;
// kUnsupportedVersion for another magic). Never throws on bad bytes.
Result<Directory> verify_directory(ByteView signed_directory, const Ed25519PublicKey& org_sign_pk);

}  // namespace meldpunt::crypto
