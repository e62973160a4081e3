// adviser-client use cases (adviser-client/src/usecases/), driven directly
// on a store in a temporary folder: no process, no terminal, no relay. The
// text and passphrase a use case asks for are answered by lambdas that
// record whether they were asked at all.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "case_store.hpp"
#include "common.hpp"
#include "key_file.hpp"
#include "meldpunt/crypto/passphrase_box.hpp"
#include "meldpunt/crypto/random.hpp"
#include "meldpunt/os/files.hpp"
#include "usecases/acknowledge.hpp"
#include "usecases/attachment.hpp"
#include "usecases/backup.hpp"
#include "usecases/change_status.hpp"
#include "usecases/export_case.hpp"
#include "usecases/file_case.hpp"
#include "usecases/handover.hpp"
#include "usecases/identity.hpp"
#include "usecases/open_store.hpp"
#include "usecases/read_case.hpp"
#include "usecases/notes.hpp"
#include "usecases/settings.hpp"

namespace fs = std::filesystem;
using namespace meldpunt;
using namespace meldpunt::adviser;
using meldpunt::test_support::random_as;
using meldpunt::test_support::TempDir;

namespace {

constexpr std::uint64_t kT0 = 1'700'000'000;
constexpr std::uint64_t kDay = 24 * 3600;

template <std::size_t N>
FixedBytes<N> random_fixed() {
  FixedBytes<N> out{};
  crypto::random_fill(out);
  return out;
}

// A store in a temporary folder with one case opened by a report at kT0.
struct StoreWithCase {
  TempDir dir{"meldpunt-usecases-"};
  CaseStore store = open();
  CaseRecord record = add_case("the report's text");

  CaseStore open() {
    fs::create_directory(dir.path() / "store");
    auto s = CaseStore::open(dir.path() / "store", crypto::Secret<32>::random());
    REQUIRE(s.ok());
    return std::move(s).value();
  }

  CaseRecord add_case(std::string_view body) {
    IncomingReport r;
    r.relay_id = random_as<crypto::MessageId>();
    r.delete_token = random_fixed<32>();
    r.reporter_message_pk = random_as<crypto::X25519PublicKey>();
    r.reporter_fetch_pk = random_as<crypto::FetchPublicKey>();
    r.sent_at = kT0;
    r.received_at = kT0;
    r.body = as_bytes(body);
    auto outcome = store.record_incoming(r);
    REQUIRE(outcome.ok());
    auto c = store.get_case(outcome->case_key);
    REQUIRE(c.ok());
    REQUIRE(c->has_value());
    return std::move(**c);
  }

  CaseRecord current() {
    auto c = store.get_case(record.key);
    REQUIRE(c.ok());
    REQUIRE(c->has_value());
    return std::move(**c);
  }
};

// A SecretSource that gives `text` and counts how often it was asked.
usecase::SecretSource counting_source(std::string text, int& asked) {
  return [text = std::move(text), &asked]() -> Result<crypto::SecretBuffer> {
    ++asked;
    return crypto::SecretBuffer::copy_of(std::string_view(text));
  };
}

}  // namespace

TEST_CASE("use case change_status: moves the case on and says the next deadline", "[adviser][usecases]") {
  StoreWithCase s;
  auto change = usecase::change_status(s.store, s.record.id(), StatusAction::kAcknowledge, kT0 + kDay);
  REQUIRE(change.ok());
  CHECK(change->before.status == CaseStatus::kNew);
  CHECK(change->after.status == CaseStatus::kAcknowledged);
  CHECK(change->due.kind == DeadlineKind::kFeedback);
  CHECK(change->due.due == add_months_utc(kT0 + kDay, kDefaultFeedbackMonths));
  CHECK(s.current().status == CaseStatus::kAcknowledged);

  SECTION("a move the status does not allow changes nothing") {
    auto again = usecase::change_status(s.store, s.record.id(), StatusAction::kReopen, kT0 + 2 * kDay);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == ErrorCode::kMalformed);
    CHECK(s.current().status == CaseStatus::kAcknowledged);
  }
  SECTION("an unknown case id is refused") {
    auto unknown = usecase::change_status(s.store, "ffffffffff", StatusAction::kClose, kT0 + 2 * kDay);
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().code == ErrorCode::kNotFound);
    CHECK(s.current().status == CaseStatus::kAcknowledged);
  }
}

