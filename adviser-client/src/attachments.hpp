// The adviser's attachments: pieces collected by `inbox` into the case store,
// files sent with `reply --attach`, the list `read` and `export` show, and
// `attachment CASE N --save FOLDER`.
//
// A reporter's report announces its files with a file key each (letter
// version 3, client/file_key.hpp); inbox keeps the keys (sealed, like every
// value of the store) and collects the pieces sealed to them, possibly over
// several runs, never deleting them at the relay: every reader of the file
// reads the same pieces. Pieces from reporters' clients before file keys
// (sealed to each adviser) are stored as they arrive and deleted at the
// relay once stored; such a piece whose case does not exist yet (its report
// is still being uploaded) stays at the relay for a later run. Files the adviser sends
// go to the case's reporter piece by piece (kind-6 letters), the text of the
// reply last, and are kept whole in the case as the adviser's record.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "case_store.hpp"
#include "inbox.hpp"
#include "key_file.hpp"
#include "meldpunt/cli/language.hpp"
#include "meldpunt/client/attachment.hpp"
#include "meldpunt/client/file_key.hpp"
#include "meldpunt/client/mailbox.hpp"

namespace meldpunt::adviser {

inline constexpr std::size_t kMaxAttachmentsPerReply = 8;

// Pieces that find no case wait at the relay for their report this long,
// then are deleted (an upload that broke off before its message).
inline constexpr std::uint64_t kMaxPieceWaitSeconds = 7 * 86400;

// Step 4 of sync_inbox for one kind-6 letter addressed to us, applied in the
// order the reporter sent its letters (so pieces sent before a move to a new
// code still land in the case). Refuses (appends to `refused`) a piece of a
// file over `max_file_bytes` (the relay's announced limit) or over the
// case's allowance, or from a code the reporter left; a piece seen before
// joins `seen_again`. kNoCase is left to the caller: its report may come
// later in the same run.
Result<PieceOutcome> apply_attachment_piece(CaseStore& store, const client::ReceivedLetter& received,
                                            std::uint64_t max_file_bytes, InboxSummary& summary,
                                            std::vector<PendingDelete>& seen_again, std::vector<PendingDelete>& refused);

// Files announced by a version 3 report (kind 1) just recorded in case
// `case_key`: each entry's file and key are kept (CaseStore::record_file_key)
// unless the file is over `max_file_bytes` (the relay's announced limit) or
// the case's allowance (counted in summary.files_refused). Idempotent: the
// same report seen again records nothing new.
Status record_announced_files(CaseStore& store, const CaseKey& case_key, const client::ReceivedLetter& received,
                              std::uint64_t max_file_bytes, InboxSummary& summary);

// A file key whose pieces an inbox run looks for: one the store holds, or
// one a report of this run announces (recorded only when the report is
// applied, but its pieces are in the same fetch answer already).
struct FileKeyCandidate {
  crypto::X25519PublicKey sender_pk{};  // the reporter key that sealed the announcing letter
  protocol::AttachmentFileId file_id{};
  crypto::Secret<crypto::kFileKeySeedBytes> key_seed;
};

// The pieces found for the candidates in one fetch answer (collected before
// anything is applied; recorded by record_announced_pieces).
struct AnnouncedPieces {
  std::vector<FileKeyCandidate> keys;      // each piece's `key` indexes this
  std::vector<client::FoundPiece> pieces;
  std::size_t unreadable = 0;              // recognised, but not a piece that opens
};

// Collect side (network, reads the store only): the pieces in `answer` (the
// fetch answer the letters came from, so pieces deposited before their
// letter are found in the run that reads the letter) of every pending file
// key the store holds, oldest announcements first, then of every file the
// kind-1 `letters` to `own_id` announce within `max_file_bytes`; at most
// client::kMaxFileKeysPerFetch keys per run, the rest wait for the next run.
// Keys announced longer ago than `max_stored_days` (when known) are left out
// (their pieces have expired at the relay). `skip`: ids already read as
// letters. Nothing is deleted at the relay (pieces are shared by every
// reader).
Result<AnnouncedPieces> collect_announced_pieces(client::RelayConnection& relay, const client::FetchAnswer& answer,
                                                 const CaseStore& store,
                                                 const std::vector<client::ReceivedLetter>& letters,
                                                 const crypto::AdviserId& own_id, std::uint64_t max_file_bytes,
                                                 std::optional<std::uint32_t> max_stored_days,
                                                 const std::vector<crypto::MessageId>& skip);

// Apply side (store only), after the letters of the run are applied: drops
// the keys of files whose pieces have expired at the relay (as above), then
// records each piece of found.pieces[first, last) found for a key the store
// now holds pending (the same sender, file id and seed; among the first
// client::kMaxFileKeysPerFetch). A piece counts only if its sender is the
// key that sealed the announcing letter and it belongs to the announced
// file (client::match_piece). Pieces of a file whose report was refused are
// left alone. Called once per commit for a share of the pieces (bounded by
// inbox_apply.cpp); found.unreadable is counted by the call with first 0.
Status record_announced_pieces(CaseStore& store, const AnnouncedPieces& found, std::size_t first, std::size_t last,
                               std::optional<std::uint32_t> max_stored_days, InboxSummary& summary);

// Asks the relay for its attachment limit and reads the files, refusing
// (before anything is sent) an empty file, a file over the limit, or any file
// when the relay accepts none. Messages say what to do.
Result<std::vector<client::FileToSend>> read_files_to_send(client::RelayConnection& relay,
                                                           const std::vector<std::string>& paths);

struct SentWithAttachments {
  std::size_t envelopes = 0;
  std::size_t left_behind = 0;  // after a failure: pieces whose deletion at the relay failed
};

// Sends the files to the case's reporter (pieces first), then `body` as a
// kReply letter unless it is empty (an attachment-only reply), and records
// the text and each file in the case. Nothing is recorded unless every
// deposit succeeded.
Result<SentWithAttachments> send_with_attachments(client::RelayConnection& relay, const KeyFile& key_file,
                                                  CaseStore& store, const CaseRecord& case_record,
                                                  const crypto::SecretBuffer& body,
                                                  const std::vector<client::FileToSend>& files);

// The list of a case's files for `read` and exports, numbered from 1 as
// `attachment CASE N` takes them; names made safe (client::sanitise_file_name).
// In `lang` (an export's document is always English).
std::string render_attachments(const std::vector<AttachmentRecord>& attachments, cli::Lang lang);
// One file in detail: direction, dates, size, pieces, state, BLAKE2b-256.
std::string describe_attachment(const AttachmentRecord& record, std::size_t number, cli::Lang lang);

}  // namespace meldpunt::adviser
