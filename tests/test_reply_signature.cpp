// Reply signatures (protocol/reply_signature.hpp), the signature block of a
// kind-2 letter, version 2 histories (signatures and file notes), and the
// reporter's client checking and passing them on.
#include <catch2/catch.hpp>

#include "../reporter-client/src/attachments.hpp"
#include "common.hpp"
#include "conversation.hpp"
#include "meldpunt/crypto/random.hpp"
#include "meldpunt/protocol/handover.hpp"
#include "meldpunt/protocol/letter.hpp"
#include "meldpunt/protocol/reply_signature.hpp"

using namespace meldpunt;

namespace {

using test_support::random_fixed;
using test_support::random_as;

crypto::SecretBuffer text(std::string_view s) { return crypto::SecretBuffer::copy_of(s); }

}  // namespace

TEST_CASE("reply statement: the known-answer vector's message, field by field", "[signed]") {
  auto v = test_support::load_vectors("sign.txt");
  REQUIRE(v["sig5.domain"] == protocol::kReplyDomain);
  crypto::AdviserId adviser{};
  for (std::size_t i = 0; i < adviser.size(); ++i) adviser[i] = static_cast<std::uint8_t>(i);
  const auto reporter_pk =
      test_support::fixed_as<crypto::X25519PublicKey>(test_support::hex("35f43a8af1514b91af3a0d737b46e8f710fc266080cc29b722931b3832edbf7e"));
  const crypto::SecretBuffer statement =
      protocol::reply_statement(adviser, reporter_pk, 1'700'000'000, as_bytes("Dank voor je melding."));
  CHECK(to_hex(statement.view()) == v["sig5.message"]);
  const crypto::SigningKeyPair kp =
      crypto::SigningKeyPair::from_seed(crypto::Secret<32>::from(test_support::hex(v["seed"])));
  const crypto::Signature sig =
      protocol::sign_reply(adviser, reporter_pk, 1'700'000'000, as_bytes("Dank voor je melding."), kp.sk);
  CHECK(to_hex(sig) == v["sig5.signature"]);
}

TEST_CASE("a reply signature binds adviser, reporter key, time and body", "[signed]") {
  const crypto::SigningKeyPair kp = crypto::SigningKeyPair::generate();
  const crypto::AdviserId adviser = random_as<crypto::AdviserId>();
  const crypto::X25519PublicKey reporter = random_as<crypto::X25519PublicKey>();
  const Bytes body = test_support::hex("48656c6c6f");
  const crypto::Signature sig = protocol::sign_reply(adviser, reporter, 100, body, kp.sk);
  CHECK(protocol::verify_reply(adviser, reporter, 100, body, sig, kp.pk));
  CHECK_FALSE(protocol::verify_reply(random_as<crypto::AdviserId>(), reporter, 100, body, sig, kp.pk));
  CHECK_FALSE(protocol::verify_reply(adviser, random_as<crypto::X25519PublicKey>(), 100, body, sig, kp.pk));
  CHECK_FALSE(protocol::verify_reply(adviser, reporter, 101, body, sig, kp.pk));
  CHECK_FALSE(protocol::verify_reply(adviser, reporter, 100, test_support::hex("48656c6c6e"), sig, kp.pk));
  CHECK_FALSE(protocol::verify_reply(adviser, reporter, 100, body, sig, crypto::SigningKeyPair::generate().pk));
  // Not a signature of another domain: a hand-over statement of the same
  // bytes does not verify as a reply.
  const crypto::SecretBuffer statement = protocol::reply_statement(adviser, reporter, 100, body);
  const crypto::Signature other = crypto::sign(protocol::kHandoverDomain, statement.view(), kp.sk);
  CHECK_FALSE(protocol::verify_reply(adviser, reporter, 100, body, other, kp.pk));
}

TEST_CASE("the signature block: kind 2 only, exactly one, its own version", "[signed][protocol]") {
  protocol::Letter letter;
  letter.kind = protocol::LetterKind::kReply;
  letter.sent_at = 1'700'000'000;
  letter.adviser_id = random_as<crypto::AdviserId>();
  letter.delete_token = random_fixed<32>();
  letter.body = text("an answer");
  const crypto::SecretBuffer unsigned_bytes = protocol::encode_letter(letter);
  auto plain = protocol::decode_letter(unsigned_bytes.view());
  REQUIRE(plain);
  CHECK_FALSE(plain->signature);  // a reply from before signing still reads

  letter.signature = random_as<crypto::Signature>();
  const crypto::SecretBuffer signed_bytes = protocol::encode_letter(letter);
  REQUIRE(signed_bytes.size() == unsigned_bytes.size() + protocol::kLetterSignatureBytes);
  CHECK(signed_bytes.data()[unsigned_bytes.size()] == protocol::kLetterSignatureVersion);
  auto decoded = protocol::decode_letter(signed_bytes.view());
  REQUIRE(decoded);
  REQUIRE(decoded->signature);
  CHECK(*decoded->signature == *letter.signature);
  CHECK(decoded->body.text() == "an answer");

  // A short block, a longer one, another block version, and a block after
  // any other kind are refused.
  CHECK_FALSE(protocol::decode_letter(signed_bytes.view().first(signed_bytes.size() - 1)));
  crypto::SecretBuffer longer = signed_bytes.clone();
  longer.push_back(0);
  CHECK_FALSE(protocol::decode_letter(longer.view()));
  crypto::SecretBuffer other_version = signed_bytes.clone();
  other_version.data()[unsigned_bytes.size()] = 2;
  CHECK_FALSE(protocol::decode_letter(other_version.view()));
  crypto::SecretBuffer other_kind = signed_bytes.clone();
  other_kind.data()[1] = static_cast<std::uint8_t>(protocol::LetterKind::kReport);
  CHECK_FALSE(protocol::decode_letter(other_kind.view()));
  protocol::Letter report;
  report.kind = protocol::LetterKind::kReport;
  report.signature = random_as<crypto::Signature>();
  CHECK_THROWS_AS(protocol::encode_letter(report), std::invalid_argument);
}

TEST_CASE("history version 2: signatures and file notes round-trip, version 1 still reads", "[signed][protocol]") {
  protocol::History h;
  protocol::HistoryEntry mine;
  mine.sent_at = 1;
  mine.from_reporter = true;
  mine.recipients = {random_as<crypto::AdviserId>()};
  mine.body = text("Zie het rooster.");
  mine.files.push_back({1250, random_as<crypto::FileDigest>(), text("rooster.txt")});
  protocol::HistoryEntry theirs;
  theirs.sent_at = 2;
  theirs.adviser_id = random_as<crypto::AdviserId>();
  theirs.body = text("answer");
  theirs.signature = protocol::EntrySignature{random_as<crypto::X25519PublicKey>(), random_as<crypto::Signature>()};
  h.entries.push_back(std::move(mine));
  h.entries.push_back(std::move(theirs));
  const crypto::SecretBuffer encoded = protocol::encode_history(h);
  CHECK(encoded.data()[0] == 2);
  CHECK(encoded.size() == protocol::kHistoryHeaderBytes + protocol::history_entry_bytes(h.entries[0]) +
                              protocol::history_entry_bytes(h.entries[1]));
  auto decoded = protocol::decode_history(encoded.view());
  REQUIRE(decoded);
  REQUIRE(decoded->entries.size() == 2);
  REQUIRE(decoded->entries[0].files.size() == 1);
  CHECK(decoded->entries[0].files[0].total_bytes == 1250);
  CHECK(decoded->entries[0].files[0].digest == h.entries[0].files[0].digest);
  CHECK(decoded->entries[0].files[0].name.text() == "rooster.txt");
  CHECK_FALSE(decoded->entries[0].signature);
  REQUIRE(decoded->entries[1].signature);
  CHECK(decoded->entries[1].signature->reporter_message_pk == h.entries[1].signature->reporter_message_pk);
  CHECK(decoded->entries[1].signature->signature == h.entries[1].signature->signature);
  CHECK(protocol::encode_history(*decoded).equals(encoded));

  for (std::size_t n = 0; n < encoded.size(); ++n) CHECK_FALSE(protocol::decode_history(encoded.view().first(n)));
  // A reporter entry may not carry a signature; a file note needs a name.
  const std::size_t signed_flag = 4 + protocol::history_entry_bytes(h.entries[0]) - 1 -
                                  (8 + 32 + 1 + 11) - 1;  // entry 0: ... body || signed || count || note
  crypto::SecretBuffer bad = encoded.clone();
  REQUIRE(bad.data()[signed_flag] == 0);
  bad.data()[signed_flag] = 1;
  CHECK_FALSE(protocol::decode_history(bad.view()));
  bad = encoded.clone();
  bad.data()[signed_flag] = 2;
  CHECK_FALSE(protocol::decode_history(bad.view()));
  bad = encoded.clone();
  bad.data()[signed_flag + 2 + 8 + 32] = 0;  // name length 0
  CHECK_FALSE(protocol::decode_history(bad.view()));

  // Version 1, as older clients wrote it: no signatures, no notes; it
  // encodes back to the same bytes.
  protocol::History old;
  old.version = protocol::kHistoryVersionWithoutSignatures;
  protocol::HistoryEntry e;
  e.sent_at = 5;
  e.adviser_id = random_as<crypto::AdviserId>();
  e.body = text("old answer");
  old.entries.push_back(std::move(e));
  const crypto::SecretBuffer v1 = protocol::encode_history(old);
  CHECK(v1.data()[0] == 1);
  CHECK(v1.size() == 4 + 8 + 1 + 16 + 1 + 4 + 10);
  auto read = protocol::decode_history(v1.view());
  REQUIRE(read);
  CHECK(read->version == 1);
  CHECK_FALSE(read->entries[0].signature);
  CHECK(protocol::encode_history(*read).equals(v1));
  old.entries[0].signature = protocol::EntrySignature{};
  CHECK_THROWS_AS(protocol::encode_history(old), std::invalid_argument);
}

TEST_CASE("the reporter refuses a badly signed reply and passes signatures and files on", "[signed][reporter]") {
  const crypto::ReporterKeys keys = crypto::derive_reporter_keys(
      crypto::ReporterCode::generate(), random_as<crypto::Ed25519PublicKey>(), crypto::KdfParams::insecure_for_tests());
  const crypto::SigningKeyPair anna_sign = crypto::SigningKeyPair::generate();
  crypto::Directory directory;
  crypto::DirectoryEntry anna;
  anna.id = random_as<crypto::AdviserId>();
  anna.name = "Anna";
  anna.message_pk = random_as<crypto::X25519PublicKey>();
  anna.sign_pk = anna_sign.pk;
  directory.entries.push_back(anna);

  auto letter = [&](protocol::LetterKind kind, std::uint64_t at, const crypto::X25519PublicKey& sender,
                    std::string_view body) {
    client::ReceivedLetter r;
    r.id = random_as<crypto::MessageId>();
    r.sender_pk = sender;
    r.letter.kind = kind;
    r.letter.sent_at = at;
    r.letter.delete_token = random_fixed<32>();
    r.letter.body = text(body);
    return r;
  };
  client::Mailbox box;
  auto mine = letter(protocol::LetterKind::kSentCopy, 100, keys.message_pk, "Zie het rooster.");
  mine.letter.recipients = {anna.id};
  box.letters.push_back(std::move(mine));
  auto good = letter(protocol::LetterKind::kReply, 200, anna.message_pk, "signed answer");
  good.letter.adviser_id = anna.id;
  good.letter.signature = protocol::sign_reply(anna.id, keys.message_pk, 200, as_bytes("signed answer"), anna_sign.sk);
  box.letters.push_back(std::move(good));
  // Holding Anna's message key alone: a signature that does not verify.
  auto forged = letter(protocol::LetterKind::kReply, 300, anna.message_pk, "please send us your full name");
  forged.letter.adviser_id = anna.id;
  forged.letter.signature = protocol::sign_reply(anna.id, keys.message_pk, 300, as_bytes("something else"), anna_sign.sk);
  box.letters.push_back(std::move(forged));
  auto old = letter(protocol::LetterKind::kReply, 400, anna.message_pk, "unsigned answer");
  old.letter.adviser_id = anna.id;
  box.letters.push_back(std::move(old));

  reporter::Conversation c = reporter::build_conversation(std::move(box), keys, directory);
  CHECK(c.ignored == 1);
  REQUIRE(c.entries.size() == 3);
  REQUIRE(c.entries[1].signature);
  CHECK(c.entries[1].signature->reporter_message_pk == keys.message_pk);
  CHECK_FALSE(c.entries[2].signature);  // shown, marked unsigned, never forwarded as verified

  reporter::ConversationAttachments files;
  reporter::SentAttachment sent;
  sent.sent_at = 100;
  sent.name = text("rooster.txt");
  sent.total_bytes = 1250;
  sent.digest = random_as<crypto::FileDigest>();
  files.sent.push_back(std::move(sent));
  reporter::note_files(c, files);
  reporter::note_files(c, files);  // noted once
  CHECK(c.files.size() == 1);
  CHECK(reporter::files_left_behind(c) == "    rooster.txt (1.2 KiB)\n");

  std::size_t dropped = 0;
  const protocol::History h = reporter::handover_history(c, 1, dropped);
  CHECK(dropped == 0);
  REQUIRE(h.entries.size() == 3);
  REQUIRE(h.entries[0].files.size() == 1);
  CHECK(h.entries[0].files[0].name.text() == "rooster.txt");
  REQUIRE(h.entries[1].signature);
  CHECK(protocol::verify_reply(anna.id, h.entries[1].signature->reporter_message_pk, h.entries[1].sent_at,
                               h.entries[1].body.view(), h.entries[1].signature->signature, anna.sign_pk));
  CHECK_FALSE(h.entries[2].signature);

  // After a move to a new code: the history letter's notes are the new
  // code's record of the files (the old code kept them).
  client::Mailbox moved;
  auto carry = letter(protocol::LetterKind::kHistory, 500, keys.message_pk, "");
  carry.letter.recipients = {anna.id};
  carry.letter.body = protocol::encode_history(h);
  moved.letters.push_back(std::move(carry));
  const reporter::Conversation after = reporter::build_conversation(std::move(moved), keys, directory);
  REQUIRE(after.files.size() == 1);
  CHECK(after.files[0].from_history);
  CHECK(after.files[0].from_reporter);
  CHECK(after.files[0].sent_at == 100);
  CHECK(reporter::files_left_behind(after) == "    rooster.txt (1.2 KiB)\n");
  REQUIRE(after.entries.size() == 3);
  CHECK(after.entries[1].signature);  // passed on again by a later hand-over
}

TEST_CASE("reply signature: unsigned replies are refused from the cutoff on", "[signed]") {
  // The day before: an unsigned reply from an adviser program of before
  // signing may still be waiting at the relay, and is shown marked.
  CHECK(protocol::unsigned_replies_accepted(protocol::kUnsignedReplyCutoff - 1));
  // From the cutoff every such letter has expired (retention at most 67
  // days after the upgrade); what is left unsigned is forged with a stolen
  // message key, and is refused.
  CHECK_FALSE(protocol::unsigned_replies_accepted(protocol::kUnsignedReplyCutoff));
  CHECK(protocol::kUnsignedReplyCutoff == 1803859200);  // 2027-03-01 00:00 UTC
}
