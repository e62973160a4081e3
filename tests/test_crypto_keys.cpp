// Keys: base64url, reporter key derivation, signatures, adviser identity and
// passphrase-encrypted files.

#include <catch2/catch.hpp>

#include "common.hpp"
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>

#include "meldpunt/crypto/derive.hpp"
#include "meldpunt/crypto/identity.hpp"
#include "meldpunt/crypto/keys.hpp"
#include "meldpunt/crypto/passphrase_box.hpp"
#include "meldpunt/crypto/sign.hpp"

using namespace meldpunt;
using namespace meldpunt::crypto;

using namespace meldpunt::test_support;

namespace {

Bytes random_bytes(std::mt19937& rng, std::size_t n) {
  Bytes b(n);
  for (auto& x : b) x = static_cast<std::uint8_t>(rng());
  return b;
}

}  // namespace

// ---------------------------------------------------------------- base64url

TEST_CASE("base64url encodes without padding and decodes strictly", "[crypto][keys]") {
  CHECK(to_base64url(as_bytes("")).empty());
  CHECK(to_base64url(as_bytes("f")) == "Zg");
  CHECK(to_base64url(as_bytes("fo")) == "Zm8");
  CHECK(to_base64url(as_bytes("foo")) == "Zm9v");
  CHECK(to_base64url(as_bytes("foob")) == "Zm9vYg");
  const Bytes url_chars = {0xfb, 0xff};
  CHECK(to_base64url(url_chars) == "-_8");

  for (std::size_t n = 0; n < 70; ++n) {
    Bytes data(n);
    for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<std::uint8_t>(i * 37 + n);
    auto back = from_base64url(to_base64url(data));
    REQUIRE(back.ok());
    CHECK(*back == data);
  }
  for (const char* bad : {"Zg==", "Zm9v+", "Zm9v/", "Zm 9v", "Z", "Zh", "Zm9vY", "Zm9\n"}) {
    auto r = from_base64url(bad);
    CHECK_FALSE(r.ok());
    if (!r.ok()) CHECK(r.error().code == ErrorCode::kMalformed);
  }
}

// ------------------------------------------------------------------ derive

TEST_CASE("reporter key derivation known-answer vectors", "[crypto][derive]") {
  auto v = load_vectors("derive.txt");
  const KdfParams params{std::stoull(v["opslimit"]), std::stoull(v["memlimit"])};
  CHECK(params.opslimit == KdfParams::insecure_for_tests().opslimit);
  CHECK(params.memlimit == KdfParams::insecure_for_tests().memlimit);
  const SigningKeyPair org = SigningKeyPair::from_seed(Secret<32>::from(hex(v["org_seed"])));
  CHECK(to_hex(org.pk) == v["org_sign_pk"]);
  for (const std::string c : {"a", "b"}) {
    auto code = ReporterCode::parse(v[c + ".code"]);
    REQUIRE(code.ok());
    const ReporterKeys keys = derive_reporter_keys(*code, org.pk, params);
    CHECK(to_hex(keys.message_sk.view()) == v[c + ".message_sk"]);
    CHECK(to_hex(keys.message_pk) == v[c + ".message_pk"]);
    CHECK(to_hex(keys.fetch_sk.view()) == v[c + ".fetch_sk"]);
    CHECK(to_hex(keys.fetch_pk) == v[c + ".fetch_pk"]);
    CHECK(X25519KeyPair::from_secret(keys.message_sk).pk == keys.message_pk);
  }
}

TEST_CASE("derivation depends on code and organisation only", "[crypto][derive]") {
  const auto params = KdfParams::insecure_for_tests();
  const ReporterCode code = ReporterCode::generate();
  const ReporterCode other_code = ReporterCode::generate();
  const SigningKeyPair org = SigningKeyPair::generate();
  const SigningKeyPair other_org = SigningKeyPair::generate();

  const ReporterKeys a = derive_reporter_keys(code, org.pk, params);
  auto reparsed = ReporterCode::parse(code.display().text());
  REQUIRE(reparsed.ok());
  const ReporterKeys again = derive_reporter_keys(*reparsed, org.pk, params);
  CHECK(a.message_sk.equals(again.message_sk));
  CHECK(a.fetch_sk.equals(again.fetch_sk));
  CHECK(a.message_pk == again.message_pk);
  CHECK(a.fetch_pk == again.fetch_pk);

  const ReporterKeys b = derive_reporter_keys(code, other_org.pk, params);
  CHECK_FALSE(a.message_sk.equals(b.message_sk));
  CHECK(a.message_pk != b.message_pk);
  CHECK(a.fetch_pk != b.fetch_pk);

  const ReporterKeys c = derive_reporter_keys(other_code, org.pk, params);
  CHECK(a.message_pk != c.message_pk);
  CHECK(a.fetch_pk != c.fetch_pk);
  CHECK_FALSE(a.fetch_sk.equals(c.fetch_sk));

  // The two subkeys of one code are independent.
  CHECK(Bytes(a.message_pk.begin(), a.message_pk.end()) !=
        Bytes(a.fetch_pk.begin(), a.fetch_pk.end()));

  CHECK_THROWS_AS(derive_reporter_keys(code, org.pk, KdfParams{0, 8u << 20}),
                  std::invalid_argument);
  CHECK_THROWS_AS(derive_reporter_keys(code, org.pk, KdfParams{1, 1024}), std::invalid_argument);
}

