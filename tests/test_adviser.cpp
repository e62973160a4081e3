// adviser-client core: the encrypted case store, the key file with the
// adviser's profile, and the terminal sanitiser for untrusted text.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "case_store.hpp"
#include "common.hpp"
#include "data_folder.hpp"
#include "inbox.hpp"
#include "key_file.hpp"
#include "meldpunt/client/mailbox.hpp"
#include "meldpunt/client/replay.hpp"
#include "meldpunt/crypto/passphrase_box.hpp"
#include "meldpunt/os/files.hpp"
#include "meldpunt/store/lmdb.hpp"
#include "meldpunt/store/relay_store.hpp"
#include "request_handler.hpp"
#include "server.hpp"
#include "text.hpp"

namespace fs = std::filesystem;
using namespace meldpunt;
using namespace meldpunt::adviser;
using meldpunt::test_support::TempDir;

namespace {

using test_support::random_fixed;
using test_support::random_as;

std::string text_of(const crypto::SecretBuffer& b) { return std::string(b.text()); }

IncomingReport make_report(const crypto::X25519PublicKey& reporter, const crypto::FetchPublicKey& fetch,
                           std::string_view body, std::uint64_t at) {
  IncomingReport r;
  r.relay_id = random_as<crypto::MessageId>();
  r.delete_token = random_fixed<32>();
  r.reporter_message_pk = reporter;
  r.reporter_fetch_pk = fetch;
  r.sent_at = at - 5;
  r.received_at = at;
  r.body = as_bytes(body);
  return r;
}

// True if `needle` occurs anywhere in the bytes of every file under `folder`.
bool folder_contains(const fs::path& folder, ByteView needle) {
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    auto bytes = os::read_file(entry.path(), 1u << 30);
    REQUIRE(bytes.ok());
    if (std::search(bytes->begin(), bytes->end(), needle.begin(), needle.end()) != bytes->end()) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("case store: reports, replies, read marks and status round trip", "[adviser]") {
  TempDir dir("meldpunt-adviser-test-");
  const auto key = crypto::Secret<32>::random();
  auto opened = CaseStore::open(dir.path(), key);
  REQUIRE(opened.ok());
  CaseStore& store = *opened;

  const auto reporter = random_as<crypto::X25519PublicKey>();
  const auto fetch = random_as<crypto::FetchPublicKey>();
  IncomingReport first = make_report(reporter, fetch, "First report: the cash box is short every Friday.", 1000);
  first.other_advisers.push_back({random_as<crypto::AdviserId>(), "Bram Jansen"});
  auto outcome = store.record_incoming(first);
  REQUIRE(outcome.ok());
  CHECK(outcome->stored);
  CHECK(outcome->case_key == store.case_key_for(reporter));

  auto outcome2 = store.record_incoming(make_report(reporter, fetch, "Second message, same reporter.", 2000));
  REQUIRE(outcome2.ok());
  CHECK(outcome2->case_key == outcome->case_key);
  REQUIRE(store.record_outgoing(outcome->case_key, 3000, 3001, random_as<crypto::MessageId>(), as_bytes("Thank you; noted.")).ok());

  // A second reporter makes a second case.
  const auto other_reporter = random_as<crypto::X25519PublicKey>();
  REQUIRE(store.record_incoming(make_report(other_reporter, random_as<crypto::FetchPublicKey>(), "Another matter.", 1500)).ok());

  auto cases = store.list_cases();
  REQUIRE(cases.ok());
  REQUIRE(cases->size() == 2);
  auto c = store.get_case(outcome->case_key);
  REQUIRE(c.ok());
  REQUIRE(c->has_value());
  const CaseRecord& rec = **c;
  CHECK(rec.status == CaseStatus::kNew);
  CHECK(rec.reporter_message_pk == reporter);
  CHECK(rec.reporter_fetch_pk == fetch);
  CHECK(rec.created_at == 1000);
  CHECK(rec.last_activity == 3001);
  CHECK(rec.unread == 2);
  CHECK(rec.next_sequence == 3);
  REQUIRE(rec.other_advisers.size() == 1);
  CHECK(rec.other_advisers[0].name == "Bram Jansen");
  CHECK(rec.id() == to_hex(outcome->case_key).substr(0, kCaseIdChars));

  auto messages = store.messages(rec.key);
  REQUIRE(messages.ok());
  REQUIRE(messages->size() == 3);
  CHECK((*messages)[0].direction == Direction::kIn);
  CHECK(text_of((*messages)[0].body) == "First report: the cash box is short every Friday.");
  CHECK((*messages)[0].sent_at == 995);
  CHECK((*messages)[0].relay_id == first.relay_id);
  CHECK(text_of((*messages)[1].body) == "Second message, same reporter.");
  CHECK((*messages)[2].direction == Direction::kOut);
  CHECK(text_of((*messages)[2].body) == "Thank you; noted.");
  CHECK((*messages)[2].sequence == 2);

  REQUIRE(store.mark_read(rec.key).ok());
  REQUIRE(store.change_status(rec.key, StatusAction::kStartWork, 4000).ok());
  auto after = store.get_case(rec.key);
  REQUIRE(after.ok());
  CHECK((*after)->unread == 0);
  CHECK((*after)->status == CaseStatus::kInProgress);

  // Prefix lookup: any case, at least 4 characters.
  auto found = store.find_case(rec.id().substr(0, 4));
  REQUIRE(found.ok());
  CHECK(found->key == rec.key);
  std::string upper = rec.id();
  std::transform(upper.begin(), upper.end(), upper.begin(), [](char ch) { return static_cast<char>(std::toupper(ch)); });
  CHECK(store.find_case(upper).ok());
  CHECK(store.find_case(rec.id().substr(0, 3)).error().code == ErrorCode::kMalformed);
  CHECK(store.find_case("zzzz").error().code == ErrorCode::kMalformed);
  const std::string absent = rec.id()[0] == '0' ? "1111" : "0000";
  auto missing = store.find_case(absent);
  // The other case could start with the same 4 characters only by chance (1 in 65536).
  if (!missing) CHECK(missing.error().code == ErrorCode::kNotFound);

  CHECK(store.record_outgoing(random_as<CaseKey>(), 1, 1, random_as<crypto::MessageId>(), as_bytes("x")).error().code ==
        ErrorCode::kNotFound);
}

TEST_CASE("case store: an ambiguous case id prefix is refused", "[adviser]") {
  TempDir dir("meldpunt-adviser-test-");
  const auto key = crypto::Secret<32>::random();
  auto store = CaseStore::open(dir.path(), key);
  REQUIRE(store.ok());
  // Find two reporters whose case keys share the first 4 hex characters
  // (birthday bound: a few hundred tries; keyed_name is cheap).
  std::map<std::string, crypto::X25519PublicKey> seen;
  std::optional<std::pair<crypto::X25519PublicKey, crypto::X25519PublicKey>> pair;
  for (int i = 0; i < 100000 && !pair; ++i) {
    const auto pk = random_as<crypto::X25519PublicKey>();
    const std::string prefix = to_hex(store->case_key_for(pk)).substr(0, 4);
    auto [it, inserted] = seen.emplace(prefix, pk);
    if (!inserted) pair.emplace(it->second, pk);
  }
  REQUIRE(pair);
  REQUIRE(store->record_incoming(make_report(pair->first, random_as<crypto::FetchPublicKey>(), "a", 10)).ok());
  REQUIRE(store->record_incoming(make_report(pair->second, random_as<crypto::FetchPublicKey>(), "b", 20)).ok());
  const std::string prefix = to_hex(store->case_key_for(pair->first)).substr(0, 4);
  auto ambiguous = store->find_case(prefix);
  REQUIRE_FALSE(ambiguous.ok());
  CHECK(ambiguous.error().code == ErrorCode::kMalformed);
  CHECK(ambiguous.error().message.find("ambiguous") != std::string::npos);
  // The full id tells them apart.
  auto exact = store->find_case(to_hex(store->case_key_for(pair->second)).substr(0, kCaseIdChars));
  REQUIRE(exact.ok());
  CHECK(exact->reporter_message_pk == pair->second);
}

TEST_CASE("case store: receiving is idempotent and deletions stay pending until done", "[adviser]") {
  TempDir dir("meldpunt-adviser-test-");
  const auto key = crypto::Secret<32>::random();
  auto store = CaseStore::open(dir.path(), key);
  REQUIRE(store.ok());
  const auto reporter = random_as<crypto::X25519PublicKey>();
  const IncomingReport report = make_report(reporter, random_as<crypto::FetchPublicKey>(), "only once", 100);

  auto first = store->record_incoming(report);
  REQUIRE(first.ok());
  CHECK(first->stored);
  auto pending = store->pending_deletes();
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 1);
  CHECK((*pending)[0].relay_id == report.relay_id);
  CHECK((*pending)[0].delete_token == report.delete_token);

  // The same relay message fetched again (a run that stopped before deleting).
  auto again = store->record_incoming(report);
  REQUIRE(again.ok());
  CHECK_FALSE(again->stored);
  auto msgs = store->messages(first->case_key);
  REQUIRE(msgs.ok());
  CHECK(msgs->size() == 1);

  REQUIRE(store->mark_deleted(report.relay_id).ok());
  pending = store->pending_deletes();
  REQUIRE(pending.ok());
  CHECK(pending->empty());
  // Still remembered after deletion: never stored twice.
  auto third = store->record_incoming(report);
  REQUIRE(third.ok());
  CHECK_FALSE(third->stored);
  CHECK(store->mark_deleted(random_as<crypto::MessageId>()).error().code == ErrorCode::kNotFound);
}

TEST_CASE("case store: an inbox run's deletions are marked in one commit, all or none", "[adviser]") {
  TempDir dir("meldpunt-adviser-test-");
  const auto key = crypto::Secret<32>::random();
  auto store = CaseStore::open(dir.path(), key);
  REQUIRE(store.ok());
  std::vector<crypto::MessageId> ids;
  for (std::uint64_t i = 0; i < 3; ++i) {
    const IncomingReport report = make_report(random_as<crypto::X25519PublicKey>(), random_as<crypto::FetchPublicKey>(), "one of three", 100 + i);
    REQUIRE(store->record_incoming(report)->stored);
    ids.push_back(report.relay_id);
  }
  // One id the store never held: nothing is marked.
  std::vector<crypto::MessageId> with_stranger = ids;
  with_stranger.insert(with_stranger.begin() + 1, random_as<crypto::MessageId>());
  CHECK(store->mark_deleted(with_stranger).error().code == ErrorCode::kNotFound);
  CHECK(store->pending_deletes()->size() == 3);
  // Two of them, then all three (one already done): none pending.
  REQUIRE(store->mark_deleted(std::span<const crypto::MessageId>(ids.data(), 2)).ok());
  REQUIRE(store->pending_deletes()->size() == 1);
  CHECK(store->pending_deletes()->front().relay_id == ids[2]);
  REQUIRE(store->mark_deleted(ids).ok());
  CHECK(store->pending_deletes()->empty());
  CHECK(store->mark_deleted(std::vector<crypto::MessageId>{}).ok());
}

TEST_CASE("case store: a replayed letter is recognised by its delete token, not its relay id", "[adviser][replay]") {
  TempDir dir("meldpunt-adviser-test-");
  const auto key = crypto::Secret<32>::random();
  auto store = CaseStore::open(dir.path(), key);
  REQUIRE(store.ok());
  const IncomingReport report = make_report(random_as<crypto::X25519PublicKey>(), random_as<crypto::FetchPublicKey>(), "only once", 100);
  REQUIRE(store->record_incoming(report)->stored);
  REQUIRE(store->mark_deleted(report.relay_id).ok());  // the token is wiped from the relay record

  IncomingReport replay = make_report(report.reporter_message_pk, report.reporter_fetch_pk, "only once", 200);
  replay.delete_token = report.delete_token;  // the same letter under a new relay id
  auto outcome = store->record_incoming(replay);
  REQUIRE(outcome.ok());
  CHECK_FALSE(outcome->stored);
  CHECK(outcome->replayed);
  CHECK(store->messages(outcome->case_key)->size() == 1);
  // Still known after reopening.
  store = CaseStore::open(dir.path(), key);
  REQUIRE(store.ok());
  CHECK(store->record_incoming(replay)->replayed);
  // Another letter of the same reporter is stored.
  auto next = store->record_incoming(make_report(report.reporter_message_pk, report.reporter_fetch_pk, "next", 300));
  CHECK(next->stored);
}

TEST_CASE("replays: the reporter keeps one letter per sender and delete token", "[reporter][replay]") {
  std::vector<client::ReceivedLetter> letters(4);
  const auto sender = random_as<crypto::X25519PublicKey>();
  for (auto& l : letters) {
    l.sender_pk = sender;
    l.id = random_as<crypto::MessageId>();
    l.letter.delete_token = random_fixed<32>();
  }
  letters[2].letter.delete_token = letters[0].letter.delete_token;  // a copy of the first
  letters[3].letter.delete_token = letters[0].letter.delete_token;
  letters[3].sender_pk = random_as<crypto::X25519PublicKey>();  // same token, other sender: another letter
  const auto second_id = letters[1].id;
  CHECK(client::drop_replayed(letters) == 1);
  REQUIRE(letters.size() == 3);
  CHECK(letters[1].id == second_id);
}

TEST_CASE("case store: survives reopening and refuses another key", "[adviser]") {
  TempDir dir("meldpunt-adviser-test-");
  const auto key = crypto::Secret<32>::random();
  const auto reporter = random_as<crypto::X25519PublicKey>();
  CaseKey case_key{};
  {
    auto store = CaseStore::open(dir.path(), key);
    REQUIRE(store.ok());
    auto outcome = store->record_incoming(make_report(reporter, random_as<crypto::FetchPublicKey>(), "kept across restarts", 42));
    REQUIRE(outcome.ok());
    case_key = outcome->case_key;
  }
  {
    auto store = CaseStore::open(dir.path(), key);
    REQUIRE(store.ok());
    auto msgs = store->messages(case_key);
    REQUIRE(msgs.ok());
    REQUIRE(msgs->size() == 1);
    CHECK(text_of((*msgs)[0].body) == "kept across restarts");
    CHECK(store->case_key_for(reporter) == case_key);
  }
  {
    const auto other = crypto::Secret<32>::random();
    auto store = CaseStore::open(dir.path(), other);
    REQUIRE_FALSE(store.ok());
    CHECK(store.error().code == ErrorCode::kUnauthorised);
  }
}

TEST_CASE("case store: the file holds no plaintext, reporter key or name", "[adviser]") {
  TempDir dir("meldpunt-adviser-test-");
  const auto key = crypto::Secret<32>::random();
  const auto reporter = random_as<crypto::X25519PublicKey>();
  const auto fetch = random_as<crypto::FetchPublicKey>();
  const std::string body = "Plaintext marker 7f3a: my manager falsifies the safety inspections.";
  const std::string reply = "Reply marker 91bc: can you tell me which inspections?";
  const std::string colleague = "Colleague Name Marker";
  CaseKey case_key{};
  {
    auto store = CaseStore::open(dir.path(), key);
    REQUIRE(store.ok());
    IncomingReport r = make_report(reporter, fetch, body, 500);
    r.other_advisers.push_back({random_as<crypto::AdviserId>(), colleague});
    auto outcome = store->record_incoming(r);
    REQUIRE(outcome.ok());
    case_key = outcome->case_key;
    REQUIRE(store->record_outgoing(case_key, 600, 600, random_as<crypto::MessageId>(), as_bytes(reply)).ok());
  }
  // Sanity: the scanner finds what is there (the opaque case key is).
  CHECK(folder_contains(dir.path(), case_key));
  CHECK_FALSE(folder_contains(dir.path(), as_bytes(body)));
  CHECK_FALSE(folder_contains(dir.path(), as_bytes("Plaintext marker")));
  CHECK_FALSE(folder_contains(dir.path(), as_bytes(reply)));
  CHECK_FALSE(folder_contains(dir.path(), as_bytes(colleague)));
  CHECK_FALSE(folder_contains(dir.path(), reporter));
  CHECK_FALSE(folder_contains(dir.path(), fetch));
}

TEST_CASE("case store: a value moved to another record does not open", "[adviser]") {
  TempDir dir("meldpunt-adviser-test-");
  const auto key = crypto::Secret<32>::random();
  CaseKey first_case{}, second_case{};
  {
    auto store = CaseStore::open(dir.path(), key);
    REQUIRE(store.ok());
    const auto reporter = random_as<crypto::X25519PublicKey>();
    auto a = store->record_incoming(make_report(reporter, random_as<crypto::FetchPublicKey>(), "message zero", 1));
    REQUIRE(a.ok());
    REQUIRE(store->record_incoming(make_report(reporter, random_as<crypto::FetchPublicKey>(), "message one", 2)).ok());
    auto b = store->record_incoming(make_report(random_as<crypto::X25519PublicKey>(), random_as<crypto::FetchPublicKey>(), "other case", 3));
    REQUIRE(b.ok());
    first_case = a->case_key;
    second_case = b->case_key;
    REQUIRE(store->messages(first_case)->size() == 2);
  }

  SECTION("message value copied over the next message of the same case") {
    {
      store::lmdb::Environment env(dir.path(), store::lmdb::EnvironmentOptions{});
      store::lmdb::Table messages = env.open_table("messages");
      Bytes key0(first_case.begin(), first_case.end()), key1 = key0;
      for (int i = 0; i < 8; ++i) key0.push_back(0), key1.push_back(i == 7 ? 1 : 0);
      REQUIRE(env.write([&](store::lmdb::WriteTxn& txn) -> Status {
                   auto v = messages.get(txn, key0);
                   REQUIRE(v);
                   const Bytes copy(v->begin(), v->end());
                   return messages.put(txn, key1, copy);
                 }).ok());
    }
    auto store = CaseStore::open(dir.path(), key);
    REQUIRE(store.ok());
    auto msgs = store->messages(first_case);
    REQUIRE_FALSE(msgs.ok());
    CHECK(msgs.error().code == ErrorCode::kUnauthorised);
  }

  SECTION("case record copied under another case key") {
    {
      store::lmdb::Environment env(dir.path(), store::lmdb::EnvironmentOptions{});
      store::lmdb::Table cases = env.open_table("cases");
      REQUIRE(env.write([&](store::lmdb::WriteTxn& txn) -> Status {
                   auto v = cases.get(txn, first_case);
                   REQUIRE(v);
                   const Bytes copy(v->begin(), v->end());
                   return cases.put(txn, second_case, copy);
                 }).ok());
    }
    auto store = CaseStore::open(dir.path(), key);
    REQUIRE(store.ok());
    CHECK(store->get_case(second_case).error().code == ErrorCode::kUnauthorised);
    CHECK(store->list_cases().error().code == ErrorCode::kUnauthorised);
    CHECK(store->get_case(first_case).ok());
  }

  SECTION("one flipped byte in a stored value") {
    {
      store::lmdb::Environment env(dir.path(), store::lmdb::EnvironmentOptions{});
      store::lmdb::Table cases = env.open_table("cases");
      REQUIRE(env.write([&](store::lmdb::WriteTxn& txn) -> Status {
                   auto v = cases.get(txn, first_case);
                   REQUIRE(v);
                   Bytes copy(v->begin(), v->end());
                   copy[copy.size() / 2] ^= 0x01;
                   return cases.put(txn, first_case, copy);
                 }).ok());
    }
    auto store = CaseStore::open(dir.path(), key);
    REQUIRE(store.ok());
    CHECK(store->get_case(first_case).error().code == ErrorCode::kUnauthorised);
    CHECK(store->get_case(second_case).ok());
  }
}

TEST_CASE("case store: record decoders reject malformed bytes", "[adviser]") {
  CaseRecord c;
  c.reporter_message_pk = random_as<crypto::X25519PublicKey>();
  c.reporter_fetch_pk = random_as<crypto::FetchPublicKey>();
  c.created_at = 7;
  c.last_activity = 8;
  c.unread = 2;
  c.next_sequence = 3;
  c.status = CaseStatus::kClosed;
  c.other_advisers.push_back({random_as<crypto::AdviserId>(), "Name"});
  const Bytes encoded = encode_case(c);
  auto decoded = decode_case(encoded);
  REQUIRE(decoded.ok());
  CHECK(decoded->status == CaseStatus::kClosed);
  CHECK(decoded->other_advisers[0].name == "Name");
  CHECK(decoded->next_sequence == 3);

  for (std::size_t cut = 0; cut < encoded.size(); ++cut) {
    CHECK_FALSE(decode_case(ByteView(encoded).first(cut)).ok());
  }
  Bytes trailing = encoded;
  trailing.push_back(0);
  CHECK_FALSE(decode_case(trailing).ok());
  Bytes bad_status = encoded;
  bad_status[1] = 9;
  CHECK_FALSE(decode_case(bad_status).ok());
  Bytes bad_version = encoded;
  bad_version[0] = 4;
  CHECK(decode_case(bad_version).error().code == ErrorCode::kUnsupportedVersion);
  // Version 3 ends with the hand-over fields; with empty names and no open
  // proposal they are: outcome (1), adviser (16), name (2), at (8), open
  // count (1), received at (8), from (16), name (2).
  constexpr std::size_t kHandoverTail = 1 + 16 + 2 + 8 + 1 + 8 + 16 + 2;
  Bytes bad_handover = encoded;
  bad_handover[encoded.size() - kHandoverTail] = 3;  // outcome beyond kDeclined
  CHECK_FALSE(decode_case(bad_handover).ok());
  Bytes too_many_open = encoded;
  too_many_open[encoded.size() - kHandoverTail + 1 + 16 + 2 + 8] = kMaxOpenProposals + 1;
  CHECK_FALSE(decode_case(too_many_open).ok());
  // A version-2 record (before hand-over) is the same without them: read as none.
  Bytes version2(encoded.begin(), encoded.end() - kHandoverTail);
  version2[0] = 2;
  auto old = decode_case(version2);
  REQUIRE(old.ok());
  CHECK(old->handover == HandoverOutcomeState::kNone);
  CHECK(old->open_proposals.empty());
  CHECK(old->next_sequence == c.next_sequence);

  // Hand-over fields round-trip.
  CaseRecord h = c;
  h.handover = HandoverOutcomeState::kDeclined;
  h.handover_adviser = random_as<crypto::AdviserId>();
  h.handover_adviser_name = "Bram";
  h.handover_at = 99;
  for (std::uint64_t i = 0; i < 2; ++i) {
    h.open_proposals.push_back({random_as<protocol::ProposalId>(), random_as<crypto::AdviserId>(), "Commissie", 100 + i});
  }
  h.received_at = 101;
  h.received_from = random_as<crypto::AdviserId>();
  h.received_from_name = "Anna";
  auto back = decode_case(encode_case(h));
  REQUIRE(back.ok());
  CHECK(back->handover == HandoverOutcomeState::kDeclined);
  CHECK(back->handover_adviser_name == "Bram");
  REQUIRE(back->open_proposals.size() == 2);
  CHECK(back->open_proposals[1].id == h.open_proposals[1].id);
  CHECK(back->open_proposals[1].at == 101);
  CHECK(back->received_from == h.received_from);
  CHECK(back->received_from_name == "Anna");

  MessageRecord m;
  m.direction = Direction::kOut;
  m.sent_at = 11;
  m.body = crypto::SecretBuffer::copy_of(std::string_view("hello"));
  const crypto::SecretBuffer em = encode_message(m);
  auto dm = decode_message(em.view());
  REQUIRE(dm.ok());
  CHECK(text_of(dm->body) == "hello");
  for (std::size_t cut = 0; cut < em.size(); ++cut) CHECK_FALSE(decode_message(em.view().first(cut)).ok());
  Bytes huge(em.view().begin(), em.view().end());
  // Body length field (after version, direction, 2 * u64, id) claims 4 GiB.
  const std::size_t length_at = 1 + 1 + 8 + 8 + 16;
  for (std::size_t i = 0; i < 4; ++i) huge[length_at + i] = 0xff;
  CHECK_FALSE(decode_message(huge).ok());
  CHECK(status_keyword(*parse_status("in-progress")) == "in-progress");
  CHECK_FALSE(parse_status("done").ok());
}

TEST_CASE("key file: profile and identity round trip, wrong passphrase, no overwrite", "[adviser]") {
  TempDir dir("meldpunt-adviser-test-");
  const fs::path path = dir.path() / "identity.key";
  const auto passphrase = crypto::SecretBuffer::copy_of(std::string_view("correct horse battery"));

  AdviserProfile profile;
  profile.id = random_as<crypto::AdviserId>();
  profile.role = crypto::Role::kExternalConfidentialAdviser;
  profile.name = "Anna de Vries";
  profile.description_nl = "Externe vertrouwenspersoon — ongewenst gedrag";
  profile.description_en = "External confidential adviser";
  crypto::AdviserIdentity identity = crypto::AdviserIdentity::generate();
  const auto sign_pk = identity.sign.pk;
  const auto message_pk = identity.message.pk;
  const auto fetch_pk = identity.fetch.pk;

  auto created = KeyFile::create(path, passphrase, crypto::KdfParams::insecure_for_tests(), profile,
                                 std::move(identity));
  REQUIRE(created.ok());
  CHECK((fs::status(path).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));

  // Changes are saved with the same box (no new Argon2id run).
  created->identity().make_prekeys(3);
  created->identity().upload_counter = 77;
  created->profile().relay_prekeys = 3;
  REQUIRE(created->save().ok());
  const auto prekey_pk = created->identity().prekeys.front().keys.pk;

  auto unlocked = KeyFile::unlock(path, passphrase);
  REQUIRE(unlocked.ok());
  CHECK(unlocked->profile().id == profile.id);
  CHECK(unlocked->profile().role == crypto::Role::kExternalConfidentialAdviser);
  CHECK(unlocked->profile().name == profile.name);
  CHECK(unlocked->profile().description_nl == profile.description_nl);
  CHECK(unlocked->profile().description_en == profile.description_en);
  CHECK(unlocked->profile().relay_prekeys == 3);
  CHECK(unlocked->identity().sign.pk == sign_pk);
  CHECK(unlocked->identity().message.pk == message_pk);
  CHECK(unlocked->identity().fetch.pk == fetch_pk);
  CHECK(unlocked->identity().upload_counter == 77);
  CHECK(unlocked->identity().prekeys.size() == 3);
  CHECK(unlocked->identity().find_prekey(prekey_pk) != nullptr);
  CHECK(unlocked->identity().store_key.equals(created->identity().store_key));

  const auto wrong = crypto::SecretBuffer::copy_of(std::string_view("correct horse battery!"));
  auto refused = KeyFile::unlock(path, wrong);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kUnauthorised);

