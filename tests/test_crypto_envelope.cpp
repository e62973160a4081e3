// Envelopes: round trips over every size class, the prekey path, rejection of
// every single-byte change, forged senders and bad padding, and the
// known-answer vector of tests/vectors/envelope.txt (cross-checked by
// tests/vectors/crosscheck_crypto_b.py).
#include <sodium.h>  // only for key generation in this file's helper

#include <catch2/catch.hpp>

#include "common.hpp"
#include <fstream>
#include <map>
#include <string>

#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/testing.hpp"

using namespace meldpunt;
using namespace meldpunt::crypto;

using namespace meldpunt::test_support;

namespace {

// A local X25519 key pair, so these tests do not depend on identity.hpp.
struct TestKeys {
  Secret<32> sk = Secret<32>::random();
  X25519PublicKey pk{};
  TestKeys() { crypto_scalarmult_base(pk.data(), sk.data()); }
  static TestKeys from(ByteView secret) {
    TestKeys k;
    k.sk = Secret<32>::from(secret);
    crypto_scalarmult_base(k.pk.data(), k.sk.data());
    return k;
  }
};

Bytes pattern(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return b;
}

SealRequest request_for(const TestKeys& sender, const TestKeys& recipient, ByteView payload,
                        const TestKeys* prekey = nullptr, const TestKeys* medium = nullptr) {
  SealRequest req;
  req.sender_sk = &sender.sk;
  req.sender_pk = sender.pk;
  req.recipient_pk = recipient.pk;
  if (prekey != nullptr) req.prekey_pk = prekey->pk;
  if (medium != nullptr) req.medium_pk = medium->pk;
  req.payload = payload;
  return req;
}

// A lookup that holds the secrets of `held` (by prekey id, as a key file does).
PrekeyLookup holding(std::vector<const TestKeys*> held) {
  return [held](const PrekeyId& id) -> const Secret<32>* {
    for (const TestKeys* k : held) {
      if (prekey_id(k->pk) == id) return &k->sk;
    }
    return nullptr;
  };
}

bool same(ByteView a, ByteView b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

}  // namespace

TEST_CASE("envelope constants match the layout", "[crypto][envelope]") {
  STATIC_REQUIRE(kEnvelopeOverhead == 1 + 32 + 48 + 16 + 32 + 32);
  STATIC_REQUIRE(envelope_capacity(4096) == 3934);
  STATIC_REQUIRE(envelope_capacity(32768) == 32606);
  STATIC_REQUIRE(envelope_capacity(262144) == 261982);
  STATIC_REQUIRE(kMaxEnvelopePayload == 261982);
  CHECK(is_envelope_size(4096));
  CHECK(is_envelope_size(32768));
  CHECK(is_envelope_size(262144));
  CHECK_FALSE(is_envelope_size(0));
  CHECK_FALSE(is_envelope_size(4095));
  CHECK_FALSE(is_envelope_size(4097));
}

TEST_CASE("envelope round trip over every size class", "[crypto][envelope]") {
  TestKeys sender, recipient;
  struct Case {
    std::size_t payload;
    std::size_t envelope;
  };
  const Case cases[] = {
      {0, 4096},
      {1, 4096},
      {envelope_capacity(4096), 4096},
      {envelope_capacity(4096) + 1, 32768},
      {envelope_capacity(32768), 32768},
      {envelope_capacity(32768) + 1, 262144},
      {envelope_capacity(262144), 262144},
  };
  for (const Case& c : cases) {
    CAPTURE(c.payload);
    const Bytes payload = pattern(c.payload);
    auto sealed = seal_envelope(request_for(sender, recipient, payload));
    REQUIRE(sealed.ok());
    CHECK(sealed->size() == c.envelope);
    auto opened = open_envelope(*sealed, recipient.sk, recipient.pk);
    REQUIRE(opened.ok());
    CHECK(same(opened->payload.view(), payload));
    CHECK(opened->sender_pk == sender.pk);
    CHECK_FALSE(opened->prekey_pk.has_value());
  }
}

TEST_CASE("envelope refuses a payload above the largest class", "[crypto][envelope]") {
  TestKeys sender, recipient;
  const Bytes payload(kMaxEnvelopePayload + 1, 0x42);
  auto sealed = seal_envelope(request_for(sender, recipient, payload));
  REQUIRE_FALSE(sealed.ok());
  CHECK(sealed.error().code == ErrorCode::kTooLarge);
}

TEST_CASE("envelope with a one-time prekey", "[crypto][envelope]") {
  TestKeys sender, recipient, prekey, other_prekey;
  const Bytes payload = pattern(100);
  auto sealed = seal_envelope(request_for(sender, recipient, payload, &prekey));
  REQUIRE(sealed.ok());
  REQUIRE(sealed->size() == 4096);
  CHECK((*sealed)[0] == kEnvelopeVersion);

  SECTION("the lookup is asked for the right prekey and the result names it") {
    int calls = 0;
    PrekeyId asked{};
    PrekeyLookups lookups;
    lookups.one_time = [&](const PrekeyId& id) -> const Secret<32>* {
      ++calls;
      asked = id;
      return holding({&prekey, &other_prekey})(id);
    };
    auto opened = open_envelope(*sealed, recipient.sk, recipient.pk, lookups);
    REQUIRE(opened.ok());
    CHECK(calls == 1);
    CHECK(asked == prekey_id(prekey.pk));
    REQUIRE(opened->prekey_pk.has_value());
    CHECK(*opened->prekey_pk == prekey.pk);
    CHECK_FALSE(opened->medium_pk.has_value());
    CHECK(opened->sender_pk == sender.pk);
    CHECK(same(opened->payload.view(), payload));
  }
  SECTION("no lookup at all: the prekey secret is missing") {
    auto opened = open_envelope(*sealed, recipient.sk, recipient.pk);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().code == ErrorCode::kNotFound);
  }
  SECTION("the lookup no longer holds the secret") {
    auto opened = open_envelope(*sealed, recipient.sk, recipient.pk, {holding({&other_prekey}), {}});
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().code == ErrorCode::kNotFound);
  }
  SECTION("a lookup that answers with another key's secret is not used") {
    auto opened = open_envelope(*sealed, recipient.sk, recipient.pk,
                                {[&](const PrekeyId&) -> const Secret<32>* { return &other_prekey.sk; }, {}});
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().code == ErrorCode::kNotFound);
  }
}

