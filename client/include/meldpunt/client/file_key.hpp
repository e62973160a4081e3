// File keys (docs/PROTOCOL.md, "Attachments"): every piece of a file is
// sealed once, to keys derived from a random seed the sender draws for that
// file (crypto::derive_file_keys), and authenticated by the sender's own
// message key as any letter is. The seed travels inside each reader's own
// letter (protocol::FileEntry, letter version 3), so the number of pieces a
// deposit holds depends on the file's size alone, never on how many readers
// it has.
//
//   sending   seal_file_pieces: one kind-6 letter per piece, to the file key;
//   receiving collect_file_pieces: the entries of one fetch answer that any
//             of the reader's pending file keys recognises, fetched in a
//             retrieval session of their own (retrieval.hpp: padded to K
//             with decoys, each on its own connection), opened with the file
//             key that recognised them, and decoded.
//
// Pieces are shared by every reader of the file: no reader deletes them (the
// first would take them from the others); they expire with the relay's
// retention. A reader still checks each piece's sender and that it belongs
// to the file its letter announced (match_piece).
#pragma once

#include <cstddef>
#include <vector>

#include "meldpunt/client/attachment.hpp"
#include "meldpunt/client/mailbox.hpp"
#include "meldpunt/crypto/derive.hpp"
#include "meldpunt/protocol/attachment.hpp"
#include "meldpunt/protocol/letter.hpp"

namespace meldpunt::client {

// The entry that announces `file` in a version 3 letter: with its seed for a
// reader, with a zero seed for the sender's own copy (which needs only name,
// size and digest, and so does not hold the key to the pieces).
protocol::FileEntry file_entry(const FileToSend& file, bool with_seed);

// Every piece of `file`, each a kind-6 letter dated `sent_at` naming nobody
// (adviser id, fetch pk and recipients zero: the file key is the recipient),
// sealed to the file key with the sender's key pair, one piece's plaintext
// at a time.
Result<std::vector<PreparedPiece>> seal_file_pieces(const FileToSend& file, std::uint64_t sent_at,
                                                    const crypto::Secret<32>& sender_sk,
                                                    const crypto::X25519PublicKey& sender_pk);

// A piece a reader found with one of its file keys.
struct FoundPiece {
  std::size_t key = 0;  // index into the keys given to collect_file_pieces
  crypto::MessageId id{};
  crypto::X25519PublicKey sender_pk{};  // authenticated by the envelope
  std::uint64_t sent_at = 0;
  protocol::AttachmentChunk chunk;  // a kPiece
};

struct FoundPieces {
  std::vector<FoundPiece> pieces;
  std::size_t unreadable = 0;  // recognised, but not a piece that opens and decodes
};

// Recognises in `answer` the entries of each key in `keys` (each entry by
// the first key that recognises it; ids in `skip` are left out: already
// read), downloads them in one retrieval session and opens each with the key
// that recognised it. Costs one recognise per entry per key: callers bound
// the number of keys (kMaxFileKeysPerFetch).
inline constexpr std::size_t kMaxFileKeysPerFetch = 64;
Result<FoundPieces> collect_file_pieces(RelayConnection& relay, const FetchAnswer& answer,
                                        const std::vector<const crypto::ReporterKeys*>& keys,
                                        const std::vector<crypto::MessageId>& skip = {});

// True if `chunk` is a piece of the file `entry` announces: same id, size,
// piece count, name and digest (the digest compared in constant time). A
// piece that fails is refused: a file key reused for another file, or a
// piece made by someone else who holds the key (a co-reader) cannot join it.
bool match_piece(const protocol::FileEntry& entry, const protocol::AttachmentChunk& chunk);

}  // namespace meldpunt::client
