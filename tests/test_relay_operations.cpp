// Relay operations: proof of work (known answers, binding, one use,
// challenge rotation, difficulty under load), the get-policy operation,
// prekeys handed out oldest first, zero-prekey uploads, per-connection rate
// limits, relay key rotation and the serve lock.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "common.hpp"
#include "data_folder.hpp"
#include "log.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/identity.hpp"
#include "meldpunt/crypto/pow.hpp"
#include "meldpunt/protocol/wire.hpp"
#include "serve_settings.hpp"
#include "rate_limiter.hpp"
#include "relay_test_support.hpp"
#include "request_handler.hpp"

using namespace meldpunt;
using protocol::Frames;
using protocol::Op;

using meldpunt::test_support::views;

namespace {

template <std::size_t N>
FixedBytes<N> filled(std::uint8_t b) {
  FixedBytes<N> out{};
  out.fill(b);
  return out;
}

std::string hex(ByteView v) { return to_hex(v); }

// A handler on a real store whose clock the test moves.
struct World {
  test_support::TempDir dir{"meldpunt-relay-ops-"};
  store::RelayStore store{dir.path(), store::RelayStoreOptions{}};
  crypto::SigningKeyPair org = crypto::SigningKeyPair::generate();
  std::uint64_t now = 1'000'000;
  relay::RequestHandler handler;
  crypto::AdviserIdentity adviser = crypto::AdviserIdentity::generate();