TEST_CASE("envelope with a medium-term prekey, with and without a one-time prekey", "[crypto][envelope]") {
  TestKeys sender, recipient, prekey, medium, other_medium;
  const Bytes payload = pattern(120);
  const PrekeyLookups all{holding({&prekey}), holding({&medium, &other_medium})};

  SECTION("both prekeys: both are named, and each secret is needed") {
    auto sealed = seal_envelope(request_for(sender, recipient, payload, &prekey, &medium));
    REQUIRE(sealed.ok());
    auto opened = open_envelope(*sealed, recipient.sk, recipient.pk, all);
    REQUIRE(opened.ok());
    CHECK(same(opened->payload.view(), payload));
    REQUIRE(opened->prekey_pk.has_value());
    REQUIRE(opened->medium_pk.has_value());
    CHECK(*opened->prekey_pk == prekey.pk);
    CHECK(*opened->medium_pk == medium.pk);
    auto no_medium = open_envelope(*sealed, recipient.sk, recipient.pk, {holding({&prekey}), holding({})});
    REQUIRE_FALSE(no_medium.ok());
    CHECK(no_medium.error().code == ErrorCode::kNotFound);
    auto no_one_time = open_envelope(*sealed, recipient.sk, recipient.pk, {holding({}), holding({&medium})});
    REQUIRE_FALSE(no_one_time.ok());
    CHECK(no_one_time.error().code == ErrorCode::kNotFound);
  }
  SECTION("medium-term prekey alone (no one-time prekey left)") {
    auto sealed = seal_envelope(request_for(sender, recipient, payload, nullptr, &medium));
    REQUIRE(sealed.ok());
    auto opened = open_envelope(*sealed, recipient.sk, recipient.pk, all);
    REQUIRE(opened.ok());
    CHECK(same(opened->payload.view(), payload));
    CHECK_FALSE(opened->prekey_pk.has_value());
    REQUIRE(opened->medium_pk.has_value());
    CHECK(*opened->medium_pk == medium.pk);
    // Forward secrecy: once the medium-term secret is erased, the long-term
    // key alone opens nothing.
    auto erased = open_envelope(*sealed, recipient.sk, recipient.pk, {holding({&prekey}), holding({&other_medium})});
    REQUIRE_FALSE(erased.ok());
    CHECK(erased.error().code == ErrorCode::kNotFound);
    auto without = open_envelope(*sealed, recipient.sk, recipient.pk);
    REQUIRE_FALSE(without.ok());
    CHECK(without.error().code == ErrorCode::kNotFound);
  }
  SECTION("a low-order medium-term prekey is refused when sealing") {
    SealRequest req = request_for(sender, recipient, payload, nullptr, &medium);
    req.medium_pk = X25519PublicKey{};
    auto bad = seal_envelope(req);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::kMalformed);
  }
}

