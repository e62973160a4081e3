// The adviser's local case store: LMDB (store::lmdb) with every value sealed
// under the identity's store key, so the folder on disk holds no message, no
// reporter key and no name in the clear.
//
//   value on disk = crypto::seal_value(store_key, ad, plaintext record)
//   ad            = table name || 0x00 || record key
//                   (a value copied to another record or table no longer opens)
//
//   table           key                                   record (plaintext, all integers LE)
//   meta            "schema"                              u32 schema version (1)
//   cases           case key (16)                         case record, below
//   messages        case key (16) || sequence u64 BE      message record, below
//   relay_messages  keyed_name(store_key, "relay-message",  relay message record, below
//                              relay message id) (16)
//
//   case key = keyed_name(store_key, "case", reporter message pk); the case id
//   shown to the adviser is its first 10 hex characters.
//
//   case record    = version u8 (1) || status u8 || reporter message pk (32)
//                    || reporter fetch pk (32) || created_at u64 || last_activity u64
//                    || unread u32 || next sequence u64
//                    || other advisers count u8 (<= 64)
//                    || per adviser: id (16) || name (u16 length <= 128 || UTF-8)
//   message record = version u8 (1) || direction u8 (1 in, 2 out) || sent_at u64
//                    || stored_at u64 || relay message id (16)
//                    || body length u32 (<= crypto::kMaxEnvelopePayload) || body
//   relay message  = version u8 (1) || state u8 (1 delete pending, 2 done)
//                    || relay message id (16) || delete token (32) || case key (16)
//                    || received_at u64
//
// Sequence numbers are big-endian in the key so a cursor walks a case's
// messages in order. The relay_messages table makes receiving idempotent: a
// letter whose relay id is known is never stored twice, and a delete that
// failed (relay unreachable) is retried on the next run. Times are unix
// seconds (the local store may be finer than the relay's day granularity).
//
// Later schema versions (issue 4: status history, notes, deadlines,
// attachments, settings) add tables and record versions; open() refuses a
// store whose schema is newer than it knows.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/keys.hpp"
#include "meldpunt/crypto/secret.hpp"
#include "meldpunt/store/lmdb.hpp"

namespace meldpunt::adviser {

inline constexpr std::uint32_t kStoreSchemaVersion = 1;
inline constexpr std::size_t kCaseKeyBytes = 16;
inline constexpr std::size_t kCaseIdChars = 10;     // hex characters shown to the adviser
inline constexpr std::size_t kMinCasePrefixChars = 4;
inline constexpr std::size_t kMaxOtherAdvisers = crypto::kMaxDirectoryEntries;
inline constexpr std::size_t kMaxStoredBodyBytes = crypto::kMaxEnvelopePayload;

using CaseKey = FixedBytes<kCaseKeyBytes>;

// Issue 4 moves cases through these; inbox only ever creates kNew.
enum class CaseStatus : std::uint8_t { kNew = 1, kAcknowledged = 2, kInProgress = 3, kClosed = 4 };
std::string_view status_keyword(CaseStatus status);
Result<CaseStatus> parse_status(std::string_view keyword);

enum class Direction : std::uint8_t { kIn = 1, kOut = 2 };

struct OtherAdviser {
  crypto::AdviserId id{};
  std::string name;  // as the directory named them when the report arrived; may be empty
};

struct CaseRecord {
  CaseKey key{};  // the record key (not part of the stored value)
  CaseStatus status = CaseStatus::kNew;
  crypto::X25519PublicKey reporter_message_pk{};
  crypto::FetchPublicKey reporter_fetch_pk{};
  std::uint64_t created_at = 0;
  std::uint64_t last_activity = 0;
  std::uint32_t unread = 0;
  std::uint64_t next_sequence = 0;  // also the number of messages in the case
  std::vector<OtherAdviser> other_advisers;

  std::string id() const;  // first kCaseIdChars hex characters of key
};

struct MessageRecord {
  std::uint64_t sequence = 0;
  Direction direction = Direction::kIn;
  std::uint64_t sent_at = 0;    // as the sender stated it
  std::uint64_t stored_at = 0;  // when this store recorded it
  crypto::MessageId relay_id{};
  crypto::SecretBuffer body;
};

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
  bool stored = false;  // false: this relay message was recorded before (nothing changed)
  CaseKey case_key{};
};

class CaseStore {
 public:
  // Opens (creating when new) the store in an existing folder. Throws
  // store::lmdb::LmdbError if LMDB cannot open the folder. kUnauthorised if
  // the store was made under another store key, kUnsupportedVersion for a
  // newer schema, kMalformed for a damaged meta record.
  static Result<CaseStore> open(const std::filesystem::path& folder, const crypto::Secret<32>& store_key);

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

  // In one commit: creates the case if the reporter is new, appends the
  // message, counts it unread, and records the relay message with its delete
  // token as "delete pending". Does nothing if the relay message is known.
  Result<RecordOutcome> record_incoming(const IncomingReport& report);
  // Appends an outgoing message to an existing case (kNotFound otherwise).
  Status record_outgoing(const CaseKey& key, std::uint64_t sent_at, std::uint64_t stored_at,
                         const crypto::MessageId& relay_id, ByteView body);
  // Sets the unread count to zero.
  Status mark_read(const CaseKey& key);
  Status set_status(const CaseKey& key, CaseStatus status);

  // Relay messages stored here whose deletion at the relay is still to do.
  Result<std::vector<PendingDelete>> pending_deletes() const;
  // After the relay deleted it (or it is known gone): never retried again,
  // but still remembered, so a copy fetched again is not stored twice.
  Status mark_deleted(const crypto::MessageId& relay_id);

 private:
  struct Tables {
    store::lmdb::Table meta, cases, messages, relay_messages;
  };
  CaseStore(store::lmdb::Environment env, Tables tables, crypto::Secret<32> key)
      : env_(std::move(env)), tables_(tables), key_(std::move(key)) {}

  Bytes seal(std::string_view table, ByteView record_key, ByteView plaintext) const;
  Result<crypto::SecretBuffer> open_record(std::string_view table, ByteView record_key, ByteView sealed) const;
  Result<std::optional<CaseRecord>> load_case(const store::lmdb::Txn& txn, const CaseKey& key) const;
  Status put_case(store::lmdb::WriteTxn& txn, const CaseRecord& record);
  FixedBytes<16> relay_record_key(const crypto::MessageId& relay_id) const;

  store::lmdb::Environment env_;
  Tables tables_;
  crypto::Secret<32> key_;
};

// Record codecs, exposed for tests. Decoders never throw on bad bytes.
Bytes encode_case(const CaseRecord& record);
Result<CaseRecord> decode_case(ByteView bytes);
crypto::SecretBuffer encode_message(const MessageRecord& record);
Result<MessageRecord> decode_message(ByteView bytes);

}  // namespace meldpunt::adviser
