// Attachments on the clients' side (the chunk format is in
// protocol/attachment.hpp):
//
//   sending    read_attachment: the file into locked memory, bounded by the
//              relay's limit; split_attachment: its pieces; deposit_pieces:
//              the piece envelopes in deposits of at most 16, then the
//              message's own envelopes last, deleting what was deposited if
//              a later deposit fails (below);
//   receiving  AttachmentAssembler: pieces in any order, duplicates ignored,
//              missing pieces counted, size and BLAKE2b-256 of the whole
//              checked (the digest in constant time) before a file counts as
//              intact;
//   saving     sanitise_file_name and save_attachment: a new file (never an
//              existing one, never through a symlink) with mode 0600 in a
//              folder the user names; nothing is ever executed or opened.
//
// File contents and names are secrets (a name alone can say what a report is
// about): they stay in crypto::SecretBuffer from disk to envelope and back.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <vector>

#include "meldpunt/client/mailbox.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/hash.hpp"
#include "meldpunt/crypto/secret.hpp"
#include "meldpunt/protocol/attachment.hpp"
#include "meldpunt/protocol/wire.hpp"

namespace meldpunt::client {

// ---- limits ----

// The largest file this client sends under `policy`: the relay's
// max-attachment-bytes, but never above protocol::kMaxAttachmentFileBytes
// (what every receiver accepts). 0: the relay refuses attachments.
std::uint64_t attachment_limit(const protocol::PolicyInfo& policy);

enum class SizeVerdict : std::uint8_t {
  kFits,
  kEmpty,              // a file of zero bytes: nothing to send
  kRelayRefuses,       // the relay's limit is 0
  kOverLimit,          // larger than attachment_limit()
};
SizeVerdict check_attachment_size(std::uint64_t file_bytes, std::uint64_t limit);

// The size of a regular file, for checking it against the limit before
// anything is typed or sent. kNotFound if absent; kIo if it is not a regular
// file (a folder, a device, a pipe) or cannot be examined.
Result<std::uint64_t> attachment_file_size(const std::filesystem::path& path);

// ---- sending ----

struct FileToSend {
  crypto::SecretBuffer name;     // sanitise_file_name of the path's last component
  crypto::SecretBuffer content;
  crypto::FileDigest digest{};
  protocol::AttachmentFileId file_id{};  // random
  // Random: the seed of the file key every piece is sealed to once
  // (client/file_key.hpp); readers learn it from their own letters.
  crypto::Secret<crypto::kFileKeySeedBytes> key_seed = crypto::Secret<crypto::kFileKeySeedBytes>::random();
};

// Locked memory needed to send a file of `file_bytes`: the file itself plus
// the working set of sealing one piece at a time (the piece, its encoded
// letter, the letter's plaintext) and page rounding. Compare the sum over
// all files with crypto::lockable_bytes() before reading any.
inline constexpr std::uint64_t kLockedOverheadPerFile = 1ull << 20;
std::uint64_t attachment_memory_needed(std::uint64_t file_bytes);

// Reads a regular file of 1..limit bytes into locked memory: one buffer of
// the size fstat reports (plus one byte, to notice growth), never
// reallocated, so no partial copy is left in unlocked or freed memory.
// kNotFound, kIo (not a regular file, read error, the file changed size while
// being read), kMalformed (empty), kTooLarge (over `limit`), kStorageFull
// (the buffer could not be locked: RLIMIT_MEMLOCK is used up, and the file
// could be swapped to disk; nothing is read then). `limit` is clamped to
// protocol::kMaxAttachmentFileBytes.
Result<FileToSend> read_attachment(const std::filesystem::path& path, std::uint64_t limit);

// Piece `index` of a file (a kPiece chunk holding a copy of that part only),
// so that a sender can seal one piece at a time instead of holding a second
// copy of the whole file; and all of them, in order.
protocol::AttachmentChunk attachment_piece(const FileToSend& file, std::uint16_t index);
std::vector<protocol::AttachmentChunk> split_attachment(const FileToSend& file);
// The description the reporter keeps as its own record (a kDescription
// chunk: name, size, digest, no data).
protocol::AttachmentChunk describe_attachment(const FileToSend& file);

// A sealed letter and the delete token inside it: a sender that must undo a
// deposit deletes its envelopes with their tokens, like their recipient could.
struct PreparedPiece {
  Outgoing item;
  FixedBytes<32> delete_token{};
};
// prepare_letter for a kind-6 letter whose body is `chunk`, keeping the token.
Result<PreparedPiece> prepare_piece(protocol::Letter& letter, const protocol::AttachmentChunk& chunk,
                                    const Recipient& to, const crypto::Secret<32>& sender_sk,
                                    const crypto::X25519PublicKey& sender_pk);

// Deposits `pieces` in deposits of at most protocol::kMaxDepositsPerRequest
// envelopes, in order, then `last` (the message itself, at most
// kMaxDepositsPerRequest; may be empty) in one final deposit. A relay stores
// each deposit all-or-nothing, and a file needs more envelopes than one
// deposit may hold; depositing the message last means a recipient never sees
// the message before all its attachments are stored. If any deposit fails,
// the envelopes already stored are deleted again with their tokens and the
// error is returned; but not when the message's own deposit went
// unanswered (kUnavailable): it may be stored, and it names the pieces. The undo stops at the first delete that finds the relay
// unavailable (each would wait the full request timeout). `*left_behind` is
// an upper bound of envelopes that may still be stored (they expire with the
// relay's retention): those not deleted, plus the deposit in flight when the
// failure was kUnavailable (the relay may have stored it without the answer
// arriving; its ids are unknown, so it cannot be undone). `progress(done,
// total)` is called after each deposit. Returns the ids of pieces then last,
// in order.
Result<std::vector<crypto::MessageId>> deposit_pieces(
    RelayConnection& relay, const std::vector<PreparedPiece>& pieces, const std::vector<Outgoing>& last,
    protocol::PolicyInfo* policy_used = nullptr, std::size_t* left_behind = nullptr,
    const std::function<void(std::size_t done, std::size_t total)>& progress = {});

// The two relay operations deposit_pieces uses, so its undo can be tested
// against a relay that stops answering.
struct PieceTransport {
  std::function<Result<std::vector<crypto::MessageId>>(const std::vector<Outgoing>&, protocol::PolicyInfo*)> deposit;
  std::function<Status(const crypto::MessageId&, const FixedBytes<32>&)> remove;
};
Result<std::vector<crypto::MessageId>> deposit_pieces(
    const PieceTransport& transport, const std::vector<PreparedPiece>& pieces, const std::vector<Outgoing>& last,
    protocol::PolicyInfo* policy_used = nullptr, std::size_t* left_behind = nullptr,
    const std::function<void(std::size_t done, std::size_t total)>& progress = {});

// ---- receiving ----

enum class AttachmentState : std::uint8_t {
  kIncomplete = 1,  // pieces missing (still on their way, or lost)
  kIntact = 2,      // every piece, the declared size, and the digest matches
  kCorrupt = 3,     // all pieces, but the digest does not match, or pieces disagree about the file
};

struct AssembledAttachment {
  std::uint64_t source = 0;  // the caller's tag of the sender (see add)
  protocol::AttachmentFileId file_id{};
  crypto::SecretBuffer name;  // as sent: untrusted, sanitise before use
  std::uint64_t total_bytes = 0;
  std::uint16_t count = 0;
  std::uint16_t received = 0;  // distinct pieces present
  crypto::FileDigest digest{};
  std::uint64_t sent_at = 0;   // the earliest sent_at of its pieces
  AttachmentState state = AttachmentState::kIncomplete;
  crypto::SecretBuffer content;  // kIntact only
};

// Collects pieces (kPiece chunks) from any number of letters and files.
// Pieces combine only with pieces of the same file id from the same
// `source` (a number the caller gives each authenticated sender), so a
// stranger cannot add to someone else's file. Memory is bounded by the
// pieces actually added: nothing is allocated from a declared size until
// every piece is there and their lengths add up to it.
class AttachmentAssembler {
 public:
  // Description chunks are not pieces: ignored (false). True if kept; a
  // duplicate index is ignored (false).
  bool add(std::uint64_t source, std::uint64_t sent_at, protocol::AttachmentChunk chunk);
  // A file a version 3 letter from `source` announces (name, size, count,
  // digest): listed even before any piece arrives (incomplete, 0 of n).
  // Pieces added later must agree with it, else the file is damaged.
  void announce(std::uint64_t source, std::uint64_t sent_at, const protocol::FileEntry& entry);
  // Every file seen, ordered by sent_at; consumes the pieces, releasing each
  // as soon as it is copied into its file (the file and all its pieces are
  // never held twice over).
  std::vector<AssembledAttachment> assemble();

