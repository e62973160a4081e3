// The reporter's program below the command line: texts in both languages,
// the history letter, rebuilding a conversation (new replies, rotation),
// terminal sanitising, the editor in RAM, the proxy form and failing fast on
// a dead relay.
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>

// By path: adviser-client/src has an attachments.hpp too.
#include "../reporter-client/src/attachments.hpp"
#include "clock.hpp"
#include "common.hpp"
#include "conversation.hpp"
#include "deposits.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/client/directory_check.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/client/terminal.hpp"
#include "meldpunt/client/text.hpp"
#include "meldpunt/crypto/random.hpp"
#include "meldpunt/crypto/sign.hpp"
#include "meldpunt/protocol/handover.hpp"
#include "meldpunt/protocol/letter.hpp"
#include "meldpunt/text/text_policy.hpp"
#include "texts.hpp"

using namespace meldpunt;
using meldpunt::test_support::random_bytes;
using meldpunt::test_support::TempDir;

namespace {

std::set<std::string> placeholders(std::string_view text) {
  std::set<std::string> out;
  for (std::size_t i = 0; i + 2 < text.size(); ++i) {
    if (text[i] == '{' && text[i + 2] == '}') out.insert(std::string(text.substr(i, 3)));
  }
  return out;
}

using test_support::random_fixed;
using test_support::random_as;

crypto::SecretBuffer secret_text(std::string_view s) { return crypto::SecretBuffer::copy_of(s); }

crypto::DirectoryEntry adviser(std::string name) {
  crypto::DirectoryEntry e;
  e.id = random_as<crypto::AdviserId>();
  e.name = std::move(name);
  e.message_pk = random_as<crypto::X25519PublicKey>();
  return e;
}

client::ReceivedLetter received(protocol::LetterKind kind, std::uint64_t at, const crypto::X25519PublicKey& sender,
                                std::string_view body) {
  client::ReceivedLetter r;
  r.id = random_as<crypto::MessageId>();
  r.sender_pk = sender;
  r.letter.kind = kind;
  r.letter.sent_at = at;
  r.letter.delete_token = random_fixed<32>();  // every letter has its own (a copy is a replay)
  r.letter.body = secret_text(body);
  return r;
}

const crypto::ReporterKeys& test_keys() {
  static const crypto::ReporterKeys keys = crypto::derive_reporter_keys(
      crypto::ReporterCode::generate(), random_as<crypto::Ed25519PublicKey>(), crypto::KdfParams::insecure_for_tests());
  return keys;
}

std::size_t shm_leftovers() {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/dev/shm")) {
    if (e.path().filename().string().rfind("meldpunt-", 0) == 0) n++;
  }
  return n;
}

}  // namespace

TEST_CASE("every reporter text exists in English and Dutch with the same placeholders", "[reporter]") {
  std::size_t count = 0;
  const reporter::TextEntry* table = reporter::text_table(count);
  REQUIRE(count == static_cast<std::size_t>(reporter::Msg::kCount));
  for (std::size_t i = 0; i < count; ++i) {
    INFO("text #" << i << ": " << table[i].en);
    CHECK(static_cast<std::size_t>(table[i].key) == i);
    CHECK_FALSE(table[i].en.empty());
    CHECK_FALSE(table[i].nl.empty());
    CHECK(placeholders(table[i].en) == placeholders(table[i].nl));
  }
  // The Dutch texts are not the English ones copied (a few short labels may coincide).
  std::size_t same = 0;
  for (std::size_t i = 0; i < count; ++i) if (table[i].en == table[i].nl) same++;
  CHECK(same <= 2);
  CHECK(reporter::format(reporter::Lang::kNl, reporter::Msg::kCodeTypoInGroup, {"3"}) ==
        "Er zit een tikfout in de code, waarschijnlijk in groepje 3.");
  CHECK(reporter::role_text(reporter::Lang::kNl, crypto::Role::kComplaintsCommittee) == "klachtencommissie");
}

TEST_CASE("the reporter's language follows LC_ALL, LC_MESSAGES, LANG in that order", "[reporter]") {
  using reporter::Lang;
  using reporter::language_from_locale;
  CHECK(language_from_locale(nullptr, nullptr, nullptr) == Lang::kEn);
  CHECK(language_from_locale(nullptr, nullptr, "nl_NL.UTF-8") == Lang::kNl);
  CHECK(language_from_locale(nullptr, nullptr, "nl_BE") == Lang::kNl);
  CHECK(language_from_locale(nullptr, nullptr, "nl") == Lang::kNl);
  CHECK(language_from_locale("en_GB.UTF-8", nullptr, "nl_NL.UTF-8") == Lang::kEn);
  CHECK(language_from_locale("", "nl_NL.UTF-8", "en_US.UTF-8") == Lang::kNl);
  CHECK(language_from_locale(nullptr, nullptr, "C") == Lang::kEn);
  CHECK(language_from_locale(nullptr, nullptr, "nld") == Lang::kEn);  // not a nl locale name
}