TEST_CASE("envelope without a prekey never calls the lookup", "[crypto][envelope]") {
  TestKeys sender, recipient;
  const Bytes payload = pattern(10);
  auto sealed = seal_envelope(request_for(sender, recipient, payload));
  REQUIRE(sealed.ok());
  int calls = 0;
  auto count = [&](const PrekeyId&) -> const Secret<32>* {
    ++calls;
    return nullptr;
  };
  auto opened = open_envelope(*sealed, recipient.sk, recipient.pk, {count, count});
  REQUIRE(opened.ok());
  CHECK(calls == 0);
  CHECK_FALSE(opened->prekey_pk.has_value());
  CHECK_FALSE(opened->medium_pk.has_value());
}

TEST_CASE("envelope for someone else does not open", "[crypto][envelope]") {
  TestKeys sender, recipient, stranger;
  auto sealed = seal_envelope(request_for(sender, recipient, pattern(50)));
  REQUIRE(sealed.ok());
  auto opened = open_envelope(*sealed, stranger.sk, stranger.pk);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == ErrorCode::kUnauthorised);
  // The right secret with a wrong public key also fails (it is bound into every key).
  auto mixed = open_envelope(*sealed, recipient.sk, stranger.pk);
  REQUIRE_FALSE(mixed.ok());
  CHECK(mixed.error().code == ErrorCode::kUnauthorised);
}

TEST_CASE("envelope: every flipped byte is rejected", "[crypto][envelope]") {
  TestKeys sender, recipient, prekey, medium;
  auto sealed = seal_envelope(request_for(sender, recipient, pattern(300), &prekey, &medium));
  REQUIRE(sealed.ok());
  REQUIRE(sealed->size() == 4096);
  const PrekeyLookups lookup{holding({&prekey}), holding({&medium})};
  REQUIRE(open_envelope(*sealed, recipient.sk, recipient.pk, lookup).ok());

  std::size_t accepted = 0, wrong_code = 0;
  Bytes copy = *sealed;
  for (std::size_t i = 0; i < copy.size(); ++i) {
    copy[i] ^= 0x01;
    auto opened = open_envelope(copy, recipient.sk, recipient.pk, lookup);
    if (opened.ok()) {
      ++accepted;
    } else {
      const ErrorCode expected = i == 0 ? ErrorCode::kMalformed : ErrorCode::kUnauthorised;
      if (opened.error().code != expected) ++wrong_code;
    }
    copy[i] ^= 0x01;
  }
  CHECK(accepted == 0);
  CHECK(wrong_code == 0);
}

TEST_CASE("envelope: wrong sizes and versions are malformed", "[crypto][envelope]") {
  TestKeys sender, recipient;
  auto sealed = seal_envelope(request_for(sender, recipient, pattern(20)));
  REQUIRE(sealed.ok());
  auto code_of = [&](ByteView env) {
    auto opened = open_envelope(env, recipient.sk, recipient.pk);
    return opened.ok() ? ErrorCode::kOk : opened.error().code;
  };
  const ByteView full = *sealed;
  CHECK(code_of(full.first(full.size() - 1)) == ErrorCode::kMalformed);
  CHECK(code_of(full.first(1)) == ErrorCode::kMalformed);
  CHECK(code_of(ByteView{}) == ErrorCode::kMalformed);
  Bytes extended = *sealed;
  extended.push_back(0);
  CHECK(code_of(extended) == ErrorCode::kMalformed);
  // A 4096 envelope padded out to the next class is still not an envelope.
  Bytes grown = *sealed;
  grown.resize(32768);
  CHECK(code_of(grown) == ErrorCode::kUnauthorised);
  for (std::uint8_t version : {std::uint8_t{0}, std::uint8_t{3}, std::uint8_t{0xff}}) {
    Bytes other = *sealed;
    other[0] = version;
    CHECK(code_of(other) == ErrorCode::kMalformed);
  }
  // A version 2 envelope relabelled as version 1 is read with version 1's
  // keys, which do not fit.
  Bytes relabelled = *sealed;
  relabelled[0] = kEnvelopeVersionOnePrekey;
  CHECK(code_of(relabelled) == ErrorCode::kUnauthorised);
}

