// The case store's tables of cases, messages, history, notes and letters,
// and the store-wide records in meta. Hand-over is in handover_store.cpp,
// attachments in attachments_store.cpp, filings in filing_store.cpp, labels
// and first messages in case_glance_store.cpp.
#include "case_store.hpp"
#include "case_rules.hpp"

#include <algorithm>
#include <cctype>

namespace meldpunt::adviser {
namespace {

namespace lmdb = store::lmdb;

constexpr std::string_view kSchemaKey = "schema";
constexpr std::string_view kSettingsKey = "settings";
constexpr std::string_view kDirectoryKey = "directory";

Error damaged(std::string_view what) { return Error{ErrorCode::kMalformed, "case store: damaged " + std::string(what)}; }

CaseKey case_key_from(ByteView key) {
  CaseKey k{};
  std::copy(key.begin(), key.end(), k.begin());
  return k;
}

}  // namespace

Result<CaseStore> CaseStore::open(const std::filesystem::path& folder, const crypto::Secret<32>& store_key,
                                  store::FaultHook fault) {
  lmdb::EnvironmentOptions options;
  options.fault = std::move(fault);
  options.max_tables = 32;  // room for the tables later schema versions add
  options.initial_map_bytes = 16ull << 20;
  options.max_map_bytes = 16ull << 30;
  lmdb::Environment env(folder, options);
  auto key = std::make_shared<const StoreKey>(store_key.clone());
  // The names are part of every seal: renaming a table makes its records unreadable.
  const auto table = [&](std::string_view name) { return SealedTable(env.open_table(name), name, key); };
  Tables tables{table("meta"),        table("cases"),   table("messages"),  table("relay_messages"),
                table("history"),     table("notes"),   table("aliases"),   table("attachments"),
                table("attachment_pieces"), table("letters"), table("proposals"), table("filings"),
                table("file_keys"), table("labels")};
  CaseStore store(std::move(env), std::move(tables), std::move(key));

  std::optional<std::uint32_t> schema;
  {
    lmdb::ReadTxn txn = store.env_.begin_read();
    auto plain = store.tables_.meta.get(txn, as_bytes(kSchemaKey));
    if (!plain) {
      return Error{ErrorCode::kUnauthorised, "the case store in " + folder.string() +
                                                 " does not belong to this identity, or it was changed"};
    }
    if (*plain) {
      auto version = decode_schema((*plain)->view());
      if (!version) return version.error();
      schema = *version;
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
      return store.tables_.meta.put(txn, as_bytes(kSchemaKey), encode_schema(kStoreSchemaVersion));
    });
    if (!s) return s.error();
  }
  return store;
}

