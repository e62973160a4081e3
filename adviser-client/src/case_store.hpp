// The adviser's local case store: LMDB (store::lmdb) with every value sealed
// under the identity's store key (sealed_table.hpp), so the folder on disk
// holds no message, no note, no reporter key and no name in the clear.
//
// Each record below is encoded and strictly decoded in store_records.hpp;
// the rules of a case live in case_rules.hpp, its values in case_model.hpp.
//
//   table           key                                   record (plaintext, all integers LE)
//   meta            "schema"                              u32 schema version (2)
//   meta            "settings"                            settings record, below (absent: defaults)
//   meta            "directory"                           u8 version (1) || highest directory serial
//                                                         seen u64 || flags u8 (bit 0: a directory
//                                                         with a valid-until date was seen)
//   cases           case key (16)                         case record, below
//   messages        case key (16) || sequence u64 BE      message record, below
//   relay_messages  keyed_name(store_key, "relay-message",  relay message record, below
//                              relay message id) (16)
//   history         case key (16) || sequence u64 BE      history record, below
//   notes           case key (16) || sequence u64 BE      note record, below
//   aliases         keyed_name(store_key, "case",          alias record, below
//                              reporter message pk) (16)
//   attachments     case key (16) || sequence u64 BE      attachment record, below
//   attachment_pieces case key (16) || attachment          piece record, below
//                              sequence u64 BE || index u16 BE
//   letters         keyed_name(store_key, "letter",        u8 version (1)
//                              delete token) (16)
//   proposals       keyed_name(store_key, "proposal",      u8 version (1)
//                              hand-over proposal id) (16)
//   filings         case key (16)                          filing record, below
//   file_keys       case key (16) || attachment            file key record, below
//                              sequence u64 BE
//   labels          case key (16)                          label record, below
//
//   case key = keyed_name(store_key, "case", reporter message pk of the case's
//   first message); the case id shown to the adviser is its first 10 hex
//   characters. It never changes: when the reporter moves to a new code
//   (kRotate letter), the case record takes the new keys and an alias
//   record maps keyed_name(store_key, "case", new pk) to the case key.
//
//   case record    = version u8 (3) || status u8 || reporter message pk (32)
//                    || reporter fetch pk (32) || created_at u64 || last_activity u64
//                    || unread u32 || next sequence u64
//                    || acknowledged_at u64 (0: not yet) || feedback_from u64 (0: no clock)
//                    || next history sequence u64 || next note sequence u64
//                    || other advisers count u8 (<= 64)
//                    || per adviser: id (16) || name (u16 length <= 128 || UTF-8)
//                    || hand-over outcome u8 (0 none, 1 handed over, 2 declined)
//                    || outcome adviser id (16) || outcome adviser name (name as above)
//                    || outcome at u64
//                    || open proposal count u8 (<= kMaxOpenProposals)
//                    || per open proposal: id (16) || new adviser id (16)
//                       || new adviser name (as above) || proposed at u64
//                    || received at u64 (0: not received by hand-over)
//                    || received from adviser id (16) || name (as above)
//                                                          (version 3 only)
//                    (version 1, written by schema 1, lacks the four u64 after
//                    next sequence; versions 1 and 2 lack the hand-over fields;
//                    both are read as zeros and rewritten as 3)
//   message record = version u8 (1 or 2) || direction u8 (1 in, 2 out, 3 an
//                    adviser's reply carried by a hand-over, signature not
//                    verified, 4 the same, signature verified) || sent_at u64
//                    || stored_at u64 || relay message id (16)
//                    || body length u32 (<= crypto::kMaxEnvelopePayload) || body
//                    || version 2 only: file note count u8 (1..64) || per note:
//                       size u64 || digest (32) || name length u8 (1..255) || name
//                    (a message carried by a hand-over without its files; a
//                    record without notes is written as version 1)
//   relay message  = version u8 (1) || state u8 (1 delete pending, 2 done)
//                    || relay message id (16) || delete token (32) || case key (16)
//                    || received_at u64
//   history record = version u8 (1) || at u64 || event u8 || from status u8
//                    || to status u8   (events: 1 opened, 2 status changed,
//                    3 reporter moved to a new code, 4 note added,
//                    5 acknowledgement sent, 6 exported, 7 hand-over proposed,
//                    8 handed over (the reporter accepted), 9 hand-over declined,
//                    10 received by hand-over; statuses 0 unless 2)
//   note record    = version u8 (1) || written_at u64
//                    || text length u32 (<= kMaxNoteBytes) || text (UTF-8)
//   alias record   = version u8 (1) || case key (16)
//   settings       = version u8 (1) || acknowledgement days u32 (1..7)
//                    || feedback months u32 (1..3)
//   attachment record = version u8 (1) || direction u8 (1 in, 2 out)
//                    || state u8 (1 incomplete, 2 intact, 3 damaged)
//                    || file id (16) || sent_at u64 || stored_at u64
//                    || total bytes u64 (<= protocol::kMaxAttachmentFileBytes)
//                    || piece count u16 || pieces received u16 || digest (32)
//                    || name length u8 (1..255) || name (as sent; sanitised on use)
//   piece record   = version u8 (1) || data length u32 (<= one piece) || data
//   file key record = version u8 (1) || sender pk (32; the reporter key that
//                    sealed the letter announcing the file) || key seed (32)
//                    || announced_at u64 (the letter's sent_at)
//                    (a file announced by a version 3 letter whose pieces are
//                    still to come; removed once the file is whole, damaged
//                    or its pieces have expired at the relay: the seed opens
//                    them, so it is kept no longer than needed)
//   filing record  = version u8 (1) || group id (u8 length <= 32 || id)
//                    || kind id (u8 length <= 32 || id)   (ids as the directory's
//                    signpost defines them, crypto::category_id_valid, or empty:
//                    not filed under one; never both empty)
//   (filing_store.cpp. The table came without a schema change: a store
//   without it has no case filed.)
//   label record   = version u8 (1) || length u8 (1..kMaxCaseLabelBytes = 120)
//                    || text (UTF-8, one line, the text policy's label rule)
//   (case_glance_store.cpp. The adviser's own private name for a case;
//   never sent. The table came without a schema change: a store without it
//   has no case labelled.)
//   (attachments_store.cpp. The two tables came without a schema change: a
//   store without them simply holds no attachments. A file's pieces are kept
//   as they arrived, one sealed value each, and joined and checked against
//   the digest again whenever the file is saved.)
//
// The letters table recognises a letter by the random delete token inside
// its encryption, whatever relay id it arrives under: a copy re-deposited by
// the relay (a replay) is refused, never applied twice. Every letter recorded
// with a relay message record (reports, moves, answers, hand-overs, pieces)
// is entered in the same commit. The proposals table holds the id of every
// hand-over applied here (kind 9): none is applied twice. (Both tables came
// without a schema change: letters stored before them are recognised by
// relay id only.)
//
// Sequence numbers are big-endian in the key so a cursor walks a case's
// messages, history and notes in order. The relay_messages table makes
// receiving idempotent: a letter whose relay id is known is never stored
// twice, and a delete that failed (relay unreachable) is retried on the next
// run. Times are unix seconds (the local store may be finer than the relay's
// day granularity).
//
// Schema 1 -> 2 (on open, one commit): the schema record becomes 2 and every
// case gets an "opened" history entry at its created_at. open() refuses a
// store whose schema is newer than it knows.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <span>
#include <vector>

