#include "case_store.hpp"

#include <algorithm>
#include <cctype>

#include <sodium.h>

#include "meldpunt/crypto/aead.hpp"
#include "text.hpp"

namespace meldpunt::adviser {
namespace {

namespace lmdb = store::lmdb;

constexpr std::string_view kMetaTable = "meta";
constexpr std::string_view kCasesTable = "cases";
constexpr std::string_view kMessagesTable = "messages";
constexpr std::string_view kRelayMessagesTable = "relay_messages";
constexpr std::string_view kHistoryTable = "history";
constexpr std::string_view kNotesTable = "notes";
constexpr std::string_view kAliasesTable = "aliases";
constexpr std::string_view kLettersTable = "letters";
constexpr std::string_view kProposalsTable = "proposals";
constexpr std::uint8_t kSeenRecordVersion = 1;
constexpr std::string_view kSchemaKey = "schema";
constexpr std::string_view kSettingsKey = "settings";

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
constexpr std::uint8_t kDeletePending = 1;
constexpr std::uint8_t kDeleteDone = 2;

constexpr std::size_t kMessageKeyBytes = kCaseKeyBytes + 8;
constexpr std::size_t kRelayRecordBytes = 1 + 1 + crypto::kMessageIdBytes + 32 + kCaseKeyBytes + 8;
constexpr std::size_t kMaxCaseRecordBytes =
    1 + 1 + 32 + 32 + 8 + 8 + 4 + 8 + 4 * 8 + 1 + kMaxOtherAdvisers * (crypto::kAdviserIdBytes + 2 + crypto::kMaxNameBytes) +
    (1 + crypto::kAdviserIdBytes + 2 + crypto::kMaxNameBytes + 8) + 1 +
    kMaxOpenProposals * (protocol::kProposalIdBytes + crypto::kAdviserIdBytes + 2 + crypto::kMaxNameBytes + 8) +
    (8 + crypto::kAdviserIdBytes + 2 + crypto::kMaxNameBytes);

Error damaged(std::string_view what) { return Error{ErrorCode::kMalformed, "case store: damaged " + std::string(what)}; }

// case key || sequence u64 BE: the key of messages, history and notes.
FixedBytes<kMessageKeyBytes> message_key(const CaseKey& case_key, std::uint64_t sequence) {
  FixedBytes<kMessageKeyBytes> key{};
  std::copy(case_key.begin(), case_key.end(), key.begin());
  for (std::size_t i = 0; i < 8; ++i) {
    key[kCaseKeyBytes + i] = static_cast<std::uint8_t>(sequence >> (8 * (7 - i)));  // big-endian: key order = sequence order
  }
  return key;
}

struct RelayRecord {
  std::uint8_t state = kDeletePending;
  crypto::MessageId relay_id{};
  FixedBytes<32> token{};
  CaseKey case_key{};
  std::uint64_t received_at = 0;
};

crypto::SecretBuffer encode_relay_record(const RelayRecord& r) {
  Bytes head;
  append_u8(head, kRelayRecordVersion);
  append_u8(head, r.state);
  append(head, r.relay_id);
  crypto::SecretBuffer out = crypto::SecretBuffer::copy_of(ByteView(head));
  out.append(r.token);  // the delete token is a capability: keep it out of ordinary memory
  Bytes tail;
  append(tail, r.case_key);
  append_u64_le(tail, r.received_at);
  out.append(tail);
  return out;
}

Result<RelayRecord> decode_relay_record(ByteView bytes) {
  if (bytes.size() != kRelayRecordBytes) return damaged("relay message record");
  ByteReader r(bytes);
  RelayRecord rec;
  std::uint8_t version = 0;
  if (!r.take_u8(version) || !r.take_u8(rec.state) || !r.take(rec.relay_id) || !r.take(rec.token) ||
      !r.take(rec.case_key) || !r.take_u64(rec.received_at)) {
    return damaged("relay message record");
  }
  if (version != kRelayRecordVersion) return Error{ErrorCode::kUnsupportedVersion, "case store: unknown record version"};
  if (rec.state != kDeletePending && rec.state != kDeleteDone) return damaged("relay message record");
  return rec;
}

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::string_view status_keyword(CaseStatus status) {
  switch (status) {
    case CaseStatus::kNew: return "new";
    case CaseStatus::kAcknowledged: return "acknowledged";
    case CaseStatus::kInProgress: return "in-progress";
    case CaseStatus::kClosed: return "closed";
  }
  return "unknown";
}

Result<CaseStatus> parse_status(std::string_view keyword) {
  for (CaseStatus s : {CaseStatus::kNew, CaseStatus::kAcknowledged, CaseStatus::kInProgress, CaseStatus::kClosed}) {
    if (keyword == status_keyword(s)) return s;
  }
  return Error{ErrorCode::kMalformed, "unknown status; use new, acknowledged, in-progress or closed"};
}

Result<StatusAction> parse_status_action(std::string_view word) {
  if (word == "acknowledged") return StatusAction::kAcknowledge;
  if (word == "in-progress") return StatusAction::kStartWork;
  if (word == "closed") return StatusAction::kClose;
  if (word == "reopen") return StatusAction::kReopen;
  return Error{ErrorCode::kMalformed, "unknown status; use acknowledged, in-progress, closed or reopen"};
}

Result<CaseStatus> next_status(CaseStatus current, StatusAction action) {
  const auto rank = [](CaseStatus s) { return static_cast<int>(s); };
  CaseStatus target = CaseStatus::kInProgress;
  switch (action) {
    case StatusAction::kAcknowledge: target = CaseStatus::kAcknowledged; break;
    case StatusAction::kStartWork: target = CaseStatus::kInProgress; break;
    case StatusAction::kClose: target = CaseStatus::kClosed; break;
    case StatusAction::kReopen:
      if (current != CaseStatus::kClosed) {
        return Error{ErrorCode::kMalformed, "only a closed case can be reopened (this one is " +
                                                std::string(status_keyword(current)) + ")"};
      }
      return CaseStatus::kInProgress;
  }
  if (current == CaseStatus::kClosed) {
    return Error{ErrorCode::kMalformed, "the case is closed; `status CASE reopen` opens it again"};
  }
  if (rank(target) <= rank(current)) {
    return Error{ErrorCode::kMalformed, "the case is already " + std::string(status_keyword(current)) +
                                            "; a case moves forward only (new, acknowledged, in-progress, closed)"};
  }
  return target;
}

Status validate_settings(const Settings& settings) {
  if (settings.ack_days < 1 || settings.ack_days > kDefaultAckDays) {
    return Error{ErrorCode::kMalformed, "--ack-days must be 1 to " + std::to_string(kDefaultAckDays) +
                                            " (the law allows at most 7 days; settings may only be stricter)"};
  }
  if (settings.feedback_months < 1 || settings.feedback_months > kDefaultFeedbackMonths) {
    return Error{ErrorCode::kMalformed, "--feedback-months must be 1 to " + std::to_string(kDefaultFeedbackMonths) +
                                            " (the law allows at most 3 months; settings may only be stricter)"};
  }
  return Status::success();
}

std::string describe(const HistoryEntry& entry) {
  switch (entry.event) {
    case HistoryEvent::kOpened: return "case opened (first message received)";
    case HistoryEvent::kStatusChanged:
      return "status " + std::string(entry.from ? status_keyword(*entry.from) : "?") + " -> " +
             std::string(entry.to ? status_keyword(*entry.to) : "?");
    case HistoryEvent::kReporterMoved: return "reporter moved to a new code";
    case HistoryEvent::kNoteAdded: return "private note added";
    case HistoryEvent::kAcknowledgementSent: return "acknowledgement sent to the reporter";
    case HistoryEvent::kExported: return "case exported";
    case HistoryEvent::kHandoverProposed: return "hand-over proposed to the reporter";
    case HistoryEvent::kHandedOver: return "the reporter accepted the hand-over; the other adviser has the case now";
    case HistoryEvent::kHandoverDeclined: return "the reporter declined the hand-over; the case stays here";
    case HistoryEvent::kReceivedByHandover: return "case received by hand-over, with the reporter's consent";
    case HistoryEvent::kHandoverLapsed:
      return "open hand-over proposals lapsed: the reporter moved to a new code (propose again if needed)";
  }
  return "unknown event";
}

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

std::string CaseRecord::id() const { return to_hex(key).substr(0, kCaseIdChars); }

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
  if (!r.take_u8(status) || !r.take(c.reporter_message_pk) || !r.take(c.reporter_fetch_pk) ||
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
    if (!r.take(a.id) || !r.take_u16(length) || length > crypto::kMaxNameBytes || !r.take(length, name)) {
      return damaged("case record (adviser)");
    }
    a.name.assign(reinterpret_cast<const char*>(name.data()), name.size());
    c.other_advisers.push_back(std::move(a));
  }
  if (version >= kCaseRecordVersion) {
    std::uint8_t outcome = 0, open = 0;
    if (!r.take_u8(outcome) || !r.take(c.handover_adviser) || !take_name(r, c.handover_adviser_name) ||
        !r.take_u64(c.handover_at) || !r.take_u8(open)) {
      return damaged("case record (hand-over)");
    }
    if (outcome > static_cast<std::uint8_t>(HandoverOutcomeState::kDeclined)) return damaged("case record (hand-over)");
    c.handover = static_cast<HandoverOutcomeState>(outcome);
    if (open > kMaxOpenProposals) return damaged("case record (open proposals)");
    c.open_proposals.resize(open);
    for (OpenProposal& p : c.open_proposals) {
      if (!r.take(p.id) || !r.take(p.to) || !take_name(r, p.to_name) || !r.take_u64(p.at)) {
        return damaged("case record (open proposal)");
      }
    }
    if (!r.take_u64(c.received_at) || !r.take(c.received_from) || !take_name(r, c.received_from_name)) {
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
    head.assign(1, static_cast<std::uint8_t>(m.files_not_transferred.size()));
    out.append(head);
    for (const protocol::FileNote& f : m.files_not_transferred) {
      if (f.name.empty() || f.name.size() > protocol::kMaxFileNoteNameBytes) throw std::length_error("bad file note");
      head.clear();
      append_u64_le(head, f.total_bytes);
      append(head, f.digest);
      append_u8(head, static_cast<std::uint8_t>(f.name.size()));
      out.append(head);
      out.append(f.name.view());
    }
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
  if (!r.take_u8(direction) || !r.take_u64(m.sent_at) || !r.take_u64(m.stored_at) || !r.take(m.relay_id) ||
      !r.take_u32(length) || length > kMaxStoredBodyBytes || !r.take(length, body)) {
    return damaged("message record");
  }
  if (version == kMessageRecordVersionWithFiles) {
    // One encoding per record: a record without notes is version 1.
    std::uint8_t count = 0;
    if (!r.take_u8(count) || count == 0 || count > protocol::kMaxHistoryFileNotes) return damaged("message record");
    for (std::uint8_t i = 0; i < count; ++i) {
      protocol::FileNote f;
      std::uint8_t name_size = 0;
      ByteView name;
      if (!r.take_u64(f.total_bytes) || !r.take(f.digest) || !r.take_u8(name_size) || name_size == 0 ||
          !r.take(name_size, name)) {
        return damaged("message record (file note)");
      }
      f.name = crypto::SecretBuffer::copy_of(name);
      m.files_not_transferred.push_back(std::move(f));
    }
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

// ---- CaseStore ----

Result<CaseStore> CaseStore::open(const std::filesystem::path& folder, const crypto::Secret<32>& store_key) {
  lmdb::EnvironmentOptions options;
  options.max_tables = 32;  // room for the tables later schema versions add
  options.initial_map_bytes = 16ull << 20;
  options.max_map_bytes = 16ull << 30;
  lmdb::Environment env(folder, options);
  Tables tables{env.open_table(kMetaTable),     env.open_table(kCasesTable), env.open_table(kMessagesTable),
                env.open_table(kRelayMessagesTable), env.open_table(kHistoryTable), env.open_table(kNotesTable),
                env.open_table(kAliasesTable),      env.open_table("attachments"),
                env.open_table("attachment_pieces"), env.open_table(kLettersTable),
                env.open_table(kProposalsTable),    env.open_table("filings"),
                env.open_table("file_keys")};
  CaseStore store(std::move(env), tables, store_key.clone());

  std::optional<std::uint32_t> schema;
  {
    lmdb::ReadTxn txn = store.env_.begin_read();
    if (std::optional<ByteView> sealed = store.tables_.meta.get(txn, as_bytes(kSchemaKey))) {
      auto plain = store.open_record(kMetaTable, as_bytes(kSchemaKey), *sealed);
      if (!plain) {
        return Error{ErrorCode::kUnauthorised, "the case store in " + folder.string() +
                                                   " does not belong to this identity, or it was changed"};
      }
      if (plain->size() != 4) return damaged("schema record");
      schema = read_u32_le(plain->data());
    } else if (store.tables_.cases.count(txn) != 0 || store.tables_.messages.count(txn) != 0) {
      return damaged("store (cases without a schema record)");
    }
  }
  if (schema && *schema > kStoreSchemaVersion) {
    return Error{ErrorCode::kUnsupportedVersion,
                 "the case store was written by a newer adviser-client (schema " + std::to_string(*schema) + ")"};
  }
  if (schema && *schema == 1) {
    if (Status s = store.migrate_from_1(); !s) return s.error();
  } else if (!schema) {
    Status s = store.env_.write([&](lmdb::WriteTxn& txn) {
      Bytes version;
      append_u32_le(version, kStoreSchemaVersion);
      return store.tables_.meta.put(txn, as_bytes(kSchemaKey), store.seal(kMetaTable, as_bytes(kSchemaKey), version));
    });
    if (!s) return s.error();
  }
  return store;
}

Status CaseStore::migrate_from_1() {
  return env_.write([&](lmdb::WriteTxn& txn) -> Status {
    std::vector<CaseKey> keys;
    tables_.cases.for_each(txn, [&](ByteView key, ByteView) {
      if (key.size() == kCaseKeyBytes) {
        CaseKey k{};
        std::copy(key.begin(), key.end(), k.begin());
        keys.push_back(k);
      }
      return true;
    });
    for (const CaseKey& k : keys) {
      auto existing = load_case(txn, k);
      if (!existing) return existing.error();
      if (!*existing) return damaged("case index");
      CaseRecord c = std::move(**existing);
      // Schema 1 never moved a case out of kNew, so "opened" is its whole history.
      if (Status st = append_history(txn, c, c.created_at, HistoryEvent::kOpened); !st) return st;
      if (Status st = put_case(txn, c); !st) return st;
    }
    Bytes version;
    append_u32_le(version, kStoreSchemaVersion);
    return tables_.meta.put(txn, as_bytes(kSchemaKey), seal(kMetaTable, as_bytes(kSchemaKey), version));
  });
}

Bytes CaseStore::seal(std::string_view table, ByteView record_key, ByteView plaintext) const {
  Bytes ad(as_bytes(table).begin(), as_bytes(table).end());
  ad.push_back(0);
  append(ad, record_key);
  return crypto::seal_value(key_, ad, plaintext);
}

Result<crypto::SecretBuffer> CaseStore::open_record(std::string_view table, ByteView record_key,
                                                    ByteView sealed) const {
  Bytes ad(as_bytes(table).begin(), as_bytes(table).end());
  ad.push_back(0);
  append(ad, record_key);
  auto plain = crypto::open_value(key_, ad, sealed);
  if (!plain) return Error{ErrorCode::kUnauthorised, "case store: a " + std::string(table) + " record does not open (changed or moved)"};
  return plain;
}

CaseKey CaseStore::case_key_for(const crypto::X25519PublicKey& reporter_message_pk) const {
  return crypto::keyed_name(key_, "case", reporter_message_pk);
}

FixedBytes<16> CaseStore::relay_record_key(const crypto::MessageId& relay_id) const {
  return crypto::keyed_name(key_, "relay-message", relay_id);
}

Result<std::optional<CaseRecord>> CaseStore::load_case(const lmdb::Txn& txn, const CaseKey& key) const {
  std::optional<ByteView> sealed = tables_.cases.get(txn, key);
  if (!sealed) return std::optional<CaseRecord>{};
  auto plain = open_record(kCasesTable, key, *sealed);
  if (!plain) return plain.error();
  auto record = decode_case(plain->view());
  if (!record) return record.error();
  record->key = key;
  return std::optional<CaseRecord>(std::move(record).value());
}

Status CaseStore::put_case(lmdb::WriteTxn& txn, const CaseRecord& record) {
  const Bytes plain = encode_case(record);
  return tables_.cases.put(txn, record.key, seal(kCasesTable, record.key, plain));
}

Result<std::optional<CaseKey>> CaseStore::resolve(const lmdb::Txn& txn, const crypto::X25519PublicKey& pk) const {
  const CaseKey direct = case_key_for(pk);
  if (std::optional<ByteView> sealed = tables_.aliases.get(txn, direct)) {
    auto plain = open_record(kAliasesTable, direct, *sealed);
    if (!plain) return plain.error();
    ByteReader r(plain->view());
    std::uint8_t version = 0;
    CaseKey target{};
    if (plain->size() != kAliasRecordBytes || !r.take_u8(version) || !r.take(target)) return damaged("alias record");
    if (version != kAliasRecordVersion) return Error{ErrorCode::kUnsupportedVersion, "case store: unknown alias version"};
    return std::optional<CaseKey>(target);
  }
  if (tables_.cases.get(txn, direct)) return std::optional<CaseKey>(direct);
  return std::optional<CaseKey>{};
}

Result<std::optional<CaseRecord>> CaseStore::case_of_sender(const lmdb::Txn& txn,
                                                            const crypto::X25519PublicKey& pk) const {
  auto resolved = resolve(txn, pk);
  if (!resolved) return resolved.error();
  if (!*resolved) return std::optional<CaseRecord>{};
  auto existing = load_case(txn, **resolved);
  if (!existing) return existing.error();
  if (!*existing) return damaged("alias to a missing case");
  return existing;
}

Status CaseStore::append_history(lmdb::WriteTxn& txn, CaseRecord& record, std::uint64_t at, HistoryEvent event,
                                 std::optional<CaseStatus> from, std::optional<CaseStatus> to) {
  HistoryEntry e;
  e.at = at;
  e.event = event;
  e.from = from;
  e.to = to;
  const auto key = message_key(record.key, record.next_history);
  if (Status st = tables_.history.put(txn, key, seal(kHistoryTable, key, encode_history(e))); !st) return st;
  record.next_history++;
  return Status::success();
}

FixedBytes<16> CaseStore::letter_record_key(const FixedBytes<32>& token) const {
  return crypto::keyed_name(key_, "letter", token);
}

FixedBytes<16> CaseStore::proposal_record_key(const protocol::ProposalId& proposal) const {
  return crypto::keyed_name(key_, "proposal", proposal);
}

bool CaseStore::letter_known(const lmdb::Txn& txn, const FixedBytes<32>& token) const {
  return tables_.letters.get(txn, letter_record_key(token)).has_value();
}

Status CaseStore::put_relay_pending(lmdb::WriteTxn& txn, const crypto::MessageId& relay_id,
                                    const FixedBytes<32>& token, const CaseKey& case_key, std::uint64_t received_at) {
  const FixedBytes<16> letter_key = letter_record_key(token);
  const Bytes seen{kSeenRecordVersion};
  if (Status st = tables_.letters.put(txn, letter_key, seal(kLettersTable, letter_key, seen)); !st) return st;
  const FixedBytes<16> relay_key = relay_record_key(relay_id);
  RelayRecord rr{kDeletePending, relay_id, token, case_key, received_at};
  const crypto::SecretBuffer plain = encode_relay_record(rr);
  return tables_.relay_messages.put(txn, relay_key, seal(kRelayMessagesTable, relay_key, plain.view()));
}

Status CaseStore::for_each_in_case(const lmdb::Table& table, std::string_view table_name, const CaseKey& key,
                                   const std::function<Status(std::uint64_t, ByteView)>& visit) const {
  lmdb::ReadTxn txn = env_.begin_read();
  Status failure;
  table.for_each(
      txn,
      [&](ByteView record_key, ByteView sealed) {
        if (record_key.size() < kCaseKeyBytes || !std::equal(key.begin(), key.end(), record_key.begin())) {
          return false;  // past this case's records
        }
        if (record_key.size() != kMessageKeyBytes) {
          failure = damaged(std::string(table_name) + " key");
          return false;
        }
        auto plain = open_record(table_name, record_key, sealed);
        if (!plain) {
          failure = plain.error();
          return false;
        }
        std::uint64_t sequence = 0;
        for (std::size_t i = 0; i < 8; ++i) sequence = (sequence << 8) | record_key[kCaseKeyBytes + i];
        failure = visit(sequence, plain->view());
        return static_cast<bool>(failure);
      },
      key);
  return failure;
}

Result<std::vector<CaseRecord>> CaseStore::list_cases() const {
  lmdb::ReadTxn txn = env_.begin_read();
  std::vector<CaseRecord> out;
  Status failure;
  tables_.cases.for_each(txn, [&](ByteView key, ByteView sealed) {
    if (key.size() != kCaseKeyBytes) {
      failure = damaged("case key");
      return false;
    }
    auto plain = open_record(kCasesTable, key, sealed);
    if (!plain) {
      failure = plain.error();
      return false;
    }
    auto record = decode_case(plain->view());
    if (!record) {
      failure = record.error();
      return false;
    }
    std::copy(key.begin(), key.end(), record->key.begin());
    out.push_back(std::move(record).value());
    return true;
  });
  if (!failure) return failure.error();
  return out;
}

Result<std::optional<CaseRecord>> CaseStore::get_case(const CaseKey& key) const {
  lmdb::ReadTxn txn = env_.begin_read();
  return load_case(txn, key);
}

Result<CaseRecord> CaseStore::find_case(std::string_view id_prefix) const {
  if (id_prefix.size() < kMinCasePrefixChars || id_prefix.size() > 2 * kCaseKeyBytes ||
      !std::all_of(id_prefix.begin(), id_prefix.end(), is_hex)) {
    return Error{ErrorCode::kMalformed, "a case id is " + std::to_string(kMinCasePrefixChars) + " to " +
                                            std::to_string(kCaseIdChars) + " hex characters, as `cases` shows it"};
  }
  std::string prefix(id_prefix);
  std::transform(prefix.begin(), prefix.end(), prefix.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  lmdb::ReadTxn txn = env_.begin_read();
  std::vector<CaseKey> matches;
  tables_.cases.for_each(txn, [&](ByteView key, ByteView) {
    if (key.size() == kCaseKeyBytes && to_hex(key).compare(0, prefix.size(), prefix) == 0) {
      CaseKey k{};
      std::copy(key.begin(), key.end(), k.begin());
      matches.push_back(k);
    }
    return matches.size() < 2;
  });
  if (matches.empty()) return Error{ErrorCode::kNotFound, "no case " + prefix + " (see `adviser-client cases`)"};
  if (matches.size() > 1) {
    return Error{ErrorCode::kMalformed, "case id " + prefix + " is ambiguous; type more of it"};
  }
  auto record = load_case(txn, matches.front());
  if (!record) return record.error();
  if (!*record) return damaged("case index");
  return std::move(**record);
}

Result<std::vector<MessageRecord>> CaseStore::messages(const CaseKey& key) const {
  std::vector<MessageRecord> out;
  Status s = for_each_in_case(tables_.messages, kMessagesTable, key, [&](std::uint64_t sequence, ByteView plain) {
    auto message = decode_message(plain);
    if (!message) return Status(message.error());
    message->sequence = sequence;
    out.push_back(std::move(message).value());
    return Status::success();
  });
  if (!s) return s.error();
  return out;
}

Result<std::vector<HistoryEntry>> CaseStore::history(const CaseKey& key) const {
  std::vector<HistoryEntry> out;
  Status s = for_each_in_case(tables_.history, kHistoryTable, key, [&](std::uint64_t sequence, ByteView plain) {
    auto entry = decode_history(plain);
    if (!entry) return Status(entry.error());
    entry->sequence = sequence;
    out.push_back(*entry);
    return Status::success();
  });
  if (!s) return s.error();
  return out;
}

Result<std::vector<NoteRecord>> CaseStore::notes(const CaseKey& key) const {
  std::vector<NoteRecord> out;
  Status s = for_each_in_case(tables_.notes, kNotesTable, key, [&](std::uint64_t sequence, ByteView plain) {
    auto note = decode_note(plain);
    if (!note) return Status(note.error());
    note->sequence = sequence;
    out.push_back(std::move(note).value());
    return Status::success();
  });
  if (!s) return s.error();
  return out;
}

Result<RecordOutcome> CaseStore::record_incoming(const IncomingReport& report) {
  if (report.body.size() > kMaxStoredBodyBytes) return Error{ErrorCode::kTooLarge, "message body too long to store"};
  if (report.other_advisers.size() > kMaxOtherAdvisers) return Error{ErrorCode::kTooLarge, "too many advisers"};
  RecordOutcome outcome;
  const FixedBytes<16> relay_key = relay_record_key(report.relay_id);

  Status s = env_.write([&](lmdb::WriteTxn& txn) -> Status {
    outcome = RecordOutcome{};
    outcome.case_key = case_key_for(report.reporter_message_pk);
    if (tables_.relay_messages.get(txn, relay_key)) return Status::success();  // already stored
    if (letter_known(txn, report.delete_token)) {
      outcome.replayed = true;
      return Status::success();
    }

    auto resolved = resolve(txn, report.reporter_message_pk);
    if (!resolved) return resolved.error();
    const CaseKey case_key = resolved->value_or(outcome.case_key);
    outcome.case_key = case_key;
    auto existing = load_case(txn, case_key);
    if (!existing) return existing.error();
    CaseRecord c;
    if (*existing) {
      c = std::move(**existing);
      // The reporter moved to a new code: the old one no longer speaks for
      // the case (it may be why they moved).
      if (c.reporter_message_pk != report.reporter_message_pk) {
        outcome.retired = true;
        return Status::success();
      }
      // The reporter's keys all follow from the code, so the fetch key never
      // changes in practice; the newest authenticated letter wins.
      c.reporter_fetch_pk = report.reporter_fetch_pk;
    } else {
      c.key = case_key;
      c.status = CaseStatus::kNew;
      c.reporter_message_pk = report.reporter_message_pk;
      c.reporter_fetch_pk = report.reporter_fetch_pk;
      c.created_at = report.received_at;
      if (Status st = append_history(txn, c, report.received_at, HistoryEvent::kOpened); !st) return st;
    }
    for (const OtherAdviser& a : report.other_advisers) {
      const bool known = std::any_of(c.other_advisers.begin(), c.other_advisers.end(),
                                     [&](const OtherAdviser& o) { return o.id == a.id; });
      if (!known && c.other_advisers.size() < kMaxOtherAdvisers) c.other_advisers.push_back(a);
    }

    MessageRecord m;
    m.direction = Direction::kIn;
    m.sent_at = report.sent_at;
    m.stored_at = report.received_at;
    m.relay_id = report.relay_id;
    m.body = crypto::SecretBuffer::copy_of(report.body);
    const auto mkey = message_key(case_key, c.next_sequence);
    const crypto::SecretBuffer plain_message = encode_message(m);
    if (Status st = tables_.messages.put(txn, mkey, seal(kMessagesTable, mkey, plain_message.view())); !st) return st;

    c.next_sequence++;
    c.unread++;
    c.last_activity = std::max(c.last_activity, report.received_at);
    outcome.handed_over = c.handed_over();
    if (Status st = put_case(txn, c); !st) return st;

    if (Status st = put_relay_pending(txn, report.relay_id, report.delete_token, case_key, report.received_at); !st) {
      return st;
    }
    outcome.stored = true;
    return Status::success();
  });
  if (!s) return s.error();
  return outcome;
}

Result<RotationResult> CaseStore::record_rotation(const IncomingRotation& rotation) {
  RotationResult result;
  const FixedBytes<16> relay_key = relay_record_key(rotation.relay_id);
  Status s = env_.write([&](lmdb::WriteTxn& txn) -> Status {
    result = RotationResult{};
    if (tables_.relay_messages.get(txn, relay_key)) {
      result.outcome = RotationOutcome::kAlreadyKnown;
      return Status::success();
    }
    if (letter_known(txn, rotation.delete_token)) {
      result.outcome = RotationOutcome::kReplayed;
      return Status::success();
    }
    auto existing = case_of_sender(txn, rotation.old_message_pk);
    if (!existing) return existing.error();
    if (!*existing) return Status::success();  // kUnknownSender
    CaseRecord c = std::move(**existing);
    // Only the current code may move the case on; a retired one is a stranger.
    if (c.reporter_message_pk != rotation.old_message_pk) return Status::success();
    result.case_key = c.key;
    const bool zero = std::all_of(rotation.new_message_pk.begin(), rotation.new_message_pk.end(),
                                  [](std::uint8_t b) { return b == 0; });
    auto taken = resolve(txn, rotation.new_message_pk);
    if (!taken) return taken.error();
    if (zero || rotation.new_message_pk == rotation.old_message_pk || *taken) {
      result.outcome = RotationOutcome::kRefused;
      return Status::success();
    }
    const CaseKey alias_key = case_key_for(rotation.new_message_pk);
    Bytes alias;
    append_u8(alias, kAliasRecordVersion);
    append(alias, c.key);
    if (Status st = tables_.aliases.put(txn, alias_key, seal(kAliasesTable, alias_key, alias)); !st) return st;
    c.reporter_message_pk = rotation.new_message_pk;
    c.reporter_fetch_pk = rotation.new_fetch_pk;
    c.last_activity = std::max(c.last_activity, rotation.received_at);
    if (Status st = append_history(txn, c, rotation.received_at, HistoryEvent::kReporterMoved); !st) return st;
    // The new code never saw our open proposals (the old code's letters are
    // deleted): they can no longer be answered.
    if (!c.open_proposals.empty()) {
      c.open_proposals.clear();
      if (Status st = append_history(txn, c, rotation.received_at, HistoryEvent::kHandoverLapsed); !st) return st;
    }
    if (Status st = put_case(txn, c); !st) return st;
    if (Status st = put_relay_pending(txn, rotation.relay_id, rotation.delete_token, c.key, rotation.received_at);
        !st) {
      return st;
    }
    result.outcome = RotationOutcome::kMoved;
    return Status::success();
  });
  if (!s) return s.error();
  return result;
}

Status CaseStore::record_handover_proposal(const CaseKey& key, const protocol::ProposalId& proposal,
                                           const crypto::DirectoryEntry& to, std::uint64_t now) {
  return env_.write([&](lmdb::WriteTxn& txn) -> Status {
    auto existing = load_case(txn, key);
    if (!existing) return existing.error();
    if (!*existing) return Status(ErrorCode::kNotFound, "no such case");
    CaseRecord c = std::move(**existing);
    if (c.handed_over()) {
      return Status(ErrorCode::kMalformed,
                    "the reporter accepted an earlier hand-over of this case; the other adviser handles it now");
    }
    if (c.open_proposals.size() >= kMaxOpenProposals) {
      return Status(ErrorCode::kMalformed, std::to_string(kMaxOpenProposals) +
                                               " hand-over proposals of this case wait for the reporter's answer; "
                                               "wait for it before proposing again");
    }
    c.open_proposals.push_back({proposal, to.id, to.name, now});
    c.last_activity = std::max(c.last_activity, now);
    if (Status st = append_history(txn, c, now, HistoryEvent::kHandoverProposed); !st) return st;
    return put_case(txn, c);
  });
}

Status CaseStore::withdraw_handover_proposal(const CaseKey& key, const protocol::ProposalId& proposal) {
  return env_.write([&](lmdb::WriteTxn& txn) -> Status {
    auto existing = load_case(txn, key);
    if (!existing) return existing.error();
    if (!*existing) return Status(ErrorCode::kNotFound, "no such case");
    CaseRecord c = std::move(**existing);
    std::erase_if(c.open_proposals, [&](const OpenProposal& p) { return p.id == proposal; });
    return put_case(txn, c);
  });
}

Result<HandoverResult> CaseStore::record_handover_answer(const IncomingHandoverAnswer& incoming) {
  HandoverResult result;
  const FixedBytes<16> relay_key = relay_record_key(incoming.relay_id);
  Status s = env_.write([&](lmdb::WriteTxn& txn) -> Status {
    result = HandoverResult{};
    if (tables_.relay_messages.get(txn, relay_key)) {
      result.outcome = HandoverOutcome::kAlreadyKnown;
      return Status::success();
    }
    if (letter_known(txn, incoming.delete_token)) {
      result.outcome = HandoverOutcome::kReplayed;
      return Status::success();
    }
    auto existing = case_of_sender(txn, incoming.reporter_message_pk);
    if (!existing) return existing.error();
    if (!*existing) return Status::success();  // kUnknownSender
    CaseRecord c = std::move(**existing);
    result.case_key = c.key;
    // Only the case's current code answers, and only a proposal still open:
    // an answer replayed later names a proposal that is no longer open.
    const auto open = std::find_if(c.open_proposals.begin(), c.open_proposals.end(), [&](const OpenProposal& p) {
      return p.id == incoming.answer.proposal && p.to == incoming.answer.new_adviser;
    });
    if (c.reporter_message_pk != incoming.reporter_message_pk || open == c.open_proposals.end()) {
      result.outcome = HandoverOutcome::kRefused;
      return Status::success();
    }
    result.accepted = incoming.answer.decision == protocol::HandoverDecision::kAccept;
    c.handover = result.accepted ? HandoverOutcomeState::kHandedOver : HandoverOutcomeState::kDeclined;
    c.handover_adviser = open->to;
    c.handover_adviser_name = open->to_name;
    c.handover_at = incoming.received_at;
    if (result.accepted) {
      c.open_proposals.clear();  // the case is gone from us; nothing else can be accepted
    } else {
      c.open_proposals.erase(open);
    }
    c.last_activity = std::max(c.last_activity, incoming.received_at);
    c.unread++;  // the adviser should see the answer
    const HistoryEvent event = result.accepted ? HistoryEvent::kHandedOver : HistoryEvent::kHandoverDeclined;
    if (Status st = append_history(txn, c, incoming.received_at, event); !st) return st;
    if (result.accepted && c.status != CaseStatus::kClosed) {
      const CaseStatus from = c.status;
      c.status = CaseStatus::kClosed;
      if (Status st = append_history(txn, c, incoming.received_at, HistoryEvent::kStatusChanged, from, c.status); !st) {
        return st;
      }
    }
    if (Status st = put_case(txn, c); !st) return st;
    if (Status st = put_relay_pending(txn, incoming.relay_id, incoming.delete_token, c.key, incoming.received_at);
        !st) {
      return st;
    }
    result.outcome = HandoverOutcome::kApplied;
    return Status::success();
  });
  if (!s) return s.error();
  return result;
}

Result<HandoverResult> CaseStore::record_handover(const IncomingHandover& incoming) {
  if (incoming.other_advisers.size() > kMaxOtherAdvisers) return Error{ErrorCode::kTooLarge, "too many advisers"};
  HandoverResult result;
  const FixedBytes<16> relay_key = relay_record_key(incoming.relay_id);
  Status s = env_.write([&](lmdb::WriteTxn& txn) -> Status {
    result = HandoverResult{};
    if (tables_.relay_messages.get(txn, relay_key)) {
      result.outcome = HandoverOutcome::kAlreadyKnown;
      return Status::success();
    }
    // A hand-over is applied once: neither the same letter again nor another
    // letter naming a proposal applied before (it would reopen a case we
    // handed on since, as if it came back).
    const FixedBytes<16> proposal_key = proposal_record_key(incoming.proposal);
    if (letter_known(txn, incoming.delete_token) || tables_.proposals.get(txn, proposal_key)) {
      result.outcome = HandoverOutcome::kReplayed;
      return Status::success();
    }
    auto resolved = resolve(txn, incoming.reporter_message_pk);
    if (!resolved) return resolved.error();
    const CaseKey case_key = resolved->value_or(case_key_for(incoming.reporter_message_pk));
    result.case_key = case_key;
    auto existing = load_case(txn, case_key);
    if (!existing) return existing.error();
    CaseRecord c;
    // What the case holds already (we may have read this conversation
    // before: as a co-reader, before handing it away, or a message that
    // arrived ahead of this letter): direction, time and text of each.
    std::vector<MessageRecord> held;
    if (existing->has_value()) {
      c = std::move(**existing);
      if (c.reporter_message_pk != incoming.reporter_message_pk) {
        result.outcome = HandoverOutcome::kRefused;  // a code the reporter moved away from
        return Status::success();
      }
      for (std::uint64_t i = 0; i < c.next_sequence; ++i) {
        const auto mkey = message_key(case_key, i);
        std::optional<ByteView> sealed = tables_.messages.get(txn, mkey);
        if (!sealed) return damaged("message index");
        auto plain = open_record(kMessagesTable, mkey, *sealed);
        if (!plain) return plain.error();
        auto message = decode_message(plain->view());
        if (!message) return message.error();
        held.push_back(std::move(message).value());
      }
      // Handed back to us after we handed it away, or closed meanwhile: the
      // case is ours to work on again.
      if (c.status == CaseStatus::kClosed) {
        c.status = CaseStatus::kInProgress;
        c.feedback_from = incoming.received_at;
        if (Status st = append_history(txn, c, incoming.received_at, HistoryEvent::kStatusChanged, CaseStatus::kClosed,
                                       CaseStatus::kInProgress);
            !st) {
          return st;
        }
      }
      if (c.handed_over()) c.handover = HandoverOutcomeState::kNone;
    } else {
      c.key = case_key;
      c.status = CaseStatus::kNew;  // the acknowledgement clock starts now, for us
      c.reporter_message_pk = incoming.reporter_message_pk;
      c.created_at = incoming.received_at;
      if (Status st = append_history(txn, c, incoming.received_at, HistoryEvent::kOpened); !st) return st;
    }
    c.reporter_fetch_pk = incoming.reporter_fetch_pk;
    c.received_at = incoming.received_at;
    c.received_from = incoming.proposer;
    c.received_from_name = incoming.proposer_name;
    for (const OtherAdviser& a : incoming.other_advisers) {
      const bool listed = std::any_of(c.other_advisers.begin(), c.other_advisers.end(),
                                      [&](const OtherAdviser& o) { return o.id == a.id; });
      if (!listed && c.other_advisers.size() < kMaxOtherAdvisers) c.other_advisers.push_back(a);
    }
    if (Status st = append_history(txn, c, incoming.received_at, HistoryEvent::kReceivedByHandover); !st) return st;
    for (const IncomingHandover::Entry& e : incoming.entries) {
      MessageRecord m;
      m.direction = e.direction;
      m.sent_at = e.sent_at;
      m.stored_at = incoming.received_at;
      m.relay_id = incoming.relay_id;
      if (is_forwarded_reply(e.direction)) {
        m.body = crypto::SecretBuffer::copy_of(std::string_view("[" + e.adviser_name + "]\n"));
      }
      m.body.append(e.body);
      if (e.files != nullptr) {
        for (const protocol::FileNote& f : *e.files) {
          if (m.files_not_transferred.size() < protocol::kMaxHistoryFileNotes) {
            m.files_not_transferred.push_back({f.total_bytes, f.digest, f.name.clone()});
          }
        }
      }
      if (m.body.size() > kMaxStoredBodyBytes) return Status(ErrorCode::kTooLarge, "message body too long to store");
      // Held already: the same entry, or (a forwarded reply) the reply we
      // really sent at that time with that text.
      const bool have = std::any_of(held.begin(), held.end(), [&](const MessageRecord& h) {
        return h.sent_at == m.sent_at && ((h.direction == m.direction && h.body.equals(m.body)) ||
                                          (h.direction == Direction::kOut && is_forwarded_reply(m.direction) &&
                                           h.body.view().size() == e.body.size() &&
                                           std::equal(e.body.begin(), e.body.end(), h.body.view().begin())));
      });
      if (have) continue;
      const auto mkey = message_key(case_key, c.next_sequence);
      const crypto::SecretBuffer plain = encode_message(m);
      if (Status st = tables_.messages.put(txn, mkey, seal(kMessagesTable, mkey, plain.view())); !st) return st;
      c.next_sequence++;
      c.unread++;
    }
    c.last_activity = std::max(c.last_activity, incoming.received_at);
    if (Status st = put_case(txn, c); !st) return st;
    if (Status st = put_relay_pending(txn, incoming.relay_id, incoming.delete_token, case_key, incoming.received_at);
        !st) {
      return st;
    }
    const Bytes applied{kSeenRecordVersion};
    if (Status st = tables_.proposals.put(txn, proposal_key, seal(kProposalsTable, proposal_key, applied)); !st) {
      return st;
    }
    result.outcome = HandoverOutcome::kApplied;
    return Status::success();
  });
  if (!s) return s.error();
  return result;
}

Status CaseStore::record_outgoing(const CaseKey& key, std::uint64_t sent_at, std::uint64_t stored_at,
                                  const crypto::MessageId& relay_id, ByteView body) {
  if (body.size() > kMaxStoredBodyBytes) return Status(ErrorCode::kTooLarge, "message body too long to store");
  return env_.write([&](lmdb::WriteTxn& txn) -> Status {
    auto existing = load_case(txn, key);
    if (!existing) return existing.error();
    if (!*existing) return Status(ErrorCode::kNotFound, "no such case");
    CaseRecord c = std::move(**existing);
    MessageRecord m;
    m.direction = Direction::kOut;
    m.sent_at = sent_at;
    m.stored_at = stored_at;
    m.relay_id = relay_id;
    m.body = crypto::SecretBuffer::copy_of(body);
    const auto mkey = message_key(key, c.next_sequence);
    const crypto::SecretBuffer plain = encode_message(m);
    if (Status st = tables_.messages.put(txn, mkey, seal(kMessagesTable, mkey, plain.view())); !st) return st;
    c.next_sequence++;
    c.last_activity = std::max(c.last_activity, stored_at);
    return put_case(txn, c);
  });
}

Status CaseStore::mark_read(const CaseKey& key) {
  return env_.write([&](lmdb::WriteTxn& txn) -> Status {
    auto existing = load_case(txn, key);
    if (!existing) return existing.error();
    if (!*existing) return Status(ErrorCode::kNotFound, "no such case");
    if ((*existing)->unread == 0) return Status::success();
    (*existing)->unread = 0;
    return put_case(txn, **existing);
  });
}

Result<CaseRecord> CaseStore::change_status(const CaseKey& key, StatusAction action, std::uint64_t now,
                                            bool acknowledgement_sent) {
  CaseRecord updated;
  Status s = env_.write([&](lmdb::WriteTxn& txn) -> Status {
    auto existing = load_case(txn, key);
    if (!existing) return existing.error();
    if (!*existing) return Status(ErrorCode::kNotFound, "no such case");
    CaseRecord c = std::move(**existing);
    auto target = next_status(c.status, action);
    if (!target) return target.error();
    const CaseStatus from = c.status;
    if ((*target == CaseStatus::kAcknowledged || *target == CaseStatus::kInProgress) && c.acknowledged_at == 0) {
      c.acknowledged_at = now;
      c.feedback_from = now;
    }
    if (action == StatusAction::kReopen) c.feedback_from = now;  // a reopened case owes new feedback
    c.status = *target;
    if (acknowledgement_sent) {
      if (Status st = append_history(txn, c, now, HistoryEvent::kAcknowledgementSent); !st) return st;
    }
    if (Status st = append_history(txn, c, now, HistoryEvent::kStatusChanged, from, *target); !st) return st;
    if (Status st = put_case(txn, c); !st) return st;
    updated = std::move(c);
    return Status::success();
  });
  if (!s) return s.error();
  return updated;
}

Status CaseStore::record_event(const CaseKey& key, HistoryEvent event, std::uint64_t now) {
  if (event == HistoryEvent::kStatusChanged) return Status(ErrorCode::kInternal, "status changes go through change_status");
  return env_.write([&](lmdb::WriteTxn& txn) -> Status {
    auto existing = load_case(txn, key);
    if (!existing) return existing.error();
    if (!*existing) return Status(ErrorCode::kNotFound, "no such case");
    if (Status st = append_history(txn, **existing, now, event); !st) return st;
    return put_case(txn, **existing);
  });
}

Status CaseStore::add_note(const CaseKey& key, std::uint64_t now, ByteView text) {
  if (text.empty()) return Status(ErrorCode::kMalformed, "the note is empty");
  if (text.size() > kMaxNoteBytes) {
    return Status(ErrorCode::kTooLarge, "a note may be at most " + std::to_string(kMaxNoteBytes) + " bytes");
  }
  return env_.write([&](lmdb::WriteTxn& txn) -> Status {
    auto existing = load_case(txn, key);
    if (!existing) return existing.error();
    if (!*existing) return Status(ErrorCode::kNotFound, "no such case");
    CaseRecord c = std::move(**existing);
    NoteRecord n;
    n.written_at = now;
    n.text = crypto::SecretBuffer::copy_of(text);
    const auto nkey = message_key(key, c.next_note);
    const crypto::SecretBuffer plain = encode_note(n);
    if (Status st = tables_.notes.put(txn, nkey, seal(kNotesTable, nkey, plain.view())); !st) return st;
    c.next_note++;
    if (Status st = append_history(txn, c, now, HistoryEvent::kNoteAdded); !st) return st;
    return put_case(txn, c);
  });
}

namespace {
constexpr std::string_view kDirectoryKey = "directory";
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

Result<client::DirectoryHistory> CaseStore::directory_history() const {
  lmdb::ReadTxn txn = env_.begin_read();
  std::optional<ByteView> sealed = tables_.meta.get(txn, as_bytes(kDirectoryKey));
  if (!sealed) return client::DirectoryHistory{};
  auto plain = open_record(kMetaTable, as_bytes(kDirectoryKey), *sealed);
  if (!plain) return plain.error();
  return decode_directory_history(plain->view());
}

Status CaseStore::note_directory(const crypto::Directory& directory) {
  return env_.write([&](lmdb::WriteTxn& txn) -> Status {
    client::DirectoryHistory h;
    if (std::optional<ByteView> sealed = tables_.meta.get(txn, as_bytes(kDirectoryKey))) {
      auto plain = open_record(kMetaTable, as_bytes(kDirectoryKey), *sealed);
      if (!plain) return plain.error();
      auto known = decode_directory_history(plain->view());
      if (!known) return known.error();
      h = *known;
    }
    h.highest_serial = std::max(h.highest_serial, directory.serial);
    h.seen_valid_until = h.seen_valid_until || directory.valid_until != 0;
    const Bytes record = encode_directory_history(h);
    return tables_.meta.put(txn, as_bytes(kDirectoryKey), seal(kMetaTable, as_bytes(kDirectoryKey), record));
  });
}

Result<Settings> CaseStore::settings() const {
  lmdb::ReadTxn txn = env_.begin_read();
  std::optional<ByteView> sealed = tables_.meta.get(txn, as_bytes(kSettingsKey));
  if (!sealed) return Settings{};
  auto plain = open_record(kMetaTable, as_bytes(kSettingsKey), *sealed);
  if (!plain) return plain.error();
  return decode_settings(plain->view());
}

Status CaseStore::set_settings(const Settings& settings) {
  if (Status s = validate_settings(settings); !s) return s;
  return env_.write([&](lmdb::WriteTxn& txn) {
    return tables_.meta.put(txn, as_bytes(kSettingsKey),
                            seal(kMetaTable, as_bytes(kSettingsKey), encode_settings(settings)));
  });
}

Status CaseStore::copy_compact_to(const std::filesystem::path& folder) const { return env_.copy_compact_to(folder); }

Result<std::vector<PendingDelete>> CaseStore::pending_deletes() const {
  lmdb::ReadTxn txn = env_.begin_read();
  std::vector<PendingDelete> out;
  Status failure;
  tables_.relay_messages.for_each(txn, [&](ByteView key, ByteView sealed) {
    auto plain = open_record(kRelayMessagesTable, key, sealed);
    if (!plain) {
      failure = plain.error();
      return false;
    }
    auto record = decode_relay_record(plain->view());
    if (!record) {
      failure = record.error();
      return false;
    }
    if (record->state == kDeletePending) out.push_back({record->relay_id, record->token});
    return true;
  });
  if (!failure) return failure.error();
  return out;
}

Status CaseStore::mark_deleted(const crypto::MessageId& relay_id) {
  const FixedBytes<16> relay_key = relay_record_key(relay_id);
  return env_.write([&](lmdb::WriteTxn& txn) -> Status {
    std::optional<ByteView> sealed = tables_.relay_messages.get(txn, relay_key);
    if (!sealed) return Status(ErrorCode::kNotFound, "no such relay message");
    auto plain = open_record(kRelayMessagesTable, relay_key, *sealed);
    if (!plain) return plain.error();
    auto record = decode_relay_record(plain->view());
    if (!record) return record.error();
    if (record->state == kDeleteDone) return Status::success();
    record->state = kDeleteDone;
    // The token is no longer needed once the relay has deleted the message.
    record->token.fill(0);
    const crypto::SecretBuffer updated = encode_relay_record(*record);
    return tables_.relay_messages.put(txn, relay_key, seal(kRelayMessagesTable, relay_key, updated.view()));
  });
}

}  // namespace meldpunt::adviser
