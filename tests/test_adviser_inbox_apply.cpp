// The apply step of an inbox run (adviser-client/src/inbox_apply.hpp),
// driven without a relay: letters built with the protocol library, as
// collect_inbox would hand them over after opening them.
#include <catch2/catch.hpp>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <string>
#include <type_traits>

#include "case_store.hpp"
#include "common.hpp"
#include "inbox_apply.hpp"
#include "meldpunt/crypto/sign.hpp"
#include "meldpunt/protocol/handover.hpp"
#include "meldpunt/protocol/letter.hpp"

using namespace meldpunt;
using namespace meldpunt::adviser;
using meldpunt::test_support::random_fixed;
using meldpunt::test_support::random_as;
using meldpunt::test_support::TempDir;

namespace {

// A proposal id and an adviser id (both 16 bytes) do not stand in for each
// other: handover_statement(proposer, reporter, proposal, new adviser) with
// two of them swapped does not compile.
static_assert(!std::is_convertible_v<crypto::AdviserId, protocol::ProposalId>);
static_assert(!std::is_convertible_v<protocol::ProposalId, crypto::AdviserId>);
static_assert(!std::is_invocable_v<decltype(&protocol::handover_statement), const crypto::AdviserId&,
                                   const crypto::X25519PublicKey&, const crypto::AdviserId&,
                                   const protocol::ProposalId&>);

struct Desk {
  TempDir dir{"meldpunt-inbox-apply-"};
  CaseStore store;
  crypto::Directory directory;
  crypto::AdviserId own_id = random_as<crypto::AdviserId>();
  crypto::AdviserId colleague_id = random_as<crypto::AdviserId>();
  crypto::SigningKeyPair colleague_sign = crypto::SigningKeyPair::generate();

  explicit Desk(meldpunt::store::FaultHook fault = {}) : store(open_store(dir, std::move(fault))) {
    crypto::DirectoryEntry own;
    own.id = own_id;
    own.name = "Own Adviser";
    crypto::DirectoryEntry colleague;
    colleague.id = colleague_id;
    colleague.name = "Colleague";
    colleague.sign_pk = colleague_sign.pk;
    directory.entries = {own, colleague};
  }

  static CaseStore open_store(const TempDir& dir, meldpunt::store::FaultHook fault) {
    auto opened = CaseStore::open(dir.path(), crypto::Secret<32>::random(), std::move(fault));
    REQUIRE(opened.ok());
    return std::move(opened).value();
  }

  Result<AppliedInbox> apply(const CollectedInbox& collected, InboxSummary& summary) {
    return apply_inbox(store, directory, own_id, collected, summary);
  }

