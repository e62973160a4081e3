// Wire format: every request shape parses, every malformed one is refused
// with the right stable code, and letters and channel addresses round-trip.
#include <algorithm>
#include <catch2/catch.hpp>

#include "common.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/random.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "meldpunt/protocol/handover.hpp"
#include "meldpunt/protocol/letter.hpp"
#include "meldpunt/protocol/wire.hpp"

using namespace meldpunt;
using namespace meldpunt::protocol;

namespace {

std::vector<ByteView> views(const Frames& frames) {
  std::vector<ByteView> v;
  for (const Bytes& f : frames) v.emplace_back(f);
  return v;
}

ErrorCode parse_error(const Frames& frames) {
  auto r = parse_request(views(frames));
  REQUIRE_FALSE(r.ok());
  return r.error().code;
}

Bytes random_bytes(std::size_t n) {
  Bytes b(n);
  crypto::random_fill(b);
  return b;
}

}  // namespace

TEST_CASE("header-only requests parse", "[protocol]") {
  for (Op op : {Op::kGetDirectory, Op::kGetPrekeys, Op::kFetch}) {
    auto r = parse_request(views(request_header_only(op)));
    REQUIRE(r.ok());
    CHECK(r->op == op);
  }
}

TEST_CASE("malformed requests get stable error codes", "[protocol]") {
  CHECK(parse_error({}) == ErrorCode::kMalformed);
  CHECK(parse_error({Bytes{1}}) == ErrorCode::kMalformed);
  CHECK(parse_error({Bytes{2, 1}}) == ErrorCode::kUnsupportedVersion);
  CHECK(parse_error({Bytes{1, 0}}) == ErrorCode::kUnknownOperation);
  CHECK(parse_error({Bytes{1, 0xff}}) == ErrorCode::kUnknownOperation);
  CHECK(parse_error({Bytes{1, 1}, Bytes{0}}) == ErrorCode::kMalformed);  // get-directory takes no fields
  CHECK(parse_error({Bytes{1, 5}, Bytes(15)}) == ErrorCode::kMalformed);  // id must be 16 bytes
  CHECK(parse_error({Bytes{1, 6}, Bytes(16), Bytes(31)}) == ErrorCode::kMalformed);
  Frames too_many(kMaxRequestFrames + 1, Bytes(1));
  too_many[0] = Bytes{1, 3};
  CHECK(parse_error(too_many) == ErrorCode::kTooLarge);
  CHECK(parse_error({Bytes{1, 7}, Bytes(kMaxRequestFrameBytes + 1)}) == ErrorCode::kTooLarge);
}

TEST_CASE("deposits accept only whole triples of exact sizes", "[protocol]") {
  const Bytes envelope = random_bytes(crypto::kEnvelopeSizes[0]);
  DepositItem item;
  item.envelope = envelope;
  auto ok = parse_request(views(make_deposit_request(std::vector<DepositItem>{item, item})));
  REQUIRE(ok.ok());
  CHECK(ok->deposits.size() == 2);

  Frames bad = make_deposit_request(std::vector<DepositItem>{item});
  bad.pop_back();
  CHECK(parse_error(bad) == ErrorCode::kMalformed);
  bad = make_deposit_request(std::vector<DepositItem>{item});
  bad[3].pop_back();  // envelope one byte short of a size class
  CHECK(parse_error(bad) == ErrorCode::kMalformed);
  bad = make_deposit_request(std::vector<DepositItem>{item});
  bad[1].push_back(0);  // 65-byte clue
  CHECK(parse_error(bad) == ErrorCode::kMalformed);
  CHECK(parse_error(make_deposit_request(std::vector<DepositItem>(kMaxDepositsPerRequest + 1, item))) ==
        ErrorCode::kTooLarge);
}

