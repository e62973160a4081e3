// The signpost in the signed directory (version 3): groups and kinds defined
// by the organisation and who each entry is there for.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "common.hpp"
#include "meldpunt/crypto/directory.hpp"

using namespace meldpunt;
using namespace meldpunt::crypto;

namespace {

DirectoryEntry entry_named(const std::string& name, std::uint8_t id_byte) {
  const AdviserIdentity identity = AdviserIdentity::generate();
  DirectoryEntry e;
  e.id.fill(id_byte);
  e.name = name;
  e.sign_pk = identity.sign.pk;
  e.message_pk = identity.message.pk;
  e.fetch_pk = identity.fetch.pk;
  return e;
}

struct Building {
  SigningKeyPair org = SigningKeyPair::generate();
  Directory directory;
  Building() {
    directory.org_sign_pk = org.pk;
    directory.serial = 5;
    directory.valid_until = 1'900'000'000;
    directory.groups = {{"civil-service", "Ambtelijke organisatie", "Civil service"},
                        {"group-a", "Medewerkers fractie A", "Staff of group A"},
                        {"members", "Kamerleden", "Members"}};
    directory.kinds = {{"unwanted", "Ongewenst gedrag", "Unwanted behaviour"},
                       {"integrity", "Integriteit", "Integrity"}};
    DirectoryEntry anna = entry_named("Anna", 1);
    anna.coverage.groups = 0b001;  // civil service
    anna.coverage.every_kind = true;
    DirectoryEntry committee = entry_named("Klachtencommissie", 2);
    committee.role = Role::kComplaintsCommittee;
    committee.coverage.every_group = true;
    committee.coverage.kinds = 0b01;
    DirectoryEntry other = entry_named("Zonder wegwijzer", 3);  // not in the signpost
    directory.entries = {anna, committee, other};
  }
};

}  // namespace

TEST_CASE("signpost: signed as version 3 and read back exactly", "[crypto][directory][signpost]") {
  Building b;
  auto signed_bytes = sign_directory(b.directory, b.org);
  REQUIRE(signed_bytes.ok());
  CHECK((*signed_bytes)[7] == 3);
  auto back = verify_directory(*signed_bytes, b.org.pk);
  REQUIRE(back.ok());
  REQUIRE(back->groups.size() == 3);
  CHECK(back->groups[1].id == "group-a");
  CHECK(back->groups[1].label_nl == "Medewerkers fractie A");
  CHECK(back->groups[1].label_en == "Staff of group A");
  REQUIRE(back->kinds.size() == 2);
  CHECK(back->kinds[1].label_en == "Integrity");
  REQUIRE(back->entries.size() == 3);
  CHECK(back->entries[0].coverage == b.directory.entries[0].coverage);
  CHECK(back->entries[0].coverage.covers_group(0));
  CHECK(!back->entries[0].coverage.covers_group(1));
  CHECK(back->entries[0].coverage.covers_kind(1));
  CHECK(back->entries[1].coverage.covers_group(2));
  CHECK(!back->entries[1].coverage.covers_kind(1));
  CHECK(back->entries[2].coverage.empty());
  // One encoding per directory: what verifies signs back to the same bytes.
  auto again = sign_directory(*back, b.org);
  REQUIRE(again.ok());
  CHECK(*again == *signed_bytes);
  // Every byte is signed, the signpost included.
  for (std::size_t i = 0; i < signed_bytes->size(); i += 7) {
    Bytes changed = *signed_bytes;
    changed[i] ^= 0x20;
    CHECK(!verify_directory(changed, b.org.pk).ok());
  }
}

