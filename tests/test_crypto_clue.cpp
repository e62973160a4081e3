// Clues: recognition by the right fetch key only, unlinkability of two
// blindings, padding entries, invalid clues, delete tokens, and the
// known-answer vector of tests/vectors/clue.txt (cross-checked by
// tests/vectors/crosscheck_crypto_b.py with an independent ristretto255).
#include <sodium.h>  // only for key generation in this file's helper

#include <catch2/catch.hpp>

#include "common.hpp"
#include <fstream>
#include <map>
#include <string>

#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/testing.hpp"

using namespace meldpunt;
using namespace meldpunt::crypto;

using namespace meldpunt::test_support;

namespace {

// A local ristretto255 fetch key pair, so these tests do not depend on identity.hpp.
struct TestFetchKeys {
  Secret<32> sk;
  FetchPublicKey pk{};
  TestFetchKeys() {
    crypto_core_ristretto255_scalar_random(sk.data());
    crypto_scalarmult_ristretto255_base(pk.data(), sk.data());
  }
};

MessageId random_id() {
  MessageId id{};
  randombytes_buf(id.data(), id.size());
  return id;
}

std::size_t equal_positions(ByteView a, ByteView b) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
    if (a[i] == b[i]) ++n;
  return n;
}

}  // namespace

TEST_CASE("clue: the recipient recognises its entries, others do not", "[crypto][clue]") {
  TestFetchKeys recipient, other;
  auto clue = make_clue(recipient.pk);
  REQUIRE(clue.ok());
  CHECK(is_valid_clue(*clue));
  for (int i = 0; i < 20; ++i) {
    const MessageId id = random_id();
    auto entry = blind_clue(*clue, id);
    REQUIRE(entry.ok());
    auto found = recognise(*entry, recipient.sk);
    REQUIRE(found.has_value());
    CHECK(*found == id);
    CHECK_FALSE(recognise(*entry, other.sk).has_value());
  }
  // A clue made for the other key is not recognised by the recipient.
  auto foreign = make_clue(other.pk);
  REQUIRE(foreign.ok());
  auto foreign_entry = blind_clue(*foreign, random_id());
  REQUIRE(foreign_entry.ok());
  CHECK_FALSE(recognise(*foreign_entry, recipient.sk).has_value());
  CHECK(recognise(*foreign_entry, other.sk).has_value());
}

TEST_CASE("clue: a changed entry is not recognised", "[crypto][clue]") {
  TestFetchKeys recipient;
  auto clue = make_clue(recipient.pk);
  REQUIRE(clue.ok());
  const MessageId id = random_id();
  auto entry = blind_clue(*clue, id);
  REQUIRE(entry.ok());
  // Any change to R or the tag breaks recognition; a change to the sealed id
  // part only changes the id (the tag does not cover it — the relay could
  // return any id anyway, and the envelope it names is authenticated).
  for (std::size_t i = 0; i < 48; ++i) {
    FetchEntry changed = *entry;
    changed[i] ^= 0x01;
    CAPTURE(i);
    CHECK_FALSE(recognise(changed, recipient.sk).has_value());
  }
  FetchEntry changed_id = *entry;
  changed_id[63] ^= 0x01;
  auto found = recognise(changed_id, recipient.sk);
  REQUIRE(found.has_value());
  CHECK(*found != id);
}

TEST_CASE("clue: two blindings of one clue are unlinkable", "[crypto][clue]") {
  TestFetchKeys recipient;
  auto clue = make_clue(recipient.pk);
  REQUIRE(clue.ok());
  const MessageId id = random_id();
  auto a = blind_clue(*clue, id);
  auto b = blind_clue(*clue, id);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  const ByteView va = *a, vb = *b;
  // R, tag and sealed id all change. Independent random bytes agree at a given
  // position with probability 1/256, so "every byte differs" is not a sound
  // check; a bound on the number of agreeing positions is (P[>= 8 of 64]
  // is below 1e-10).
  CHECK_FALSE(std::equal(va.begin(), va.begin() + 32, vb.begin()));
  CHECK_FALSE(std::equal(va.begin() + 32, va.begin() + 48, vb.begin() + 32));
  CHECK_FALSE(std::equal(va.begin() + 48, va.end(), vb.begin() + 48));
  CHECK(equal_positions(va, vb) < 8);
  // Neither entry contains the clue's points (the relay's stored values).
  CHECK(equal_positions(va.first(32), ByteView(*clue).first(32)) < 8);
  CHECK(equal_positions(va.first(32), ByteView(*clue).subspan(32)) < 8);
  // Both still carry the same id to the recipient.
  REQUIRE(recognise(*a, recipient.sk).has_value());
  REQUIRE(recognise(*b, recipient.sk).has_value());
  CHECK(*recognise(*a, recipient.sk) == id);
  CHECK(*recognise(*b, recipient.sk) == id);
  // Two clues for one recipient (two messages) are different as well.
  auto clue2 = make_clue(recipient.pk);
  REQUIRE(clue2.ok());
  CHECK(equal_positions(*clue, *clue2) < 8);
}

TEST_CASE("clue: padding entries are valid points and never recognised", "[crypto][clue]") {
  TestFetchKeys recipient;
  auto clue = make_clue(recipient.pk);
  REQUIRE(clue.ok());
  for (int i = 0; i < 50; ++i) {
    const FetchEntry pad = random_fetch_entry();
    // R is a valid, non-identity point like a real entry's: reuse the clue
    // validator on (R, R).
    Clue as_points{};
    std::copy(pad.begin(), pad.begin() + 32, as_points.begin());
    std::copy(pad.begin(), pad.begin() + 32, as_points.begin() + 32);
    CHECK(is_valid_clue(as_points));
    CHECK_FALSE(recognise(pad, recipient.sk).has_value());
  }
  CHECK(random_fetch_entry() != random_fetch_entry());
}

