#include "store_records.hpp"

#include <algorithm>
#include <stdexcept>

#include "case_rules.hpp"
#include "meldpunt/crypto/derive.hpp"

namespace meldpunt::adviser {
namespace {

constexpr std::uint8_t kCaseRecordVersion1 = 1;  // schema 1: read only
constexpr std::uint8_t kCaseRecordVersion2 = 2;  // before hand-over: read only
constexpr std::uint8_t kCaseRecordVersion = 3;
constexpr std::uint8_t kHistoryRecordVersion = 1;
constexpr std::uint8_t kNoteRecordVersion = 1;
constexpr std::uint8_t kAliasRecordVersion = 1;
constexpr std::uint8_t kSettingsRecordVersion = 1;
constexpr std::size_t kHistoryRecordBytes = 1 + 8 + 1 + 1 + 1;
constexpr std::size_t kAliasRecordBytes = 1 + kCaseKeyBytes;
constexpr std::size_t kSettingsRecordBytes = 1 + 4 + 4;
constexpr std::uint8_t kMessageRecordVersion = 1;
constexpr std::uint8_t kMessageRecordVersionWithFiles = 2;
constexpr std::uint8_t kRelayRecordVersion = 1;
constexpr std::uint8_t kSeenRecordVersion = 1;
constexpr std::uint8_t kFilingRecordVersion = 1;
constexpr std::uint8_t kLabelRecordVersion = 1;
static_assert(kMaxCaseLabelBytes <= 255, "a label's length is one byte");
constexpr std::uint8_t kFileKeyRecordVersion = 1;
constexpr std::uint8_t kAttachmentRecordVersion = 1;
constexpr std::uint8_t kPieceRecordVersion = 1;

constexpr std::size_t kRelayRecordBytes = 1 + 1 + crypto::kMessageIdBytes + 32 + kCaseKeyBytes + 8;
constexpr std::size_t kMaxCaseRecordBytes =
    1 + 1 + 32 + 32 + 8 + 8 + 4 + 8 + 4 * 8 + 1 + kMaxOtherAdvisers * (crypto::kAdviserIdBytes + 2 + crypto::kMaxNameBytes) +
    (1 + crypto::kAdviserIdBytes + 2 + crypto::kMaxNameBytes + 8) + 1 +
    kMaxOpenProposals * (protocol::kProposalIdBytes + crypto::kAdviserIdBytes + 2 + crypto::kMaxNameBytes + 8) +
    (8 + crypto::kAdviserIdBytes + 2 + crypto::kMaxNameBytes);

Error damaged(std::string_view what) { return Error{ErrorCode::kMalformed, "case store: damaged " + std::string(what)}; }

}  // namespace

Bytes encode_history(const HistoryEntry& e) {
  Bytes out;
  append_u8(out, kHistoryRecordVersion);
  append_u64_le(out, e.at);
  append_u8(out, static_cast<std::uint8_t>(e.event));
  append_u8(out, e.from ? static_cast<std::uint8_t>(*e.from) : 0);
  append_u8(out, e.to ? static_cast<std::uint8_t>(*e.to) : 0);
  return out;
}

Result<HistoryEntry> decode_history(ByteView bytes) {
  if (bytes.size() != kHistoryRecordBytes) return damaged("history record");
  ByteReader r(bytes);
  HistoryEntry e;
  std::uint8_t version = 0, event = 0, from = 0, to = 0;
  if (!r.take_u8(version) || !r.take_u64(e.at) || !r.take_u8(event) || !r.take_u8(from) || !r.take_u8(to)) {
    return damaged("history record");
  }
  if (version != kHistoryRecordVersion) return Error{ErrorCode::kUnsupportedVersion, "case store: unknown history version"};
  if (event < static_cast<std::uint8_t>(HistoryEvent::kOpened) || event > static_cast<std::uint8_t>(HistoryEvent::kHandoverLapsed)) {
    return damaged("history record (event)");
  }
  e.event = static_cast<HistoryEvent>(event);
  const auto valid_status = [](std::uint8_t s) {
    return s >= static_cast<std::uint8_t>(CaseStatus::kNew) && s <= static_cast<std::uint8_t>(CaseStatus::kClosed);
  };
  if (e.event == HistoryEvent::kStatusChanged) {
    if (!valid_status(from) || !valid_status(to)) return damaged("history record (status)");
    e.from = static_cast<CaseStatus>(from);
    e.to = static_cast<CaseStatus>(to);
  } else if (from != 0 || to != 0) {
    return damaged("history record (status)");
  }
  return e;
}

crypto::SecretBuffer encode_note(const NoteRecord& n) {
  if (n.text.size() > kMaxNoteBytes) throw std::length_error("note too long to store");
  Bytes head;
  append_u8(head, kNoteRecordVersion);
  append_u64_le(head, n.written_at);
  append_u32_le(head, static_cast<std::uint32_t>(n.text.size()));
  crypto::SecretBuffer out = crypto::SecretBuffer::copy_of(ByteView(head));
  out.append(n.text.view());
  return out;
}

Result<NoteRecord> decode_note(ByteView bytes) {
  ByteReader r(bytes);
  NoteRecord n;
  std::uint8_t version = 0;
  std::uint32_t length = 0;
  ByteView text;
  if (!r.take_u8(version)) return damaged("note record");
  if (version != kNoteRecordVersion) return Error{ErrorCode::kUnsupportedVersion, "case store: unknown note version"};
  if (!r.take_u64(n.written_at) || !r.take_u32(length) || length > kMaxNoteBytes || !r.take(length, text) ||
      !r.at_end()) {
    return damaged("note record");
  }
  n.text = crypto::SecretBuffer::copy_of(text);
  return n;
}

Bytes encode_settings(const Settings& settings) {
  Bytes out;
  append_u8(out, kSettingsRecordVersion);
  append_u32_le(out, settings.ack_days);
  append_u32_le(out, settings.feedback_months);
  return out;
}

Result<Settings> decode_settings(ByteView bytes) {
  if (bytes.size() != kSettingsRecordBytes) return damaged("settings record");
  ByteReader r(bytes);
  Settings s;
  std::uint8_t version = 0;
  if (!r.take_u8(version) || !r.take_u32(s.ack_days) || !r.take_u32(s.feedback_months)) return damaged("settings record");
  if (version != kSettingsRecordVersion) return Error{ErrorCode::kUnsupportedVersion, "case store: unknown settings version"};
  if (!validate_settings(s)) return damaged("settings record (values)");
  return s;
}

namespace {

// An adviser's name in a record: u16 length (<= crypto::kMaxNameBytes) || UTF-8.
void append_name(Bytes& out, const std::string& name) {
  if (name.size() > crypto::kMaxNameBytes) throw std::length_error("adviser name too long");
  append_u16_le(out, static_cast<std::uint16_t>(name.size()));
  append(out, as_bytes(name));
}

bool take_name(ByteReader& r, std::string& name) {
  std::uint16_t length = 0;
  ByteView bytes;
  if (!r.take_u16(length) || length > crypto::kMaxNameBytes || !r.take(length, bytes)) return false;
  name.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return true;
}

}  // namespace

Bytes encode_case(const CaseRecord& c) {
  Bytes out;
  append_u8(out, kCaseRecordVersion);
  append_u8(out, static_cast<std::uint8_t>(c.status));
  append(out, c.reporter_message_pk);
  append(out, c.reporter_fetch_pk);
  append_u64_le(out, c.created_at);
  append_u64_le(out, c.last_activity);
  append_u32_le(out, c.unread);
  append_u64_le(out, c.next_sequence);
  append_u64_le(out, c.acknowledged_at);
  append_u64_le(out, c.feedback_from);
  append_u64_le(out, c.next_history);
  append_u64_le(out, c.next_note);
  if (c.other_advisers.size() > kMaxOtherAdvisers) throw std::length_error("too many other advisers in a case");
  append_u8(out, static_cast<std::uint8_t>(c.other_advisers.size()));
  for (const OtherAdviser& a : c.other_advisers) {
    if (a.name.size() > crypto::kMaxNameBytes) throw std::length_error("adviser name too long");
    append(out, a.id);
    append_u16_le(out, static_cast<std::uint16_t>(a.name.size()));
    append(out, as_bytes(a.name));
  }
  append_u8(out, static_cast<std::uint8_t>(c.handover));
  append(out, c.handover_adviser);
  append_name(out, c.handover_adviser_name);
  append_u64_le(out, c.handover_at);
  if (c.open_proposals.size() > kMaxOpenProposals) throw std::length_error("too many open hand-over proposals");
  append_u8(out, static_cast<std::uint8_t>(c.open_proposals.size()));
  for (const OpenProposal& p : c.open_proposals) {
    append(out, p.id);
    append(out, p.to);
    append_name(out, p.to_name);
    append_u64_le(out, p.at);
  }
  append_u64_le(out, c.received_at);
  append(out, c.received_from);
  append_name(out, c.received_from_name);
  return out;
}

Result<CaseRecord> decode_case(ByteView bytes) {
  if (bytes.size() > kMaxCaseRecordBytes) return damaged("case record (too long)");
  ByteReader r(bytes);
  CaseRecord c;
  std::uint8_t version = 0, status = 0, others = 0;
  if (!r.take_u8(version)) return damaged("case record");
  if (version != kCaseRecordVersion && version != kCaseRecordVersion2 && version != kCaseRecordVersion1) {
    return Error{ErrorCode::kUnsupportedVersion, "case store: unknown case record version"};
  }
  if (!r.take_u8(status) || !r.take(c.reporter_message_pk.bytes) || !r.take(c.reporter_fetch_pk.bytes) ||
      !r.take_u64(c.created_at) || !r.take_u64(c.last_activity) || !r.take_u32(c.unread) ||
      !r.take_u64(c.next_sequence)) {
    return damaged("case record");
  }
  if (version >= kCaseRecordVersion2 &&
      (!r.take_u64(c.acknowledged_at) || !r.take_u64(c.feedback_from) || !r.take_u64(c.next_history) ||
       !r.take_u64(c.next_note))) {
    return damaged("case record");
  }
  if (!r.take_u8(others)) return damaged("case record");
  if (status < static_cast<std::uint8_t>(CaseStatus::kNew) || status > static_cast<std::uint8_t>(CaseStatus::kClosed)) {
    return damaged("case record (status)");
  }
  c.status = static_cast<CaseStatus>(status);
  if (others > kMaxOtherAdvisers) return damaged("case record (adviser count)");
  for (std::uint8_t i = 0; i < others; ++i) {
    OtherAdviser a;
    std::uint16_t length = 0;
    ByteView name;
    if (!r.take(a.id.bytes) || !r.take_u16(length) || length > crypto::kMaxNameBytes || !r.take(length, name)) {
      return damaged("case record (adviser)");
    }
    a.name.assign(reinterpret_cast<const char*>(name.data()), name.size());
    c.other_advisers.push_back(std::move(a));
  }
  if (version >= kCaseRecordVersion) {
    std::uint8_t outcome = 0, open = 0;
    if (!r.take_u8(outcome) || !r.take(c.handover_adviser.bytes) || !take_name(r, c.handover_adviser_name) ||
        !r.take_u64(c.handover_at) || !r.take_u8(open)) {
      return damaged("case record (hand-over)");
    }
    if (outcome > static_cast<std::uint8_t>(HandoverOutcomeState::kDeclined)) return damaged("case record (hand-over)");
    c.handover = static_cast<HandoverOutcomeState>(outcome);
    if (open > kMaxOpenProposals) return damaged("case record (open proposals)");
    c.open_proposals.resize(open);
    for (OpenProposal& p : c.open_proposals) {
      if (!r.take(p.id.bytes) || !r.take(p.to.bytes) || !take_name(r, p.to_name) || !r.take_u64(p.at)) {
        return damaged("case record (open proposal)");
      }
    }
    if (!r.take_u64(c.received_at) || !r.take(c.received_from.bytes) || !take_name(r, c.received_from_name)) {
      return damaged("case record (hand-over)");
    }
  }
  if (!r.at_end()) return damaged("case record (trailing bytes)");
  return c;
}

crypto::SecretBuffer encode_message(const MessageRecord& m) {
  if (m.body.size() > kMaxStoredBodyBytes) throw std::length_error("message body too long to store");
  if (m.files_not_transferred.size() > protocol::kMaxHistoryFileNotes) throw std::length_error("too many file notes");
  const bool with_files = !m.files_not_transferred.empty();
  Bytes head;
  append_u8(head, with_files ? kMessageRecordVersionWithFiles : kMessageRecordVersion);
  append_u8(head, static_cast<std::uint8_t>(m.direction));
  append_u64_le(head, m.sent_at);
  append_u64_le(head, m.stored_at);
  append(head, m.relay_id);
  append_u32_le(head, static_cast<std::uint32_t>(m.body.size()));
  crypto::SecretBuffer out = crypto::SecretBuffer::copy_of(ByteView(head));
  out.append(m.body.view());
  if (with_files) {
    protocol::append_file_notes(out, m.files_not_transferred);
  }
  return out;
}

Result<MessageRecord> decode_message(ByteView bytes) {
  ByteReader r(bytes);
  MessageRecord m;
  std::uint8_t version = 0, direction = 0;
  std::uint32_t length = 0;
  ByteView body;
  if (!r.take_u8(version)) return damaged("message record");
  if (version != kMessageRecordVersion && version != kMessageRecordVersionWithFiles) {
    return Error{ErrorCode::kUnsupportedVersion, "case store: unknown message record version"};
  }
  if (!r.take_u8(direction) || !r.take_u64(m.sent_at) || !r.take_u64(m.stored_at) || !r.take(m.relay_id.bytes) ||
      !r.take_u32(length) || length > kMaxStoredBodyBytes || !r.take(length, body)) {
    return damaged("message record");
  }
  if (version == kMessageRecordVersionWithFiles) {
    // One encoding per record: a record without notes is version 1.
    if (!protocol::take_file_notes(r, m.files_not_transferred)) return damaged("message record (file note)");
    if (m.files_not_transferred.empty()) return damaged("message record");
  }
  if (!r.at_end()) return damaged("message record");
  if (direction < static_cast<std::uint8_t>(Direction::kIn) ||
      direction > static_cast<std::uint8_t>(Direction::kEarlierVerified)) {
    return damaged("message record (direction)");
  }
  m.direction = static_cast<Direction>(direction);
  m.body = crypto::SecretBuffer::copy_of(body);
  return m;
}

// ---- directory history (meta table) ----

namespace {
constexpr std::uint8_t kDirectoryRecordVersion = 1;
constexpr std::uint8_t kSeenValidUntil = 0x01;
}  // namespace

Bytes encode_directory_history(const client::DirectoryHistory& h) {
  Bytes record;
  append_u8(record, kDirectoryRecordVersion);
  append_u64_le(record, h.highest_serial);
  append_u8(record, h.seen_valid_until ? kSeenValidUntil : 0);
  return record;
}

Result<client::DirectoryHistory> decode_directory_history(ByteView bytes) {
  ByteReader r(bytes);
  std::uint8_t version = 0, flags = 0;
  client::DirectoryHistory h;
  if (!r.take_u8(version) || !r.take_u64(h.highest_serial) || !r.take_u8(flags) || !r.at_end() ||
      (flags & ~kSeenValidUntil) != 0) {
    return damaged("directory record");
  }
  if (version != kDirectoryRecordVersion) return Error{ErrorCode::kUnsupportedVersion, "case store: unknown record version"};
  h.seen_valid_until = (flags & kSeenValidUntil) != 0;
  return h;
}

crypto::SecretBuffer encode_relay_message(const RelayMessageRecord& r) {
  Bytes head;
  append_u8(head, kRelayRecordVersion);
  append_u8(head, static_cast<std::uint8_t>(r.state));
  append(head, r.relay_id);
  crypto::SecretBuffer out = crypto::SecretBuffer::copy_of(ByteView(head));
  out.append(r.token);  // the delete token is a capability: keep it out of ordinary memory
  Bytes tail;
  append(tail, r.case_key);
  append_u64_le(tail, r.received_at);
  out.append(tail);
  return out;
}

Result<RelayMessageRecord> decode_relay_message(ByteView bytes) {
  if (bytes.size() != kRelayRecordBytes) return damaged("relay message record");
  ByteReader r(bytes);
  RelayMessageRecord rec;
  std::uint8_t version = 0, state = 0;
  if (!r.take_u8(version) || !r.take_u8(state) || !r.take(rec.relay_id.bytes) || !r.take(rec.token) ||
      !r.take(rec.case_key.bytes) || !r.take_u64(rec.received_at)) {
    return damaged("relay message record");
  }
  if (version != kRelayRecordVersion) return Error{ErrorCode::kUnsupportedVersion, "case store: unknown record version"};
  if (state != static_cast<std::uint8_t>(RelayMessageState::kDeletePending) &&
      state != static_cast<std::uint8_t>(RelayMessageState::kDeleteDone)) {
    return damaged("relay message record");
  }
  rec.state = static_cast<RelayMessageState>(state);
  return rec;
}

Bytes encode_schema(std::uint32_t version) {
  Bytes out;
  append_u32_le(out, version);
  return out;
}

Result<std::uint32_t> decode_schema(ByteView bytes) {
  if (bytes.size() != 4) return damaged("schema record");
  return read_u32_le(bytes.data());
}

Bytes encode_alias(const CaseKey& case_key) {
  Bytes out;
  append_u8(out, kAliasRecordVersion);
  append(out, case_key);
  return out;
}

Result<CaseKey> decode_alias(ByteView bytes) {
  ByteReader r(bytes);
  std::uint8_t version = 0;
  CaseKey target{};
  if (bytes.size() != kAliasRecordBytes || !r.take_u8(version) || !r.take(target.bytes)) return damaged("alias record");
  if (version != kAliasRecordVersion) return Error{ErrorCode::kUnsupportedVersion, "case store: unknown alias version"};
  return target;
}

namespace {

// A filing id: u8 length (<= crypto::kMaxCategoryIdBytes) || id.
bool take_category_id(ByteReader& r, std::string& id) {
  std::uint8_t length = 0;
  ByteView bytes;
  if (!r.take_u8(length) || length > crypto::kMaxCategoryIdBytes || !r.take(length, bytes)) return false;
  id.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return true;
}

}  // namespace

Bytes encode_filing(const Filing& f) {
  if (f.group.size() > crypto::kMaxCategoryIdBytes || f.kind.size() > crypto::kMaxCategoryIdBytes) {
    throw std::length_error("filing id too long");
  }
  Bytes out;
  append_u8(out, kFilingRecordVersion);
  append_u8(out, static_cast<std::uint8_t>(f.group.size()));
  append(out, as_bytes(f.group));
  append_u8(out, static_cast<std::uint8_t>(f.kind.size()));
  append(out, as_bytes(f.kind));
  return out;
}

Result<Filing> decode_filing(ByteView bytes) {
  ByteReader r(bytes);
  std::uint8_t version = 0;
  Filing f;
  if (!r.take_u8(version)) return damaged("filing record");
  if (version != kFilingRecordVersion) return Error{ErrorCode::kUnsupportedVersion, "case store: unknown filing version"};
  if (!take_category_id(r, f.group) || !take_category_id(r, f.kind) || !r.at_end() || !validate_filing(f)) {
    return damaged("filing record");
  }
  return f;
}

crypto::SecretBuffer encode_label(const crypto::SecretBuffer& label) {
  if (label.size() > kMaxCaseLabelBytes) throw std::length_error("label too long to store");
  const std::uint8_t head[2] = {kLabelRecordVersion, static_cast<std::uint8_t>(label.size())};
  crypto::SecretBuffer out = crypto::SecretBuffer::copy_of(ByteView(head, sizeof head));
  out.append(label.view());
  return out;
}

Result<crypto::SecretBuffer> decode_label(ByteView bytes) {
  ByteReader r(bytes);
  std::uint8_t version = 0, length = 0;
  ByteView text;
  if (!r.take_u8(version)) return damaged("label record");
  if (version != kLabelRecordVersion) return Error{ErrorCode::kUnsupportedVersion, "case store: unknown label version"};
  if (!r.take_u8(length) || !r.take(length, text) || !r.at_end() || !validate_case_label(text)) {
    return damaged("label record");
  }
  return crypto::SecretBuffer::copy_of(text);
}

Bytes encode_seen_mark() { return Bytes{kSeenRecordVersion}; }

FixedBytes<kCaseSequenceKeyBytes> case_sequence_key(const CaseKey& case_key, std::uint64_t sequence) {
  FixedBytes<kCaseSequenceKeyBytes> key{};
  std::copy(case_key.begin(), case_key.end(), key.begin());
  for (std::size_t i = 0; i < 8; ++i) {
    key[kCaseKeyBytes + i] = static_cast<std::uint8_t>(sequence >> (8 * (7 - i)));
  }
  return key;
}

std::uint64_t sequence_of(ByteView key) {
  std::uint64_t sequence = 0;
  for (std::size_t i = 0; i < 8; ++i) sequence = (sequence << 8) | key[kCaseKeyBytes + i];
  return sequence;
}

// ---- attachment tables (attachments_store.cpp) ----

crypto::SecretBuffer encode_attachment_record(const AttachmentRecord& r) {
  Bytes head;
  append_u8(head, kAttachmentRecordVersion);
  append_u8(head, static_cast<std::uint8_t>(r.direction));
  append_u8(head, static_cast<std::uint8_t>(r.state));
  append(head, r.file_id);
  append_u64_le(head, r.sent_at);
  append_u64_le(head, r.stored_at);
  append_u64_le(head, r.total_bytes);
  append_u16_le(head, r.count);
  append_u16_le(head, r.received);
  append(head, r.digest);
  append_u8(head, static_cast<std::uint8_t>(r.name.size()));
  crypto::SecretBuffer out = crypto::SecretBuffer::copy_of(ByteView(head));
  out.append(r.name.view());
  return out;
}

Result<AttachmentRecord> decode_attachment_record(ByteView bytes) {
  ByteReader r(bytes);
  AttachmentRecord rec;
  std::uint8_t version = 0, direction = 0, state = 0, name_bytes = 0;
  ByteView name;
  if (!r.take_u8(version)) return damaged("attachment record");
  if (version != kAttachmentRecordVersion) {
    return Error{ErrorCode::kUnsupportedVersion, "case store: unknown attachment record version"};
  }
  if (!r.take_u8(direction) || !r.take_u8(state) || !r.take(rec.file_id.bytes) || !r.take_u64(rec.sent_at) ||
      !r.take_u64(rec.stored_at) || !r.take_u64(rec.total_bytes) || !r.take_u16(rec.count) ||
      !r.take_u16(rec.received) || !r.take(rec.digest.bytes) || !r.take_u8(name_bytes) || name_bytes == 0 ||
      !r.take(name_bytes, name) || !r.at_end()) {
    return damaged("attachment record");
  }
  if (direction != static_cast<std::uint8_t>(Direction::kIn) && direction != static_cast<std::uint8_t>(Direction::kOut)) {
    return damaged("attachment record (direction)");
  }
  if (state < static_cast<std::uint8_t>(client::AttachmentState::kIncomplete) ||
      state > static_cast<std::uint8_t>(client::AttachmentState::kCorrupt)) {
    return damaged("attachment record (state)");
  }
  // The same bounds as on the wire: nothing later is sized from a bad count.
  if (rec.total_bytes == 0 || rec.total_bytes > protocol::kMaxAttachmentFileBytes ||
      rec.count != protocol::attachment_piece_count(rec.total_bytes) || rec.received > rec.count) {
    return damaged("attachment record (size)");
  }
  rec.direction = static_cast<Direction>(direction);
  rec.state = static_cast<client::AttachmentState>(state);
  rec.name = crypto::SecretBuffer::copy_of(name);
  return rec;
}

crypto::SecretBuffer encode_attachment_piece(ByteView data) {
  Bytes head;
  append_u8(head, kPieceRecordVersion);
  append_u32_le(head, static_cast<std::uint32_t>(data.size()));
  crypto::SecretBuffer out = crypto::SecretBuffer::copy_of(ByteView(head));
  out.append(data);
  return out;
}

Result<crypto::SecretBuffer> decode_attachment_piece(ByteView bytes) {
  ByteReader r(bytes);
  std::uint8_t version = 0;
  std::uint32_t length = 0;
  ByteView data;
  if (!r.take_u8(version)) return damaged("attachment piece");
  if (version != kPieceRecordVersion) return Error{ErrorCode::kUnsupportedVersion, "case store: unknown piece version"};
  if (!r.take_u32(length) || length == 0 || length > protocol::kAttachmentPieceDataBytes || !r.take(length, data) ||
      !r.at_end()) {
    return damaged("attachment piece");
  }
  return crypto::SecretBuffer::copy_of(data);
}

crypto::SecretBuffer encode_file_key_record(const FileKeyRecord& r) {
  Bytes head;
  append_u8(head, kFileKeyRecordVersion);
  append(head, r.sender_pk);
  crypto::SecretBuffer out = crypto::SecretBuffer::copy_of(ByteView(head));
  out.append(r.seed.view());
  head.clear();
  append_u64_le(head, r.announced_at);
  out.append(head);
  return out;
}

Result<FileKeyRecord> decode_file_key_record(ByteView bytes) {
  ByteReader r(bytes);
  FileKeyRecord rec;
  std::uint8_t version = 0;
  ByteView seed;
  if (!r.take_u8(version)) return damaged("file key");
  if (version != kFileKeyRecordVersion) return Error{ErrorCode::kUnsupportedVersion, "case store: unknown file key version"};
  if (!r.take(rec.sender_pk.bytes) || !r.take(crypto::kFileKeySeedBytes, seed) || !r.take_u64(rec.announced_at) ||
      !r.at_end()) {
    return damaged("file key");
  }
  rec.seed = crypto::Secret<crypto::kFileKeySeedBytes>::from(seed);
  return rec;
}

}  // namespace meldpunt::adviser
