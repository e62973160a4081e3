// watch_alerts.hpp: what `adviser-client watch` tells, and that each
// deadline is told once per threshold.
#include <catch2/catch.hpp>

#include <filesystem>

#include "common.hpp"
#include "key_file.hpp"
#include "watch_alerts.hpp"

using namespace meldpunt;
using namespace meldpunt::adviser;
using meldpunt::test_support::TempDir;

namespace {

constexpr std::uint64_t kDay = 86400;
constexpr std::uint64_t kStart = 1'700'000'000;

CaseRecord new_case(std::uint8_t tag) {
  CaseRecord r;
  r.key.fill(tag);
  r.created_at = kStart;
  r.last_activity = kStart;
  return r;
}

}  // namespace

TEST_CASE("new message counts read in words", "[adviser][watch]") {
  CHECK(new_messages_text(0).empty());
  CHECK(new_messages_text(1) == "1 new message");
  CHECK(new_messages_text(2) == "2 new messages");
  CHECK(new_messages_text(1, Lang::kNl) == "1 nieuw bericht");
  CHECK(new_messages_text(2, Lang::kNl) == "2 nieuwe berichten");
}

TEST_CASE("deadline alerts speak the adviser's language", "[adviser][watch][language]") {
  Settings settings;
  DeadlineAlerts alerts;
  const std::vector<CaseRecord> cases{new_case(0x3e)};
  const std::string id = cases[0].id();
  auto told = alerts.update(cases, settings, kStart + 6 * kDay + 3600, Lang::kNl);
  REQUIRE(told.size() == 1);
  CHECK(told[0] == "zaak " + id + ": ontvangstbevestiging binnen 1 dag");
  told = alerts.update(cases, settings, kStart + 8 * kDay, Lang::kNl);
  REQUIRE(told.size() == 1);
  CHECK(told[0].rfind("zaak " + id + ": ontvangstbevestiging te laat sinds ", 0) == 0);
}

TEST_CASE("a deadline is told once per threshold", "[adviser][watch]") {
  Settings settings;  // acknowledge within 7 days
  DeadlineAlerts alerts;
  const std::vector<CaseRecord> cases{new_case(0x3f)};
  const std::string id = cases[0].id();

  CHECK(alerts.update(cases, settings, kStart + 1 * kDay).empty());  // 6 days left
  auto told = alerts.update(cases, settings, kStart + 4 * kDay + 60);  // under 3 days left
  REQUIRE(told.size() == 1);
  CHECK(told[0] == "case " + id + ": acknowledgement due in 3 days");
  CHECK(alerts.update(cases, settings, kStart + 5 * kDay).empty());  // same threshold: not again
  told = alerts.update(cases, settings, kStart + 6 * kDay + 3600);
  REQUIRE(told.size() == 1);
  CHECK(told[0] == "case " + id + ": acknowledgement due in 1 day");
  CHECK(alerts.update(cases, settings, kStart + 6 * kDay + 7200).empty());
  told = alerts.update(cases, settings, kStart + 8 * kDay);
  REQUIRE(told.size() == 1);
  CHECK(told[0].find("acknowledgement overdue since") != std::string::npos);
  CHECK(alerts.update(cases, settings, kStart + 9 * kDay).empty());
}

TEST_CASE("a moved deadline is a new one, closed cases owe nothing", "[adviser][watch]") {
  Settings settings;
  DeadlineAlerts alerts;
  std::vector<CaseRecord> cases{new_case(1), new_case(2)};
  cases[1].status = CaseStatus::kClosed;
  REQUIRE(alerts.update(cases, settings, kStart + 8 * kDay).size() == 1);  // the open one, overdue
  cases[0].status = CaseStatus::kAcknowledged;
  cases[0].acknowledged_at = kStart + 8 * kDay;
  cases[0].feedback_from = kStart + 8 * kDay;
  CHECK(alerts.update(cases, settings, kStart + 9 * kDay).empty());  // feedback months away
  const auto told = alerts.update(cases, settings, add_months_utc(kStart + 8 * kDay, 3) - kDay / 2);
  REQUIRE(told.size() == 1);
  CHECK(told[0].find(": feedback due in 1 day") != std::string::npos);
}

TEST_CASE("KeyFile::reopen sees what another command saved, and not a new passphrase", "[adviser][watch][shell]") {
  TempDir dir("meldpunt-reopen-");
  const std::filesystem::path path = dir.path() / "identity.key";
  const auto passphrase = crypto::SecretBuffer::copy_of(std::string_view("held passphrase 1"));
  AdviserProfile profile;
  profile.name = "Anna";
  crypto::random_fill(profile.id);
  auto held = KeyFile::create(path, passphrase, crypto::KdfParams::insecure_for_tests(), profile,
                              crypto::AdviserIdentity::generate());
  REQUIRE(held.ok());
  // Another command (its own unlock) saves a change: the held key reads it.
  auto other = KeyFile::unlock(path, passphrase);
  REQUIRE(other.ok());
  other->profile().relay_prekeys = 42;
  REQUIRE(other->save().ok());
  CHECK(held->profile().relay_prekeys == 0);
  auto fresh = held->reopen();
  REQUIRE(fresh.ok());
  CHECK(fresh->profile().relay_prekeys == 42);
  CHECK(fresh->identity().store_key.equals(held->identity().store_key));
  // What the reopened copy saves opens with the passphrase as before.
  fresh->profile().relay_prekeys = 43;
  REQUIRE(fresh->save().ok());
  CHECK(KeyFile::unlock(path, passphrase)->profile().relay_prekeys == 43);
  // After a passphrase change the held key no longer opens the file.
  const auto changed = crypto::SecretBuffer::copy_of(std::string_view("new passphrase 22"));
  REQUIRE(other->change_passphrase(changed, crypto::KdfParams::insecure_for_tests()).ok());
  CHECK(held->reopen().error().code == ErrorCode::kUnauthorised);
}
