// The reporter's attachments (`new`/`reply --attach FILE`, `check
// [--save FOLDER]`), on top of client/attachment.hpp.
//
// Sending: every file goes piece by piece (kind-6 letters), each piece
// sealed once to the file's own key (client/file_key.hpp), whose seed every
// adviser finds in its own letter of the message (version 3, deposits.hpp):
// the pieces are as many for one adviser as for fourteen. The reporter's
// sent copy names the files (name, size, digest) without their seeds, so
// that `check` can list what was sent: the reporter keeps no files, and it
// already has these. (Clients before file keys sent every piece to every
// adviser and a kind-6 description to the reporter's own key; `check` still
// reads such descriptions.)
//
// Receiving: pieces from an adviser count only if their envelope's
// authenticated sender is the message key the signed directory lists for the
// adviser the letter names; pieces from different advisers never combine.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "deposits.hpp"
#include "meldpunt/client/attachment.hpp"
#include "meldpunt/client/file_key.hpp"
#include "texts.hpp"

namespace meldpunt::reporter {

// At most this many files per message: each adds its description to the
// reporter's own copy, and the message must stay readable.
inline constexpr std::size_t kMaxAttachmentsPerMessage = 8;

// Reads the files named with --attach, after checking each against the
// relay's limit (`policy`) and the receivers' hard cap, and all of them
// together against the locked memory left (crypto::lockable_bytes): a file
// that could be swapped to disk is refused, with how to raise the limit
// (a shared or monitored computer must find no trace of it, and swap is
// disk). Nothing is typed or sent for a file that cannot go. Errors carry
// text in `lang`.
Result<std::vector<client::FileToSend>> read_attachments(Lang lang, const std::vector<std::string>& paths,
                                                         const protocol::PolicyInfo& policy);

// read_attachments after asking the relay for its policy; no network
// traffic and an empty list when `paths` is empty.
Result<std::vector<client::FileToSend>> load_attachments(Lang lang, client::RelayConnection& relay,
                                                         const std::vector<std::string>& paths);

// --attach-ask: asks for more files at a prompt (client::read_line: the
// terminal, or standard input when it is piped), one path per line, until an
// empty line (or one of blanks only) or the end of input, so that their paths
// never reach the command line (shell history, /proc/PID/cmdline). `files`
// holds the files already read from --attach (`given`, their paths); with
// kMaxAttachmentsPerMessage of them nothing is asked (one line says so). Each
// file typed is checked and read into locked memory at once, exactly as
// read_attachments would, and appended. A line that cannot go (holding a
// control character, naming a file that is absent, not a readable regular
// file, empty, over the relay's limit, not lockable or already attached, or
// any line beyond kMaxAttachmentsPerMessage files in all) is refused:
//   - on a terminal (client::stdin_is_terminal) the reason is given on stderr
//     and the question asked again; kAskAttachmentTries such answers in a row
//     end it with an error (nothing has been sent);
//   - otherwise nobody can answer again: the first one ends it with an error
//     that gives the reason but never the line's text (a message piped
//     without the empty line that ends the list must not be echoed).
// Error texts never hold raw error messages (see attachment_problem). "~/" at
// the start of a path is the home folder; a path that does not exist as typed
// is tried once more without surrounding blanks and quotes, as a file dragged
// into a terminal window is pasted. An error when the relay takes no
// attachments at all.
inline constexpr int kAskAttachmentTries = 3;
Status ask_attachments(Lang lang, const protocol::PolicyInfo& policy, const std::vector<std::string>& given,
                       std::vector<client::FileToSend>& files);

// ask_attachments after asking the relay for its policy.
Status ask_attachments(Lang lang, client::RelayConnection& relay, const std::vector<std::string>& given,
                       std::vector<client::FileToSend>& files);

// The path a line typed at the --attach-ask prompt names (see
// ask_attachments): "~/" expanded, and blanks and one pair of quotes around
// it removed when the path as typed does not exist.
std::string path_at_prompt(std::string_view typed);

// True if a line typed at the --attach-ask prompt holds a control character
// (C0 including NUL and Tab, DEL, or a C1 control encoded in UTF-8): such a
// line is refused before it is used as a path (open() would stop at a NUL
// while the file's name is taken from the whole line; an arrow key puts
// "\x1b[D" in). client::read_line has already dropped the CR of a CRLF.
bool has_control_character(std::string_view line);

// True for a line of nothing but spaces and tabs (or nothing): it ends the
// list like an empty line.
bool is_blank_line(std::string_view line);

// Why the file at `path` cannot be attached, in `lang`, from an error of
// client::attachment_file_size or client::read_attachment for that path:
// a translated reason for the kinds recognised (no such file, not a regular
// file, no permission, changed while read, another system error by its
// errno text), without the path. Anything else is the error's text made safe
// for the terminal (client::terminal_safe_label) when `may_name_file`, else a
// general reason. Never the raw message, which holds the raw path.
std::string attachment_problem(Lang lang, const Error& error, const std::string& path, bool may_name_file = true);

// "Attached: NAME (SIZE)" lines, shown before the reporter confirms.
std::string describe_attached(Lang lang, const std::vector<client::FileToSend>& files);

// Every file's pieces, each sealed once to the file's key (client/file_key.hpp)
// and dated `sent_at` (the time of the message that announces the files):
// the same number of envelopes whichever advisers read them. One piece of
// plaintext at a time: no second copy of a whole file.
Result<std::vector<client::PreparedPiece>> prepare_attachment_letters(const crypto::ReporterKeys& keys,
                                                                      const std::vector<client::FileToSend>& files,
                                                                      std::uint64_t sent_at);

// Deposits the pieces, then `message` (client::deposit_pieces), with
// progress on stderr. Returns how many days the relay keeps messages. Stops
// before the next deposit once interrupt::stop_requested(). On failure,
// `*message_unconfirmed` tells whether the message's own deposit went out
// without an answer (the relay may have stored it).
Result<std::uint32_t> upload_with_attachments(Lang lang, client::RelayConnection& relay,
                                              const std::vector<client::PreparedPiece>& pieces,
                                              const std::vector<client::Outgoing>& message,
                                              bool* message_unconfirmed = nullptr);

// prepare_attachment_letters, then upload_with_attachments with the
// message's envelopes `message` (from prepare_report with the same files,
// dated `sent_at`: now for `new`, reporter::next_own_time for a reply).
Result<std::uint32_t> send_with_attachments(Lang lang, client::RelayConnection& relay,
                                            const crypto::ReporterKeys& keys,
                                            const std::vector<client::FileToSend>& files,
                                            const std::vector<client::Outgoing>& message, std::uint64_t sent_at,
                                            bool* message_unconfirmed = nullptr);

// One line per file sent, for the confirmation after sending.
std::string describe_sent(Lang lang, const std::vector<client::FileToSend>& files);

struct SentAttachment {
  std::uint64_t sent_at = 0;
  crypto::SecretBuffer name;  // as described; sanitised when shown
  std::uint64_t total_bytes = 0;
  crypto::FileDigest digest{};
  std::vector<crypto::AdviserId> recipients;
};

struct ReceivedAttachment {
  const crypto::DirectoryEntry* adviser = nullptr;  // the verified sender
  client::AssembledAttachment file;
};

struct ConversationAttachments {
  std::vector<SentAttachment> sent;          // the reporter's own descriptions, by time
  std::vector<ReceivedAttachment> received;  // from advisers, by time
  std::size_t ignored = 0;                   // kind-6 letters that failed a check
};

// The attachments among the conversation's letters (kind 6). The body of
// every kind-6 letter is released once decoded, so a received file is not
// held as letters, pieces and file all at once; the letters' ids and delete
// tokens stay.
// Files an adviser's reply announces (version 3) are listed whether or not
// their pieces came; `pieces` (from fetch_reply_pieces) adds those found.
struct ReplyPieces;
ConversationAttachments collect_attachments(client::Mailbox& mailbox, const crypto::ReporterKeys& keys,
                                            const crypto::Directory& directory, ReplyPieces* pieces = nullptr);

// The pieces of the files that advisers' replies announce (letter version 3,
// client/file_key.hpp), found in the conversation's fetch answer and
// retrieved in a session of their own. Only replies whose sender is the key
// the directory lists for the adviser they name count; at most
// client::kMaxFileKeysPerFetch files, the newest (the rest are listed as
// incomplete). No retrieval when there are none.
struct ReplyPieces {
  struct Announced {
    std::size_t source = 0;  // directory position of the adviser
    const protocol::FileEntry* entry = nullptr;  // in the conversation's letters
  };
  std::vector<Announced> files;  // by key index of the pieces
  client::FoundPieces found;
};
Result<ReplyPieces> fetch_reply_pieces(client::RelayConnection& relay, const Conversation& conversation,
                                       const crypto::Directory& directory);

// Adds every file of `attachments` (the reporter's descriptions, advisers'
// files whole or not) to conversation.files, so that histories note them
// with their messages and the hand-over question can name them.
// (file_notes.cpp)
void note_files(Conversation& conversation, const ConversationAttachments& attachments);

// The files a hand-over leaves behind: every file of conversation.files
// (after note_files), one line each "    NAME (SIZE)", names made safe for the
// terminal; empty when there are none. (file_notes.cpp)
std::string files_left_behind(const Conversation& conversation);

// True if the conversation holds attachment letters (pieces from advisers
// or the reporter's descriptions) or replies announcing files. `rotate` then keeps the old code's
// letters: attachments do not move to the new code, and files not saved yet
// would otherwise be lost.
bool holds_attachments(const client::Mailbox& mailbox);

// True if a received file's content is not all in locked memory (the
// memlock limit ran out while assembling it): `check` says so, as it could
// be swapped to disk.
bool any_unlocked(const ConversationAttachments& attachments);

// The list `check` shows (empty when there are none): names made safe for
// the terminal, sizes, and intact / incomplete / damaged.
// With a non-empty `save_command` (the command to run, in full, without
// --save), how to save the intact ones.
std::string render_attachments(Lang lang, const ConversationAttachments& attachments,
                               const crypto::Directory& directory, std::string_view save_command);

// Saves every intact attachment from an adviser into `folder` (never
// overwriting; mode 0600) and writes what it did to stdout. Incomplete and
// damaged ones are named, never saved.
Status save_attachments(Lang lang, const ConversationAttachments& attachments, const std::filesystem::path& folder);

}  // namespace meldpunt::reporter