TEST_CASE("use case add_note: saves the note dated when written, the case is checked first", "[adviser][usecases]") {
  StoreWithCase s;
  int asked = 0;
  auto added = usecase::add_note(s.store, s.record.id().substr(0, 6), counting_source("call on Monday", asked),
                                 [] { return kT0 + 3 * kDay; });
  REQUIRE(added.ok());
  CHECK(added->key == s.record.key);
  CHECK(asked == 1);
  auto notes = usecase::case_notes(s.store, s.record.id());
  REQUIRE(notes.ok());
  REQUIRE(notes->notes.size() == 1);
  CHECK(notes->notes[0].text.text() == "call on Monday");
  CHECK(notes->notes[0].written_at == kT0 + 3 * kDay);

  SECTION("an unknown case id is refused before the text is asked") {
    auto unknown = usecase::add_note(s.store, "ffffffffff", counting_source("lost", asked), [] { return kT0; });
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().code == ErrorCode::kNotFound);
    CHECK(asked == 1);
    CHECK(usecase::case_notes(s.store, "ffffffffff").error().code == ErrorCode::kNotFound);
  }
  SECTION("a text that cannot be had saves nothing") {
    const usecase::SecretSource failing = []() -> Result<crypto::SecretBuffer> {
      return Error{ErrorCode::kMalformed, "the note is empty; nothing was saved"};
    };
    auto refused = usecase::add_note(s.store, s.record.id(), failing, [] { return kT0; });
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message == "the note is empty; nothing was saved");
    CHECK(usecase::case_notes(s.store, s.record.id())->notes.size() == 1);
  }
}

TEST_CASE("use case file_case: a filing is changed field by field, and cleared", "[adviser][usecases]") {
  StoreWithCase s;
  auto filed = usecase::file_case(s.store, s.record.id(), Filing{"civil-service", "unwanted"}, false);
  REQUIRE(filed.ok());
  REQUIRE(filed->filing.has_value());
  CHECK(filed->filing->group == "civil-service");

  auto kind_only = usecase::file_case(s.store, s.record.id(), Filing{"", "integrity"}, false);
  REQUIRE(kind_only.ok());
  REQUIRE(kind_only->filing.has_value());
  CHECK(kind_only->filing->group == "civil-service");  // kept
  CHECK(kind_only->filing->kind == "integrity");
  auto stored = s.store.filing(s.record.key);
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK((*stored)->kind == "integrity");

  auto cleared = usecase::file_case(s.store, s.record.id(), Filing{}, true);
  REQUIRE(cleared.ok());
  CHECK_FALSE(cleared->filing.has_value());
  CHECK_FALSE(s.store.filing(s.record.key)->has_value());

  auto unknown = usecase::file_case(s.store, "ffffffffff", Filing{"civil-service", ""}, false);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == ErrorCode::kNotFound);
  CHECK(s.store.filings()->empty());
}

TEST_CASE("use case update_settings: shows, saves, refuses values beyond the law", "[adviser][usecases]") {
  StoreWithCase s;
  auto shown = usecase::update_settings(s.store, std::nullopt, std::nullopt);
  REQUIRE(shown.ok());
  CHECK_FALSE(shown->saved);
  CHECK(shown->settings.ack_days == kDefaultAckDays);

  auto saved = usecase::update_settings(s.store, 5u, std::nullopt);
  REQUIRE(saved.ok());
  CHECK(saved->saved);
  CHECK(saved->settings.feedback_months == kDefaultFeedbackMonths);
  CHECK(s.store.settings()->ack_days == 5);

  auto refused = usecase::update_settings(s.store, std::nullopt, 4u);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kMalformed);
  CHECK(s.store.settings()->feedback_months == kDefaultFeedbackMonths);
}

