// Attachments: the chunk codec (protocol/attachment.hpp), splitting,
// reassembly, name sanitising and safe saving (client/attachment.hpp), and
// the adviser's stored pieces (case_store.hpp).
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include "case_store.hpp"
#include "common.hpp"
#include "meldpunt/client/attachment.hpp"
#include "meldpunt/client/text.hpp"
#include "meldpunt/crypto/hash.hpp"
#include "meldpunt/crypto/identity.hpp"
#include "meldpunt/crypto/init.hpp"
#include "meldpunt/crypto/random.hpp"
#include "meldpunt/protocol/attachment.hpp"
#include "meldpunt/text/text_policy.hpp"

using namespace meldpunt;
using meldpunt::test_support::TempDir;

namespace {

crypto::SecretBuffer random_content(std::size_t n) {
  crypto::SecretBuffer out(n);
  crypto::random_fill({out.data(), n});
  return out;
}

client::FileToSend file_of(std::size_t n, std::string_view name = "report.pdf") {
  client::FileToSend f;
  f.content = random_content(n);
  f.name = crypto::SecretBuffer::copy_of(name);
  f.digest = crypto::file_digest(f.content.view());
  crypto::random_fill(f.file_id);
  return f;
}

std::string text_of(const crypto::SecretBuffer& b) { return std::string(b.text()); }

// For the test's length: CAP_IPC_LOCK out of the effective set (root ignores
// RLIMIT_MEMLOCK with it) and the soft RLIMIT_MEMLOCK set to what is locked
// now plus `extra`, as for an ordinary user with little left to lock. Both
// restored afterwards (the capability stays permitted, so it comes back).
class LockedMemoryLimit {
 public:
  explicit LockedMemoryLimit(std::uint64_t extra) {
    header_.version = _LINUX_CAPABILITY_VERSION_3;
    header_.pid = 0;
    had_cap_ = ::syscall(SYS_capget, &header_, saved_caps_) == 0 &&
               (saved_caps_[0].effective & (1u << CAP_IPC_LOCK)) != 0;
    if (had_cap_) {
      __user_cap_data_struct lowered[2] = {saved_caps_[0], saved_caps_[1]};
      lowered[0].effective &= ~(1u << CAP_IPC_LOCK);
      REQUIRE(::syscall(SYS_capset, &header_, lowered) == 0);
    }
    REQUIRE(::getrlimit(RLIMIT_MEMLOCK, &saved_) == 0);
    const std::uint64_t locked_now = saved_.rlim_cur == RLIM_INFINITY ? 0 : saved_.rlim_cur - *crypto::lockable_bytes();
    rlimit lowered = saved_;
    lowered.rlim_cur = static_cast<rlim_t>(locked_now + extra);
    if (saved_.rlim_max != RLIM_INFINITY) lowered.rlim_cur = std::min(lowered.rlim_cur, saved_.rlim_max);
    REQUIRE(::setrlimit(RLIMIT_MEMLOCK, &lowered) == 0);
  }
  ~LockedMemoryLimit() {
    ::setrlimit(RLIMIT_MEMLOCK, &saved_);
    if (had_cap_) ::syscall(SYS_capset, &header_, saved_caps_);
  }
  LockedMemoryLimit(const LockedMemoryLimit&) = delete;
  LockedMemoryLimit& operator=(const LockedMemoryLimit&) = delete;

 private:
  __user_cap_header_struct header_{};
  __user_cap_data_struct saved_caps_[2]{};
  bool had_cap_ = false;
  rlimit saved_{};
};

// A deposit that either answers with ids or fails like the relay did.
struct FakeRelay {
  std::size_t deposits_ok = 0;  // deposits answered before the failure
  ErrorCode deposit_failure = ErrorCode::kUnavailable;
  ErrorCode delete_failure = ErrorCode::kOk;  // kOk: deletes succeed
  std::size_t deposits = 0;
  std::size_t deletes = 0;