#include "case_model.hpp"
#include "case_rules.hpp"
#include "sealed_table.hpp"
#include "store_records.hpp"
#include "meldpunt/client/attachment.hpp"
#include "meldpunt/client/directory_check.hpp"
#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/keys.hpp"
#include "meldpunt/crypto/secret.hpp"
#include "meldpunt/protocol/handover.hpp"
#include "meldpunt/store/lmdb.hpp"

namespace meldpunt::adviser {

inline constexpr std::uint32_t kStoreSchemaVersion = 2;

// A report just opened by inbox, before it is stored.
struct IncomingReport {
  crypto::MessageId relay_id{};
  FixedBytes<32> delete_token{};
  crypto::X25519PublicKey reporter_message_pk{};  // authenticated sender of the envelope
  crypto::FetchPublicKey reporter_fetch_pk{};
  std::uint64_t sent_at = 0;
  std::uint64_t received_at = 0;
  std::vector<OtherAdviser> other_advisers;
  ByteView body;
};

struct PendingDelete {
  crypto::MessageId relay_id{};
  FixedBytes<32> delete_token{};
};

struct RecordOutcome {
  bool stored = false;   // false: recorded before, or refused (nothing changed)
  bool replayed = false;  // refused: this letter (its delete token) was recorded before under another relay id
  bool retired = false;  // refused: the sender's key is one the reporter moved away from
  bool handed_over = false;  // stored in a case we handed over: the reporter still wrote to us
  CaseKey case_key{};
};

// A kRotate letter just opened by inbox: the reporter of a case moves to the
// keys of a new code. The envelope's authenticated sender must be the case's
// current reporter key.
struct IncomingRotation {
  crypto::MessageId relay_id{};
  FixedBytes<32> delete_token{};
  crypto::X25519PublicKey old_message_pk{};  // authenticated sender of the envelope
  crypto::X25519PublicKey new_message_pk{};
  crypto::FetchPublicKey new_fetch_pk{};
  std::uint64_t received_at = 0;
};

// A kind-8 answer just opened by inbox: the reporter accepts or declines our
// proposal. The envelope's authenticated sender must be the case's current
// reporter key, and the proposal id the one the case is waiting for.
struct IncomingHandoverAnswer {
  crypto::MessageId relay_id{};
  FixedBytes<32> delete_token{};
  crypto::X25519PublicKey reporter_message_pk{};  // authenticated sender of the envelope
  protocol::HandoverAnswer answer;
  std::uint64_t received_at = 0;
};

// A kind-9 letter just opened by inbox and checked there: its proposal is
// signed by the proposing adviser the directory lists, for this reporter's
// key and for us. A case handed to us with the reporter's consent, with the
// conversation so far as the reporter's client forwarded it.
struct IncomingHandover {
  crypto::MessageId relay_id{};
  FixedBytes<32> delete_token{};
  crypto::X25519PublicKey reporter_message_pk{};  // authenticated sender of the envelope
  crypto::FetchPublicKey reporter_fetch_pk{};
  std::uint64_t received_at = 0;
  std::vector<OtherAdviser> other_advisers;  // the other readers from now on
  crypto::AdviserId proposer{};
  std::string proposer_name;
  protocol::ProposalId proposal{};  // applied at most once
  // The conversation: reporter entries become incoming messages, our own
  // replies outgoing ones, other advisers' kEarlier messages starting with
  // the name (resolved by inbox). Entries the case already holds (same
  // direction, time and text) are not stored twice.
  struct Entry {
    std::uint64_t sent_at = 0;
    Direction direction = Direction::kIn;
    std::string adviser_name;  // forwarded replies: the first line of the stored body
    ByteView body;
    const std::vector<protocol::FileNote>* files = nullptr;  // files it had that did not come along
  };
  std::vector<Entry> entries;
};

enum class HandoverOutcome : std::uint8_t {
  kApplied,        // answer: state moved on; hand-over: case created (or noted on an existing one)
  kAlreadyKnown,   // this relay message was recorded before
  kUnknownSender,  // no case has the sender as its current reporter key (answers only)
  kRefused,        // an answer to no open proposal of ours, or from a code the reporter left
  kReplayed,       // this letter was recorded before under another relay id, or (hand-overs) its proposal was applied
};
struct HandoverResult {
  HandoverOutcome outcome = HandoverOutcome::kUnknownSender;
  CaseKey case_key{};
  bool accepted = false;  // answers: the reporter accepted
};

enum class RotationOutcome : std::uint8_t {
  kMoved,          // the case now uses the new keys
  kAlreadyKnown,   // this relay message was recorded before
  kUnknownSender,  // no case has the sender as its current reporter key
  kRefused,        // the new key is unusable (zero, unchanged, or another case's key)
  kReplayed,       // this letter was recorded before under another relay id
};
struct RotationResult {
  RotationOutcome outcome = RotationOutcome::kUnknownSender;
  CaseKey case_key{};
};

// ---- attachments (attachments_store.cpp) ----

// A kind-6 piece just opened by inbox.
struct IncomingPiece {
  crypto::MessageId relay_id{};
  FixedBytes<32> delete_token{};
  crypto::X25519PublicKey reporter_message_pk{};  // authenticated sender of the envelope
  std::uint64_t sent_at = 0;
  std::uint64_t received_at = 0;
  const protocol::AttachmentChunk* chunk = nullptr;  // a kPiece
};

enum class PieceOutcome : std::uint8_t {
  kStored,        // kept; the file is still incomplete
  kCompleted,     // kept, and it was the last piece: the file is intact
  kDamaged,       // kept, and it was the last piece: the file does not match its digest
  kAlreadyKnown,  // this relay message, or this piece of the file, was stored before
  kNoCase,        // no case has the sender as reporter (yet): left at the relay
  kRetired,       // the sender's key is one the reporter moved away from
  kConflict,      // disagrees with earlier pieces about the file: refused, the file marked damaged
  kOverQuota,     // the case holds kMaxAttachmentsPerCase files or kMaxAttachmentBytesPerCase already: refused
  kReplayed,      // this letter was recorded before under another relay id: refused
  kAnnounced,     // a file key: the file is recorded (incomplete) and its pieces are awaited
};

// A file a version 3 letter announced whose pieces are awaited (file_keys).
struct PendingFileKey {
  CaseKey case_key{};
  std::uint64_t sequence = 0;  // of the file's attachment record
  crypto::X25519PublicKey sender_pk{};
  std::uint64_t announced_at = 0;
  protocol::FileEntry entry;  // id, size, count, digest, name from the record; the seed
};

// What one case may hold from its reporter, so that pieces nobody completes
// (or a flood of them) cannot fill the adviser's disk.
inline constexpr std::size_t kMaxAttachmentsPerCase = 64;
inline constexpr std::uint64_t kMaxAttachmentBytesPerCase = 256ull << 20;
struct PieceResult {
  PieceOutcome outcome = PieceOutcome::kNoCase;
  CaseKey case_key{};
  bool handed_over = false;  // the case was handed over: the reporter still sent us a file
};

class CaseStore {
 public:
  // Opens (creating when new) the store in an existing folder. Throws
  // store::lmdb::LmdbError if LMDB cannot open the folder. kUnauthorised if
  // the store was made under another store key, kUnsupportedVersion for a
  // newer schema, kMalformed for a damaged meta record. `fault`: tests only,
  // storage failures on demand (store/fault.hpp); the program passes none.
  static Result<CaseStore> open(const std::filesystem::path& folder, const crypto::Secret<32>& store_key,
                                store::FaultHook fault = {});

