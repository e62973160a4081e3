#include "meldpunt/crypto/directory.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <optional>
#include <stdexcept>
#include <string>

#include "meldpunt/common/pasted_text.hpp"
#include "meldpunt/text/text_policy.hpp"

namespace meldpunt::crypto {

namespace {

constexpr std::array<std::uint8_t, 8> kMagic = {'M', 'P', 'D', 'I', 'R', 0, 0, 1};
// Version 2: a valid-until date after the serial.
constexpr std::array<std::uint8_t, 8> kMagicValidUntil = {'M', 'P', 'D', 'I', 'R', 0, 0, 2};
// Version 3: version 2 and the organisation's signpost after the entries.
constexpr std::array<std::uint8_t, 8> kMagicSignpost = {'M', 'P', 'D', 'I', 'R', 0, 0, 3};
constexpr std::uint8_t kEveryGroupFlag = 0x01;
constexpr std::uint8_t kEveryKindFlag = 0x02;
constexpr std::size_t kMaxCategoryBytes = 3 + kMaxCategoryIdBytes + 2 * kMaxCategoryLabelBytes;
constexpr std::size_t kCoverageBytes = 1 + 4 + 4;
constexpr std::string_view kCardPrefix = "mpcard1.";
constexpr std::size_t kBodyHeaderBytes = 8 + kEd25519PublicBytes + 8 + 2;
constexpr std::size_t kMaxEntryBytes = kAdviserIdBytes + 1 + 2 + kMaxNameBytes +
                                       2 * (2 + kMaxDescriptionBytes) + kEd25519PublicBytes +
                                       kX25519KeyBytes + kRistrettoPointBytes;
constexpr std::size_t kMaxCardBytes = kMaxEntryBytes + kSignatureBytes;
constexpr std::size_t kMaxCardLength = kCardPrefix.size() + (kMaxCardBytes * 4 + 2) / 3;
// A card as pasted, with line breaks and indentation (the relay reads card
// files up to this size too).
constexpr std::size_t kMaxPastedCardLength = 64 * 1024;
static_assert(kMaxEntryBytes == 2295);
static_assert(kMaxNameBytes <= 0xffff && kMaxDescriptionBytes <= 0xffff, "u16 length fields");
static_assert(kMaxDirectoryEntries <= 0xffff, "u16 entry count");
static_assert(kBodyHeaderBytes + kMaxDirectoryEntries * kMaxEntryBytes + kSignatureBytes <=
                  kMaxSignedDirectoryBytes,
              "a directory within the field bounds always fits the size bound");
static_assert(kMaxSignpostCategories <= 32, "one u32 bit per group or kind");
static_assert(kMaxCategoryIdBytes <= 0xff && kMaxCategoryLabelBytes <= 0xff, "u8 length fields");
static_assert(kBodyHeaderBytes + 8 + kMaxDirectoryEntries * (kMaxEntryBytes + kCoverageBytes) +
                      2 * (1 + kMaxSignpostCategories * kMaxCategoryBytes) + kSignatureBytes <=
                  kMaxSignedDirectoryBytes,
              "a version 3 directory within the field bounds always fits the size bound");

// Directory text is shown to reporters on a terminal: the directory rule of
// the text policy (meldpunt/text/text_policy.hpp) refuses invalid UTF-8,
// control characters ('\n' allowed in descriptions) and the bidirectional
// overrides and isolates, which can make a name display as another.
bool text_acceptable(std::string_view text, bool allow_newline) {
  return text::is_directory_text(text, allow_newline ? text::Lines::kMany : text::Lines::kOne);
}

bool role_valid(std::uint8_t v) { return v >= 1 && v <= 4; }

std::optional<std::string> entry_problem(const DirectoryEntry& e) {
  if (!role_valid(static_cast<std::uint8_t>(e.role))) return "unknown role";
  if (e.name.empty() || e.name.size() > kMaxNameBytes) return "name must be 1 to 128 bytes";
  if (e.description_nl.size() > kMaxDescriptionBytes ||
      e.description_en.size() > kMaxDescriptionBytes) {
    return "a description is longer than 1024 bytes";
  }
  if (!text_acceptable(e.name, false))
    return "name is not valid UTF-8 text without control characters";
  if (!text_acceptable(e.description_nl, true) || !text_acceptable(e.description_en, true)) {
    return "a description is not valid UTF-8 text without control characters";
  }
  // Also refused: the identity (a clue to it is recognisable by anyone) and a
  // set top bit, which libsodium 1.0.18 ignores when decoding (the same rule
  // as for clues, see clue.cpp).
  if (crypto_core_ristretto255_is_valid_point(e.fetch_pk.data()) != 1 ||
      sodium_is_zero(e.fetch_pk.data(), e.fetch_pk.size()) == 1 || (e.fetch_pk[31] & 0x80) != 0) {
    return "fetch key is not a valid ristretto255 point";
  }
  return std::nullopt;
}

std::optional<std::string> category_problem(const Category& c) {
  if (!category_id_valid(c.id)) {
    return "id must be 1 to 32 of a-z, 0-9 and '-', not starting or ending with '-'";
  }
  if (c.label_nl.empty() || c.label_en.empty() || c.label_nl.size() > kMaxCategoryLabelBytes ||
      c.label_en.size() > kMaxCategoryLabelBytes) {
    return "labels must be 1 to 96 bytes";
  }
  if (!text_acceptable(c.label_nl, false) || !text_acceptable(c.label_en, false)) {
    return "a label is not valid UTF-8 text on one line without control characters";
  }
  return std::nullopt;
}

std::optional<std::string> categories_problem(const std::vector<Category>& list, std::string_view what) {
  if (list.empty() || list.size() > kMaxSignpostCategories) {
    return "a signpost needs 1 to 32 " + std::string(what) + "s";
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (auto problem = category_problem(list[i])) {
      return std::string(what) + " " + std::to_string(i + 1) + ": " + *problem;
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (list[j].id == list[i].id) return std::string(what) + " " + std::to_string(i + 1) + " repeats an id";
    }
  }
  return std::nullopt;
}

// Bits only for defined categories; an "every" flag with no bits beside it;
// either nothing or at least one group and one kind (half a coverage would
// cover no combination).
std::optional<std::string> coverage_problem(const Coverage& c, std::size_t group_count, std::size_t kind_count) {
  const auto mask = [](std::size_t count) {
    return count >= 32 ? 0xffffffffu : ((std::uint32_t{1} << count) - 1);
  };
  if ((c.groups & ~mask(group_count)) != 0 || (c.kinds & ~mask(kind_count)) != 0) {
    return "coverage names a group or kind that is not defined";
  }
  if ((c.every_group && c.groups != 0) || (c.every_kind && c.kinds != 0)) {
    return "coverage lists groups or kinds beside 'every'";
  }
  if (c.empty()) return std::nullopt;
  if (group_count == 0 || kind_count == 0) return "coverage without a signpost that defines groups and kinds";
  if ((!c.every_group && c.groups == 0) || (!c.every_kind && c.kinds == 0)) {
    return "coverage needs at least one group and one kind";
  }
  return std::nullopt;
}

void append_short_text(Bytes& out, std::string_view text) {
  append_u8(out, static_cast<std::uint8_t>(text.size()));
  append(out, as_bytes(text));
}

void encode_categories(const std::vector<Category>& list, Bytes& out) {
  append_u8(out, static_cast<std::uint8_t>(list.size()));
  for (const Category& c : list) {
    append_short_text(out, c.id);
    append_short_text(out, c.label_nl);
    append_short_text(out, c.label_en);
  }
}

bool take_short_text(ByteReader& r, std::size_t max, std::string& out) {
  std::uint8_t len = 0;
  ByteView v;
  if (!r.take_u8(len) || len > max || !r.take(len, v)) return false;
  out.assign(reinterpret_cast<const char*>(v.data()), v.size());
  return true;
}

// Reads a list of groups or kinds from untrusted bytes.
std::optional<std::string> decode_categories(ByteReader& r, std::vector<Category>& list, std::string_view what) {
  std::uint8_t count = 0;
  if (!r.take_u8(count)) return "truncated signpost";
  if (count == 0 || count > kMaxSignpostCategories) return "a signpost needs 1 to 32 " + std::string(what) + "s";
  list.resize(count);
  for (Category& c : list) {
    if (!take_short_text(r, kMaxCategoryIdBytes, c.id) || !take_short_text(r, kMaxCategoryLabelBytes, c.label_nl) ||
        !take_short_text(r, kMaxCategoryLabelBytes, c.label_en)) {
      return std::string(what) + " truncated or too long";
    }
  }
  return categories_problem(list, what);
}

void append_text(Bytes& out, std::string_view text) {
  append_u16_le(out, static_cast<std::uint16_t>(text.size()));
  append(out, as_bytes(text));
}

// Caller has checked entry_problem().
void encode_entry(const DirectoryEntry& e, Bytes& out) {
  append(out, e.id);
  append_u8(out, static_cast<std::uint8_t>(e.role));
  append_text(out, e.name);
  append_text(out, e.description_nl);
  append_text(out, e.description_en);
  append(out, e.sign_pk);
  append(out, e.message_pk);
  append(out, e.fetch_pk);
}

bool take_text(ByteReader& r, std::size_t max, std::string& out) {
  std::uint16_t len = 0;
  ByteView v;
  if (!r.take_u16(len) || len > max || !r.take(len, v)) return false;
  out.assign(reinterpret_cast<const char*>(v.data()), v.size());
  return true;
}

// Reads one entry from untrusted bytes; every bound is checked before use.
std::optional<std::string> decode_entry(ByteReader& r, DirectoryEntry& e) {
  std::uint8_t role = 0;
  if (!r.take(e.id.bytes) || !r.take_u8(role)) return "truncated entry";
  if (!role_valid(role)) return "unknown role";
  e.role = static_cast<Role>(role);
  if (!take_text(r, kMaxNameBytes, e.name) ||
      !take_text(r, kMaxDescriptionBytes, e.description_nl) ||
      !take_text(r, kMaxDescriptionBytes, e.description_en)) {
    return "entry text truncated or too long";
  }
  if (!r.take(e.sign_pk.bytes) || !r.take(e.message_pk.bytes) || !r.take(e.fetch_pk.bytes)) return "truncated entry";
  return entry_problem(e);
}

}  // namespace

bool category_id_valid(std::string_view id) {
  if (id.empty() || id.size() > kMaxCategoryIdBytes || id.front() == '-' || id.back() == '-') return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

Status check_category(const Category& category) {
  if (auto problem = category_problem(category)) return Error{ErrorCode::kMalformed, *problem};
  return Status::success();
}

Result<Role> parse_role(std::string_view text) {
  for (Role role : {Role::kInternalConfidentialAdviser, Role::kExternalConfidentialAdviser,
                    Role::kComplaintsCommittee, Role::kIntegrityOfficer}) {
    if (text == role_keyword(role)) return role;
  }
  return Error{ErrorCode::kMalformed,
               "unknown role; use internal, external, committee or integrity"};
}

std::string_view role_keyword(Role role) {
  switch (role) {
    case Role::kInternalConfidentialAdviser:
      return "internal";
    case Role::kExternalConfidentialAdviser:
      return "external";
    case Role::kComplaintsCommittee:
      return "committee";
    case Role::kIntegrityOfficer:
      return "integrity";
  }
  return "unknown";
}

const DirectoryEntry* Directory::find(const AdviserId& id) const {
  for (const auto& entry : entries) {
    if (entry.id == id) return &entry;
  }
  return nullptr;
}

std::string make_card(const DirectoryEntry& entry,
                      const Secret<kEd25519SecretBytes>& adviser_sign_sk) {
  if (auto problem = entry_problem(entry)) throw std::invalid_argument("card: " + *problem);
  // libsodium's secret key is seed || pk; a card signed by another key than
  // the one it names could never be parsed.
  if (!std::equal(entry.sign_pk.begin(), entry.sign_pk.end(),
                  adviser_sign_sk.view().subspan(kEd25519SeedBytes).begin())) {
    throw std::invalid_argument("card: signing key does not belong to the entry");
  }
  Bytes body;
  encode_entry(entry, body);
  const Signature sig = sign(kCardDomain, body, adviser_sign_sk);
  append(body, sig);
  return std::string(kCardPrefix) + to_base64url(body);
}

Result<DirectoryEntry> parse_card(std::string_view pasted) {
  // Cards travel through files, e-mail and terminals: whitespace and line
  // breaks anywhere are dropped, any other stray character is named by position.
  auto compact = compact_pasted(
      pasted, "card", [](char c) { return is_base64url_char(c) || c == '.'; }, kMaxPastedCardLength, kMaxCardLength);
  if (!compact) return compact.error();
  const std::string_view card = *compact;
  if (card.substr(0, kCardPrefix.size()) != kCardPrefix) {
    return Error{ErrorCode::kMalformed, "not an adviser card (expected mpcard1.)"};
  }
  auto decoded = from_base64url(card.substr(kCardPrefix.size()));
  if (!decoded) return Error{ErrorCode::kMalformed, "card: " + decoded.error().message};
  const Bytes& bytes = decoded.value();
  if (bytes.size() < kSignatureBytes) return Error{ErrorCode::kMalformed, "card is too short"};
  const ByteView body = ByteView(bytes).first(bytes.size() - kSignatureBytes);
  Signature sig{};
  std::copy(bytes.end() - kSignatureBytes, bytes.end(), sig.begin());
  ByteReader r(body);
  DirectoryEntry entry;
  if (auto problem = decode_entry(r, entry))
    return Error{ErrorCode::kMalformed, "card: " + *problem};
  if (!r.at_end()) return Error{ErrorCode::kMalformed, "card: trailing bytes"};
  if (!verify(kCardDomain, body, sig, entry.sign_pk)) {
    return Error{ErrorCode::kUnauthorised, "card signature does not verify"};
  }
  return entry;
}

Result<Bytes> sign_directory(const Directory& directory, const SigningKeyPair& org_key) {
  if (directory.org_sign_pk != org_key.pk) {
    return Error{ErrorCode::kMalformed, "directory names another organisation key than the signer"};
  }
  if (directory.entries.size() > kMaxDirectoryEntries) {
    return Error{ErrorCode::kMalformed, "directory has more than 64 entries"};
  }
  const bool signpost = directory.has_signpost();
  if (signpost) {
    if (directory.valid_until == 0) {
      return Error{ErrorCode::kMalformed, "a directory with a signpost needs a valid-until date"};
    }
    for (auto [list, what] : {std::pair{&directory.groups, "group"}, std::pair{&directory.kinds, "kind"}}) {
      if (auto problem = categories_problem(*list, what)) return Error{ErrorCode::kMalformed, *problem};
    }
  }
  for (std::size_t i = 0; i < directory.entries.size(); ++i) {
    if (auto problem = coverage_problem(directory.entries[i].coverage, directory.groups.size(), directory.kinds.size())) {
      return Error{ErrorCode::kMalformed, "entry " + std::to_string(i + 1) + ": " + *problem};
    }
  }
  Bytes body;
  append(body, signpost ? kMagicSignpost : directory.valid_until != 0 ? kMagicValidUntil : kMagic);
  append(body, directory.org_sign_pk);
  append_u64_le(body, directory.serial);
  if (directory.valid_until != 0) append_u64_le(body, directory.valid_until);
  append_u16_le(body, static_cast<std::uint16_t>(directory.entries.size()));
  for (std::size_t i = 0; i < directory.entries.size(); ++i) {
    const DirectoryEntry& e = directory.entries[i];
    if (auto problem = entry_problem(e)) {
      return Error{ErrorCode::kMalformed, "entry " + std::to_string(i + 1) + ": " + *problem};
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (directory.entries[j].id == e.id) {
        return Error{ErrorCode::kMalformed, "entry " + std::to_string(i + 1) + " repeats an id"};
      }
    }
    encode_entry(e, body);
  }
  if (signpost) {
    encode_categories(directory.groups, body);
    encode_categories(directory.kinds, body);
    for (const DirectoryEntry& e : directory.entries) {
      append_u8(body, static_cast<std::uint8_t>((e.coverage.every_group ? kEveryGroupFlag : 0) |
                                                (e.coverage.every_kind ? kEveryKindFlag : 0)));
      append_u32_le(body, e.coverage.groups);
      append_u32_le(body, e.coverage.kinds);
    }
  }
  if (body.size() + kSignatureBytes > kMaxSignedDirectoryBytes) {
    return Error{ErrorCode::kTooLarge, "signed directory would exceed 256 KiB"};
  }
  const Signature sig = sign(kDirectoryDomain, body, org_key.sk);
  append(body, sig);
  return body;
}

Result<Directory> verify_directory(ByteView signed_directory, const Ed25519PublicKey& org_sign_pk) {
  if (signed_directory.size() > kMaxSignedDirectoryBytes) {
    return Error{ErrorCode::kTooLarge, "signed directory is larger than 256 KiB"};
  }
  if (signed_directory.size() < kBodyHeaderBytes + kSignatureBytes) {
    return Error{ErrorCode::kMalformed, "signed directory is too short"};
  }
  // Authenticate first, so the parser below only ever sees bytes the
  // organisation signed.
  const ByteView body = signed_directory.first(signed_directory.size() - kSignatureBytes);
  Signature sig{};
  std::copy(signed_directory.end() - kSignatureBytes, signed_directory.end(), sig.begin());
  if (!verify(kDirectoryDomain, body, sig, org_sign_pk)) {
    return Error{ErrorCode::kUnauthorised, "directory signature does not verify"};
  }

  auto malformed = [](std::string what) {
    return Error{ErrorCode::kMalformed, "directory: " + what};
  };
  ByteReader r(body);
  ByteView magic;
  Directory dir;
  std::uint16_t count = 0;
  (void)r.take(kMagic.size(), magic);
  const bool has_signpost = std::equal(magic.begin(), magic.end(), kMagicSignpost.begin());
  const bool has_valid_until = has_signpost || std::equal(magic.begin(), magic.end(), kMagicValidUntil.begin());
  if (!has_valid_until && !std::equal(magic.begin(), magic.end(), kMagic.begin())) {
    return Error{ErrorCode::kUnsupportedVersion, "directory: unknown format or version"};
  }
  (void)r.take(dir.org_sign_pk.bytes);
  (void)r.take_u64(dir.serial);
  if (has_valid_until && (!r.take_u64(dir.valid_until) || dir.valid_until == 0)) {
    return malformed("no valid-until date");
  }
  if (!r.take_u16(count)) return malformed("truncated header");
  if (dir.org_sign_pk != org_sign_pk) return malformed("names another organisation key");
  if (count > kMaxDirectoryEntries) return malformed("too many entries");
  dir.entries.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    DirectoryEntry e;
    if (auto problem = decode_entry(r, e)) {
      return malformed("entry " + std::to_string(i + 1) + ": " + *problem);
    }
    if (dir.find(e.id) != nullptr) return malformed("repeated adviser id");
    dir.entries.push_back(std::move(e));
  }
  if (has_signpost) {
    if (auto problem = decode_categories(r, dir.groups, "group")) return malformed(*problem);
    if (auto problem = decode_categories(r, dir.kinds, "kind")) return malformed(*problem);
    for (std::size_t i = 0; i < dir.entries.size(); ++i) {
      Coverage& c = dir.entries[i].coverage;
      std::uint8_t flags = 0;
      if (!r.take_u8(flags) || !r.take_u32(c.groups) || !r.take_u32(c.kinds)) return malformed("truncated coverage");
      if ((flags & ~(kEveryGroupFlag | kEveryKindFlag)) != 0) return malformed("unknown coverage flags");
      c.every_group = (flags & kEveryGroupFlag) != 0;
      c.every_kind = (flags & kEveryKindFlag) != 0;
      if (auto problem = coverage_problem(c, dir.groups.size(), dir.kinds.size())) {
        return malformed("entry " + std::to_string(i + 1) + ": " + *problem);
      }
    }
  }
  if (!r.at_end()) return malformed("trailing bytes");
  return dir;
}

}  // namespace meldpunt::crypto
