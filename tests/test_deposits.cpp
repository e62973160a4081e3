// Padded deposits (reporter-client/src/deposits.hpp, client/decoy.hpp): what
// the relay sees of a reporter's deposit (how many envelopes, of which size
// classes) is the same whichever advisers were chosen and whatever was
// answered; decoys are well-formed envelopes and clues that no key of the
// directory (nor the reporter's) recognises or opens.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "common.hpp"
#include "conversation.hpp"
#include "deposits.hpp"
#include "meldpunt/client/attachment.hpp"
#include "meldpunt/crypto/hash.hpp"
#include "meldpunt/client/decoy.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/code.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/identity.hpp"
#include "meldpunt/crypto/random.hpp"
#include "meldpunt/crypto/sign.hpp"
#include "meldpunt/protocol/handover.hpp"
#include "meldpunt/protocol/letter.hpp"

using namespace meldpunt;

namespace {

using test_support::random_fixed;
using test_support::random_as;

crypto::ReporterKeys new_reporter_keys() {
  return crypto::derive_reporter_keys(crypto::ReporterCode::generate(), random_as<crypto::Ed25519PublicKey>(),
                                      crypto::KdfParams::insecure_for_tests());
}

// A directory of `count` advisers whose secrets the test holds, each with
// a medium-term prekey as the relay would hand out.
struct World {
  crypto::Directory directory;
  std::vector<crypto::AdviserIdentity> identities;
  std::vector<crypto::X25519KeyPair> medium;

  explicit World(std::size_t count) {
    directory.serial = 3;
    for (std::size_t i = 0; i < count; ++i) {
      identities.push_back(crypto::AdviserIdentity::generate());
      medium.push_back(crypto::X25519KeyPair::generate());
      crypto::DirectoryEntry e;
      e.id = random_as<crypto::AdviserId>();
      e.name = "Adviser " + std::to_string(i);
      e.sign_pk = identities.back().sign.pk;
      e.message_pk = identities.back().message.pk;
      e.fetch_pk = identities.back().fetch.pk;
      directory.entries.push_back(e);
    }
  }

  std::size_t index_of(const crypto::AdviserId& id) const {
    for (std::size_t i = 0; i < directory.entries.size(); ++i) {
      if (directory.entries[i].id == id) return i;
    }
    FAIL("not in the directory");
    return 0;
  }

  std::vector<client::Recipient> recipients(const std::vector<crypto::AdviserId>& to) const {
    std::vector<client::Recipient> out;
    for (const crypto::AdviserId& id : to) {
      const std::size_t i = index_of(id);
      out.push_back({directory.entries[i].message_pk, directory.entries[i].fetch_pk, std::nullopt, medium[i].pk});
    }
    return out;
  }

  std::vector<crypto::AdviserId> first(std::size_t k) const {
    std::vector<crypto::AdviserId> out;
    for (std::size_t i = 0; i < k; ++i) out.push_back(directory.entries[i].id);
    return out;
  }

