// Prices (relay/src/pricing.hpp, docs/PROTOCOL.md "Prices"): a proof stands
// for a number of digests; deposits pay per envelope and size class, and a
// class's price rises on the bytes stored, not on requests; fetches pay per
// stored message and more when the queue is long; get-prekeys pays more as
// a pool empties; the letters' reserve of the store.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>

#include "common.hpp"
#include "log.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/identity.hpp"
#include "meldpunt/crypto/random.hpp"
#include "meldpunt/crypto/sign.hpp"
#include "relay_test_support.hpp"

using namespace meldpunt;
using protocol::Frames;
using protocol::Op;

namespace {

std::string hex(ByteView v) { return to_hex(v); }

template <std::size_t N>
FixedBytes<N> filled(std::uint8_t b) {
  FixedBytes<N> out{};
  out.fill(b);
  return out;
}

// A handler on a real store whose clock the test moves.
struct World {
  test_support::TempDir dir{"meldpunt-pricing-"};
  store::RelayStore store;
  crypto::SigningKeyPair org = crypto::SigningKeyPair::generate();
  std::uint64_t now = 1'000'000;
  relay::RequestHandler handler;
  crypto::AdviserIdentity adviser = crypto::AdviserIdentity::generate();

  explicit World(relay::RelayPolicy policy, store::RelayStoreOptions options = {})
      : store(dir.path(), options), handler(store, org.pk, policy) {
    handler.seconds_now = [this] { return now; };
  }

  protocol::Reply call(const Frames& request) { return test_support::call_handler(handler, request); }

  protocol::PolicyInfo policy() {
    auto reply = call(protocol::request_header_only(Op::kGetPolicy));
    REQUIRE(reply.status == ErrorCode::kOk);
    auto info = protocol::decode_policy(reply.fields);
    REQUIRE(info.ok());
    return *info;
  }

  struct Item {
    Bytes envelope;
    protocol::DepositItem item;
    explicit Item(std::size_t size = 4096) : envelope(test_support::random_bytes(size)) {
      item.clue = crypto::make_clue(crypto::FetchKeyPair::generate().pk).value();
      crypto::random_fill(item.verifier);
      item.envelope = envelope;
    }
  };

  // A nonce whose digest meets `work` but not `work * 2` would be too
  // lucky to test "just enough": returns one meeting `work` exactly as
  // asked, and (if `below` is non-zero) failing `below`.
  static std::uint64_t nonce_for(const crypto::PowChallenge& c, const crypto::PowHash& body, std::uint64_t work,
                                 std::uint64_t below = 0) {
    for (std::uint64_t n = crypto::random_below(UINT32_MAX);; ++n) {
      const crypto::PowHash d = crypto::pow_digest(c, body, n);
      if (crypto::digest_meets_work(d, work) && (below == 0 || !crypto::digest_meets_work(d, below))) return n;
    }
  }

  Frames deposit(std::vector<protocol::DepositItem> items, std::uint64_t work, std::uint64_t below = 0) {
    const protocol::PolicyInfo info = policy();
    const crypto::PowHash body = crypto::pow_body_hash(protocol::pow_items(items));
    return protocol::make_deposit_request(items, {info.challenge, nonce_for(info.challenge, body, work, below)});
  }

  Frames priced(Op op, std::uint64_t work, std::uint64_t below = 0) {
    const protocol::PolicyInfo info = policy();
    const crypto::PowHash body = crypto::pow_request_body(static_cast<std::uint8_t>(op));
    return protocol::make_priced_request(op, {info.challenge, nonce_for(info.challenge, body, work, below)});
  }

  void publish() {
    crypto::DirectoryEntry entry;
    crypto::random_fill(entry.id);
    entry.name = "Anna";
    entry.sign_pk = adviser.sign.pk;
    entry.message_pk = adviser.message.pk;
    entry.fetch_pk = adviser.fetch.pk;
    crypto::Directory d;
    d.org_sign_pk = org.pk;
    d.serial = 1;
    d.entries = {entry};
    REQUIRE(call(protocol::make_publish_directory_request(crypto::sign_directory(d, org).value())).status ==
            ErrorCode::kOk);
  }
};

relay::RelayPolicy small_prices() {
  relay::RelayPolicy p;
  p.pricing.pow_difficulty = 6;  // a letter: 64 digests
  p.pricing.pow_max_raise = 4;
  p.pricing.pow_raise_bytes = 1 << 20;
  p.pricing.pow_adjust_seconds = 60;
  p.pricing.fetch_work_min = 100;
  p.pricing.fetch_work_per_message = 3;
  p.pricing.prekeys_weight = 40;  // 40 x 2^6 = 2560 digests with full pools
  return p;
}

}  // namespace

