#include "meldpunt/client/attachment.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "meldpunt/client/text.hpp"
#include "meldpunt/common/unique_fd.hpp"
#include "meldpunt/crypto/random.hpp"

namespace meldpunt::client {
namespace {

std::string errno_text() { return std::strerror(errno); }

}  // namespace

// ---- limits ----

std::uint64_t attachment_limit(const protocol::PolicyInfo& policy) {
  return std::min<std::uint64_t>(policy.max_attachment_bytes, protocol::kMaxAttachmentFileBytes);
}

SizeVerdict check_attachment_size(std::uint64_t file_bytes, std::uint64_t limit) {
  if (limit == 0) return SizeVerdict::kRelayRefuses;
  if (file_bytes == 0) return SizeVerdict::kEmpty;
  if (file_bytes > limit) return SizeVerdict::kOverLimit;
  return SizeVerdict::kFits;
}

Result<std::uint64_t> attachment_file_size(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Error{ErrorCode::kNotFound, "no file " + path.string()};
    return Error{ErrorCode::kIo, "cannot examine " + path.string() + ": " + errno_text()};
  }
  if (!S_ISREG(st.st_mode)) return Error{ErrorCode::kIo, path.string() + " is not a regular file"};
  return static_cast<std::uint64_t>(st.st_size);
}

// ---- sending ----

