// The relay's tables in LMDB. Stores opaque bytes only: envelopes, clues,
// delete verifiers, signed prekeys and the signed directory. Nothing here can
// tell who wrote a message or to whom.
//
// Tables (named LMDB databases in one environment, byte layouts in
// docs/PROTOCOL.md):
//   meta        "schema"         -> u32 LE schema version (kRelaySchemaVersion)
//               "messages"       -> u64 LE number of stored messages
//               "envelope_bytes" -> u64 LE sum of stored envelope sizes
//   messages    id (16)          -> expiry day u32 LE || delete verifier (32) || envelope
//   clues       id (16)          -> clue (64) || expiry day u32 LE
//   prekeys     adviser sign pk (32) || upload counter u64 BE || position u16 BE
//                                -> prekey pk (32) || prekey signature (64)
//   counters    adviser sign pk (32) -> u64 LE, last accepted prekey-upload counter
//   medium_prekeys adviser sign pk (32) -> medium-term prekey pk (32) || expiry day u32 LE
//                                          || signature (64); the latest one uploaded
//               (created when missing: stores of schema 2 made before it lack it)
//   directory   "current"        -> signed directory bytes
//
// Durability: every write is acknowledged only after mdb_txn_commit returned,
// with the environment opened without MDB_NOSYNC/MDB_NOMETASYNC (unless
// Options::durable is false, which only benchmarks and tests use). Many
// deposits share one commit through deposit_batch (group commit).
//
// Clues in memory (RelayStoreOptions::clue_cache, on by default): the store
// keeps a copy of the clues table in memory, loaded at open and updated by
// every deposit, delete and purge of this RelayStore after its commit and
// before it returns, so a fetch reads no page of data.mdb. LMDB stays the
// only durable record (a crash loses nothing the next open does not load
// again). A commit by another process (`relay purge` while serving) is
// noticed by LMDB's transaction id and the copy reloaded before the next
// read of the clues.
//
// Expiry: a purge finds expired messages by the day stored beside each clue
// (in memory, with the clue cache), so it reads no envelope page. There is no
// index ordered by day: with random message ids, every deposit would have put
// its index entry on a leaf page of its own (a quarter more pages written per
// commit), and an order by deposit (sequence numbers) would state the order
// in which messages arrived, exactly, in every copy of the store. No record
// carries that order. The live data.mdb does approximate it through its page
// layout (LMDB places each commit's pages at the end of the file or in freed
// pages, so envelope offsets follow deposit order); a compacting backup
// (backup_to) writes the pages in key order, i.e. by random id, and does not.
//
// Schema versions: 2 (this one). A store of version 1 (which had an `expiry`
// index table and 64-byte clue records) is upgraded when opened with
// RelayStoreOptions::upgrade_schema, in one commit: all or nothing. That
// commit needs free map room about the size of the clue table (~150 bytes
// per message). A newer version is refused.
//
// Thread safety: one RelayStore may be used from many threads; LMDB
// serialises writers, readers run in parallel.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <vector>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/common/result.hpp"
#include "meldpunt/common/tagged_bytes.hpp"
#include "meldpunt/store/fault.hpp"

