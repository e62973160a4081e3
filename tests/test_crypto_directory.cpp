// Signed adviser directory and adviser cards.
#include <catch2/catch.hpp>

#include "common.hpp"
#include <fstream>
#include <map>
#include <string>

#include "meldpunt/crypto/directory.hpp"

using namespace meldpunt;
using namespace meldpunt::crypto;

using namespace meldpunt::test_support;

namespace {

struct Adviser {
  AdviserIdentity identity = AdviserIdentity::generate();
  DirectoryEntry entry;
};

Adviser make_adviser(Role role, std::string name) {
  Adviser a;
  const auto random_id = Secret<16>::random();
  std::copy(random_id.view().begin(), random_id.view().end(), a.entry.id.begin());
  a.entry.role = role;
  a.entry.name = std::move(name);
  a.entry.description_nl =
      "Vertrouwenspersoon voor \xc3\xa9\xc3\xa9n afdeling.\nBereikbaar op werkdagen.";
  a.entry.description_en = "Confidential adviser for one department.";
  a.entry.sign_pk = a.identity.sign.pk;
  a.entry.message_pk = a.identity.message.pk;
  a.entry.fetch_pk = a.identity.fetch.pk;
  return a;
}

void check_same(const DirectoryEntry& a, const DirectoryEntry& b) {
  CHECK(a.id == b.id);
  CHECK(a.role == b.role);
  CHECK(a.name == b.name);
  CHECK(a.description_nl == b.description_nl);
  CHECK(a.description_en == b.description_en);
  CHECK(a.sign_pk == b.sign_pk);
  CHECK(a.message_pk == b.message_pk);
  CHECK(a.fetch_pk == b.fetch_pk);
}

struct Fixture {
  SigningKeyPair org = SigningKeyPair::generate();
  Adviser anna = make_adviser(Role::kInternalConfidentialAdviser, "Anna de Vries");
  Adviser bob = make_adviser(Role::kComplaintsCommittee, "Klachtencommissie");
  Directory directory() const {
    Directory d;
    d.org_sign_pk = org.pk;
    d.serial = 42;
    d.entries = {anna.entry, bob.entry};
    return d;
  }
};

// Re-signs a (possibly damaged) body, so the parser behind the signature
// check is exercised with bytes the organisation key "vouches" for.
Bytes resign(ByteView body, const SigningKeyPair& org) {
  Bytes out(body.begin(), body.end());
  append(out, sign(kDirectoryDomain, body, org.sk));
  return out;
}

}  // namespace