  CaseKey case_key_for(const crypto::X25519PublicKey& reporter_message_pk) const;

  // Every case, in key order. A record that does not open fails the whole
  // call (kUnauthorised): a damaged store is reported, never half shown.
  Result<std::vector<CaseRecord>> list_cases() const;
  Result<std::optional<CaseRecord>> get_case(const CaseKey& key) const;
  // By a prefix of the hex case id (at least kMinCasePrefixChars, any case).
  // kMalformed for a too short or non-hex prefix, kNotFound when no case
  // matches, kMalformed ("ambiguous") when several do.
  Result<CaseRecord> find_case(std::string_view id_prefix) const;
  // The conversation in order.
  Result<std::vector<MessageRecord>> messages(const CaseKey& key) const;

  // "In one commit" below: a commit of its own, or a share of the
  // in_one_commit under way (all of one record or none of it either way).
  //
  // In one commit: creates the case if the reporter is new (with an "opened"
  // history entry), appends the message, counts it unread, and records the
  // relay message with its delete token as "delete pending". Does nothing if
  // the relay message is known. A sender whose case has moved to another
  // key (the reporter rotated away from this code) is refused: retired set.
  Result<RecordOutcome> record_incoming(const IncomingReport& report);
  // In one commit: moves the case whose current reporter key is the sender
  // to the new keys (the case key and id stay), adds the alias, records
  // "reporter moved" in the history and the relay message as delete pending.
  Result<RotationResult> record_rotation(const IncomingRotation& rotation);
  // Hand-over. record_handover_proposal adds an open proposal (recorded
  // before the proposal is sent, so an answer always finds it) and a history
  // entry; kMalformed for a case handed over already or with
  // kMaxOpenProposals open. withdraw_handover_proposal removes one the relay
  // refused. The answer and the hand-over letter are recorded like reports:
  // idempotent by relay message id, relay message kept as "delete pending",
  // one commit each. An accepted answer closes the case here (deadlines stop;
  // the new adviser owes them now) and drops every other open proposal; a
  // case handed back to us later is reopened.
  Status record_handover_proposal(const CaseKey& key, const protocol::ProposalId& proposal,
                                  const crypto::DirectoryEntry& to, std::uint64_t now);
  Status withdraw_handover_proposal(const CaseKey& key, const protocol::ProposalId& proposal);
  Result<HandoverResult> record_handover_answer(const IncomingHandoverAnswer& incoming);
  Result<HandoverResult> record_handover(const IncomingHandover& incoming);
  // Appends an outgoing message to an existing case (kNotFound otherwise).
  Status record_outgoing(const CaseKey& key, std::uint64_t sent_at, std::uint64_t stored_at,
                         const crypto::MessageId& relay_id, ByteView body);
  // Sets the unread count to zero.
  Status mark_read(const CaseKey& key);
  // Applies the action (see next_status) and records it in the history, with
  // kAcknowledgementSent first when `acknowledgement_sent`. Sets
  // acknowledged_at (first move to acknowledged or in-progress) and restarts
  // the feedback clock on acknowledgement and reopen. Returns the new record.
  Result<CaseRecord> change_status(const CaseKey& key, StatusAction action, std::uint64_t now,
                                   bool acknowledgement_sent = false);
  // Appends a history entry without a status (kExported, ...).
  Status record_event(const CaseKey& key, HistoryEvent event, std::uint64_t now);
  Result<std::vector<HistoryEntry>> history(const CaseKey& key) const;

