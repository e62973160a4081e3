#include "attachments.hpp"

#include <algorithm>

#include "casework.hpp"
#include "meldpunt/client/file_key.hpp"
#include "meldpunt/client/text.hpp"
#include "meldpunt/protocol/wire.hpp"
#include "text.hpp"
#include "wording_commands.hpp"

namespace meldpunt::adviser {
namespace {

std::string state_word(const AttachmentRecord& a, Lang lang) {
  switch (a.state) {
    case client::AttachmentState::kIntact: return tell(lang, Tell::kAttIntact);
    case client::AttachmentState::kIncomplete:
      return tell(lang, Tell::kAttIncomplete, {std::to_string(a.received), std::to_string(a.count)});
    case client::AttachmentState::kCorrupt: return tell(lang, Tell::kAttDamaged);
  }
  return tell(lang, Tell::kAttUnknown);
}

std::string direction_words(const AttachmentRecord& a, Lang lang) {
  return tell(lang, a.direction == Direction::kIn ? Tell::kAttFromReporter : Tell::kAttSentByYou);
}

// Counts a piece the store took (kept, completing or damaging its file) into
// the inbox summary; false for every other outcome, which the caller counts.
// Old-style pieces and pieces found with a file key count alike.
bool count_piece_outcome(InboxSummary& summary, const PieceResult& result) {
  switch (result.outcome) {
    case PieceOutcome::kStored: summary.attachment_pieces++; return true;
    case PieceOutcome::kCompleted:
      summary.attachment_pieces++;
      summary.attachments_completed++;
      if (result.handed_over) summary.to_handed_over++;
      return true;
    case PieceOutcome::kDamaged:
      summary.attachment_pieces++;
      summary.attachments_damaged++;
      return true;
    default: return false;
  }
}

// Every piece was deposited before the letter: once the relay's longest
// retention has passed since, none is left to come.
bool file_key_expired(const PendingFileKey& key, std::optional<std::uint32_t> max_stored_days, std::uint64_t now) {
  return max_stored_days && key.announced_at + std::uint64_t{*max_stored_days + 1} * 86400 < now;
}

}  // namespace

Result<PieceOutcome> apply_attachment_piece(CaseStore& store, const client::ReceivedLetter& received,
                                            std::uint64_t max_file_bytes, InboxSummary& summary,
                                            std::vector<PendingDelete>& seen_again, std::vector<PendingDelete>& refused) {
  const protocol::Letter& letter = received.letter;
  auto refuse = [&](PieceOutcome outcome) {
    refused.push_back({received.id, letter.delete_token});
    return outcome;
  };
  auto chunk = protocol::decode_attachment_chunk(letter.body.view());
  // A reporter sends advisers pieces only (descriptions go to its own key).
  if (!chunk || chunk->type != protocol::ChunkType::kPiece) {
    summary.refused++;
    return refuse(PieceOutcome::kConflict);
  }
  // The organisation's limit holds for what arrives too: the relay cannot
  // tell pieces from other envelopes, so only the receiver can enforce it.
  if (chunk->total_bytes > max_file_bytes) {
    summary.attachments_refused++;
    return refuse(PieceOutcome::kOverQuota);
  }
  IncomingPiece piece;
  piece.relay_id = received.id;
  piece.delete_token = letter.delete_token;
  piece.reporter_message_pk = received.sender_pk;
  piece.sent_at = letter.sent_at;
  piece.received_at = now_seconds();
  piece.chunk = &chunk.value();
  auto outcome = store.record_incoming_piece(piece);
  if (!outcome) return outcome.error();  // nothing deleted yet: the next run tries again
  if (count_piece_outcome(summary, *outcome)) return outcome->outcome;
  switch (outcome->outcome) {
    case PieceOutcome::kStored:
    case PieceOutcome::kCompleted:
    case PieceOutcome::kDamaged: break;  // counted above
    case PieceOutcome::kAlreadyKnown:
      summary.already_stored++;
      seen_again.push_back({received.id, letter.delete_token});
      break;
    case PieceOutcome::kNoCase: break;  // the caller decides: wait for the report, or give up
    case PieceOutcome::kAnnounced: break;  // not an outcome of a piece
    case PieceOutcome::kReplayed:
      summary.replayed++;
      refuse(outcome->outcome);
      break;
    case PieceOutcome::kRetired:
      summary.refused++;
      refuse(outcome->outcome);
      break;
    case PieceOutcome::kOverQuota:
      summary.attachments_refused++;
      refuse(outcome->outcome);
      break;
    case PieceOutcome::kConflict:
      // Recorded (delete pending): the deletion at the end of inbox removes it.
      summary.attachments_damaged++;
      break;
  }
  return outcome->outcome;
}

Status record_announced_files(CaseStore& store, const CaseKey& case_key, const client::ReceivedLetter& received,
                              std::uint64_t max_file_bytes, InboxSummary& summary) {
  for (const protocol::FileEntry& entry : received.letter.files) {
    // The organisation's limit holds for what arrives too: the relay cannot
    // tell pieces from other envelopes, so only the receiver can enforce it.
    if (entry.total_bytes > max_file_bytes) {
      summary.files_refused++;
      continue;
    }
    auto outcome = store.record_file_key(case_key, received.sender_pk, received.letter.sent_at, now_seconds(), entry);
    if (!outcome) return outcome.error();
    if (*outcome == PieceOutcome::kOverQuota) summary.files_refused++;
  }
  return Status::success();
}

Result<AnnouncedPieces> collect_announced_pieces(client::RelayConnection& relay, const client::FetchAnswer& answer,
                                                 const CaseStore& store,
                                                 const std::vector<client::ReceivedLetter>& letters,
                                                 const crypto::AdviserId& own_id, std::uint64_t max_file_bytes,
                                                 std::optional<std::uint32_t> max_stored_days,
                                                 const std::vector<crypto::MessageId>& skip) {
  AnnouncedPieces out;
  auto pending = store.pending_file_keys();
  if (!pending) return pending.error();
  const std::uint64_t now = now_seconds();
  auto add = [&](const crypto::X25519PublicKey& sender, const protocol::FileEntry& entry) {
    if (out.keys.size() >= client::kMaxFileKeysPerFetch) return;
    const bool known = std::any_of(out.keys.begin(), out.keys.end(), [&](const FileKeyCandidate& k) {
      return k.sender_pk == sender && k.file_id == entry.file_id && k.key_seed.equals(entry.key_seed);
    });
    if (!known) out.keys.push_back({sender, entry.file_id, entry.key_seed.clone()});
  };
  for (const PendingFileKey& p : *pending) {
    if (!file_key_expired(p, max_stored_days, now)) add(p.sender_pk, p.entry);
  }
  for (const client::ReceivedLetter& r : letters) {
    if (r.letter.kind != protocol::LetterKind::kReport || r.letter.adviser_id != own_id) continue;
    for (const protocol::FileEntry& entry : r.letter.files) {
      if (entry.total_bytes <= max_file_bytes) add(r.sender_pk, entry);
    }
  }
  if (out.keys.empty()) return out;
  std::vector<crypto::ReporterKeys> keys;
  keys.reserve(out.keys.size());
  for (const FileKeyCandidate& k : out.keys) keys.push_back(crypto::derive_file_keys(k.key_seed));
  std::vector<const crypto::ReporterKeys*> key_ptrs;
  for (const crypto::ReporterKeys& k : keys) key_ptrs.push_back(&k);
  auto found = client::collect_file_pieces(relay, answer, key_ptrs, skip);
  if (!found) return found.error();
  out.pieces = std::move(found->pieces);
  out.unreadable = found->unreadable;
  return out;
}

Status record_announced_pieces(CaseStore& store, const AnnouncedPieces& found, std::size_t first, std::size_t last,
                               std::optional<std::uint32_t> max_stored_days, InboxSummary& summary) {
  auto pending = store.pending_file_keys();
  if (!pending) return pending.error();
  const std::uint64_t now = now_seconds();
  std::vector<PendingFileKey> active;
  for (PendingFileKey& p : *pending) {
    if (file_key_expired(p, max_stored_days, now)) {
      if (Status s = store.drop_file_key(p.case_key, p.sequence); !s) return s;
      continue;
    }
    if (active.size() < client::kMaxFileKeysPerFetch) active.push_back(std::move(p));
  }
  if (active.empty()) return Status::success();
  if (first == 0) summary.unreadable += found.unreadable;
  for (std::size_t i = first; i < last && i < found.pieces.size(); ++i) {
    const client::FoundPiece& piece = found.pieces[i];
    const FileKeyCandidate& candidate = found.keys.at(piece.key);
    const auto key = std::find_if(active.begin(), active.end(), [&](const PendingFileKey& p) {
      return p.sender_pk == candidate.sender_pk && p.entry.file_id == candidate.file_id &&
             p.entry.key_seed.equals(candidate.key_seed);
    });
    if (key == active.end()) continue;  // its report was refused, or the key waits for a later run
    // Sealed by the reporter key that announced the file, and a piece of
    // that very file: anyone else who holds the file key (another reader)
    // can seal to it, and a key may have been given for two files.
    if (piece.sender_pk != key->sender_pk || !client::match_piece(key->entry, piece.chunk)) {
      summary.unreadable++;
      continue;
    }
    auto outcome = store.record_file_piece(*key, piece.chunk, now);
    if (!outcome) return outcome.error();
    (void)count_piece_outcome(summary, *outcome);  // anything else: seen before
  }
  return Status::success();
}

Result<std::vector<client::FileToSend>> read_files_to_send(client::RelayConnection& relay,
                                                           const std::vector<std::string>& paths) {
  if (paths.size() > kMaxAttachmentsPerReply) {
    return Error{ErrorCode::kTooLarge,
                 "at most " + std::to_string(kMaxAttachmentsPerReply) + " attachments per reply; nothing was sent",
                 false, ErrorSubject::kAttachmentCount};
  }
  // Sizes first, before the relay is asked: a missing file is named at once.
  std::vector<std::uint64_t> sizes;
  for (const std::string& path : paths) {
    auto size = client::attachment_file_size(path);
    // The message holds the path as given: made safe before it reaches the terminal.
    if (!size) {
      return Error{size.error().code,
                   "attachment: " + terminal_safe_label(size.error().message) + "; nothing was sent"};
    }
    sizes.push_back(*size);
  }
  auto policy = client::fetch_policy(relay);
  if (!policy) return policy.error();
  const std::uint64_t limit = client::attachment_limit(*policy);
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const std::string shown = terminal_safe_label(paths[i]);
    switch (client::check_attachment_size(sizes[i], limit)) {
      case client::SizeVerdict::kFits: break;
      case client::SizeVerdict::kRelayRefuses:
        return Error{ErrorCode::kTooLarge,
                     "this relay does not accept attachments (its max-attachment-bytes is 0); nothing was sent", false,
                     ErrorSubject::kAttachmentsOff};
      case client::SizeVerdict::kEmpty:
        return Error{ErrorCode::kMalformed, shown + " is empty; nothing was sent", false,
                     ErrorSubject::kAttachmentEmpty};
      case client::SizeVerdict::kOverLimit:
        return Error{ErrorCode::kTooLarge,
                     shown + " is " + client::describe_size(sizes[i]) + "; this relay accepts attachments up to " +
                         client::describe_size(limit) + " (" + std::to_string(limit) + " bytes). Nothing was sent",
                     false, ErrorSubject::kAttachmentSize};
    }
  }
  std::vector<client::FileToSend> files;
  for (const std::string& path : paths) {
    auto file = client::read_attachment(path, limit);
    if (!file) {
      return Error{file.error().code,
                   "attachment: " + terminal_safe_label(file.error().message) + "; nothing was sent"};
    }
    files.push_back(std::move(file).value());
  }
  return files;
}