TEST_CASE("directory: a valid-until date is signed (version 2), version 1 still verifies", "[crypto][directory]") {
  const auto org = SigningKeyPair::generate();
  Directory d;
  d.org_sign_pk = org.pk;
  d.serial = 3;
  d.valid_until = 1'900'000'000;
  auto signed_v2 = sign_directory(d, org);
  REQUIRE(signed_v2.ok());
  CHECK((*signed_v2)[7] == 2);
  auto back = verify_directory(*signed_v2, org.pk);
  REQUIRE(back.ok());
  CHECK(back->valid_until == 1'900'000'000);
  CHECK(back->serial == 3);
  // Every byte is covered by the signature, the date included.
  Bytes changed = *signed_v2;
  changed[8 + 32 + 8] ^= 1;
  CHECK(verify_directory(changed, org.pk).error().code == ErrorCode::kUnauthorised);
  d.valid_until = 0;
  auto signed_v1 = sign_directory(d, org);
  REQUIRE(signed_v1.ok());
  CHECK((*signed_v1)[7] == 1);
  CHECK(signed_v1->size() + 8 == signed_v2->size());
  CHECK(verify_directory(*signed_v1, org.pk)->valid_until == 0);
}

TEST_CASE("roles", "[crypto][directory]") {
  for (Role r : {Role::kInternalConfidentialAdviser, Role::kExternalConfidentialAdviser,
                 Role::kComplaintsCommittee, Role::kIntegrityOfficer}) {
    auto parsed = parse_role(role_keyword(r));
    REQUIRE(parsed.ok());
    CHECK(*parsed == r);
  }
  CHECK(role_keyword(Role::kIntegrityOfficer) == "integrity");
  CHECK_FALSE(parse_role("Internal").ok());
  CHECK_FALSE(parse_role("").ok());
  CHECK_FALSE(parse_role("admin").ok());
}

TEST_CASE("directory known-answer vector", "[crypto][directory]") {
  auto v = load_vectors("directory.txt");
  const SigningKeyPair org = SigningKeyPair::from_seed(Secret<32>::from(hex(v["org_seed"])));
  CHECK(to_hex(org.pk) == v["org_sign_pk"]);
  Directory d;
  d.org_sign_pk = org.pk;
  d.serial = std::stoull(v["serial"]);
  const int count = std::stoi(v["count"]);
  for (int i = 1; i <= count; ++i) {
    const std::string p = "entry" + std::to_string(i) + ".";
    DirectoryEntry e;
    e.id = fixed_as<AdviserId>(v[p + "id"]);
    e.role = static_cast<Role>(std::stoi(v[p + "role"]));
    e.name = v[p + "name"];
    e.description_nl = v[p + "description_nl"];
    e.description_en = v[p + "description_en"];
    e.sign_pk = fixed_as<Ed25519PublicKey>(v[p + "sign_pk"]);
    e.message_pk = fixed_as<X25519PublicKey>(v[p + "message_pk"]);
    e.fetch_pk = fixed_as<FetchPublicKey>(v[p + "fetch_pk"]);
    d.entries.push_back(e);
  }
  auto signed_dir = sign_directory(d, org);
  REQUIRE(signed_dir.ok());
  CHECK(to_hex(*signed_dir) == v["signed"]);
  auto verified = verify_directory(hex(v["signed"]), org.pk);
  REQUIRE(verified.ok());
  CHECK(verified->serial == d.serial);
  REQUIRE(verified->entries.size() == d.entries.size());
  for (std::size_t i = 0; i < d.entries.size(); ++i) check_same(verified->entries[i], d.entries[i]);

  const SigningKeyPair adviser =
      SigningKeyPair::from_seed(Secret<32>::from(hex(v["card.adviser_seed"])));
  REQUIRE(adviser.pk == d.entries[0].sign_pk);
  CHECK(make_card(d.entries[0], adviser.sk) == v["card"]);
  auto card = parse_card(v["card"]);
  REQUIRE(card.ok());
  check_same(*card, d.entries[0]);
}

TEST_CASE("directory sign and verify round trip", "[crypto][directory]") {
  Fixture f;
  const Directory d = f.directory();
  auto signed_dir = sign_directory(d, f.org);
  REQUIRE(signed_dir.ok());
  auto verified = verify_directory(*signed_dir, f.org.pk);
  REQUIRE(verified.ok());
  CHECK(verified->org_sign_pk == f.org.pk);
  CHECK(verified->serial == 42);
  REQUIRE(verified->entries.size() == 2);
  check_same(verified->entries[0], f.anna.entry);
  check_same(verified->entries[1], f.bob.entry);
  const DirectoryEntry* found = verified->find(f.bob.entry.id);
  REQUIRE(found != nullptr);
  CHECK(found->name == "Klachtencommissie");
  CHECK(verified->find(AdviserId{}) == nullptr);

  Directory empty;
  empty.org_sign_pk = f.org.pk;
  auto signed_empty = sign_directory(empty, f.org);
  REQUIRE(signed_empty.ok());
  auto verified_empty = verify_directory(*signed_empty, f.org.pk);
  REQUIRE(verified_empty.ok());
  CHECK(verified_empty->entries.empty());
}

TEST_CASE("every changed byte of a signed directory is rejected", "[crypto][directory]") {
  Fixture f;
  auto signed_dir = sign_directory(f.directory(), f.org);
  REQUIRE(signed_dir.ok());
  const Bytes& good = *signed_dir;
  for (std::size_t i = 0; i < good.size(); ++i) {
    Bytes changed = good;
    changed[i] ^= 0x01;
    INFO("byte " << i);
    CHECK_FALSE(verify_directory(changed, f.org.pk).ok());
  }
  for (std::size_t n = 0; n < good.size(); ++n) {
    CHECK_FALSE(verify_directory(ByteView(good).first(n), f.org.pk).ok());
  }
  Bytes longer = good;
  longer.push_back(0);
  CHECK_FALSE(verify_directory(longer, f.org.pk).ok());

  const SigningKeyPair other = SigningKeyPair::generate();
  auto wrong_key = verify_directory(good, other.pk);
  REQUIRE_FALSE(wrong_key.ok());
  CHECK(wrong_key.error().code == ErrorCode::kUnauthorised);

  // A directory properly signed by another organisation is not ours either.
  Directory theirs = f.directory();
  theirs.org_sign_pk = other.pk;
  auto signed_theirs = sign_directory(theirs, other);
  REQUIRE(signed_theirs.ok());
  CHECK_FALSE(verify_directory(*signed_theirs, f.org.pk).ok());

  Bytes huge(kMaxSignedDirectoryBytes + 1, 0);
  auto too_big = verify_directory(huge, f.org.pk);
  REQUIRE_FALSE(too_big.ok());
  CHECK(too_big.error().code == ErrorCode::kTooLarge);
}

TEST_CASE("directory parser checks structure behind a valid signature", "[crypto][directory]") {
  Fixture f;
  auto signed_dir = sign_directory(f.directory(), f.org);
  REQUIRE(signed_dir.ok());
  const ByteView body = ByteView(*signed_dir).first(signed_dir->size() - kSignatureBytes);
  REQUIRE(verify_directory(resign(body, f.org), f.org.pk).ok());

  // Every truncation of the body, properly signed, is still malformed.
  for (std::size_t n = 0; n < body.size(); ++n) {
    CHECK_FALSE(verify_directory(resign(body.first(n), f.org), f.org.pk).ok());
  }
  // Trailing bytes.
  Bytes trailing(body.begin(), body.end());
  trailing.push_back(0);
  CHECK_FALSE(verify_directory(resign(trailing, f.org), f.org.pk).ok());
  // The org key inside the body must be the expected one.
  Bytes other_org(body.begin(), body.end());
  const SigningKeyPair other = SigningKeyPair::generate();
  std::copy(other.pk.begin(), other.pk.end(), other_org.begin() + 8);
  auto r = verify_directory(resign(other_org, f.org), f.org.pk);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kMalformed);
  // Entry count beyond the bound.
  Bytes many(body.begin(), body.end());
  many[48] = static_cast<std::uint8_t>(kMaxDirectoryEntries + 1);
  many[49] = 0;
  CHECK_FALSE(verify_directory(resign(many, f.org), f.org.pk).ok());
  // Repeated id.
  Directory twice = f.directory();
  Bytes dup_body;
  {
    twice.entries[1].id = AdviserId{};
    auto s = sign_directory(twice, f.org);
    REQUIRE(s.ok());
    dup_body.assign(s->begin(), s->end() - static_cast<std::ptrdiff_t>(kSignatureBytes));
    // Patch entry 2's id to equal entry 1's: entry 1 starts at byte 50.
    const std::size_t entry2 = dup_body.size() - (16 + 1 + 2 + twice.entries[1].name.size() + 2 +
                                                  twice.entries[1].description_nl.size() + 2 +
                                                  twice.entries[1].description_en.size() + 96);
    std::copy(dup_body.begin() + 50, dup_body.begin() + 66,
              dup_body.begin() + static_cast<std::ptrdiff_t>(entry2));
  }
  CHECK_FALSE(verify_directory(resign(dup_body, f.org), f.org.pk).ok());
  // An unknown role value.
  Bytes bad_role(body.begin(), body.end());
  bad_role[50 + 16] = 9;
  CHECK_FALSE(verify_directory(resign(bad_role, f.org), f.org.pk).ok());
  // A newer format version.
  Bytes newer(body.begin(), body.end());
  newer[7] = 4;
  auto nv = verify_directory(resign(newer, f.org), f.org.pk);
  REQUIRE_FALSE(nv.ok());
  CHECK(nv.error().code == ErrorCode::kUnsupportedVersion);
}