  client::PieceTransport transport() {
    client::PieceTransport t;
    t.deposit = [this](const std::vector<client::Outgoing>& items,
                       protocol::PolicyInfo*) -> Result<std::vector<crypto::MessageId>> {
      if (deposits++ >= deposits_ok) return Error{deposit_failure, "relay failed"};
      std::vector<crypto::MessageId> ids(items.size());
      for (auto& id : ids) crypto::random_fill(id);
      return ids;
    };
    t.remove = [this](const crypto::MessageId&, const FixedBytes<32>&) -> Status {
      deletes++;
      if (delete_failure == ErrorCode::kOk) return Status::success();
      return Error{delete_failure, "relay failed"};
    };
    return t;
  }
};
std::string sanitised(std::string_view name) { return text_of(client::sanitise_file_name(as_bytes(name))); }

std::filesystem::path write_file(const std::filesystem::path& path, ByteView data) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  return path;
}

Bytes read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("file digest is plain BLAKE2b-256 (b2sum -l 256)", "[attachment]") {
  // b2sum -l 256 of "abc"
  CHECK(to_hex(crypto::file_digest(as_bytes("abc"))) ==
        "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  crypto::FileHasher h;
  h.update(as_bytes("a"));
  h.update(as_bytes("bc"));
  CHECK(crypto::digest_equal(h.finish(), crypto::file_digest(as_bytes("abc"))));
  CHECK_THROWS(h.finish());
}

TEST_CASE("attachment chunks: sizes and classes", "[attachment]") {
  CHECK(protocol::attachment_piece_count(0) == 0);
  CHECK(protocol::attachment_piece_count(1) == 1);
  CHECK(protocol::attachment_piece_count(protocol::kAttachmentPieceDataBytes) == 1);
  CHECK(protocol::attachment_piece_count(protocol::kAttachmentPieceDataBytes + 1) == 2);
  CHECK(protocol::attachment_piece_count(protocol::kMaxAttachmentFileBytes) == protocol::kMaxAttachmentPieces);
  CHECK(protocol::attachment_piece_count(protocol::kMaxAttachmentFileBytes + 1) == 0);
  CHECK(protocol::attachment_piece_bytes(protocol::kAttachmentPieceDataBytes + 7, 1) == 7);
  CHECK(protocol::attachment_piece_bytes(protocol::kAttachmentPieceDataBytes + 7, 2) == 0);

  // Every piece letter, first or last, large name or small, seals into a
  // 256 KiB envelope.
  const client::FileToSend file = file_of(protocol::kAttachmentPieceDataBytes + 10, "a");
  const auto pieces = client::split_attachment(file);
  REQUIRE(pieces.size() == 2);
  const auto sender = crypto::X25519KeyPair::generate();
  const auto recipient = crypto::X25519KeyPair::generate();
  for (const auto& chunk : pieces) {
    protocol::Letter letter;
    letter.recipients.resize(protocol::kMaxRecipients);
    client::Recipient to{recipient.pk, {}, std::nullopt, std::nullopt};
    to.fetch_pk = crypto::FetchKeyPair::generate().pk;
    auto piece = client::prepare_piece(letter, chunk, to, sender.sk, sender.pk);
    REQUIRE(piece.ok());
    CHECK(piece->item.envelope.size() == crypto::kEnvelopeSizes.back());
    CHECK(letter.kind == protocol::LetterKind::kAttachmentChunk);
  }
}

TEST_CASE("attachment chunks: round trip and strict decoding", "[attachment]") {
  const client::FileToSend file = file_of(protocol::kAttachmentPieceDataBytes * 2 + 3);
  auto pieces = client::split_attachment(file);
  REQUIRE(pieces.size() == 3);
  for (const auto& chunk : pieces) {
    const crypto::SecretBuffer encoded = protocol::encode_attachment_chunk(chunk);
    CHECK(encoded.size() == protocol::kAttachmentPieceBodyBytes);
    auto decoded = protocol::decode_attachment_chunk(encoded.view());
    REQUIRE(decoded.ok());
    CHECK(decoded->index == chunk.index);
    CHECK(decoded->count == 3);
    CHECK(decoded->total_bytes == file.content.size());
    CHECK(decoded->file_id == file.file_id);
    CHECK(decoded->data.equals(chunk.data));
    CHECK(decoded->name.equals(file.name));
  }
  const crypto::SecretBuffer description = protocol::encode_attachment_chunk(client::describe_attachment(file));
  auto d = protocol::decode_attachment_chunk(description.view());
  REQUIRE(d.ok());
  CHECK(d->type == protocol::ChunkType::kDescription);
  CHECK(d->data.empty());

  const crypto::SecretBuffer good = protocol::encode_attachment_chunk(pieces[2]);
  auto mutate = [&](std::size_t offset, std::uint8_t value) {
    crypto::SecretBuffer b = good.clone();
    b.data()[offset] = value;
    return protocol::decode_attachment_chunk(b.view());
  };
  CHECK_FALSE(mutate(0, 2).ok());                                         // version
  CHECK_FALSE(mutate(1, 3).ok());                                         // type
  CHECK_FALSE(mutate(18, 3).ok());                                        // index >= count
  CHECK_FALSE(mutate(20, 9).ok());                                        // count does not match total
  CHECK_FALSE(mutate(62, 0).ok());                                        // empty name
  CHECK_FALSE(mutate(good.size() - 1, 1).ok());                           // padding must be zero
  CHECK(mutate(29, 0x7F).error().code == ErrorCode::kTooLarge);           // total above the hard cap
  CHECK_FALSE(protocol::decode_attachment_chunk(good.view().first(good.size() - 1)).ok());  // short
  crypto::SecretBuffer longer = good.clone();
  longer.push_back(0);
  CHECK_FALSE(protocol::decode_attachment_chunk(longer.view()).ok());     // trailing bytes
  crypto::SecretBuffer desc_extra = description.clone();
  desc_extra.push_back(0);
  CHECK_FALSE(protocol::decode_attachment_chunk(desc_extra.view()).ok());
  CHECK_FALSE(protocol::decode_attachment_chunk({}).ok());

  protocol::AttachmentChunk wrong = client::describe_attachment(file);
  wrong.type = protocol::ChunkType::kPiece;
  wrong.data = random_content(5);  // piece 0 must hold a whole piece's data
  CHECK_THROWS_AS(protocol::encode_attachment_chunk(wrong), std::invalid_argument);
}

TEST_CASE("attachments reassemble in any order, duplicates, gaps and damage are reported", "[attachment]") {
  const client::FileToSend file = file_of(protocol::kAttachmentPieceDataBytes * 3 + 100, "notes.txt");
  const auto pieces = client::split_attachment(file);
  auto decoded = [&](std::size_t i) {
    return protocol::decode_attachment_chunk(protocol::encode_attachment_chunk(pieces[i]).view()).value();
  };

  SECTION("intact, in reverse order with a duplicate") {
    client::AttachmentAssembler a;
    for (std::size_t i = pieces.size(); i-- > 0;) CHECK(a.add(1, 100, decoded(i)));
    CHECK_FALSE(a.add(1, 100, decoded(2)));  // duplicate ignored
    CHECK_FALSE(a.add(1, 100, protocol::decode_attachment_chunk(
                                  protocol::encode_attachment_chunk(client::describe_attachment(file)).view())
                                  .value()));  // a description is no piece
    auto out = a.assemble();
    REQUIRE(out.size() == 1);
    CHECK(out[0].state == client::AttachmentState::kIntact);
    CHECK(out[0].content.equals(file.content));
    CHECK(out[0].received == 4);
  }
  SECTION("a missing piece") {
    client::AttachmentAssembler a;
    for (std::size_t i : {std::size_t{0}, std::size_t{1}, std::size_t{3}}) a.add(1, 100, decoded(i));
    auto out = a.assemble();
    REQUIRE(out.size() == 1);
    CHECK(out[0].state == client::AttachmentState::kIncomplete);
    CHECK(out[0].received == 3);
    CHECK(out[0].content.empty());
  }
  SECTION("a changed byte fails the digest") {
    client::AttachmentAssembler a;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      auto chunk = decoded(i);
      if (i == 1) chunk.data.data()[7] ^= 1;
      a.add(1, 100, std::move(chunk));
    }
    auto out = a.assemble();
    REQUIRE(out.size() == 1);
    CHECK(out[0].state == client::AttachmentState::kCorrupt);
    CHECK(out[0].content.empty());
  }
  SECTION("pieces that disagree about the file, and pieces of another sender") {
    client::AttachmentAssembler a;
    a.add(1, 100, decoded(0));
    auto other = decoded(1);
    other.name = crypto::SecretBuffer::copy_of(std::string_view("other.txt"));
    CHECK_FALSE(a.add(1, 100, std::move(other)));
    for (std::size_t i = 0; i < pieces.size(); ++i) a.add(2, 50, decoded(i));  // sender 2: its own, complete file
    auto out = a.assemble();
    REQUIRE(out.size() == 2);
    CHECK(out[0].source == 2);  // earliest first
    CHECK(out[0].state == client::AttachmentState::kIntact);
    CHECK(out[1].state == client::AttachmentState::kCorrupt);
  }
}