TEST_CASE("production derivation time", "[crypto][derive][production]") {
  const ReporterCode code = ReporterCode::generate();
  const SigningKeyPair org = SigningKeyPair::generate();
  const auto start = std::chrono::steady_clock::now();
  const ReporterKeys keys = derive_reporter_keys(code, org.pk, KdfParams::production());
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  INFO("Argon2id opslimit 3, memlimit 256 MiB: " << ms << " ms");
  WARN("production reporter key derivation took " << ms << " ms");
  CHECK(X25519KeyPair::from_secret(keys.message_sk).pk == keys.message_pk);
}

// -------------------------------------------------------------------- sign

TEST_CASE("signature known-answer vectors", "[crypto][sign]") {
  auto v = load_vectors("sign.txt");
  const SigningKeyPair kp = SigningKeyPair::from_seed(Secret<32>::from(hex(v["seed"])));
  CHECK(to_hex(kp.pk) == v["pk"]);
  int cases = 0;
  for (int n = 1; v.count("sig" + std::to_string(n) + ".domain") != 0; ++n, ++cases) {
    const std::string p = "sig" + std::to_string(n);
    const Bytes message = hex(v[p + ".message"]);
    const Signature sig = sign(v[p + ".domain"], message, kp.sk);
    CHECK(to_hex(sig) == v[p + ".signature"]);
    CHECK(verify(v[p + ".domain"], message, sig, kp.pk));
  }
  CHECK(cases == 5);
}

TEST_CASE("signatures are bound to domain, message and key", "[crypto][sign]") {
  const SigningKeyPair kp = SigningKeyPair::generate();
  const SigningKeyPair other = SigningKeyPair::generate();
  const Bytes message = hex("00112233445566778899");
  const Signature sig = sign("meldpunt/v1/test", message, kp.sk);
  CHECK(verify("meldpunt/v1/test", message, sig, kp.pk));
  CHECK_FALSE(verify("meldpunt/v1/other", message, sig, kp.pk));
  CHECK_FALSE(verify("meldpunt/v1/tes", message, sig, kp.pk));
  CHECK_FALSE(verify("meldpunt/v1/test", message, sig, other.pk));
  for (std::size_t i = 0; i < message.size(); ++i) {
    Bytes changed = message;
    changed[i] ^= 0x01;
    CHECK_FALSE(verify("meldpunt/v1/test", changed, sig, kp.pk));
  }
  for (std::size_t i = 0; i < sig.size(); ++i) {
    Signature changed = sig;
    changed[i] ^= 0x01;
    CHECK_FALSE(verify("meldpunt/v1/test", message, changed, kp.pk));
  }
  // The NUL separator keeps (domain, message) pairs apart.
  const Signature ab = sign("ab", as_bytes("c"), kp.sk);
  CHECK_FALSE(verify("a", as_bytes("bc"), ab, kp.pk));
  CHECK_FALSE(verify(std::string_view("a\0b", 3), as_bytes("c"), ab, kp.pk));
  CHECK_THROWS_AS(sign(std::string_view("a\0b", 3), message, kp.sk), std::invalid_argument);

  const SigningKeyPair seeded = SigningKeyPair::from_seed(Secret<32>::from(kp.sk.view().first(32)));
  CHECK(seeded.pk == kp.pk);
  CHECK(seeded.sk.equals(kp.sk));
}

// ---------------------------------------------------------------- identity