  auto again = KeyFile::create(path, passphrase, crypto::KdfParams::insecure_for_tests(), profile,
                               crypto::AdviserIdentity::generate());
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == ErrorCode::kIo);
  // The original is untouched.
  CHECK(KeyFile::unlock(path, passphrase).ok());

  auto none = KeyFile::unlock(dir.path() / "absent.key", passphrase);
  CHECK(none.error().code == ErrorCode::kNotFound);

  // Neither the name nor the keys are readable in the file.
  auto raw = os::read_file(path, 1u << 20);
  REQUIRE(raw.ok());
  CHECK(std::search(raw->begin(), raw->end(), profile.name.begin(), profile.name.end()) == raw->end());
  CHECK(std::search(raw->begin(), raw->end(), sign_pk.begin(), sign_pk.end()) == raw->end());
}

TEST_CASE("key file: decoders are bounded and reject malformed contents", "[adviser]") {
  AdviserProfile p;
  p.id = random_as<crypto::AdviserId>();
  p.role = crypto::Role::kComplaintsCommittee;
  p.name = "Klachtencommissie";
  p.description_en = "Complaints committee";
  p.relay_prekeys = 50;
  p.prekeys_checked_at = 1'700'000'123;
  const Bytes encoded = encode_profile(p);
  auto back = decode_profile(encoded);
  REQUIRE(back.ok());
  CHECK(back->name == p.name);
  CHECK(back->relay_prekeys == 50);
  CHECK(back->prekeys_checked_at == 1'700'000'123);
  for (std::size_t cut = 0; cut < encoded.size(); ++cut) CHECK_FALSE(decode_profile(ByteView(encoded).first(cut)).ok());
  Bytes trailing = encoded;
  trailing.push_back(1);
  CHECK_FALSE(decode_profile(trailing).ok());
  Bytes role = encoded;
  role[17] = 0;
  CHECK_FALSE(decode_profile(role).ok());
  Bytes version = encoded;
  version[0] = 9;
  CHECK(decode_profile(version).error().code == ErrorCode::kUnsupportedVersion);

  crypto::AdviserIdentity identity = crypto::AdviserIdentity::generate();
  const crypto::SecretBuffer file = encode_key_file(p, identity);
  auto contents = decode_key_file(file.view());
  REQUIRE(contents.ok());
  CHECK(contents->identity.sign.pk == identity.sign.pk);
  for (std::size_t cut = 0; cut < file.size(); cut += 7) CHECK_FALSE(decode_key_file(file.view().first(cut)).ok());
  crypto::SecretBuffer bad_magic = file.clone();
  bad_magic.data()[0] = 'X';
  CHECK_FALSE(decode_key_file(bad_magic.view()).ok());
  crypto::SecretBuffer huge_length = file.clone();
  for (std::size_t i = 8; i < 12; ++i) huge_length.data()[i] = 0xff;
  CHECK_FALSE(decode_key_file(huge_length.view()).ok());

  AdviserProfile bad = p;
  bad.name = "Evil\x1b[2JName";
  CHECK_FALSE(validate_profile(bad).ok());
  bad.name = "";
  CHECK_FALSE(validate_profile(bad).ok());
  bad.name = std::string(crypto::kMaxNameBytes + 1, 'a');
  CHECK_FALSE(validate_profile(bad).ok());
  bad.name = "ok";
  bad.description_nl = "bad \xff utf-8";
  CHECK_FALSE(validate_profile(bad).ok());
  CHECK(validate_profile(p).ok());
}

TEST_CASE("terminal output: untrusted text cannot control the terminal", "[adviser]") {
  auto safe = [](std::string_view in) { return std::string(terminal_safe(as_bytes(in)).text()); };
  CHECK(safe("plain text\nsecond line\tend") == "plain text\nsecond line\tend");
  CHECK(safe("clear\x1b[2Jscreen") == "clear?[2Jscreen");
  CHECK(safe("bell\a and cr\r") == "bell? and cr?");
  CHECK(safe("C1 \xc2\x9b csi") == "C1 ? csi");           // U+009B, the 8-bit CSI
  CHECK(safe("raw \x9b byte") == "raw ? byte");           // invalid UTF-8
  CHECK(safe("overlong \xc0\xaf") == "overlong ??");
  CHECK(safe("Zoë — “quotes” 🙂") == "Zoë — “quotes” 🙂");
  CHECK(terminal_safe_label("two\nlines") == "two?lines");
  CHECK(is_valid_utf8(as_bytes("Zoë")));
  CHECK_FALSE(is_valid_utf8(as_bytes("\xed\xa0\x80")));  // a UTF-16 surrogate
  CHECK(format_minute(0) == "-");
  CHECK(format_minute(1700000000).size() == 16);
}

// ---- inbox, prekeys and replies against a real relay in this process ----

namespace {

// The relay's request handler and serving loop on a loopback port.
class LocalRelay {
 public:
  explicit LocalRelay(const crypto::Ed25519PublicKey& org_pk) {
    relay::DataFolder folder{dir_.path() / "relay"};
    REQUIRE(folder.initialise(org_pk).ok());
    auto keys = folder.load_keys();
    REQUIRE(keys.ok());
    secret_ = std::move(keys->secret);
    address_.relay_curve_pk = keys->public_key;
    address_.org_sign_pk = org_pk;
    const std::uint16_t port = test_support::free_loopback_port();
    address_.endpoint = "tcp://127.0.0.1:" + std::to_string(port);
    store_ = std::make_unique<store::RelayStore>(folder.store_dir(), store::RelayStoreOptions{});
    // Low prices: these tests drive the adviser's side, not the pricing, and
    // drain prekey pools whose price rises as they empty.
    relay::RelayPolicy policy;
    policy.pricing.pow_difficulty = 8;
    policy.pricing.prekeys_weight = 1;
    policy.pricing.fetch_work_min = 256;
    policy.pricing.fetch_work_per_message = 1;
    handler_ = std::make_unique<relay::RequestHandler>(*store_, org_pk, policy);
    relay::ServerOptions options;
    options.endpoint = address_.endpoint;
    thread_ = std::thread([this, options] {
      try {
        relay::serve(*handler_, secret_, options, stop_);
      } catch (const std::exception&) {
        failed_ = true;
      }
    });
    test_support::wait_until_listening(port);
  }
  ~LocalRelay() {
    stop_ = true;
    thread_.join();
  }
  LocalRelay(const LocalRelay&) = delete;
  LocalRelay& operator=(const LocalRelay&) = delete;

  const protocol::ChannelAddress& address() const { return address_; }
  const store::RelayStore& store() const { return *store_; }
  bool failed() const { return failed_; }

 private:
  TempDir dir_{"meldpunt-adviser-relay-"};
  crypto::Secret<32> secret_;
  protocol::ChannelAddress address_;
  std::unique_ptr<store::RelayStore> store_;
  std::unique_ptr<relay::RequestHandler> handler_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  std::thread thread_;
};

struct Reporter {
  crypto::X25519KeyPair message = crypto::X25519KeyPair::generate();
  crypto::FetchKeyPair fetch = crypto::FetchKeyPair::generate();
};

// A report as reporter-client builds it: kReport to one adviser's message
// key and prekey, with the clue for the adviser's fetch key.
PendingDelete send_report(client::RelayConnection& relay, const crypto::Directory& directory,
                              const crypto::DirectoryEntry& to, const Reporter& reporter, std::string_view body,
                              std::vector<crypto::AdviserId> recipients, bool use_prekey = true) {
  protocol::Letter letter;
  letter.kind = protocol::LetterKind::kReport;
  letter.sent_at = 1'700'000'000;
  letter.adviser_id = to.id;
  letter.reporter_fetch_pk = reporter.fetch.pk;
  letter.recipients = std::move(recipients);
  letter.body = crypto::SecretBuffer::copy_of(body);
  client::Recipient recipient;
  recipient.message_pk = to.message_pk;
  recipient.fetch_pk = to.fetch_pk;
  if (use_prekey) {
    auto bundle = client::fetch_prekeys(relay, directory, static_cast<std::uint32_t>(now_seconds() / 86400));
    REQUIRE(bundle.ok());
    for (const protocol::BundleEntry& e : *bundle) {
      if (e.adviser_sign_pk != to.sign_pk) continue;
      if (e.prekey) recipient.prekey_pk = e.prekey->pk;
      if (e.medium) recipient.medium_pk = e.medium->pk;
    }
    REQUIRE(recipient.prekey_pk);
    REQUIRE(recipient.medium_pk);
  }
  auto outgoing = client::prepare_letter(letter, recipient, reporter.message.sk, reporter.message.pk);
  REQUIRE(outgoing.ok());
  std::vector<client::Outgoing> items;
  items.push_back(std::move(outgoing).value());
  auto ids = client::deposit_all(relay, items);
  REQUIRE(ids.ok());
  return {ids->front(), letter.delete_token};  // prepare_letter drew the token into the letter
}

// An adviser with a key file and case store, a colleague, and a relay with
// the organisation's key, all in temporary folders.
struct AdviserWorld {
  TempDir home{"meldpunt-adviser-home-"};
  crypto::SigningKeyPair org = crypto::SigningKeyPair::generate();
  LocalRelay local{org.pk};
  crypto::SecretBuffer passphrase = crypto::SecretBuffer::copy_of(std::string_view("adviser passphrase"));
  std::optional<KeyFile> key_file;
  std::optional<CaseStore> store;
  crypto::DirectoryEntry own, colleague;
  crypto::AdviserIdentity colleague_keys = crypto::AdviserIdentity::generate();
  crypto::Directory directory;
  std::unique_ptr<client::RelayConnection> relay;

  AdviserWorld() {
    AdviserProfile profile;
    crypto::random_fill(profile.id);
    profile.name = "Anna de Vries";
    auto created = KeyFile::create(home.path() / "identity.key", passphrase, crypto::KdfParams::insecure_for_tests(),
                                   profile, crypto::AdviserIdentity::generate());
    REQUIRE(created.ok());
    key_file.emplace(std::move(created).value());
    auto opened = CaseStore::open(home.path(), key_file->identity().store_key);
    REQUIRE(opened.ok());
    store.emplace(std::move(opened).value());

    own = directory_entry(key_file->profile(), key_file->identity());
    crypto::random_fill(colleague.id);
    colleague.name = "Bram Jansen";
    colleague.sign_pk = colleague_keys.sign.pk;
    colleague.message_pk = colleague_keys.message.pk;
    colleague.fetch_pk = colleague_keys.fetch.pk;
    directory.org_sign_pk = org.pk;
    directory.serial = 1;

    client::ConnectionOptions options;
    options.timeout = std::chrono::seconds(10);
    relay = std::make_unique<client::RelayConnection>(local.address(), options);
  }

  void publish(std::vector<crypto::DirectoryEntry> entries) {
    directory.entries = std::move(entries);
    auto signed_dir = crypto::sign_directory(directory, org);
    REQUIRE(signed_dir.ok());
    REQUIRE(relay->call(protocol::make_publish_directory_request(*signed_dir)).ok());
    REQUIRE_FALSE(local.failed());
  }
};

}  // namespace

TEST_CASE("inbox: an adviser missing from the directory is told what to do", "[adviser]") {
  AdviserWorld w;
  w.publish({w.colleague});
  auto summary = sync_inbox(*w.relay, w.directory, *w.key_file, *w.store);
  REQUIRE_FALSE(summary.ok());
  CHECK(summary.error().code == ErrorCode::kNotFound);
  CHECK(summary.error().message.find("adviser-client card") != std::string::npos);

  // Listed under our id with other keys (a stale card): refused as well.
  crypto::DirectoryEntry stale = w.own;
  stale.message_pk = w.colleague.message_pk;
  w.directory.serial = 2;
  w.publish({stale, w.colleague});
  auto refused = sync_inbox(*w.relay, w.directory, *w.key_file, *w.store);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kUnauthorised);
}

