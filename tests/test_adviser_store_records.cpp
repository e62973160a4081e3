// adviser-client: the case store's record codecs (store_records.hpp). Each
// record round-trips, is pinned to its documented bytes where a byte
// changing would break stores on disk, and every decoder refuses a record
// cut short, one with bytes after it, and one whose lengths or counts go
// beyond their bounds.
#include <catch2/catch.hpp>

#include <string>

#include "common.hpp"
#include "store_records.hpp"

using namespace meldpunt;
using namespace meldpunt::adviser;

namespace {

ByteView view_of(const Bytes& b) { return ByteView(b); }
ByteView view_of(const crypto::SecretBuffer& b) { return b.view(); }

// Strict: no prefix of a record decodes, nor the record with a byte added.
template <typename Encoded, typename Decode>
void check_strict(const Encoded& encoded, Decode decode) {
  const ByteView bytes = view_of(encoded);
  REQUIRE(decode(bytes).ok());
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    INFO("cut at " << cut);
    CHECK_FALSE(decode(bytes.first(cut)).ok());
  }
  Bytes longer(bytes.begin(), bytes.end());
  longer.push_back(0);
  CHECK_FALSE(decode(ByteView(longer)).ok());
}

Bytes bytes_of(ByteView v) { return Bytes(v.begin(), v.end()); }

}  // namespace

TEST_CASE("store records: a case record round-trips with every field and refuses what it cannot hold",
          "[adviser][records]") {
  CaseRecord c;
  c.status = CaseStatus::kInProgress;
  c.reporter_message_pk = test_support::random_as<crypto::X25519PublicKey>();
  c.reporter_fetch_pk = test_support::random_as<crypto::FetchPublicKey>();
  c.created_at = 1;
  c.last_activity = 2;
  c.unread = 3;
  c.next_sequence = 4;
  c.acknowledged_at = 5;
  c.feedback_from = 6;
  c.next_history = 7;
  c.next_note = 8;
  c.other_advisers.push_back({test_support::random_as<crypto::AdviserId>(), "Anna"});
  c.handover = HandoverOutcomeState::kDeclined;
  c.handover_adviser = test_support::random_as<crypto::AdviserId>();
  c.handover_adviser_name = "Bram";
  c.handover_at = 9;
  c.open_proposals.push_back(
      {test_support::random_as<protocol::ProposalId>(), test_support::random_as<crypto::AdviserId>(), "Cor", 10});
  c.received_at = 11;
  c.received_from = test_support::random_as<crypto::AdviserId>();
  c.received_from_name = "Dirk";

  const Bytes encoded = encode_case(c);
  auto back = decode_case(encoded);
  REQUIRE(back.ok());
  CHECK(back->status == c.status);
  CHECK(back->reporter_message_pk == c.reporter_message_pk);
  CHECK(back->reporter_fetch_pk == c.reporter_fetch_pk);
  CHECK(back->acknowledged_at == 5);
  CHECK(back->feedback_from == 6);
  CHECK(back->next_history == 7);
  CHECK(back->next_note == 8);
  CHECK(back->other_advisers.at(0).name == "Anna");
  CHECK(back->handover_adviser_name == "Bram");
  CHECK(back->open_proposals.at(0).to_name == "Cor");
  CHECK(back->open_proposals.at(0).at == 10);
  CHECK(back->received_from == c.received_from);
  CHECK(back->received_from_name == "Dirk");
  CHECK(encode_case(*back) == encoded);
  check_strict(encoded, decode_case);

  // Beyond the bounds: too many other advisers, a name too long.
  Bytes many = encoded;
  many[1 + 1 + 32 + 32 + 8 + 8 + 4 + 8 + 4 * 8] = static_cast<std::uint8_t>(kMaxOtherAdvisers + 1);
  CHECK_FALSE(decode_case(many).ok());
  Bytes long_name = encoded;
  const std::size_t name_length_at = 1 + 1 + 32 + 32 + 8 + 8 + 4 + 8 + 4 * 8 + 1 + 16;
  long_name[name_length_at] = 0xff;
  long_name[name_length_at + 1] = 0xff;
  CHECK_FALSE(decode_case(long_name).ok());
  CaseRecord too_long = c;
  too_long.received_from_name.assign(crypto::kMaxNameBytes + 1, 'x');
  CHECK_THROWS_AS(encode_case(too_long), std::length_error);
  // Far beyond the longest record a case can have: refused before reading.
  Bytes huge = encoded;
  huge.resize(1 << 20, 0);
  CHECK_FALSE(decode_case(huge).ok());
}