TEST_CASE("key pairs are consistent", "[crypto][identity]") {
  const X25519KeyPair a = X25519KeyPair::generate();
  const X25519KeyPair b = X25519KeyPair::generate();
  CHECK(a.pk != b.pk);
  CHECK(X25519KeyPair::from_secret(a.sk).pk == a.pk);
  const FetchKeyPair f = FetchKeyPair::generate();
  const FetchKeyPair g = FetchKeyPair::generate();
  CHECK(f.pk != g.pk);
  CHECK_FALSE(f.sk.equals(g.sk));
}

TEST_CASE("prekeys are signed by the adviser", "[crypto][identity]") {
  AdviserIdentity id = AdviserIdentity::generate();
  const AdviserIdentity other = AdviserIdentity::generate();
  const auto prekeys = id.make_prekeys(8);
  REQUIRE(prekeys.size() == 8);
  REQUIRE(id.prekeys.size() == 8);
  for (const SignedPrekey& p : prekeys) {
    CHECK(verify_prekey(p, id.sign.pk));
    CHECK_FALSE(verify_prekey(p, other.sign.pk));
    SignedPrekey bad_pk = p;
    bad_pk.pk[7] ^= 0x01;
    CHECK_FALSE(verify_prekey(bad_pk, id.sign.pk));
    SignedPrekey bad_sig = p;
    bad_sig.signature[40] ^= 0x01;
    CHECK_FALSE(verify_prekey(bad_sig, id.sign.pk));
    // The same signature under another domain does not verify.
    CHECK_FALSE(verify("meldpunt/v1/card", p.pk, p.signature, id.sign.pk));
  }
  CHECK(prekeys[0].pk != prekeys[1].pk);
  CHECK_THROWS_AS(id.make_prekeys(kMaxPrekeysHeld), std::length_error);
  CHECK(id.prekeys.size() == 8);
}

TEST_CASE("find_prekey and erase_prekey", "[crypto][identity]") {
  AdviserIdentity id = AdviserIdentity::generate();
  const auto prekeys = id.make_prekeys(4);
  for (const SignedPrekey& p : prekeys) {
    const Secret<32>* sk = id.find_prekey(p.pk);
    REQUIRE(sk != nullptr);
    CHECK(X25519KeyPair::from_secret(*sk).pk == p.pk);
  }
  CHECK(id.find_prekey(id.message.pk) == nullptr);
  id.erase_prekey(prekeys[1].pk);
  CHECK(id.find_prekey(prekeys[1].pk) == nullptr);
  CHECK(id.find_prekey(prekeys[0].pk) != nullptr);
  CHECK(id.find_prekey(prekeys[2].pk) != nullptr);
  CHECK(id.prekeys.size() == 3);
  id.erase_prekey(prekeys[1].pk);  // erasing twice is harmless
  CHECK(id.prekeys.size() == 3);

  auto parsed = AdviserIdentity::parse(id.serialize().view());
  REQUIRE(parsed.ok());
  CHECK(parsed->find_prekey(prekeys[1].pk) == nullptr);
  CHECK(parsed->find_prekey(prekeys[3].pk) != nullptr);
}

