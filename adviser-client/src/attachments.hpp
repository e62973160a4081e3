// The adviser's attachments: pieces collected by `inbox` into the case store,
// files sent with `reply --attach`, the list `read` and `export` show, and
// `attachment CASE N --save FOLDER`.
//
// Pieces from a reporter are stored (sealed, like every value of the store)
// as they arrive, possibly over several inbox runs, and deleted at the relay
// once stored; a piece whose case does not exist yet (its report is still
// being uploaded) stays at the relay for a later run. Files the adviser sends
// go to the case's reporter piece by piece (kind-6 letters), the text of the
// reply last, and are kept whole in the case as the adviser's record.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "case_store.hpp"
#include "inbox.hpp"
#include "key_file.hpp"
#include "meldpunt/client/attachment.hpp"
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
std::string render_attachments(const std::vector<AttachmentRecord>& attachments);
// One file in detail: direction, dates, size, pieces, state, BLAKE2b-256.
std::string describe_attachment(const AttachmentRecord& record, std::size_t number);

}  // namespace meldpunt::adviser
