// Writes the seed corpora of the fuzz targets from real encodings:
//   fuzz_seed_writer DIR      -> DIR/<target>/seed-NN
// Run once and commit the result (fuzz/corpus/); random parts (ephemeral
// keys, ids) differ between runs, which does not matter for seeds.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include "archive.hpp"
#include "case_store.hpp"
#include "curve_test_client.hpp"
#include "fuzz_common.hpp"
#include "key_file.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/passphrase_box.hpp"
#include "meldpunt/protocol/attachment.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "meldpunt/protocol/handover.hpp"
#include "meldpunt/protocol/http_body.hpp"
#include "meldpunt/protocol/letter.hpp"

namespace {

using namespace meldpunt;

std::map<std::string, std::vector<Bytes>> g_seeds;

void add(const std::string& target, ByteView bytes) { g_seeds[target].emplace_back(bytes.begin(), bytes.end()); }
void add_text(const std::string& target, std::string_view text) { add(target, as_bytes(text)); }
Bytes with_selector(std::uint8_t selector, ByteView rest) {
  Bytes out{selector};
  append(out, rest);
  return out;
}
template <typename T>
T must(Result<T> r) {
  if (!r) {
    std::cerr << "seed writer: " << r.error().message << "\n";
    std::exit(1);
  }
  return std::move(r).value();
}

crypto::DirectoryEntry fuzz_entry(const fuzz::FixedKeys& keys) {
  crypto::DirectoryEntry entry;
  entry.id.fill(0xAD);
  entry.role = crypto::Role::kExternalConfidentialAdviser;
  entry.name = "Fuzz Adviser";
  entry.description_nl = "Luistert.\nVertrouwelijk.";
  entry.description_en = "Listens in confidence.";
  entry.sign_pk = keys.adviser_sign.pk;
  entry.message_pk = keys.adviser_message.pk;
  entry.fetch_pk = keys.reporter.fetch_pk;
  return entry;
}

Bytes envelope_to_adviser(const fuzz::FixedKeys& keys, ByteView payload, bool with_prekey, bool with_medium = true) {
  crypto::SealRequest request;
  request.sender_sk = &keys.sender.sk;
  request.sender_pk = keys.sender.pk;
  request.recipient_pk = keys.adviser_message.pk;
  if (with_prekey) request.prekey_pk = keys.prekey.pk;
  if (with_medium) request.medium_pk = keys.medium.pk;
  request.payload = payload;
  return must(crypto::seal_envelope(request));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_seed_writer CORPUS_DIR\n";
    return 1;
  }
  const auto& keys = fuzz::FixedKeys::get();
  const crypto::DirectoryEntry entry = fuzz_entry(keys);

  // Letters
  protocol::Letter letter;
  letter.kind = protocol::LetterKind::kReport;
  letter.sent_at = 1'700'000'000;
  letter.adviser_id = entry.id;
  letter.reporter_fetch_pk = keys.reporter.fetch_pk;
  letter.delete_token.fill(0x5A);
  letter.recipients = {entry.id, crypto::AdviserId{}};
  letter.body = crypto::SecretBuffer::copy_of(std::string_view("Mijn leidinggevende intimideert mij."));
  const crypto::SecretBuffer report = protocol::encode_letter(letter);
  add("letter", report.view());
  letter.kind = protocol::LetterKind::kReply;
  letter.reporter_fetch_pk = {};
  letter.recipients.clear();
  letter.body = crypto::SecretBuffer::copy_of(std::string_view("Dank voor je melding."));
  add("letter", protocol::encode_letter(letter).view());
  letter.signature = crypto::Signature{};  // a signed reply: the signature block after the body
  letter.signature->fill(0x44);
  add("letter", protocol::encode_letter(letter).view());
  letter.signature.reset();
  letter.kind = protocol::LetterKind::kSentCopy;
  letter.recipients = {entry.id};
  add("letter", protocol::encode_letter(letter).view());
  // Version 3: a report announcing two files with their key seeds.
  letter.kind = protocol::LetterKind::kReport;
  for (std::uint8_t i = 0; i < 2; ++i) {
    protocol::FileEntry f;
    f.file_id.fill(static_cast<std::uint8_t>(0xF0 + i));
    f.total_bytes = protocol::kAttachmentPieceDataBytes + 1000u * i;
    f.count = protocol::attachment_piece_count(f.total_bytes);
    f.digest.fill(static_cast<std::uint8_t>(0xD0 + i));
    f.key_seed = crypto::Secret<crypto::kFileKeySeedBytes>::from(Bytes(crypto::kFileKeySeedBytes, static_cast<std::uint8_t>(0x60 + i)));
    f.name = crypto::SecretBuffer::copy_of(std::string_view(i == 0 ? "notulen.pdf" : "foto \x1b[31m.jpg"));
    letter.files.push_back(std::move(f));
  }
  add("letter", protocol::encode_letter(letter).view());
  letter.files.clear();