Result<FileToSend> read_attachment(const std::filesystem::path& path, std::uint64_t limit) {
  limit = std::min<std::uint64_t>(limit, protocol::kMaxAttachmentFileBytes);
  // O_NONBLOCK: opening a FIFO must not hang; it is refused below as not a
  // regular file. Reads from a regular file ignore the flag.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) {
    if (errno == ENOENT) return Error{ErrorCode::kNotFound, "no file " + path.string()};
    return Error{ErrorCode::kIo, "cannot open " + path.string() + ": " + errno_text()};
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Error{ErrorCode::kIo, "cannot examine " + path.string() + ": " + errno_text()};
  if (!S_ISREG(st.st_mode)) return Error{ErrorCode::kIo, path.string() + " is not a regular file"};
  const auto declared = static_cast<std::uint64_t>(st.st_size);
  if (declared > limit) {
    return Error{ErrorCode::kTooLarge, path.string() + " is larger than " + std::to_string(limit) + " bytes"};
  }

  FileToSend file;
  // One byte more than the limit allows, so growth past it is noticed
  // without reading an unbounded file.
  file.content = crypto::SecretBuffer(static_cast<std::size_t>(std::max<std::uint64_t>(declared, 1)));
  std::size_t used = 0;
  for (;;) {
    if (used == file.content.size()) {
      if (used > limit) break;
      file.content.resize(std::min<std::size_t>(used * 2, static_cast<std::size_t>(limit) + 1));
    }
    const ssize_t n = ::read(fd.get(), file.content.data() + used, file.content.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{ErrorCode::kIo, "cannot read " + path.string() + ": " + errno_text()};
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  if (used > limit) {
    return Error{ErrorCode::kTooLarge, path.string() + " is larger than " + std::to_string(limit) + " bytes"};
  }
  file.content.resize(used);
  if (used == 0) return Error{ErrorCode::kMalformed, path.string() + " is empty"};

  const std::string base = path.filename().string();
  file.name = sanitise_file_name(as_bytes(base));
  file.digest = crypto::file_digest(file.content.view());
  crypto::random_fill(file.file_id);
  return file;
}

std::vector<protocol::AttachmentChunk> split_attachment(const FileToSend& file) {
  const std::uint64_t total = file.content.size();
  const std::uint16_t count = protocol::attachment_piece_count(total);
  std::vector<protocol::AttachmentChunk> out;
  out.reserve(count);
  std::size_t offset = 0;
  for (std::uint16_t i = 0; i < count; ++i) {
    protocol::AttachmentChunk chunk = describe_attachment(file);
    chunk.type = protocol::ChunkType::kPiece;
    chunk.index = i;
    const std::size_t n = protocol::attachment_piece_bytes(total, i);
    chunk.data = crypto::SecretBuffer::copy_of(file.content.view().subspan(offset, n));
    offset += n;
    out.push_back(std::move(chunk));
  }
  return out;
}

protocol::AttachmentChunk describe_attachment(const FileToSend& file) {
  protocol::AttachmentChunk chunk;
  chunk.type = protocol::ChunkType::kDescription;
  chunk.file_id = file.file_id;
  chunk.index = 0;
  chunk.total_bytes = file.content.size();
  chunk.count = protocol::attachment_piece_count(chunk.total_bytes);
  chunk.digest = file.digest;
  chunk.name = file.name.clone();
  return chunk;
}

Result<PreparedPiece> prepare_piece(protocol::Letter& letter, const protocol::AttachmentChunk& chunk,
                                    const Recipient& to, const crypto::Secret<32>& sender_sk,
                                    const crypto::X25519PublicKey& sender_pk) {
  letter.kind = protocol::LetterKind::kAttachmentChunk;
  letter.body = protocol::encode_attachment_chunk(chunk);
  auto item = prepare_letter(letter, to, sender_sk, sender_pk);
  if (!item) return item.error();
  return PreparedPiece{std::move(item).value(), letter.delete_token};
}

Result<std::vector<crypto::MessageId>> deposit_pieces(
    RelayConnection& relay, const std::vector<PreparedPiece>& pieces, const std::vector<Outgoing>& last,
    protocol::PolicyInfo* policy_used, std::size_t* left_behind,
    const std::function<void(std::size_t, std::size_t)>& progress) {
  if (left_behind != nullptr) *left_behind = 0;
  if (last.size() > protocol::kMaxDepositsPerRequest) {
    return Error{ErrorCode::kTooLarge, "a message takes at most 16 envelopes"};
  }
  const std::size_t total = pieces.size() + last.size();
  std::vector<crypto::MessageId> ids;
  ids.reserve(total);
  std::vector<std::pair<crypto::MessageId, FixedBytes<32>>> stored;  // to undo

  auto undo = [&](const Error& e) -> Error {
    std::size_t failed = 0;
    for (const auto& [id, token] : stored) {
      Status s = delete_message(relay, id, token);
      if (!s && s.error().code != ErrorCode::kNotFound) failed++;
    }
    if (left_behind != nullptr) *left_behind = failed;
    return e;
  };

  for (std::size_t start = 0; start < pieces.size(); start += protocol::kMaxDepositsPerRequest) {
    const std::size_t end = std::min(pieces.size(), start + protocol::kMaxDepositsPerRequest);
    std::vector<Outgoing> batch;
    batch.reserve(end - start);
    for (std::size_t i = start; i < end; ++i) {
      Outgoing copy;
      copy.clue = pieces[i].item.clue;
      copy.verifier = pieces[i].item.verifier;
      copy.envelope = pieces[i].item.envelope;
      batch.push_back(std::move(copy));
    }
    auto batch_ids = deposit_all(relay, batch, policy_used);
    if (!batch_ids) return undo(batch_ids.error());
    for (std::size_t i = start; i < end; ++i) {
      stored.emplace_back((*batch_ids)[i - start], pieces[i].delete_token);
      ids.push_back((*batch_ids)[i - start]);
    }
    if (progress) progress(ids.size(), total);
  }
  if (!last.empty()) {
    auto last_ids = deposit_all(relay, last, policy_used);
    if (!last_ids) return undo(last_ids.error());
    ids.insert(ids.end(), last_ids->begin(), last_ids->end());
    if (progress) progress(ids.size(), total);
  }
  return ids;
}

// ---- receiving ----

bool AttachmentAssembler::add(std::uint64_t source, std::uint64_t sent_at, protocol::AttachmentChunk chunk) {
  if (chunk.type != protocol::ChunkType::kPiece) return false;
  auto [it, fresh] = files_.try_emplace({source, chunk.file_id});
  Partial& p = it->second;
  if (fresh) {
    p.source = source;
    p.sent_at = sent_at;
    // count was checked by the decoder against the capped total: bounded.
    p.pieces.resize(chunk.count);
    p.present.assign(chunk.count, false);
    p.first.type = chunk.type;
    p.first.file_id = chunk.file_id;
    p.first.count = chunk.count;
    p.first.total_bytes = chunk.total_bytes;
    p.first.digest = chunk.digest;
    p.first.name = chunk.name.clone();
  } else {
    p.sent_at = std::min(p.sent_at, sent_at);
    // Pieces of one file must agree about it; crypto::digest_equal because
    // the digest is of secret content (no early exit that times the match).
    if (chunk.count != p.first.count || chunk.total_bytes != p.first.total_bytes ||
        !crypto::digest_equal(chunk.digest, p.first.digest) || !chunk.name.equals(p.first.name) ||
        chunk.name.size() != p.first.name.size()) {
      p.conflict = true;
      return false;
    }
  }
  if (chunk.index >= p.present.size() || p.present[chunk.index]) return false;  // duplicate
  p.present[chunk.index] = true;
  p.pieces[chunk.index] = std::move(chunk.data);
  p.received++;
  return true;
}

AttachmentState verify_pieces(const std::vector<const crypto::SecretBuffer*>& pieces, std::uint64_t total_bytes,
                              const crypto::FileDigest& digest, crypto::SecretBuffer* content) {
  std::uint64_t sum = 0;
  for (const crypto::SecretBuffer* piece : pieces) {
    if (piece == nullptr) return AttachmentState::kIncomplete;
    sum += piece->size();
  }
  if (sum != total_bytes || total_bytes > protocol::kMaxAttachmentFileBytes) return AttachmentState::kCorrupt;
  crypto::FileHasher hasher;
  for (const crypto::SecretBuffer* piece : pieces) hasher.update(piece->view());
  if (!crypto::digest_equal(hasher.finish(), digest)) return AttachmentState::kCorrupt;
  if (content != nullptr) {
    // Allocated only now: the size is the sum of pieces actually held.
    *content = crypto::SecretBuffer(static_cast<std::size_t>(total_bytes));
    std::size_t offset = 0;
    for (const crypto::SecretBuffer* piece : pieces) {
      std::copy(piece->view().begin(), piece->view().end(), content->data() + offset);
      offset += piece->size();
    }
  }
  return AttachmentState::kIntact;
}

std::vector<AssembledAttachment> AttachmentAssembler::assemble() {
  std::vector<AssembledAttachment> out;
  for (auto& [key, p] : files_) {
    AssembledAttachment a;
    a.source = p.source;
    a.file_id = p.first.file_id;
    a.name = std::move(p.first.name);
    a.total_bytes = p.first.total_bytes;
    a.count = p.first.count;
    a.received = p.received;
    a.digest = p.first.digest;
    a.sent_at = p.sent_at;
    if (p.conflict) {
      a.state = AttachmentState::kCorrupt;
    } else if (p.received < p.first.count) {
      a.state = AttachmentState::kIncomplete;
    } else {
      std::vector<const crypto::SecretBuffer*> pieces;
      for (const crypto::SecretBuffer& piece : p.pieces) pieces.push_back(&piece);
      a.state = verify_pieces(pieces, a.total_bytes, a.digest, &a.content);
    }
    p.pieces.clear();
    out.push_back(std::move(a));
  }
  files_.clear();
  std::stable_sort(out.begin(), out.end(),
                   [](const AssembledAttachment& x, const AssembledAttachment& y) { return x.sent_at < y.sent_at; });
  return out;
}

// ---- saving ----

namespace {

// Characters that display as nothing or reorder text: a name built with them
// can look like another ("invoice\u202Efdp.exe" shows as "invoiceexe.pdf").
bool is_invisible_or_bidi(std::uint32_t cp) {
  return cp == 0x00AD || cp == 0x034F || cp == 0x061C || cp == 0x115F || cp == 0x1160 || cp == 0x17B4 ||
         cp == 0x17B5 || (cp >= 0x180B && cp <= 0x180F) || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0x3164 ||
         (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF || cp == 0xFFA0 || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
         (cp >= 0x1D173 && cp <= 0x1D17A) || (cp >= 0xE0000 && cp <= 0xE0FFF) ||
         (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

bool is_control_cp(std::uint32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

// Characters Windows forbids in names (the file may be copied there later).
bool is_reserved_ascii(std::uint32_t cp) {
  return cp == '<' || cp == '>' || cp == ':' || cp == '"' || cp == '|' || cp == '?' || cp == '*';
}

bool is_windows_device_name(std::string_view stem) {
  std::string upper;
  for (char c : stem) upper.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  while (!upper.empty() && upper.back() == ' ') upper.pop_back();
  if (upper == "CON" || upper == "PRN" || upper == "AUX" || upper == "NUL") return true;
  return upper.size() == 4 && (upper.compare(0, 3, "COM") == 0 || upper.compare(0, 3, "LPT") == 0) &&
         upper[3] >= '1' && upper[3] <= '9';
}

// Largest n <= limit such that text[0, n) ends on a character boundary.
std::size_t utf8_cut(ByteView text, std::size_t limit) {
  if (text.size() <= limit) return text.size();
  std::size_t n = limit;
  while (n > 0 && (text[n] & 0xC0) == 0x80) --n;
  return n;
}

// Where the extension starts (its dot), or name.size() for none. A dot at
// position 0 is not an extension, nor is one more than 16 bytes long.
std::size_t extension_start(ByteView name) {
  for (std::size_t i = name.size(); i > 1; --i) {
    if (name[i - 1] == '.') return name.size() - (i - 1) <= 16 ? i - 1 : name.size();
  }
  return name.size();
}

}  // namespace

crypto::SecretBuffer sanitise_file_name(ByteView name) {
  // 1. The last path component only.
  std::size_t start = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '/' || name[i] == '\\') start = i + 1;
  }
  const ByteView base = name.subspan(start);

  // 2. Character by character.
  crypto::SecretBuffer clean;
  const std::uint8_t underscore = '_';
  for (std::size_t i = 0; i < base.size();) {
    std::uint32_t cp = 0;
    const std::size_t n = utf8_sequence(base, i, cp);
    if (n == 0) {
      clean.push_back(underscore);
      ++i;
      continue;
    }
    if (is_control_cp(cp) || is_invisible_or_bidi(cp) || is_reserved_ascii(cp)) {
      clean.push_back(underscore);
    } else {
      clean.append(base.subspan(i, n));
    }
    i += n;
  }

  // 3. Leading dots, dashes, tildes and spaces; trailing dots and spaces.
  ByteView v = clean.view();
  while (!v.empty() && (v.front() == '.' || v.front() == '-' || v.front() == '~' || v.front() == ' ')) {
    v = v.subspan(1);
  }
  while (!v.empty() && (v.back() == '.' || v.back() == ' ')) v = v.subspan(0, v.size() - 1);

  // 4. Length, keeping a short extension.
  crypto::SecretBuffer out;
  if (v.size() > kMaxSavedNameBytes) {
    const std::size_t ext = extension_start(v);
    const std::size_t ext_bytes = v.size() - ext;
    const std::size_t stem = utf8_cut(v.first(ext), kMaxSavedNameBytes - ext_bytes);
    out.append(v.first(stem));
    out.append(v.subspan(ext));
  } else {
    out.append(v);
  }

  // 5. Device names, and a name for nothing.
  if (out.empty()) return crypto::SecretBuffer::copy_of(std::string_view("attachment"));
  const std::size_t first_dot = std::min(out.text().find('.'), out.size());
  if (is_windows_device_name(out.text().substr(0, first_dot))) {
    crypto::SecretBuffer prefixed = crypto::SecretBuffer::copy_of(std::string_view("_"));
    prefixed.append(out.view().first(std::min(out.size(), kMaxSavedNameBytes - 1)));
    return prefixed;
  }
  return out;
}

Result<crypto::SecretBuffer> save_attachment(const std::filesystem::path& folder, ByteView name, ByteView content) {
  UniqueFd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) {
    if (errno == ENOENT) return Error{ErrorCode::kNotFound, "no folder " + folder.string()};
    return Error{ErrorCode::kIo, "cannot open the folder " + folder.string() + ": " + errno_text()};
  }
  const crypto::SecretBuffer safe = sanitise_file_name(name);
  const std::size_t ext = extension_start(safe.view());

  for (int attempt = 0; attempt <= kMaxNameCollisions; ++attempt) {
    // The candidate name, NUL-terminated for openat, in locked memory.
    crypto::SecretBuffer candidate;
    if (attempt == 0) {
      candidate.append(safe.view());
    } else {
      candidate.append(safe.view().first(ext));
      const std::string suffix = " (" + std::to_string(attempt) + ")";
      candidate.append(as_bytes(suffix));
      candidate.append(safe.view().subspan(ext));
    }
    candidate.push_back(0);
    const char* path = reinterpret_cast<const char*>(candidate.data());

    // O_EXCL: never an existing file (nor a symlink, dangling or not);
    // O_NOFOLLOW says the same about the last component once more. Mode
    // 0600: never executable, readable by the user only.
    const int raw = ::openat(dir.get(), path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
    if (raw < 0 && errno == EEXIST) continue;
    if (raw < 0) return Error{ErrorCode::kIo, "cannot create a file in " + folder.string() + ": " + errno_text()};
    UniqueFd fd(raw);
    auto remove_partial = [&](const std::string& what) -> Error {
      const std::string message = what + ": " + errno_text();
      ::unlinkat(dir.get(), path, 0);
      return Error{ErrorCode::kIo, message};
    };
    // A umask can only take permissions away; make the mode exactly 0600.
    if (::fchmod(fd.get(), 0600) != 0) return remove_partial("cannot set the file's permissions");
    std::size_t written = 0;
    while (written < content.size()) {
      const ssize_t n = ::write(fd.get(), content.data() + written, content.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return remove_partial("cannot write the attachment");
      written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) return remove_partial("cannot flush the attachment to disk");
    if (!fd.close_checked()) return remove_partial("cannot close the attachment");
    ::fsync(dir.get());  // the new name itself; a failure here leaves a complete file
    candidate.resize(candidate.size() - 1);  // without the NUL
    return candidate;
  }
  return Error{ErrorCode::kIo, "too many files with this name in " + folder.string() + "; choose another folder"};
}

std::string describe_size(std::uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  char buf[32];
  const double kb = static_cast<double>(bytes) / 1024.0;
  if (kb < 1024.0) {
    std::snprintf(buf, sizeof buf, "%.1f KB", kb);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MB", kb / 1024.0);
  }
  return buf;
}

}  // namespace meldpunt::client
