// The relay's request handling against a real LMDB store: every operation's
// happy path, its refusals, and a storm of garbage that must only ever produce
// error replies.
#include <catch2/catch.hpp>

#include <set>

#include "common.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/identity.hpp"
#include "meldpunt/crypto/pow.hpp"
#include "meldpunt/protocol/wire.hpp"
#include "relay_test_support.hpp"
#include "request_handler.hpp"

using namespace meldpunt;
using protocol::Frames;
using protocol::Op;

using meldpunt::test_support::views;

namespace {

// Proof of work as in production, at a difficulty cheap enough for tests.
relay::RelayPolicy low_pow_policy() {
  relay::RelayPolicy policy;
  policy.pricing.pow_difficulty = 8;
  policy.pricing.prekeys_weight = 1;
  policy.pricing.fetch_work_min = 256;
  policy.pricing.fetch_work_per_message = 1;
  return policy;
}

struct Fixture {
  test_support::TempDir dir{"meldpunt-relay-test-"};
  store::RelayStore store{dir.path(), store::RelayStoreOptions{}};
  crypto::SigningKeyPair org = crypto::SigningKeyPair::generate();
  relay::RequestHandler handler{store, org.pk, low_pow_policy()};
  crypto::AdviserIdentity adviser = crypto::AdviserIdentity::generate();
  crypto::DirectoryEntry entry;

  Fixture() {
    crypto::random_fill(entry.id);
    entry.name = "Anna";
    entry.sign_pk = adviser.sign.pk;
    entry.message_pk = adviser.message.pk;
    entry.fetch_pk = adviser.fetch.pk;
  }

  // Runs one request; deposits are committed at once (a group of one).
  protocol::Reply call(const Frames& request) { return test_support::call_handler(handler, request); }

  Bytes signed_directory(std::uint64_t serial, const crypto::SigningKeyPair& key) {
    crypto::Directory d;
    d.org_sign_pk = key.pk;
    d.serial = serial;
    d.entries = {entry};
    return crypto::sign_directory(d, key).value();
  }

  // A deposit request with the proof of work the relay currently asks for.
  Frames deposit_request(const std::vector<protocol::DepositItem>& items) {
    auto policy = protocol::decode_policy(call(protocol::request_header_only(Op::kGetPolicy)).fields);
    REQUIRE(policy.ok());
    const crypto::PowHash body = crypto::pow_body_hash(protocol::pow_items(items));
    auto nonce = crypto::pow_solve(policy->challenge, body, policy->difficulty, std::uint64_t{1} << 32);
    REQUIRE(nonce);
    return protocol::make_deposit_request(items, protocol::DepositPow{policy->challenge, *nonce});
  }

  void publish() { REQUIRE(call(protocol::make_publish_directory_request(signed_directory(1, org))).status == ErrorCode::kOk); }
};

}  // namespace

TEST_CASE("directory: only the organisation's, only newer serials", "[relay]") {
  Fixture f;
  CHECK(f.call(protocol::request_header_only(Op::kGetDirectory)).status == ErrorCode::kNotFound);
  const crypto::SigningKeyPair other = crypto::SigningKeyPair::generate();
  CHECK(f.call(protocol::make_publish_directory_request(f.signed_directory(1, other))).status ==
        ErrorCode::kUnauthorised);
  f.publish();
  CHECK(f.call(protocol::make_publish_directory_request(f.signed_directory(1, f.org))).status == ErrorCode::kReplay);
  CHECK(f.call(protocol::make_publish_directory_request(f.signed_directory(2, f.org))).status == ErrorCode::kOk);
  auto got = f.call(protocol::request_header_only(Op::kGetDirectory));
  REQUIRE(got.status == ErrorCode::kOk);
  CHECK(crypto::verify_directory(got.fields.at(0), f.org.pk).value().serial == 2);
}