Result<SentWithAttachments> send_with_attachments(client::RelayConnection& relay, const KeyFile& key_file,
                                                  CaseStore& store, const CaseRecord& case_record,
                                                  const crypto::SecretBuffer& body,
                                                  const std::vector<client::FileToSend>& files) {
  if (body.size() > protocol::max_reply_body_bytes()) {
    return Error{ErrorCode::kTooLarge,
                 "the reply is longer than " + std::to_string(protocol::max_reply_body_bytes()) + " bytes"};
  }
  if (files.empty() && body.empty()) return Error{ErrorCode::kMalformed, "nothing to send"};
  const crypto::AdviserIdentity& identity = key_file.identity();
  client::Recipient to;
  to.message_pk = case_record.reporter_message_pk;
  to.fetch_pk = case_record.reporter_fetch_pk;
  const std::uint64_t sent_at = now_seconds();

  if (files.size() > protocol::kMaxLetterFiles) return Error{ErrorCode::kTooLarge, "too many files"};
  // Every piece sealed once, to its file's key, as a reporter's are
  // (client/file_key.hpp); the reply letter, last, announces the files with
  // their keys. Without text it is a reply with an empty body.
  std::vector<client::PreparedPiece> pieces;
  for (const client::FileToSend& file : files) {
    auto sealed = client::seal_file_pieces(file, sent_at, identity.message.sk, identity.message.pk);
    if (!sealed) return sealed.error();
    for (client::PreparedPiece& p : *sealed) pieces.push_back(std::move(p));
  }
  std::vector<client::Outgoing> last;
  {
    protocol::Letter letter =
        signed_reply(key_file.profile().id, identity, case_record.reporter_message_pk, sent_at, body);
    for (const client::FileToSend& file : files) letter.files.push_back(client::file_entry(file, true));
    if (protocol::letter_bytes(0, body.size() + protocol::kLetterSignatureBytes, protocol::file_block_bytes(letter.files)) >
        crypto::kMaxEnvelopePayload) {
      return Error{ErrorCode::kTooLarge, "the reply is too long to carry its files' keys; shorten it"};
    }
    auto outgoing = client::prepare_letter(letter, to, identity.message.sk, identity.message.pk);
    if (!outgoing) return outgoing.error();
    last.push_back(std::move(outgoing).value());
  }

  SentWithAttachments result;
  result.envelopes = pieces.size() + last.size();
  auto ids = client::deposit_pieces(relay, pieces, last, nullptr, &result.left_behind);
  if (!ids) {
    if (result.left_behind > 0) {
      Error e = ids.error();  // still the relay's refusal, if it was one
      e.message += " (nothing was recorded in the case; " + std::to_string(result.left_behind) +
                   " piece(s) could not be removed from the relay and expire by themselves)";
      return e;
    }
    return ids.error();
  }
  const std::uint64_t stored_at = now_seconds();
  if (!body.empty()) {
    if (Status s = store.record_outgoing(case_record.key, sent_at, stored_at, ids->back(), body.view()); !s) {
      return Error{s.error().code, "the reply was sent, but keeping its copy in the case failed: " + s.error().message};
    }
  }
  for (const client::FileToSend& file : files) {
    if (Status s = store.record_outgoing_attachment(case_record.key, sent_at, stored_at, file.file_id,
                                                    file.name.view(), file.content.view(), file.digest);
        !s) {
      return Error{s.error().code, "the attachments were sent, but keeping them in the case failed: " +
                                       s.error().message};
    }
  }
  return result;
}

std::string render_attachments(const std::vector<AttachmentRecord>& attachments, Lang lang) {
  std::string out;
  for (std::size_t i = 0; i < attachments.size(); ++i) {
    const AttachmentRecord& a = attachments[i];
    const crypto::SecretBuffer name = client::sanitise_file_name(a.name.view());
    out += "  [" + std::to_string(i + 1) + "] " + format_minute(a.sent_at) + "  " + direction_words(a, lang) +
           ": " + std::string(name.text()) + " (" + client::describe_size(a.total_bytes) + "), " +
           state_word(a, lang) + "\n";
  }
  return out;
}

std::string describe_attachment(const AttachmentRecord& a, std::size_t number, Lang lang) {
  const crypto::SecretBuffer name = client::sanitise_file_name(a.name.view());
  return tell(lang, Tell::kAttDetails,
              {std::to_string(number), name.text(), direction_words(a, lang), format_minute(a.sent_at),
               client::describe_size(a.total_bytes), std::to_string(a.total_bytes), std::to_string(a.received),
               std::to_string(a.count), state_word(a, lang)}) +
         tell(lang, Tell::kAttChecksum, {to_hex(a.digest)});
}

}  // namespace meldpunt::adviser