TEST_CASE("history bodies round-trip and malformed ones are refused", "[reporter]") {
  protocol::History h;
  h.truncated = true;
  protocol::HistoryEntry mine;
  mine.sent_at = 1700000000;
  mine.from_reporter = true;
  mine.recipients = {random_as<crypto::AdviserId>(), random_as<crypto::AdviserId>()};
  mine.body = secret_text("my report\n");
  protocol::HistoryEntry theirs;
  theirs.sent_at = 1700000100;
  theirs.adviser_id = random_as<crypto::AdviserId>();
  theirs.body = secret_text("a reply");
  h.entries.push_back(std::move(mine));
  h.entries.push_back(std::move(theirs));

  const crypto::SecretBuffer encoded = protocol::encode_history(h);
  CHECK(encoded.size() == protocol::kHistoryHeaderBytes + protocol::history_entry_bytes(h.entries[0]) +
                              protocol::history_entry_bytes(h.entries[1]));
  auto decoded = protocol::decode_history(encoded.view());
  REQUIRE(decoded);
  CHECK(decoded->truncated);
  REQUIRE(decoded->entries.size() == 2);
  CHECK(decoded->entries[0].from_reporter);
  CHECK(decoded->entries[0].recipients == h.entries[0].recipients);
  CHECK(decoded->entries[0].body.text() == "my report\n");
  CHECK_FALSE(decoded->entries[1].from_reporter);
  CHECK(decoded->entries[1].adviser_id == h.entries[1].adviser_id);
  CHECK(decoded->entries[1].sent_at == 1700000100);

  // Every strict prefix, a trailing byte, unknown flags, versions and senders.
  for (std::size_t n = 0; n < encoded.size(); ++n) CHECK_FALSE(protocol::decode_history(encoded.view().first(n)));
  crypto::SecretBuffer longer = encoded.clone();
  longer.push_back(0);
  CHECK_FALSE(protocol::decode_history(longer.view()));
  for (const auto& [offset, value] : std::vector<std::pair<std::size_t, std::uint8_t>>{
           {0, 3}, {0, 0}, {1, 0x02}, {1, 0x81}, {4 + 8, 0}, {4 + 8, 3}}) {
    crypto::SecretBuffer bad = encoded.clone();
    bad.data()[offset] = value;
    CHECK_FALSE(protocol::decode_history(bad.view()));
  }
  // A count far beyond the bytes present is refused without reserving for it.
  const std::uint8_t huge[] = {1, 0, 0xFF, 0xFF};
  CHECK_FALSE(protocol::decode_history(ByteView(huge, sizeof huge)));
  // Random bytes never throw.
  for (int i = 0; i < 2000; ++i) {
    Bytes junk = random_bytes(static_cast<std::size_t>(i % 97));
    if (!junk.empty()) junk[0] = 1;
    if (junk.size() > 1) junk[1] &= 1;
    CHECK_NOTHROW(protocol::decode_history(junk));
  }
}

TEST_CASE("rotate and history letters are letter kinds 4 and 5", "[reporter]") {
  for (auto kind : {protocol::LetterKind::kRotate, protocol::LetterKind::kHistory}) {
    protocol::Letter letter;
    letter.kind = kind;
    letter.sent_at = 42;
    letter.reporter_fetch_pk = random_as<crypto::FetchPublicKey>();
    letter.recipients = {random_as<crypto::AdviserId>()};
    letter.body = crypto::SecretBuffer::copy_of(random_bytes(protocol::kRotateBodyBytes));
    const crypto::SecretBuffer encoded = protocol::encode_letter(letter);
    auto decoded = protocol::decode_letter(encoded.view());
    REQUIRE(decoded);
    CHECK(decoded->kind == kind);
    CHECK(decoded->body.equals(letter.body));
    crypto::SecretBuffer unknown = encoded.clone();
    unknown.data()[1] = protocol::kMaxLetterKind + 1;
    CHECK_FALSE(protocol::decode_letter(unknown.view()));
  }
}

