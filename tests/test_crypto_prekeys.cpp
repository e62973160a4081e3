// Medium-term prekeys in the adviser identity: rotation on a schedule,
// erasure once nothing can still need them, forward secrecy of what was
// sealed to them, and reading key files written before they existed.
#include <catch2/catch.hpp>

#include "common.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/identity.hpp"

using namespace meldpunt;
using namespace meldpunt::crypto;

namespace {

constexpr std::uint32_t kDay = 20'000;

// An envelope from a fresh sender to `adviser`, as reporter-client seals a
// report: to the current medium-term prekey and, if given, a one-time prekey.
Bytes report_to(const AdviserIdentity& adviser, std::uint32_t today,
                const std::optional<X25519PublicKey>& one_time = std::nullopt) {
  const X25519KeyPair sender = X25519KeyPair::generate();
  const MediumPrekey* medium = adviser.current_medium(today);
  REQUIRE(medium != nullptr);
  SealRequest req;
  req.sender_sk = &sender.sk;
  req.sender_pk = sender.pk;
  req.recipient_pk = adviser.message.pk;
  req.prekey_pk = one_time;
  req.medium_pk = medium->keys.pk;
  const Bytes payload(40, 0x61);
  req.payload = payload;
  return seal_envelope(req).value();
}

// Opens with nothing but what the identity (the key file) holds.
Result<OpenedEnvelope> open_with(const AdviserIdentity& adviser, ByteView envelope) {
  PrekeyLookups lookups;
  lookups.one_time = [&](const PrekeyId& id) { return adviser.find_prekey_by_id(id); };
  lookups.medium = [&](const PrekeyId& id) { return adviser.find_medium_by_id(id); };
  return open_envelope(envelope, adviser.message.sk, adviser.message.pk, lookups);
}

AdviserIdentity reloaded(const AdviserIdentity& id) { return AdviserIdentity::parse(id.serialize().view()).value(); }

}  // namespace

TEST_CASE("medium-term prekeys rotate on their schedule and are signed", "[crypto][identity][prekeys]") {
  AdviserIdentity id = AdviserIdentity::generate();
  CHECK(id.current_medium(kDay) == nullptr);
  REQUIRE(id.rotate_medium(kDay));
  const MediumPrekey* first = id.current_medium(kDay);
  REQUIRE(first != nullptr);
  CHECK(first->expires_day == kDay + kMediumPrekeyLifetimeDays);
  CHECK(verify_medium_prekey(first->public_half(), id.sign.pk));
  SignedMediumPrekey forged = first->public_half();
  forged.expires_day += 30;  // a relay cannot stretch its life
  CHECK_FALSE(verify_medium_prekey(forged, id.sign.pk));
  CHECK_FALSE(verify_medium_prekey(first->public_half(), AdviserIdentity::generate().sign.pk));
  const X25519PublicKey first_pk = first->keys.pk;

  // Not again while at least kMediumPrekeyRotateDays of its life are left.
  CHECK_FALSE(id.rotate_medium(kDay));
  CHECK_FALSE(id.rotate_medium(kDay + kMediumPrekeyLifetimeDays - kMediumPrekeyRotateDays));
  CHECK(id.medium.size() == 1);
  // Then a new one, and the old one is kept (reports sealed to it may be on their way).
  REQUIRE(id.rotate_medium(kDay + kMediumPrekeyLifetimeDays - kMediumPrekeyRotateDays + 1));
  REQUIRE(id.medium.size() == 2);
  CHECK(id.medium.back().keys.pk != first_pk);
  CHECK(id.current_medium(kDay + 8)->keys.pk == id.medium.back().keys.pk);
  // An adviser away for a month: the newest has expired, nothing is current.
  CHECK(id.current_medium(kDay + 60) == nullptr);
  REQUIRE(id.rotate_medium(kDay + 60));
  CHECK(id.current_medium(kDay + 60) != nullptr);
  // Never more than the bound.
  for (std::uint32_t d = kDay + 61; d < kDay + 61 + 30 * (kMaxMediumPrekeysHeld + 3); d += 30) (void)id.rotate_medium(d);
  CHECK(id.medium.size() == kMaxMediumPrekeysHeld);
  CHECK(reloaded(id).medium.size() == kMaxMediumPrekeysHeld);
}

TEST_CASE("a medium-term prekey's secret goes once no envelope can need it", "[crypto][identity][prekeys]") {
  AdviserIdentity id = AdviserIdentity::generate();
  REQUIRE(id.rotate_medium(kDay));
  const std::uint32_t expires = id.medium.back().expires_day;
  const std::uint32_t cutoff = medium_prekey_cutoff_day(expires);
  CHECK(cutoff == expires + kMediumPrekeyClockSkewDays + kMediumPrekeyDepositDays);
  constexpr std::uint32_t kStored = 67;  // relay retention 60 + fuzz 7

  SECTION("after an inbox run that started after its cut-off day") {
    id.clean_inbox_day = cutoff;  // a run on the cut-off day itself may miss a late deposit
    CHECK(id.erase_spent_medium(cutoff, kStored) == 0);
    id.clean_inbox_day = cutoff + 1;
    CHECK(id.erase_spent_medium(cutoff + 1, kStored) == 1);
    CHECK(id.medium.empty());
  }
  SECTION("without such a run, once the relay has purged whatever was sealed to it") {
    id.clean_inbox_day = kDay;
    CHECK(id.erase_spent_medium(cutoff + kStored + 1, kStored) == 0);
    CHECK(id.erase_spent_medium(cutoff + kStored + 2, kStored) == 1);
  }
  SECTION("never one that has not expired, whatever the inbox did") {
    id.clean_inbox_day = kDay + 5;
    CHECK(id.erase_spent_medium(kDay + 5, kStored) == 0);
    REQUIRE(id.current_medium(kDay + 5) != nullptr);
    // A run once made with a clock a year ahead left a clean day in the future.
    id.clean_inbox_day = kDay + 365;
    CHECK(id.erase_spent_medium(kDay + 5, kStored) == 0);
    CHECK(id.erase_spent_medium(expires, kStored) == 0);
    CHECK(id.erase_spent_medium(expires + 1, kStored) == 1);
  }
  SECTION("the relay's retention unknown: only the adviser's own runs count") {
    id.clean_inbox_day = kDay;
    CHECK(id.erase_spent_medium(cutoff + 1000, UINT32_MAX) == 0);
  }
}