TEST_CASE("identity serialization round trip", "[crypto][identity]") {
  AdviserIdentity id = AdviserIdentity::generate();
  id.upload_counter = 0x0102030405060708ull;
  (void)id.make_prekeys(5);
  REQUIRE(id.rotate_medium(20'000));
  id.clean_inbox_day = 19'990;
  const SecretBuffer bytes = id.serialize();
  CHECK(bytes.size() == 252 + 5 * 128 + 132);
  auto parsed = AdviserIdentity::parse(bytes.view());
  REQUIRE(parsed.ok());
  const AdviserIdentity& p = *parsed;
  CHECK(p.sign.sk.equals(id.sign.sk));
  CHECK(p.sign.pk == id.sign.pk);
  CHECK(p.message.sk.equals(id.message.sk));
  CHECK(p.message.pk == id.message.pk);
  CHECK(p.fetch.sk.equals(id.fetch.sk));
  CHECK(p.fetch.pk == id.fetch.pk);
  CHECK(p.store_key.equals(id.store_key));
  CHECK(p.upload_counter == id.upload_counter);
  REQUIRE(p.prekeys.size() == 5);
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(p.prekeys[i].keys.sk.equals(id.prekeys[i].keys.sk));
    CHECK(p.prekeys[i].keys.pk == id.prekeys[i].keys.pk);
    CHECK(p.prekeys[i].signature == id.prekeys[i].signature);
  }
  REQUIRE(p.medium.size() == 1);
  CHECK(p.medium[0].keys.sk.equals(id.medium[0].keys.sk));
  CHECK(p.medium[0].expires_day == 20'000 + kMediumPrekeyLifetimeDays);
  CHECK(p.clean_inbox_day == 19'990);
  CHECK(p.serialize().equals(bytes));

  AdviserIdentity empty = AdviserIdentity::generate();
  auto parsed_empty = AdviserIdentity::parse(empty.serialize().view());
  REQUIRE(parsed_empty.ok());
  CHECK(parsed_empty->prekeys.empty());
}

TEST_CASE("identity parser rejects damaged bytes", "[crypto][identity]") {
  AdviserIdentity id = AdviserIdentity::generate();
  (void)id.make_prekeys(3);
  REQUIRE(id.rotate_medium(20'000));
  const SecretBuffer good = id.serialize();
  const Bytes bytes(good.view().begin(), good.view().end());
  constexpr std::size_t kMediumAt = 252 + 3 * 128;

  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto r = AdviserIdentity::parse(ByteView(bytes).first(n));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kMalformed);
  }
  Bytes longer = bytes;
  longer.push_back(0);
  CHECK_FALSE(AdviserIdentity::parse(longer).ok());

  // Every byte except the store key (any 32 bytes are a valid key), the
  // upload counter and the clean inbox day is checked against something.
  // Exception: bit 0 of the first byte of an X25519 secret, which X25519
  // clamps away (the key pair stays the same, so nothing is lost).
  constexpr std::size_t kStoreKey = 8 + 64 + 64 + 64;
  constexpr std::size_t kCounter = kStoreKey + 32;
  constexpr std::size_t kCleanDay = 248;
  auto clamped_bit = [&](std::size_t i) {
    return i == 8 + 64 || (i >= 252 && i < kMediumAt && (i - 252) % 128 == 0) || i == kMediumAt;
  };
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if ((i >= kStoreKey && i < kCounter + 8) || (i >= kCleanDay && i < kCleanDay + 4) || clamped_bit(i)) continue;
    Bytes changed = bytes;
    changed[i] ^= 0x01;
    auto r = AdviserIdentity::parse(changed);
    INFO("byte " << i);
    CHECK_FALSE(r.ok());
  }
  Bytes newer = bytes;
  newer[7] = 3;
  auto r = AdviserIdentity::parse(newer);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kUnsupportedVersion);

  // A prekey count beyond the bound is refused before anything is allocated.
  Bytes huge = bytes;
  huge.resize(252);
  const std::uint32_t too_many = kMaxPrekeysHeld + 1;
  for (int k = 0; k < 4; ++k)
    huge[240 + static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(too_many >> (8 * k));
  huge[244] = 0;
  huge.resize(252 + too_many * 128, 0);
  CHECK_FALSE(AdviserIdentity::parse(huge).ok());
  Bytes many_medium = bytes;
  many_medium.resize(252);
  many_medium[240] = 0;
  many_medium[244] = static_cast<std::uint8_t>(kMaxMediumPrekeysHeld + 1);
  many_medium.resize(252 + (kMaxMediumPrekeysHeld + 1) * 132, 0);
  CHECK_FALSE(AdviserIdentity::parse(many_medium).ok());

  std::mt19937 rng(12345);
  for (int i = 0; i < 2000; ++i) {
    Bytes garbage = random_bytes(rng, rng() % (bytes.size() * 2));
    if (i % 2 == 0 && garbage.size() >= 8) {
      std::copy(bytes.begin(), bytes.begin() + 8, garbage.begin());  // get past the magic
    }
    if (i % 4 == 0) {  // and, sometimes, past the length check
      garbage = random_bytes(rng, bytes.size());
      std::copy(bytes.begin(), bytes.begin() + 8, garbage.begin());
      std::copy(bytes.begin() + 240, bytes.begin() + 244, garbage.begin() + 240);
    }
    CHECK_FALSE(AdviserIdentity::parse(garbage).ok());
  }
}

// --------------------------------------------------------------------- box

TEST_CASE("passphrase box round trip", "[crypto][box]") {
  const SecretBuffer pass = SecretBuffer::copy_of(std::string_view("correct horse battery staple"));
  const PassphraseBox box = PassphraseBox::create(pass, KdfParams::insecure_for_tests());
  const Bytes plaintext = hex("000102030405060708090a0b0c0d0e0f10");
  const Bytes sealed = box.seal(plaintext);
  CHECK(sealed.size() == kBoxHeaderBytes + plaintext.size() + 16);
  CHECK(Bytes(sealed.begin(), sealed.begin() + 8) == Bytes{'M', 'P', 'B', 'O', 'X', 0, 0, 1});

  auto same = box.open(sealed);
  REQUIRE(same.ok());
  CHECK(Bytes(same->view().begin(), same->view().end()) == plaintext);

  auto reopened_box = PassphraseBox::for_sealed(sealed, pass);
  REQUIRE(reopened_box.ok());
  auto reopened = reopened_box->open(sealed);
  REQUIRE(reopened.ok());
  CHECK(Bytes(reopened->view().begin(), reopened->view().end()) == plaintext);

  // Re-sealing takes a fresh nonce but keeps salt and parameters.
  const Bytes resealed = reopened_box->seal(plaintext);
  CHECK(resealed != sealed);
  CHECK(Bytes(resealed.begin(), resealed.begin() + 40) ==
        Bytes(sealed.begin(), sealed.begin() + 40));
  CHECK(box.open(resealed).ok());

  auto empty = box.open(box.seal({}));
  REQUIRE(empty.ok());
  CHECK(empty->empty());

  const SecretBuffer empty_pass;
  const PassphraseBox empty_box =
      PassphraseBox::create(empty_pass, KdfParams::insecure_for_tests());
  CHECK(empty_box.open(empty_box.seal(plaintext)).ok());
  CHECK_FALSE(box.open(empty_box.seal(plaintext)).ok());
}

TEST_CASE("passphrase box rejects a wrong passphrase and every changed byte", "[crypto][box]") {
  const SecretBuffer pass = SecretBuffer::copy_of(std::string_view("passphrase one"));
  const SecretBuffer wrong = SecretBuffer::copy_of(std::string_view("passphrase two"));
  const PassphraseBox box = PassphraseBox::create(pass, KdfParams::insecure_for_tests());
  const Bytes sealed = box.seal(as_bytes("a small secret"));

  auto wrong_box = PassphraseBox::for_sealed(sealed, wrong);
  REQUIRE(wrong_box.ok());
  auto r = wrong_box->open(sealed);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kUnauthorised);

  for (std::size_t i = 0; i < sealed.size(); ++i) {
    Bytes changed = sealed;
    changed[i] ^= 0x01;
    INFO("byte " << i);
    auto opened = box.open(changed);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().code == ErrorCode::kUnauthorised);
    if (i < kBoxHeaderBytes - 24) {  // magic, parameters, salt: also via for_sealed
      auto b = PassphraseBox::for_sealed(changed, pass);
      if (b.ok()) CHECK_FALSE(b->open(changed).ok());
    }
  }
  CHECK_FALSE(box.open(ByteView(sealed).first(kBoxHeaderBytes + 15)).ok());
  auto short_box = PassphraseBox::for_sealed(ByteView(sealed).first(40), pass);
  REQUIRE_FALSE(short_box.ok());
  CHECK(short_box.error().code == ErrorCode::kMalformed);
}