TEST_CASE("work: 2^d digests is d leading zero bits, any price in between", "[pow][pricing]") {
  const crypto::PowChallenge c{filled<32>(0x04)};
  const crypto::PowHash body = crypto::pow_request_body(4);
  for (std::uint64_t n = 0; n < 20000; ++n) {
    const crypto::PowHash d = crypto::pow_digest(c, body, n);
    for (unsigned bits : {0u, 1u, 5u, 9u, 12u}) {
      REQUIRE(crypto::digest_meets_work(d, crypto::work_of_bits(bits)) == (crypto::leading_zero_bits(d) >= bits));
    }
    // A digest meets every price up to the work it stands for, none above.
    const std::uint64_t w = crypto::work_of_digest(d);
    REQUIRE(crypto::digest_meets_work(d, w));
    if (w < UINT64_MAX) REQUIRE_FALSE(crypto::digest_meets_work(d, w + 1));
  }
  CHECK(crypto::digest_meets_work(crypto::pow_digest(c, body, 0), 0));  // free
  // The solver finds a nonce for a price that is not a power of two, on several threads.
  const auto nonce = crypto::pow_solve_work(c, body, 3000, std::uint64_t{1} << 30, 0, 3);
  REQUIRE(nonce);
  CHECK(crypto::digest_meets_work(crypto::pow_digest(c, body, *nonce), 3000));
  CHECK_FALSE(crypto::pow_solve_work(c, body, crypto::kMaxPowWork + 1, 10));
}

TEST_CASE("work: request bodies, as published in PROTOCOL.md", "[pow][pricing]") {
  CHECK(hex(crypto::pow_request_body(4)) == "5238719b7f32ad6ffe6cb8c86a7cd55947dc18988afe7401cc2be8e90114a3a4");
  CHECK(hex(crypto::pow_request_body(2)) == "fc06ce32b298d38140619312e96bf47c19425188d6e4dcd28c6d34a17a190260");
  const crypto::PowChallenge c{filled<32>(0x04)};
  const crypto::PowHash body = crypto::pow_request_body(4);
  // First nonce worth 1000 digests for challenge 32 x 0x04 (digest 003a13f0688d4b4e...).
  CHECK(*crypto::pow_solve_work(c, body, 1000, 1u << 20) == 1046);
}

TEST_CASE("wire: priced fetch and get-prekeys, nine-field policy", "[protocol][pricing]") {
  const Frames fetch = protocol::make_priced_request(Op::kFetch, {filled<32>(9), 0x0102030405060708});
  REQUIRE(fetch.size() == 2);
  CHECK(hex(fetch[1]) == hex(filled<32>(9)) + "0807060504030201");
  auto parsed = protocol::parse_request(test_support::views(fetch));
  REQUIRE(parsed.ok());
  REQUIRE(parsed->pow);
  CHECK(parsed->pow->nonce == 0x0102030405060708);
  Frames bad = fetch;
  bad[1].pop_back();
  CHECK(protocol::parse_request(test_support::views(bad)).error().code == ErrorCode::kMalformed);
  bad = fetch;
  bad.push_back(Bytes(40));
  CHECK(protocol::parse_request(test_support::views(bad)).error().code == ErrorCode::kMalformed);

  protocol::PolicyInfo info;
  info.priced = true;
  info.fetch_work = 0x1122;
  info.prekeys_work = 7;
  info.envelope_work = {1, 2, 3};
  info.stored_messages = 13400;
  std::vector<Bytes> fields = protocol::encode_policy(info);
  REQUIRE(fields.size() == 9);
  CHECK(hex(fields[5]) == "2211000000000000");
  CHECK(hex(fields[7]) == "010000000000000002000000000000000300000000000000");
  auto decoded = protocol::decode_policy(fields);
  REQUIRE(decoded.ok());
  CHECK(decoded->priced);
  CHECK(decoded->envelope_work[2] == 3);
  CHECK(decoded->stored_messages == 13400);
  // Six to eight fields: the prices come together or not at all.
  for (std::size_t n : {6u, 7u, 8u}) {
    CHECK(protocol::decode_policy(std::vector<Bytes>(fields.begin(), fields.begin() + static_cast<long>(n)))
              .error()
              .code == ErrorCode::kMalformed);
  }
  info.envelope_work[1] = crypto::kMaxPowWork + 1;
  CHECK(protocol::decode_policy(protocol::encode_policy(info)).error().code == ErrorCode::kTooLarge);

  // Deposit price: the sum over the envelopes of their class's price.
  info.envelope_work = {10, 20, 80};
  const std::vector<std::size_t> sizes{4096, 262144, 4096, 32768};
  CHECK(protocol::deposit_work(info, sizes) == 120);
  info.priced = false;  // a relay from before prices: 2^difficulty per request
  info.difficulty = 5;
  CHECK(protocol::deposit_work(info, sizes) == 32);
}