TEST_CASE("a conversation marks replies newer than the reporter's last message as new", "[reporter]") {
  const crypto::ReporterKeys& keys = test_keys();
  crypto::Directory directory;
  directory.entries = {adviser("Anna"), adviser("Bureau")};
  const crypto::DirectoryEntry& anna = directory.entries[0];
  const crypto::DirectoryEntry& bureau = directory.entries[1];

  client::Mailbox mailbox;
  auto sent = [&](std::uint64_t at, std::vector<crypto::AdviserId> to) {
    auto r = received(protocol::LetterKind::kSentCopy, at, keys.message_pk, "mine");
    r.letter.recipients = std::move(to);
    mailbox.letters.push_back(std::move(r));
  };
  auto reply = [&](std::uint64_t at, const crypto::DirectoryEntry& from, const crypto::X25519PublicKey& sender) {
    auto r = received(protocol::LetterKind::kReply, at, sender, "reply");
    r.letter.adviser_id = from.id;
    mailbox.letters.push_back(std::move(r));
  };
  sent(100, {anna.id, bureau.id});
  reply(150, anna, anna.message_pk);                  // seen: before the reporter's last message
  sent(200, {anna.id});                               // the reporter left the bureau out
  reply(250, bureau, bureau.message_pk);              // new
  reply(300, anna, anna.message_pk);                  // new
  reply(310, anna, bureau.message_pk);                // forged: wrong key for the claimed adviser
  mailbox.letters.push_back(received(protocol::LetterKind::kSentCopy, 320, random_as<crypto::X25519PublicKey>(), "not mine"));
  mailbox.letters.push_back(received(protocol::LetterKind::kRotate, 330, keys.message_pk, "x"));

  const reporter::Conversation c = reporter::build_conversation(std::move(mailbox), keys, directory);
  REQUIRE(c.entries.size() == 5);
  CHECK(c.ignored == 3);
  CHECK(c.new_replies == 2);
  CHECK(c.current_recipients == std::vector<crypto::AdviserId>{anna.id});
  CHECK_FALSE(c.entries[1].is_new);
  CHECK(c.entries[3].is_new);
  CHECK(c.entries[4].is_new);
  CHECK(c.entries[4].adviser == &directory.entries[0]);
}

TEST_CASE("a history letter brings an earlier code's conversation into the new one", "[reporter]") {
  const crypto::ReporterKeys& keys = test_keys();
  crypto::Directory directory;
  directory.entries = {adviser("Anna")};
  const crypto::DirectoryEntry& anna = directory.entries[0];

  // The old conversation as the old code saw it.
  client::Mailbox old_box;
  {
    auto mine = received(protocol::LetterKind::kSentCopy, 100, keys.message_pk, "first report");
    mine.letter.recipients = {anna.id};
    old_box.letters.push_back(std::move(mine));
    auto answer = received(protocol::LetterKind::kReply, 200, anna.message_pk, "first answer");
    answer.letter.adviser_id = anna.id;
    old_box.letters.push_back(std::move(answer));
  }
  const reporter::Conversation old_conv = reporter::build_conversation(std::move(old_box), keys, directory);
  REQUIRE(old_conv.entries.size() == 2);
  CHECK(old_conv.new_replies == 1);

  std::size_t dropped = 99;
  const protocol::History all = reporter::history_of(old_conv, protocol::max_body_bytes(1), dropped);
  CHECK(dropped == 0);
  CHECK_FALSE(all.truncated);
  REQUIRE(all.entries.size() == 2);

  // Only the newest entry fits: the oldest is dropped and the history says so.
  const std::size_t one = protocol::kHistoryHeaderBytes + protocol::history_entry_bytes(all.entries[1]);
  const protocol::History newest = reporter::history_of(old_conv, one, dropped);
  CHECK(dropped == 1);
  CHECK(newest.truncated);
  REQUIRE(newest.entries.size() == 1);
  CHECK(newest.entries[0].body.text() == "first answer");

  // The new code's mailbox: the history letter plus a reply that came after.
  client::Mailbox new_box;
  auto carry = received(protocol::LetterKind::kHistory, 300, keys.message_pk, "");
  carry.letter.recipients = {anna.id};
  carry.letter.body = protocol::encode_history(all);
  new_box.letters.push_back(std::move(carry));
  auto later = received(protocol::LetterKind::kReply, 400, anna.message_pk, "under the new code");
  later.letter.adviser_id = anna.id;
  new_box.letters.push_back(std::move(later));
  // A history letter not sealed by the reporter's own key is ignored.
  auto forged = received(protocol::LetterKind::kHistory, 500, anna.message_pk, "");
  forged.letter.body = protocol::encode_history(all);
  new_box.letters.push_back(std::move(forged));

  const reporter::Conversation c = reporter::build_conversation(std::move(new_box), keys, directory);
  REQUIRE(c.entries.size() == 3);
  CHECK(c.ignored == 1);
  CHECK(c.entries[0].from_history);
  CHECK(c.entries[0].body->text() == "first report");
  CHECK(c.entries[1].adviser == &directory.entries[0]);
  CHECK(c.entries[1].is_new);  // never answered by the reporter: still new after the move
  CHECK(c.entries[2].is_new);
  CHECK(c.new_replies == 2);
  CHECK(c.current_recipients == std::vector<crypto::AdviserId>{anna.id});
}

