// File keys (docs/PROTOCOL.md, "Attachments"): the version 3 letter that
// announces files, the keys derived from a file's seed, pieces sealed once
// to them, and the adviser's store of pending file keys.
#include <catch2/catch.hpp>

#include "case_store.hpp"
#include "common.hpp"
#include "meldpunt/client/file_key.hpp"
#include "meldpunt/crypto/derive.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/random.hpp"
#include "meldpunt/protocol/attachment.hpp"
#include "meldpunt/protocol/letter.hpp"

using namespace meldpunt;
using meldpunt::test_support::random_fixed;
using meldpunt::test_support::random_as;
using meldpunt::test_support::TempDir;

namespace {

client::FileToSend file_of(std::size_t n, std::string_view name) {
  client::FileToSend f;
  f.content = crypto::SecretBuffer(n);
  crypto::random_fill({f.content.data(), f.content.size()});
  f.name = crypto::SecretBuffer::copy_of(name);
  f.digest = crypto::file_digest(f.content.view());
  crypto::random_fill(f.file_id);
  return f;
}

protocol::Letter report_with(std::vector<protocol::FileEntry> files) {
  protocol::Letter letter;
  letter.kind = protocol::LetterKind::kReport;
  letter.sent_at = 1'800'000'000;
  letter.directory_serial = 7;
  letter.adviser_id = random_as<crypto::AdviserId>();
  letter.recipients = {letter.adviser_id};
  letter.body = crypto::SecretBuffer::copy_of(std::string_view("see the files"));
  letter.files = std::move(files);
  return letter;
}

}  // namespace

TEST_CASE("a letter announcing files is version 3, byte for byte as documented", "[filekeys][protocol]") {
  const client::FileToSend file = file_of(protocol::kAttachmentPieceDataBytes + 1, "minutes.pdf");
  std::vector<protocol::FileEntry> files;
  files.push_back(client::file_entry(file, true));
  protocol::Letter letter = report_with(std::move(files));
  const crypto::SecretBuffer encoded = protocol::encode_letter(letter);

  // The layout of docs/PROTOCOL.md, built by hand.
  Bytes expected;
  append_u8(expected, 3);
  append_u8(expected, 1);
  append_u64_le(expected, letter.sent_at);
  append_u64_le(expected, 7);
  append(expected, letter.adviser_id);
  append(expected, letter.reporter_fetch_pk);
  append(expected, letter.delete_token);
  append_u8(expected, 1);
  append(expected, letter.adviser_id);
  append_u32_le(expected, 13);
  append(expected, as_bytes(std::string_view("see the files")));
  append_u8(expected, 1);
  append(expected, file.file_id);
  append_u64_le(expected, file.content.size());
  append_u16_le(expected, 2);
  append(expected, file.digest);
  append(expected, file.key_seed.view());
  append_u8(expected, 11);
  append(expected, as_bytes(std::string_view("minutes.pdf")));
  REQUIRE(encoded.size() == expected.size());
  CHECK(std::equal(expected.begin(), expected.end(), encoded.data()));
  CHECK(encoded.size() == protocol::letter_bytes(1, 13, protocol::file_block_bytes(letter.files)));

  auto decoded = protocol::decode_letter(encoded.view());
  REQUIRE(decoded.ok());
  REQUIRE(decoded->files.size() == 1);
  CHECK(decoded->files[0].file_id == file.file_id);
  CHECK(decoded->files[0].total_bytes == file.content.size());
  CHECK(decoded->files[0].count == 2);
  CHECK(decoded->files[0].digest == file.digest);
  CHECK(decoded->files[0].key_seed.equals(file.key_seed));
  CHECK(decoded->files[0].name.text() == "minutes.pdf");
  CHECK(decoded->directory_serial == 7);
  CHECK(protocol::encode_letter(*decoded).equals(encoded));

  // Every truncation and any byte more is refused.
  for (std::size_t cut = 0; cut < encoded.size(); ++cut) CHECK_FALSE(protocol::decode_letter(encoded.view().first(cut)).ok());
  crypto::SecretBuffer longer = encoded.clone();
  longer.push_back(0);
  CHECK_FALSE(protocol::decode_letter(longer.view()).ok());

  // Without files a letter stays version 2, as older clients read it.
  protocol::Letter plain = report_with({});
  CHECK(protocol::encode_letter(plain).data()[0] == 2);
}