TEST_CASE("file names are sanitised before they are shown or saved", "[attachment]") {
  CHECK(sanitised("report.pdf") == "report.pdf");
  CHECK(sanitised("../../etc/passwd") == "passwd");
  CHECK(sanitised("C:\\Users\\jan\\Desktop\\notes.txt") == "notes.txt");
  CHECK(sanitised("\x1b[31mevil") == "_[31mevil");
  CHECK(sanitised(".bashrc") == "bashrc");
  CHECK(sanitised("...") == "attachment");
  CHECK(sanitised("") == "attachment");
  CHECK(sanitised("dir/") == "attachment");
  CHECK(sanitised("-rf") == "rf");
  CHECK(sanitised("name. ") == "name");
  CHECK(sanitised("a<b>c:d\"e|f?g*h") == "a_b_c_d_e_f_g_h");
  CHECK(sanitised("CON") == "_CON");
  CHECK(sanitised("nul.txt") == "_nul.txt");
  CHECK(sanitised("com1.log") == "_com1.log");
  CHECK(sanitised("console.txt") == "console.txt");
  // Right-to-left override (invoice<RLO>fdp.exe shows as invoiceexe.pdf) and invisible characters.
  CHECK(sanitised("invoice\u202Efdp.exe") == "invoice_fdp.exe");
  CHECK(sanitised("a\u200Bb\uFEFFc\u2066d") == "a_b_c_d");
  CHECK(sanitised("line\u2028break") == "line_break");
  CHECK(sanitised("caf\xc3\xa9 \xe2\x98\x95.txt") == "caf\xc3\xa9 \xe2\x98\x95.txt");  // ordinary UTF-8 stays
  CHECK(sanitised("bad\xff\xfe.txt") == "bad__.txt");
  CHECK(sanitised("c1\xc2\x9b.txt") == "c1_.txt");  // 8-bit CSI

  // Length: cut at a character boundary, the extension kept.
  std::string long_name;
  for (int i = 0; i < 150; ++i) long_name += "\xc3\xa9";  // 300 bytes of é
  long_name += ".pdf";
  const std::string cut = sanitised(long_name);
  CHECK(cut.size() <= client::kMaxSavedNameBytes);
  CHECK(cut.substr(cut.size() - 4) == ".pdf");
  CHECK(text::is_valid_utf8(as_bytes(cut)));
}