TEST_CASE("sign_directory validates fields", "[crypto][directory]") {
  Fixture f;
  auto rejects = [&](auto mutate) {
    Directory d = f.directory();
    mutate(d);
    auto r = sign_directory(d, f.org);
    if (r.ok()) return false;
    CHECK(r.error().code == ErrorCode::kMalformed);
    return true;
  };
  CHECK(rejects([](Directory& d) { d.entries[0].name = std::string(kMaxNameBytes + 1, 'a'); }));
  CHECK_FALSE(rejects([](Directory& d) { d.entries[0].name = std::string(kMaxNameBytes, 'a'); }));
  CHECK(rejects([](Directory& d) { d.entries[0].name.clear(); }));
  CHECK(rejects([](Directory& d) {
    d.entries[0].description_nl = std::string(kMaxDescriptionBytes + 1, 'a');
  }));
  CHECK_FALSE(rejects(
      [](Directory& d) { d.entries[0].description_en = std::string(kMaxDescriptionBytes, 'a'); }));
  CHECK(rejects([](Directory& d) { d.entries[0].name = "bad \xc0\xaf overlong"; }));
  CHECK(rejects([](Directory& d) { d.entries[0].name = "lone \x80 continuation"; }));
  CHECK(rejects([](Directory& d) { d.entries[0].name = "surrogate \xed\xa0\x80"; }));
  CHECK(rejects([](Directory& d) { d.entries[0].name = "truncated \xe2\x82"; }));
  CHECK(rejects([](Directory& d) { d.entries[0].name = "beyond \xf4\x90\x80\x80"; }));
  CHECK(rejects([](Directory& d) { d.entries[0].name = "escape \x1b[31m red"; }));
  CHECK(rejects([](Directory& d) { d.entries[0].name = "two\nlines"; }));
  CHECK(rejects([](Directory& d) { d.entries[0].name = "bidi \xe2\x80\xae override"; }));
  CHECK(rejects([](Directory& d) { d.entries[0].description_en = "c1 \xc2\x9b control"; }));
  CHECK_FALSE(rejects(
      [](Directory& d) { d.entries[0].name = "Z\xc3\xbc\x72ich \xe2\x82\xac \xf0\x9f\x98\x80"; }));
  CHECK(rejects([](Directory& d) { d.entries[0].role = static_cast<Role>(0); }));
  CHECK(rejects([](Directory& d) { d.entries[1].id = d.entries[0].id; }));
  CHECK(rejects(
      [](Directory& d) { d.entries[0].fetch_pk[0] ^= 0x01; }));  // not a ristretto255 encoding
  CHECK(rejects([](Directory& d) { d.entries[0].fetch_pk.fill(0); }));        // the identity
  CHECK(rejects([](Directory& d) { d.entries[0].fetch_pk[31] |= 0x80; }));    // top bit, ignored by libsodium
  CHECK(rejects([&](Directory& d) {
    d.entries.clear();
    for (std::size_t i = 0; i <= kMaxDirectoryEntries; ++i) {
      DirectoryEntry e = f.anna.entry;
      e.id[0] = static_cast<std::uint8_t>(i);
      d.entries.push_back(e);
    }
  }));
  CHECK_FALSE(rejects([&](Directory& d) {
    d.entries.clear();
    for (std::size_t i = 0; i < kMaxDirectoryEntries; ++i) {
      DirectoryEntry e = f.anna.entry;
      e.id[0] = static_cast<std::uint8_t>(i);
      e.description_nl = std::string(kMaxDescriptionBytes, 'n');
      e.description_en = std::string(kMaxDescriptionBytes, 'e');
      d.entries.push_back(e);
    }
  }));
  CHECK(rejects([](Directory& d) { d.org_sign_pk[0] ^= 0x01; }));
}