TEST_CASE("use case export_case: writes the case, records it, asks no passphrase for plain", "[adviser][usecases]") {
  StoreWithCase s;
  AdviserProfile profile;
  profile.name = "Anna de Vries";
  const fs::path plain_file = s.dir.path() / "case.txt";
  int asked = 0;
  auto exported = usecase::export_case(s.store, profile, {s.record.id(), plain_file.string(), true},
                                       counting_source("unused passphrase", asked),
                                       crypto::KdfParams::insecure_for_tests(), kT0 + kDay);
  REQUIRE(exported.ok());
  CHECK(asked == 0);
  auto written = os::read_file(plain_file, 1 << 20);
  REQUIRE(written.ok());
  const std::string text(reinterpret_cast<const char*>(written->data()), written->size());
  CHECK(text.find("the report's text") != std::string::npos);
  CHECK(s.store.history(s.record.key)->back().event == HistoryEvent::kExported);

  // Encrypted: opens with the passphrase it was sealed under, and only with it.
  const fs::path sealed_file = s.dir.path() / "case.mpx";
  REQUIRE(usecase::export_case(s.store, profile, {s.record.id(), sealed_file.string(), false},
                               counting_source("export passphrase", asked), crypto::KdfParams::insecure_for_tests(),
                               kT0 + kDay)
              .ok());
  CHECK(asked == 1);
  auto opened = usecase::open_case_export(sealed_file.string(), counting_source("export passphrase", asked));
  REQUIRE(opened.ok());
  CHECK(opened->text().find("the report's text") != std::string::npos);
  CHECK(usecase::open_case_export(sealed_file.string(), counting_source("another passphrase", asked)).error().code ==
        ErrorCode::kUnauthorised);

  // The file exists now: refused before anything is asked.
  CHECK(usecase::require_new_file(plain_file.string()).error().code == ErrorCode::kIo);
  const int asked_before = asked;
  auto unknown = usecase::export_case(s.store, profile, {"ffffffffff", (s.dir.path() / "x.mpx").string(), false},
                                      counting_source("p", asked), crypto::KdfParams::insecure_for_tests(), kT0);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == ErrorCode::kNotFound);
  CHECK(asked == asked_before);
  CHECK_FALSE(fs::exists(s.dir.path() / "x.mpx"));
}