TEST_CASE("file names: blank look-alikes, combining marks, padding, devices and cuts", "[attachment]") {
  // Blank-looking characters: spaces become one ' ', the rest '_'.
  CHECK(sanitised("\u00A0") == "attachment");
  CHECK(sanitised("\u2000\u2005\u200A\u3000") == "attachment");
  CHECK(sanitised("a\u00A0b.txt") == "a b.txt");
  CHECK(sanitised("\u2800.txt") == "_.txt");
  CHECK(sanitised("\uFFFC") == "_");
  // Padding that would push the real extension out of sight.
  CHECK(sanitised("invoice.pdf" + std::string(150, ' ') + ".exe") == "invoice.pdf .exe");
  CHECK(sanitised("a\u2003 \u00A0 b") == "a b");
  // Combining marks: only on a letter-like character, at most 4 in a row.
  CHECK(sanitised("\u0301\u0301\u0301") == "___");
  CHECK(sanitised("\u0301\u0308.pdf") == "__.pdf");
  CHECK(sanitised("cafe\u0301.txt") == "cafe\u0301.txt");  // macOS writes names decomposed
  CHECK(sanitised("a\u0301\u0302\u0303\u0304\u0305") == "a\u0301\u0302\u0303\u0304_");
  CHECK(sanitised("x .\u0301") == "x ._");
  CHECK(sanitised("-\u0301") == "_");  // the dash is trimmed: the mark would come first
  // More Windows device names.
  CHECK(sanitised("COM\u00B9") == "_COM\u00B9");
  CHECK(sanitised("lpt\u00B3.txt") == "_lpt\u00B3.txt");
  CHECK(sanitised("CONIN$") == "_CONIN$");
  CHECK(sanitised("conout$.log") == "_conout$.log");
  CHECK(sanitised("COM0.txt") == "_COM0.txt");
  CHECK(sanitised("CON .txt") == "_CON .txt");
  CHECK(sanitised("COM10") == "COM10");

  // A device name at the length limit: cut at a character boundary.
  std::string device = "CON.";
  for (int i = 0; i < 98; ++i) device += "\xc3\xa9";
  const std::string cut_device = sanitised(device);
  CHECK(cut_device.size() <= client::kMaxSavedNameBytes);
  CHECK(text::is_valid_utf8(as_bytes(cut_device)));
  CHECK(cut_device.substr(0, 5) == "_CON.");
  // A device name with a short extension keeps it.
  const std::string cut_ext = sanitised("NUL" + std::string(300, 'a') + ".pdf");
  CHECK(cut_ext == sanitised("NUL" + std::string(300, 'a') + ".pdf"));
  CHECK(cut_ext.size() <= client::kMaxSavedNameBytes);
  CHECK(cut_ext.substr(cut_ext.size() - 4) == ".pdf");
  const std::string cut_dev_ext = sanitised("NUL." + std::string(300, 'a') + ".pdf");
  CHECK(cut_dev_ext.substr(0, 5) == "_NUL.");
  CHECK(cut_dev_ext.substr(cut_dev_ext.size() - 4) == ".pdf");
  CHECK(cut_dev_ext.size() <= client::kMaxSavedNameBytes);

  // A cut that would end in a dot or a space: those go, like any trailing one.
  const std::string dot_at_cut = sanitised(std::string(199, 'a') + "." + std::string(50, 'b'));
  CHECK(dot_at_cut == std::string(199, 'a'));
  const std::string space_at_cut = sanitised(std::string(199, 'a') + " " + std::string(50, 'b'));
  CHECK(space_at_cut == std::string(199, 'a'));
  const std::string dot_before_ext = sanitised(std::string(195, 'a') + "." + std::string(50, 'b') + ".pdf");
  CHECK(dot_before_ext == std::string(195, 'a') + ".pdf");
}