  std::size_t cases() {
    auto all = store.list_cases();
    REQUIRE(all.ok());
    return all->size();
  }
};

client::ReceivedLetter letter_from(const crypto::X25519PublicKey& sender, protocol::LetterKind kind,
                                   const crypto::AdviserId& to, std::uint64_t sent_at, ByteView body) {
  client::ReceivedLetter r;
  r.id = random_as<crypto::MessageId>();
  r.sender_pk = sender;
  r.letter.kind = kind;
  r.letter.sent_at = sent_at;
  r.letter.adviser_id = to;
  r.letter.reporter_fetch_pk = random_as<crypto::FetchPublicKey>();
  r.letter.recipients = {to};
  r.letter.delete_token = random_fixed<32>();
  r.letter.body = crypto::SecretBuffer::copy_of(body);
  return r;
}

client::ReceivedLetter report(const crypto::X25519PublicKey& sender, const crypto::AdviserId& to, std::uint64_t sent_at,
                              std::string_view text) {
  return letter_from(sender, protocol::LetterKind::kReport, to, sent_at, as_bytes(text));
}

// A kind-9 letter carrying one reporter message, with `signature` over the
// hand-over statement.
client::ReceivedLetter handover(const crypto::X25519PublicKey& sender, const Desk& desk,
                                const protocol::ProposalId& proposal, const crypto::Signature& signature) {
  protocol::HandoverTransfer transfer;
  transfer.proposer = desk.colleague_id;
  transfer.proposal = proposal;
  transfer.signature = signature;
  protocol::HistoryEntry entry;
  entry.sent_at = 1'700'000'000;
  entry.from_reporter = true;
  entry.recipients = {desk.colleague_id};
  entry.body = crypto::SecretBuffer::copy_of(std::string_view("what happened"));
  transfer.history.entries.push_back(std::move(entry));
  const crypto::SecretBuffer body = protocol::encode_transfer(transfer);
  return letter_from(sender, protocol::LetterKind::kHandoverHistory, desk.own_id, 1'700'000'100, body.view());
}

}  // namespace

TEST_CASE("apply_inbox: a report opens a case, and the same letters again are seen again", "[inbox]") {
  Desk desk;
  const auto reporter = random_as<crypto::X25519PublicKey>();
  CollectedInbox collected;
  collected.mailbox.letters.push_back(report(reporter, desk.own_id, 1'700'000'000, "first report"));
  collected.mailbox.letters.back().prekey_pk = random_as<crypto::X25519PublicKey>();
  // Addressed to another adviser: ignored, but its prekey is spent too.
  collected.mailbox.letters.push_back(report(random_as<crypto::X25519PublicKey>(), desk.colleague_id, 1'700'000'000, "not ours"));
  collected.mailbox.letters.back().prekey_pk = random_as<crypto::X25519PublicKey>();
  collected.mailbox.spent_prekeys.push_back(random_as<crypto::X25519PublicKey>());
  collected.mailbox.unreadable = 2;

  InboxSummary summary;
  auto applied = desk.apply(collected, summary);
  REQUIRE(applied.ok());
  CHECK(summary.stored == 1);
  CHECK(summary.ignored == 1);
  CHECK(summary.unreadable == 2);
  CHECK(applied->used_prekeys.size() == 3);
  CHECK(applied->seen_again.empty());
  CHECK(applied->refused.empty());
  REQUIRE(desk.cases() == 1);
  auto messages = desk.store.messages(desk.store.case_key_for(reporter));
  REQUIRE(messages.ok());
  REQUIRE(messages->size() == 1);
  CHECK(std::string((*messages)[0].body.text()) == "first report");
  // Stored, and to be deleted at the relay by the step after applying.
  auto pending = desk.store.pending_deletes();
  REQUIRE(pending.ok());
  CHECK(pending->size() == 1);

  // An earlier run stopped before deleting: the same letters come again.
  InboxSummary again;
  auto second = desk.apply(collected, again);
  REQUIRE(second.ok());
  CHECK(again.stored == 0);
  CHECK(again.already_stored == 1);
  REQUIRE(second->seen_again.size() == 1);
  CHECK(second->seen_again[0].relay_id == collected.mailbox.letters[0].id);
  CHECK(second->refused.empty());
  CHECK(desk.cases() == 1);
}

TEST_CASE("apply_inbox: a move to a new code applies before a report sent in the same second", "[inbox]") {
  Desk desk;
  const auto old_pk = random_as<crypto::X25519PublicKey>();
  const auto new_pk = random_as<crypto::X25519PublicKey>();
  {
    CollectedInbox first;
    first.mailbox.letters.push_back(report(old_pk, desk.own_id, 1'700'000'000, "with the old code"));
    InboxSummary summary;
    REQUIRE(desk.apply(first, summary).ok());
    REQUIRE(summary.stored == 1);
  }
  // The report from the new code comes first in the mailbox; the move,
  // sealed by the old code, carries the new key as its body.
  CollectedInbox collected;
  collected.mailbox.letters.push_back(report(new_pk, desk.own_id, 1'700'000'500, "with the new code"));
  collected.mailbox.letters.push_back(
      letter_from(old_pk, protocol::LetterKind::kRotate, desk.own_id, 1'700'000'500, ByteView(new_pk)));
  InboxSummary summary;
  auto applied = desk.apply(collected, summary);
  REQUIRE(applied.ok());
  CHECK(summary.moved == 1);
  CHECK(summary.stored == 1);
  CHECK(summary.refused == 0);
  CHECK(desk.cases() == 1);  // the new code's report joined the moved case
  auto messages = desk.store.messages(desk.store.case_key_for(old_pk));
  REQUIRE(messages.ok());
  CHECK(messages->size() == 2);
}

TEST_CASE("apply_inbox: a case handed over counts only with the proposer's signature for us", "[inbox]") {
  Desk desk;
  const auto reporter = random_as<crypto::X25519PublicKey>();
  const auto proposal = protocol::ProposalId{random_fixed<protocol::kProposalIdBytes>()};
  const crypto::Signature good =
      crypto::sign(protocol::kHandoverDomain,
                   protocol::handover_statement(desk.colleague_id, reporter, proposal, desk.own_id),
                   desk.colleague_sign.sk);

  SECTION("signed for this reporter and us: the case is ours") {
    CollectedInbox collected;
    collected.mailbox.letters.push_back(handover(reporter, desk, proposal, good));
    InboxSummary summary;
    auto applied = desk.apply(collected, summary);
    REQUIRE(applied.ok());
    CHECK(summary.received_by_handover == 1);
    CHECK(summary.refused == 0);
    CHECK(applied->refused.empty());
    CHECK(desk.cases() == 1);
  }
  SECTION("the same signature on another reporter's letter: refused and deleted") {
    CollectedInbox collected;
    collected.mailbox.letters.push_back(handover(random_as<crypto::X25519PublicKey>(), desk, proposal, good));
    InboxSummary summary;
    auto applied = desk.apply(collected, summary);
    REQUIRE(applied.ok());
    CHECK(summary.received_by_handover == 0);
    CHECK(summary.refused == 1);
    REQUIRE(applied->refused.size() == 1);
    CHECK(applied->refused[0].relay_id == collected.mailbox.letters[0].id);
    CHECK(desk.cases() == 0);
  }
  SECTION("signed for another adviser: refused") {
    const crypto::Signature other =
        crypto::sign(protocol::kHandoverDomain,
                     protocol::handover_statement(desk.colleague_id, reporter, proposal, random_as<crypto::AdviserId>()),
                     desk.colleague_sign.sk);
    CollectedInbox collected;
    collected.mailbox.letters.push_back(handover(reporter, desk, proposal, other));
    InboxSummary summary;
    REQUIRE(desk.apply(collected, summary).ok());
    CHECK(summary.refused == 1);
    CHECK(desk.cases() == 0);
  }
}

TEST_CASE("apply_inbox: an answer to no proposal of ours is refused and deleted", "[inbox]") {
  Desk desk;
  const auto reporter = random_as<crypto::X25519PublicKey>();
  CollectedInbox collected;
  collected.mailbox.letters.push_back(report(reporter, desk.own_id, 1'700'000'000, "a report"));
  protocol::HandoverAnswer answer;
  answer.proposal = protocol::ProposalId{random_fixed<protocol::kProposalIdBytes>()};
  answer.decision = protocol::HandoverDecision::kAccept;
  answer.new_adviser = desk.colleague_id;
  const crypto::SecretBuffer body = protocol::encode_answer(answer);
  collected.mailbox.letters.push_back(
      letter_from(reporter, protocol::LetterKind::kHandoverAnswer, desk.own_id, 1'700'000'100, body.view()));
  InboxSummary summary;
  auto applied = desk.apply(collected, summary);
  REQUIRE(applied.ok());
  CHECK(summary.stored == 1);
  CHECK(summary.handed_over == 0);
  CHECK(summary.refused == 1);
  REQUIRE(applied->refused.size() == 1);
  CHECK(applied->refused[0].relay_id == collected.mailbox.letters[1].id);
  auto c = desk.store.get_case(desk.store.case_key_for(reporter));
  REQUIRE(c.ok());
  REQUIRE(c->has_value());
  CHECK_FALSE((*c)->handed_over());
}

TEST_CASE("apply_inbox: a run's letters, good and bad mixed, go into one commit", "[inbox]") {
  Desk desk;
  std::vector<crypto::X25519PublicKey> reporters;
  for (int i = 0; i < 10; ++i) reporters.push_back(random_as<crypto::X25519PublicKey>());
  CollectedInbox collected;
  std::vector<client::ReceivedLetter>& letters = collected.mailbox.letters;
  for (std::size_t i = 0; i < reporters.size(); ++i) {
    letters.push_back(report(reporters[i], desk.own_id, 1'700'000'000 + i, "report " + std::to_string(i)));
    letters.back().prekey_pk = random_as<crypto::X25519PublicKey>();
  }
  for (std::size_t i = 0; i < 5; ++i) {
    letters.push_back(report(reporters[i], desk.own_id, 1'700'000'100 + i, "follow-up " + std::to_string(i)));
  }
  // The relay deposited the first report again under another id.
  client::ReceivedLetter copy = report(reporters[0], desk.own_id, 1'700'000'000, "report 0");
  copy.letter.delete_token = letters[0].letter.delete_token;
  letters.push_back(std::move(copy));
  // For another adviser: ignored.
  letters.push_back(report(random_as<crypto::X25519PublicKey>(), desk.colleague_id, 1'700'000'050, "not ours"));
  // Refused: a move from a sender who has no case, a move whose body is no
  // key, an answer to a proposal we never made, a piece that does not decode.
  letters.push_back(letter_from(random_as<crypto::X25519PublicKey>(), protocol::LetterKind::kRotate, desk.own_id, 1'700'000'060,
                                ByteView(random_fixed<32>())));
  letters.push_back(letter_from(reporters[2], protocol::LetterKind::kRotate, desk.own_id, 1'700'000'070,
                                as_bytes(std::string_view("not a key"))));
  protocol::HandoverAnswer answer;
  answer.proposal = protocol::ProposalId{random_fixed<protocol::kProposalIdBytes>()};
  answer.decision = protocol::HandoverDecision::kAccept;
  answer.new_adviser = desk.colleague_id;
  const crypto::SecretBuffer answer_body = protocol::encode_answer(answer);
  letters.push_back(letter_from(reporters[1], protocol::LetterKind::kHandoverAnswer, desk.own_id, 1'700'000'080,
                                answer_body.view()));
  letters.push_back(letter_from(reporters[3], protocol::LetterKind::kAttachmentChunk, desk.own_id, 1'700'000'090,
                                as_bytes(std::string_view("no piece"))));

  const std::uint64_t before = desk.store.last_commit_id();
  InboxSummary summary;
  auto applied = desk.apply(collected, summary);
  REQUIRE(applied.ok());
  // One disk sync for the whole run, not one per letter.
  CHECK(desk.store.last_commit_id() == before + 1);
  CHECK(summary.stored == 15);
  CHECK(summary.replayed == 1);
  CHECK(summary.ignored == 1);
  CHECK(summary.refused == 4);
  CHECK(summary.already_stored == 0);
  CHECK(applied->refused.size() == 5);  // the replayed copy and the four refused
  CHECK(applied->seen_again.empty());
  CHECK(applied->used_prekeys.size() == 10);
  CHECK(desk.cases() == 10);
  for (std::size_t i = 0; i < reporters.size(); ++i) {
    auto messages = desk.store.messages(desk.store.case_key_for(reporters[i]));
    REQUIRE(messages.ok());
    REQUIRE(messages->size() == (i < 5 ? 2u : 1u));
    CHECK(std::string((*messages)[0].body.text()) == "report " + std::to_string(i));
  }
  auto pending = desk.store.pending_deletes();
  REQUIRE(pending.ok());
  CHECK(pending->size() == 15);

  // The same letters again (a run that stopped before deleting): nothing
  // changes, so nothing is committed at all.
  const std::uint64_t after = desk.store.last_commit_id();
  InboxSummary again;
  auto second = desk.apply(collected, again);
  REQUIRE(second.ok());
  CHECK(desk.store.last_commit_id() == after);
  CHECK(again.stored == 0);
  CHECK(again.already_stored == 15);
  CHECK(again.replayed == 1);
  CHECK(desk.cases() == 10);
}

TEST_CASE("apply_inbox: a failed commit stores nothing of the run, and the next run stores it all once", "[inbox]") {
  std::atomic<int> commit_fault{0};
  Desk desk([&](store::FaultPoint point) { return point == store::FaultPoint::kCommit ? commit_fault.load() : 0; });
  CollectedInbox collected;
  for (std::uint64_t i = 0; i < 5; ++i) {
    collected.mailbox.letters.push_back(report(random_as<crypto::X25519PublicKey>(), desk.own_id, 1'700'000'000 + i, "a report"));
  }
  commit_fault = EIO;  // the disk fails as the run commits
  InboxSummary failed;
  auto applied = desk.apply(collected, failed);
  REQUIRE_FALSE(applied.ok());
  CHECK(applied.error().code == ErrorCode::kIo);
  CHECK(failed.stored == 0);  // the counts say what was stored: nothing
  CHECK(desk.cases() == 0);
  CHECK(desk.store.pending_deletes()->empty());  // so nothing is deleted at the relay

  commit_fault = 0;
  InboxSummary summary;
  REQUIRE(desk.apply(collected, summary).ok());
  CHECK(summary.stored == 5);
  CHECK(summary.already_stored == 0);
  CHECK(desk.cases() == 5);
  CHECK(desk.store.pending_deletes()->size() == 5);
}

TEST_CASE("apply_inbox: a run that fills the store's map is applied once after the map grows", "[inbox]") {
  Desk desk;  // a new store's map is 16 MiB
  CollectedInbox collected;
  const std::string body(200 * 1024, 'x');
  const std::size_t count = 90;  // 18 MiB: past the map, within kMaxBytesPerCommit
  static_assert(std::size_t{90} * 200 * 1024 < kMaxBytesPerCommit);
  std::vector<crypto::X25519PublicKey> reporters;
  for (std::size_t i = 0; i < count; ++i) {
    reporters.push_back(random_as<crypto::X25519PublicKey>());
    collected.mailbox.letters.push_back(report(reporters.back(), desk.own_id, 1'700'000'000 + i, body));
    collected.mailbox.letters.back().prekey_pk = random_as<crypto::X25519PublicKey>();
  }
  const std::uint64_t before = desk.store.last_commit_id();
  InboxSummary summary;
  auto applied = desk.apply(collected, summary);
  REQUIRE(applied.ok());
  // LMDB aborted the transaction at the full map, grew it (the file is now
  // larger than the first map) and ran the letters again: counted once,
  // each stored once, still one commit.
  CHECK(std::filesystem::file_size(desk.dir.path() / "data.mdb") > (16u << 20));
  CHECK(desk.store.last_commit_id() == before + 1);
  CHECK(summary.stored == count);
  CHECK(summary.already_stored == 0);
  CHECK(applied->used_prekeys.size() == count);
  CHECK(desk.cases() == count);
  for (const crypto::X25519PublicKey& reporter : reporters) {
    auto messages = desk.store.messages(desk.store.case_key_for(reporter));
    REQUIRE(messages.ok());
    CHECK(messages->size() == 1);
  }
}

TEST_CASE("case store: a write that fails inside in_one_commit fails the whole commit", "[inbox][adviser]") {
  Desk desk;
  const auto reporter = random_as<crypto::X25519PublicKey>();
  IncomingReport incoming;
  incoming.relay_id = random_as<crypto::MessageId>();
  incoming.delete_token = random_fixed<32>();
  incoming.reporter_message_pk = reporter;
  incoming.sent_at = 1'700'000'000;
  incoming.received_at = 1'700'000'001;
  const std::string text = "kept only if all of it is";
  incoming.body = as_bytes(std::string_view(text));
  const std::uint64_t before = desk.store.last_commit_id();
  Status s = desk.store.in_one_commit([&] {
    auto stored = desk.store.record_incoming(incoming);
    REQUIRE(stored.ok());
    CHECK(stored->stored);
    // Seen inside the commit already.
    CHECK(desk.store.get_case(desk.store.case_key_for(reporter))->has_value());
    // A write that fails (no such case), its error dropped by the caller:
    // the commit still fails, as it may hold half of that write.
    (void)desk.store.mark_read(random_as<CaseKey>());
    return Status::success();
  });
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::kNotFound);
  CHECK(desk.store.last_commit_id() == before);
  CHECK(desk.cases() == 0);
  CHECK(desk.store.pending_deletes()->empty());
  // No nesting, and the store works as before afterwards.
  Status nested = desk.store.in_one_commit([&] { return desk.store.in_one_commit([] { return Status::success(); }); });
  CHECK(nested.error().code == ErrorCode::kInternal);
  REQUIRE(desk.store.record_incoming(incoming).ok());
  CHECK(desk.cases() == 1);
}

TEST_CASE("case store: noting the directory it knows already commits nothing", "[inbox][adviser]") {
  Desk desk;
  crypto::Directory directory;
  directory.serial = 7;
  REQUIRE(desk.store.note_directory(directory).ok());
  const std::uint64_t noted = desk.store.last_commit_id();
  // Every network command notes the directory: the same one costs no disk sync.
  REQUIRE(desk.store.note_directory(directory).ok());
  CHECK(desk.store.last_commit_id() == noted);
  // A newer one, or one with a date, is still recorded.
  directory.valid_until = 1'900'000'000;
  REQUIRE(desk.store.note_directory(directory).ok());
  CHECK(desk.store.last_commit_id() == noted + 1);
  CHECK(desk.store.directory_history()->seen_valid_until);
  directory.serial = 8;
  REQUIRE(desk.store.note_directory(directory).ok());
  CHECK(desk.store.last_commit_id() == noted + 2);
  CHECK(desk.store.directory_history()->highest_serial == 8);
  // An older one lowers nothing and writes nothing.
  directory.serial = 3;
  REQUIRE(desk.store.note_directory(directory).ok());
  CHECK(desk.store.last_commit_id() == noted + 2);
  CHECK(desk.store.directory_history()->highest_serial == 8);
}