TEST_CASE("clue: invalid clues are rejected", "[crypto][clue]") {
  TestFetchKeys recipient;
  auto clue = make_clue(recipient.pk);
  REQUIRE(clue.ok());
  const MessageId id = random_id();

  auto check_invalid = [&](const Clue& bad) {
    CHECK_FALSE(is_valid_clue(bad));
    auto entry = blind_clue(bad, id);
    REQUIRE_FALSE(entry.ok());
    CHECK(entry.error().code == ErrorCode::kMalformed);
  };
  for (std::size_t half : {std::size_t{0}, std::size_t{32}}) {
    CAPTURE(half);
    Clue identity = *clue;
    std::fill(identity.begin() + static_cast<std::ptrdiff_t>(half),
              identity.begin() + static_cast<std::ptrdiff_t>(half + 32), std::uint8_t{0});
    check_invalid(identity);
    Clue non_canonical = *clue;  // >= p
    std::fill(non_canonical.begin() + static_cast<std::ptrdiff_t>(half),
              non_canonical.begin() + static_cast<std::ptrdiff_t>(half + 32), std::uint8_t{0xff});
    check_invalid(non_canonical);
    Clue negative = *clue;  // odd s: a negative field element, never a ristretto encoding
    std::fill(negative.begin() + static_cast<std::ptrdiff_t>(half),
              negative.begin() + static_cast<std::ptrdiff_t>(half + 32), std::uint8_t{0});
    negative[half] = 1;
    check_invalid(negative);
  }
  // Random bytes are almost never a valid encoding; find one that is not.
  Clue random_bytes = *clue;
  do {
    randombytes_buf(random_bytes.data(), 32);
  } while (crypto_core_ristretto255_is_valid_point(random_bytes.data()) == 1);
  check_invalid(random_bytes);

  // make_clue refuses an invalid recipient key.
  FetchPublicKey bad_pk{};
  auto from_identity = make_clue(bad_pk);
  REQUIRE_FALSE(from_identity.ok());
  CHECK(from_identity.error().code == ErrorCode::kMalformed);
  bad_pk.fill(0xff);
  auto from_garbage = make_clue(bad_pk);
  REQUIRE_FALSE(from_garbage.ok());
  CHECK(from_garbage.error().code == ErrorCode::kMalformed);

  // A zero scalar would give the identity; the seams refuse it.
  const Secret<32> zero;
  auto zero_clue = testing::make_clue_with_scalar(recipient.pk, zero);
  REQUIRE_FALSE(zero_clue.ok());
  CHECK(zero_clue.error().code == ErrorCode::kMalformed);
  auto zero_blind = testing::blind_clue_with_scalar(*clue, id, zero);
  REQUIRE_FALSE(zero_blind.ok());
  CHECK(zero_blind.error().code == ErrorCode::kMalformed);
}

TEST_CASE("clue: delete tokens", "[crypto][clue]") {
  const auto token = Secret<32>::random();
  const auto verifier = delete_verifier(token);
  CHECK(check_delete_token(token.view(), verifier));
  const auto other = Secret<32>::random();
  CHECK_FALSE(check_delete_token(other.view(), verifier));
  Bytes flipped(token.view().begin(), token.view().end());
  flipped[31] ^= 0x01;
  CHECK_FALSE(check_delete_token(flipped, verifier));
  CHECK_FALSE(check_delete_token(token.view().first(31), verifier));
  Bytes longer(token.view().begin(), token.view().end());
  longer.push_back(0);
  CHECK_FALSE(check_delete_token(longer, verifier));
  CHECK_FALSE(check_delete_token(ByteView{}, verifier));
  CHECK(delete_verifier(token) == verifier);
  CHECK(delete_verifier(other) != verifier);
}

TEST_CASE("clue known-answer vector", "[crypto][clue]") {
  auto v = load_hex_vectors("clue.txt");
  const auto fetch_sk = Secret<32>::from(v.at("fetch_sk"));
  const auto fetch_pk = fixed_as<FetchPublicKey>(v.at("fetch_pk"));
  FetchPublicKey derived{};
  REQUIRE(crypto_scalarmult_ristretto255_base(derived.data(), fetch_sk.data()) == 0);
  REQUIRE(derived == fetch_pk);

  auto clue = testing::make_clue_with_scalar(fetch_pk, Secret<32>::from(v.at("x")));
  REQUIRE(clue.ok());
  CHECK(to_hex(*clue) == to_hex(v.at("clue")));

  const auto id = fixed_as<MessageId>(v.at("id"));
  auto entry =
      testing::blind_clue_with_scalar(fixed_as<Clue>(v.at("clue")), id, Secret<32>::from(v.at("r")));
  REQUIRE(entry.ok());
  CHECK(to_hex(*entry) == to_hex(v.at("entry")));

  auto found = recognise(fixed_as<FetchEntry>(v.at("entry")), fetch_sk);
  REQUIRE(found.has_value());
  CHECK(*found == id);

  const auto token = Secret<32>::from(v.at("delete_token"));
  CHECK(to_hex(delete_verifier(token)) == to_hex(v.at("delete_verifier")));
  CHECK(check_delete_token(v.at("delete_token"), fixed<32>(v.at("delete_verifier"))));
}