TEST_CASE("hand-over proposals: only signed ones from a current adviser, until answered", "[reporter]") {
  const crypto::ReporterKeys& keys = test_keys();
  crypto::Directory directory;
  directory.entries = {adviser("Anna"), adviser("Bram"), adviser("Commissie")};
  std::vector<crypto::SigningKeyPair> signing(3);
  for (std::size_t i = 0; i < 3; ++i) {
    signing[i] = crypto::SigningKeyPair::generate();
    directory.entries[i].sign_pk = signing[i].pk;
  }
  const crypto::DirectoryEntry& anna = directory.entries[0];
  const crypto::DirectoryEntry& bram = directory.entries[1];
  const crypto::DirectoryEntry& commissie = directory.entries[2];
  auto signer_of = [&](const crypto::DirectoryEntry& e) -> const crypto::SigningKeyPair& {
    return signing[static_cast<std::size_t>(&e - directory.entries.data())];
  };

  auto proposal_letter = [&](std::uint64_t at, const crypto::DirectoryEntry& from, const crypto::X25519PublicKey& sender,
                             const crypto::DirectoryEntry& to, protocol::ProposalId& id) {
    protocol::HandoverProposal p;
    crypto::random_fill(p.id);
    id = p.id;
    p.new_adviser = to.id;
    p.signature = crypto::sign(protocol::kHandoverDomain,
                               protocol::handover_statement(from.id, keys.message_pk, p.id, to.id),
                               signer_of(from).sk);
    auto r = received(protocol::LetterKind::kHandoverProposal, at, sender, "");
    r.letter.adviser_id = from.id;
    r.letter.body = protocol::encode_proposal(p);
    return r;
  };
  auto mailbox = [&]() {
    client::Mailbox box;
    auto report = received(protocol::LetterKind::kSentCopy, 100, keys.message_pk, "report");
    report.letter.recipients = {anna.id, bram.id};
    box.letters.push_back(std::move(report));
    return box;
  };

  protocol::ProposalId older{}, newer{}, forged{}, outsider{};
  client::Mailbox box = mailbox();
  box.letters.push_back(proposal_letter(200, anna, anna.message_pk, commissie, older));
  box.letters.push_back(proposal_letter(300, anna, anna.message_pk, commissie, newer));
  // Sealed by Bram's key but claiming to be Anna's: not a proposal at all.
  box.letters.push_back(proposal_letter(400, anna, bram.message_pk, commissie, forged));
  // From an adviser who does not read this conversation.
  box.letters.push_back(proposal_letter(500, commissie, commissie.message_pk, bram, outsider));
  // Anna's, but its signature names another new adviser than the letter: ignored.
  protocol::ProposalId tampered{};
  auto bad = proposal_letter(600, anna, anna.message_pk, commissie, tampered);
  auto decoded = protocol::decode_proposal(bad.letter.body.view());
  REQUIRE(decoded.ok());
  decoded->new_adviser = bram.id;
  bad.letter.body = protocol::encode_proposal(*decoded);
  box.letters.push_back(std::move(bad));
  reporter::Conversation c = reporter::build_conversation(std::move(box), keys, directory);
  CHECK(c.ignored == 2);
  REQUIRE(c.pending_proposals.size() == 2);
  CHECK(c.pending_proposals[0].from == &anna);
  CHECK(c.pending_proposals[0].to == &commissie);
  CHECK(c.pending_proposals[0].proposal->id == older);
  CHECK(c.pending_proposals[1].proposal->id == newer);
  CHECK(c.earlier_readers.empty());

  // Answered (accepted): no longer pending, the readers follow the answer's
  // recipients, and Anna holds the earlier messages only.
  box = mailbox();
  box.letters.push_back(proposal_letter(300, anna, anna.message_pk, commissie, newer));
  protocol::HandoverAnswer answer{newer, protocol::HandoverDecision::kAccept, commissie.id};
  auto own_answer = received(protocol::LetterKind::kHandoverAnswer, 310, keys.message_pk, "");
  own_answer.letter.adviser_id = anna.id;
  own_answer.letter.recipients = {bram.id, commissie.id};
  own_answer.letter.body = protocol::encode_answer(answer);
  box.letters.push_back(std::move(own_answer));
  c = reporter::build_conversation(std::move(box), keys, directory);
  CHECK(c.pending_proposals.empty());
  CHECK(c.current_recipients == std::vector<crypto::AdviserId>{bram.id, commissie.id});
  CHECK(c.earlier_readers == std::vector<crypto::AdviserId>{anna.id});
  REQUIRE(c.entries.size() == 3);
  CHECK(c.entries[2].kind == reporter::EntryKind::kAnswer);
  CHECK(c.entries[2].decision == protocol::HandoverDecision::kAccept);
  // Only messages travel in a history.
  std::size_t dropped = 0;
  CHECK(reporter::history_of(c, protocol::max_body_bytes(2), dropped).entries.size() == 1);
}