  // Private notes: never sent anywhere. kTooLarge beyond kMaxNoteBytes,
  // kMalformed for empty text. Adds a kNoteAdded history entry.
  Status add_note(const CaseKey& key, std::uint64_t now, ByteView text);
  Result<std::vector<NoteRecord>> notes(const CaseKey& key) const;

  // The newest adviser directory this store's adviser has accepted, so that
  // an older one a relay serves later is refused (client/directory_check.hpp).
  Result<client::DirectoryHistory> directory_history() const;
  // Raises the recorded serial to directory.serial (never lowers it).
  Status note_directory(const crypto::Directory& directory);

  // Defaults until set_settings is called.
  Result<Settings> settings() const;
  Status set_settings(const Settings& settings);

  // A consistent compacting copy of the store into an existing empty folder
  // (for backups): values stay sealed under the store key.
  Status copy_compact_to(const std::filesystem::path& folder) const;

  // ---- many writes, one commit (the inbox's apply step, inbox_apply.hpp) ----
  // Runs `body` with every write this store makes meanwhile (record_incoming,
  // record_rotation, the hand-over, piece and file-key records, any other)
  // in one write transaction, committed once when body returns ok: one disk
  // sync for all of them instead of one each. Reads meanwhile see those
  // writes. All or nothing: when body fails, when a write inside it failed
  // (even one whose error body did not pass on), or when the commit fails,
  // nothing written inside it is stored. body may run more than once: when
  // LMDB's map fills up, the transaction is aborted, the map grown and body
  // run again from scratch, so body must set any state outside the store
  // afresh on every run. kInternal if called inside body (no nesting). One
  // thread at a time, like the rest of the store.
  Status in_one_commit(const std::function<Status()>& body);
  // The id of the last commit (store::lmdb::Environment::last_txn_id): every
  // commit that changed something raises it by one. For tests and
  // diagnostics: how many disk syncs an operation cost.
  std::uint64_t last_commit_id() const;