TEST_CASE("signpost: directories without one still sign and verify as before", "[crypto][directory][signpost]") {
  Building b;
  b.directory.groups.clear();
  b.directory.kinds.clear();
  for (DirectoryEntry& e : b.directory.entries) e.coverage = {};
  auto v2 = sign_directory(b.directory, b.org);
  REQUIRE(v2.ok());
  CHECK((*v2)[7] == 2);
  auto back = verify_directory(*v2, b.org.pk);
  REQUIRE(back.ok());
  CHECK(!back->has_signpost());
  CHECK(back->entries[0].coverage.empty());
  b.directory.valid_until = 0;
  auto v1 = sign_directory(b.directory, b.org);
  REQUIRE(v1.ok());
  CHECK((*v1)[7] == 1);
  CHECK(verify_directory(*v1, b.org.pk).ok());
  // Coverage needs the signpost that defines it.
  b.directory.entries[0].coverage.every_group = true;
  b.directory.entries[0].coverage.every_kind = true;
  CHECK(sign_directory(b.directory, b.org).error().code == ErrorCode::kMalformed);
}

TEST_CASE("signpost: sign_directory refuses what could not be read back", "[crypto][directory][signpost]") {
  const auto refused = [](Building& b) { return sign_directory(b.directory, b.org).error().code == ErrorCode::kMalformed; };
  {
    Building b;
    b.directory.valid_until = 0;
    CHECK(refused(b));
  }
  {
    Building b;
    b.directory.kinds.clear();
    for (DirectoryEntry& e : b.directory.entries) e.coverage = {};
    CHECK(refused(b));  // groups without kinds
  }
  {
    Building b;
    b.directory.groups[2].id = "group-a";
    CHECK(refused(b));
  }
  for (const std::string& bad_id : std::vector<std::string>{"", "Civil", "-a", "a-", "a b", "caf\xc3\xa9", std::string(33, 'a')}) {
    Building b;
    b.directory.groups[0].id = bad_id;
    CHECK(refused(b));
  }
  for (const std::string& bad_label : std::vector<std::string>{"", "two\nlines", "bidi \xe2\x80\xae", std::string(97, 'x'), "bad \xc0\xaf"}) {
    Building b;
    b.directory.kinds[0].label_nl = bad_label;
    CHECK(refused(b));
  }
  {
    Building b;
    b.directory.entries[0].coverage.groups = 0b1000;  // a fourth group that is not defined
    CHECK(refused(b));
  }
  {
    Building b;
    b.directory.entries[1].coverage.groups = 0b1;  // beside "every group"
    CHECK(refused(b));
  }
  {
    Building b;
    b.directory.entries[0].coverage.every_kind = false;  // groups but no kind
    CHECK(refused(b));
  }
  {
    Building b;
    b.directory.groups.resize(kMaxSignpostCategories + 1, b.directory.groups[0]);
    for (std::size_t i = 0; i < b.directory.groups.size(); ++i) b.directory.groups[i].id = "g" + std::to_string(i);
    CHECK(refused(b));
    b.directory.groups.resize(kMaxSignpostCategories);
    REQUIRE(sign_directory(b.directory, b.org).ok());
  }
}

TEST_CASE("signpost: the parser refuses bad signpost bytes behind a valid signature",
          "[crypto][directory][signpost]") {
  Building b;
  auto good = sign_directory(b.directory, b.org);
  REQUIRE(good.ok());
  const Bytes body(good->begin(), good->end() - kSignatureBytes);
  const auto verify_body = [&](const Bytes& changed) {
    Bytes out = changed;
    append(out, sign(kDirectoryDomain, changed, b.org.sk));
    return verify_directory(out, b.org.pk);
  };
  REQUIRE(verify_body(body).ok());
  // The coverage of the last entry is the last 9 bytes: flags, group bits, kind bits.
  const std::size_t last = body.size() - 9;
  {
    Bytes changed = body;
    changed[last] = 0x04;  // an unknown flag
    CHECK(verify_body(changed).error().code == ErrorCode::kMalformed);
  }
  {
    Bytes changed = body;
    changed[last + 1] = 0x08;  // a group bit beyond the three defined
    changed[last + 5] = 0x01;
    CHECK(verify_body(changed).error().code == ErrorCode::kMalformed);
  }
  {
    Bytes changed = body;
    changed.push_back(0);
    CHECK(verify_body(changed).error().code == ErrorCode::kMalformed);
  }
  {
    Bytes changed(body.begin(), body.end() - 1);
    CHECK(verify_body(changed).error().code == ErrorCode::kMalformed);
  }
  // Every truncation is refused, never read past.
  for (std::size_t cut = 1; cut < 200; ++cut) {
    Bytes changed(body.begin(), body.end() - static_cast<std::ptrdiff_t>(cut));
    CHECK(!verify_body(changed).ok());
  }
  // An unknown version is not a malformed one.
  Bytes v4 = body;
  v4[7] = 4;
  CHECK(verify_body(v4).error().code == ErrorCode::kUnsupportedVersion);
}