TEST_CASE("attachment letters carry the message's time, and rotate sees them", "[reporter][attachment]") {
  const crypto::ReporterKeys& keys = test_keys();
  crypto::Directory directory;
  directory.entries.push_back(adviser("Anna"));
  directory.entries.back().fetch_pk = keys.fetch_pk;  // any valid ristretto255 point
  client::FileToSend file;
  file.content = secret_text("a short file");
  file.name = secret_text("note.txt");
  file.digest = crypto::file_digest(file.content.view());
  file.file_id = random_as<protocol::AttachmentFileId>();
  std::vector<client::FileToSend> files;
  files.push_back(std::move(file));

  // A reply is dated reporter::next_own_time: here an hour ahead of this
  // computer's clock, as after using the code on a computer whose clock is ahead.
  const std::uint64_t when = reporter::now_seconds() + 3600;
  // Every piece is sealed once, to the file's own key (not to an adviser):
  // one piece for a short file, whoever reads it, and no description.
  auto letters = reporter::prepare_attachment_letters(keys, files, when);
  INFO((letters.ok() ? std::string() : letters.error().message));
  REQUIRE(letters.ok());
  REQUIRE(letters->size() == 1);
  CHECK_FALSE(crypto::open_envelope(letters->back().item.envelope, keys.message_sk, keys.message_pk).ok());
  const crypto::ReporterKeys file_key = crypto::derive_file_keys(files.front().key_seed);
  auto opened = crypto::open_envelope(letters->back().item.envelope, file_key.message_sk, file_key.message_pk);
  REQUIRE(opened.ok());
  CHECK(opened->sender_pk == keys.message_pk);
  auto letter = protocol::decode_letter(opened->payload.view());
  REQUIRE(letter.ok());
  CHECK(letter->kind == protocol::LetterKind::kAttachmentChunk);
  CHECK(letter->sent_at == when);
  CHECK(letter->adviser_id == crypto::AdviserId{});
  CHECK(letter->recipients.empty());

  // rotate keeps the old code's letters when any are attachment letters.
  client::Mailbox mailbox;
  mailbox.letters.push_back(received(protocol::LetterKind::kSentCopy, 100, keys.message_pk, "hello"));
  CHECK_FALSE(reporter::holds_attachments(mailbox));
  mailbox.letters.push_back(received(protocol::LetterKind::kAttachmentChunk, 200, directory.entries[0].message_pk, ""));
  CHECK(reporter::holds_attachments(mailbox));
}

namespace {

// Sets an environment variable, or the working folder, for one test and
// puts the old value back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class ScopedCwd {
 public:
  explicit ScopedCwd(const std::filesystem::path& to) : old_(std::filesystem::current_path()) {
    std::filesystem::current_path(to);
  }
  ~ScopedCwd() { std::filesystem::current_path(old_); }
  ScopedCwd(const ScopedCwd&) = delete;
  ScopedCwd& operator=(const ScopedCwd&) = delete;

 private:
  std::filesystem::path old_;
};

void write_file(const std::filesystem::path& path, std::string_view content) {
  std::ofstream(path, std::ios::binary) << content;
}

}  // namespace

TEST_CASE("attach prompt: ~/ is the home folder, quotes and blanks go only if the path as typed is not there",
          "[reporter][attachment]") {
  TempDir home;
  const std::string h = home.path().string();
  const ScopedEnv env("HOME", h);
  CHECK(reporter::path_at_prompt("~/notes.txt") == h + "/notes.txt");
  CHECK(reporter::path_at_prompt("~") == h);
  CHECK(reporter::path_at_prompt("~someone/notes.txt") == "~someone/notes.txt");  // not ours to expand
  CHECK(reporter::path_at_prompt("/a/~/b") == "/a/~/b");
  CHECK(reporter::path_at_prompt(h + "/plain.txt") == h + "/plain.txt");

  // As a terminal pastes a dragged file: quotes, blanks after it.
  write_file(home.path() / "photo of the board.jpg", "x");
  const std::string photo = h + "/photo of the board.jpg";
  CHECK(reporter::path_at_prompt("'" + photo + "' ") == photo);
  CHECK(reporter::path_at_prompt("\"" + photo + "\"") == photo);
  CHECK(reporter::path_at_prompt("  " + photo + "\t") == photo);
  CHECK(reporter::path_at_prompt("'~/photo of the board.jpg'") == photo);
  CHECK(reporter::path_at_prompt("'" + photo + "\"") == "'" + photo + "\"");  // quotes that do not pair

  // A name that really has the blank or the quotes is taken as typed.
  write_file(home.path() / "trailing blank.txt ", "x");
  write_file(home.path() / "trailing blank.txt", "x");
  CHECK(reporter::path_at_prompt(h + "/trailing blank.txt ") == h + "/trailing blank.txt ");
  {
    const ScopedCwd cwd(home.path());
    write_file("'quoted'", "x");
    write_file("quoted", "x");
    write_file("unquoted", "x");
    CHECK(reporter::path_at_prompt("'quoted'") == "'quoted'");
    CHECK(reporter::path_at_prompt("'unquoted'") == "unquoted");
    CHECK(reporter::path_at_prompt("''") == "''");  // nothing inside: as typed
  }
}