TEST_CASE("saving never overwrites, never follows a link, and is never executable", "[attachment]") {
  TempDir dir("meldpunt-attach-test-");
  const crypto::SecretBuffer content = random_content(5000);
  const ::mode_t old_umask = ::umask(0);  // even a permissive umask gives 0600
  auto first = client::save_attachment(dir.path(), as_bytes("../evil.sh"), content.view());
  auto second = client::save_attachment(dir.path(), as_bytes("evil.sh"), content.view());
  auto third = client::save_attachment(dir.path(), as_bytes(".hidden"), content.view());
  ::umask(old_umask);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  REQUIRE(third.ok());
  CHECK(text_of(*first) == "evil.sh");
  CHECK(text_of(*second) == "evil (1).sh");
  CHECK(text_of(*third) == "hidden");
  for (const auto& name : {"evil.sh", "evil (1).sh", "hidden"}) {
    struct stat st {};
    REQUIRE(::lstat((dir.path() / name).c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
    CHECK(read_all(dir.path() / name) == Bytes(content.view().begin(), content.view().end()));
  }
  CHECK_FALSE(std::filesystem::exists(dir.path().parent_path() / "evil.sh"));

  // A symlink planted under the name: not followed, not replaced.
  TempDir elsewhere("meldpunt-attach-target-");
  const auto target = write_file(elsewhere.path() / "target", as_bytes("keep me"));
  std::filesystem::create_symlink(target, dir.path() / "link.txt");
  auto linked = client::save_attachment(dir.path(), as_bytes("link.txt"), content.view());
  REQUIRE(linked.ok());
  CHECK(text_of(*linked) == "link (1).txt");
  CHECK(read_all(target) == Bytes{'k', 'e', 'e', 'p', ' ', 'm', 'e'});

  auto missing = client::save_attachment(dir.path() / "nope", as_bytes("a"), content.view());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
}

TEST_CASE("saving: a save stopped halfway leaves no file under the name", "[attachment]") {
  TempDir dir("meldpunt-attach-kill-");
  const crypto::SecretBuffer content = random_content(1 << 20);
  // The child stands for a reporter-client killed while writing: the file
  // size limit kills it with SIGXFSZ after 64 KiB.
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    rlimit small{64 * 1024, 64 * 1024};
    ::setrlimit(RLIMIT_FSIZE, &small);
    ::signal(SIGXFSZ, SIG_DFL);
    (void)client::save_attachment(dir.path(), as_bytes("report.pdf"), content.view());
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(std::filesystem::is_empty(dir.path()));  // neither "report.pdf" nor a leftover

  // The same save, not interrupted, then one more: numbered, never replaced.
  auto saved = client::save_attachment(dir.path(), as_bytes("report.pdf"), content.view());
  REQUIRE(saved.ok());
  CHECK(text_of(*saved) == "report.pdf");
  auto again = client::save_attachment(dir.path(), as_bytes("report.pdf"), as_bytes("x"));
  REQUIRE(again.ok());
  CHECK(text_of(*again) == "report (1).pdf");
  CHECK(read_all(dir.path() / "report.pdf") == Bytes(content.view().begin(), content.view().end()));
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) entries++;
  CHECK(entries == 2);
}

// AddressSanitizer's runtime turns mlock() into a no-op that succeeds, so
// there a buffer always counts as locked and nothing is refused for it.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kMlockWorks = false;
#else
constexpr bool kMlockWorks = true;
#endif

TEST_CASE("reading a file to send: locked memory, or a clear refusal", "[attachment]") {
  TempDir dir("meldpunt-attach-locked-");
  const crypto::SecretBuffer content = random_content(3 << 20);
  const auto path = write_file(dir.path() / "scan.pdf", content.view());
  SECTION("a file that fits in what may be locked is read into one locked buffer") {
    // 5 MiB left: enough for the file once, not for a growing copy.
    LockedMemoryLimit limit(5 << 20);
    auto file = client::read_attachment(path, 10 << 20);
    REQUIRE(file.ok());
    CHECK(file->content.equals(content));
    CHECK(file->content.locked());
    // What the old growing read needed, the file and a doubled copy, would
    // not have been locked: the check sees it.
    if (kMlockWorks) CHECK_FALSE(crypto::SecretBuffer(6 << 20).locked());
  }
  SECTION("a file that does not fit is refused before it is read") {
    LockedMemoryLimit limit(1 << 20);
    CHECK(*crypto::lockable_bytes() <= (1u << 20));
    if (kMlockWorks) {
      auto file = client::read_attachment(path, 10 << 20);
      REQUIRE_FALSE(file.ok());
      CHECK(file.error().code == ErrorCode::kStorageFull);
    }
  }
  SECTION("harden_process raises the soft limit to the hard one") {
    rlimit saved{};
    REQUIRE(::getrlimit(RLIMIT_MEMLOCK, &saved) == 0);
    if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max > 4096) {
      rlimit lowered{4096, saved.rlim_max};
      REQUIRE(::setrlimit(RLIMIT_MEMLOCK, &lowered) == 0);
      CHECK(crypto::harden_process().ok());
      rlimit now{};
      REQUIRE(::getrlimit(RLIMIT_MEMLOCK, &now) == 0);
      CHECK(now.rlim_cur == saved.rlim_max);
      ::setrlimit(RLIMIT_MEMLOCK, &saved);
    }
  }
  CHECK(client::attachment_memory_needed(3 << 20) > (3u << 20));
}