  explicit World(relay::RelayPolicy policy) : handler(store, org.pk, policy) {
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

  // One valid deposit item (real clue) with its own envelope bytes.
  struct Item {
    Bytes envelope = test_support::random_bytes(crypto::kEnvelopeSizes[0]);
    protocol::DepositItem item;
    Item() {
      item.clue = crypto::make_clue(crypto::FetchKeyPair::generate().pk).value();
      crypto::random_fill(item.verifier);
      item.envelope = envelope;
    }
  };

  protocol::DepositPow solve(const protocol::DepositItem& item, const crypto::PowChallenge& challenge,
                             unsigned difficulty) {
    const std::vector<protocol::DepositItem> items{item};
    const crypto::PowHash body = crypto::pow_body_hash(protocol::pow_items(items));
    auto nonce = crypto::pow_solve(challenge, body, difficulty, std::uint64_t{1} << 32);
    REQUIRE(nonce);
    return {challenge, *nonce};
  }

  Frames deposit(const protocol::DepositItem& item, const protocol::DepositPow& pow) {
    return protocol::make_deposit_request(std::vector<protocol::DepositItem>{item}, pow);
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

relay::RelayPolicy policy_with(unsigned difficulty) {
  relay::RelayPolicy p;
  p.pricing.pow_difficulty = difficulty;
  p.pricing.pow_max_raise = 3;
  p.pricing.pow_raise_bytes = 4 * 4096;  // four letters per window
  p.pricing.pow_adjust_seconds = 60;
  p.pricing.challenge_seconds = 3600;
  p.pricing.prekeys_weight = 1;
  p.pricing.fetch_work_min = 256;
  return p;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("proof of work: known answers, as published in PROTOCOL.md", "[relay][pow]") {
  const FixedBytes<64> clue = filled<64>(0x01);
  const FixedBytes<32> verifier = filled<32>(0x02);
  const Bytes envelope(4096, 0x03);
  const crypto::PowChallenge challenge{filled<32>(0x04)};
  const crypto::PowItem item{clue, verifier, envelope};
  const crypto::PowHash body = crypto::pow_body_hash(std::span<const crypto::PowItem>(&item, 1));
  const std::string body_hex = "f14560abafc297bcf1c52a2d833d2e52cfc2495414ef2131b01238fbe073db32";
  const std::string digest0_hex = "d92957b672a40d2e8d69444e8cf5325e9c24ff859d5d63f35542cca8c43dfd6a";
  const std::string digest_hex = "000a40960aa35b5a2ecab7c8033a23de357e084ed5f4f16d872d5b8835380c19";
  const std::string challenge_hex = "d079b9b810d4e039ea1031765558c57be8ff07b09324cc845679d504cc8baff4";
  CHECK(hex(body) == body_hex);
  CHECK(hex(crypto::pow_digest(challenge, body, 0)) == digest0_hex);
  CHECK(hex(crypto::pow_digest(challenge, body, 2893)) == digest_hex);
  CHECK(crypto::pow_solve(challenge, body, 12, 1'000'000) == std::optional<std::uint64_t>(2893));
  CHECK(crypto::pow_meets(challenge, body, 2893, 12));
  CHECK_FALSE(crypto::pow_meets(challenge, body, 2893, 13));
  CHECK_FALSE(crypto::pow_solve(challenge, body, 12, 2893));  // budget ends just before it
  CHECK(hex(crypto::pow_challenge(crypto::Secret<32>::from(filled<32>(0x05)), 7)) == challenge_hex);

  const std::string doc = read_all(MELDPUNT_DOCS_DIR "/PROTOCOL.md");
  for (const std::string& v : {body_hex, digest0_hex, digest_hex, challenge_hex}) {
    INFO(v);
    CHECK(doc.find(v) != std::string::npos);
  }
}

TEST_CASE("proof of work: leading zero bits and binding to every byte", "[relay][pow]") {
  CHECK(crypto::leading_zero_bits(Bytes{0x00, 0x00, 0x80}) == 16);
  CHECK(crypto::leading_zero_bits(Bytes{0x00, 0x01}) == 15);
  CHECK(crypto::leading_zero_bits(Bytes{0x7f}) == 1);
  CHECK(crypto::leading_zero_bits(Bytes{0xff}) == 0);
  CHECK(crypto::leading_zero_bits(Bytes{0x00, 0x00}) == 16);
  CHECK_FALSE(crypto::pow_solve({}, {}, crypto::kMaxPowDifficulty + 1, 10));

  const FixedBytes<64> clue = filled<64>(0x11);
  const FixedBytes<32> verifier = filled<32>(0x22);
  const Bytes envelope(4096, 0x33);
  Bytes other = envelope;
  other[4095] ^= 1;
  const crypto::PowItem item{clue, verifier, envelope};
  const crypto::PowHash body = crypto::pow_body_hash(std::span<const crypto::PowItem>(&item, 1));
  const crypto::PowItem changed{clue, verifier, other};
  CHECK(crypto::pow_body_hash(std::span<const crypto::PowItem>(&changed, 1)) != body);
  // The order and split of the items matter too.
  const std::vector<crypto::PowItem> two{item, changed}, swapped{changed, item};
  CHECK(crypto::pow_body_hash(two) != crypto::pow_body_hash(swapped));
}

TEST_CASE("get-policy announces challenge, difficulty and retention", "[relay][pow]") {
  relay::RelayPolicy p = policy_with(6);
  p.retention_days = 45;
  p.retention_fuzz_days = 3;
  World w(p);
  const protocol::PolicyInfo info = w.policy();
  CHECK(info.difficulty == 6);
  CHECK(info.retention_days == 45);
  CHECK(info.retention_fuzz_days == 3);
  CHECK(w.policy().challenge == info.challenge);  // stable within a period

  // A client refuses a relay that asks for unbounded work.
  protocol::PolicyInfo greedy = info;
  greedy.difficulty = crypto::kMaxPowDifficulty + 1;
  CHECK(protocol::decode_policy(protocol::encode_policy(greedy)).error().code == ErrorCode::kTooLarge);
  auto fields = protocol::encode_policy(info);
  fields[2].pop_back();
  CHECK(protocol::decode_policy(fields).error().code == ErrorCode::kMalformed);
  CHECK(w.call(Frames{Bytes{protocol::kWireVersion, 9}, Bytes{1}}).status == ErrorCode::kMalformed);
}

TEST_CASE("get-policy announces the attachment limit, older and later replies still decode", "[relay][protocol]") {
  relay::RelayPolicy p = policy_with(0);
  CHECK(World(p).policy().max_attachment_bytes == protocol::kDefaultMaxAttachmentBytes);
  CHECK(protocol::kDefaultMaxAttachmentBytes == 10485760);
  p.max_attachment_bytes = 0;  // attachments off
  CHECK(World(p).policy().max_attachment_bytes == 0);
  // The relay never announces more than clients accept (that would stop every deposit).
  p.max_attachment_bytes = 2 * protocol::kMaxAttachmentBytesLimit;
  CHECK(World(p).policy().max_attachment_bytes == protocol::kMaxAttachmentBytesLimit);

  p.max_attachment_bytes = 123456789;
  World w(p);
  const protocol::PolicyInfo info = w.policy();
  CHECK(info.max_attachment_bytes == 123456789);
  // On the wire: a fifth field, u64 little-endian (123456789 = 0x075bcd15).
  std::vector<Bytes> fields = protocol::encode_policy(info);
  REQUIRE(fields.size() == 9);
  CHECK(hex(fields[4]) == "15cd5b0700000000");

  // An older relay sends the first four fields only: clients assume the default.
  std::vector<Bytes> older(fields.begin(), fields.begin() + 4);
  auto decoded = protocol::decode_policy(older);
  REQUIRE(decoded.ok());
  CHECK(decoded->max_attachment_bytes == protocol::kDefaultMaxAttachmentBytes);
  CHECK(decoded->challenge == info.challenge);
  CHECK(decoded->retention_days == info.retention_days);
  CHECK(!decoded->priced);
  // A relay from before prices: five fields, no prices.
  std::vector<Bytes> unpriced(fields.begin(), fields.begin() + 5);
  decoded = protocol::decode_policy(unpriced);
  REQUIRE(decoded.ok());
  CHECK(!decoded->priced);
  CHECK(decoded->max_attachment_bytes == 123456789);
  // A later relay may append fields; this client ignores them.
  std::vector<Bytes> later = fields;
  later.push_back(Bytes{1, 2, 3});
  decoded = protocol::decode_policy(later);
  REQUIRE(decoded.ok());
  CHECK(decoded->max_attachment_bytes == 123456789);
  CHECK(decoded->priced);
  // Fewer than four fields, or a fifth of the wrong size, is malformed.
  std::vector<Bytes> short_reply(fields.begin(), fields.begin() + 3);
  CHECK(protocol::decode_policy(short_reply).error().code == ErrorCode::kMalformed);
  std::vector<Bytes> bad = fields;
  bad[4].pop_back();
  CHECK(protocol::decode_policy(bad).error().code == ErrorCode::kMalformed);
  // A client refuses a relay that would have it handle files above the bound.
  protocol::PolicyInfo greedy = info;
  greedy.max_attachment_bytes = protocol::kMaxAttachmentBytesLimit;
  CHECK(protocol::decode_policy(protocol::encode_policy(greedy)).ok());
  greedy.max_attachment_bytes = protocol::kMaxAttachmentBytesLimit + 1;
  CHECK(protocol::decode_policy(protocol::encode_policy(greedy)).error().code == ErrorCode::kTooLarge);
}

TEST_CASE("deposits need a fresh, sufficient, unused proof of work", "[relay][pow]") {
  World w(policy_with(8));
  const protocol::PolicyInfo info = w.policy();
  World::Item a, b;

  // None, or for another challenge: refused, nothing stored.
  CHECK(w.call(protocol::make_deposit_request(std::vector<protocol::DepositItem>{a.item})).status ==
        ErrorCode::kRateLimited);
  CHECK(w.call(w.deposit(a.item, w.solve(a.item, crypto::PowChallenge{filled<32>(7)}, 8))).status == ErrorCode::kRateLimited);
  // Too weak: a nonce whose digest has fewer than 8 zero bits.
  const std::vector<protocol::DepositItem> items{a.item};
  const crypto::PowHash body = crypto::pow_body_hash(protocol::pow_items(items));
  std::uint64_t weak = 0;
  while (crypto::pow_meets(info.challenge, body, weak, 1)) ++weak;
  CHECK(w.call(w.deposit(a.item, {info.challenge, weak})).status == ErrorCode::kRateLimited);
  // A proof for a's bytes does not cover b's. (One 8-bit proof meets
  // another body's 8 bits by chance once in 256: b's bytes are drawn again
  // then, or this check would fail for no fault of the relay.)
  const protocol::DepositPow for_a = w.solve(a.item, info.challenge, 8);
  const auto body_of = [](const protocol::DepositItem& item) {
    return crypto::pow_body_hash(protocol::pow_items(std::vector<protocol::DepositItem>{item}));
  };
  while (crypto::pow_meets(info.challenge, body_of(b.item), for_a.nonce, 8)) crypto::random_fill(b.envelope);
  CHECK(w.call(w.deposit(b.item, for_a)).status == ErrorCode::kRateLimited);
  CHECK(w.store.stats().messages == 0);
  CHECK(w.handler.counters().pow_refused == 4);

  CHECK(w.call(w.deposit(a.item, for_a)).status == ErrorCode::kOk);
  // The same proof again (a replayed request): refused.
  CHECK(w.call(w.deposit(a.item, for_a)).status == ErrorCode::kReplay);
  CHECK(w.store.stats().messages == 1);

  // After one rotation the previous challenge is still good; after two not.
  const protocol::DepositPow b_old = w.solve(b.item, info.challenge, 8);
  World::Item c;
  const protocol::DepositPow c_old = w.solve(c.item, info.challenge, 8);
  w.now += 3600;
  CHECK(w.policy().challenge != info.challenge);
  CHECK(w.call(w.deposit(b.item, b_old)).status == ErrorCode::kOk);
  CHECK(w.call(w.deposit(a.item, for_a)).status == ErrorCode::kReplay);  // still remembered
  w.now += 3600;
  CHECK(w.call(w.deposit(c.item, c_old)).status == ErrorCode::kRateLimited);
  CHECK(w.store.stats().messages == 2);
}

TEST_CASE("difficulty 0 turns proof of work off", "[relay][pow]") {
  World w(policy_with(0));
  CHECK(w.policy().difficulty == 0);
  World::Item a;
  CHECK(w.call(protocol::make_deposit_request(std::vector<protocol::DepositItem>{a.item})).status == ErrorCode::kOk);
}

TEST_CASE("difficulty rises under load, accepts the previous level, and falls back", "[relay][pow]") {
  relay::set_log_level(relay::LogLevel::kError);  // the changes are logged at info
  World w(policy_with(4));  // threshold 4 letters' bytes per 60 s window, at most +3
  auto flood_window = [&](int deposits) {
    for (int i = 0; i < deposits; ++i) {
      World::Item item;
      const protocol::PolicyInfo info = w.policy();
      REQUIRE(w.call(w.deposit(item.item, w.solve(item.item, info.challenge, info.difficulty))).status ==
              ErrorCode::kOk);
    }
    w.now += 60;
  };
  flood_window(5);
  CHECK(w.policy().difficulty == 5);
  flood_window(5);
  CHECK(w.policy().difficulty == 6);

  // A proof made at the level of the previous window still counts...
  World::Item late;
  const protocol::PolicyInfo now_info = w.policy();
  const std::vector<protocol::DepositItem> items{late.item};
  const crypto::PowHash body = crypto::pow_body_hash(protocol::pow_items(items));
  std::uint64_t nonce = 0;
  while (!(crypto::pow_meets(now_info.challenge, body, nonce, 5) && !crypto::pow_meets(now_info.challenge, body, nonce, 6))) ++nonce;
  CHECK(w.call(w.deposit(late.item, {now_info.challenge, nonce})).status == ErrorCode::kOk);
  // ...one below it does not.
  World::Item weak;
  const std::vector<protocol::DepositItem> weak_items{weak.item};
  const crypto::PowHash weak_body = crypto::pow_body_hash(protocol::pow_items(weak_items));
  nonce = 0;
  while (!(crypto::pow_meets(now_info.challenge, weak_body, nonce, 4) && !crypto::pow_meets(now_info.challenge, weak_body, nonce, 5))) ++nonce;
  CHECK(w.call(w.deposit(weak.item, {now_info.challenge, nonce})).status == ErrorCode::kRateLimited);

  flood_window(5);
  flood_window(5);
  CHECK(w.policy().difficulty == 7);  // capped at base + 3
  // Quiet: one bit per window back to the base, also over windows without requests.
  w.now += 60;
  CHECK(w.policy().difficulty == 6);
  w.now += 10 * 60;
  CHECK(w.policy().difficulty == 4);
  relay::set_log_level(relay::LogLevel::kInfo);
}

TEST_CASE("prekeys are handed out oldest upload first, a zero-prekey upload reads the count", "[relay][store]") {
  World w(policy_with(0));
  w.publish();
  std::vector<crypto::SignedPrekey> first = w.adviser.make_prekeys(3), second = w.adviser.make_prekeys(3);
  // Make the newer upload's keys sort lowest, so that an order by key would
  // hand them out first.
  std::sort(first.begin(), first.end(), [](const auto& x, const auto& y) { return x.pk > y.pk; });
  std::sort(second.begin(), second.end(), [](const auto& x, const auto& y) { return x.pk < y.pk; });
  REQUIRE(w.call(protocol::make_prekey_upload_request(w.adviser.sign, 10, first)).status == ErrorCode::kOk);
  auto up = w.call(protocol::make_prekey_upload_request(w.adviser.sign, 11, second));
  REQUIRE(up.status == ErrorCode::kOk);
  CHECK(read_u32_le(up.fields.at(0).data()) == 6);

  std::vector<crypto::X25519PublicKey> order;
  for (int i = 0; i < 4; ++i) {
    auto reply = w.call(test_support::paid_request(w.handler, Op::kGetPrekeys));
    auto bundle = protocol::decode_bundle(reply.fields.at(0)).value();
    REQUIRE(bundle.size() == 1);
    REQUIRE(bundle[0].prekey.has_value());
    order.push_back(bundle[0].prekey->pk);
  }
  CHECK(order[0] == first[0].pk);
  CHECK(order[1] == first[1].pk);
  CHECK(order[2] == first[2].pk);
  CHECK(order[3] == second[0].pk);

  // Zero prekeys: signed and counter-protected, stores nothing, reports 2 left.
  auto count = w.call(protocol::make_prekey_upload_request(w.adviser.sign, 12, {}));
  REQUIRE(count.status == ErrorCode::kOk);
  CHECK(read_u32_le(count.fields.at(0).data()) == 2);
  CHECK(w.call(protocol::make_prekey_upload_request(w.adviser.sign, 12, {})).status == ErrorCode::kReplay);
  const crypto::AdviserIdentity stranger = crypto::AdviserIdentity::generate();
  CHECK(w.call(protocol::make_prekey_upload_request(stranger.sign, 13, {})).status == ErrorCode::kUnauthorised);
  Frames forged = protocol::make_prekey_upload_request(w.adviser.sign, 14, {});
  forged.back()[0] ^= 1;
  CHECK(w.call(forged).status == ErrorCode::kUnauthorised);
  CHECK(w.store.prekey_count(store::PublicKeyBytes{w.adviser.sign.pk.bytes}) == 2);
  CHECK(w.store.check().empty());
}

TEST_CASE("wire: deposit with a proof field, and its bounds", "[relay][protocol]") {
  World::Item a;
  const protocol::DepositPow pow{filled<32>(9), 0x0102030405060708ull};
  const Frames frames = protocol::make_deposit_request(std::vector<protocol::DepositItem>{a.item}, pow);
  REQUIRE(frames.size() == 5);
  CHECK(frames[1].size() == 40);
  auto parsed = protocol::parse_request(views(frames));
  REQUIRE(parsed.ok());
  REQUIRE(parsed->pow);
  CHECK(parsed->pow->challenge == pow.challenge);
  CHECK(parsed->pow->nonce == pow.nonce);
  Frames bad = frames;
  bad[1].pop_back();
  CHECK(protocol::parse_request(views(bad)).error().code == ErrorCode::kMalformed);
  // 16 deposits with a proof fit; the frame bound follows.
  const Frames full = protocol::make_deposit_request(
      std::vector<protocol::DepositItem>(protocol::kMaxDepositsPerRequest, a.item), pow);
  CHECK(full.size() == protocol::kMaxRequestFrames);
  CHECK(protocol::parse_request(views(full)).ok());
}

TEST_CASE("rate limiter: per connection, refills, bounded memory", "[relay]") {
  relay::RateLimiter limiter({10, 20, 3});
  int allowed = 0;
  for (int i = 0; i < 30; ++i) allowed += limiter.allow("a", 1, 0) ? 1 : 0;
  CHECK(allowed == 20);                    // the burst, then nothing
  CHECK(limiter.allow("b", 1, 0));        // another connection has its own bucket
  CHECK_FALSE(limiter.allow("a", 1, 0.05));
  CHECK(limiter.allow("a", 1, 0.2));       // 0.2 s at 10/s refilled 2 tokens
  CHECK_FALSE(limiter.allow("a", 30, 100));  // a cost above the burst never passes
  for (int i = 0; i < 25; ++i) (void)limiter.allow("b", 1, 0);
  for (int i = 0; i < 25; ++i) (void)limiter.allow("c", 1, 0);
  CHECK(limiter.tracked() == 3);
  // Full, nothing idle: a new connection starts with an empty bucket.
  CHECK_FALSE(limiter.allow("d", 1, 0.3));
  CHECK(limiter.tracked() <= 3);
  relay::RateLimiter off({0, 1, 1});
  for (int i = 0; i < 100; ++i) REQUIRE(off.allow("x", 1000, 0));
}

TEST_CASE("relay key rotation keeps the previous key until retired", "[relay]") {
  test_support::TempDir dir{"meldpunt-relay-keys-"};
  relay::DataFolder folder{dir.path() / "data"};
  const crypto::SigningKeyPair org = crypto::SigningKeyPair::generate();
  REQUIRE(folder.initialise(org.pk).ok());
  const auto first = folder.load_keys().value().public_key;
  CHECK_FALSE(folder.load_old_keys().value().has_value());
  CHECK(folder.retire_old_key().error().code == ErrorCode::kNotFound);

  REQUIRE(folder.rotate_key().ok());
  const auto second = folder.load_keys().value().public_key;
  CHECK(second != first);
  auto old = folder.load_old_keys();
  REQUIRE(old.ok());
  REQUIRE(old->has_value());
  CHECK((*old)->public_key == first);
  // One overlap at a time.
  CHECK_FALSE(folder.rotate_key().ok());
  CHECK(folder.load_keys().value().public_key == second);

  REQUIRE(folder.retire_old_key().ok());
  CHECK_FALSE(std::filesystem::exists(folder.old_key_file()));
  REQUIRE(folder.rotate_key().ok());
  CHECK(folder.load_old_keys().value().value().public_key == second);
}

TEST_CASE("one serving process per data folder", "[relay]") {
  test_support::TempDir dir{"meldpunt-relay-lock-"};
  relay::DataFolder folder{dir.path()};
  auto first = relay::lock_data_folder(folder);
  REQUIRE(first.ok());
  CHECK(relay::lock_data_folder(folder).error().code == ErrorCode::kUnavailable);
  { os::FolderLock moved = std::move(first).value(); }
  CHECK(relay::lock_data_folder(folder).ok());
}

TEST_CASE("the data folder's lock file is never followed through a symlink", "[relay]") {
  test_support::TempDir dir{"meldpunt-relay-lock-link-"};
  relay::DataFolder folder{dir.path() / "data"};
  std::filesystem::create_directory(folder.root);
  std::filesystem::create_symlink(dir.path() / "elsewhere", folder.lock_file());
  auto lock = relay::lock_data_folder(folder);
  REQUIRE_FALSE(lock.ok());
  CHECK(lock.error().code == ErrorCode::kIo);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "elsewhere"));  // nothing created at the target
}

TEST_CASE("serve settings: an instance name is short and plain", "[relay]") {
  CHECK(relay::valid_instance_name("org-a"));
  CHECK(relay::valid_instance_name("Tweede_Kamer.2"));
  CHECK(relay::valid_instance_name(std::string(relay::kMaxInstanceNameLength, 'a')));
  CHECK_FALSE(relay::valid_instance_name(""));
  CHECK_FALSE(relay::valid_instance_name(std::string(relay::kMaxInstanceNameLength + 1, 'a')));
  for (const char* bad : {"org a", "../etc", "org/a", "org\na", "org\x1b[31m", "org\xc3\xa9", "org@a"}) {
    CHECK_FALSE(relay::valid_instance_name(bad));
  }
  relay::ServeSettings s;
  s.instance = "bad name";
  const auto problems = relay::validate(s);
  CHECK(std::any_of(problems.begin(), problems.end(), [](const std::string& p) { return p.rfind("instance", 0) == 0; }));
  s.instance = "org-b";
  CHECK(relay::effective_settings(s).find("instance = \"org-b\"\n") != std::string::npos);
}

TEST_CASE("serve settings: validation names each problem", "[relay]") {
  test_support::TempDir dir{"meldpunt-relay-cfg-"};
  relay::DataFolder folder{dir.path() / "data"};
  REQUIRE(folder.initialise(crypto::SigningKeyPair::generate().pk).ok());
  { store::RelayStore create(folder.store_dir(), store::RelayStoreOptions{}); }
  relay::ServeSettings s;
  s.data = folder.root;
  CHECK(relay::validate(s).empty());
  s.endpoint = "tcp://0.0.0.0";
  s.old_key_endpoint = "tcp://0.0.0.0:1";
  s.max_messages = relay::kMaxMessagesQuota + 1;
  s.pow_difficulty = 30;
  s.log_level = "loud";
  s.max_pending_fetches = 0;
  s.max_attachment_bytes = protocol::kMaxAttachmentBytesLimit + 1;
  const auto problems = relay::validate(s);
  CHECK(problems.size() == 6);
  const auto names = [&](std::string_view key) {
    return std::any_of(problems.begin(), problems.end(), [&](const std::string& p) { return p.find(key) != p.npos; });
  };
  CHECK(names("max-pending-fetches"));
  CHECK(names("max-attachment-bytes"));
  s.max_pending_fetches = relay::kMaxPendingFetchesLimit;
  s.max_attachment_bytes = protocol::kMaxAttachmentBytesLimit;
  CHECK(relay::validate(s).size() == 4);
  s = relay::ServeSettings{};
  s.data = dir.path() / "missing";
  CHECK_FALSE(relay::validate(s).empty());
  const std::string defaults = relay::effective_settings(relay::ServeSettings{});
  CHECK(defaults.find("pow-difficulty = 20") != std::string::npos);
  CHECK(defaults.find("max-pending-fetches = 32\n") != std::string::npos);
  CHECK(defaults.find("max-attachment-bytes = 10485760\n") != std::string::npos);
}
