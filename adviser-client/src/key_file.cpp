#include "key_file.hpp"

#include <algorithm>
#include <array>
#include <system_error>

#include "text.hpp"
#include "meldpunt/os/files.hpp"

namespace meldpunt::adviser {
namespace {

constexpr std::array<std::uint8_t, 8> kKeyFileMagic = {'M', 'P', 'A', 'D', 'V', 'K', 'F', 1};

Error malformed(std::string_view what) { return Error{ErrorCode::kMalformed, "key file: " + std::string(what)}; }

void append_text(Bytes& out, std::string_view text) {
  append_u16_le(out, static_cast<std::uint16_t>(text.size()));
  append(out, as_bytes(text));
}

bool take_text(ByteReader& r, std::size_t max, std::string& out) {
  std::uint16_t length = 0;
  ByteView v;
  if (!r.take_u16(length) || length > max || !r.take(length, v)) return false;
  if (!is_valid_utf8(v)) return false;
  out.assign(reinterpret_cast<const char*>(v.data()), v.size());
  return true;
}

bool valid_role(std::uint8_t r) {
  return r >= static_cast<std::uint8_t>(crypto::Role::kInternalConfidentialAdviser) &&
         r <= static_cast<std::uint8_t>(crypto::Role::kIntegrityOfficer);
}

}  // namespace

Status validate_profile(const AdviserProfile& profile) {
  if (profile.name.empty() || profile.name.size() > crypto::kMaxNameBytes) {
    return Error{ErrorCode::kMalformed, "the name must be 1 to " + std::to_string(crypto::kMaxNameBytes) + " bytes"};
  }
  if (profile.description_nl.size() > crypto::kMaxDescriptionBytes ||
      profile.description_en.size() > crypto::kMaxDescriptionBytes) {
    return Error{ErrorCode::kMalformed,
                 "a description may be at most " + std::to_string(crypto::kMaxDescriptionBytes) + " bytes"};
  }
  for (const std::string* text : {&profile.name, &profile.description_nl, &profile.description_en}) {
    if (!is_valid_utf8(as_bytes(*text))) return Error{ErrorCode::kMalformed, "name and descriptions must be UTF-8 text"};
    // Control characters would let a card rewrite the reporter's terminal;
    // the label rule of the text policy refuses them and hidden characters.
    if (!meldpunt::text::is_clean_label(*text)) {
      return Error{ErrorCode::kMalformed, "name and descriptions may not contain control characters or line breaks"};
    }
  }
  if (!valid_role(static_cast<std::uint8_t>(profile.role))) return Error{ErrorCode::kMalformed, "unknown role"};
  return Status::success();
}

Bytes encode_profile(const AdviserProfile& profile) {
  Bytes out;
  append_u8(out, kProfileVersion);
  append(out, profile.id);
  append_u8(out, static_cast<std::uint8_t>(profile.role));
  append_text(out, profile.name);
  append_text(out, profile.description_nl);
  append_text(out, profile.description_en);
  append_u32_le(out, profile.relay_prekeys);
  append_u64_le(out, profile.prekeys_checked_at);
  return out;
}

Result<AdviserProfile> decode_profile(ByteView bytes) {
  if (bytes.size() > kMaxProfileBytes) return malformed("profile too long");
  ByteReader r(bytes);
  std::uint8_t version = 0, role = 0;
  if (!r.take_u8(version)) return malformed("profile too short");
  if (version != kProfileVersion) return Error{ErrorCode::kUnsupportedVersion, "key file: unknown profile version"};
  AdviserProfile p;
  if (!r.take(p.id.bytes) || !r.take_u8(role)) return malformed("profile too short");
  if (!valid_role(role)) return malformed("unknown role");
  p.role = static_cast<crypto::Role>(role);
  if (!take_text(r, crypto::kMaxNameBytes, p.name) || p.name.empty()) return malformed("bad name");
  if (!take_text(r, crypto::kMaxDescriptionBytes, p.description_nl) ||
      !take_text(r, crypto::kMaxDescriptionBytes, p.description_en)) {
    return malformed("bad description");
  }
  if (!r.take_u32(p.relay_prekeys) || !r.take_u64(p.prekeys_checked_at)) return malformed("profile too short");
  if (!r.at_end()) return malformed("trailing bytes after the profile");
  return p;
}

crypto::SecretBuffer encode_key_file(const AdviserProfile& profile, const crypto::AdviserIdentity& identity) {
  const Bytes profile_bytes = encode_profile(profile);
  const crypto::SecretBuffer identity_bytes = identity.serialize();
  Bytes lengths;
  crypto::SecretBuffer out;
  out.append(kKeyFileMagic);
  append_u32_le(lengths, static_cast<std::uint32_t>(profile_bytes.size()));
  out.append(lengths);
  out.append(profile_bytes);
  lengths.clear();
  append_u32_le(lengths, static_cast<std::uint32_t>(identity_bytes.size()));
  out.append(lengths);
  out.append(identity_bytes.view());
  return out;
}

Result<KeyFileContents> decode_key_file(ByteView plaintext) {
  ByteReader r(plaintext);
  ByteView magic, profile_bytes, identity_bytes;
  if (!r.take(kKeyFileMagic.size(), magic)) return malformed("too short");
  if (!std::equal(magic.begin(), magic.begin() + 7, kKeyFileMagic.begin())) return malformed("not an adviser key file");
  if (magic[7] != kKeyFileMagic[7]) return Error{ErrorCode::kUnsupportedVersion, "key file: unknown version"};
  std::uint32_t length = 0;
  if (!r.take_u32(length) || length > kMaxProfileBytes || !r.take(length, profile_bytes)) {
    return malformed("bad profile length");
  }
  if (!r.take_u32(length) || length > crypto::kBoxMaxFileBytes || !r.take(length, identity_bytes)) {
    return malformed("bad identity length");
  }
  if (!r.at_end()) return malformed("trailing bytes");
  auto profile = decode_profile(profile_bytes);
  if (!profile) return profile.error();
  auto identity = crypto::AdviserIdentity::parse(identity_bytes);
  if (!identity) return Error{identity.error().code, "key file: identity: " + identity.error().message};
  return KeyFileContents{std::move(profile).value(), std::move(identity).value()};
}

crypto::DirectoryEntry directory_entry(const AdviserProfile& profile, const crypto::AdviserIdentity& identity) {
  crypto::DirectoryEntry entry;
  entry.id = profile.id;
  entry.role = profile.role;
  entry.name = profile.name;
  entry.description_nl = profile.description_nl;
  entry.description_en = profile.description_en;
  entry.sign_pk = identity.sign.pk;
  entry.message_pk = identity.message.pk;
  entry.fetch_pk = identity.fetch.pk;
  return entry;
}

Result<KeyFile> KeyFile::create(const std::filesystem::path& path, const crypto::SecretBuffer& passphrase,
                                const crypto::KdfParams& params, AdviserProfile profile,
                                crypto::AdviserIdentity identity) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) || ec) {
    return Error{ErrorCode::kIo, path.string() + " already exists; refusing to overwrite an adviser identity"};
  }
  if (Status s = validate_profile(profile); !s) return s.error();
  KeyFile file(path, crypto::PassphraseBox::create(passphrase, params),
               KeyFileContents{std::move(profile), std::move(identity)});
  if (Status s = file.save(); !s) return s.error();
  return file;
}