Status CaseStore::migrate_from_1() {
  return write([&](lmdb::WriteTxn& txn) -> Status {
    std::vector<CaseKey> keys;
    tables_.cases.for_each_key(txn, [&](ByteView key) {
      if (key.size() == kCaseKeyBytes) keys.push_back(case_key_from(key));
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
    return tables_.meta.put(txn, as_bytes(kSchemaKey), encode_schema(kStoreSchemaVersion));
  });
}

CaseKey CaseStore::case_key_for(const crypto::X25519PublicKey& reporter_message_pk) const {
  return CaseKey{key_->name("case", reporter_message_pk)};
}

FixedBytes<16> CaseStore::relay_record_key(const crypto::MessageId& relay_id) const {
  return key_->name("relay-message", relay_id);
}

FixedBytes<16> CaseStore::letter_record_key(const FixedBytes<32>& token) const { return key_->name("letter", token); }

FixedBytes<16> CaseStore::proposal_record_key(const protocol::ProposalId& proposal) const {
  return key_->name("proposal", proposal);
}

Result<std::optional<CaseRecord>> CaseStore::load_case(const lmdb::Txn& txn, const CaseKey& key) const {
  auto plain = tables_.cases.get(txn, key);
  if (!plain) return plain.error();
  if (!*plain) return std::optional<CaseRecord>{};
  auto record = decode_case((*plain)->view());
  if (!record) return record.error();
  record->key = key;
  return std::optional<CaseRecord>(std::move(record).value());
}

Result<CaseRecord> CaseStore::load_existing_case(const lmdb::Txn& txn, const CaseKey& key) const {
  auto existing = load_case(txn, key);
  if (!existing) return existing.error();
  if (!*existing) return Error{ErrorCode::kNotFound, "no such case"};
  return std::move(**existing);
}

Status CaseStore::put_case(lmdb::WriteTxn& txn, const CaseRecord& record) {
  return tables_.cases.put(txn, record.key, encode_case(record));
}

Result<std::optional<CaseKey>> CaseStore::resolve(const lmdb::Txn& txn, const crypto::X25519PublicKey& pk) const {
  const CaseKey direct = case_key_for(pk);
  auto alias = tables_.aliases.get(txn, direct);
  if (!alias) return alias.error();
  if (*alias) {
    auto target = decode_alias((*alias)->view());
    if (!target) return target.error();
    return std::optional<CaseKey>(*target);
  }
  if (tables_.cases.contains(txn, direct)) return std::optional<CaseKey>(direct);
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
  const auto key = case_sequence_key(record.key, record.next_history);
  if (Status st = tables_.history.put(txn, key, encode_history(e)); !st) return st;
  record.next_history++;
  return Status::success();
}

Status CaseStore::append_message(lmdb::WriteTxn& txn, CaseRecord& record, const MessageRecord& message) {
  const auto key = case_sequence_key(record.key, record.next_sequence);
  const crypto::SecretBuffer plain = encode_message(message);
  if (Status st = tables_.messages.put(txn, key, plain.view()); !st) return st;
  record.next_sequence++;
  return Status::success();
}

Result<CaseStore::LetterNovelty> CaseStore::receive_letter(const crypto::MessageId& relay_id,
                                                           const FixedBytes<32>& delete_token,
                                                           const std::function<Status(lmdb::WriteTxn&)>& apply) {
  const FixedBytes<16> relay_key = relay_record_key(relay_id);
  const FixedBytes<16> letter_key = letter_record_key(delete_token);
  LetterNovelty novelty = LetterNovelty::kNew;
  Status s = write([&](lmdb::WriteTxn& txn) -> Status {
    // Set on every run: write() runs the body again after growing the map.
    novelty = LetterNovelty::kNew;
    if (tables_.relay_messages.contains(txn, relay_key)) {
      novelty = LetterNovelty::kKnownRelayId;
      return Status::success();
    }
    if (tables_.letters.contains(txn, letter_key)) {
      novelty = LetterNovelty::kReplayed;
      return Status::success();
    }
    return apply(txn);
  });
  if (!s) return s.error();
  return novelty;
}

Status CaseStore::put_relay_pending(lmdb::WriteTxn& txn, const crypto::MessageId& relay_id,
                                    const FixedBytes<32>& token, const CaseKey& case_key, std::uint64_t received_at) {
  if (Status st = tables_.letters.put(txn, letter_record_key(token), encode_seen_mark()); !st) return st;
  const RelayMessageRecord record{RelayMessageState::kDeletePending, relay_id, token, case_key, received_at};
  const crypto::SecretBuffer plain = encode_relay_message(record);
  return tables_.relay_messages.put(txn, relay_record_key(relay_id), plain.view());
}

Status CaseStore::for_each_in_case(const SealedTable& table, const CaseKey& key,
                                   const std::function<Status(std::uint64_t, ByteView)>& visit) const {
  const Reading txn = reading();
  return table.for_each(txn, key, kCaseSequenceKeyBytes, [&](ByteView record_key, ByteView plain) {
    return visit(sequence_of(record_key), plain);
  });
}

Result<std::vector<CaseRecord>> CaseStore::list_cases() const {
  const Reading txn = reading();
  std::vector<CaseRecord> out;
  Status s = tables_.cases.for_each(txn, {}, kCaseKeyBytes, [&](ByteView key, ByteView plain) -> Status {
    auto record = decode_case(plain);
    if (!record) return record.error();
    record->key = case_key_from(key);
    out.push_back(std::move(record).value());
    return Status::success();
  });
  if (!s) return s.error();
  return out;
}

Result<std::optional<CaseRecord>> CaseStore::get_case(const CaseKey& key) const {
  const Reading txn = reading();
  return load_case(txn, key);
}

Result<CaseRecord> CaseStore::find_case(std::string_view id_prefix) const {
  if (Status s = validate_case_id(id_prefix); !s) return s.error();
  std::string prefix(id_prefix);
  std::transform(prefix.begin(), prefix.end(), prefix.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  const Reading txn = reading();
  std::vector<CaseKey> matches;
  tables_.cases.for_each_key(txn, [&](ByteView key) {
    if (key.size() == kCaseKeyBytes && to_hex(key).compare(0, prefix.size(), prefix) == 0) {
      matches.push_back(case_key_from(key));
    }
    return matches.size() < 2;
  });
  if (matches.empty()) {
    return Error{ErrorCode::kNotFound, "no case " + prefix + " (see `adviser-client cases`)", false,
                 ErrorSubject::kCaseId};
  }
  if (matches.size() > 1) {
    return Error{ErrorCode::kMalformed, "case id " + prefix + " is ambiguous; type more of it", false,
                 ErrorSubject::kCaseIdAmbiguous};
  }
  auto record = load_case(txn, matches.front());
  if (!record) return record.error();
  if (!*record) return damaged("case index");
  return std::move(**record);
}

Result<std::vector<MessageRecord>> CaseStore::messages(const CaseKey& key) const {
  std::vector<MessageRecord> out;
  Status s = for_each_in_case(tables_.messages, key, [&](std::uint64_t sequence, ByteView plain) {
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
  Status s = for_each_in_case(tables_.history, key, [&](std::uint64_t sequence, ByteView plain) {
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
  Status s = for_each_in_case(tables_.notes, key, [&](std::uint64_t sequence, ByteView plain) {
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
  auto novelty = receive_letter(report.relay_id, report.delete_token, [&](lmdb::WriteTxn& txn) -> Status {
    outcome = RecordOutcome{};
    auto resolved = resolve(txn, report.reporter_message_pk);
    if (!resolved) return resolved.error();
    const CaseKey case_key = resolved->value_or(case_key_for(report.reporter_message_pk));
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
    if (Status st = append_message(txn, c, m); !st) return st;
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
  if (!novelty) return novelty.error();
  if (*novelty != LetterNovelty::kNew) {
    outcome = RecordOutcome{};
    outcome.case_key = case_key_for(report.reporter_message_pk);
    outcome.replayed = *novelty == LetterNovelty::kReplayed;
  }
  return outcome;
}

Result<RotationResult> CaseStore::record_rotation(const IncomingRotation& rotation) {
  RotationResult result;
  auto novelty = receive_letter(rotation.relay_id, rotation.delete_token, [&](lmdb::WriteTxn& txn) -> Status {
    result = RotationResult{};
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
    if (Status st = tables_.aliases.put(txn, case_key_for(rotation.new_message_pk), encode_alias(c.key)); !st) {
      return st;
    }
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
  if (!novelty) return novelty.error();
  if (*novelty != LetterNovelty::kNew) {
    result = RotationResult{};
    result.outcome =
        *novelty == LetterNovelty::kReplayed ? RotationOutcome::kReplayed : RotationOutcome::kAlreadyKnown;
  }
  return result;
}

Status CaseStore::record_outgoing(const CaseKey& key, std::uint64_t sent_at, std::uint64_t stored_at,
                                  const crypto::MessageId& relay_id, ByteView body) {
  if (body.size() > kMaxStoredBodyBytes) return Status(ErrorCode::kTooLarge, "message body too long to store");
  return write([&](lmdb::WriteTxn& txn) -> Status {
    auto c = load_existing_case(txn, key);
    if (!c) return c.error();
    MessageRecord m;
    m.direction = Direction::kOut;
    m.sent_at = sent_at;
    m.stored_at = stored_at;
    m.relay_id = relay_id;
    m.body = crypto::SecretBuffer::copy_of(body);
    if (Status st = append_message(txn, *c, m); !st) return st;
    c->last_activity = std::max(c->last_activity, stored_at);
    return put_case(txn, *c);
  });
}

Status CaseStore::mark_read(const CaseKey& key) {
  return write([&](lmdb::WriteTxn& txn) -> Status {
    auto c = load_existing_case(txn, key);
    if (!c) return c.error();
    if (c->unread == 0) return Status::success();
    c->unread = 0;
    return put_case(txn, *c);
  });
}

Result<CaseRecord> CaseStore::change_status(const CaseKey& key, StatusAction action, std::uint64_t now,
                                            bool acknowledgement_sent) {
  CaseRecord updated;
  Status s = write([&](lmdb::WriteTxn& txn) -> Status {
    auto existing = load_existing_case(txn, key);
    if (!existing) return existing.error();
    CaseRecord c = std::move(existing).value();
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
  return write([&](lmdb::WriteTxn& txn) -> Status {
    auto c = load_existing_case(txn, key);
    if (!c) return c.error();
    if (Status st = append_history(txn, *c, now, event); !st) return st;
    return put_case(txn, *c);
  });
}

Status CaseStore::add_note(const CaseKey& key, std::uint64_t now, ByteView text) {
  if (text.empty()) return Status(ErrorCode::kMalformed, "the note is empty");
  if (text.size() > kMaxNoteBytes) {
    return Status(ErrorCode::kTooLarge, "a note may be at most " + std::to_string(kMaxNoteBytes) + " bytes");
  }
  return write([&](lmdb::WriteTxn& txn) -> Status {
    auto c = load_existing_case(txn, key);
    if (!c) return c.error();
    NoteRecord n;
    n.written_at = now;
    n.text = crypto::SecretBuffer::copy_of(text);
    const crypto::SecretBuffer plain = encode_note(n);
    if (Status st = tables_.notes.put(txn, case_sequence_key(key, c->next_note), plain.view()); !st) return st;
    c->next_note++;
    if (Status st = append_history(txn, *c, now, HistoryEvent::kNoteAdded); !st) return st;
    return put_case(txn, *c);
  });
}

Result<client::DirectoryHistory> CaseStore::directory_history() const {
  const Reading txn = reading();
  auto plain = tables_.meta.get(txn, as_bytes(kDirectoryKey));
  if (!plain) return plain.error();
  if (!*plain) return client::DirectoryHistory{};
  return decode_directory_history((*plain)->view());
}

Status CaseStore::note_directory(const crypto::Directory& directory) {
  return write([&](lmdb::WriteTxn& txn) -> Status {
    client::DirectoryHistory h;
    auto plain = tables_.meta.get(txn, as_bytes(kDirectoryKey));
    if (!plain) return plain.error();
    if (*plain) {
      auto known = decode_directory_history((*plain)->view());
      if (!known) return known.error();
      h = *known;
    }
    const client::DirectoryHistory before = h;
    h.highest_serial = std::max(h.highest_serial, directory.serial);
    h.seen_valid_until = h.seen_valid_until || directory.valid_until != 0;
    // Every network command notes the directory; the same one again changes
    // nothing, and a commit that changes nothing costs no disk sync.
    if (*plain && h.highest_serial == before.highest_serial && h.seen_valid_until == before.seen_valid_until) {
      return Status::success();
    }
    return tables_.meta.put(txn, as_bytes(kDirectoryKey), encode_directory_history(h));
  });
}

Result<Settings> CaseStore::settings() const {
  const Reading txn = reading();
  auto plain = tables_.meta.get(txn, as_bytes(kSettingsKey));
  if (!plain) return plain.error();
  if (!*plain) return Settings{};
  return decode_settings((*plain)->view());
}

Status CaseStore::set_settings(const Settings& settings) {
  if (Status s = validate_settings(settings); !s) return s;
  return write(
      [&](lmdb::WriteTxn& txn) { return tables_.meta.put(txn, as_bytes(kSettingsKey), encode_settings(settings)); });
}

Status CaseStore::copy_compact_to(const std::filesystem::path& folder) const { return env_.copy_compact_to(folder); }

Result<std::vector<PendingDelete>> CaseStore::pending_deletes() const {
  const Reading txn = reading();
  std::vector<PendingDelete> out;
  Status s = tables_.relay_messages.for_each(txn, {}, 0, [&](ByteView, ByteView plain) -> Status {
    auto record = decode_relay_message(plain);
    if (!record) return record.error();
    if (record->state == RelayMessageState::kDeletePending) out.push_back({record->relay_id, record->token});
    return Status::success();
  });
  if (!s) return s.error();
  return out;
}

Status CaseStore::mark_deleted(const crypto::MessageId& relay_id) {
  return mark_deleted(std::span<const crypto::MessageId>(&relay_id, 1));
}

Status CaseStore::mark_deleted(std::span<const crypto::MessageId> relay_ids) {
  if (relay_ids.empty()) return Status::success();
  return write([&](lmdb::WriteTxn& txn) -> Status {
    for (const crypto::MessageId& relay_id : relay_ids) {
      const FixedBytes<16> relay_key = relay_record_key(relay_id);
      auto plain = tables_.relay_messages.get(txn, relay_key);
      if (!plain) return plain.error();
      if (!*plain) return Status(ErrorCode::kNotFound, "no such relay message");
      auto record = decode_relay_message((*plain)->view());
      if (!record) return record.error();
      if (record->state == RelayMessageState::kDeleteDone) continue;
      record->state = RelayMessageState::kDeleteDone;
      // The token is no longer needed once the relay has deleted the message.
      record->token.fill(0);
      const crypto::SecretBuffer updated = encode_relay_message(*record);
      if (Status s = tables_.relay_messages.put(txn, relay_key, updated.view()); !s) return s;
    }
    return Status::success();
  });
}

}  // namespace meldpunt::adviser