TEST_CASE("envelope: a forged sender fails authentication", "[crypto][envelope]") {
  TestKeys victim, attacker, recipient;
  // The attacker seals with its own secret but claims the victim's public key:
  // everything decrypts, only the sender auth cannot match.
  const Bytes payload = pattern(64);
  SealRequest req = request_for(attacker, recipient, payload);
  req.sender_pk = victim.pk;
  auto forged = seal_envelope(req);
  REQUIRE(forged.ok());
  auto opened = open_envelope(*forged, recipient.sk, recipient.pk);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == ErrorCode::kUnauthorised);
  // Control: the same attacker under its own name is accepted.
  auto honest = seal_envelope(request_for(attacker, recipient, payload));
  REQUIRE(honest.ok());
  auto ok = open_envelope(*honest, recipient.sk, recipient.pk);
  REQUIRE(ok.ok());
  CHECK(ok->sender_pk == attacker.pk);
}

TEST_CASE("envelope: bad padding is rejected", "[crypto][envelope]") {
  // testing::seal_envelope_with_padded puts the given bytes into the inner
  // plaintext unchanged, so AEAD and sender auth verify and only the padding
  // check can reject the envelope.
  TestKeys sender, recipient;
  const auto ephemeral = Secret<32>::random();
  const SealRequest req = request_for(sender, recipient, {});
  const std::size_t padded_len = 4096 - kEnvelopeOverhead;

  SECTION("control: valid ISO/IEC 7816-4 padding opens") {
    Bytes padded(padded_len, 0);
    padded[0] = 'h';
    padded[1] = 'i';
    padded[2] = 0x80;
    auto env = testing::seal_envelope_with_padded(req, ephemeral, padded);
    REQUIRE(env.ok());
    auto opened = open_envelope(*env, recipient.sk, recipient.pk);
    REQUIRE(opened.ok());
    CHECK(opened->payload.text() == "hi");
  }
  SECTION("no 0x80 marker at all") {
    const Bytes padded(padded_len, 0);
    auto env = testing::seal_envelope_with_padded(req, ephemeral, padded);
    REQUIRE(env.ok());
    auto opened = open_envelope(*env, recipient.sk, recipient.pk);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().code == ErrorCode::kUnauthorised);
  }
  SECTION("a non-zero byte after the marker") {
    Bytes padded(padded_len, 0);
    padded[10] = 0x80;
    padded[padded_len - 1] = 0x01;
    auto env = testing::seal_envelope_with_padded(req, ephemeral, padded);
    REQUIRE(env.ok());
    auto opened = open_envelope(*env, recipient.sk, recipient.pk);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().code == ErrorCode::kUnauthorised);
  }
  SECTION("a padded area of no class is refused by the seam") {
    const Bytes padded(padded_len + 1, 0);
    auto env = testing::seal_envelope_with_padded(req, ephemeral, padded);
    REQUIRE_FALSE(env.ok());
    CHECK(env.error().code == ErrorCode::kMalformed);
  }
}

TEST_CASE("envelope: invalid keys are refused when sealing", "[crypto][envelope]") {
  TestKeys sender, recipient;
  const Bytes payload = pattern(5);
  SealRequest req = request_for(sender, recipient, payload);
  req.recipient_pk = X25519PublicKey{};  // low order: X25519 result all zero
  auto bad_recipient = seal_envelope(req);
  REQUIRE_FALSE(bad_recipient.ok());
  CHECK(bad_recipient.error().code == ErrorCode::kMalformed);

  req = request_for(sender, recipient, payload);
  req.prekey_pk = X25519PublicKey{};
  auto bad_prekey = seal_envelope(req);
  REQUIRE_FALSE(bad_prekey.ok());
  CHECK(bad_prekey.error().code == ErrorCode::kMalformed);

  req = request_for(sender, recipient, payload);
  req.sender_sk = nullptr;
  auto no_sender = seal_envelope(req);
  REQUIRE_FALSE(no_sender.ok());
  CHECK(no_sender.error().code == ErrorCode::kMalformed);
}

TEST_CASE("envelope: a low-order ephemeral key is rejected on open", "[crypto][envelope]") {
  TestKeys sender, recipient;
  auto sealed = seal_envelope(request_for(sender, recipient, pattern(5)));
  REQUIRE(sealed.ok());
  Bytes env = *sealed;
  std::fill(env.begin() + 1, env.begin() + 33, std::uint8_t{0});  // e_pk = 0: DH output all zero
  auto opened = open_envelope(env, recipient.sk, recipient.pk);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == ErrorCode::kUnauthorised);
}