Result<KeyFile> KeyFile::unlock(const std::filesystem::path& path, const crypto::SecretBuffer& passphrase) {
  auto sealed = os::read_file(path, crypto::kBoxMaxFileBytes);
  if (!sealed) {
    if (sealed.error().code == ErrorCode::kNotFound) {
      return Error{ErrorCode::kNotFound, "no adviser identity at " + path.string() + " (run `adviser-client init` first)"};
    }
    return sealed.error();
  }
  auto box = crypto::PassphraseBox::for_sealed(*sealed, passphrase);
  if (!box) return Error{box.error().code, path.string() + ": " + box.error().message};
  auto plaintext = box->open(*sealed);
  if (!plaintext) {
    return Error{ErrorCode::kUnauthorised, "wrong passphrase, or the key file was changed", false,
                 ErrorSubject::kPassphrase};
  }
  auto contents = decode_key_file(plaintext->view());
  if (!contents) return contents.error();
  return KeyFile(path, std::move(box).value(), std::move(contents).value());
}

Result<KeyFile> KeyFile::reopen() const {
  auto sealed = os::read_file(path_, crypto::kBoxMaxFileBytes);
  if (!sealed) return sealed.error();
  auto plaintext = box_.open(*sealed);
  if (!plaintext) {
    return Error{ErrorCode::kUnauthorised, "the key file " + path_.string() +
                                               " no longer opens with the passphrase given (was it changed?)"};
  }
  auto contents = decode_key_file(plaintext->view());
  if (!contents) return contents.error();
  return KeyFile(path_, box_.clone(), std::move(contents).value());
}

Status KeyFile::save() const {
  const crypto::SecretBuffer plaintext = encode_key_file(contents_.profile, contents_.identity);
  return os::write_file_atomically(path_, box_.seal(plaintext.view()), 0600);
}

Status KeyFile::change_passphrase(const crypto::SecretBuffer& passphrase, const crypto::KdfParams& params) {
  crypto::PassphraseBox box = crypto::PassphraseBox::create(passphrase, params);
  const crypto::SecretBuffer plaintext = encode_key_file(contents_.profile, contents_.identity);
  if (Status s = os::write_file_atomically(path_, box.seal(plaintext.view()), 0600); !s) return s;
  box_ = std::move(box);
  return Status::success();
}

}  // namespace meldpunt::adviser