TEST_CASE("inbox: prekeys, reports, deletion and replies through a real relay", "[adviser]") {
  AdviserWorld w;
  w.publish({w.own, w.colleague});
  TempDir& home = w.home;
  const crypto::SecretBuffer& passphrase = w.passphrase;
  std::optional<KeyFile>& key_file = w.key_file;
  std::optional<CaseStore>& store = w.store;
  const crypto::DirectoryEntry& own = w.own;
  const crypto::DirectoryEntry& colleague = w.colleague;
  const crypto::Directory& directory = w.directory;
  client::RelayConnection& relay = *w.relay;
  const LocalRelay& local = w.local;

  // First run: an empty inbox; the relay gets the full pool of prekeys, and
  // their secrets are on disk.
  auto first = sync_inbox(relay, directory, *key_file, *store);
  REQUIRE(first.ok());
  CHECK(first->stored == 0);
  REQUIRE(first->prekeys);
  CHECK(first->prekeys->checked);
  CHECK(first->prekeys->at_relay == kPrekeyTarget);
  CHECK(key_file->identity().prekeys.size() == kPrekeyTarget);
  {
    auto on_disk = KeyFile::unlock(home.path() / "identity.key", passphrase);
    REQUIRE(on_disk.ok());
    CHECK(on_disk->identity().prekeys.size() == kPrekeyTarget);
    CHECK(on_disk->profile().relay_prekeys == kPrekeyTarget);
    CHECK(on_disk->identity().upload_counter == key_file->identity().upload_counter);
  }
  // A second run at once finds the pool full (asking with an upload of
  // zero prekeys): nothing is added, the pool does not creep up.
  auto quiet = sync_inbox(relay, directory, *key_file, *store);
  REQUIRE(quiet.ok());
  REQUIRE(quiet->prekeys);
  CHECK(quiet->prekeys->checked);
  CHECK(quiet->prekeys->uploaded == 0);
  CHECK(quiet->prekeys->at_relay == kPrekeyTarget);
  CHECK(key_file->identity().prekeys.size() == kPrekeyTarget);

  // A reporter writes to both advisers; our copy uses one of our prekeys.
  Reporter reporter;
  const crypto::MessageId report_id =
      send_report(relay, directory, own, reporter, "The cash box is short every Friday.", {own.id, colleague.id})
          .relay_id;
  const crypto::MessageId colleague_copy =
      send_report(relay, directory, colleague, reporter, "The cash box is short every Friday.", {own.id, colleague.id},
                  false)  // the colleague never uploaded prekeys
          .relay_id;

  auto second = sync_inbox(relay, directory, *key_file, *store);
  REQUIRE(second.ok());
  CHECK(second->stored == 1);
  REQUIRE(second->prekeys);
  CHECK(second->prekeys->uploaded == 1);  // the prekey the reporter took from the pool
  CHECK(second->prekeys->at_relay == kPrekeyTarget);
  CHECK(second->deleted == 1);
  CHECK(second->delete_pending == 0);
  CHECK(second->unreadable == 0);
  CHECK_FALSE(local.store().get_message(store::MessageId{report_id.bytes}));  // deleted at the relay after storing
  CHECK(local.store().get_message(store::MessageId{colleague_copy.bytes}));   // the colleague's copy is not ours to touch
  // The used prekey secret is gone, in memory and on disk (forward secrecy).
  {
    auto on_disk = KeyFile::unlock(home.path() / "identity.key", passphrase);
    REQUIRE(on_disk.ok());
    CHECK(on_disk->identity().prekeys.size() == key_file->identity().prekeys.size());
    CHECK(on_disk->profile().relay_prekeys < kPrekeyTarget);  // counted as used: the next run checks
  }
  auto cases = store->list_cases();
  REQUIRE(cases.ok());
  REQUIRE(cases->size() == 1);
  const CaseRecord& c = cases->front();
  CHECK(c.reporter_message_pk == reporter.message.pk);
  CHECK(c.reporter_fetch_pk == reporter.fetch.pk);
  CHECK(c.unread == 1);
  REQUIRE(c.other_advisers.size() == 1);
  CHECK(c.other_advisers[0].id == colleague.id);
  CHECK(c.other_advisers[0].name == "Bram Jansen");
  auto msgs = store->messages(c.key);
  REQUIRE(msgs.ok());
  REQUIRE(msgs->size() == 1);
  CHECK(text_of((*msgs)[0].body) == "The cash box is short every Friday.");
  CHECK((*msgs)[0].relay_id == report_id);

  // A follow-up without a prekey (the pool was empty for the reporter) lands
  // in the same case. Simulate a run that stored it but stopped before
  // deleting: the next run must neither store it twice nor leave it behind.
  const PendingDelete follow_up = send_report(relay, directory, own, reporter, "Also on Mondays.", {own.id}, false);

  SECTION("a run that stored a report but stopped before deleting it") {
    IncomingReport already;
    already.relay_id = follow_up.relay_id;
    already.delete_token = follow_up.delete_token;
    already.reporter_message_pk = reporter.message.pk;
    already.reporter_fetch_pk = reporter.fetch.pk;
    already.received_at = 5;
    already.body = as_bytes("Also on Mondays.");
    REQUIRE(store->record_incoming(already).ok());
    auto third = sync_inbox(relay, directory, *key_file, *store);
    REQUIRE(third.ok());
    CHECK(third->stored == 0);
    CHECK(third->deleted == 1);  // the pending deletion was retried first
    CHECK(third->delete_pending == 0);
  }
  SECTION("a stored copy whose deletion was wrongly marked done is deleted when seen again") {
    IncomingReport already;
    already.relay_id = follow_up.relay_id;  // the token is left unknown (zero)
    already.reporter_message_pk = reporter.message.pk;
    already.reporter_fetch_pk = reporter.fetch.pk;
    already.received_at = 5;
    already.body = as_bytes("Also on Mondays.");
    REQUIRE(store->record_incoming(already).ok());
    auto third = sync_inbox(relay, directory, *key_file, *store);
    REQUIRE(third.ok());
    CHECK(third->stored == 0);
    CHECK(third->already_stored == 1);
  }
  SECTION("an ordinary follow-up") {
    auto third = sync_inbox(relay, directory, *key_file, *store);
    REQUIRE(third.ok());
    CHECK(third->stored == 1);
    REQUIRE(third->prekeys);
    CHECK(third->prekeys->uploaded == 0);  // the second run already replaced the one the reporter took
    CHECK(third->prekeys->at_relay == kPrekeyTarget);
  }
  CHECK_FALSE(local.store().get_message(store::MessageId{follow_up.relay_id.bytes}));
  auto pending = store->pending_deletes();
  REQUIRE(pending.ok());
  CHECK(pending->empty());
  REQUIRE(store->messages(c.key)->size() == 2);

  // Reply: the reporter finds it with its own keys.
  const auto reply_text = crypto::SecretBuffer::copy_of(std::string_view("Thank you. Since when has this happened?"));
  auto reply_id = send_reply(relay, *key_file, *store, c, reply_text);
  REQUIRE(reply_id.ok());
  client::MailboxKeys reporter_keys;
  reporter_keys.fetch_sk = &reporter.fetch.sk;
  reporter_keys.message_sk = &reporter.message.sk;
  reporter_keys.message_pk = reporter.message.pk;
  auto mailbox = client::collect_mailbox(relay, reporter_keys);
  REQUIRE(mailbox.ok());
  REQUIRE(mailbox->letters.size() == 1);
  const client::ReceivedLetter& got = mailbox->letters.front();
  CHECK(got.id == *reply_id);
  CHECK(got.sender_pk == key_file->identity().message.pk);
  CHECK(got.letter.kind == protocol::LetterKind::kReply);
  CHECK(got.letter.adviser_id == key_file->profile().id);
  CHECK(text_of(got.letter.body) == "Thank you. Since when has this happened?");
  auto conversation = store->messages(c.key);
  REQUIRE(conversation.ok());
  REQUIRE(conversation->size() == 3);
  CHECK(conversation->back().direction == Direction::kOut);
  CHECK(conversation->back().relay_id == *reply_id);

  CHECK(send_reply(relay, *key_file, *store, c, crypto::SecretBuffer{}).error().code == ErrorCode::kMalformed);
  CHECK(send_reply(relay, *key_file, *store, c, crypto::SecretBuffer(protocol::max_reply_body_bytes() + 1))
            .error()
            .code == ErrorCode::kTooLarge);
}