TEST_CASE("prekey uploads are signed and bounded", "[protocol]") {
  const crypto::SigningKeyPair adviser = crypto::SigningKeyPair::generate();
  std::vector<crypto::SignedPrekey> prekeys(3);
  for (auto& p : prekeys) crypto::random_fill(p.pk);
  auto r = parse_request(views(make_prekey_upload_request(adviser, 7, prekeys)));
  REQUIRE(r.ok());
  CHECK(r->upload.counter == 7);
  CHECK(r->upload.prekeys.size() == 3);
  CHECK(crypto::verify(kPrekeyUploadDomain, prekey_upload_signed_bytes(r->upload), r->upload.signature,
                       adviser.pk));
  r->upload.counter = 8;  // a replayed upload with a bumped counter no longer verifies
  CHECK_FALSE(crypto::verify(kPrekeyUploadDomain, prekey_upload_signed_bytes(r->upload), r->upload.signature,
                             adviser.pk));
  // An upload of no prekeys is a signed, counter-protected question for the
  // adviser's pool size.
  auto empty = parse_request(views(make_prekey_upload_request(adviser, 2, {})));
  REQUIRE(empty.ok());
  CHECK(empty->upload.prekeys.empty());
  std::vector<crypto::SignedPrekey> too_many(kMaxPrekeysPerUpload + 1);
  CHECK(parse_error(make_prekey_upload_request(adviser, 1, too_many)) == ErrorCode::kTooLarge);

  // The medium-term prekey travels in a fifth field and is covered by the
  // upload signature; a fifth field of any size but 0 or 100 is refused.
  crypto::SignedMediumPrekey medium{};
  crypto::random_fill(medium.pk);
  medium.expires_day = 20'500;
  crypto::random_fill(medium.signature);
  auto with = parse_request(views(make_prekey_upload_request(adviser, 9, prekeys, medium)));
  REQUIRE(with.ok());
  REQUIRE(with->upload.medium.has_value());
  CHECK(with->upload.medium->pk == medium.pk);
  CHECK(with->upload.medium->expires_day == 20'500);
  CHECK(crypto::verify(kPrekeyUploadDomain, prekey_upload_signed_bytes(with->upload), with->upload.signature,
                       adviser.pk));
  with->upload.medium->expires_day = 20'501;  // a changed expiry no longer verifies
  CHECK_FALSE(crypto::verify(kPrekeyUploadDomain, prekey_upload_signed_bytes(with->upload), with->upload.signature,
                             adviser.pk));
  Frames bad = make_prekey_upload_request(adviser, 9, prekeys, medium);
  bad.back().pop_back();
  CHECK(parse_error(bad) == ErrorCode::kMalformed);
  bad.push_back(Bytes{});  // six fields
  CHECK(parse_error(bad) == ErrorCode::kMalformed);
}

TEST_CASE("replies carry status and sanitised error text", "[protocol]") {
  auto ok = parse_reply(views(make_ok_reply({Bytes{1, 2, 3}})));
  REQUIRE(ok.ok());
  CHECK(ok->status == ErrorCode::kOk);
  CHECK(ok->fields == std::vector<Bytes>{Bytes{1, 2, 3}});
  auto err = parse_reply(views(make_error_reply(ErrorCode::kStorageFull, "full\x01\n")));
  REQUIRE(err.ok());
  CHECK(err->status == ErrorCode::kStorageFull);
  CHECK(err->error_text == "full??");
  CHECK_FALSE(parse_reply(std::vector<ByteView>{}).ok());
}

TEST_CASE("fetch answers are padded to whole quanta", "[protocol]") {
  CHECK(padded_fetch_count(0) == kFetchPadQuantum);
  CHECK(padded_fetch_count(1) == kFetchPadQuantum);
  CHECK(padded_fetch_count(kFetchPadQuantum) == kFetchPadQuantum);
  CHECK(padded_fetch_count(kFetchPadQuantum + 1) == 2 * kFetchPadQuantum);
  CHECK(decode_fetch_entries(Bytes(128)).value().size() == 2);
  CHECK_FALSE(decode_fetch_entries(Bytes(127)).ok());
}

TEST_CASE("a fetch answer's id list is sorted and refuses repeats or partial ids", "[protocol]") {
  std::vector<crypto::MessageId> ids(3);
  for (auto& id : ids) crypto::random_fill(id);
  const Bytes encoded = encode_message_ids(ids);
  REQUIRE(encoded.size() == 3 * crypto::kMessageIdBytes);
  auto decoded = decode_message_ids(encoded).value();
  std::sort(ids.begin(), ids.end());
  CHECK(decoded == ids);
  CHECK(decode_message_ids(Bytes{}).value().empty());
  CHECK_FALSE(decode_message_ids(Bytes(encoded.begin(), encoded.end() - 1)).ok());
  Bytes repeated(encoded.begin(), encoded.begin() + crypto::kMessageIdBytes);
  repeated.insert(repeated.end(), encoded.begin(), encoded.begin() + crypto::kMessageIdBytes);
  CHECK(decode_message_ids(repeated).error().code == ErrorCode::kMalformed);
  Bytes descending(encoded.begin() + crypto::kMessageIdBytes, encoded.begin() + 2 * crypto::kMessageIdBytes);
  descending.insert(descending.end(), encoded.begin(), encoded.begin() + crypto::kMessageIdBytes);
  CHECK(decode_message_ids(descending).error().code == ErrorCode::kMalformed);
}

TEST_CASE("prekey bundles round-trip and reject bad sizes", "[protocol]") {
  std::vector<BundleEntry> entries(3);
  crypto::random_fill(entries[0].adviser_sign_pk);
  entries[1].prekey = crypto::SignedPrekey{};
  crypto::random_fill(entries[1].prekey->signature);
  entries[1].medium = crypto::SignedMediumPrekey{};
  crypto::random_fill(entries[1].medium->pk);
  entries[1].medium->expires_day = 7;
  entries[2].medium = entries[1].medium;  // the one-time pool ran dry
  const Bytes encoded = encode_bundle(entries);
  CHECK(encoded.size() == 2 + 3 * kBundleEntryBytes);
  auto decoded = decode_bundle(encoded);
  REQUIRE(decoded.ok());
  CHECK(decoded->size() == 3);
  CHECK((*decoded)[0].adviser_sign_pk == entries[0].adviser_sign_pk);
  CHECK_FALSE((*decoded)[0].prekey.has_value());
  CHECK_FALSE((*decoded)[0].medium.has_value());
  REQUIRE((*decoded)[1].prekey.has_value());
  CHECK((*decoded)[1].prekey->signature == entries[1].prekey->signature);
  REQUIRE((*decoded)[1].medium.has_value());
  CHECK((*decoded)[1].medium->expires_day == 7);
  CHECK_FALSE((*decoded)[2].prekey.has_value());
  REQUIRE((*decoded)[2].medium.has_value());
  CHECK((*decoded)[2].medium->pk == entries[1].medium->pk);
  for (std::size_t cut = 0; cut < encoded.size(); ++cut) {
    CHECK_FALSE(decode_bundle(ByteView(encoded).first(cut)).ok());
  }
}

TEST_CASE("letters round-trip and reject every truncation", "[protocol]") {
  Letter letter;
  letter.kind = LetterKind::kReport;
  letter.sent_at = 1'800'000'000;
  crypto::random_fill(letter.adviser_id);
  crypto::random_fill(letter.reporter_fetch_pk);
  letter.recipients = {letter.adviser_id, crypto::AdviserId{}};
  letter.body = crypto::SecretBuffer::copy_of(std::string_view("hello adviser"));
  const crypto::SecretBuffer encoded = encode_letter(letter);
  auto decoded = decode_letter(encoded.view());
  REQUIRE(decoded.ok());
  CHECK(decoded->kind == LetterKind::kReport);
  CHECK(decoded->sent_at == letter.sent_at);
  CHECK(decoded->recipients.size() == 2);
  CHECK(decoded->body.text() == "hello adviser");
  for (std::size_t cut = 0; cut < encoded.size(); ++cut) {
    CHECK_FALSE(decode_letter(encoded.view().first(cut)).ok());
  }
  crypto::SecretBuffer longer = encoded.clone();
  longer.push_back(0);
  CHECK_FALSE(decode_letter(longer.view()).ok());
  for (std::uint8_t kind : {std::uint8_t{0}, static_cast<std::uint8_t>(kMaxLetterKind + 1), std::uint8_t{0xFF}}) {
    crypto::SecretBuffer bad_kind = encoded.clone();
    bad_kind.data()[1] = kind;
    CHECK_FALSE(decode_letter(bad_kind.view()).ok());
  }
  for (std::uint8_t kind = 1; kind <= kMaxLetterKind; ++kind) {
    crypto::SecretBuffer known_kind = encoded.clone();
    known_kind.data()[1] = kind;
    auto decoded_kind = decode_letter(known_kind.view());
    REQUIRE(decoded_kind.ok());
    CHECK(static_cast<std::uint8_t>(decoded_kind->kind) == kind);
  }
  CHECK(max_body_bytes(1) + kLetterHeaderBytes + 16 + 4 == crypto::kMaxEnvelopePayload);
}

TEST_CASE("channel addresses round-trip and name what is wrong", "[protocol]") {
  ChannelAddress a;
  a.endpoint = "tcp://relay.example.org:7450";
  crypto::random_fill(a.relay_curve_pk);
  crypto::random_fill(a.org_sign_pk);
  const std::string text = format_address(a);
  auto parsed = parse_address(text + "\n");
  REQUIRE(parsed.ok());
  CHECK(parsed->endpoint == a.endpoint);
  CHECK(parsed->relay_curve_pk == a.relay_curve_pk);
  CHECK(parsed->org_sign_pk == a.org_sign_pk);

  CHECK_FALSE(parse_address("http://x").ok());
  CHECK_FALSE(parse_address(text.substr(0, text.find('@'))).ok());
  CHECK_FALSE(parse_address(text.substr(0, text.size() - 5)).ok());  // port cut off
  std::string tampered = text;
  tampered[12] = '*';
  CHECK_FALSE(parse_address(tampered).ok());
  CHECK_FALSE(parse_address(std::string(kMaxAddressLength + 1, 'a')).ok());
}

TEST_CASE("channel addresses carry a check and an optional minimum serial", "[protocol][address]") {
  ChannelAddress a;
  a.endpoint = "tcp://relay.example.org:7450";
  crypto::random_fill(a.relay_curve_pk);
  crypto::random_fill(a.org_sign_pk);
  const std::string plain = format_address(a);
  CHECK(plain.rfind("meldpunt2:", 0) == 0);
  CHECK(plain.size() == 10 + 43 + 1 + 43 + 1 + 8 + 1 + a.endpoint.size());  // no serial field at 0
  a.min_serial = 18446744073709551615ull;
  const std::string text = format_address(a);
  CHECK(text.find(".18446744073709551615.") != std::string::npos);
  auto parsed = parse_address(text);
  REQUIRE(parsed.ok());
  CHECK(parsed->checked);
  CHECK(parsed->min_serial == a.min_serial);
  CHECK(parsed->endpoint == a.endpoint);

  SECTION("whitespace and line breaks anywhere are ignored") {
    std::string wrapped;
    for (std::size_t i = 0; i < text.size(); i += 40) wrapped += "  " + text.substr(i, 40) + "\r\n";
    auto again = parse_address(wrapped + "\xc2\xa0");
    REQUIRE(again.ok());
    CHECK(again->relay_curve_pk == a.relay_curve_pk);
    CHECK(again->min_serial == a.min_serial);
  }
  SECTION("every changed, dropped or swapped character is a copy mistake") {
    for (std::size_t i = 10; i < text.size(); ++i) {
      std::string changed = text;
      changed[i] = changed[i] == 'x' ? 'y' : 'x';
      auto r = parse_address(changed);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().message.find("mistyped") != std::string::npos);
      CHECK(claims_checked_form(changed));
      std::string dropped = text;
      dropped.erase(i, 1);
      CHECK_FALSE(parse_address(dropped).ok());
      if (i + 1 < text.size() && text[i] != text[i + 1]) {
        std::string swapped = text;
        std::swap(swapped[i], swapped[i + 1]);
        CHECK_FALSE(parse_address(swapped).ok());
      }
    }
  }
  SECTION("a stray character is named by its position, never echoed") {
    std::string stray = text.substr(0, 30) + "\n" + text.substr(30, 10) + "\x1b" + text.substr(40);
    auto r = parse_address(stray);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("mistyped") != std::string::npos);
    CHECK(r.error().message.find("position 42 (line 2, column 11)") != std::string::npos);
    CHECK(r.error().message.find('\x1b') == std::string::npos);
  }
  SECTION("the serial has one spelling") {
    const std::string head = text.substr(0, text.find(".18446744073709551615."));
    for (const char* serial : {".0.", ".007.", ".18446744073709551616.", ".-1."}) {
      CHECK_FALSE(parse_address(head + serial + text.substr(text.find("@") - 8)).ok());
    }
  }
  SECTION("old addresses without a check still work, marked as such") {
    const std::string v1 = "meldpunt1:" + crypto::to_base64url(a.relay_curve_pk) + "." +
                           crypto::to_base64url(a.org_sign_pk) + "@" + a.endpoint;
    auto old = parse_address(" " + v1.substr(0, 50) + "\n" + v1.substr(50) + "\n");
    REQUIRE(old.ok());
    CHECK_FALSE(old->checked);
    CHECK(old->min_serial == 0);
    CHECK(old->org_sign_pk == a.org_sign_pk);
    CHECK_FALSE(claims_checked_form(v1));
  }
  SECTION("the minimum serial is enforced") {
    CHECK(check_min_serial(a, a.min_serial).ok());
    a.min_serial = 5;
    CHECK(check_min_serial(a, 5).ok());
    CHECK(check_min_serial(a, 6).ok());
    Status older = check_min_serial(a, 4);
    REQUIRE_FALSE(older.ok());
    CHECK(older.error().code == ErrorCode::kReplay);
  }
  CHECK(parse_address(std::string(kMaxPastedAddressLength + 1, ' ')).error().code == ErrorCode::kMalformed);
}