TEST_CASE("signpost: category ids", "[crypto][directory][signpost]") {
  CHECK(category_id_valid("civil-service"));
  CHECK(category_id_valid("a"));
  CHECK(category_id_valid("group-2"));
  CHECK(!category_id_valid(""));
  CHECK(!category_id_valid("-x"));
  CHECK(!category_id_valid("Civil"));
  CHECK(!category_id_valid("a_b"));
  CHECK(!check_category({"x", "", "X"}).ok());
  CHECK(check_category({"x", "X", "X"}).ok());
}

// ---- the administrator's signpost file and the coverage report (relay) ----

#include "coverage_report.hpp"
#include "signpost_file.hpp"

namespace {

crypto::Directory draft_of_three() {
  crypto::Directory d;
  d.entries = {entry_named("Anna de Vries", 1), entry_named("Klachtencommissie", 2), entry_named("Extern Bureau", 3)};
  return d;
}

constexpr std::string_view kSignpostText =
    "# groups of people\n"
    "group civil-service | Ambtelijke organisatie | Civil service\n"
    "group members       | Kamerleden             | Members\n"
    "\n"
    "kind unwanted  | Ongewenst gedrag | Unwanted behaviour\n"
    "kind integrity | Integriteit      | Integrity\n"
    "adviser Anna de Vries     | civil-service | *\n"
    "adviser 0202020202020202020202020202020202020202 | * | unwanted\n";

}  // namespace

TEST_CASE("signpost file: groups, kinds and advisers by name or id", "[relay][signpost]") {
  crypto::Directory d = draft_of_three();
  // The id line above is 40 hex digits, not 32: that is a name, and no card has it.
  const Status wrong = relay::apply_signpost_file(kSignpostText, d);
  REQUIRE(!wrong.ok());
  CHECK(wrong.error().message.find("line 8") != std::string::npos);
  CHECK(d.groups.empty());  // unchanged on error

  std::string text(kSignpostText);
  text.replace(text.find("0202020202020202020202020202020202020202"), 40, "02020202020202020202020202020202");
  REQUIRE(relay::apply_signpost_file(text, d).ok());
  REQUIRE(d.groups.size() == 2);
  CHECK(d.groups[0].label_nl == "Ambtelijke organisatie");
  CHECK(d.kinds[1].id == "integrity");
  CHECK(d.entries[0].coverage.groups == 0b01);
  CHECK(d.entries[0].coverage.every_kind);
  CHECK(d.entries[1].coverage.every_group);
  CHECK(d.entries[1].coverage.kinds == 0b01);
  CHECK(d.entries[2].coverage.empty());

  const relay::CoverageReport report = relay::coverage_report(d);
  REQUIRE(report.cells.size() == 4);
  CHECK(report.cells[0].entries == std::vector<std::size_t>{0, 1});  // civil service x unwanted
  CHECK(report.cells[1].entries == std::vector<std::size_t>{0});     // civil service x integrity
  CHECK(report.cells[2].entries == std::vector<std::size_t>{1});     // members x unwanted
  CHECK(report.gaps == std::vector<std::size_t>{3});                 // members x integrity: nobody
  CHECK(report.outside == std::vector<std::size_t>{2});
  const std::string shown = relay::render_coverage(d, report);
  CHECK(shown.find("Nobody is there for:\n  Members (members) about Integrity (integrity)") != std::string::npos);
  CHECK(shown.find("Not in the signpost (listed to reporters after the others): Extern Bureau") != std::string::npos);
}