  // Letter bodies with a format of their own (selector 0 history, 1 hand-over
  // proposal, 2 hand-over answer).
  protocol::History conversation;
  for (int i = 0; i < 2; ++i) {
    protocol::HistoryEntry h;
    h.sent_at = 1'700'000'000 + static_cast<std::uint64_t>(i);
    h.from_reporter = i == 0;
    if (h.from_reporter) h.recipients = {entry.id};
    else h.adviser_id = entry.id;
    h.body = crypto::SecretBuffer::copy_of(std::string_view(i == 0 ? "Eerste bericht." : "Antwoord."));
    conversation.entries.push_back(std::move(h));
  }
  add("letter_body", with_selector(0, protocol::encode_history(conversation).view()));
  conversation.truncated = true;
  add("letter_body", with_selector(0, protocol::encode_history(conversation).view()));
  // Version 2: an adviser entry's signature and a file note (what the
  // history does not carry); version 1 as older clients wrote it.
  conversation.entries[1].signature = protocol::EntrySignature{};
  conversation.entries[1].signature->reporter_message_pk.fill(0x22);
  conversation.entries[1].signature->signature.fill(0x33);
  conversation.entries[0].files.push_back({1234, {}, crypto::SecretBuffer::copy_of(std::string_view("rooster.txt"))});
  add("letter_body", with_selector(0, protocol::encode_history(conversation).view()));
  conversation.entries[1].signature.reset();
  conversation.entries[0].files.clear();
  conversation.version = protocol::kHistoryVersionWithoutSignatures;
  add("letter_body", with_selector(0, protocol::encode_history(conversation).view()));
  protocol::HandoverProposal proposal;
  proposal.id.fill(0x11);
  proposal.new_adviser.fill(0xBE);
  proposal.note = crypto::SecretBuffer::copy_of(std::string_view("Mijn collega is hier beter in thuis."));
  proposal.signature.fill(0x5E);
  add("letter_body", with_selector(1, protocol::encode_proposal(proposal).view()));
  protocol::HandoverAnswer answer;
  answer.proposal = proposal.id;
  answer.decision = protocol::HandoverDecision::kAccept;
  answer.new_adviser = proposal.new_adviser;
  add("letter_body", with_selector(2, protocol::encode_answer(answer).view()));
  protocol::HandoverTransfer transfer;
  transfer.proposer.fill(0xAD);
  transfer.proposal = proposal.id;
  transfer.signature.fill(0x5E);
  transfer.history = std::move(conversation);
  add("letter_body", with_selector(3, protocol::encode_transfer(transfer).view()));

  // Envelopes (with and without a prekey; the payload is a real letter)
  const Bytes envelope = envelope_to_adviser(keys, report.view(), true);
  add("envelope", envelope);
  add("envelope", envelope_to_adviser(keys, report.view(), false));
  add("envelope", envelope_to_adviser(keys, report.view(), false, false));

