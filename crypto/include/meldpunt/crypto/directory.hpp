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
//   or, with the organisation's signpost (version 3: who each entry is there
//   for, docs/PROTOCOL.md §7.3):
//   body = version 2 body with magic "MPDIR\0\0\3"
//          || group count u8 (1..32) || groups || kind count u8 (1..32) || kinds
//          || per entry, in entry order: flags u8 (bit 0 every group, bit 1
//             every kind) || group bits u32 LE || kind bits u32 LE
//   group, kind = id (u8 length + [a-z0-9-]) || label_nl (u8 + UTF-8)
//          || label_en (u8 + UTF-8)
//
// verify_directory() rejects any change of any byte, and a directory that
// verifies signs back to the same bytes (every field has one encoding).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "meldpunt/common/result.hpp"
#include "meldpunt/common/tagged_bytes.hpp"
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
// The signpost (version 3): at most this many groups, and as many kinds.
inline constexpr std::size_t kMaxSignpostCategories = 32;
inline constexpr std::size_t kMaxCategoryIdBytes = 32;
inline constexpr std::size_t kMaxCategoryLabelBytes = 96;

// Valid-until dates: `relay directory sign` gives kDefaultDirectoryValidDays
// unless told otherwise (at most kMaxDirectoryValidDays). Directories signed
// without one (version 1) are accepted by clients until
// kLegacyDirectoryCutoff, 2027-07-01 00:00 UTC, so an organisation can
// upgrade and sign a new one at its own pace; after it, never
// (client/directory_check.hpp).
inline constexpr std::uint32_t kDefaultDirectoryValidDays = 90;
inline constexpr std::uint32_t kMaxDirectoryValidDays = 400;
inline constexpr std::uint64_t kLegacyDirectoryCutoff = 1'814'400'000;

struct AdviserIdTag;
using AdviserId = TaggedBytes<AdviserIdTag, kAdviserIdBytes>;

enum class Role : std::uint8_t {
  kInternalConfidentialAdviser = 1,
  kExternalConfidentialAdviser = 2,
  kComplaintsCommittee = 3,
  kIntegrityOfficer = 4,
};
// Parses "internal", "external", "committee", "integrity".
Result<Role> parse_role(std::string_view text);
std::string_view role_keyword(Role role);

// A group of people ("civil servants", "staff of group X") or a kind of
// report ("unwanted behaviour", "integrity"), as the organisation defines
// them in its signed directory. The id is what the administrator writes and
// what an adviser files a case under; the labels are what reporters see.
struct Category {
  std::string id;        // 1..kMaxCategoryIdBytes of a-z, 0-9 and '-', not starting or ending with '-'
  std::string label_nl;  // UTF-8, 1..kMaxCategoryLabelBytes, one line
  std::string label_en;
};

// Whom and what an entry is there for: every combination of a covered group
// and a covered kind. Bit i stands for Directory::groups[i] (kinds[i]); an
// "every" flag covers all of them, also ones added later, and then the bits
// are 0. Empty: the entry is not in the signpost (it is listed, without a
// reason, after those that are).
struct Coverage {
  bool every_group = false;
  bool every_kind = false;
  std::uint32_t groups = 0;
  std::uint32_t kinds = 0;

  bool empty() const { return !every_group && !every_kind && groups == 0 && kinds == 0; }
  bool covers_group(std::size_t index) const { return every_group || (index < 32 && ((groups >> index) & 1u) != 0); }
  bool covers_kind(std::size_t index) const { return every_kind || (index < 32 && ((kinds >> index) & 1u) != 0); }
  bool operator==(const Coverage&) const = default;
};

struct DirectoryEntry {
  AdviserId id{};  // random, stable for the adviser's lifetime
  Role role = Role::kInternalConfidentialAdviser;
  std::string name;            // UTF-8, 1..kMaxNameBytes
  std::string description_nl;  // UTF-8, 0..kMaxDescriptionBytes
  std::string description_en;
  Ed25519PublicKey sign_pk{};
  X25519PublicKey message_pk{};
  FetchPublicKey fetch_pk{};
  // Set by the organisation in the signed directory (version 3), never part
  // of the adviser's card: make_card ignores it, parse_card leaves it empty.
  Coverage coverage;
};

struct Directory {
  Ed25519PublicKey org_sign_pk{};
  std::uint64_t serial = 0;  // increases with every publication; clients refuse to go back
  // Unix seconds after which clients refuse the directory (a relay cannot
  // serve an old one for ever); 0: none (version 1, signed before the date
  // existed; see client/directory_check.hpp for how long clients accept it).
  std::uint64_t valid_until = 0;
  std::vector<DirectoryEntry> entries;
  // The signpost (version 3; both empty before it): the groups of people in
  // the building and the kinds of report, in the order reporters see them.
  std::vector<Category> groups;
  std::vector<Category> kinds;

  const DirectoryEntry* find(const AdviserId& id) const;
  bool has_signpost() const { return !groups.empty() || !kinds.empty(); }
};

// Entry validation (make_card, parse_card, sign_directory, verify_directory):
// role 1..4; name 1..kMaxNameBytes, descriptions 0..kMaxDescriptionBytes, all
// passing the directory rule of the text policy (text::is_directory_text:
// strict UTF-8 without control characters, '\n' allowed in descriptions
// only, and without bidirectional overrides or isolates), since reporters see
// this text on a terminal; fetch_pk a valid ristretto255 encoding.

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

// A category id as the signpost file and `adviser-client file` take it.
bool category_id_valid(std::string_view id);
// kMalformed naming the fault, for the signpost file: id and labels as above.
Status check_category(const Category& category);

// Validates the entries (kMalformed if an entry is invalid, ids repeat, there
// are more than kMaxDirectoryEntries, or directory.org_sign_pk is not
// org_key.pk). Writes version 3 when there are groups or kinds (then both,
// at most kMaxSignpostCategories each, valid and with unique ids, a
// valid_until date, and every entry's coverage either empty or naming at
// least one group and one kind, bits only for defined ones), else version 2
// or 1 as before (kMalformed if an entry has coverage there).
Result<Bytes> sign_directory(const Directory& directory, const SigningKeyPair& org_key);
// Checks size (kTooLarge), then the signature against the expected org key
// (kUnauthorised), then structure and bounds of the signed body (kMalformed;
// kUnsupportedVersion for another magic). Never throws on bad bytes.
Result<Directory> verify_directory(ByteView signed_directory, const Ed25519PublicKey& org_sign_pk);

}  // namespace meldpunt::crypto