TEST_CASE("deposits pay per envelope and size class", "[relay][pricing]") {
  World w(small_prices());
  const protocol::PolicyInfo info = w.policy();
  CHECK(info.envelope_work == std::array<std::uint64_t, 3>{64, 128, 512});
  CHECK(info.difficulty == 6);
  World::Item big(262144), letter1, letter2;
  // One 256 KiB envelope costs 8 letters: a proof worth 7 is refused.
  CHECK(w.call(w.deposit({big.item}, 448, 512)).status == ErrorCode::kRateLimited);
  CHECK(w.call(w.deposit({big.item}, 512)).status == ErrorCode::kOk);
  // Two letters in one request cost two letters.
  CHECK(w.call(w.deposit({letter1.item, letter2.item}, 64, 128)).status == ErrorCode::kRateLimited);
  CHECK(w.call(w.deposit({letter1.item, letter2.item}, 128)).status == ErrorCode::kOk);
  CHECK(w.store.stats().messages == 3);
}

// The handler skips the proof check (and its hash of every envelope) when
// every class in a request is announced free: a free relay takes deposits
// with no proof or any proof, and a priced one still checks every request.
TEST_CASE("free deposits need no proof, priced ones are checked whatever they carry", "[relay][pricing]") {
  relay::RelayPolicy free_policy = small_prices();
  free_policy.pricing.pow_difficulty = 0;
  World free_relay(free_policy);
  CHECK(free_relay.policy().envelope_work == std::array<std::uint64_t, 3>{0, 0, 0});
  World::Item letter, big(262144);
  const std::vector<protocol::DepositItem> both{letter.item, big.item};
  CHECK(free_relay.call(protocol::make_deposit_request(both)).status == ErrorCode::kOk);
  World::Item letter2;
  protocol::DepositPow junk;
  crypto::random_fill(junk.challenge);
  junk.nonce = 7;
  const std::vector<protocol::DepositItem> one{letter2.item};
  CHECK(free_relay.call(protocol::make_deposit_request(one, junk)).status == ErrorCode::kOk);
  CHECK(free_relay.store.stats().messages == 3);

  World priced(small_prices());
  World::Item letter3;
  const std::vector<protocol::DepositItem> three{letter3.item};
  CHECK(priced.call(protocol::make_deposit_request(three)).status == ErrorCode::kRateLimited);
  CHECK(priced.call(protocol::make_deposit_request(three, junk)).status == ErrorCode::kRateLimited);
  CHECK(priced.store.stats().messages == 0);
}

