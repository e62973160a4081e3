// The apply step of an inbox run (adviser-client/src/inbox_apply.hpp),
// driven without a relay: letters built with the protocol library, as
// collect_inbox would hand them over after opening them.
#include <catch2/catch.hpp>

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

  Desk() : store(open_store(dir)) {
    crypto::DirectoryEntry own;
    own.id = own_id;
    own.name = "Own Adviser";
    crypto::DirectoryEntry colleague;
    colleague.id = colleague_id;
    colleague.name = "Colleague";
    colleague.sign_pk = colleague_sign.pk;
    directory.entries = {own, colleague};
  }

  static CaseStore open_store(const TempDir& dir) {
    auto opened = CaseStore::open(dir.path(), crypto::Secret<32>::random());
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