namespace {

// A kRotate letter as reporter-client's `rotate` sends it: sealed by the old
// message key, new fetch pk in the letter, new message pk as the body.
crypto::MessageId send_rotation(client::RelayConnection& relay, const crypto::DirectoryEntry& to,
                                const Reporter& from, const Reporter& to_keys) {
  protocol::Letter letter;
  letter.kind = protocol::LetterKind::kRotate;
  letter.sent_at = 1'700'000'100;
  letter.adviser_id = to.id;
  letter.reporter_fetch_pk = to_keys.fetch.pk;
  letter.recipients = {to.id};
  letter.body = crypto::SecretBuffer::copy_of(ByteView(to_keys.message.pk));
  client::Recipient recipient;
  recipient.message_pk = to.message_pk;
  recipient.fetch_pk = to.fetch_pk;
  auto outgoing = client::prepare_letter(letter, recipient, from.message.sk, from.message.pk);
  REQUIRE(outgoing.ok());
  std::vector<client::Outgoing> items;
  items.push_back(std::move(outgoing).value());
  auto ids = client::deposit_all(relay, items);
  REQUIRE(ids.ok());
  return ids->front();
}

}  // namespace

TEST_CASE("inbox: a reporter's move to a new code, and moves from strangers", "[adviser]") {
  AdviserWorld w;
  w.publish({w.own, w.colleague});
  Reporter reporter, moved_to, stranger, stranger_target;
  send_report(*w.relay, w.directory, w.own, reporter, "Before the move.", {w.own.id}, false);
  auto first = sync_inbox(*w.relay, w.directory, *w.key_file, *w.store);
  REQUIRE(first.ok());
  REQUIRE(first->stored == 1);
  const CaseKey case_key = w.store->list_cases()->front().key;

  const crypto::MessageId from_stranger = send_rotation(*w.relay, w.own, stranger, stranger_target);
  const crypto::MessageId real_move = send_rotation(*w.relay, w.own, reporter, moved_to);
  // Sent with the old code before the move: still lands in the case (reports go first).
  send_report(*w.relay, w.directory, w.own, reporter, "Sent just before moving.", {w.own.id}, false);
  auto second = sync_inbox(*w.relay, w.directory, *w.key_file, *w.store);
  REQUIRE(second.ok());
  CHECK(second->moved == 1);
  CHECK(second->refused == 1);  // the stranger's move: counted and deleted
  CHECK(second->stored == 1);
  CHECK_FALSE(w.local.store().get_message(store::MessageId{from_stranger.bytes}));
  CHECK_FALSE(w.local.store().get_message(store::MessageId{real_move.bytes}));
  auto c = w.store->get_case(case_key);
  REQUIRE(c.ok());
  CHECK((*c)->reporter_message_pk == moved_to.message.pk);
  CHECK((*c)->reporter_fetch_pk == moved_to.fetch.pk);
  CHECK(w.store->messages(case_key)->size() == 2);

  // The old code no longer speaks for the case; the new one does.
  send_report(*w.relay, w.directory, w.own, reporter, "Old code after the move.", {w.own.id}, false);
  send_report(*w.relay, w.directory, w.own, moved_to, "New code.", {w.own.id}, false);
  auto third = sync_inbox(*w.relay, w.directory, *w.key_file, *w.store);
  REQUIRE(third.ok());
  CHECK(third->stored == 1);
  CHECK(third->refused == 1);
  CHECK(third->refused_cases == std::vector<CaseKey>{case_key});  // named in the inbox's note
  REQUIRE(w.store->list_cases()->size() == 1);
  auto conversation = w.store->messages(case_key);
  REQUIRE(conversation.ok());
  REQUIRE(conversation->size() == 3);
  CHECK(text_of(conversation->back().body) == "New code.");

  // Replies go to the new keys.
  const auto text = crypto::SecretBuffer::copy_of(std::string_view("Reply after the move."));
  REQUIRE(send_reply(*w.relay, *w.key_file, *w.store, **w.store->get_case(case_key), text).ok());
  client::MailboxKeys keys;
  keys.fetch_sk = &moved_to.fetch.sk;
  keys.message_sk = &moved_to.message.sk;
  keys.message_pk = moved_to.message.pk;
  auto mailbox = client::collect_mailbox(*w.relay, keys);
  REQUIRE(mailbox.ok());
  REQUIRE(mailbox->letters.size() == 1);
  CHECK(text_of(mailbox->letters.front().letter.body) == "Reply after the move.");
}