TEST_CASE("a size class's price rises on its stored bytes, not on requests", "[relay][pricing]") {
  relay::set_log_level(relay::LogLevel::kError);
  World w(small_prices());  // raise at 1 MiB of one class per 60 s window
  // 200 letters in a window: many requests, 800 KiB: no raise.
  for (int i = 0; i < 200; ++i) {
    World::Item letter;
    REQUIRE(w.call(w.deposit({letter.item}, 64)).status == ErrorCode::kOk);
  }
  w.now += 60;
  CHECK(w.policy().envelope_work[0] == 64);
  // Eight requests of 16 x 256 KiB: 32 MiB in one window, 32 times the
  // threshold: that class rises by 1 + log2(32) = 6 bits, capped at 4; the
  // letters' price does not move.
  for (int r = 0; r < 8; ++r) {
    std::vector<World::Item> items;
    items.reserve(16);  // each item's view points into its own envelope: no reallocation
    for (int i = 0; i < 16; ++i) items.emplace_back(262144);
    std::vector<protocol::DepositItem> wire;
    for (const World::Item& i : items) wire.push_back(i.item);
    REQUIRE(w.call(w.deposit(wire, 16 * 512)).status == ErrorCode::kOk);
  }
  w.now += 60;
  const protocol::PolicyInfo raised = w.policy();
  CHECK(raised.envelope_work[2] == 512u << 4);
  CHECK(raised.envelope_work[0] == 64);
  CHECK(raised.envelope_work[1] == 128);
  CHECK(w.handler.pricing().raise_of_class(2) == 4);
  // Work made while the price was lower counts within one bit: a client
  // whose price rose while it worked keeps its work after a one-step rise;
  // proofs saved up at the old base price buy nothing.
  World::Item late(262144), saved(262144);
  CHECK(w.call(w.deposit({late.item}, 512 << 3, 512 << 4)).status == ErrorCode::kOk);
  CHECK(w.call(w.deposit({saved.item}, 512, 1024)).status == ErrorCode::kRateLimited);
  CHECK(w.call(w.deposit({saved.item}, 512 << 2, 512 << 3)).status == ErrorCode::kRateLimited);
  // Quiet windows bring it back, one bit each.
  w.now += 60 * 10;
  CHECK(w.policy().envelope_work[2] == 512);
  relay::set_log_level(relay::LogLevel::kInfo);
}

TEST_CASE("proofs saved up at a low price buy one burst, then the price rises within the window", "[relay][pricing]") {
  relay::set_log_level(relay::LogLevel::kError);
  relay::RelayPolicy policy = small_prices();
  policy.max_attachment_bytes = 1 << 20;  // burst allowance: two attachments, 2 MiB (raise at 1 MiB)
  World w(policy);
  // An attacker works while the price is at its base and keeps the proofs:
  // six requests of 16 x 256 KiB, each paid exactly at the base price.
  const protocol::PolicyInfo info = w.policy();
  REQUIRE(info.envelope_work[2] == 512);
  struct Saved {
    std::vector<World::Item> items;
    std::vector<protocol::DepositItem> wire;
    Frames request;
  };
  auto save = [&](std::uint64_t work, std::uint64_t below) {
    Saved s;
    s.items.reserve(16);  // each item's view points into its own envelope: no reallocation
    for (int i = 0; i < 16; ++i) s.items.emplace_back(262144);
    for (const World::Item& i : s.items) s.wire.push_back(i.item);
    const crypto::PowHash body = crypto::pow_body_hash(protocol::pow_items(s.wire));
    s.request = protocol::make_deposit_request(s.wire, {info.challenge, World::nonce_for(info.challenge, body, work, below)});
    return s;
  };
  std::vector<Saved> saved;
  for (int r = 0; r < 6; ++r) saved.push_back(save(16 * 512, 16 * 1024));
  // The first goes in at the window's price; its 4 MiB pass the 2 MiB burst
  // allowance, so the price rises at once by 1 + log2(2) = 2 bits, and the
  // saved-up proofs, one bit short even with the grace, are refused (with
  // the window's price held for the whole window all six went in).
  CHECK(w.call(saved[0].request).status == ErrorCode::kOk);
  CHECK(w.handler.pricing().raise_of_class(2) == 2);
  for (std::size_t r = 1; r < saved.size(); ++r) CHECK(w.call(saved[r].request).status == ErrorCode::kRateLimited);
  CHECK(w.store.stats().messages == 16);
  // A client whose price rose while it worked keeps its work within one bit.
  Saved one_bit_short = save(16 * 1024, 16 * 2048);
  CHECK(w.call(one_bit_short.request).status == ErrorCode::kOk);
  // 8 MiB now: 1 + log2(4) = 3 bits; one bit short of that is 2.
  CHECK(w.handler.pricing().raise_of_class(2) == 3);
  Saved two_bits_short = save(16 * 1024, 16 * 2048);
  CHECK(w.call(two_bits_short.request).status == ErrorCode::kRateLimited);
  const protocol::PolicyInfo now = w.policy();
  CHECK(now.envelope_work[2] == 512u << 3);
  CHECK(now.envelope_work[0] == 64);  // letters keep their price
  // The window's end keeps what the window raised (8 MiB against 1 MiB: 4
  // bits), so the price in force does not drop at the turn.
  w.now += 60;
  CHECK(w.handler.pricing().raise_of_class(2) == 4);
  relay::set_log_level(relay::LogLevel::kInfo);
}