TEST_CASE("an interrupted upload stops undoing at an unanswering relay and counts what may remain",
          "[attachment]") {
  std::vector<client::PreparedPiece> pieces(40);  // deposits of 16, 16 and 8
  for (auto& p : pieces) crypto::random_fill(p.delete_token);
  const std::vector<client::Outgoing> message(2);

  SECTION("the relay stops answering: one delete is tried, every piece may remain") {
    FakeRelay relay;
    relay.deposits_ok = 2;
    relay.delete_failure = ErrorCode::kUnavailable;
    std::size_t left = 0;
    auto ids = client::deposit_pieces(relay.transport(), pieces, message, nullptr, &left);
    REQUIRE_FALSE(ids.ok());
    CHECK(ids.error().code == ErrorCode::kUnavailable);
    CHECK(relay.deletes == 1);
    CHECK(left == 40);  // 32 stored and not deleted, 8 in flight
  }
  SECTION("the answer to the message's deposit is lost: it may be stored, so the pieces it names stay") {
    FakeRelay relay;
    relay.deposits_ok = 3;
    std::size_t left = 0;
    auto ids = client::deposit_pieces(relay.transport(), pieces, message, nullptr, &left);
    REQUIRE_FALSE(ids.ok());
    CHECK(relay.deletes == 0);
    CHECK(left == 42);  // the 40 pieces and the message's 2 envelopes
  }
  SECTION("the relay refuses the message's deposit: nothing of it was stored, the pieces are deleted") {
    FakeRelay relay;
    relay.deposits_ok = 3;
    relay.deposit_failure = ErrorCode::kStorageFull;
    std::size_t left = 0;
    auto ids = client::deposit_pieces(relay.transport(), pieces, message, nullptr, &left);
    REQUIRE_FALSE(ids.ok());
    CHECK(relay.deletes == 40);
    CHECK(left == 0);
  }
  SECTION("the relay refuses a deposit: nothing of it was stored, the rest is deleted") {
    FakeRelay relay;
    relay.deposits_ok = 1;
    relay.deposit_failure = ErrorCode::kStorageFull;
    std::size_t left = 99;
    auto ids = client::deposit_pieces(relay.transport(), pieces, message, nullptr, &left);
    REQUIRE_FALSE(ids.ok());
    CHECK(ids.error().code == ErrorCode::kStorageFull);
    CHECK(relay.deletes == 16);
    CHECK(left == 0);
  }
  SECTION("a delete the relay refuses is counted, and the undo goes on") {
    FakeRelay relay;
    relay.deposits_ok = 2;
    relay.deposit_failure = ErrorCode::kStorageFull;
    relay.delete_failure = ErrorCode::kUnauthorised;
    std::size_t left = 0;
    auto ids = client::deposit_pieces(relay.transport(), pieces, message, nullptr, &left);
    REQUIRE_FALSE(ids.ok());
    CHECK(relay.deletes == 32);
    CHECK(left == 32);
  }
  SECTION("all deposits answered: ids of pieces then the message") {
    FakeRelay relay;
    relay.deposits_ok = 4;
    std::size_t calls = 0;
    auto ids = client::deposit_pieces(relay.transport(), pieces, message, nullptr, nullptr,
                                      [&](std::size_t, std::size_t) { calls++; });
    REQUIRE(ids.ok());
    CHECK(ids->size() == 42);
    CHECK(calls == 4);
    CHECK(relay.deletes == 0);
  }
}