  // Clues and fetch entries
  const crypto::Clue clue = must(crypto::make_clue(keys.reporter.fetch_pk));
  crypto::MessageId id{};
  id.fill(0x11);
  const crypto::FetchEntry mine = must(crypto::blind_clue(clue, id));
  {
    Bytes in(clue.begin(), clue.end());
    append(in, mine);
    append(in, id);
    add("clue", in);
    Bytes other(clue.begin(), clue.end());
    append(other, crypto::random_fetch_entry());
    append(other, id);
    add("clue", other);
  }
  Bytes fetch_answer;
  for (std::size_t i = 0; i < protocol::kFetchPadQuantum; ++i) {
    append(fetch_answer, i == 3 ? mine : crypto::random_fetch_entry());
  }
  add("fetch_entries", fetch_answer);

  // Codes as typed
  for (const std::uint8_t fill : std::initializer_list<std::uint8_t>{0, 7, 31}) {
    const auto code = crypto::ReporterCode::from_data_symbols(Bytes(crypto::kCodeDataSymbols, fill));
    add_text("code", code.display().text());
  }
  add_text("code", "7k3m q9tx 2brd hv5w np8c 4gz6");
  add_text("code", "OIL0-1111-2222-3333-4444-5555");

  // Cards and directory
  const std::string card = crypto::make_card(entry, keys.adviser_sign.sk);
  add_text("card", card);
  {
    Bytes raw = must(crypto::from_base64url(std::string_view(card).substr(8)));
    raw.resize(raw.size() - crypto::kSignatureBytes);  // the target signs the entry itself
    add("card", raw);
  }
  crypto::Directory directory;
  directory.org_sign_pk = keys.org.pk;
  directory.serial = 3;
  directory.entries.push_back(entry);
  crypto::DirectoryEntry second = entry;
  second.id.fill(0xBE);
  second.role = crypto::Role::kComplaintsCommittee;
  second.name = "Klachtencommissie";
  second.description_nl.clear();
  directory.entries.push_back(second);
  const Bytes signed_directory = must(crypto::sign_directory(directory, keys.org));
  add("directory", signed_directory);
  add("directory", ByteView(signed_directory).first(signed_directory.size() - crypto::kSignatureBytes));
  {
    // Version 3: a signpost with two groups and two kinds, one entry covering
    // a group for every kind, the other every group for one kind.
    crypto::Directory signposted = directory;
    signposted.valid_until = 1'900'000'000;
    signposted.groups = {{"civil-service", "Ambtelijke organisatie", "Civil service"},
                         {"members", "Kamerleden", "Members"}};
    signposted.kinds = {{"unwanted", "Ongewenst gedrag", "Unwanted behaviour"},
                        {"integrity", "Integriteit", "Integrity"}};
    signposted.entries[0].coverage.groups = 0b01;
    signposted.entries[0].coverage.every_kind = true;
    signposted.entries[1].coverage.every_group = true;
    signposted.entries[1].coverage.kinds = 0b10;
    const Bytes v3 = must(crypto::sign_directory(signposted, keys.org));
    add("directory", ByteView(v3).first(v3.size() - crypto::kSignatureBytes));
  }