TEST_CASE("fetches pay per stored message, more when the queue is long, at the announced price", "[relay][pricing]") {
  World w(small_prices());
  CHECK(w.policy().fetch_work == 100);  // empty store: the minimum
  std::vector<store::NewMessage> batch(200);
  const Bytes envelope(4096, 0);
  for (store::NewMessage& m : batch) {
    crypto::random_fill(m.id);
    m.clue = store::StoredClue{crypto::make_clue(crypto::FetchKeyPair::generate().pk).value().bytes};
    m.expiry_day = relay::days_since_epoch_now() + 60;
    m.envelope = envelope;
  }
  REQUIRE(w.store.deposit_batch(batch).ok());
  w.now += 11;  // past the 10 s grace of the price announced for the empty store
  CHECK(w.policy().fetch_work == 600);
  // One doubling per fetch waiting behind the running one.
  w.handler.set_fetch_load(5);  // one running, four waiting
  CHECK(w.policy().fetch_work == 9600);
  w.handler.set_fetch_load(30);  // at most fetch_max_load_bits (6) doublings
  CHECK(w.policy().fetch_work == 600 * 64);
  w.now += 11;
  w.handler.set_fetch_load(3);  // one running, two waiting
  CHECK(w.policy().fetch_work == 2400);

  // Without a proof, too little, or a get-prekeys proof: refused, counted.
  const Frames none = protocol::request_header_only(Op::kFetch);
  CHECK(w.handler.admit_fetch(test_support::views(none), 3).error().code == ErrorCode::kRateLimited);
  w.now += 11;
  w.policy();
  Frames weak = w.priced(Op::kFetch, 1200, 2400);
  CHECK(w.handler.admit_fetch(test_support::views(weak), 3).error().code == ErrorCode::kRateLimited);
  Frames wrong_op = w.priced(Op::kGetPrekeys, 2400);
  wrong_op[0][1] = static_cast<std::uint8_t>(Op::kFetch);
  CHECK(w.handler.admit_fetch(test_support::views(wrong_op), 3).error().code == ErrorCode::kRateLimited);
  // Enough: admitted once only, ranked at the price paid, whatever luck
  // made its digest worth more (so fetches paid alike are served in turn).
  Frames paid = w.priced(Op::kFetch, 2400);
  auto admitted = w.handler.admit_fetch(test_support::views(paid), 3);
  REQUIRE(admitted.ok());
  CHECK(*admitted == 2400);
  Frames lucky = w.priced(Op::kFetch, 2400 * 1000);  // a digest worth a thousand times the price
  auto lucky_rank = w.handler.admit_fetch(test_support::views(lucky), 3);
  REQUIRE(lucky_rank.ok());
  CHECK(*lucky_rank == 2400);
  CHECK(w.handler.admit_fetch(test_support::views(paid), 3).error().code == ErrorCode::kReplay);
  // A price announced within the grace period is honoured when the queue
  // has grown since: the client worked for what it was told.
  w.handler.set_fetch_load(0);
  w.now += 11;
  w.policy();  // announces 600
  Frames at_600 = w.priced(Op::kFetch, 600, 1200);
  w.now += 9;
  CHECK(w.handler.admit_fetch(test_support::views(at_600), 20).ok());
  w.handler.set_fetch_load(20);
  w.now += 11;
  Frames stale = w.priced(Op::kFetch, 600, 1200);
  CHECK(w.handler.admit_fetch(test_support::views(stale), 20).error().code == ErrorCode::kRateLimited);
  CHECK(w.handler.counters().pow_refused == 5);  // the proofs refused above, no more
}