TEST_CASE("signpost file: faults are named by line", "[relay][signpost]") {
  const auto fault = [](std::string_view text) {
    crypto::Directory d = draft_of_three();
    const Status s = relay::apply_signpost_file(text, d);
    return s.ok() ? std::string("accepted") : s.error().message;
  };
  const std::string head = "group g | G | G\nkind k | K | K\n";
  CHECK(fault("groep g | G | G\n").find("line 1") != std::string::npos);
  CHECK(fault(head + "group g | G2 | G2\n").find("line 3: group 'g' is defined twice") != std::string::npos);
  CHECK(fault(head + "group Bad | B | B\n").find("line 3") != std::string::npos);
  CHECK(fault(head + "group x | two | fields | extra\n").find("line 3") != std::string::npos);
  CHECK(fault(head + "adviser Nobody | g | k\n").find("line 3: no adviser card has this name") != std::string::npos);
  CHECK(fault(head + "adviser Anna de Vries | h | k\n").find("line 3: no group 'h' is defined") != std::string::npos);
  CHECK(fault(head + "adviser Anna de Vries | g |\n").find("line 3: no kind given") != std::string::npos);
  CHECK(fault(head + "adviser Anna de Vries | g | k\nadviser Anna de Vries | * | *\n").find("line 4") !=
        std::string::npos);
  CHECK(fault("group g | G | G\n").find("at least one group and one kind") != std::string::npos);
  CHECK(fault(std::string(relay::kMaxSignpostFileBytes + 1, '#')).find("64 KiB") != std::string::npos);
  CHECK(fault(head + "adviser Anna de Vries | g, * | k\n") != "accepted");
  CHECK(fault(head + "# only a comment\n\nadviser Anna de Vries | g | *\n") == "accepted");
  CHECK(fault("") == "accepted");  // no signpost: the plain list
}

TEST_CASE("coverage report: a directory without a signpost", "[relay][signpost]") {
  crypto::Directory d = draft_of_three();
  const relay::CoverageReport report = relay::coverage_report(d);
  CHECK(report.cells.empty());
  CHECK(report.gaps.empty());
  CHECK(relay::render_coverage(d, report).find("no signpost") != std::string::npos);
}

// ---- the reporter's list (reporter-client choose_advisers) ----

#include "choose_advisers.hpp"

TEST_CASE("signpost: the reporter's list puts those there for the answers first", "[reporter][signpost]") {
  Building b;  // Anna: civil service, every kind; committee: every group, unwanted; the third: none
  using reporter::Lang;
  using reporter::SignpostAnswers;
  // No answer: the directory's order, no reasons.
  auto plain = reporter::listed_advisers(Lang::kEn, b.directory, {});
  REQUIRE(plain.size() == 3);
  CHECK(plain[0].entry == 0);
  CHECK(plain[2].entry == 2);
  CHECK(plain[0].reason.empty());
  // Members, about unwanted behaviour: only the committee.
  auto members = reporter::listed_advisers(Lang::kEn, b.directory, SignpostAnswers{2, 0});
  REQUIRE(members.size() == 3);
  CHECK(members[0].entry == 1);
  CHECK(members[0].reason == "for: everyone; about: Unwanted behaviour");
  CHECK(members[1].entry == 0);
  CHECK(members[1].reason.empty());
  CHECK(members[2].entry == 2);
  // Civil service, kind skipped: Anna and the committee, in directory order.
  auto civil = reporter::listed_advisers(Lang::kNl, b.directory, SignpostAnswers{0, std::nullopt});
  CHECK(civil[0].entry == 0);
  CHECK(civil[0].reason == "voor: Ambtelijke organisatie");
  CHECK(civil[1].entry == 1);
  CHECK(civil[1].reason == "voor: iedereen");
  CHECK(civil[2].reason.empty());
  // Integrity, group skipped: Anna only ("about: anything").
  auto integrity = reporter::listed_advisers(Lang::kEn, b.directory, SignpostAnswers{std::nullopt, 1});
  CHECK(integrity[0].entry == 0);
  CHECK(integrity[0].reason == "about: anything");
  CHECK(integrity[1].reason.empty());
  // Staff of group A about integrity: nobody; everyone listed, none with a reason.
  auto nobody = reporter::listed_advisers(Lang::kEn, b.directory, SignpostAnswers{1, 1});
  for (const auto& l : nobody) CHECK(l.reason.empty());
}