namespace {

// Sets MELDPUNT_TEST_NOW (adviser-client's clock) for one scope.
class ScopedClock {
 public:
  explicit ScopedClock(std::uint64_t unix_seconds) {
    ::setenv("MELDPUNT_TEST_NOW", std::to_string(unix_seconds).c_str(), 1);
  }
  ~ScopedClock() { ::unsetenv("MELDPUNT_TEST_NOW"); }
  ScopedClock(const ScopedClock&) = delete;
  ScopedClock& operator=(const ScopedClock&) = delete;
};

}  // namespace

TEST_CASE("inbox: the medium-term prekey is made, uploaded, used and erased on schedule", "[adviser][prekeys]") {
  AdviserWorld w;
  w.publish({w.own, w.colleague});
  const std::uint64_t start = now_seconds();
  const auto today = static_cast<std::uint32_t>(start / 86400);

  auto first = sync_inbox(*w.relay, w.directory, *w.key_file, *w.store);
  REQUIRE(first.ok());
  CHECK_FALSE(first->prekey_error);
  // Made, saved before it left, and held by the relay.
  REQUIRE(w.key_file->identity().medium.size() == 1);
  const crypto::MediumPrekey& m0 = w.key_file->identity().medium.front();
  CHECK(m0.expires_day == today + crypto::kMediumPrekeyLifetimeDays);
  const crypto::X25519PublicKey m0_pk = m0.keys.pk;
  {
    auto on_disk = KeyFile::unlock(w.home.path() / "identity.key", w.passphrase);
    REQUIRE(on_disk.ok());
    REQUIRE(on_disk->identity().medium.size() == 1);
    CHECK(on_disk->identity().medium[0].keys.pk == m0_pk);
  }
  auto held = w.local.store().medium_prekey(store::PublicKeyBytes{w.key_file->identity().sign.pk.bytes});
  REQUIRE(held.has_value());
  CHECK(held->pk.bytes == m0_pk.bytes);

  // Every one-time prekey taken: a report still goes to the medium-term one.
  for (std::uint32_t i = 0; i < kPrekeyTarget; ++i) {
    auto bundle = client::fetch_prekeys(*w.relay, w.directory, today);
    REQUIRE(bundle.ok());
  }
  auto bundle = client::fetch_prekeys(*w.relay, w.directory, today);
  REQUIRE(bundle.ok());
  REQUIRE(bundle->size() == 1);
  CHECK_FALSE(bundle->front().prekey.has_value());
  REQUIRE(bundle->front().medium.has_value());
  CHECK(bundle->front().medium->pk == m0_pk);
  // A reporter whose clock is past its expiry does not use it.
  CHECK(client::fetch_prekeys(*w.relay, w.directory, m0.expires_day + 1)->empty());

  Reporter reporter;
  protocol::Letter letter;
  letter.kind = protocol::LetterKind::kReport;
  letter.sent_at = start;
  letter.adviser_id = w.own.id;
  letter.reporter_fetch_pk = reporter.fetch.pk;
  letter.recipients = {w.own.id};
  letter.body = crypto::SecretBuffer::copy_of(std::string_view("Only the medium-term key."));
  client::Recipient to{w.own.message_pk, w.own.fetch_pk, std::nullopt, bundle->front().medium->pk};
  auto outgoing = client::prepare_letter(letter, to, reporter.message.sk, reporter.message.pk);
  REQUIRE(outgoing.ok());
  const Bytes envelope = outgoing->envelope;
  std::vector<client::Outgoing> items;
  items.push_back(std::move(outgoing).value());
  REQUIRE(client::deposit_all(*w.relay, items).ok());

  auto read = sync_inbox(*w.relay, w.directory, *w.key_file, *w.store);
  REQUIRE(read.ok());
  CHECK(read->stored == 1);
  CHECK(read->medium_erased == 0);
  CHECK(w.key_file->identity().medium.size() == 1);

  auto open_with_key_file = [&](const crypto::AdviserIdentity& id) {
    crypto::PrekeyLookups lookups;
    lookups.one_time = [&](const crypto::PrekeyId& pid) { return id.find_prekey_by_id(pid); };
    lookups.medium = [&](const crypto::PrekeyId& pid) { return id.find_medium_by_id(pid); };
    return crypto::open_envelope(envelope, id.message.sk, id.message.pk, lookups);
  };
  CHECK(open_with_key_file(w.key_file->identity()).ok());  // still needed: reports may be on their way

  // A week and a day later it is replaced. (This relay's calendar is not
  // moved, so it refuses the new one as too far ahead; the adviser keeps it
  // and collecting goes on.)
  {
    ScopedClock clock(start + 8 * 86400);
    auto later = sync_inbox(*w.relay, w.directory, *w.key_file, *w.store);
    REQUIRE(later.ok());
    CHECK(later->prekey_error.has_value());
    REQUIRE(w.key_file->identity().medium.size() == 2);
    CHECK(w.key_file->identity().medium.front().keys.pk == m0_pk);
  }
  // Past its cut-off day, the next run that stored everything erases it:
  // the report no longer opens with the key file.
  {
    ScopedClock clock(start + 17 * 86400);
    auto after = sync_inbox(*w.relay, w.directory, *w.key_file, *w.store);
    REQUIRE(after.ok());
    CHECK(after->medium_erased == 1);
  }
  for (const crypto::MediumPrekey& m : w.key_file->identity().medium) CHECK(m.keys.pk != m0_pk);
  auto on_disk = KeyFile::unlock(w.home.path() / "identity.key", w.passphrase);
  REQUIRE(on_disk.ok());
  auto gone = open_with_key_file(on_disk->identity());
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == ErrorCode::kNotFound);
}