TEST_CASE("reading a file to send: limits and refusals", "[attachment]") {
  TempDir dir("meldpunt-attach-read-");
  const crypto::SecretBuffer content = random_content(3000);
  const auto path = write_file(dir.path() / ".secret plan.txt", content.view());
  auto file = client::read_attachment(path, 10000);
  REQUIRE(file.ok());
  CHECK(file->content.equals(content));
  CHECK(text_of(file->name) == "secret plan.txt");  // only the name, sanitised: never the folder
  CHECK(crypto::digest_equal(file->digest, crypto::file_digest(content.view())));

  CHECK(client::read_attachment(path, 2999).error().code == ErrorCode::kTooLarge);
  CHECK(client::read_attachment(dir.path() / "absent", 10000).error().code == ErrorCode::kNotFound);
  CHECK(client::read_attachment(dir.path(), 10000).error().code == ErrorCode::kIo);  // a folder
  const auto empty = write_file(dir.path() / "empty", {});
  CHECK(client::read_attachment(empty, 10000).error().code == ErrorCode::kMalformed);
  CHECK(*client::attachment_file_size(path) == 3000);

  protocol::PolicyInfo policy;
  policy.max_attachment_bytes = 0;
  CHECK(client::check_attachment_size(10, client::attachment_limit(policy)) == client::SizeVerdict::kRelayRefuses);
  policy.max_attachment_bytes = protocol::kMaxAttachmentBytesLimit;  // a relay above the receivers' cap
  CHECK(client::attachment_limit(policy) == protocol::kMaxAttachmentFileBytes);
  policy.max_attachment_bytes = 100;
  CHECK(client::check_attachment_size(101, client::attachment_limit(policy)) == client::SizeVerdict::kOverLimit);
  CHECK(client::check_attachment_size(100, client::attachment_limit(policy)) == client::SizeVerdict::kFits);
  CHECK(client::check_attachment_size(0, 100) == client::SizeVerdict::kEmpty);
}