TEST_CASE("attach prompt: a line with a control character is refused, a blank one ends the list",
          "[reporter][attachment]") {
  using namespace std::string_literals;
  for (const std::string& bad : {"good.txt\0/../../etc/shadow"s, "~/Docu\x1b[Dments/a.pdf"s, "a\tb.txt"s,
                                 "bell\x07.txt"s, "del\x7f.txt"s, "csi\xc2\x9b" "2J.txt"s, "nul\0"s,
                                 "cr\r.txt"s, "line\nbreak"s}) {
    INFO(client::terminal_safe_label(bad));
    CHECK(reporter::has_control_character(bad));
  }
  for (const std::string& good : {"notes.txt"s, "/home/you/rooster week 12.pdf"s, "'dragged file.jpg' "s,
                                  "Ren\xc3\xa9" "e.pdf"s, "\xe6\x97\xa5\xe6\x9c\xac.txt"s, "\xc2\xa0nbsp.txt"s,
                                  "latin1 caf\xe9.txt"s}) {
    INFO(good);
    CHECK_FALSE(reporter::has_control_character(good));
  }
  CHECK(reporter::is_blank_line(""));
  CHECK(reporter::is_blank_line("   "));
  CHECK(reporter::is_blank_line(" \t "));
  CHECK_FALSE(reporter::is_blank_line(" a "));
  CHECK_FALSE(reporter::is_blank_line("."));
}

TEST_CASE("a file that cannot be attached is named safely, with the reason in the reporter's language",
          "[reporter][attachment]") {
  TempDir dir;
  protocol::PolicyInfo policy;
  policy.max_attachment_bytes = 100000;
  auto refused = [&](reporter::Lang lang, const std::string& path) {
    auto files = reporter::read_attachments(lang, {path}, policy);
    REQUIRE_FALSE(files);
    return files.error().message;
  };
  auto occurrences = [](const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) n++;
    return n;
  };

  // A path with escape sequences: never raw on the terminal, named once.
  const std::string missing = (dir.path() / "gone\x1b[2J\x1b]0;owned\x07.txt").string();
  for (const auto lang : {reporter::Lang::kEn, reporter::Lang::kNl}) {
    const std::string message = refused(lang, missing);
    INFO(client::terminal_safe_label(message));
    CHECK(message.find('\x1b') == std::string::npos);
    CHECK(message.find('\x07') == std::string::npos);
    CHECK(occurrences(message, "gone?[2J?]0;owned?.txt") == 1);
    CHECK(message.find("no file") == std::string::npos);
  }
  CHECK(refused(reporter::Lang::kEn, missing).find("there is no such file") != std::string::npos);
  CHECK(refused(reporter::Lang::kNl, missing).find("dat bestand bestaat niet") != std::string::npos);

  const std::string folder = (dir.path() / "a folder\x1b[31m").string();
  std::filesystem::create_directory(folder);
  const std::string en = refused(reporter::Lang::kEn, folder);
  const std::string nl = refused(reporter::Lang::kNl, folder);
  CHECK(en.find("it is not a regular file") != std::string::npos);
  CHECK(nl.find("het is geen gewoon bestand") != std::string::npos);
  CHECK(nl.find("is not a regular file") == std::string::npos);
  CHECK((en + nl).find('\x1b') == std::string::npos);

  if (::geteuid() != 0) {  // root reads everything
    const std::string locked = (dir.path() / "locked\x1b[D.txt").string();
    write_file(locked, "secret");
    ::chmod(locked.c_str(), 0);
    const std::string message = refused(reporter::Lang::kNl, locked);
    CHECK(message.find("je mag het niet lezen") != std::string::npos);
    CHECK(message.find('\x1b') == std::string::npos);
  }

  // The messages of client/attachment.cpp, and what is not one of them.
  using reporter::attachment_problem;
  const std::string p = "/tmp/x\x1b[2J";
  const auto en_ = reporter::Lang::kEn;
  CHECK(attachment_problem(en_, Error{ErrorCode::kNotFound, "no file " + p}, p) == "there is no such file");
  CHECK(attachment_problem(en_, Error{ErrorCode::kIo, p + " is not a regular file"}, p) ==
        "it is not a regular file (but a folder, a device or a pipe)");
  CHECK(attachment_problem(en_, Error{ErrorCode::kIo, p + " changed while it was being read; close it"}, p)
            .starts_with("it changed while it was being read"));
  CHECK(attachment_problem(en_, Error{ErrorCode::kIo, "cannot open " + p + ": " + std::strerror(EACCES)}, p) ==
        "you may not read it (no permission)");
  CHECK(attachment_problem(en_, Error{ErrorCode::kIo, "cannot examine " + p + ": " + std::strerror(ENOTDIR)}, p) ==
        "there is no such file");
  CHECK(attachment_problem(en_, Error{ErrorCode::kIo, "cannot read " + p + ": " + std::strerror(EIO)}, p) ==
        std::string("the system says: ") + std::strerror(EIO));
  const Error unknown{ErrorCode::kIo, "something new about " + p};
  CHECK(attachment_problem(en_, unknown, p) == "something new about /tmp/x?[2J");
  CHECK(attachment_problem(en_, unknown, p, false) == "it cannot be read");
  // A message for another path is not taken for this one's.
  CHECK(attachment_problem(en_, Error{ErrorCode::kIo, "/other is not a regular file"}, p) ==
        "/other is not a regular file");
}