  // Prekey bundle
  crypto::AdviserIdentity identity = crypto::AdviserIdentity::generate();
  const std::vector<crypto::SignedPrekey> prekeys = identity.make_prekeys(3);
  (void)identity.rotate_medium(20'000);
  std::vector<protocol::BundleEntry> bundle;
  for (const crypto::SignedPrekey& p : prekeys) bundle.push_back({identity.sign.pk, p, identity.medium.back().public_half()});
  bundle.push_back({identity.sign.pk, std::nullopt, identity.medium.back().public_half()});  // pool empty
  add("bundle", protocol::encode_bundle({}));
  add("bundle", protocol::encode_bundle(bundle));

  // Adviser identity, key file, case store records
  add("identity", identity.serialize().view());
  {
    // The same layout as version 1 wrote it (no medium-term part), which
    // parse() still reads.
    crypto::AdviserIdentity old = crypto::AdviserIdentity::generate();
    (void)old.make_prekeys(2);
    const crypto::SecretBuffer v2 = old.serialize();
    Bytes v1(v2.view().begin(), v2.view().begin() + 244);
    v1[7] = 1;
    v1.insert(v1.end(), v2.view().begin() + 252, v2.view().end());
    add("identity", v1);
  }
  adviser::AdviserProfile profile;
  profile.id = entry.id;
  profile.role = entry.role;
  profile.name = entry.name;
  profile.description_nl = entry.description_nl;
  profile.description_en = entry.description_en;
  profile.relay_prekeys = 17;
  profile.prekeys_checked_at = 1'700'000'000;
  add("key_file", with_selector(0, adviser::encode_profile(profile)));
  add("key_file", with_selector(1, adviser::encode_key_file(profile, identity).view()));
  adviser::BackupContents backup;
  backup.key_file = Bytes(200, 0x33);
  backup.card = card;
  backup.store = Bytes(300, 0x44);
  add("key_file", with_selector(2, adviser::encode_backup(backup)));

  adviser::CaseRecord record;
  record.status = adviser::CaseStatus::kInProgress;
  record.reporter_message_pk = keys.sender.pk;
  record.reporter_fetch_pk = keys.reporter.fetch_pk;
  record.created_at = 1'700'000'000;
  record.last_activity = 1'700'000'500;
  record.unread = 2;
  record.next_sequence = 3;
  record.other_advisers = {{second.id, second.name}, {crypto::AdviserId{}, ""}};
  add("case_store", with_selector(0, adviser::encode_case(record)));
  adviser::MessageRecord message;
  message.direction = adviser::Direction::kOut;
  message.sent_at = 1'700'000'100;
  message.stored_at = 1'700'000'101;
  message.relay_id = id;
  message.body = crypto::SecretBuffer::copy_of(std::string_view("Kunnen we morgen bellen?"));
  add("case_store", with_selector(1, adviser::encode_message(message).view()));
  // A forwarded reply whose signature verified, with a file that did not
  // come along (message record version 2).
  message.direction = adviser::Direction::kEarlierVerified;
  message.files_not_transferred.push_back({1250, {}, crypto::SecretBuffer::copy_of(std::string_view("rooster.txt"))});
  add("case_store", with_selector(1, adviser::encode_message(message).view()));
  adviser::HistoryEntry history;
  history.at = 1'700'000'200;
  history.event = adviser::HistoryEvent::kStatusChanged;
  history.from = adviser::CaseStatus::kNew;
  history.to = adviser::CaseStatus::kAcknowledged;
  add("case_store", with_selector(2, adviser::encode_history(history)));
  adviser::NoteRecord note;
  note.written_at = 1'700'000'300;
  note.text = crypto::SecretBuffer::copy_of(std::string_view("Gesprek gepland."));
  add("case_store", with_selector(3, adviser::encode_note(note).view()));
  add("case_store", with_selector(4, adviser::encode_settings(adviser::Settings{})));
  add("case_store", with_selector(6, adviser::encode_filing({"civil-service", "unwanted"})));
  adviser::RelayMessageRecord relay;
  relay.relay_id = id;
  relay.token.fill(0x5a);
  relay.case_key.fill(0x6b);
  relay.received_at = 1'700'000'400;
  add("case_store", with_selector(7, adviser::encode_relay_message(relay).view()));
  add("case_store", with_selector(8, adviser::encode_alias(relay.case_key)));
  add("case_store", with_selector(9, adviser::encode_schema(adviser::kStoreSchemaVersion)));
  adviser::AttachmentRecord attachment;
  attachment.direction = adviser::Direction::kIn;
  attachment.state = client::AttachmentState::kIntact;
  attachment.file_id.fill(0x7c);
  attachment.sent_at = 1'700'000'500;
  attachment.stored_at = 1'700'000'501;
  attachment.total_bytes = 1250;
  attachment.count = protocol::attachment_piece_count(attachment.total_bytes);
  attachment.received = attachment.count;
  attachment.name = crypto::SecretBuffer::copy_of(std::string_view("rooster.txt"));
  add("case_store", with_selector(10, adviser::encode_attachment_record(attachment).view()));
  const crypto::SecretBuffer piece = adviser::encode_attachment_piece(as_bytes("one piece of rooster.txt"));
  add("case_store", with_selector(12, piece.view()));
  adviser::FileKeyRecord file_key;
  file_key.sender_pk.fill(0x3d);
  file_key.seed = crypto::Secret<crypto::kFileKeySeedBytes>::from(Bytes(crypto::kFileKeySeedBytes, 0x4e));
  file_key.announced_at = 1'700'000'600;
  add("case_store", with_selector(13, adviser::encode_file_key_record(file_key).view()));

  // Passphrase box (minimum parameters, as the target uses)
  const auto passphrase = crypto::SecretBuffer::copy_of(std::string_view("fuzz passphrase"));
  const crypto::PassphraseBox box = crypto::PassphraseBox::create(passphrase, fuzz::cheap_kdf());
  add("passphrase_box", box.seal(as_bytes("a small secret")));
  add("passphrase_box", box.seal(keys.org.sk.view()));

  // Channel address
  protocol::ChannelAddress address{"tcp://relay.example.org:7450", {}, keys.org.pk};
  address.relay_curve_pk.fill(0x42);
  add_text("address", protocol::format_address(address));
  address.endpoint = "tcp://127.0.0.1:65535";
  add_text("address", protocol::format_address(address));
  address.min_serial = 12;
  const std::string with_serial = protocol::format_address(address);
  add_text("address", with_serial.substr(0, 50) + "\r\n  " + with_serial.substr(50) + "\n");  // as pasted from e-mail

  // Requests (also the relay handler's seeds) and replies
  protocol::PolicyInfo policy;
  policy.challenge.fill(0x77);
  policy.difficulty = 20;
  policy.retention_days = 60;
  policy.retention_fuzz_days = 7;
  policy.max_attachment_bytes = protocol::kDefaultMaxAttachmentBytes;
  std::vector<protocol::Frames> requests;
  for (protocol::Op op :
       {protocol::Op::kGetDirectory, protocol::Op::kGetPrekeys, protocol::Op::kFetch, protocol::Op::kGetPolicy}) {
    requests.push_back(protocol::request_header_only(op));
  }
  const protocol::DepositItem item{clue, crypto::delete_verifier(crypto::Secret<32>::random()), envelope};
  requests.push_back(protocol::make_deposit_request(std::vector<protocol::DepositItem>{item, item}));
  requests.push_back(protocol::make_deposit_request(std::vector<protocol::DepositItem>{item},
                                                    protocol::DepositPow{policy.challenge, 12345}));
  requests.push_back(protocol::make_get_message_request(id));
  requests.push_back(protocol::make_delete_request(id, letter.delete_token));
  requests.push_back(protocol::make_publish_directory_request(signed_directory));
  {
    crypto::SigningKeyPair adviser_sign = crypto::SigningKeyPair::from_seed(fuzz::fixed_secret<32>(0x20));
    std::vector<crypto::SignedPrekey> signed_prekeys;
    for (std::uint8_t k = 0; k < 2; ++k) {
      const auto pair = crypto::X25519KeyPair::from_secret(fuzz::fixed_secret<32>(static_cast<std::uint8_t>(0x60 + k)));
      signed_prekeys.push_back({pair.pk, crypto::sign(crypto::kPrekeyDomain, pair.pk, adviser_sign.sk)});
    }
    requests.push_back(protocol::make_prekey_upload_request(adviser_sign, 1, signed_prekeys));
    // With the medium-term prekey (the fifth field), expiring on day 20014.
    const auto medium = crypto::X25519KeyPair::from_secret(fuzz::fixed_secret<32>(0x68));
    crypto::SignedMediumPrekey m{medium.pk, 20'014, {}};
    m.signature = crypto::sign(crypto::kMediumPrekeyDomain, crypto::medium_prekey_message(m.pk, m.expires_day),
                               adviser_sign.sk);
    requests.push_back(protocol::make_prekey_upload_request(adviser_sign, 2, signed_prekeys, m));
  }
  for (const protocol::Frames& r : requests) {
    add("request", fuzz::join_frames(r));
    add("relay_handler", fuzz::join_frames(r));
  }
  add("reply", fuzz::join_frames(protocol::make_ok_reply({Bytes(id.begin(), id.end()), Bytes(16, 0x22)})));
  add("reply", fuzz::join_frames(protocol::make_ok_reply({fetch_answer})));
  add("reply", fuzz::join_frames(protocol::make_error_reply(ErrorCode::kStorageFull, "storage full")));
  add("reply", fuzz::join_frames(protocol::make_ok_reply(protocol::encode_policy(policy))));
  // The policy of a relay from before the attachment limit: four fields.
  std::vector<Bytes> older_policy = protocol::encode_policy(policy);
  older_policy.pop_back();
  add("reply", fuzz::join_frames(protocol::make_ok_reply(std::move(older_policy))));

  // Attachment chunks: a first and a last piece of a two-piece file, and
  // the reporter's description of it.
  {
    protocol::AttachmentChunk piece;
    piece.type = protocol::ChunkType::kPiece;
    piece.file_id.fill(0xF1);
    piece.total_bytes = protocol::kAttachmentPieceDataBytes + 1000;
    piece.count = protocol::attachment_piece_count(piece.total_bytes);
    piece.digest.fill(0xD1);
    piece.name = crypto::SecretBuffer::copy_of(std::string_view("verslag ../\x1b[31m.pdf"));
    for (std::uint16_t i = 0; i < piece.count; ++i) {
      piece.index = i;
      piece.data = crypto::SecretBuffer(protocol::attachment_piece_bytes(piece.total_bytes, i));
      add("attachment", protocol::encode_attachment_chunk(piece).view());
    }
    piece.type = protocol::ChunkType::kDescription;
    piece.index = 0;
    piece.data = crypto::SecretBuffer();
    add("attachment", protocol::encode_attachment_chunk(piece).view());
  }

  // Text for the text policy: names, bodies and typed lines, hostile and not.
  for (const std::string_view text :
       {std::string_view("Anna de Vries"), std::string_view("Zo\xc3\xab, \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x99\x82\nline two\tend"),
        std::string_view("invoice\xe2\x80\xae" "fdp.exe \xe2\x81\xa7x\xe2\x81\xa9 zw\xe2\x80\x8bj\xe2\x80\x8d"),
        std::string_view("\x1b[2J\xc2\x9b" "31m\x7f\r\xe2\x80\xa8\xef\xbb\xbf\xef\xbf\xbe\xf3\xa0\x80\x81"),
        std::string_view("\xc0\xaf\xe0\x80\xaf\xed\xa0\x80\xf4\x90\x80\x80\xf4\x8f\xbf\xbf\xe2\x82\xff")}) {
    add_text("text", text);
  }

  // POST /api bodies: a get-policy, a deposit's shape, a fetch with a proof field.
  add("http_body", protocol::encode_http_body(protocol::Frames{Bytes{1, 9}}));
  add("http_body", protocol::encode_http_body(protocol::Frames{Bytes{1, 3}, Bytes(40, 1), Bytes(64, 2), Bytes(32, 3),
                                                               Bytes(4096, 4)}));
  add("http_body", protocol::encode_http_body(protocol::Frames{Bytes{1, 4}, Bytes(40, 5)}));

  // A client's stream to the relay's CurveZMQ session (fuzz_curve_server,
  // whose keys these are). Raw (selector bit 0 clear; the rest of the
  // selector is the chunk size): a greeting and a HELLO that opens, whole
  // and in chunks of 8 bytes; a greeting alone; a NULL greeting.
  {
    const auto server = crypto::X25519KeyPair::from_secret(fuzz::fixed_secret<32>(0x90));
    test_support::CurveTestClient client(server.pk.bytes, fuzz::fixed_secret<32>(0xA0), fuzz::fixed_secret<32>(0xB0));
    Bytes stream = client.greeting();
    append(stream, client.hello());
    add("curve_server", with_selector(0xFE, stream));
    add("curve_server", with_selector(0x0E, stream));
    add("curve_server", with_selector(0x00, client.greeting()));
    test_support::CurveClientFaults null_mechanism;
    null_mechanism.mechanism = "NULL";
    add("curve_server", with_selector(0x7E, test_support::CurveTestClient(server.pk.bytes, null_mechanism).greeting()));
    // Sealed (selector bit 0 set): pieces of a control byte and a part
    // (fuzz_curve_server.cpp's kPiece* flags). A request of three parts, a
    // PING and its PONG read, a part in halves with a long size header.
    auto sealed = [](std::uint8_t control, ByteView part) {
      Bytes out{control};
      append(out, part);
      return out;
    };
    const Bytes ping = {4, 'P', 'I', 'N', 'G', 0, 50, 'c', 't', 'x'};
    add("curve_server", with_selector(0x01, fuzz::join_frames({sealed(0x01, Bytes{1, 3}), sealed(0x01, Bytes(40, 1)),
                                                                  sealed(0x00, Bytes(1000, 2))})));
    add("curve_server", with_selector(0x01, fuzz::join_frames({sealed(0x02, ping), sealed(0x02, ping),
                                                                  sealed(0x0A, ping), sealed(0x00, Bytes{1, 9})})));
    add("curve_server",
        with_selector(0x01, fuzz::join_frames({sealed(0xC1, Bytes(20, 7)), sealed(0x40, Bytes(4096, 8))})));
    // Rule breakers: a part over the limit, a replayed nonce, a flipped MAC,
    // raw bytes spliced between sealed parts.
    add("curve_server", with_selector(0x01, fuzz::join_frames({sealed(0x00, Bytes(4097, 9))})));
    add("curve_server", with_selector(0x01, fuzz::join_frames({sealed(0x01, Bytes{1}), sealed(0x10, Bytes{2})})));
    add("curve_server", with_selector(0x01, fuzz::join_frames({sealed(0x20, Bytes{1, 9})})));
    add("curve_server", with_selector(0x01, fuzz::join_frames({sealed(0x01, Bytes{1}), sealed(0x04, Bytes{0x00, 0x05}),
                                                                  sealed(0x00, Bytes{2})})));
    // INITIATE's metadata from the input (selector bit 1): what libzmq's
    // DEALER sends, a REQ, a PUB; then broken INITIATEs (bits 2-3).
    auto metadata = [](std::initializer_list<std::pair<std::string_view, std::string_view>> properties) {
      Bytes out;
      for (const auto& [name, value] : properties) {
        out.push_back(static_cast<std::uint8_t>(name.size()));
        append(out, as_bytes(name));
        for (int i = 3; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(value.size() >> (8 * i)));
        append(out, as_bytes(value));
      }
      return out;
    };
    add("curve_server", with_selector(0x03, fuzz::join_frames({metadata({{"Socket-Type", "DEALER"}, {"Identity", ""}}),
                                                                  sealed(0x00, Bytes{1, 9})})));
    add("curve_server", with_selector(0x03, fuzz::join_frames({metadata({{"Socket-Type", "REQ"}})})));
    add("curve_server", with_selector(0x03, fuzz::join_frames({metadata({{"Socket-Type", "PUB"}})})));
    for (const int broken : {0x05, 0x09, 0x0D}) add("curve_server", Bytes{static_cast<std::uint8_t>(broken)});
  }

  const std::filesystem::path root = argv[1];
  for (const auto& [target, seeds] : g_seeds) {
    const std::filesystem::path dir = root / target;
    std::filesystem::create_directories(dir);
    for (std::size_t i = 0; i < seeds.size(); ++i) {
      std::ofstream out(dir / ("seed-" + std::to_string(i)), std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(seeds[i].data()), static_cast<std::streamsize>(seeds[i].size()));
    }
    std::cout << target << ": " << seeds.size() << " seeds\n";
  }
  return 0;
}