TEST_CASE("use case acknowledge: refuses closed, acknowledged and unknown cases before any text or connection",
          "[adviser][usecases]") {
  StoreWithCase s;
  AdviserProfile profile;
  profile.name = "Anna de Vries";
  crypto::random_fill(profile.id);
  auto key_file = KeyFile::create(s.dir.path() / "identity.key", crypto::SecretBuffer::copy_of(std::string_view("a passphrase")),
                                  crypto::KdfParams::insecure_for_tests(), profile, crypto::AdviserIdentity::generate());
  REQUIRE(key_file.ok());
  // Never reached: each refusal comes before a connection is made.
  protocol::ChannelAddress nowhere;
  nowhere.endpoint = "tcp://127.0.0.1:9";
  client::ConnectionOptions options;
  int asked = 0;
  const usecase::AcknowledgementText text = [&asked](const Settings&) -> Result<crypto::SecretBuffer> {
    ++asked;
    return crypto::SecretBuffer::copy_of(std::string_view("Received."));
  };
  const auto ack = [&](std::string_view id) {
    return usecase::acknowledge(nowhere, options, *key_file, s.store, id, text, [] { return kT0; });
  };

  auto unknown = ack("ffffffffff");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == ErrorCode::kNotFound);

  REQUIRE(s.store.change_status(s.record.key, StatusAction::kStartWork, kT0 + kDay).ok());
  auto acknowledged = ack(s.record.id());
  REQUIRE_FALSE(acknowledged.ok());
  CHECK(acknowledged.error().code == ErrorCode::kMalformed);
  CHECK(acknowledged.error().message.find("was acknowledged on") != std::string::npos);

  const CaseRecord second = s.add_case("another report");
  REQUIRE(s.store.change_status(second.key, StatusAction::kClose, kT0 + kDay).ok());
  auto closed = ack(second.id());
  REQUIRE_FALSE(closed.ok());
  CHECK(closed.error().message == "case " + second.id() + " is closed; nothing was sent");
  CHECK(asked == 0);

  SECTION("a text that is not UTF-8 is refused before sending") {
    const CaseRecord third = s.add_case("a third report");
    const usecase::AcknowledgementText bad = [](const Settings&) -> Result<crypto::SecretBuffer> {
      return crypto::SecretBuffer::copy_of(std::string_view("\xff\xfe"));
    };
    auto refused = usecase::acknowledge(nowhere, options, *key_file, s.store, third.id(), bad, [] { return kT0; });
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message == "the acknowledgement is not UTF-8 text; nothing was sent");
    CHECK(s.current().status == CaseStatus::kInProgress);
  }
}

TEST_CASE("use case default_acknowledgement names the feedback deadline in both languages", "[adviser][usecases]") {
  Settings one;
  one.feedback_months = 1;
  const std::string text = usecase::default_acknowledgement(one);
  CHECK(text.find("Within 1 month you") != std::string::npos);
  CHECK(text.find("Binnen 1 maand hoor") != std::string::npos);
  CHECK(usecase::default_acknowledgement(Settings{}).find("Within 3 months") != std::string::npos);
}

TEST_CASE("use cases create_identity, write_backup, restore_backup: a home folder kept and brought back",
          "[adviser][usecases]") {
  TempDir dir("meldpunt-usecases-");
  const Home home{dir.path() / "home"};
  const auto params = crypto::KdfParams::insecure_for_tests();
  int asked = 0;
  usecase::InitRequest request{"Anna de Vries", "internal", "Vertrouwenspersoon", "Confidential adviser"};

  // A bad role is refused before the passphrase is asked, and nothing is created.
  usecase::InitRequest bad_role = request;
  bad_role.role = "boss";
  auto refused = usecase::create_identity(home, bad_role, counting_source("adviser passphrase", asked), params);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kMalformed);
  CHECK(asked == 0);
  CHECK_FALSE(fs::exists(home.key_file()));

  auto created = usecase::create_identity(home, request, counting_source("adviser passphrase", asked), params);
  REQUIRE(created.ok());
  CHECK(asked == 1);
  CHECK(created->entry.name == "Anna de Vries");
  CHECK(usecase::read_card(home).value() == created->card);
  auto again = usecase::create_identity(home, request, counting_source("adviser passphrase", asked), params);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == ErrorCode::kIo);
  CHECK(asked == 1);

  auto key_file = KeyFile::unlock(home.key_file(), crypto::SecretBuffer::copy_of(std::string_view("adviser passphrase")));
  REQUIRE(key_file.ok());
  std::size_t cases_before = 0;
  const fs::path backup_file = dir.path() / "home.mpbak";
  {
    auto store = usecase::open_case_store(home, *key_file);
    REQUIRE(store.ok());
    IncomingReport r;
    r.relay_id = random_as<crypto::MessageId>();
    r.delete_token = random_fixed<32>();
    r.reporter_message_pk = random_as<crypto::X25519PublicKey>();
    r.reporter_fetch_pk = random_as<crypto::FetchPublicKey>();
    r.sent_at = r.received_at = kT0;
    r.body = as_bytes(std::string_view("kept in the backup"));
    REQUIRE(store->record_incoming(r).ok());
    cases_before = usecase::count_cases(*store).value();
    auto written = usecase::write_backup(home, *store, backup_file.string(), counting_source("backup passphrase", asked),
                                         params);
    REQUIRE(written.ok());
    CHECK(*written == fs::file_size(backup_file));
  }
  CHECK(cases_before == 1);

  // Into the same home: refused before the passphrase is asked.
  const int asked_before = asked;
  CHECK(usecase::restore_backup(home, backup_file.string(), counting_source("backup passphrase", asked)).error().code ==
        ErrorCode::kIo);
  CHECK(asked == asked_before);

  const Home other{dir.path() / "other"};
  CHECK(usecase::restore_backup(other, backup_file.string(), counting_source("wrong passphrase", asked)).error().code ==
        ErrorCode::kUnauthorised);
  CHECK_FALSE(fs::exists(other.key_file()));
  REQUIRE(usecase::restore_backup(other, backup_file.string(), counting_source("backup passphrase", asked)).ok());
  auto restored_key = KeyFile::unlock(other.key_file(), crypto::SecretBuffer::copy_of(std::string_view("adviser passphrase")));
  REQUIRE(restored_key.ok());
  auto restored = usecase::open_case_store(other, *restored_key);
  REQUIRE(restored.ok());
  CHECK(usecase::count_cases(*restored).value() == 1);
  CHECK(usecase::read_card(other).value() == created->card);
}