  // Whether adviser i's fetch key recognises the item's clue (after the
  // relay re-randomises it, as every fetch does), and whether its keys open
  // the envelope.
  bool recognises(std::size_t i, const client::Outgoing& item) const {
    auto entry = crypto::blind_clue(item.clue, random_as<crypto::MessageId>());
    REQUIRE(entry.ok());
    return crypto::recognise(*entry, identities[i].fetch.sk).has_value();
  }
  bool opens(std::size_t i, const client::Outgoing& item) const {
    const crypto::Secret<32>& medium_sk = medium[i].sk;
    const crypto::PrekeyId medium_id = crypto::prekey_id(medium[i].pk);
    crypto::PrekeyLookups lookups;
    lookups.medium = [&](const crypto::PrekeyId& id) { return id == medium_id ? &medium_sk : nullptr; };
    return crypto::open_envelope(item.envelope, identities[i].message.sk, identities[i].message.pk, lookups).ok();
  }
};

bool reporter_recognises(const crypto::ReporterKeys& keys, const client::Outgoing& item) {
  auto entry = crypto::blind_clue(item.clue, random_as<crypto::MessageId>());
  REQUIRE(entry.ok());
  return crypto::recognise(*entry, keys.fetch_sk).has_value();
}

std::vector<std::size_t> sorted_sizes(const std::vector<client::Outgoing>& items) {
  std::vector<std::size_t> sizes;
  for (const client::Outgoing& item : items) sizes.push_back(item.envelope.size());
  std::sort(sizes.begin(), sizes.end());
  return sizes;
}

// Every item is recognised by at most one key; returns how many no key of
// the directory nor the reporter recognises, checking that those are
// well-formed and open for nobody.
std::size_t count_decoys(const World& w, const crypto::ReporterKeys& keys, const std::vector<client::Outgoing>& items) {
  std::size_t decoys = 0;
  for (const client::Outgoing& item : items) {
    CHECK(crypto::is_valid_clue(item.clue));
    CHECK(crypto::is_envelope_size(item.envelope.size()));
    std::size_t owners = reporter_recognises(keys, item) ? 1 : 0;
    for (std::size_t i = 0; i < w.directory.entries.size(); ++i) {
      if (w.recognises(i, item)) owners++;
    }
    CHECK(owners <= 1);
    if (owners == 0) {
      decoys++;
      for (std::size_t i = 0; i < w.directory.entries.size(); ++i) CHECK_FALSE(w.opens(i, item));
      CHECK_FALSE(crypto::open_envelope(item.envelope, keys.message_sk, keys.message_pk).ok());
    }
  }
  return decoys;
}

}  // namespace

TEST_CASE("decoys: every size class, valid clue and verifier, recognised and opened by nobody", "[deposits]") {
  World w(3);
  const crypto::ReporterKeys keys = new_reporter_keys();
  for (std::size_t size : crypto::kEnvelopeSizes) {
    auto decoy = client::make_decoy(size);
    REQUIRE(decoy.ok());
    CHECK(decoy->envelope.size() == size);
    CHECK(decoy->envelope[0] == crypto::kEnvelopeVersion);
    CHECK(decoy->verifier != FixedBytes<32>{});
    CHECK(count_decoys(w, keys, {*decoy}) == 1);
  }
  CHECK(client::make_decoy(1000).error().code == ErrorCode::kMalformed);
  // Two decoys share nothing: fresh keys for each.
  auto a = client::make_decoy(4096), b = client::make_decoy(4096);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->clue != b->clue);
  CHECK(a->verifier != b->verifier);
  CHECK(!std::equal(a->envelope.begin(), a->envelope.begin() + 33, b->envelope.begin()));
}

