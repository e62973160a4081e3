#include "meldpunt/client/attachment.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "meldpunt/os/unique_fd.hpp"
#include "meldpunt/crypto/random.hpp"
#include "meldpunt/text/text_policy.hpp"

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

std::uint64_t attachment_memory_needed(std::uint64_t file_bytes) { return file_bytes + kLockedOverheadPerFile; }

Result<FileToSend> read_attachment(const std::filesystem::path& path, std::uint64_t limit) {
  limit = std::min<std::uint64_t>(limit, protocol::kMaxAttachmentFileBytes);
  // O_NONBLOCK: opening a FIFO must not hang; it is refused below as not a
  // regular file. Reads from a regular file ignore the flag.
  os::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
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
  if (declared == 0) return Error{ErrorCode::kMalformed, path.string() + " is empty"};

  FileToSend file;
  // One allocation of the declared size plus one byte (to notice a file that
  // grows while being read), never grown: growing would copy the content
  // into a second buffer while the first still exists, and sodium_malloc
  // silently leaves memory unlocked once RLIMIT_MEMLOCK is used up.
  file.content = crypto::SecretBuffer(static_cast<std::size_t>(declared) + 1);
  if (!file.content.locked()) {
    return Error{ErrorCode::kStorageFull, path.string() + " (" + describe_size(declared) +
                                              ") does not fit in locked memory (RLIMIT_MEMLOCK); it could be "
                                              "swapped to disk"};
  }
  std::size_t used = 0;
  while (used < file.content.size()) {
    const ssize_t n = ::read(fd.get(), file.content.data() + used, file.content.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{ErrorCode::kIo, "cannot read " + path.string() + ": " + errno_text()};
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  // A file that grew or shrank is being written by someone else: what was
  // read is no consistent version of it.
  if (used != declared) {
    return Error{ErrorCode::kIo, path.string() + " changed while it was being read; close the program writing it "
                                                 "and try again"};
  }
  file.content.resize(used);  // shrinks in place: no reallocation

  const std::string base = path.filename().string();
  file.name = sanitise_file_name(as_bytes(base));
  file.digest = crypto::file_digest(file.content.view());
  crypto::random_fill(file.file_id);
  return file;
}

protocol::AttachmentChunk attachment_piece(const FileToSend& file, std::uint16_t index) {
  const std::uint64_t total = file.content.size();
  protocol::AttachmentChunk chunk = describe_attachment(file);
  chunk.type = protocol::ChunkType::kPiece;
  chunk.index = index;
  const auto offset = static_cast<std::size_t>(std::uint64_t{index} * protocol::kAttachmentPieceDataBytes);
  const std::size_t n = protocol::attachment_piece_bytes(total, index);
  chunk.data = crypto::SecretBuffer::copy_of(file.content.view().subspan(offset, n));
  return chunk;
}

std::vector<protocol::AttachmentChunk> split_attachment(const FileToSend& file) {
  const std::uint16_t count = protocol::attachment_piece_count(file.content.size());
  std::vector<protocol::AttachmentChunk> out;
  out.reserve(count);
  for (std::uint16_t i = 0; i < count; ++i) out.push_back(attachment_piece(file, i));
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
  PieceTransport transport;
  transport.deposit = [&relay](const std::vector<Outgoing>& items, protocol::PolicyInfo* policy) {
    return deposit_all(relay, items, policy);
  };
  transport.remove = [&relay](const crypto::MessageId& id, const FixedBytes<32>& token) {
    return delete_message(relay, id, token);
  };
  return deposit_pieces(transport, pieces, last, policy_used, left_behind, progress);
}

Result<std::vector<crypto::MessageId>> deposit_pieces(
    const PieceTransport& transport, const std::vector<PreparedPiece>& pieces, const std::vector<Outgoing>& last,
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

  // `in_flight`: envelopes of the deposit that failed. A relay that answered
  // with an error stored none of them (a deposit is all-or-nothing); one
  // that did not answer may have stored them all, under ids never learnt.
  auto undo = [&](const Error& e, std::size_t in_flight) -> Error {
    std::size_t maybe_stored = e.code == ErrorCode::kUnavailable ? in_flight : 0;
    std::size_t i = 0;
    for (; i < stored.size(); ++i) {
      Status s = transport.remove(stored[i].first, stored[i].second);
      if (s || s.error().code == ErrorCode::kNotFound) continue;
      maybe_stored++;
      // A relay that stopped answering answers no further delete either;
      // each try would wait the full request timeout.
      if (s.error().code == ErrorCode::kUnavailable) {
        ++i;
        break;
      }
    }
    maybe_stored += stored.size() - i;  // not tried
    if (left_behind != nullptr) *left_behind = maybe_stored;
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
    auto batch_ids = transport.deposit(batch, policy_used);
    if (!batch_ids) return undo(batch_ids.error(), batch.size());
    for (std::size_t i = start; i < end; ++i) {
      stored.emplace_back((*batch_ids)[i - start], pieces[i].delete_token);
      ids.push_back((*batch_ids)[i - start]);
    }
    if (progress) progress(ids.size(), total);
  }
  if (!last.empty()) {
    auto last_ids = transport.deposit(last, policy_used);
    // The message's own answer lost: it may be stored, and it names the
    // pieces, so they stay (docs/PROTOCOL.md "Deposit retries").
    if (!last_ids && last_ids.error().code == ErrorCode::kUnavailable) {
      if (left_behind != nullptr) *left_behind = stored.size() + last.size();
      return last_ids.error();
    }
    if (!last_ids) return undo(last_ids.error(), last.size());
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

void AttachmentAssembler::announce(std::uint64_t source, std::uint64_t sent_at, const protocol::FileEntry& entry) {
  auto [it, fresh] = files_.try_emplace({source, entry.file_id});
  Partial& p = it->second;
  if (!fresh) {
    p.sent_at = std::min(p.sent_at, sent_at);
    if (entry.count != p.first.count || entry.total_bytes != p.first.total_bytes ||
        !crypto::digest_equal(entry.digest, p.first.digest) || !entry.name.equals(p.first.name) ||
        entry.name.size() != p.first.name.size()) {
      p.conflict = true;
    }
    return;
  }
  p.source = source;
  p.sent_at = sent_at;
  // count was checked by the letter decoder against the capped total: bounded.
  p.pieces.resize(entry.count);
  p.present.assign(entry.count, false);
  p.first.type = protocol::ChunkType::kPiece;
  p.first.file_id = entry.file_id;
  p.first.count = entry.count;
  p.first.total_bytes = entry.total_bytes;
  p.first.digest = entry.digest;
  p.first.name = entry.name.clone();
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
      // Checked without a joined copy; then each piece is moved into the
      // file and released at once, so pieces and file are not both held in
      // full for longer than the copy of one piece.
      a.state = verify_pieces(pieces, a.total_bytes, a.digest, nullptr);
      if (a.state == AttachmentState::kIntact) {
        a.content = crypto::SecretBuffer(static_cast<std::size_t>(a.total_bytes));
        std::size_t offset = 0;
        for (crypto::SecretBuffer& piece : p.pieces) {
          std::copy(piece.view().begin(), piece.view().end(), a.content.data() + offset);
          offset += piece.size();
          piece.clear();
        }
      }
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

// Controls, bidirectional, invisible and space characters: the classes of
// the one text policy, meldpunt/text/text_policy.hpp. Space characters
// other than ' ' are shown as ' ', so they become one, and runs of them
// collapse like runs of ' '.

// Not spaces, but they look blank (braille pattern blank, object replacement
// character): a name of them looks like no name.
bool is_blank_looking(std::uint32_t cp) { return cp == 0x2800 || cp == 0xFFFC; }

// Combining marks: they draw on the character before them.
bool is_combining_mark(std::uint32_t cp) {
  return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x0483 && cp <= 0x0489) || (cp >= 0x0591 && cp <= 0x05BD) ||
         (cp >= 0x0610 && cp <= 0x061A) || (cp >= 0x064B && cp <= 0x065F) || (cp >= 0x0E31 && cp <= 0x0E3A) ||
         (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
         (cp >= 0x302A && cp <= 0x302F) || (cp >= 0x3099 && cp <= 0x309A) || (cp >= 0xFE20 && cp <= 0xFE2F);
}

// A combining mark may follow at most this many others on one character
// (Vietnamese stacks two; a tall stack overwrites the lines around it).
constexpr int kMaxCombiningRun = 4;

// Characters Windows forbids in names (the file may be copied there later).
bool is_reserved_ascii(std::uint32_t cp) {
  return cp == '<' || cp == '>' || cp == ':' || cp == '"' || cp == '|' || cp == '?' || cp == '*';
}

// Names Windows opens as devices whatever the extension. The stem is the
// part before the first dot (Windows also ignores trailing spaces there).
bool is_windows_device_name(std::string_view stem) {
  std::string upper;
  for (char c : stem) upper.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  while (!upper.empty() && upper.back() == ' ') upper.pop_back();
  if (upper == "CON" || upper == "PRN" || upper == "AUX" || upper == "NUL" || upper == "CONIN$" ||
      upper == "CONOUT$") {
    return true;
  }
  if (upper.compare(0, 3, "COM") != 0 && upper.compare(0, 3, "LPT") != 0) return false;
  const std::string_view number = std::string_view(upper).substr(3);
  // 0-9, and the superscripts ¹ ² ³ (U+00B9, U+00B2, U+00B3) Windows counts as digits.
  return (number.size() == 1 && number[0] >= '0' && number[0] <= '9') || number == "\xC2\xB9" ||
         number == "\xC2\xB2" || number == "\xC2\xB3";
}

bool is_trimmed_at_end(std::uint8_t c) { return c == '.' || c == ' '; }

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
  const std::uint8_t space = ' ';
  bool after_base = false;  // the last character kept can carry combining marks
  int marks = 0;            // combining marks on it so far
  auto replace = [&] {
    clean.push_back(underscore);
    after_base = false;
  };
  for (std::size_t i = 0; i < base.size();) {
    std::uint32_t cp = 0;
    const std::size_t n = text::utf8_sequence(base, i, cp);
    if (n == 0) {
      replace();
      ++i;
      continue;
    }
    if (text::is_control(cp) || text::is_invisible_or_bidi(cp) || is_reserved_ascii(cp) || is_blank_looking(cp)) {
      replace();
    } else if (cp == ' ' || text::is_space_separator(cp)) {
      if (clean.empty() || clean.data()[clean.size() - 1] != ' ') clean.push_back(space);
      after_base = false;
    } else if (is_combining_mark(cp)) {
      if (after_base && marks < kMaxCombiningRun) {
        clean.append(base.subspan(i, n));
        ++marks;
      } else {
        replace();
      }
    } else {
      clean.append(base.subspan(i, n));
      // Not after '.', '-' or '~': those may be trimmed off the start,
      // which would leave the mark first, drawing on nothing.
      after_base = cp != '.' && cp != '-' && cp != '~';
      marks = 0;
    }
    i += n;
  }

  // 3. Leading dots, dashes, tildes and spaces; trailing dots and spaces.
  ByteView v = clean.view();
  while (!v.empty() && (v.front() == '.' || v.front() == '-' || v.front() == '~' || v.front() == ' ')) {
    v = v.subspan(1);
  }
  while (!v.empty() && is_trimmed_at_end(v.back())) v = v.subspan(0, v.size() - 1);
  if (v.empty()) return crypto::SecretBuffer::copy_of(std::string_view("attachment"));

  // 4. Device names, before the length is cut, so the '_' counts.
  crypto::SecretBuffer full;
  const std::size_t first_dot = std::min(std::string_view(reinterpret_cast<const char*>(v.data()), v.size()).find('.'),
                                         v.size());
  if (is_windows_device_name(std::string_view(reinterpret_cast<const char*>(v.data()), first_dot))) {
    full.push_back(underscore);
  }
  full.append(v);

  // 5. Length, keeping a short extension; both cuts at a character boundary.
  if (full.size() <= kMaxSavedNameBytes) return full;
  const ByteView f = full.view();
  const std::size_t ext = extension_start(f);
  const std::size_t ext_bytes = f.size() - ext;
  std::size_t stem = utf8_cut(f.first(ext), kMaxSavedNameBytes - ext_bytes);
  // The cut may end the stem in a dot or a space: dropped like any other
  // trailing one (before an extension a space is harmless, but "a..pdf"
  // or a dot at the very end are not what the header promises).
  while (stem > 0 && is_trimmed_at_end(f[stem - 1])) --stem;
  crypto::SecretBuffer out;
  out.append(f.first(stem));
  out.append(f.subspan(ext));
  ByteView o = out.view();
  while (!o.empty() && is_trimmed_at_end(o.back())) o = o.subspan(0, o.size() - 1);
  out.resize(o.size());
  if (out.empty()) return crypto::SecretBuffer::copy_of(std::string_view("attachment"));
  return out;
}

namespace {

// Writes all of `content` to `fd` with mode exactly 0600 (a umask can only
// take permissions away) and flushes it to disk. False with errno set.
bool write_flushed(int fd, ByteView content) {
  if (::fchmod(fd, 0600) != 0) return false;
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) {
      errno = EIO;
      return false;
    }
    written += static_cast<std::size_t>(n);
  }
  return ::fsync(fd) == 0;
}

// The candidate names in turn: "name.ext", "name (1).ext", ... Each is
// NUL-terminated, in locked memory (a name is a secret).
crypto::SecretBuffer candidate_name(const crypto::SecretBuffer& safe, std::size_t ext, int attempt) {
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
  return candidate;
}

const char* c_name(const crypto::SecretBuffer& candidate) { return reinterpret_cast<const char*>(candidate.data()); }

crypto::SecretBuffer without_nul(crypto::SecretBuffer candidate) {
  candidate.resize(candidate.size() - 1);
  return candidate;
}

// Gives the complete, flushed O_TMPFILE `fd` a name in `dir`: linkat never
// replaces an existing name (EEXIST) and creates the link itself, never
// following a symlink planted under the name. Linking an O_TMPFILE needs its
// /proc/self/fd path (AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH).
int link_tmpfile(int fd, int dir, const char* name) {
  const std::string proc = "/proc/self/fd/" + std::to_string(fd);
  if (::linkat(AT_FDCWD, proc.c_str(), dir, name, AT_SYMLINK_FOLLOW) == 0) return 0;
  if (errno != ENOENT) return errno;
  // No /proc: try the direct form, which works with the capability.
  if (::linkat(fd, "", dir, name, AT_EMPTY_PATH) == 0) return 0;
  return errno;
}

}  // namespace

Result<crypto::SecretBuffer> save_attachment(const std::filesystem::path& folder, ByteView name, ByteView content) {
  os::UniqueFd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) {
    if (errno == ENOENT) return Error{ErrorCode::kNotFound, "no folder " + folder.string()};
    return Error{ErrorCode::kIo, "cannot open the folder " + folder.string() + ": " + errno_text()};
  }
  const crypto::SecretBuffer safe = sanitise_file_name(name);
  const std::size_t ext = extension_start(safe.view());
  const Error too_many{ErrorCode::kIo, "too many files with this name in " + folder.string() + "; choose another folder"};
  auto io_error = [&](const std::string& what) { return Error{ErrorCode::kIo, what + ": " + errno_text()}; };

  // A nameless file in the folder: it has a name only once it is complete,
  // and vanishes by itself if the program is stopped before.
  os::UniqueFd tmp(::openat(dir.get(), ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600));
  if (tmp.get() >= 0) {
    if (!write_flushed(tmp.get(), content)) return io_error("cannot write the attachment in " + folder.string());
    for (int attempt = 0; attempt <= kMaxNameCollisions; ++attempt) {
      crypto::SecretBuffer candidate = candidate_name(safe, ext, attempt);
      const int err = link_tmpfile(tmp.get(), dir.get(), c_name(candidate));
      if (err == EEXIST) continue;
      if (err != 0) {
        errno = err;
        return io_error("cannot create a file in " + folder.string());
      }
      ::fsync(dir.get());  // the new name itself; a failure here leaves a complete file
      return without_nul(std::move(candidate));
    }
    return too_many;
  }
  // EOPNOTSUPP: the file system has no O_TMPFILE; EISDIR/EINVAL: a kernel or
  // C library too old to know it. Anything else is a real failure.
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    return io_error("cannot create a file in " + folder.string());
  }

  // Fallback: a hidden random name, created new (O_EXCL | O_NOFOLLOW), then
  // renamed without replacing anything.
  FixedBytes<8> random{};
  crypto::random_fill(random);
  const std::string part = ".meldpunt-" + to_hex(random) + ".part";
  os::UniqueFd fd(::openat(dir.get(), part.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600));
  if (fd.get() < 0) return io_error("cannot create a file in " + folder.string());
  auto remove_part = [&](const std::string& what) {
    Error e = io_error(what);
    ::unlinkat(dir.get(), part.c_str(), 0);
    return e;
  };
  if (!write_flushed(fd.get(), content)) return remove_part("cannot write the attachment in " + folder.string());
  if (!fd.close_checked()) return remove_part("cannot close the attachment");
  for (int attempt = 0; attempt <= kMaxNameCollisions; ++attempt) {
    crypto::SecretBuffer candidate = candidate_name(safe, ext, attempt);
    int rc = ::renameat2(dir.get(), part.c_str(), dir.get(), c_name(candidate), RENAME_NOREPLACE);
    if (rc != 0 && errno == EINVAL) {
      // A file system without RENAME_NOREPLACE: a hard link never replaces
      // either; then the temporary name goes.
      rc = ::linkat(dir.get(), part.c_str(), dir.get(), c_name(candidate), 0);
      if (rc == 0) ::unlinkat(dir.get(), part.c_str(), 0);
    }
    if (rc != 0 && errno == EEXIST) continue;
    if (rc != 0) return remove_part("cannot name the attachment in " + folder.string());
    ::fsync(dir.get());
    return without_nul(std::move(candidate));
  }
  ::unlinkat(dir.get(), part.c_str(), 0);
  return too_many;
}

std::string describe_size(std::uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  char buf[32];
  const double kb = static_cast<double>(bytes) / 1024.0;
  if (kb < 1024.0) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", kb);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MiB", kb / 1024.0);
  }
  return buf;
}

}  // namespace meldpunt::client