TEST_CASE("the file block is refused when it is not the one encoding of valid files", "[filekeys][protocol]") {
  const client::FileToSend a = file_of(100, "a.txt");
  const client::FileToSend b = file_of(200, "b.txt");
  std::vector<protocol::FileEntry> two;
  two.push_back(client::file_entry(a, true));
  two.push_back(client::file_entry(b, true));
  const crypto::SecretBuffer good = protocol::encode_letter(report_with(std::move(two)));
  REQUIRE(protocol::decode_letter(good.view()).ok());
  const std::size_t block = good.size() - 1 - 2 * (protocol::kFileEntryFixedBytes + 5);  // the file count
  auto mutated = [&](auto change) {
    crypto::SecretBuffer bad = good.clone();
    change(bad);
    return protocol::decode_letter(bad.view()).ok();
  };
  const std::size_t first = block + 1;  // the first entry
  CHECK_FALSE(mutated([&](crypto::SecretBuffer& x) { x.data()[block] = 0; }));  // a count of 0
  CHECK_FALSE(mutated([&](crypto::SecretBuffer& x) { x.data()[block] = 9; }));  // over kMaxLetterFiles
  CHECK_FALSE(mutated([&](crypto::SecretBuffer& x) { x.data()[first + 24] ^= 1; }));  // piece count off
  CHECK_FALSE(mutated([&](crypto::SecretBuffer& x) { std::fill_n(x.data() + first + 16, 8, 0); }));  // size 0
  CHECK_FALSE(mutated([&](crypto::SecretBuffer& x) { x.data()[first + 16 + 3] = 0x10; }));  // over 64 MiB
  const std::size_t second = first + protocol::kFileEntryFixedBytes + 5;
  // Two entries with one id, or one seed: refused.
  CHECK_FALSE(mutated([&](crypto::SecretBuffer& x) { std::copy_n(x.data() + first, 16, x.data() + second); }));
  CHECK_FALSE(mutated([&](crypto::SecretBuffer& x) {
    std::copy_n(x.data() + first + 58, 32, x.data() + second + 58);
  }));
  // Only kinds 1, 2 and 3 carry files.
  for (std::uint8_t kind = 4; kind <= protocol::kMaxLetterKind; ++kind) {
    CHECK_FALSE(mutated([&](crypto::SecretBuffer& x) { x.data()[1] = kind; }));
  }
  CHECK(mutated([&](crypto::SecretBuffer& x) { x.data()[1] = 3; }));
  // The encoder refuses what the decoder would.
  protocol::Letter rotate = report_with({});
  rotate.kind = protocol::LetterKind::kRotate;
  rotate.files.push_back(client::file_entry(a, true));
  CHECK_THROWS_AS(protocol::encode_letter(rotate), std::invalid_argument);
  // The sender's own copy: zero seeds, more than one allowed.
  protocol::Letter copy = report_with({});
  copy.kind = protocol::LetterKind::kSentCopy;
  copy.files.push_back(client::file_entry(a, false));
  copy.files.push_back(client::file_entry(b, false));
  auto decoded = protocol::decode_letter(protocol::encode_letter(copy).view());
  REQUIRE(decoded.ok());
  CHECK(decoded->files[1].key_seed.equals(crypto::Secret<32>{}));
}

TEST_CASE("a reply announcing files keeps its signature block after the files", "[filekeys][protocol]") {
  protocol::Letter reply = report_with({});
  reply.kind = protocol::LetterKind::kReply;
  reply.recipients.clear();
  reply.signature = random_as<crypto::Signature>();
  reply.files.push_back(client::file_entry(file_of(10, "form.pdf"), true));
  const crypto::SecretBuffer encoded = protocol::encode_letter(reply);
  auto decoded = protocol::decode_letter(encoded.view());
  REQUIRE(decoded.ok());
  CHECK(decoded->signature == reply.signature);
  CHECK(decoded->files.size() == 1);
}

TEST_CASE("file keys: derived from the seed alone, apart from a reporter's", "[filekeys][crypto]") {
  const auto seed = crypto::Secret<32>::random();
  const crypto::ReporterKeys a = crypto::derive_file_keys(seed);
  const crypto::ReporterKeys b = crypto::derive_file_keys(seed.clone());
  CHECK(a.message_pk == b.message_pk);
  CHECK(a.fetch_pk == b.fetch_pk);
  CHECK(a.message_sk.equals(b.message_sk));
  const crypto::ReporterKeys c = crypto::derive_file_keys(crypto::Secret<32>::random());
  CHECK(a.message_pk != c.message_pk);
  CHECK(a.fetch_pk != c.fetch_pk);
}