TEST_CASE("envelope: two seals of the same payload differ", "[crypto][envelope]") {
  TestKeys sender, recipient;
  const Bytes payload = pattern(200);
  auto a = seal_envelope(request_for(sender, recipient, payload));
  auto b = seal_envelope(request_for(sender, recipient, payload));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(a->size() == b->size());
  CHECK(*a != *b);
  // Fresh ephemeral key each time, so the e_pk fields differ too.
  CHECK_FALSE(same(ByteView(*a).subspan(1, 32), ByteView(*b).subspan(1, 32)));
}

TEST_CASE("envelope known-answer vector", "[crypto][envelope]") {
  auto v = load_hex_vectors("envelope.txt");
  const auto sender = TestKeys::from(v.at("sender_sk"));
  const auto recipient = TestKeys::from(v.at("recipient_sk"));
  const auto prekey = TestKeys::from(v.at("prekey_sk"));
  const auto medium = TestKeys::from(v.at("medium_sk"));
  REQUIRE(sender.pk == fixed_as<X25519PublicKey>(v.at("sender_pk")));
  REQUIRE(recipient.pk == fixed_as<X25519PublicKey>(v.at("recipient_pk")));
  REQUIRE(prekey.pk == fixed_as<X25519PublicKey>(v.at("prekey_pk")));
  REQUIRE(medium.pk == fixed_as<X25519PublicKey>(v.at("medium_pk")));
  const auto ephemeral = Secret<32>::from(v.at("ephemeral_sk"));
  const Bytes& payload = v.at("payload");
  const PrekeyLookups lookup{holding({&prekey}), holding({&medium})};

  SECTION("version 2 with both prekeys") {
    auto sealed = testing::seal_envelope_with_ephemeral(
        request_for(sender, recipient, payload, &prekey, &medium), ephemeral);
    REQUIRE(sealed.ok());
    REQUIRE(sealed->size() == 4096);
    CHECK(to_hex(*sealed) == to_hex(v.at("v2_envelope")));
    CHECK(to_hex(ByteView(*sealed).subspan(33, 48)) == to_hex(v.at("v2_header")));
    auto opened = open_envelope(v.at("v2_envelope"), recipient.sk, recipient.pk, lookup);
    REQUIRE(opened.ok());
    CHECK(same(opened->payload.view(), payload));
    CHECK(opened->sender_pk == sender.pk);
    REQUIRE(opened->prekey_pk.has_value());
    CHECK(*opened->prekey_pk == prekey.pk);
    REQUIRE(opened->medium_pk.has_value());
    CHECK(*opened->medium_pk == medium.pk);
  }
  SECTION("version 2 with the medium-term prekey alone") {
    auto sealed = testing::seal_envelope_with_ephemeral(
        request_for(sender, recipient, payload, nullptr, &medium), ephemeral);
    REQUIRE(sealed.ok());
    CHECK(to_hex(ByteView(*sealed).subspan(33, 48)) == to_hex(v.at("v2_medium_only_header")));
    CHECK(to_hex(ByteView(*sealed).last(16)) == to_hex(v.at("v2_medium_only_tag")));
    auto opened = open_envelope(*sealed, recipient.sk, recipient.pk, lookup);
    REQUIRE(opened.ok());
    CHECK_FALSE(opened->prekey_pk.has_value());
    CHECK(opened->medium_pk.has_value());
  }
  SECTION("version 1 envelopes (stored before version 2) still open") {
    auto opened = open_envelope(v.at("envelope"), recipient.sk, recipient.pk, lookup);
    REQUIRE(opened.ok());
    CHECK(opened->version == kEnvelopeVersionOnePrekey);
    CHECK(same(opened->payload.view(), payload));
    CHECK(opened->sender_pk == sender.pk);
    REQUIRE(opened->prekey_pk.has_value());
    CHECK(*opened->prekey_pk == prekey.pk);
    CHECK_FALSE(opened->medium_pk.has_value());
    auto gone = open_envelope(v.at("envelope"), recipient.sk, recipient.pk, {holding({}), holding({&medium})});
    REQUIRE_FALSE(gone.ok());
    CHECK(gone.error().code == ErrorCode::kNotFound);

    auto plain = open_envelope(v.at("envelope_no_prekey"), recipient.sk, recipient.pk);
    REQUIRE(plain.ok());
    CHECK(same(plain->payload.view(), payload));
    CHECK(plain->sender_pk == sender.pk);
    CHECK_FALSE(plain->prekey_pk.has_value());
  }
}