TEST_CASE("prekeys: listed advisers only, signed, replay-protected, handed out once", "[relay]") {
  Fixture f;
  auto prekeys = f.adviser.make_prekeys(3);
  CHECK(f.call(protocol::make_prekey_upload_request(f.adviser.sign, 1, prekeys)).status == ErrorCode::kNotFound);
  f.publish();

  const crypto::AdviserIdentity stranger = crypto::AdviserIdentity::generate();
  CHECK(f.call(protocol::make_prekey_upload_request(stranger.sign, 1, prekeys)).status == ErrorCode::kUnauthorised);

  auto forged = prekeys;
  forged[0].pk[0] ^= 1;  // prekey no longer matches its signature
  CHECK(f.call(protocol::make_prekey_upload_request(f.adviser.sign, 1, forged)).status == ErrorCode::kUnauthorised);

  auto ok = f.call(protocol::make_prekey_upload_request(f.adviser.sign, 1, prekeys));
  REQUIRE(ok.status == ErrorCode::kOk);
  CHECK(read_u32_le(ok.fields.at(0).data()) == 3);
  CHECK(f.call(protocol::make_prekey_upload_request(f.adviser.sign, 1, prekeys)).status == ErrorCode::kReplay);

  std::set<crypto::X25519PublicKey> handed_out;
  for (int i = 0; i < 4; ++i) {
    auto reply = f.call(test_support::paid_request(f.handler, Op::kGetPrekeys));
    REQUIRE(reply.status == ErrorCode::kOk);
    auto bundle = protocol::decode_bundle(reply.fields.at(0)).value();
    if (i < 3) {
      REQUIRE(bundle.size() == 1);
      REQUIRE(bundle[0].prekey.has_value());
      CHECK(crypto::verify_prekey(*bundle[0].prekey, f.adviser.sign.pk));
      handed_out.insert(bundle[0].prekey->pk);
    } else {
      CHECK(bundle.empty());  // pool exhausted and no medium-term prekey: nothing to seal to
    }
  }
  CHECK(handed_out.size() == 3);
}

