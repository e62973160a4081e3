// Sending a reporter's attachments and receiving an adviser's
// (attachments.hpp). Choosing and reading the files to send is in
// attachment_files.cpp.
#include "attachments.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include "clock.hpp"
#include "interrupt.hpp"
#include "meldpunt/client/file_key.hpp"
#include "meldpunt/client/terminal.hpp"
#include "meldpunt/client/text.hpp"
#include "meldpunt/text/text_policy.hpp"
#include "progress.hpp"

namespace meldpunt::reporter {
namespace {

// A received name as the reporter sees it: the name it would be saved
// under, which has no control, bidirectional or invisible characters left.
crypto::SecretBuffer shown_name(const crypto::SecretBuffer& name) { return client::sanitise_file_name(name.view()); }

std::string adviser_names(Lang lang, const crypto::Directory& directory, const std::vector<crypto::AdviserId>& ids) {
  std::string out;
  for (const crypto::AdviserId& id : ids) {
    const crypto::DirectoryEntry* e = directory.find(id);
    if (!out.empty()) out += ", ";
    out += e != nullptr ? client::terminal_safe_label(e->name) : std::string(text(lang, Msg::kAdviserNoLongerListed));
  }
  return out;
}

std::string state_text(Lang lang, const client::AssembledAttachment& a) {
  switch (a.state) {
    case client::AttachmentState::kIntact: return std::string(text(lang, Msg::kAttachIntact));
    case client::AttachmentState::kIncomplete:
      return format(lang, Msg::kAttachIncomplete, {std::to_string(a.received), std::to_string(a.count)});
    case client::AttachmentState::kCorrupt: return std::string(text(lang, Msg::kAttachCorrupt));
  }
  return std::string(text(lang, Msg::kAttachCorrupt));
}

}  // namespace

Result<std::uint32_t> send_with_attachments(Lang lang, client::RelayConnection& relay,
                                            const crypto::ReporterKeys& keys,
                                            const std::vector<client::FileToSend>& files,
                                            const std::vector<client::Outgoing>& message, std::uint64_t sent_at,
                                            bool* message_unconfirmed) {
  auto pieces = prepare_attachment_letters(keys, files, sent_at);
  if (!pieces) return pieces.error();
  return upload_with_attachments(lang, relay, *pieces, message, message_unconfirmed);
}

Result<std::vector<client::PreparedPiece>> prepare_attachment_letters(const crypto::ReporterKeys& keys,
                                                                      const std::vector<client::FileToSend>& files,
                                                                      std::uint64_t sent_at) {
  std::vector<client::PreparedPiece> out;
  if (files.size() > protocol::kMaxLetterFiles) return Error{ErrorCode::kTooLarge, "too many files"};
  for (const client::FileToSend& file : files) {
    auto pieces = client::seal_file_pieces(file, sent_at, keys.message_sk, keys.message_pk);
    if (!pieces) return pieces.error();
    for (client::PreparedPiece& p : *pieces) out.push_back(std::move(p));
  }
  return out;
}

Result<std::uint32_t> upload_with_attachments(Lang lang, client::RelayConnection& relay,
                                              const std::vector<client::PreparedPiece>& pieces,
                                              const std::vector<client::Outgoing>& message,
                                              bool* message_unconfirmed) {
  if (message_unconfirmed != nullptr) *message_unconfirmed = false;
  std::size_t bytes = envelope_bytes(message);
  for (const client::PreparedPiece& p : pieces) bytes += p.item.envelope.size();
  Progress p(count_text(lang, Counted::kSendingEnvelopes, pieces.size() + message.size(), {client::describe_size(bytes)}),
             text(lang, Msg::kProgressDone), text(lang, Msg::kProgressFailed));
  protocol::PolicyInfo policy;
  std::size_t left_behind = 0;
  // Ctrl-C (interrupt::stop_requested) stops between two deposits: every
  // envelope stored so far is known and deleted again by the undo.
  client::PieceTransport transport;
  transport.deposit = [&](const std::vector<client::Outgoing>& items,
                          protocol::PolicyInfo* used) -> Result<std::vector<crypto::MessageId>> {
    if (interrupt::stop_requested()) return Error{ErrorCode::kInternal, "stopped (Ctrl-C)"};
    auto stored = client::deposit_all(relay, items, used);
    // deposit_pieces hands `message` itself to its last deposit.
    if (!stored && stored.error().code == ErrorCode::kUnavailable && &items == &message &&
        message_unconfirmed != nullptr) {
      *message_unconfirmed = true;
    }
    return stored;
  };
  transport.remove = [&relay](const crypto::MessageId& id, const FixedBytes<32>& token) {
    return client::delete_message(relay, id, token);
  };
  auto ids = client::deposit_pieces(transport, pieces, message, &policy, &left_behind);
  if (!ids) {
    p.failed();
    // An upper bound, not a count: a deposit the relay did not answer may or
    // may not have been stored.
    if (left_behind > 0) {
      client::write_err(policy.retention_days > 0
                            ? format(lang, Msg::kAttachLeftBehind,
                                     {std::to_string(left_behind), std::to_string(policy.retention_days)})
                            : format(lang, Msg::kAttachLeftBehindNoDays, {std::to_string(left_behind)}));
    }
    return ids.error();
  }
  p.done();
  return policy.retention_days;
}

std::string describe_sent(Lang lang, const std::vector<client::FileToSend>& files) {
  std::string out;
  for (const client::FileToSend& f : files) {
    // The reporter's own file name, made safe like any other.
    out += format(lang, Msg::kAttachSentLine, {f.name.text(), client::describe_size(f.content.size())});
  }
  return out;
}

bool holds_attachments(const client::Mailbox& mailbox) {
  return std::any_of(mailbox.letters.begin(), mailbox.letters.end(), [](const client::ReceivedLetter& r) {
    return r.letter.kind == protocol::LetterKind::kAttachmentChunk ||
           (r.letter.kind == protocol::LetterKind::kReply && !r.letter.files.empty());
  });
}

namespace {

// The directory position of the adviser a reply comes from, if its
// authenticated sender is the key the directory lists for the adviser it names.
std::optional<std::size_t> verified_source(const client::ReceivedLetter& r, const crypto::Directory& directory) {
  const crypto::DirectoryEntry* adviser = directory.find(r.letter.adviser_id);
  if (adviser == nullptr || adviser->message_pk != r.sender_pk) return std::nullopt;
  return static_cast<std::size_t>(adviser - directory.entries.data());
}

}  // namespace

Result<ReplyPieces> fetch_reply_pieces(client::RelayConnection& relay, const Conversation& conversation,
                                       const crypto::Directory& directory) {
  ReplyPieces out;
  // Newest first, so the bound keeps the files most likely still wanted.
  std::vector<const client::ReceivedLetter*> replies;
  for (const client::ReceivedLetter& r : conversation.mailbox.letters) {
    if (r.letter.kind == protocol::LetterKind::kReply && !r.letter.files.empty()) replies.push_back(&r);
  }
  std::stable_sort(replies.begin(), replies.end(), [](const client::ReceivedLetter* a, const client::ReceivedLetter* b) {
    return a->letter.sent_at > b->letter.sent_at;
  });
  std::vector<crypto::ReporterKeys> keys;
  for (const client::ReceivedLetter* r : replies) {
    const std::optional<std::size_t> source = verified_source(*r, directory);
    if (!source) continue;
    for (const protocol::FileEntry& f : r->letter.files) {
      if (out.files.size() == client::kMaxFileKeysPerFetch) break;
      out.files.push_back({*source, &f});
      keys.push_back(crypto::derive_file_keys(f.key_seed));
    }
  }
  if (keys.empty()) return out;
  std::vector<const crypto::ReporterKeys*> key_ptrs;
  for (const crypto::ReporterKeys& k : keys) key_ptrs.push_back(&k);
  std::vector<crypto::MessageId> read;
  for (const client::ReceivedLetter& r : conversation.mailbox.letters) read.push_back(r.id);
  auto found = client::collect_file_pieces(relay, conversation.answer, key_ptrs, read);
  if (!found) return found.error();
  out.found = std::move(found).value();
  return out;
}

ConversationAttachments collect_attachments(client::Mailbox& mailbox, const crypto::ReporterKeys& keys,
                                            const crypto::Directory& directory, ReplyPieces* pieces) {
  ConversationAttachments out;
  client::AttachmentAssembler assembler;
  for (client::ReceivedLetter& r : mailbox.letters) {
    // The files a reply announces (version 3): listed even without pieces.
    if (r.letter.kind == protocol::LetterKind::kReply && !r.letter.files.empty()) {
      if (const std::optional<std::size_t> source = verified_source(r, directory)) {
        for (const protocol::FileEntry& f : r.letter.files) assembler.announce(*source, r.letter.sent_at, f);
      }
      continue;
    }
    // The files a sent copy names (version 3): what this code sent.
    if (r.letter.kind == protocol::LetterKind::kSentCopy && r.sender_pk == keys.message_pk) {
      for (const protocol::FileEntry& f : r.letter.files) {
        SentAttachment s;
        s.sent_at = r.letter.sent_at;
        s.name = f.name.clone();
        s.total_bytes = f.total_bytes;
        s.digest = f.digest;
        s.recipients = r.letter.recipients;
        out.sent.push_back(std::move(s));
      }
      continue;
    }
    if (r.letter.kind != protocol::LetterKind::kAttachmentChunk) continue;
    auto chunk = protocol::decode_attachment_chunk(r.letter.body.view());
    // The decoded chunk holds its own copy of the piece; the letter's is
    // not needed again (nothing else reads kind-6 bodies).
    r.letter.body.clear();
    if (!chunk) {
      out.ignored++;
      continue;
    }
    if (r.sender_pk == keys.message_pk) {
      // Our own record of a file we sent, from a client before file keys;
      // we never send ourselves pieces.
      if (chunk->type != protocol::ChunkType::kDescription) {
        out.ignored++;
        continue;
      }
      SentAttachment s;
      s.sent_at = r.letter.sent_at;
      s.name = std::move(chunk->name);
      s.total_bytes = chunk->total_bytes;
      s.digest = chunk->digest;
      s.recipients = r.letter.recipients;
      out.sent.push_back(std::move(s));
      continue;
    }
    // From an adviser: the authenticated sender must be the key the signed
    // directory lists for the adviser the letter names.
    const crypto::DirectoryEntry* adviser = directory.find(r.letter.adviser_id);
    if (adviser == nullptr || adviser->message_pk != r.sender_pk || chunk->type != protocol::ChunkType::kPiece) {
      out.ignored++;
      continue;
    }
    // The directory position tags the sender: pieces of different advisers never combine.
    const auto source = static_cast<std::uint64_t>(adviser - directory.entries.data());
    assembler.add(source, r.letter.sent_at, std::move(chunk).value());
  }
  if (pieces != nullptr) {
    out.ignored += pieces->found.unreadable;
    for (client::FoundPiece& piece : pieces->found.pieces) {
      const ReplyPieces::Announced& file = pieces->files[piece.key];
      // Sealed by the adviser's key, and a piece of the very file announced.
      if (piece.sender_pk != directory.entries[file.source].message_pk || !client::match_piece(*file.entry, piece.chunk)) {
        out.ignored++;
        continue;
      }
      assembler.add(file.source, piece.sent_at, std::move(piece.chunk));
    }
  }
  for (client::AssembledAttachment& a : assembler.assemble()) {
    ReceivedAttachment received;
    received.adviser = &directory.entries[a.source];
    received.file = std::move(a);
    out.received.push_back(std::move(received));
  }
  std::stable_sort(out.sent.begin(), out.sent.end(),
                   [](const SentAttachment& a, const SentAttachment& b) { return a.sent_at < b.sent_at; });
  return out;
}

bool any_unlocked(const ConversationAttachments& attachments) {
  return std::any_of(attachments.received.begin(), attachments.received.end(),
                     [](const ReceivedAttachment& r) { return !r.file.content.locked(); });
}

std::string render_attachments(Lang lang, const ConversationAttachments& attachments,
                               const crypto::Directory& directory, std::string_view save_command) {
  if (attachments.sent.empty() && attachments.received.empty() && attachments.ignored == 0) return {};
  std::string out(text(lang, Msg::kAttachHeading));
  for (const SentAttachment& s : attachments.sent) {
    const crypto::SecretBuffer name = shown_name(s.name);
    out += format(lang, Msg::kAttachSentByYou, {local_time(s.sent_at), name.text(), client::describe_size(s.total_bytes),
                                                adviser_names(lang, directory, s.recipients)});
  }
  bool any_intact = false;
  for (std::size_t i = 0; i < attachments.received.size(); ++i) {
    const ReceivedAttachment& r = attachments.received[i];
    const crypto::SecretBuffer name = shown_name(r.file.name);
    out += format(lang, Msg::kAttachFromAdviser,
                  {std::to_string(i + 1), local_time(r.file.sent_at), client::terminal_safe_label(r.adviser->name),
                   name.text(), client::describe_size(r.file.total_bytes), state_text(lang, r.file)});
    any_intact = any_intact || r.file.state == client::AttachmentState::kIntact;
  }
  if (any_intact && !save_command.empty()) out += format(lang, Msg::kAttachSaveHint, {save_command});
  if (attachments.ignored > 0) out += count_text(lang, Counted::kAttachPiecesIgnored, attachments.ignored);
  return out;
}

Status save_attachments(Lang lang, const ConversationAttachments& attachments, const std::filesystem::path& folder) {
  const bool any_intact =
      std::any_of(attachments.received.begin(), attachments.received.end(),
                  [](const ReceivedAttachment& r) { return r.file.state == client::AttachmentState::kIntact; });
  if (!any_intact) {
    client::write_out(text(lang, Msg::kAttachNoneToSave));
    return Status::success();
  }
  client::write_out(text(lang, Msg::kAttachSaveWarning));
  for (std::size_t i = 0; i < attachments.received.size(); ++i) {
    const ReceivedAttachment& r = attachments.received[i];
    const crypto::SecretBuffer name = shown_name(r.file.name);
    if (r.file.state != client::AttachmentState::kIntact) {
      client::write_out(format(lang, Msg::kAttachNotSaved, {std::to_string(i + 1), name.text(), state_text(lang, r.file)}));
      continue;
    }
    auto saved = client::save_attachment(folder, r.file.name.view(), r.file.content.view());
    if (!saved) {
      return Error{saved.error().code, format(lang, Msg::kAttachSaveFailed, {name.text(), saved.error().message})};
    }
    const std::string where = client::terminal_safe_label((folder / std::string(saved->text())).string());
    client::write_out(format(lang, Msg::kAttachSaved, {std::to_string(i + 1), where}));
  }
  return Status::success();
}

}  // namespace meldpunt::reporter