TEST_CASE("store records: a message record keeps its file notes and bounds its body", "[adviser][records]") {
  MessageRecord m;
  m.direction = Direction::kEarlierVerified;
  m.sent_at = 5;
  m.stored_at = 6;
  m.relay_id = test_support::random_as<crypto::MessageId>();
  m.body = crypto::SecretBuffer::copy_of(std::string_view("[Anna]\nthe reply"));
  m.files_not_transferred.push_back(
      {42, test_support::random_as<crypto::FileDigest>(), crypto::SecretBuffer::copy_of(std::string_view("scan.pdf"))});
  const crypto::SecretBuffer encoded = encode_message(m);
  CHECK(encoded.view()[0] == 2);  // with file notes: version 2
  auto back = decode_message(encoded.view());
  REQUIRE(back.ok());
  CHECK(back->direction == Direction::kEarlierVerified);
  CHECK(back->relay_id == m.relay_id);
  CHECK(back->body.equals(m.body));
  REQUIRE(back->files_not_transferred.size() == 1);
  CHECK(back->files_not_transferred[0].total_bytes == 42);
  CHECK(back->files_not_transferred[0].name.equals(m.files_not_transferred[0].name));
  check_strict(encoded, decode_message);

  // A version-2 record without notes is not the one encoding of it.
  MessageRecord plain;
  plain.body = crypto::SecretBuffer::copy_of(std::string_view("x"));
  Bytes no_notes = bytes_of(encode_message(plain).view());
  CHECK(no_notes[0] == 1);
  no_notes[0] = 2;
  no_notes.push_back(0);  // note count 0
  CHECK_FALSE(decode_message(no_notes).ok());
  Bytes bad_direction = bytes_of(encode_message(plain).view());
  bad_direction[1] = 5;
  CHECK_FALSE(decode_message(bad_direction).ok());

  MessageRecord big;
  big.body = crypto::SecretBuffer::copy_of(Bytes(kMaxStoredBodyBytes + 1, 'x'));
  CHECK_THROWS_AS(encode_message(big), std::length_error);
}

TEST_CASE("store records: history, note, settings and directory records are strict", "[adviser][records]") {
  HistoryEntry e;
  e.at = 0x0102030405060708;
  e.event = HistoryEvent::kStatusChanged;
  e.from = CaseStatus::kNew;
  e.to = CaseStatus::kAcknowledged;
  const Bytes history = encode_history(e);
  // version || at u64 LE || event || from || to
  CHECK(history == Bytes{1, 8, 7, 6, 5, 4, 3, 2, 1, 2, 1, 2});
  check_strict(history, decode_history);
  Bytes unknown_event = history;
  unknown_event[9] = static_cast<std::uint8_t>(HistoryEvent::kHandoverLapsed) + 1;
  CHECK_FALSE(decode_history(unknown_event).ok());

  NoteRecord n;
  n.written_at = 9;
  n.text = crypto::SecretBuffer::copy_of(std::string_view("a note"));
  const crypto::SecretBuffer note = encode_note(n);
  auto note_back = decode_note(note.view());
  REQUIRE(note_back.ok());
  CHECK(note_back->text.equals(n.text));
  check_strict(note, decode_note);
  // A length field beyond kMaxNoteBytes is refused even with the bytes there.
  Bytes long_note = bytes_of(note.view());
  const auto over = static_cast<std::uint32_t>(kMaxNoteBytes + 1);
  long_note[9] = static_cast<std::uint8_t>(over);
  long_note[10] = static_cast<std::uint8_t>(over >> 8);
  long_note[11] = static_cast<std::uint8_t>(over >> 16);
  long_note[12] = static_cast<std::uint8_t>(over >> 24);
  long_note.resize(1 + 8 + 4 + kMaxNoteBytes + 1, 'x');
  CHECK_FALSE(decode_note(long_note).ok());

  const Bytes settings = encode_settings(Settings{3, 1});
  CHECK(settings == Bytes{1, 3, 0, 0, 0, 1, 0, 0, 0});
  check_strict(settings, decode_settings);
  CHECK(decode_settings(encode_settings(Settings{8, 1})).error().code == ErrorCode::kMalformed);

  const client::DirectoryHistory h{77, true};
  const Bytes directory = encode_directory_history(h);
  CHECK(directory == Bytes{1, 77, 0, 0, 0, 0, 0, 0, 0, 1});
  auto directory_back = decode_directory_history(directory);
  REQUIRE(directory_back.ok());
  CHECK(directory_back->highest_serial == 77);
  CHECK(directory_back->seen_valid_until);
  check_strict(directory, decode_directory_history);
  Bytes unknown_flag = directory;
  unknown_flag.back() = 0x02;
  CHECK_FALSE(decode_directory_history(unknown_flag).ok());
}