TEST_CASE("passphrase box refuses absurd parameters before deriving", "[crypto][box]") {
  const SecretBuffer pass = SecretBuffer::copy_of(std::string_view("pw"));
  const PassphraseBox box = PassphraseBox::create(pass, KdfParams::insecure_for_tests());
  const Bytes sealed = box.seal(as_bytes("x"));
  auto with = [&](std::uint64_t ops, std::uint64_t mem) {
    Bytes b = sealed;
    for (int k = 0; k < 8; ++k) {
      b[8 + static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(ops >> (8 * k));
      b[16 + static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(mem >> (8 * k));
    }
    return b;
  };
  // Had any of these reached Argon2id the test would run for hours or die of
  // memory exhaustion rather than fail quickly.
  for (auto [ops, mem] : {std::pair<std::uint64_t, std::uint64_t>{1ull << 40, 8u << 20},
                          {kBoxMaxOpslimit + 1, 8u << 20},
                          {0, 8u << 20},
                          {1, kBoxMaxMemlimit + 1},
                          {1, 1ull << 50},
                          {1, 1024},
                          {~0ull, ~0ull}}) {
    auto r = PassphraseBox::for_sealed(with(ops, mem), pass);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kMalformed);
  }
  Bytes big(kBoxMaxFileBytes + 1, 0);
  std::copy(sealed.begin(), sealed.end(), big.begin());
  auto too_big = PassphraseBox::for_sealed(big, pass);
  REQUIRE_FALSE(too_big.ok());
  CHECK(too_big.error().code == ErrorCode::kTooLarge);

  CHECK_THROWS_AS(PassphraseBox::create(pass, KdfParams{kBoxMaxOpslimit + 1, 8u << 20}),
                  std::invalid_argument);
}