TEST_CASE("a report deposits the same count and classes to 1..n advisers", "[deposits]") {
  World w(5);
  const crypto::ReporterKeys keys = new_reporter_keys();
  const std::size_t n = reporter::padded_readers(w.directory);
  REQUIRE(n == 5);
  // A short body, and one that fits the smallest class when it names one
  // adviser but not when it names five: its class must not follow k.
  const std::size_t boundary = crypto::envelope_capacity(4096) - protocol::letter_bytes(1, 0);
  REQUIRE(crypto::envelope_size_for(protocol::letter_bytes(1, boundary)) == 4096);
  REQUIRE(crypto::envelope_size_for(protocol::letter_bytes(5, boundary)) == 32768);
  for (std::size_t body_bytes : {std::size_t{40}, boundary}) {
    crypto::SecretBuffer body(body_bytes);
    crypto::random_fill({body.data(), body.size()});
    std::vector<std::size_t> first_sizes;
    for (std::size_t k = 1; k <= n; ++k) {
      INFO("body " << body_bytes << " bytes, " << k << " advisers");
      const std::vector<crypto::AdviserId> to = w.first(k);
      auto items = reporter::build_report(keys, w.directory, to, w.recipients(to), body, 1'800'000'000);
      REQUIRE(items.ok());
      CHECK(items->size() == n + 1);
      const std::vector<std::size_t> sizes = sorted_sizes(*items);
      CHECK(sizes.front() == sizes.back());  // one class for all
      CHECK(sizes.front() == reporter::padded_class(n, body_bytes));
      if (k == 1) first_sizes = sizes;
      CHECK(sizes == first_sizes);
      // The chosen advisers each recognise and open exactly one, the
      // reporter its sent copy; the rest are decoys.
      for (std::size_t i = 0; i < n; ++i) {
        const auto mine = std::count_if(items->begin(), items->end(),
                                        [&](const client::Outgoing& o) { return w.recognises(i, o); });
        CHECK(mine == (i < k ? 1 : 0));
        if (i < k) {
          CHECK(std::count_if(items->begin(), items->end(), [&](const client::Outgoing& o) { return w.opens(i, o); }) ==
                1);
        }
      }
      CHECK(std::count_if(items->begin(), items->end(),
                          [&](const client::Outgoing& o) { return reporter_recognises(keys, o); }) == 1);
      CHECK(count_decoys(w, keys, *items) == n - k);
    }
  }
}

TEST_CASE("a report announcing files keeps one class for 1..n advisers, only readers get the seeds",
          "[deposits][filekeys]") {
  World w(4);
  const crypto::ReporterKeys keys = new_reporter_keys();
  const std::size_t n = reporter::padded_readers(w.directory);
  std::vector<client::FileToSend> files;
  for (std::string_view name : {"minutes.pdf", "a-much-longer-file-name-of-a-photo.jpeg"}) {
    client::FileToSend f;
    f.content = crypto::SecretBuffer::copy_of(std::string_view("some content"));
    f.name = crypto::SecretBuffer::copy_of(name);
    f.digest = crypto::file_digest(f.content.view());
    f.file_id = random_as<protocol::AttachmentFileId>();
    files.push_back(std::move(f));
  }
  // A body that just fits the smallest class without the file block: with
  // it, every letter (and so every decoy) needs the next class.
  const std::size_t body_bytes = crypto::envelope_capacity(4096) - protocol::letter_bytes(n, 0);
  REQUIRE(reporter::padded_class(n, body_bytes) == 4096);
  crypto::SecretBuffer body(body_bytes);
  crypto::random_fill({body.data(), body.size()});
  std::vector<std::size_t> first_sizes;
  for (std::size_t k = 1; k <= n; ++k) {
    INFO(k << " advisers");
    const std::vector<crypto::AdviserId> to = w.first(k);
    auto items = reporter::build_report(keys, w.directory, to, w.recipients(to), body, 1'800'000'000, files);
    REQUIRE(items.ok());
    CHECK(items->size() == n + 1);
    const std::vector<std::size_t> sizes = sorted_sizes(*items);
    CHECK(sizes.front() == sizes.back());
    CHECK(sizes.front() == 32768);  // the file block took it past 4 KiB
    if (k == 1) first_sizes = sizes;
    CHECK(sizes == first_sizes);
    CHECK(count_decoys(w, keys, *items) == n - k);
    for (const client::Outgoing& item : *items) {
      for (std::size_t i = 0; i < k; ++i) {
        if (!w.recognises(i, item)) continue;
        const crypto::Secret<32>& medium_sk = w.medium[i].sk;
        crypto::PrekeyLookups lookups;
        lookups.medium = [&](const crypto::PrekeyId&) { return &medium_sk; };
        auto opened = crypto::open_envelope(item.envelope, w.identities[i].message.sk, w.identities[i].message.pk,
                                            lookups);
        REQUIRE(opened.ok());
        auto letter = protocol::decode_letter(opened->payload.view());
        REQUIRE(letter.ok());
        REQUIRE(letter->files.size() == 2);
        CHECK(letter->files[0].key_seed.equals(files[0].key_seed));
        CHECK(letter->files[1].key_seed.equals(files[1].key_seed));
      }
      if (!reporter_recognises(keys, item)) continue;
      auto opened = crypto::open_envelope(item.envelope, keys.message_sk, keys.message_pk);
      REQUIRE(opened.ok());
      auto copy = protocol::decode_letter(opened->payload.view());
      REQUIRE(copy.ok());
      CHECK(copy->kind == protocol::LetterKind::kSentCopy);
      REQUIRE(copy->files.size() == 2);
      CHECK(copy->files[0].key_seed.equals(crypto::Secret<32>{}));  // the copy does not open the pieces
      CHECK(copy->files[1].name.text() == "a-much-longer-file-name-of-a-photo.jpeg");
    }
  }
  // The body limit leaves room for the file block.
  const crypto::SecretBuffer too_long(reporter::max_body_bytes_with(n, files) + 1);
  CHECK(reporter::build_report(keys, w.directory, w.first(1), w.recipients(w.first(1)), too_long, 1'800'000'000,
                               files)
            .error()
            .code == ErrorCode::kTooLarge);
}

TEST_CASE("a report's envelopes come in random order", "[deposits]") {
  World w(4);
  const crypto::ReporterKeys keys = new_reporter_keys();
  const crypto::SecretBuffer body = crypto::SecretBuffer::copy_of(std::string_view("the cash box"));
  const std::vector<crypto::AdviserId> to = w.first(1);
  // Where the sent copy lands, over 40 deposits of 5: never the same place
  // every time (the odds of that by chance are 5^-39).
  std::vector<std::size_t> seen(5, 0);
  for (int round = 0; round < 40; ++round) {
    auto items = reporter::build_report(keys, w.directory, to, w.recipients(to), body, 1'800'000'000);
    REQUIRE(items.ok());
    for (std::size_t p = 0; p < items->size(); ++p) {
      if (reporter_recognises(keys, (*items)[p])) seen[p]++;
    }
  }
  CHECK(std::count(seen.begin(), seen.end(), 0u) < 4);
}

TEST_CASE("a report names at most kMaxReaders advisers, the directory caps the padding", "[deposits]") {
  World w(reporter::kMaxReaders + 2);
  const crypto::ReporterKeys keys = new_reporter_keys();
  CHECK(reporter::padded_readers(w.directory) == reporter::kMaxReaders);
  const crypto::SecretBuffer body = crypto::SecretBuffer::copy_of(std::string_view("hello"));
  std::vector<crypto::AdviserId> to = w.first(reporter::kMaxReaders);
  auto items = reporter::build_report(keys, w.directory, to, w.recipients(to), body, 1'800'000'000);
  REQUIRE(items.ok());
  CHECK(items->size() == reporter::kMaxReaders + 1);
  CHECK(items->size() <= protocol::kMaxDepositsPerRequest);
  to = w.first(reporter::kMaxReaders + 1);
  CHECK(reporter::build_report(keys, w.directory, to, w.recipients(to), body, 1'800'000'000).error().code ==
        ErrorCode::kTooLarge);
  // The body limit is that of n recipients, whatever k.
  const crypto::SecretBuffer too_long(protocol::max_body_bytes(reporter::kMaxReaders) + 1);
  to = w.first(1);
  CHECK(reporter::build_report(keys, w.directory, to, w.recipients(to), too_long, 1'800'000'000).error().code ==
        ErrorCode::kTooLarge);
}

TEST_CASE("rotate deposits the same count and classes for 1..n current advisers", "[deposits]") {
  World w(4);
  const crypto::ReporterKeys old_keys = new_reporter_keys();
  const crypto::ReporterKeys new_keys = new_reporter_keys();
  const std::size_t n = reporter::padded_readers(w.directory);
  std::vector<std::size_t> first_sizes;
  for (std::size_t k = 1; k <= n; ++k) {
    INFO(k << " advisers");
    client::Mailbox box;
    client::ReceivedLetter copy;
    copy.id = random_as<crypto::MessageId>();
    copy.sender_pk = old_keys.message_pk;
    copy.letter.kind = protocol::LetterKind::kSentCopy;
    copy.letter.sent_at = 1'800'000'000;
    copy.letter.delete_token = random_fixed<32>();
    copy.letter.recipients = w.first(k);
    copy.letter.body = crypto::SecretBuffer::copy_of(std::string_view("what happened on Friday"));
    box.letters.push_back(std::move(copy));
    const reporter::Conversation c = reporter::build_conversation(std::move(box), old_keys, w.directory);
    REQUIRE(c.current_recipients.size() == k);
    auto rotation = reporter::build_rotation(old_keys, new_keys, w.directory, c, w.recipients(c.current_recipients));
    REQUIRE(rotation.ok());
    CHECK(rotation->items.size() == n + 2);
    const std::vector<std::size_t> sizes = sorted_sizes(rotation->items);
    if (k == 1) first_sizes = sizes;
    CHECK(sizes == first_sizes);
    for (std::size_t i = 0; i < n; ++i) {
      CHECK(std::count_if(rotation->items.begin(), rotation->items.end(),
                          [&](const client::Outgoing& o) { return w.recognises(i, o); }) == (i < k ? 1 : 0));
    }
    // The history to the new code, the move marker to the old one.
    CHECK(std::count_if(rotation->items.begin(), rotation->items.end(),
                        [&](const client::Outgoing& o) { return reporter_recognises(new_keys, o); }) == 1);
    CHECK(std::count_if(rotation->items.begin(), rotation->items.end(),
                        [&](const client::Outgoing& o) { return reporter_recognises(old_keys, o); }) == 1);
    std::size_t decoys = 0;
    for (const client::Outgoing& o : rotation->items) {
      bool anyone = reporter_recognises(new_keys, o) || reporter_recognises(old_keys, o);
      for (std::size_t i = 0; i < n; ++i) anyone = anyone || w.recognises(i, o);
      if (!anyone) decoys++;
    }
    CHECK(decoys == n - k);
  }
}

TEST_CASE("a hand-over answer deposits the same count and classes for yes and no", "[deposits]") {
  World w(3);
  const crypto::ReporterKeys keys = new_reporter_keys();
  const crypto::DirectoryEntry& anna = w.directory.entries[0];
  const crypto::DirectoryEntry& bram = w.directory.entries[1];
  const crypto::DirectoryEntry& commissie = w.directory.entries[2];
  // A long conversation, so the history accepting sends is larger than the
  // answer: declining must stand in for it with a decoy of its class.
  client::Mailbox box;
  client::ReceivedLetter copy;
  copy.id = random_as<crypto::MessageId>();
  copy.sender_pk = keys.message_pk;
  copy.letter.kind = protocol::LetterKind::kSentCopy;
  copy.letter.sent_at = 1'800'000'000;
  copy.letter.delete_token = random_fixed<32>();
  copy.letter.recipients = {anna.id, bram.id};
  copy.letter.body = crypto::SecretBuffer(20000);
  crypto::random_fill({copy.letter.body.data(), copy.letter.body.size()});
  box.letters.push_back(std::move(copy));
  protocol::HandoverProposal p;
  crypto::random_fill(p.id);
  p.new_adviser = commissie.id;
  p.signature = crypto::sign(protocol::kHandoverDomain,
                             protocol::handover_statement(anna.id, keys.message_pk, p.id, commissie.id),
                             w.identities[0].sign.sk);
  client::ReceivedLetter proposal;
  proposal.id = random_as<crypto::MessageId>();
  proposal.sender_pk = anna.message_pk;
  proposal.letter.kind = protocol::LetterKind::kHandoverProposal;
  proposal.letter.sent_at = 1'800'000'100;
  proposal.letter.delete_token = random_fixed<32>();
  proposal.letter.adviser_id = anna.id;
  proposal.letter.body = protocol::encode_proposal(p);
  box.letters.push_back(std::move(proposal));
  const reporter::Conversation c = reporter::build_conversation(std::move(box), keys, w.directory);
  REQUIRE(c.pending_proposals.size() == 1);
  const reporter::PendingProposal& pending = c.pending_proposals[0];

  auto yes = reporter::build_handover_answer(keys, w.directory, c, pending, protocol::HandoverDecision::kAccept,
                                             w.recipients({anna.id, commissie.id}));
  auto no = reporter::build_handover_answer(keys, w.directory, c, pending, protocol::HandoverDecision::kDecline,
                                            w.recipients({anna.id}));
  REQUIRE(yes.ok());
  REQUIRE(no.ok());
  CHECK(yes->items.size() == 3);
  CHECK(no->items.size() == 3);
  CHECK(sorted_sizes(yes->items) == sorted_sizes(no->items));
  CHECK(sorted_sizes(yes->items).back() == 32768);  // the history's class, not the answer's
  CHECK(count_decoys(w, keys, yes->items) == 0);
  CHECK(count_decoys(w, keys, no->items) == 1);
  // Accepting: the new adviser receives the history; declining: nobody does.
  const auto for_commissie = [&](const client::Outgoing& o) { return w.recognises(2, o); };
  CHECK(std::count_if(yes->items.begin(), yes->items.end(), for_commissie) == 1);
  CHECK(std::count_if(no->items.begin(), no->items.end(), for_commissie) == 0);
}