TEST_CASE("pieces are sealed once to the file key and match only their file", "[filekeys][attachment]") {
  const crypto::X25519KeyPair sender = crypto::X25519KeyPair::generate();
  const client::FileToSend file = file_of(2 * protocol::kAttachmentPieceDataBytes + 3, "scan.png");
  auto pieces = client::seal_file_pieces(file, 1234, sender.sk, sender.pk);
  REQUIRE(pieces.ok());
  REQUIRE(pieces->size() == 3);
  const crypto::ReporterKeys key = crypto::derive_file_keys(file.key_seed);
  const protocol::FileEntry entry = client::file_entry(file, true);
  for (std::size_t i = 0; i < pieces->size(); ++i) {
    const client::Outgoing& item = (*pieces)[i].item;
    CHECK(item.envelope.size() == crypto::kEnvelopeSizes.back());
    auto blinded = crypto::blind_clue(item.clue, random_as<crypto::MessageId>());
    REQUIRE(blinded.ok());
    CHECK(crypto::recognise(*blinded, key.fetch_sk).has_value());
    auto opened = crypto::open_envelope(item.envelope, key.message_sk, key.message_pk);
    REQUIRE(opened.ok());
    CHECK(opened->sender_pk == sender.pk);
    auto letter = protocol::decode_letter(opened->payload.view());
    REQUIRE(letter.ok());
    auto chunk = protocol::decode_attachment_chunk(letter->body.view());
    REQUIRE(chunk.ok());
    CHECK(chunk->index == i);
    CHECK(client::match_piece(entry, *chunk));
    // Another file's entry (a key reused, a piece claimed by two letters) does not match.
    CHECK_FALSE(client::match_piece(client::file_entry(file_of(10, "scan.png"), true), *chunk));
    protocol::FileEntry renamed = client::file_entry(file, true);
    renamed.name = crypto::SecretBuffer::copy_of(std::string_view("scan.jpg"));
    CHECK_FALSE(client::match_piece(renamed, *chunk));
  }
}

TEST_CASE("case store: pending file keys, pieces without relay records, the key gone once whole",
          "[filekeys][adviser][attachment]") {
  TempDir dir("meldpunt-filekeys-");
  auto opened = adviser::CaseStore::open(dir.path(), crypto::Secret<32>::random());
  REQUIRE(opened.ok());
  adviser::CaseStore& store = *opened;
  crypto::X25519PublicKey reporter{};
  crypto::random_fill(reporter);
  adviser::IncomingReport report;
  crypto::random_fill(report.relay_id);
  crypto::random_fill(report.delete_token);
  report.reporter_message_pk = reporter;
  report.sent_at = 1000;
  report.received_at = 2000;
  report.body = as_bytes("See the files.");
  auto recorded = store.record_incoming(report);
  REQUIRE(recorded.ok());
  const adviser::CaseKey case_key = recorded->case_key;

  const client::FileToSend file = file_of(protocol::kAttachmentPieceDataBytes + 10, "minutes.pdf");
  const protocol::FileEntry entry = client::file_entry(file, true);
  auto announced = store.record_file_key(case_key, reporter, 1000, 2000, entry);
  REQUIRE(announced.ok());
  CHECK(*announced == adviser::PieceOutcome::kAnnounced);
  // The same letter again, or another claiming the same file: the first counts.
  CHECK(*store.record_file_key(case_key, reporter, 1001, 2001, entry) == adviser::PieceOutcome::kAlreadyKnown);

  auto pending = store.pending_file_keys();
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 1);
  const adviser::PendingFileKey& key = pending->front();
  CHECK(key.sender_pk == reporter);
  CHECK(key.entry.key_seed.equals(file.key_seed));
  CHECK(key.entry.name.text() == "minutes.pdf");
  auto listed = store.attachments(case_key);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK(listed->front().state == client::AttachmentState::kIncomplete);
  CHECK(listed->front().received == 0);

  const auto chunks = client::split_attachment(file);
  CHECK(store.record_file_piece(key, chunks[1], 3000)->outcome == adviser::PieceOutcome::kStored);
  CHECK(store.record_file_piece(key, chunks[1], 3000)->outcome == adviser::PieceOutcome::kAlreadyKnown);
  CHECK(store.record_file_piece(key, chunks[0], 3000)->outcome == adviser::PieceOutcome::kCompleted);
  // Whole: the seed is kept no longer, and nothing waits to be deleted at
  // the relay (the pieces are every reader's).
  CHECK(store.pending_file_keys()->empty());
  auto deletes = store.pending_deletes();
  REQUIRE(deletes.ok());
  REQUIRE(deletes->size() == 1);  // the report's own letter only
  CHECK(deletes->front().relay_id == report.relay_id);
  auto content = store.attachment_content(case_key, 0);
  REQUIRE(content.ok());
  CHECK(content->equals(file.content));

  // The case's allowance bounds the pending keys.
  for (std::size_t i = 1; i < adviser::kMaxAttachmentsPerCase; ++i) {
    REQUIRE(*store.record_file_key(case_key, reporter, 1000, 2000, client::file_entry(file_of(1, "x"), true)) ==
            adviser::PieceOutcome::kAnnounced);
  }
  CHECK(*store.record_file_key(case_key, reporter, 1000, 2000, client::file_entry(file_of(1, "y"), true)) ==
        adviser::PieceOutcome::kOverQuota);
  pending = store.pending_file_keys();
  REQUIRE(pending.ok());
  CHECK(pending->size() == adviser::kMaxAttachmentsPerCase - 1);
  REQUIRE(store.drop_file_key(case_key, pending->front().sequence).ok());
  CHECK(store.pending_file_keys()->size() == adviser::kMaxAttachmentsPerCase - 2);
}