TEST_CASE("case store: attachment pieces arrive over runs and are checked when complete", "[attachment][adviser]") {
  TempDir dir("meldpunt-adviser-attach-");
  const auto key = crypto::Secret<32>::random();
  auto opened = adviser::CaseStore::open(dir.path(), key);
  REQUIRE(opened.ok());
  adviser::CaseStore& store = *opened;

  crypto::X25519PublicKey reporter{};
  crypto::random_fill(reporter);
  const client::FileToSend file = file_of(protocol::kAttachmentPieceDataBytes + 500, "photo.jpg");
  const auto pieces = client::split_attachment(file);
  auto piece_letter = [&](std::size_t i) {
    adviser::IncomingPiece p;
    crypto::random_fill(p.relay_id);
    crypto::random_fill(p.delete_token);
    p.reporter_message_pk = reporter;
    p.sent_at = 1000;
    p.received_at = 2000;
    p.chunk = &pieces[i];
    return p;
  };

  // Before the report: no case, nothing stored.
  auto early = store.record_incoming_piece(piece_letter(0));
  REQUIRE(early.ok());
  CHECK(early->outcome == adviser::PieceOutcome::kNoCase);

  adviser::IncomingReport report;
  crypto::random_fill(report.relay_id);
  report.reporter_message_pk = reporter;
  report.sent_at = 1000;
  report.received_at = 2000;
  report.body = as_bytes("See the photo.");
  auto opened_case = store.record_incoming(report);
  REQUIRE(opened_case.ok());
  const adviser::CaseKey case_key = opened_case->case_key;

  auto p1 = piece_letter(1);
  CHECK(store.record_incoming_piece(p1)->outcome == adviser::PieceOutcome::kStored);
  CHECK(store.record_incoming_piece(p1)->outcome == adviser::PieceOutcome::kAlreadyKnown);  // same relay message
  auto listed = store.attachments(case_key);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].state == client::AttachmentState::kIncomplete);
  CHECK(store.attachment_content(case_key, 0).error().code == ErrorCode::kMalformed);

  CHECK(store.record_incoming_piece(piece_letter(0))->outcome == adviser::PieceOutcome::kCompleted);
  listed = store.attachments(case_key);
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].state == client::AttachmentState::kIntact);
  CHECK((*listed)[0].received == 2);
  auto content = store.attachment_content(case_key, 0);
  REQUIRE(content.ok());
  CHECK(content->equals(file.content));
  CHECK(store.get_case(case_key)->value().unread == 2);  // the report and the whole file

  // Our own file, kept whole as the record.
  const client::FileToSend mine = file_of(700, "answer.odt");
  REQUIRE(store.record_outgoing_attachment(case_key, 3000, 3001, mine.file_id, mine.name.view(), mine.content.view(),
                                           mine.digest)
              .ok());
  listed = store.attachments(case_key);
  REQUIRE(listed->size() == 2);
  CHECK((*listed)[1].direction == adviser::Direction::kOut);
  CHECK(store.attachment_content(case_key, 1)->equals(mine.content));

  // A damaged file: all pieces there, digest wrong.
  client::FileToSend liar = file_of(protocol::kAttachmentPieceDataBytes + 1, "liar.bin");
  liar.digest[0] ^= 1;
  const auto liar_pieces = client::split_attachment(liar);
  for (std::size_t i = 0; i < liar_pieces.size(); ++i) {
    adviser::IncomingPiece p = piece_letter(0);
    p.chunk = &liar_pieces[i];
    const auto outcome = store.record_incoming_piece(p)->outcome;
    CHECK(outcome == (i + 1 == liar_pieces.size() ? adviser::PieceOutcome::kDamaged : adviser::PieceOutcome::kStored));
  }
  listed = store.attachments(case_key);
  REQUIRE(listed->size() == 3);
  CHECK((*listed)[2].state == client::AttachmentState::kCorrupt);
  CHECK(store.attachment_content(case_key, 2).error().code == ErrorCode::kMalformed);

  // Records round trip, and a damaged record is refused, never trusted.
  const crypto::SecretBuffer encoded = adviser::encode_attachment_record((*listed)[0]);
  auto again = adviser::decode_attachment_record(encoded.view());
  REQUIRE(again.ok());
  CHECK(again->total_bytes == file.content.size());
  crypto::SecretBuffer bad = encoded.clone();
  bad.data()[1 + 1 + 1 + 16 + 8 + 8 + 7] = 0x7F;  // total bytes far above the cap
  CHECK_FALSE(adviser::decode_attachment_record(bad.view()).ok());
}
