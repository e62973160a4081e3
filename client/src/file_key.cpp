#include "meldpunt/client/file_key.hpp"

#include <algorithm>

#include "meldpunt/client/recognition.hpp"
#include "meldpunt/client/retrieval.hpp"

namespace meldpunt::client {

protocol::FileEntry file_entry(const FileToSend& file, bool with_seed) {
  protocol::FileEntry entry;
  entry.file_id = file.file_id;
  entry.total_bytes = file.content.size();
  entry.count = protocol::attachment_piece_count(entry.total_bytes);
  entry.digest = file.digest;
  if (with_seed) entry.key_seed = file.key_seed.clone();  // else stays zero
  entry.name = file.name.clone();
  return entry;
}

Result<std::vector<PreparedPiece>> seal_file_pieces(const FileToSend& file, std::uint64_t sent_at,
                                                    const crypto::Secret<32>& sender_sk,
                                                    const crypto::X25519PublicKey& sender_pk) {
  const crypto::ReporterKeys key = crypto::derive_file_keys(file.key_seed);
  const Recipient to{key.message_pk, key.fetch_pk, std::nullopt, std::nullopt};
  std::vector<PreparedPiece> out;
  const std::uint16_t count = protocol::attachment_piece_count(file.content.size());
  for (std::uint16_t index = 0; index < count; ++index) {
    const protocol::AttachmentChunk chunk = attachment_piece(file, index);
    protocol::Letter letter;
    letter.sent_at = sent_at;
    auto piece = prepare_piece(letter, chunk, to, sender_sk, sender_pk);
    if (!piece) return piece.error();
    out.push_back(std::move(piece).value());
  }
  return out;
}

Result<FoundPieces> collect_file_pieces(RelayConnection& relay, const FetchAnswer& answer,
                                        const std::vector<const crypto::ReporterKeys*>& keys,
                                        const std::vector<crypto::MessageId>& skip) {
  if (keys.size() > kMaxFileKeysPerFetch) return Error{ErrorCode::kTooLarge, "too many file keys for one fetch"};
  FoundPieces found;
  std::vector<crypto::MessageId> own;
  std::vector<std::size_t> key_of;
  if (keys.empty()) return found;
  std::vector<const crypto::Secret<crypto::kRistrettoScalarBytes>*> fetch_keys;
  for (const crypto::ReporterKeys* k : keys) fetch_keys.push_back(&k->fetch_sk);
  for (const RecognisedEntry& entry : recognise_entries(answer.entries, fetch_keys)) {
    if (std::find(skip.begin(), skip.end(), entry.id) != skip.end()) continue;
    own.push_back(entry.id);
    key_of.push_back(entry.key);
  }
  if (own.empty()) return found;  // no session at all: nothing of ours to hide
  std::vector<Result<protocol::Reply>> messages = retrieve_messages(relay, own, answer.stored);
  for (std::size_t i = 0; i < own.size(); ++i) {
    Result<protocol::Reply>& message = messages[i];
    if (!message) {
      if (message.error().code == ErrorCode::kNotFound) continue;  // expired since the fetch
      return message.error();
    }
    const crypto::ReporterKeys& key = *keys[key_of[i]];
    auto opened = message->fields.size() == 1
                      ? crypto::open_envelope(message->fields[0], key.message_sk, key.message_pk)
                      : Result<crypto::OpenedEnvelope>(Error{ErrorCode::kMalformed, "not one field"});
    if (!opened) {
      found.unreadable++;
      continue;
    }
    auto letter = protocol::decode_letter(opened->payload.view());
    if (!letter || letter->kind != protocol::LetterKind::kAttachmentChunk) {
      found.unreadable++;
      continue;
    }
    auto chunk = protocol::decode_attachment_chunk(letter->body.view());
    if (!chunk || chunk->type != protocol::ChunkType::kPiece) {
      found.unreadable++;
      continue;
    }
    found.pieces.push_back({key_of[i], own[i], opened->sender_pk, letter->sent_at, std::move(chunk).value()});
  }
  return found;
}

bool match_piece(const protocol::FileEntry& entry, const protocol::AttachmentChunk& chunk) {
  return chunk.type == protocol::ChunkType::kPiece && chunk.file_id == entry.file_id &&
         chunk.total_bytes == entry.total_bytes && chunk.count == entry.count && chunk.name.equals(entry.name) &&
         crypto::digest_equal(chunk.digest, entry.digest);
}

}  // namespace meldpunt::client