TEST_CASE("get-prekeys is priced, dearer as the pool empties: draining 50 costs >= 60 s here", "[relay][pricing]") {
  World w(small_prices());
  w.publish();
  REQUIRE(w.call(protocol::make_prekey_upload_request(w.adviser.sign, 1, w.adviser.make_prekeys(50))).status ==
          ErrorCode::kOk);
  CHECK(w.call(protocol::request_header_only(Op::kGetPrekeys)).status == ErrorCode::kRateLimited);
  CHECK(w.store.prekey_count(store::PublicKeyBytes{w.adviser.sign.pk.bytes}) == 50);
  // Drain the pool, paying each announced price; sum the prices.
  std::uint64_t total = 0;
  for (int i = 0; i < 50; ++i) {
    const std::uint64_t price = w.policy().prekeys_work;
    const std::uint64_t left = 50 - static_cast<std::uint64_t>(i);
    CHECK(price == 2560 * std::min<std::uint64_t>(8, (50 + left - 1) / left));
    total += price;
    auto reply = w.call(w.priced(Op::kGetPrekeys, price));
    REQUIRE(reply.status == ErrorCode::kOk);
    w.now += 11;  // past the 10 s grace, so each request pays its own price
  }
  CHECK(w.store.prekey_count(store::PublicKeyBytes{w.adviser.sign.pk.bytes}) == 0);
  const double factor = static_cast<double>(total) / 2560.0;  // in units of the full-pool price
  CHECK(factor == 175.0);

  // The goal at the default price, from the digest rate measured here on
  // one core: draining one adviser's 50 one-time prekeys costs >= 60 s.
  const crypto::PowChallenge c{filled<32>(1)};
  const crypto::PowHash body = crypto::pow_request_body(2);
  const std::uint64_t tries = 1u << 21;
  const auto start = std::chrono::steady_clock::now();
  (void)crypto::pow_solve_work(c, body, crypto::kMaxPowWork, tries);
  const double rate = static_cast<double>(tries) /
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const relay::PricingPolicy defaults;
  const double full_pool_price = static_cast<double>(defaults.prekeys_weight) * std::ldexp(1.0, static_cast<int>(defaults.pow_difficulty));
  const double drain_seconds = factor * full_pool_price / rate;
  INFO("digests per second on one core: " << rate << "; draining 50 prekeys: " << drain_seconds << " s");
  CHECK(drain_seconds >= 60.0);
}

TEST_CASE("a flood of large envelopes cannot take the letters' reserve, a refused one spares its batch",
          "[relay][pricing][store]") {
  store::RelayStoreOptions options;
  options.max_envelope_bytes = 4 * 262144;  // 1 MiB
  options.letter_reserve_bytes = 262144;    // the last 256 KiB for letters
  relay::RelayPolicy policy = small_prices();
  policy.pricing.pow_difficulty = 0;
  World w(policy, options);
  for (int i = 0; i < 3; ++i) {
    World::Item big(262144);
    REQUIRE(w.call(protocol::make_deposit_request(std::vector<protocol::DepositItem>{big.item})).status ==
            ErrorCode::kOk);
  }
  World::Item fourth(262144);
  const protocol::Reply refused =
      w.call(protocol::make_deposit_request(std::vector<protocol::DepositItem>{fourth.item}));
  CHECK(refused.status == ErrorCode::kStorageFull);
  CHECK(refused.error_text.find("kept for letters") != std::string::npos);
  // Letters still fit, also in the same group commit as the refused attachment.
  World::Item letter, attachment(32768);
  // The prepared deposits point into their request frames: keep those alive.
  const Frames request_a = protocol::make_deposit_request(std::vector<protocol::DepositItem>{attachment.item});
  const Frames request_b = protocol::make_deposit_request(std::vector<protocol::DepositItem>{letter.item});
  const std::vector<ByteView> views_a = test_support::views(request_a), views_b = test_support::views(request_b);
  auto a = w.handler.handle(views_a);
  auto b = w.handler.handle(views_b);
  REQUIRE(a.deposit);
  REQUIRE(b.deposit);
  const std::vector<relay::PreparedDeposit> batch{*a.deposit, *b.deposit};
  const std::vector<Status> results = w.handler.commit_deposits(batch);
  REQUIRE(results.size() == 2);
  CHECK(results[0].error().code == ErrorCode::kStorageFull);
  CHECK(results[1].ok());
  CHECK(w.store.stats().messages == 4);
}
