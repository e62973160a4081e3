#include "case_store.hpp"

#include <algorithm>
#include <cctype>

#include "meldpunt/crypto/aead.hpp"
#include "text.hpp"

namespace meldpunt::adviser {
namespace {

namespace lmdb = store::lmdb;

constexpr std::string_view kMetaTable = "meta";
constexpr std::string_view kCasesTable = "cases";
constexpr std::string_view kMessagesTable = "messages";
constexpr std::string_view kRelayMessagesTable = "relay_messages";
constexpr std::string_view kSchemaKey = "schema";

constexpr std::uint8_t kCaseRecordVersion = 1;
constexpr std::uint8_t kMessageRecordVersion = 1;
constexpr std::uint8_t kRelayRecordVersion = 1;
constexpr std::uint8_t kDeletePending = 1;
constexpr std::uint8_t kDeleteDone = 2;

constexpr std::size_t kMessageKeyBytes = kCaseKeyBytes + 8;
constexpr std::size_t kRelayRecordBytes = 1 + 1 + crypto::kMessageIdBytes + 32 + kCaseKeyBytes + 8;
constexpr std::size_t kMaxCaseRecordBytes =
    1 + 1 + 32 + 32 + 8 + 8 + 4 + 8 + 1 + kMaxOtherAdvisers * (crypto::kAdviserIdBytes + 2 + crypto::kMaxNameBytes);

Error damaged(std::string_view what) { return Error{ErrorCode::kMalformed, "case store: damaged " + std::string(what)}; }

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

std::string CaseRecord::id() const { return to_hex(key).substr(0, kCaseIdChars); }

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
  if (c.other_advisers.size() > kMaxOtherAdvisers) throw std::length_error("too many other advisers in a case");
  append_u8(out, static_cast<std::uint8_t>(c.other_advisers.size()));
  for (const OtherAdviser& a : c.other_advisers) {
    if (a.name.size() > crypto::kMaxNameBytes) throw std::length_error("adviser name too long");
    append(out, a.id);
    append_u16_le(out, static_cast<std::uint16_t>(a.name.size()));
    append(out, as_bytes(a.name));
  }
  return out;
}

Result<CaseRecord> decode_case(ByteView bytes) {
  if (bytes.size() > kMaxCaseRecordBytes) return damaged("case record (too long)");
  ByteReader r(bytes);
  CaseRecord c;
  std::uint8_t version = 0, status = 0, others = 0;
  if (!r.take_u8(version)) return damaged("case record");
  if (version != kCaseRecordVersion) return Error{ErrorCode::kUnsupportedVersion, "case store: unknown case record version"};
  if (!r.take_u8(status) || !r.take(c.reporter_message_pk) || !r.take(c.reporter_fetch_pk) ||
      !r.take_u64(c.created_at) || !r.take_u64(c.last_activity) || !r.take_u32(c.unread) ||
      !r.take_u64(c.next_sequence) || !r.take_u8(others)) {
    return damaged("case record");
  }
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
  if (!r.at_end()) return damaged("case record (trailing bytes)");
  return c;
}

crypto::SecretBuffer encode_message(const MessageRecord& m) {
  if (m.body.size() > kMaxStoredBodyBytes) throw std::length_error("message body too long to store");
  Bytes head;
  append_u8(head, kMessageRecordVersion);
  append_u8(head, static_cast<std::uint8_t>(m.direction));
  append_u64_le(head, m.sent_at);
  append_u64_le(head, m.stored_at);
  append(head, m.relay_id);
  append_u32_le(head, static_cast<std::uint32_t>(m.body.size()));
  crypto::SecretBuffer out = crypto::SecretBuffer::copy_of(ByteView(head));
  out.append(m.body.view());
  return out;
}

Result<MessageRecord> decode_message(ByteView bytes) {
  ByteReader r(bytes);
  MessageRecord m;
  std::uint8_t version = 0, direction = 0;
  std::uint32_t length = 0;
  ByteView body;
  if (!r.take_u8(version)) return damaged("message record");
  if (version != kMessageRecordVersion) return Error{ErrorCode::kUnsupportedVersion, "case store: unknown message record version"};
  if (!r.take_u8(direction) || !r.take_u64(m.sent_at) || !r.take_u64(m.stored_at) || !r.take(m.relay_id) ||
      !r.take_u32(length) || length > kMaxStoredBodyBytes || !r.take(length, body) || !r.at_end()) {
    return damaged("message record");
  }
  if (direction != static_cast<std::uint8_t>(Direction::kIn) && direction != static_cast<std::uint8_t>(Direction::kOut)) {
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
  Tables tables{env.open_table(kMetaTable), env.open_table(kCasesTable), env.open_table(kMessagesTable),
                env.open_table(kRelayMessagesTable)};
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
  if (!schema) {
    Status s = store.env_.write([&](lmdb::WriteTxn& txn) {
      Bytes version;
      append_u32_le(version, kStoreSchemaVersion);
      return store.tables_.meta.put(txn, as_bytes(kSchemaKey), store.seal(kMetaTable, as_bytes(kSchemaKey), version));
    });
    if (!s) return s.error();
  }
  return store;
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
  lmdb::ReadTxn txn = env_.begin_read();
  std::vector<MessageRecord> out;
  Status failure;
  tables_.messages.for_each(
      txn,
      [&](ByteView record_key, ByteView sealed) {
        if (record_key.size() < kCaseKeyBytes || !std::equal(key.begin(), key.end(), record_key.begin())) {
          return false;  // past this case's messages
        }
        if (record_key.size() != kMessageKeyBytes) {
          failure = damaged("message key");
          return false;
        }
        auto plain = open_record(kMessagesTable, record_key, sealed);
        if (!plain) {
          failure = plain.error();
          return false;
        }
        auto message = decode_message(plain->view());
        if (!message) {
          failure = message.error();
          return false;
        }
        message->sequence = 0;
        for (std::size_t i = 0; i < 8; ++i) message->sequence = (message->sequence << 8) | record_key[kCaseKeyBytes + i];
        out.push_back(std::move(message).value());
        return true;
      },
      key);
  if (!failure) return failure.error();
  return out;
}

Result<RecordOutcome> CaseStore::record_incoming(const IncomingReport& report) {
  if (report.body.size() > kMaxStoredBodyBytes) return Error{ErrorCode::kTooLarge, "message body too long to store"};
  if (report.other_advisers.size() > kMaxOtherAdvisers) return Error{ErrorCode::kTooLarge, "too many advisers"};
  RecordOutcome outcome;
  const FixedBytes<16> relay_key = relay_record_key(report.relay_id);
  const CaseKey case_key = case_key_for(report.reporter_message_pk);

  Status s = env_.write([&](lmdb::WriteTxn& txn) -> Status {
    outcome = RecordOutcome{false, case_key};
    if (tables_.relay_messages.get(txn, relay_key)) return Status::success();  // already stored

    auto existing = load_case(txn, case_key);
    if (!existing) return existing.error();
    CaseRecord c;
    if (*existing) {
      c = std::move(**existing);
      // The reporter's keys all follow from the code, so the fetch key never
      // changes in practice; the newest authenticated letter wins.
      c.reporter_fetch_pk = report.reporter_fetch_pk;
    } else {
      c.key = case_key;
      c.status = CaseStatus::kNew;
      c.reporter_message_pk = report.reporter_message_pk;
      c.reporter_fetch_pk = report.reporter_fetch_pk;
      c.created_at = report.received_at;
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
    if (Status st = put_case(txn, c); !st) return st;

    RelayRecord rr{kDeletePending, report.relay_id, report.delete_token, case_key, report.received_at};
    const crypto::SecretBuffer plain_relay = encode_relay_record(rr);
    if (Status st = tables_.relay_messages.put(txn, relay_key, seal(kRelayMessagesTable, relay_key, plain_relay.view()));
        !st) {
      return st;
    }
    outcome.stored = true;
    return Status::success();
  });
  if (!s) return s.error();
  return outcome;
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

Status CaseStore::set_status(const CaseKey& key, CaseStatus status) {
  return env_.write([&](lmdb::WriteTxn& txn) -> Status {
    auto existing = load_case(txn, key);
    if (!existing) return existing.error();
    if (!*existing) return Status(ErrorCode::kNotFound, "no such case");
    (*existing)->status = status;
    return put_case(txn, **existing);
  });
}

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