  // Relay messages stored here whose deletion at the relay is still to do.
  Result<std::vector<PendingDelete>> pending_deletes() const;
  // After the relay deleted it (or it is known gone): never retried again,
  // but still remembered, so a copy fetched again is not stored twice.
  Status mark_deleted(const crypto::MessageId& relay_id);
  // The same for several, in one commit (one disk sync for a whole inbox
  // run's deletes); all or none: kNotFound if one is not a stored message.
  Status mark_deleted(std::span<const crypto::MessageId> relay_ids);

  // ---- attachments (attachments_store.cpp) ----

  // In one commit: stores one piece of a file from the case's reporter (the
  // envelope's sender must be the case's current reporter key), records the
  // relay message as delete pending, and when the last piece arrives checks
  // size and digest, marks the file intact or damaged and counts it unread.
  Result<PieceResult> record_incoming_piece(const IncomingPiece& piece);
  // In one commit: a file a letter from `sender_pk` announced in case `key`
  // (version 3): an incomplete attachment record and its file key, within
  // the case's allowance (kOverQuota otherwise). A file id the case already
  // has is kAlreadyKnown (the same letter again, or another letter claiming
  // it: the first one counts). kAnnounced when recorded.
  Result<PieceOutcome> record_file_key(const CaseKey& key, const crypto::X25519PublicKey& sender_pk,
                                       std::uint64_t announced_at, std::uint64_t received_at,
                                       const protocol::FileEntry& entry);
  // Every pending file key, oldest announcement first.
  Result<std::vector<PendingFileKey>> pending_file_keys() const;
  // In one commit: one piece of a pending file (the caller has checked the
  // sender and client::match_piece). No relay message is recorded: pieces
  // are shared by every reader and never deleted by one. When the last
  // piece arrives the file is checked, marked intact or damaged and its key
  // removed. kAlreadyKnown for a piece index stored before.
  Result<PieceResult> record_file_piece(const PendingFileKey& key, const protocol::AttachmentChunk& chunk,
                                        std::uint64_t received_at);
  // Removes a file key whose pieces can no longer come (the file stays
  // incomplete).
  Status drop_file_key(const CaseKey& key, std::uint64_t sequence);
  // In one commit: a file we sent in this case, kept whole as our record.
  Status record_outgoing_attachment(const CaseKey& key, std::uint64_t sent_at, std::uint64_t stored_at,
                                    const protocol::AttachmentFileId& file_id, ByteView name, ByteView content,
                                    const crypto::FileDigest& digest);
  // The case's files in order (sequence 0, 1, ...).
  Result<std::vector<AttachmentRecord>> attachments(const CaseKey& key) const;
  // The whole file, its pieces joined and checked against the digest again.
  // kNotFound for no such attachment, kMalformed (with why) for a file that
  // is incomplete or damaged.
  Result<crypto::SecretBuffer> attachment_content(const CaseKey& key, std::uint64_t sequence) const;