TEST_CASE("adviser cards", "[crypto][directory][card]") {
  Fixture f;
  const std::string card = make_card(f.anna.entry, f.anna.identity.sign.sk);
  CHECK(card.rfind("mpcard1.", 0) == 0);
  CHECK(card.find_first_of(" \n=+/") == std::string::npos);
  auto parsed = parse_card(card);
  REQUIRE(parsed.ok());
  check_same(*parsed, f.anna.entry);

  // Every changed character of the encoded part is rejected.
  for (std::size_t i = 8; i < card.size(); ++i) {
    std::string changed = card;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    INFO("character " << i);
    CHECK_FALSE(parse_card(changed).ok());
  }
  for (std::size_t n = 0; n < card.size(); ++n) CHECK_FALSE(parse_card(card.substr(0, n)).ok());
  CHECK_FALSE(parse_card("mpcard2." + card.substr(8)).ok());
  CHECK_FALSE(parse_card(card + "A").ok());
  auto huge = parse_card("mpcard1." + std::string(100000, 'A'));
  REQUIRE_FALSE(huge.ok());
  CHECK(huge.error().code == ErrorCode::kTooLarge);

  // Copied through a file, e-mail or a terminal: whitespace anywhere is ignored.
  std::string wrapped;
  for (std::size_t i = 0; i < card.size(); i += 64) wrapped += "   " + card.substr(i, 64) + "\r\n";
  auto copied = parse_card(wrapped + "\n\xc2\xa0\t");
  REQUIRE(copied.ok());
  check_same(*copied, f.anna.entry);
  // Any other character is named by position (line and column when it spans
  // lines), never echoed.
  auto quoted = parse_card(card.substr(0, 20) + "\xe2\x80\x9d" + card.substr(20));
  REQUIRE_FALSE(quoted.ok());
  CHECK(quoted.error().message.find("position 21") != std::string::npos);
  CHECK(quoted.error().message.find("\xe2") == std::string::npos);
  auto escape = parse_card(card.substr(0, 10) + "\n" + card.substr(10, 5) + "\x1b[2J" + card.substr(15));
  REQUIRE_FALSE(escape.ok());
  CHECK(escape.error().message.find("position 17 (line 2, column 6), a control character") != std::string::npos);
  CHECK(escape.error().message.find('\x1b') == std::string::npos);
  auto padded = parse_card(card + "=");
  REQUIRE_FALSE(padded.ok());
  CHECK(padded.error().message.find("position " + std::to_string(card.size() + 1)) != std::string::npos);
  CHECK(parse_card(std::string(64 * 1024 + 1, ' ')).error().code == ErrorCode::kTooLarge);

  // A card must be signed by the key it names.
  CHECK_THROWS_AS(make_card(f.anna.entry, f.bob.identity.sign.sk), std::invalid_argument);
  DirectoryEntry too_long = f.anna.entry;
  too_long.name = std::string(kMaxNameBytes + 1, 'x');
  CHECK_THROWS_AS(make_card(too_long, f.anna.identity.sign.sk), std::invalid_argument);

  // Re-labelling Anna's card with Bob's sign key (so it would pass as his)
  // breaks the self-signature.
  auto decoded = from_base64url(std::string_view(card).substr(8));
  REQUIRE(decoded.ok());
  Bytes relabelled = *decoded;
  const std::size_t sign_pk_at = relabelled.size() - kSignatureBytes - 3 * 32;
  std::copy(f.bob.entry.sign_pk.begin(), f.bob.entry.sign_pk.end(),
            relabelled.begin() + static_cast<std::ptrdiff_t>(sign_pk_at));
  auto relabelled_card = parse_card("mpcard1." + to_base64url(relabelled));
  REQUIRE_FALSE(relabelled_card.ok());
  CHECK(relabelled_card.error().code == ErrorCode::kUnauthorised);

  // A directory signature over the same bytes is not a card signature.
  Bytes as_directory(decoded->begin(),
                     decoded->end() - static_cast<std::ptrdiff_t>(kSignatureBytes));
  append(as_directory, sign(kDirectoryDomain, as_directory, f.anna.identity.sign.sk));
  CHECK_FALSE(parse_card("mpcard1." + to_base64url(as_directory)).ok());
}