 private:
  struct Partial {
    std::uint64_t source = 0;
    std::uint64_t sent_at = 0;
    protocol::AttachmentChunk first;  // metadata; data moved into pieces
    std::vector<crypto::SecretBuffer> pieces;
    std::vector<bool> present;
    std::uint16_t received = 0;
    bool conflict = false;  // a piece disagreed about name, size, count or digest
  };
  std::map<std::pair<std::uint64_t, protocol::AttachmentFileId>, Partial> files_;
};

// Joins pieces (in order) and checks size and digest; kCorrupt otherwise.
// Exposed for the adviser's store, which keeps pieces on disk.
AttachmentState verify_pieces(const std::vector<const crypto::SecretBuffer*>& pieces, std::uint64_t total_bytes,
                              const crypto::FileDigest& digest, crypto::SecretBuffer* content);

// ---- saving ----

inline constexpr std::size_t kMaxSavedNameBytes = 200;  // NAME_MAX is 255; room for " (999)"
inline constexpr int kMaxNameCollisions = 999;

// A name that is safe to create in a folder and to show on a terminal:
//   - only the last path component (after the last '/' or '\');
//   - invalid UTF-8, control characters (C0, DEL, C1), bidirectional
//     controls and invisible characters (zero-width, word joiner, BOM, tags,
//     variation selectors, fillers, ...), blank-looking characters that are
//     not spaces (U+2800 braille blank, U+FFFC) and < > : " | ? * become '_';
//   - every other space character (U+00A0, U+2000..U+200A, U+3000, ...)
//     becomes ' ', and a run of spaces one space ("invoice.pdf      .exe"
//     cannot push ".exe" out of sight);
//   - a combining mark counts only right after a letter-like character and
//     at most 4 in a row, else it becomes '_' (a name of nothing but marks
//     would look blank, a tall stack hides the text around it);
//   - leading dots, dashes, tildes and spaces are dropped (no hidden files,
//     no names a shell would take for an option), trailing dots and spaces
//     too (Windows drops them), also after cutting;
//   - Windows device names (CON, PRN, AUX, NUL, COM0-9, LPT0-9, COM¹²³,
//     LPT¹²³, CONIN$, CONOUT$, with any extension) get a leading '_';
//   - at most kMaxSavedNameBytes bytes, cut at a character boundary and
//     keeping a short extension;
//   - "attachment" if nothing is left.
// The result is valid UTF-8, never empty, never blank-looking.
crypto::SecretBuffer sanitise_file_name(ByteView name);

// Creates a new file in `folder` (which must exist) named
// sanitise_file_name(name), or "<stem> (1)<.ext>", "<stem> (2)<.ext>", ...
// if that exists, mode 0600 (never executable). The content is written and
// fsync'ed in a nameless O_TMPFILE in the folder, which gets its name only
// when complete (linkat, which never replaces an existing name nor follows a
// symlink there), so Ctrl-C, a kill or a full disk never leaves a truncated
// file under the name. Where the file system has no O_TMPFILE, a hidden
// random ".meldpunt-*.part" name (O_EXCL | O_NOFOLLOW) is renamed with
// RENAME_NOREPLACE instead: only an interruption then leaves that hidden
// part behind. Returns the name used. kNotFound (no such folder), kIo.
Result<crypto::SecretBuffer> save_attachment(const std::filesystem::path& folder, ByteView name, ByteView content);

// "812 bytes", "14.2 KB", "3.1 MB" (1 KB = 1024 bytes).
std::string describe_size(std::uint64_t bytes);

}  // namespace meldpunt::client