TEST_CASE("use cases read_case and find_attachment: what `read` shows, and numbers out of range",
          "[adviser][usecases]") {
  StoreWithCase s;
  REQUIRE(s.store.add_note(s.record.key, kT0 + kDay, as_bytes(std::string_view("private"))).ok());
  auto view = usecase::read_case(s.store, s.record.id());
  REQUIRE(view.ok());
  REQUIRE(view->messages.size() == 1);
  CHECK(view->messages[0].body.text() == "the report's text");
  REQUIRE(view->notes.size() == 1);
  CHECK(view->attachments.empty());
  CHECK(s.current().unread == 1);  // reading alone changes nothing
  REQUIRE(usecase::mark_read(s.store, view->record).ok());
  CHECK(s.current().unread == 0);
  CHECK(usecase::read_case(s.store, "ffffffffff").error().code == ErrorCode::kNotFound);

  auto none = usecase::find_attachment(s.store, s.record.id(), 1);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message == "case " + s.record.id() + " has no attachments");
  CHECK(usecase::find_attachment(s.store, "ffffffffff", 1).error().code == ErrorCode::kNotFound);
}

TEST_CASE("use case find_adviser: by name or id prefix, one match only", "[adviser][usecases]") {
  crypto::Directory directory;
  for (const char* name : {"Anna de Vries", "Bram Jansen", "Bram  Jansen"}) {
    crypto::DirectoryEntry e;
    e.name = name;
    crypto::random_fill(e.id);
    directory.entries.push_back(e);
  }
  auto by_name = usecase::find_adviser(directory, "bram jansen");
  REQUIRE(by_name.ok());
  CHECK(by_name->id == directory.entries[1].id);
  auto by_id = usecase::find_adviser(directory, to_hex(directory.entries[0].id).substr(0, 6));
  REQUIRE(by_id.ok());
  CHECK(by_id->name == "Anna de Vries");

  auto unknown = usecase::find_adviser(directory, "Carla");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == ErrorCode::kNotFound);
  CHECK(unknown.error().message.rfind("no adviser in the directory matches --to Carla", 0) == 0);
  CHECK(unknown.error().message.find(to_hex(directory.entries[2].id)) != std::string::npos);

  // Too short to be taken for an id, and an empty name matches no one.
  CHECK_FALSE(usecase::find_adviser(directory, to_hex(directory.entries[0].id).substr(0, 3)).ok());
  CHECK_FALSE(usecase::find_adviser(directory, "").ok());
}