TEST_CASE("channel address vectors match docs/PROTOCOL.md", "[protocol][address][vectors]") {
  auto v = test_support::load_vectors("address.txt");
  ChannelAddress a;
  a.endpoint = v["endpoint"];
  auto relay = crypto::from_base64url(v["relay_key"]);
  auto org = crypto::from_base64url(v["org_key"]);
  REQUIRE((relay.ok() && org.ok()));
  std::copy(relay->begin(), relay->end(), a.relay_curve_pk.begin());
  std::copy(org->begin(), org->end(), a.org_sign_pk.begin());
  CHECK(format_address(a) == v["address"]);
  a.min_serial = std::stoull(v["min_serial"]);
  CHECK(format_address(a) == v["address_min_serial"]);
  auto parsed = parse_address(v["address_min_serial"]);
  REQUIRE(parsed.ok());
  CHECK(parsed->min_serial == a.min_serial);
  auto old = parse_address(v["address_v1"]);
  REQUIRE(old.ok());
  CHECK_FALSE(old->checked);
  CHECK(old->org_sign_pk == a.org_sign_pk);
  CHECK(old->relay_curve_pk == a.relay_curve_pk);
}

TEST_CASE("hand-over proposals and answers round-trip and reject every truncation", "[protocol]") {
  HandoverProposal proposal;
  crypto::random_fill(proposal.id);
  crypto::random_fill(proposal.new_adviser);
  proposal.note = crypto::SecretBuffer::copy_of(std::string_view("The committee handles formal complaints."));
  crypto::random_fill(proposal.signature);
  const crypto::SecretBuffer encoded = encode_proposal(proposal);
  auto decoded = decode_proposal(encoded.view());
  REQUIRE(decoded.ok());
  CHECK(decoded->id == proposal.id);
  CHECK(decoded->new_adviser == proposal.new_adviser);
  CHECK(decoded->note.equals(proposal.note));
  CHECK(decoded->signature == proposal.signature);
  for (std::size_t cut = 0; cut < encoded.size(); ++cut) CHECK_FALSE(decode_proposal(encoded.view().first(cut)).ok());
  crypto::SecretBuffer longer = encoded.clone();
  longer.push_back(0);
  CHECK_FALSE(decode_proposal(longer.view()).ok());
  crypto::SecretBuffer bad_version = encoded.clone();
  bad_version.data()[0] = 2;
  CHECK_FALSE(decode_proposal(bad_version.view()).ok());

  // A note longer than the limit is refused on both sides.
  HandoverProposal long_note = {proposal.id, proposal.new_adviser,
                                crypto::SecretBuffer::copy_of(Bytes(kMaxHandoverNoteBytes + 1, 'x')), {}};
  CHECK_THROWS_AS(encode_proposal(long_note), std::length_error);
  Bytes forged;
  append_u8(forged, kHandoverVersion);
  append(forged, proposal.id);
  append(forged, proposal.new_adviser);
  append_u16_le(forged, static_cast<std::uint16_t>(kMaxHandoverNoteBytes + 1));
  forged.resize(forged.size() + kMaxHandoverNoteBytes + 1 + crypto::kSignatureBytes, 'x');
  CHECK_FALSE(decode_proposal(forged).ok());

  HandoverAnswer answer{proposal.id, HandoverDecision::kAccept, proposal.new_adviser};
  const crypto::SecretBuffer a = encode_answer(answer);
  CHECK(a.size() == kHandoverAnswerBytes);
  auto back = decode_answer(a.view());
  REQUIRE(back.ok());
  CHECK(back->proposal == answer.proposal);
  CHECK(back->decision == HandoverDecision::kAccept);
  CHECK(back->new_adviser == answer.new_adviser);
  for (std::size_t cut = 0; cut < a.size(); ++cut) CHECK_FALSE(decode_answer(a.view().first(cut)).ok());
  for (std::uint8_t decision : {std::uint8_t{0}, std::uint8_t{3}}) {
    crypto::SecretBuffer bad = a.clone();
    bad.data()[1 + kProposalIdBytes] = decision;
    CHECK_FALSE(decode_answer(bad.view()).ok());
  }

  // The transfer: the signed proposal and a history; every cut is refused
  // (a cut inside the history too, since the history must decode).
  HandoverTransfer transfer;
  crypto::random_fill(transfer.proposer);
  transfer.proposal = proposal.id;
  transfer.signature = proposal.signature;
  HistoryEntry entry;
  entry.sent_at = 5;
  entry.from_reporter = true;
  entry.recipients = {transfer.proposer};
  entry.body = crypto::SecretBuffer::copy_of(std::string_view("first report"));
  transfer.history.entries.push_back(std::move(entry));
  const crypto::SecretBuffer t = encode_transfer(transfer);
  auto t_back = decode_transfer(t.view());
  REQUIRE(t_back.ok());
  CHECK(t_back->proposer == transfer.proposer);
  CHECK(t_back->signature == transfer.signature);
  REQUIRE(t_back->history.entries.size() == 1);
  CHECK(t_back->history.entries[0].body.text() == "first report");
  for (std::size_t cut = 0; cut < t.size(); ++cut) CHECK_FALSE(decode_transfer(t.view().first(cut)).ok());

  // The statement names everything the signature vouches for, in order.
  const crypto::X25519PublicKey reporter_pk{};
  CHECK(handover_statement(transfer.proposer, reporter_pk, proposal.id, proposal.new_adviser).size() ==
        16 + 32 + kProposalIdBytes + 16);
}