namespace meldpunt::store {

inline constexpr std::uint32_t kRelaySchemaVersion = 2;
inline constexpr std::size_t kIdBytes = 16;
inline constexpr std::size_t kClueBytes = 64;
inline constexpr std::size_t kVerifierBytes = 32;
inline constexpr std::size_t kKeyBytes = 32;
inline constexpr std::size_t kPrekeySignatureBytes = 64;
// Most prekeys one add_prekeys call stores (the position field is 16 bits;
// the wire allows 256).
inline constexpr std::size_t kMaxPrekeysPerAdd = 65535;

// The store's own names for what it keeps (it does not depend on crypto; the
// relay converts between these and the wire's types where the two meet).
struct MessageIdTag;
struct StoredClueTag;
struct DeleteVerifierTag;
struct PublicKeyBytesTag;
using MessageId = TaggedBytes<MessageIdTag, kIdBytes>;
using StoredClue = TaggedBytes<StoredClueTag, kClueBytes>;
using DeleteVerifier = TaggedBytes<DeleteVerifierTag, kVerifierBytes>;
using PublicKeyBytes = TaggedBytes<PublicKeyBytesTag, kKeyBytes>;  // an adviser's signing key, or a prekey

struct NewMessage {
  MessageId id{};  // random, chosen by the relay
  StoredClue clue{};
  DeleteVerifier verifier{};
  std::uint32_t expiry_day = 0;  // days since 1970-01-01 (UTC) after which it may be purged
  ByteView envelope;
};

struct StoredMessage {
  std::uint32_t expiry_day = 0;
  DeleteVerifier verifier{};
  Bytes envelope;
};

struct ClueRecord {
  MessageId id{};
  StoredClue clue{};
  std::uint32_t expiry_day = 0;  // the message's, kept beside the clue for purges
};

struct StoredPrekey {
  PublicKeyBytes pk{};
  FixedBytes<kPrekeySignatureBytes> signature{};
};

struct StoredMediumPrekey {
  PublicKeyBytes pk{};
  std::uint32_t expires_day = 0;
  FixedBytes<kPrekeySignatureBytes> signature{};
};

struct StoreStats {
  std::uint64_t messages = 0;
  std::uint64_t envelope_bytes = 0;  // sum of stored envelope sizes
  std::uint64_t map_bytes_used = 0;  // pages in use (free pages excluded) * page size
  std::uint64_t map_bytes_total = 0; // current map size
  std::map<PublicKeyBytes, std::uint64_t> prekeys;  // per adviser sign pk
  std::map<PublicKeyBytes, std::uint32_t> medium_expires;  // expiry day of each adviser's medium-term prekey
};

struct RelayStoreOptions {
  std::uint64_t initial_map_bytes = 64ull << 20;  // grown on demand
  std::uint64_t max_map_bytes = 64ull << 30;      // never grown beyond
  std::uint64_t max_messages = 1'000'000;         // quota: kStorageFull beyond
  std::uint64_t max_envelope_bytes = 8ull << 30;  // quota: kStorageFull beyond
  // Room kept for letters: a deposit holding any envelope larger than the
  // smallest size class is refused (kStorageFull) once it would bring the
  // stored envelope bytes above max_envelope_bytes - letter_reserve_bytes,
  // so a flood of large envelopes cannot take the room that ongoing
  // conversations (4096-byte letters) need.
  std::uint64_t letter_reserve_bytes = 0;
  bool durable = true;                            // false only for tests/benchmarks
  // Keep the clues in memory for fetches (see the top of this header):
  // 92-100 bytes per stored message (an 84-byte record and 8-16 bytes of
  // index). Off for one-off commands (check, backup, purge), which never
  // fetch and should not pay the load.
  bool clue_cache = true;
  // Upgrade a store of an older schema version when opening it; otherwise
  // such a store is refused with a message saying that `relay serve`
  // upgrades it. Off unless asked for: a store is upgraded by the relay that
  // will serve it (or in a private copy), never as a side effect of a
  // one-off command while an older relay may still be serving it.
  bool upgrade_schema = false;
  // Called once before such an upgrade starts, with the version found and
  // the number of clue records it rewrites, so the caller can say that a
  // long write is under way (and must not be interrupted). Not called when
  // the store needs no upgrade.
  std::function<void(std::uint32_t from_version, std::uint64_t clues)> before_upgrade;
  // Tests only: storage failures on demand (fault.hpp). Empty in the programs.
  FaultHook fault;
};

// What take_prekey and purge_expired throw when the store cannot be
// written: code() is kStorageFull for a full map, quota or disk, else what
// the write failed with (kIo, kInternal). The message names no id or key.
class StoreError : public std::runtime_error {
 public:
  explicit StoreError(const Error& error) : std::runtime_error(error.message), code_(error.code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

class RelayStore {
 public:
  // Creates the folder's tables on first use, checks the schema version
  // otherwise. Throws std::runtime_error with a clear message on failure
  // (missing folder, wrong schema, LMDB error).
  RelayStore(const std::filesystem::path& folder, const RelayStoreOptions& options);
  ~RelayStore();
  RelayStore(RelayStore&&) noexcept;
  RelayStore& operator=(RelayStore&&) noexcept;

  // The schema version this store had before opening upgraded it to
  // kRelaySchemaVersion, or nullopt if it needed no upgrade (for the log).
  std::optional<std::uint32_t> upgraded_from() const;

  // All messages in one transaction and one commit (group commit); either all
  // are stored or none. kStorageFull if a quota or the largest map would be
  // exceeded (the map is grown automatically below max_map_bytes); writes
  // that add data also stop while the last 1/32 of max_map_bytes (at least
  // 256 KiB, at most a quarter) is still free, so deletes and purges always
  // have room. kInternal on a repeated id (ids are the relay's to choose).
  Status deposit_batch(std::span<const NewMessage> messages);

  // nullopt if absent; a damaged record (too short) also reads as absent and
  // is reported by check().
  std::optional<StoredMessage> get_message(const MessageId& id) const;
  // Removes message and clue together. kNotFound if absent.
  Status delete_message(const MessageId& id);

  // Every stored clue with its message id, in no particular order: one
  // consistent state, including every deposit acknowledged before the call.
  // With the clue cache a copy of memory (reloaded first if another process
  // wrote since); without, one read transaction over the clues table.
  // Damaged clue records (only possible if the disk was altered) are left
  // out; check() reports them.
  std::vector<ClueRecord> clues() const;
  // Calls visit(id, clue) for every record clues() returns.
  void for_each_clue(const std::function<void(const MessageId&, const StoredClue&)>& visit) const;

  // Deletes every message whose expiry_day < today, with its clue, in
  // commits of at most 1024 messages. Returns how many. Candidates are found
  // by the day in the clue records (copying only their ids); each is deleted
  // only if its message record's own day is before today too. So a message
  // without a clue record, or whose clue says a later day, is not purged
  // (or late): only on a damaged store, and check() reports both. Throws
  // StoreError if the store cannot be written (full or failing disk); the
  // commits before the failing one stay done.
  std::uint64_t purge_expired(std::uint32_t today);

  // Prekeys. add_prekeys is all-or-nothing and kReplay unless counter is
  // greater than the adviser's last accepted counter; an empty list is
  // accepted (it only advances the counter). kTooLarge beyond
  // kMaxPrekeysPerAdd. With `medium`, the adviser's medium-term prekey is
  // replaced in the same commit, even by one that expires earlier: the
  // counter already refuses a replayed upload, and an adviser restored from
  // an older backup no longer holds the newer one's secret.
  Status add_prekeys(const PublicKeyBytes& adviser, std::uint64_t counter,
                     std::span<const StoredPrekey> prekeys,
                     const std::optional<StoredMediumPrekey>& medium = std::nullopt);
  // The adviser's medium-term prekey (it is served to every reporter, never
  // taken), or nullopt.
  std::optional<StoredMediumPrekey> medium_prekey(const PublicKeyBytes& adviser) const;
  // Removes and returns the adviser's oldest prekey (first of the upload
  // with the lowest counter), or nullopt if none. Oldest first matters: the
  // adviser keeps only a bounded number of prekey secrets and drops its
  // oldest, so a prekey left at the relay too long could no longer be
  // opened. Throws StoreError if the store cannot be written (the prekey
  // then stays in the pool).
  std::optional<StoredPrekey> take_prekey(const PublicKeyBytes& adviser);
  // Prekeys of one adviser currently held.
  std::uint64_t prekey_count(const PublicKeyBytes& adviser) const;

  Status put_directory(ByteView signed_directory);
  std::optional<Bytes> get_directory() const;

  // messages and envelope_bytes come from the stored totals (O(1)); prekeys
  // counts the prekeys table.
  StoreStats stats() const;
  // The stored message count alone (O(1), one read transaction).
  std::uint64_t message_count() const;
  // Compacting, consistent copy into an empty or new folder while serving.
  // A missing folder is created with mode 0700 (its parent must exist); the
  // copy's data.mdb gets mode 0600. kIo for a non-empty or unusable target.
  Status backup_to(const std::filesystem::path& folder) const;
  // Verifies every record (key and value sizes, clue/message pairing,
  // schema version, stored totals against a full scan). Returns a list of
  // problems as "<kind>: <count>" lines that name no id or key (empty =
  // healthy).
  std::vector<std::string> check() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace meldpunt::store