TEST_CASE("store records: filing records hold signpost ids only", "[adviser][records]") {
  const Bytes filing = encode_filing(Filing{"staff", ""});
  CHECK(filing == Bytes{1, 5, 's', 't', 'a', 'f', 'f', 0});
  auto back = decode_filing(filing);
  REQUIRE(back.ok());
  CHECK(back->group == "staff");
  CHECK(back->kind.empty());
  check_strict(filing, decode_filing);
  CHECK_FALSE(decode_filing(Bytes{1, 0, 0}).ok());  // neither group nor kind
  CHECK_FALSE(decode_filing(Bytes{1, 2, 'A', 'B', 0}).ok());  // not an id
  Bytes long_id{1, 33};
  long_id.insert(long_id.end(), 33, 'a');
  long_id.push_back(0);
  CHECK_FALSE(decode_filing(long_id).ok());
  CHECK_THROWS_AS(encode_filing(Filing{std::string(300, 'a'), ""}), std::length_error);
}

TEST_CASE("store records: schema, alias and relay-message records keep their bytes", "[adviser][records]") {
  const Bytes schema = encode_schema(2);
  CHECK(schema == Bytes{2, 0, 0, 0});
  CHECK(*decode_schema(schema) == 2);
  check_strict(schema, decode_schema);

  const CaseKey key = test_support::random_as<CaseKey>();
  const Bytes alias = encode_alias(key);
  Bytes expected_alias{1};
  append(expected_alias, key);
  CHECK(alias == expected_alias);
  CHECK(*decode_alias(alias) == key);
  check_strict(alias, decode_alias);
  Bytes alias_v2 = alias;
  alias_v2[0] = 2;
  CHECK(decode_alias(alias_v2).error().code == ErrorCode::kUnsupportedVersion);

  CHECK(encode_seen_mark() == Bytes{1});

  RelayMessageRecord r;
  r.state = RelayMessageState::kDeletePending;
  r.relay_id = test_support::random_as<crypto::MessageId>();
  r.token = test_support::random_fixed<32>();
  r.case_key = key;
  r.received_at = 0x0a0b;
  const crypto::SecretBuffer relay = encode_relay_message(r);
  // version || state || relay id || token || case key || received_at u64 LE
  Bytes expected_relay{1, 1};
  append(expected_relay, r.relay_id);
  append(expected_relay, r.token);
  append(expected_relay, key);
  append_u64_le(expected_relay, 0x0a0b);
  CHECK(bytes_of(relay.view()) == expected_relay);
  auto back = decode_relay_message(relay.view());
  REQUIRE(back.ok());
  CHECK(back->state == RelayMessageState::kDeletePending);
  CHECK(back->relay_id == r.relay_id);
  CHECK(back->token == r.token);
  CHECK(back->case_key == key);
  CHECK(back->received_at == 0x0a0b);
  check_strict(relay, decode_relay_message);
  Bytes bad_state = expected_relay;
  for (std::uint8_t state : {std::uint8_t{0}, std::uint8_t{3}}) {
    bad_state[1] = state;
    CHECK_FALSE(decode_relay_message(bad_state).ok());
  }
  bad_state[1] = 1;
  bad_state[0] = 2;
  CHECK(decode_relay_message(bad_state).error().code == ErrorCode::kUnsupportedVersion);
}

TEST_CASE("store records: case-sequence keys sort by sequence", "[adviser][records]") {
  const CaseKey key = test_support::random_as<CaseKey>();
  const auto first = case_sequence_key(key, 0xff);
  const auto second = case_sequence_key(key, 0x100);
  CHECK(std::lexicographical_compare(first.begin(), first.end(), second.begin(), second.end()));
  CHECK(std::equal(key.begin(), key.end(), second.begin()));
  CHECK(second[kCaseKeyBytes + 6] == 0x01);  // big-endian
  CHECK(sequence_of(second) == 0x100);
}