TEST_CASE("text from the relay is made safe for the terminal", "[reporter]") {
  const std::string hostile = "ok\x1b]0;title\x07 \x1b[2J\xc2\x9b" "31m\xff\xfe\tend\nline";
  const crypto::SecretBuffer safe = client::terminal_safe(as_bytes(hostile));
  CHECK(safe.text() == "ok?]0;title? ?[2J?31m??\tend\nline");
  CHECK(client::terminal_safe_label("Anna\nde\x1bVries") == "Anna?de?Vries");
  CHECK(client::terminal_safe_label("Ren\xc3\xa9") == "Ren\xc3\xa9");
  CHECK(text::is_valid_utf8(as_bytes(std::string_view("Ren\xc3\xa9"))));
  CHECK_FALSE(text::is_valid_utf8(as_bytes(std::string_view("\xc0\xaf"))));  // overlong '/'
}

TEST_CASE("rollback: an older, expired or undated directory is refused", "[reporter][rollback]") {
  crypto::Directory d;
  d.serial = 5;
  d.valid_until = 2'000'000'000;
  const std::uint64_t now = 1'800'000'000;
  CHECK(client::check_directory_fresh(d, {}, now).ok());
  CHECK(client::check_directory_fresh(d, {5, true}, now).ok());
  auto older = client::check_directory_fresh(d, {6, true}, now);
  REQUIRE_FALSE(older.ok());
  CHECK(older.error().code == ErrorCode::kReplay);
  CHECK(older.error().message.find("serial 5, older than serial 6") != std::string::npos);
  auto expired = client::check_directory_fresh(d, {}, 2'000'000'001);
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.error().message.find("expired on 2033-05-18") != std::string::npos);
  // Version 1 (no date): accepted before the cut-off unless a dated one was seen.
  d.valid_until = 0;
  CHECK(client::check_directory_fresh(d, {}, crypto::kLegacyDirectoryCutoff - 1).ok());
  CHECK_FALSE(client::check_directory_fresh(d, {}, crypto::kLegacyDirectoryCutoff).ok());
  CHECK_FALSE(client::check_directory_fresh(d, {1, true}, now).ok());
}

TEST_CASE("letters: version 2 carries the directory serial, version 1 still reads", "[reporter][rollback]") {
  protocol::Letter letter;
  letter.kind = protocol::LetterKind::kSentCopy;
  letter.sent_at = 77;
  letter.directory_serial = 0x0102030405060708ull;
  letter.body = secret_text("hi");
  const crypto::SecretBuffer v2 = protocol::encode_letter(letter);
  REQUIRE(v2.size() == protocol::kLetterHeaderBytes + 4 + 2);
  CHECK(v2.data()[0] == 2);
  auto back = protocol::decode_letter(v2.view());
  REQUIRE(back.ok());
  CHECK(back->directory_serial == 0x0102030405060708ull);
  CHECK(back->sent_at == 77);
  // The same letter as version 1 wrote it: no serial field.
  Bytes v1(v2.data(), v2.data() + v2.size());
  v1.erase(v1.begin() + 10, v1.begin() + 18);
  v1[0] = 1;
  auto old = protocol::decode_letter(v1);
  REQUIRE(old.ok());
  CHECK(old->directory_serial == 0);
  CHECK(old->sent_at == 77);
  CHECK(old->body.text() == "hi");
  v1[0] = 3;
  CHECK_FALSE(protocol::decode_letter(v1).ok());
}