  // ---- labels and first messages (case_glance_store.cpp) ----
  // Gives the case a private label (validate_case_label: kMalformed or
  // kTooLarge), replacing an earlier one; kNotFound for no such case.
  Status set_label(const CaseKey& key, ByteView text);
  // Removes the label; true if there was one.
  Result<bool> clear_label(const CaseKey& key);
  Result<std::optional<crypto::SecretBuffer>> label(const CaseKey& key) const;
  // Every labelled case's label.
  Result<std::map<CaseKey, crypto::SecretBuffer>> labels() const;
  // The case's first message (sequence 0) alone, without the rest of the
  // conversation; nullopt for a case without messages.
  Result<std::optional<MessageRecord>> first_message(const CaseKey& key) const;

  // ---- filings (filing_store.cpp) ----
  // Files the case under `filing` (kMalformed for an invalid id or both
  // empty, kNotFound for no such case), replacing an earlier filing.
  Status set_filing(const CaseKey& key, const Filing& filing);
  Status clear_filing(const CaseKey& key);
  Result<std::optional<Filing>> filing(const CaseKey& key) const;
  // Every filed case's filing.
  Result<std::map<CaseKey, Filing>> filings() const;

 private:
  struct Tables {
    SealedTable meta, cases, messages, relay_messages, history, notes, aliases;
    SealedTable attachments, attachment_pieces;
    SealedTable letters, proposals;
    SealedTable filings, file_keys, labels;
  };
  CaseStore(store::lmdb::Environment env, Tables tables, std::shared_ptr<const StoreKey> key)
      : env_(std::move(env)), tables_(std::move(tables)), key_(std::move(key)) {}
  Status migrate_from_1();

  // Every write of the store after open goes through here: a commit of its
  // own, or the transaction of the in_one_commit under way (where a failed
  // write also marks that transaction failed, so it is never committed).
  Status write(const std::function<Status(store::lmdb::WriteTxn&)>& body);
  // A transaction to read in: the one of the in_one_commit under way, so that
  // what was written in it is seen, or else a snapshot of its own. Converts
  // to the const store::lmdb::Txn& the table calls take.
  class Reading {
   public:
    explicit Reading(const CaseStore& owner)
        : txn_(owner.batch_ != nullptr ? static_cast<const store::lmdb::Txn*>(owner.batch_) : nullptr) {
      if (txn_ == nullptr) {
        own_ = owner.env_.begin_read();
        txn_ = &own_;
      }
    }
    Reading(const Reading&) = delete;
    Reading& operator=(const Reading&) = delete;
    operator const store::lmdb::Txn&() const { return *txn_; }  // NOLINT: implicit by design

   private:
    const store::lmdb::Txn* txn_;
    store::lmdb::ReadTxn own_;
  };
  Reading reading() const { return Reading(*this); }