TEST_CASE("prekeys: the medium-term prekey is served to all, checked, never taken", "[relay]") {
  Fixture f;
  f.publish();
  f.handler.today = [] { return std::uint32_t{20'000}; };
  crypto::AdviserIdentity& adviser = f.adviser;
  REQUIRE(adviser.rotate_medium(20'000));
  const crypto::SignedMediumPrekey current = adviser.medium.back().public_half();
  CHECK(current.expires_day == 20'000 + crypto::kMediumPrekeyLifetimeDays);

  auto signed_medium = [&](std::uint32_t expires_day) {
    crypto::SignedMediumPrekey m{crypto::X25519KeyPair::generate().pk, expires_day, {}};
    m.signature = crypto::sign(crypto::kMediumPrekeyDomain, crypto::medium_prekey_message(m.pk, m.expires_day),
                               adviser.sign.sk);
    return m;
  };
  std::uint64_t counter = 1;
  auto upload = [&](std::vector<crypto::SignedPrekey> keys, std::optional<crypto::SignedMediumPrekey> m) {
    return f.call(protocol::make_prekey_upload_request(adviser.sign, counter++, keys, m)).status;
  };

  crypto::SignedMediumPrekey forged = current;
  forged.expires_day += 1;  // no longer what was signed
  CHECK(upload({}, forged) == ErrorCode::kUnauthorised);
  CHECK(upload({}, signed_medium(19'999)) == ErrorCode::kMalformed);  // expired already
  CHECK(upload({}, signed_medium(20'000 + crypto::kMediumPrekeyLifetimeDays + 2)) == ErrorCode::kMalformed);
  CHECK_FALSE(f.store.medium_prekey(store::PublicKeyBytes{adviser.sign.pk.bytes}).has_value());

  REQUIRE(upload(adviser.make_prekeys(1), current) == ErrorCode::kOk);
  for (int i = 0; i < 3; ++i) {
    auto reply = f.call(test_support::paid_request(f.handler, Op::kGetPrekeys));
    REQUIRE(reply.status == ErrorCode::kOk);
    auto bundle = protocol::decode_bundle(reply.fields.at(0)).value();
    REQUIRE(bundle.size() == 1);
    CHECK(bundle[0].prekey.has_value() == (i == 0));  // one one-time prekey, handed out once
    REQUIRE(bundle[0].medium.has_value());            // the medium-term one, every time
    CHECK(bundle[0].medium->pk == current.pk);
    CHECK(crypto::verify_medium_prekey(*bundle[0].medium, adviser.sign.pk));
  }
  // A replayed upload is refused by its counter: the held one stays.
  const Frames replayed = protocol::make_prekey_upload_request(adviser.sign, counter, {}, signed_medium(20'003));
  CHECK(f.call(replayed).status == ErrorCode::kOk);
  const crypto::X25519PublicKey after_first = crypto::X25519PublicKey{f.store.medium_prekey(store::PublicKeyBytes{adviser.sign.pk.bytes})->pk.bytes};
  ++counter;
  REQUIRE(upload({}, current) == ErrorCode::kOk);
  CHECK(f.call(replayed).status == ErrorCode::kReplay);
  CHECK(f.store.medium_prekey(store::PublicKeyBytes{adviser.sign.pk.bytes})->pk.bytes == current.pk.bytes);
  CHECK(after_first != current.pk);
  // The adviser's newest upload wins, even with an earlier expiry (restored
  // from an older backup, it holds only that one's secret); uploads without
  // one leave it as it is.
  const crypto::SignedMediumPrekey restored = signed_medium(current.expires_day - 1);
  CHECK(upload({}, restored) == ErrorCode::kOk);
  CHECK(upload({}, std::nullopt) == ErrorCode::kOk);
  CHECK(f.store.medium_prekey(store::PublicKeyBytes{adviser.sign.pk.bytes})->pk.bytes == restored.pk.bytes);
  CHECK(f.store.stats().medium_expires.at(store::PublicKeyBytes{adviser.sign.pk.bytes}) == restored.expires_day);
  CHECK(f.store.check().empty());
}

TEST_CASE("deposit, fetch, download, delete", "[relay]") {
  Fixture f;
  const crypto::FetchKeyPair recipient = crypto::FetchKeyPair::generate();
  const Bytes envelope = test_support::random_bytes(crypto::kEnvelopeSizes[0]);
  crypto::Secret<32> token = crypto::Secret<32>::random();
  protocol::DepositItem item;
  item.clue = crypto::make_clue(recipient.pk).value();
  item.verifier = crypto::delete_verifier(token);
  item.envelope = envelope;

  auto deposited = f.call(f.deposit_request({item}));
  REQUIRE(deposited.status == ErrorCode::kOk);
  REQUIRE(deposited.fields.size() == 1);

  // A fetch is padded, holds our entry exactly once, and a second fetch
  // shares no bytes with the first (re-randomised).
  auto fetch = [&] {
    auto reply = f.call(protocol::request_header_only(Op::kFetch));
    REQUIRE(reply.status == ErrorCode::kOk);
    return protocol::decode_fetch_entries(reply.fields.at(0)).value();
  };
  const auto first = fetch(), second = fetch();
  CHECK(first.size() == protocol::kFetchPadQuantum);
  std::vector<crypto::MessageId> mine;
  for (const auto& e : first) {
    if (auto id = crypto::recognise(e, recipient.sk)) mine.push_back(*id);
  }
  REQUIRE(mine.size() == 1);
  CHECK(Bytes(mine[0].begin(), mine[0].end()) == deposited.fields[0]);
  // The second frame lists the stored ids (decoys for get-message), sorted.
  {
    auto reply = f.call(protocol::request_header_only(Op::kFetch));
    REQUIRE(reply.fields.size() == 2);
    CHECK(protocol::decode_message_ids(reply.fields[1]).value() == std::vector<crypto::MessageId>{mine[0]});
  }
  std::set<crypto::FetchEntry> seen(first.begin(), first.end());
  for (const auto& e : second) CHECK(seen.count(e) == 0);

  auto got = f.call(protocol::make_get_message_request(mine[0]));
  REQUIRE(got.status == ErrorCode::kOk);
  CHECK(got.fields.at(0) == envelope);

  const crypto::Secret<32> wrong = crypto::Secret<32>::random();
  CHECK(f.call(protocol::make_delete_request(mine[0], wrong.view())).status == ErrorCode::kUnauthorised);
  CHECK(f.call(protocol::make_delete_request(mine[0], token.view())).status == ErrorCode::kOk);
  CHECK(f.call(protocol::make_get_message_request(mine[0])).status == ErrorCode::kNotFound);
  CHECK(f.call(protocol::make_delete_request(mine[0], token.view())).status == ErrorCode::kNotFound);
}

TEST_CASE("a deposit with an invalid clue is refused and stores nothing", "[relay]") {
  Fixture f;
  const Bytes envelope = test_support::random_bytes(crypto::kEnvelopeSizes[0]);
  protocol::DepositItem item;
  item.clue.fill(0xff);  // not a point
  item.envelope = envelope;
  CHECK(f.call(f.deposit_request({item})).status == ErrorCode::kMalformed);
  CHECK(f.store.stats().messages == 0);
}

TEST_CASE("garbage requests only ever produce error replies", "[relay]") {
  Fixture f;
  f.publish();
  for (int i = 0; i < 20000; ++i) {
    Frames request;
    const std::size_t frames = crypto::random_below(6);
    for (std::size_t k = 0; k < frames; ++k) {
      static constexpr std::size_t kSizes[] = {0, 1, 2, 16, 32, 64, 96, 4096};
      request.push_back(test_support::random_bytes(kSizes[crypto::random_below(8)]));
    }
    if (!request.empty() && request[0].size() == 2 && crypto::random_below(2) == 0) {
      request[0][0] = protocol::kWireVersion;  // reach the per-operation parsers too
      request[0][1] = static_cast<std::uint8_t>(crypto::random_below(10));
    }
    auto outcome = f.handler.handle(views(request));
    if (outcome.deposit) continue;  // random bytes can form a valid deposit only with valid points: fine
    auto reply = protocol::parse_reply(views(outcome.reply));
    REQUIRE(reply.ok());
  }
  CHECK(f.store.stats().messages == 0);
  CHECK(f.store.check().empty());
}