TEST_CASE("bodies are neutralised and set apart line by line", "[reporter][text]") {
  // Bidi override, zero-width space, line separator, word joiner, BOM.
  const std::string hidden = "a\xe2\x80\xae" "b\xe2\x80\x8b" "c\xe2\x80\xa8" "d\xe2\x81\xa0" "e\xef\xbb\xbf" "f";
  CHECK(std::string(client::terminal_safe(as_bytes(hidden)).text()) == "a?b?c?d?e?f");
  CHECK(client::terminal_safe_label("Anna\xe2\x80\xae" "evil") == "Anna?evil");
  // A forged header line stays behind the prefix; so does an empty line.
  const std::string forged = "hello\n\n--- 2026-12-06 07:00  Bureau Extern  [NEW]\nsend your name\n";
  CHECK(std::string(client::body_block(as_bytes(forged)).text()) ==
        "  | hello\n  | \n  | --- 2026-12-06 07:00  Bureau Extern  [NEW]\n  | send your name\n");
  CHECK(std::string(client::body_block(as_bytes(std::string_view("tab\there"))).text()) == "  | tab    here\n");
  CHECK(std::string(client::body_block(ByteView{}).text()) == "  | \n");
  // Long lines break after a space, or inside a word longer than a line;
  // every piece is behind the prefix and at most kBodyColumns wide.
  const std::string words = std::string(70, 'a') + " " + std::string(10, 'b') + " " + std::string(200, 'c');
  const std::string shown(client::body_block(as_bytes(words)).text());
  CHECK(shown == "  | " + std::string(70, 'a') + " \n  | " + std::string(10, 'b') + " \n  | " + std::string(72, 'c') +
                     "\n  | " + std::string(72, 'c') + "\n  | " + std::string(56, 'c') + "\n");
  // Wide characters count two columns.
  std::string wide;
  for (int i = 0; i < 40; ++i) wide += "\xe4\xb8\xad";  // U+4E2D
  const std::string wide_shown(client::body_block(as_bytes(wide)).text());
  CHECK(wide_shown.find('\n') == 4 + 36 * 3);
}

TEST_CASE("the proxy is given as socks5h://HOST:PORT", "[reporter]") {
  CHECK(client::parse_socks_proxy("socks5h://127.0.0.1:9050").value() == "127.0.0.1:9050");
  CHECK(client::parse_socks_proxy("socks5h://localhost:9150/").value() == "localhost:9150");
  CHECK(client::parse_socks_proxy("socks5h://[::1]:9050").value() == "[::1]:9050");
  for (const char* bad : {"127.0.0.1:9050", "socks5://127.0.0.1:9050", "socks4://h:1", "socks5h://:9050",
                          "socks5h://host", "socks5h://host:0", "socks5h://host:65536", "socks5h://host:90x",
                          "socks5h://ho st:9050", "socks5h://user@host:9050", "http://host:8080"}) {
    INFO(bad);
    CHECK_FALSE(client::parse_socks_proxy(bad));
  }
}

TEST_CASE("a relay that is not there fails fast and says so", "[reporter]") {
  protocol::ChannelAddress address;
  address.endpoint = "tcp://127.0.0.1:1";  // port 1: refused on loopback
  address.relay_curve_pk = random_fixed<32>();
  client::ConnectionOptions options;
  options.connect_timeout = std::chrono::seconds(20);
  client::RelayConnection relay(address, options);
  const auto start = std::chrono::steady_clock::now();
  auto reply = relay.call(protocol::request_header_only(protocol::Op::kGetDirectory));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(reply);
  CHECK(reply.error().code == ErrorCode::kUnavailable);
  CHECK(reply.error().message.find("127.0.0.1:1") != std::string::npos);
  CHECK(elapsed < std::chrono::seconds(5));
  // The failure is remembered: the next call does not wait again.
  const auto again = std::chrono::steady_clock::now();
  CHECK_FALSE(relay.call(protocol::request_header_only(protocol::Op::kGetDirectory)));
  CHECK(std::chrono::steady_clock::now() - again < std::chrono::seconds(1));
}

TEST_CASE("the editor works on a file in RAM that is wiped and removed", "[reporter]") {
  const std::size_t before = shm_leftovers();
  SECTION("the text the editor saved") {
    auto text = client::edit_in_editor("printf 'hello\\nworld\\n' >", 1000);
    REQUIRE(text);
    CHECK(text->text() == "hello\nworld\n");
  }
  SECTION("the file is private (0600)") {
    auto text = client::edit_in_editor("sh -c 'stat -c %a \"$0\" > \"$0\"'", 1000);
    REQUIRE(text);
    CHECK(text->text() == "600\n");
  }
  SECTION("an editor that fails sends nothing") {
    auto text = client::edit_in_editor("printf 'draft' > \"$1\"; false", 1000);
    REQUIRE_FALSE(text);
    CHECK(text.error().code == ErrorCode::kIo);
  }
  SECTION("an empty file is an empty message") {
    auto text = client::edit_in_editor("true", 1000);
    REQUIRE_FALSE(text);
    CHECK(text.error().code == ErrorCode::kMalformed);
  }
  SECTION("too long") {
    auto text = client::edit_in_editor("head -c 2000 /dev/zero | tr '\\0' a >", 1000);
    REQUIRE_FALSE(text);
    CHECK(text.error().code == ErrorCode::kTooLarge);
  }
  SECTION("a folder on disk is refused") {
    TempDir disk;
    auto text = client::edit_in_editor("printf 'x' >", 1000, disk.path());
    REQUIRE_FALSE(text);
    CHECK(text.error().code == ErrorCode::kUnavailable);
    CHECK(disk.names().empty());
  }
  CHECK(shm_leftovers() == before);
}
