// adviser-client: filing a case under a group and kind of the directory's
// signpost, and the evaluation counts by them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "case_store.hpp"
#include "casework.hpp"
#include "common.hpp"
#include "meldpunt/os/files.hpp"

using namespace meldpunt;
using namespace meldpunt::adviser;
using meldpunt::test_support::TempDir;

namespace {

IncomingReport report_at(std::uint64_t at) {
  IncomingReport r;
  crypto::random_fill(r.relay_id);
  crypto::random_fill(r.delete_token);
  crypto::random_fill(r.reporter_message_pk);
  crypto::random_fill(r.reporter_fetch_pk);
  r.sent_at = at;
  r.received_at = at;
  r.body = as_bytes(std::string_view("a report"));
  return r;
}

bool folder_contains(const std::filesystem::path& folder, std::string_view needle) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    auto bytes = os::read_file(entry.path(), 1u << 30);
    REQUIRE(bytes.ok());
    if (std::search(bytes->begin(), bytes->end(), needle.begin(), needle.end()) != bytes->end()) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("filing: a case is filed under a group and kind, kept encrypted", "[adviser][filing]") {
  TempDir dir("meldpunt-filing-");
  const auto key = crypto::Secret<32>::random();
  CaseKey first{}, second{};
  {
    auto store = CaseStore::open(dir.path(), key);
    REQUIRE(store.ok());
    first = store->record_incoming(report_at(1'700'000'000))->case_key;
    second = store->record_incoming(report_at(1'700'000'100))->case_key;
    CHECK(store->filings()->empty());
    REQUIRE(store->set_filing(first, {"civil-service-zq", "unwanted"}).ok());
    REQUIRE(store->set_filing(second, {"", "integrity"}).ok());
    CHECK(store->set_filing(first, {"", ""}).error().code == ErrorCode::kMalformed);
    CHECK(store->set_filing(first, {"Civil Service", "x"}).error().code == ErrorCode::kMalformed);
    CHECK(store->set_filing(first, {std::string(33, 'a'), "x"}).error().code == ErrorCode::kMalformed);
    CaseKey unknown{};
    unknown.fill(7);
    CHECK(store->set_filing(unknown, {"a", "b"}).error().code == ErrorCode::kNotFound);
  }
  // Sealed like every other record: the ids are not on disk in the clear.
  CHECK_FALSE(folder_contains(dir.path(), "civil-service-zq"));
  auto store = CaseStore::open(dir.path(), key);
  REQUIRE(store.ok());
  auto all = store->filings();
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK(all->at(first).group == "civil-service-zq");
  CHECK(all->at(first).kind == "unwanted");
  CHECK(all->at(second).group.empty());
  CHECK(store->filing(second)->value().kind == "integrity");
  REQUIRE(store->clear_filing(first).ok());
  CHECK(!store->filing(first)->has_value());
  CHECK(store->filings()->size() == 1);
}

TEST_CASE("filing: stats count by group and kind, small counts hidden", "[adviser][filing]") {
  std::vector<CaseRecord> cases;
  std::map<CaseKey, Filing> filings;
  const auto add = [&](std::string group, std::string kind) {
    CaseRecord c;
    crypto::random_fill(c.key);
    c.created_at = 1'700'000'000;
    cases.push_back(c);
    if (!group.empty() || !kind.empty()) filings[c.key] = {std::move(group), std::move(kind)};
  };
  // No case filed: no such section at all.
  for (int i = 0; i < 6; ++i) add("", "");
  StatsReport none = compute_stats(cases, crypto::Role::kInternalConfidentialAdviser, filings);
  CHECK(none.by_group.empty());
  CHECK(none.by_kind.empty());
  CHECK(stats_text(none).find("By group") == std::string::npos);

  for (int i = 0; i < 7; ++i) add("civil-service", "unwanted");
  for (int i = 0; i < 5; ++i) add("group-a", "unwanted");
  for (int i = 0; i < 2; ++i) add("members", "conduct");
  // 20 cases: civil-service 7, group-a 5, members 2, not filed 6.
  StatsReport report = compute_stats(cases, crypto::Role::kInternalConfidentialAdviser, filings);
  REQUIRE(report.by_group.size() == 4);
  CHECK(report.by_group[0].label == "civil-service");
  CHECK(report.by_group[1].label == "group-a");
  CHECK(report.by_group[2].label == "members");
  CHECK(report.by_group[3].label == "(not filed)");
  CHECK_FALSE(report.by_group[2].count);  // 2: below 5
  // With the total shown a single hidden cell follows by subtraction: the
  // smallest shown one (group-a, 5) is hidden too.
  CHECK_FALSE(report.by_group[1].count);
  CHECK(report.by_group[0].count == std::optional<std::uint64_t>(7));
  CHECK(report.by_group[3].count == std::optional<std::uint64_t>(6));
  REQUIRE(report.by_kind.size() == 3);
  CHECK(report.by_kind[0].label == "conduct");
  CHECK_FALSE(report.by_kind[0].count);
  CHECK(report.by_kind[1].label == "unwanted");
  CHECK(report.by_kind[2].label == "(not filed)");
  const std::string text = stats_text(report);
  CHECK(text.find("By group filed under:\n  civil-service           7\n  group-a                 <5\n") !=
        std::string::npos);
  CHECK(text.find("By kind filed under:\n") != std::string::npos);
  const auto json = nlohmann::ordered_json::parse(stats_json(report));
  // In the report's order, "(not filed)" last.
  CHECK(json["by_group"].dump() == R"j({"civil-service":7,"group-a":"<5","members":"<5","(not filed)":6})j");
  CHECK(json["by_kind"].begin().key() == "conduct");
  CHECK(json["by_kind"]["conduct"] == "<5");
}