  // How a letter fetched from the relay relates to what the store holds.
  enum class LetterNovelty : std::uint8_t {
    kNew,
    kKnownRelayId,  // recorded under this relay id: fetched again before its deletion went through
    kReplayed,      // its delete token was recorded under another relay id: the relay deposited it again
  };
  // The opening every received letter shares: one write transaction in
  // which apply runs only for a letter that is new. apply records the
  // letter with put_relay_pending when it keeps it.
  Result<LetterNovelty> receive_letter(const crypto::MessageId& relay_id, const FixedBytes<32>& delete_token,
                                       const std::function<Status(store::lmdb::WriteTxn&)>& apply);
  // Also enters the letter's token in the letters table.
  Status put_relay_pending(store::lmdb::WriteTxn& txn, const crypto::MessageId& relay_id,
                           const FixedBytes<32>& token, const CaseKey& case_key, std::uint64_t received_at);
  // How both hand-over letters (answer and history) are received: apply runs
  // in receive_letter's transaction for a new letter, fills in `result` and
  // returns the case to keep, or nothing when it leaves the letter alone
  // (result.outcome says why). A kept case is stored with the letter as
  // delete pending, outcome kApplied; a letter known before is kAlreadyKnown
  // or kReplayed.
  using KeptCase = std::optional<CaseRecord>;
  Result<HandoverResult> receive_handover_letter(
      const crypto::MessageId& relay_id, const FixedBytes<32>& delete_token, std::uint64_t received_at,
      const std::function<Result<KeptCase>(store::lmdb::WriteTxn&, HandoverResult&)>& apply);
  FixedBytes<16> relay_record_key(const crypto::MessageId& relay_id) const;
  FixedBytes<16> letter_record_key(const FixedBytes<32>& token) const;
  FixedBytes<16> proposal_record_key(const protocol::ProposalId& proposal) const;

  Result<std::optional<CaseRecord>> load_case(const store::lmdb::Txn& txn, const CaseKey& key) const;
  // The case the adviser named: kNotFound ("no such case") when there is none.
  Result<CaseRecord> load_existing_case(const store::lmdb::Txn& txn, const CaseKey& key) const;
  Status put_case(store::lmdb::WriteTxn& txn, const CaseRecord& record);
  // The case a reporter key belongs to (through an alias after a rotation),
  // whether or not it is still that case's current key.
  Result<std::optional<CaseKey>> resolve(const store::lmdb::Txn& txn, const crypto::X25519PublicKey& pk) const;
  // The same case, loaded (the caller checks whether the key is still the
  // current one).
  Result<std::optional<CaseRecord>> case_of_sender(const store::lmdb::Txn& txn,
                                                   const crypto::X25519PublicKey& pk) const;
  Status append_history(store::lmdb::WriteTxn& txn, CaseRecord& record, std::uint64_t at, HistoryEvent event,
                        std::optional<CaseStatus> from = {}, std::optional<CaseStatus> to = {});
  // Appends a message to the case, sealed, at its next sequence.
  Status append_message(store::lmdb::WriteTxn& txn, CaseRecord& record, const MessageRecord& message);
  // Opens each record of one case in a table keyed case key || sequence BE,
  // in order, and hands it to visit; stops at the first error.
  Status for_each_in_case(const SealedTable& table, const CaseKey& key,
                          const std::function<Status(std::uint64_t sequence, ByteView plaintext)>& visit) const;

  Result<std::vector<AttachmentRecord>> load_attachments(const store::lmdb::Txn& txn, const CaseKey& key) const;
  Status put_attachment(store::lmdb::WriteTxn& txn, const CaseKey& key, const AttachmentRecord& record);
  // The pieces of one file, in order; an empty buffer where a piece is missing.
  Result<std::vector<crypto::SecretBuffer>> load_pieces(const store::lmdb::Txn& txn, const CaseKey& key,
                                                        const AttachmentRecord& record) const;

  store::lmdb::Environment env_;
  // The transaction of the in_one_commit under way (none: nullptr), and the
  // first write that failed in it.
  store::lmdb::WriteTxn* batch_ = nullptr;
  std::optional<Error> batch_failure_;
  Tables tables_;
  std::shared_ptr<const StoreKey> key_;  // shared with every table: stays put when the store moves
};

}  // namespace meldpunt::adviser