TEST_CASE("forward secrecy: a report sealed to an erased medium-term prekey does not open",
          "[crypto][identity][prekeys]") {
  AdviserIdentity id = AdviserIdentity::generate();
  REQUIRE(id.rotate_medium(kDay));
  const auto one_time = id.make_prekeys(1);

  // Sent when the relay had no one-time prekey left: medium-term alone.
  const Bytes without_one_time = report_to(id, kDay);
  // Sent with both.
  const Bytes with_one_time = report_to(id, kDay, one_time[0].pk);

  auto opened = open_with(id, without_one_time);
  REQUIRE(opened.ok());
  CHECK_FALSE(opened->prekey_pk.has_value());
  auto both = open_with(id, with_one_time);
  REQUIRE(both.ok());
  REQUIRE(both->prekey_pk.has_value());
  // The one-time secret goes after use: the same envelope, replayed, no
  // longer opens with the key file.
  id.erase_prekey(*both->prekey_pk);
  AdviserIdentity after_use = reloaded(id);
  auto replayed = open_with(after_use, with_one_time);
  REQUIRE_FALSE(replayed.ok());
  CHECK(replayed.error().code == ErrorCode::kNotFound);
  // The medium-term one still opens what was sealed to it alone...
  REQUIRE(open_with(after_use, without_one_time).ok());

  // ...until time moves on: a week later a new one is made, then once an
  // inbox run after the old one's cut-off day has stored everything, the
  // old secret is erased and the key file alone opens neither envelope.
  REQUIRE(id.rotate_medium(kDay + 8));
  const std::uint32_t later = medium_prekey_cutoff_day(id.medium.front().expires_day) + 1;
  id.clean_inbox_day = later;
  CHECK(id.erase_spent_medium(later, 67) == 1);
  const AdviserIdentity key_file = reloaded(id);
  REQUIRE(key_file.medium.size() == 1);
  auto gone = open_with(key_file, without_one_time);
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == ErrorCode::kNotFound);
  CHECK_FALSE(open_with(key_file, with_one_time).ok());
  // The long-term key alone never opens a report: without the prekey
  // lookups, both are kNotFound.
  CHECK(open_envelope(without_one_time, id.message.sk, id.message.pk).error().code == ErrorCode::kNotFound);
}

TEST_CASE("key files without medium-term prekeys (version 1) are still read", "[crypto][identity][prekeys]") {
  AdviserIdentity id = AdviserIdentity::generate();
  id.upload_counter = 77;
  (void)id.make_prekeys(2);
  const SecretBuffer v2 = id.serialize();
  // Version 1 had no medium-term count or clean inbox day after the prekey count.
  Bytes v1(v2.view().begin(), v2.view().begin() + 244);
  v1[7] = 1;
  v1.insert(v1.end(), v2.view().begin() + 252, v2.view().end());
  REQUIRE(v1.size() == 244 + 2 * 128);

  auto old = AdviserIdentity::parse(v1);
  REQUIRE(old.ok());
  CHECK(old->medium.empty());
  CHECK(old->clean_inbox_day == 0);
  CHECK(old->upload_counter == 77);
  REQUIRE(old->prekeys.size() == 2);
  CHECK(old->prekeys[1].keys.sk.equals(id.prekeys[1].keys.sk));
  // The next save writes version 2 with the same keys.
  const SecretBuffer upgraded = old->serialize();
  CHECK(upgraded.view()[7] == 2);
  CHECK(upgraded.equals(v2));
  // A version 1 file cut short or grown is still refused.
  CHECK_FALSE(AdviserIdentity::parse(ByteView(v1).first(v1.size() - 1)).ok());
  Bytes grown = v1;
  grown.push_back(0);
  CHECK_FALSE(AdviserIdentity::parse(grown).ok());
}

TEST_CASE("medium-term prekey wire form is exact", "[crypto][identity][prekeys]") {
  AdviserIdentity id = AdviserIdentity::generate();
  REQUIRE(id.rotate_medium(kDay));
  const SignedMediumPrekey m = id.medium.back().public_half();
  const Bytes wire = encode_medium_prekey(m);
  REQUIRE(wire.size() == kSignedMediumPrekeyBytes);
  auto back = decode_medium_prekey(wire);
  REQUIRE(back.ok());
  CHECK(back->pk == m.pk);
  CHECK(back->expires_day == m.expires_day);
  CHECK(back->signature == m.signature);
  CHECK(verify_medium_prekey(*back, id.sign.pk));
  for (std::size_t n = 0; n < wire.size(); ++n) CHECK_FALSE(decode_medium_prekey(ByteView(wire).first(n)).ok());
  Bytes longer = wire;
  longer.push_back(0);
  CHECK_FALSE(decode_medium_prekey(longer).ok());
}
