// The bytes of each record the case store keeps, before sealing: one
// encoder and one strict decoder per record, so the layouts given in
// case_store.hpp's header comment are written in one place.
//
// Decoders never throw and never trust a length: every count and size is
// checked against its bound before anything is sized from it, a record
// with trailing bytes is refused, and an unknown version is
// kUnsupportedVersion (a store written by a newer client), anything else
// wrong kMalformed ("case store: damaged ..."). The values reach them only
// after the store key's MAC verified (sealed_table.hpp), but a damaged or
// older store must still never crash the client; fuzz/fuzz_case_store.cpp
// checks every decoder against its encoder.
//
// Encoders throw std::length_error for a value the record cannot hold (a
// programming error: the store checks sizes before it writes). Records that
// hold message text, note text, file names or a delete token are built in
// crypto::SecretBuffer, so the plaintext is wiped after sealing.
#pragma once

#include <cstdint>

#include "case_model.hpp"
#include "meldpunt/client/directory_check.hpp"
#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/derive.hpp"

namespace meldpunt::adviser {

Bytes encode_case(const CaseRecord& record);
// Versions 1 and 2 (older stores) are read with the later fields zero.
Result<CaseRecord> decode_case(ByteView bytes);
crypto::SecretBuffer encode_message(const MessageRecord& record);
Result<MessageRecord> decode_message(ByteView bytes);
Bytes encode_history(const HistoryEntry& entry);
Result<HistoryEntry> decode_history(ByteView bytes);
crypto::SecretBuffer encode_note(const NoteRecord& note);
Result<NoteRecord> decode_note(ByteView bytes);
Bytes encode_settings(const Settings& settings);
// Also refuses values validate_settings refuses.
Result<Settings> decode_settings(ByteView bytes);
Bytes encode_directory_history(const client::DirectoryHistory& history);
Result<client::DirectoryHistory> decode_directory_history(ByteView bytes);
// attachments_store.cpp and filing_store.cpp.
crypto::SecretBuffer encode_attachment_record(const AttachmentRecord& record);
Result<AttachmentRecord> decode_attachment_record(ByteView bytes);
// One stored piece of a file: its data (1..protocol::kAttachmentPieceDataBytes).
crypto::SecretBuffer encode_attachment_piece(ByteView data);
Result<crypto::SecretBuffer> decode_attachment_piece(ByteView bytes);
// A file key a report announced, kept until the file's pieces are in.
struct FileKeyRecord {
  crypto::X25519PublicKey sender_pk{};
  crypto::Secret<crypto::kFileKeySeedBytes> seed;
  std::uint64_t announced_at = 0;
};
crypto::SecretBuffer encode_file_key_record(const FileKeyRecord& record);
Result<FileKeyRecord> decode_file_key_record(ByteView bytes);
Bytes encode_filing(const Filing& filing);
Result<Filing> decode_filing(ByteView bytes);
// A case's private label (labels table): its text, which decode checks
// with validate_case_label (case_rules.hpp).
crypto::SecretBuffer encode_label(const crypto::SecretBuffer& label);
Result<crypto::SecretBuffer> decode_label(ByteView bytes);

// The schema record (meta "schema"): the schema version, u32.
Bytes encode_schema(std::uint32_t version);
Result<std::uint32_t> decode_schema(ByteView bytes);

// The alias record: the case a reporter key moved away from still names.
Bytes encode_alias(const CaseKey& case_key);
Result<CaseKey> decode_alias(ByteView bytes);

// The value of the letters and proposals tables: only its presence counts.
Bytes encode_seen_mark();

// What the store remembers of a letter it received from the relay: whether
// the relay still has to delete it, and the delete token to do so with.
enum class RelayMessageState : std::uint8_t { kDeletePending = 1, kDeleteDone = 2 };
struct RelayMessageRecord {
  RelayMessageState state = RelayMessageState::kDeletePending;
  crypto::MessageId relay_id{};
  FixedBytes<32> token{};  // zero once deleted: the capability is not kept longer than needed
  CaseKey case_key{};
  std::uint64_t received_at = 0;
};
crypto::SecretBuffer encode_relay_message(const RelayMessageRecord& record);
Result<RelayMessageRecord> decode_relay_message(ByteView bytes);

// Records keyed by case key || sequence u64 BE (messages, history, notes):
// big-endian so that LMDB's key order is the sequence order and a cursor
// walks one case's records in order.
inline constexpr std::size_t kCaseSequenceKeyBytes = kCaseKeyBytes + 8;
FixedBytes<kCaseSequenceKeyBytes> case_sequence_key(const CaseKey& case_key, std::uint64_t sequence);
// The sequence of such a key (its size checked by the caller).
std::uint64_t sequence_of(ByteView case_sequence_key);

}  // namespace meldpunt::adviser