TEST_CASE("inbox: one-time prekey secrets go after use, even for letters that are not ours", "[adviser][prekeys]") {
  AdviserWorld w;
  w.publish({w.own, w.colleague});
  REQUIRE(sync_inbox(*w.relay, w.directory, *w.key_file, *w.store).ok());
  const auto today = static_cast<std::uint32_t>(now_seconds() / 86400);
  auto bundle = client::fetch_prekeys(*w.relay, w.directory, today);
  REQUIRE(bundle.ok());
  REQUIRE(bundle->size() == 1);
  REQUIRE(bundle->front().prekey.has_value());
  const crypto::X25519PublicKey one_time = bundle->front().prekey->pk;
  REQUIRE(w.key_file->identity().find_prekey(one_time) != nullptr);

  // A letter sealed to us but naming another adviser id: ignored, yet the
  // one-time secret it used must not stay in the key file.
  Reporter reporter;
  protocol::Letter letter;
  letter.kind = protocol::LetterKind::kReport;
  letter.sent_at = 1'700'000'000;
  letter.adviser_id = w.colleague.id;
  letter.reporter_fetch_pk = reporter.fetch.pk;
  letter.recipients = {w.colleague.id};
  letter.body = crypto::SecretBuffer::copy_of(std::string_view("Misaddressed."));
  client::Recipient to{w.own.message_pk, w.own.fetch_pk, one_time, bundle->front().medium->pk};
  auto outgoing = client::prepare_letter(letter, to, reporter.message.sk, reporter.message.pk);
  REQUIRE(outgoing.ok());
  std::vector<client::Outgoing> items;
  items.push_back(std::move(outgoing).value());
  REQUIRE(client::deposit_all(*w.relay, items).ok());

  auto run = sync_inbox(*w.relay, w.directory, *w.key_file, *w.store);
  REQUIRE(run.ok());
  CHECK(run->ignored == 1);
  CHECK(w.key_file->identity().find_prekey(one_time) == nullptr);
  auto on_disk = KeyFile::unlock(w.home.path() / "identity.key", w.passphrase);
  REQUIRE(on_disk.ok());
  CHECK(on_disk->identity().find_prekey(one_time) == nullptr);
}
