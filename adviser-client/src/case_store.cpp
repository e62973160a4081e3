#include "case_store.hpp"

#include <algorithm>
#include <cctype>

#include "meldpunt/crypto/aead.hpp"
#include "store_records.hpp"

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
constexpr std::string_view kSchemaKey = "schema";
constexpr std::string_view kSettingsKey = "settings";
constexpr std::string_view kDirectoryKey = "directory";

Error damaged(std::string_view what) { return Error{ErrorCode::kMalformed, "case store: damaged " + std::string(what)}; }

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

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
                env.open_table(kProposalsTable),    env.open_table("filings")};
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
      auto version = decode_schema(plain->view());
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
      return store.tables_.meta.put(txn, as_bytes(kSchemaKey),
                                    store.seal(kMetaTable, as_bytes(kSchemaKey), encode_schema(kStoreSchemaVersion)));
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
    return tables_.meta.put(txn, as_bytes(kSchemaKey),
                            seal(kMetaTable, as_bytes(kSchemaKey), encode_schema(kStoreSchemaVersion)));
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
    auto target = decode_alias(plain->view());
    if (!target) return target.error();
    return std::optional<CaseKey>(*target);
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
  const auto key = case_sequence_key(record.key, record.next_history);
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
  if (Status st = tables_.letters.put(txn, letter_key, seal(kLettersTable, letter_key, encode_seen_mark())); !st) {
    return st;
  }
  const FixedBytes<16> relay_key = relay_record_key(relay_id);
  const RelayMessageRecord record{RelayMessageState::kDeletePending, relay_id, token, case_key, received_at};
  const crypto::SecretBuffer plain = encode_relay_message(record);
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
        if (record_key.size() != kCaseSequenceKeyBytes) {
          failure = damaged(std::string(table_name) + " key");
          return false;
        }
        auto plain = open_record(table_name, record_key, sealed);
        if (!plain) {
          failure = plain.error();
          return false;
        }
        failure = visit(sequence_of(record_key), plain->view());
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
    const auto mkey = case_sequence_key(case_key, c.next_sequence);
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
    if (Status st = tables_.aliases.put(txn, alias_key, seal(kAliasesTable, alias_key, encode_alias(c.key))); !st) {
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
        const auto mkey = case_sequence_key(case_key, i);
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
      const auto mkey = case_sequence_key(case_key, c.next_sequence);
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
    if (Status st = tables_.proposals.put(txn, proposal_key, seal(kProposalsTable, proposal_key, encode_seen_mark()));
        !st) {
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
    const auto mkey = case_sequence_key(key, c.next_sequence);
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
    const auto nkey = case_sequence_key(key, c.next_note);
    const crypto::SecretBuffer plain = encode_note(n);
    if (Status st = tables_.notes.put(txn, nkey, seal(kNotesTable, nkey, plain.view())); !st) return st;
    c.next_note++;
    if (Status st = append_history(txn, c, now, HistoryEvent::kNoteAdded); !st) return st;
    return put_case(txn, c);
  });
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
    auto record = decode_relay_message(plain->view());
    if (!record) {
      failure = record.error();
      return false;
    }
    if (record->state == RelayMessageState::kDeletePending) out.push_back({record->relay_id, record->token});
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
    auto record = decode_relay_message(plain->view());
    if (!record) return record.error();
    if (record->state == RelayMessageState::kDeleteDone) return Status::success();
    record->state = RelayMessageState::kDeleteDone;
    // The token is no longer needed once the relay has deleted the message.
    record->token.fill(0);
    const crypto::SecretBuffer updated = encode_relay_message(*record);
    return tables_.relay_messages.put(txn, relay_key, seal(kRelayMessagesTable, relay_key, updated.view()));
  });
}

}  // namespace meldpunt::adviser
