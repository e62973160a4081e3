// adviser-client: what `cases` and `search` show of a case at a glance (the
// private label and its record, the first-line preview, search snippets),
// and the case id's form checked before any store is opened.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>

#include "case_glance.hpp"
#include "case_rules.hpp"
#include "case_store.hpp"
#include "common.hpp"
#include "meldpunt/os/files.hpp"
#include "store_records.hpp"
#include "usecases/case_overview.hpp"
#include "usecases/label_case.hpp"
#include "usecases/search_cases.hpp"

namespace fs = std::filesystem;
using namespace meldpunt;
using namespace meldpunt::adviser;
using meldpunt::test_support::TempDir;

namespace {

constexpr std::uint64_t kT0 = 1'700'000'000;

std::string str(const crypto::SecretBuffer& b) { return std::string(b.text()); }
ByteView bytes(std::string_view s) { return as_bytes(s); }

CaseKey add_case(CaseStore& store, std::string_view body) {
  IncomingReport r;
  crypto::random_fill(r.relay_id);
  crypto::random_fill(r.delete_token);
  crypto::random_fill(r.reporter_message_pk);
  crypto::random_fill(r.reporter_fetch_pk);
  r.sent_at = kT0;
  r.received_at = kT0;
  r.body = as_bytes(body);
  auto outcome = store.record_incoming(r);
  REQUIRE(outcome.ok());
  return outcome->case_key;
}

bool folder_contains(const fs::path& folder, std::string_view needle) {
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    auto data = os::read_file(entry.path(), 1u << 30);
    REQUIRE(data.ok());
    if (std::search(data->begin(), data->end(), needle.begin(), needle.end()) != data->end()) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("case id: its form is judged without a store", "[adviser][glance]") {
  CHECK(validate_case_id("3fa9").ok());
  CHECK(validate_case_id("3FA9C0D1E2").ok());
  CHECK(validate_case_id(std::string(32, 'a')).ok());
  for (const char* bad : {"", "3fa", "3fa9g0", "3fa9 c0", "-3fa9", "0x3fa9"}) {
    INFO(bad);
    const Status s = validate_case_id(bad);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::kMalformed);
    CHECK(s.error().message.find("hex characters") != std::string::npos);
  }
  CHECK_FALSE(validate_case_id(std::string(33, 'a')).ok());
}

TEST_CASE("case label: the text policy's label rule, one line, bounded", "[adviser][glance]") {
  CHECK(validate_case_label(bytes("Kantine, verdieping 3 \xC3\xA9\xC3\xA9n")).ok());
  CHECK(validate_case_label(bytes(std::string(kMaxCaseLabelBytes, 'x'))).ok());
  CHECK(validate_case_label(bytes(std::string(kMaxCaseLabelBytes + 1, 'x'))).error().code == ErrorCode::kTooLarge);
  for (std::string_view bad : {std::string_view(""), std::string_view("a\nb"), std::string_view("a\x1b[31m"),
                               std::string_view("a\tb"), std::string_view("inv\xE2\x80\xAEoice"),
                               std::string_view("zero\xE2\x80\x8Bwidth"), std::string_view("\xC0\xAF")}) {
    CHECK_FALSE(validate_case_label(bytes(bad)).ok());
  }
}

TEST_CASE("store records: label records are strict and bounded", "[adviser][records][glance]") {
  const crypto::SecretBuffer label = crypto::SecretBuffer::copy_of(std::string_view("call back"));
  const crypto::SecretBuffer encoded = encode_label(label);
  const Bytes expected{1, 9, 'c', 'a', 'l', 'l', ' ', 'b', 'a', 'c', 'k'};
  CHECK(Bytes(encoded.view().begin(), encoded.view().end()) == expected);
  auto back = decode_label(encoded.view());
  REQUIRE(back.ok());
  CHECK(str(*back) == "call back");
  for (std::size_t cut = 0; cut < expected.size(); ++cut) CHECK_FALSE(decode_label(ByteView(expected).first(cut)).ok());
  Bytes longer = expected;
  longer.push_back('x');
  CHECK_FALSE(decode_label(longer).ok());
  CHECK(decode_label(Bytes{2, 1, 'a'}).error().code == ErrorCode::kUnsupportedVersion);
  CHECK_FALSE(decode_label(Bytes{1, 0}).ok());               // empty
  CHECK_FALSE(decode_label(Bytes{1, 2, 'a', 0x1b}).ok());    // control
  CHECK_FALSE(decode_label(Bytes{1, 3, 'a', '\n', 'b'}).ok());
  Bytes too_long{1, static_cast<std::uint8_t>(kMaxCaseLabelBytes + 1)};
  too_long.insert(too_long.end(), kMaxCaseLabelBytes + 1, 'a');
  CHECK_FALSE(decode_label(too_long).ok());
  CHECK_THROWS_AS(encode_label(crypto::SecretBuffer::copy_of(std::string_view(std::string(300, 'a')))),
                  std::length_error);
}

TEST_CASE("labels: set, replaced, cleared, sealed on disk, kept across opening", "[adviser][glance]") {
  TempDir dir("meldpunt-glance-");
  const auto key = crypto::Secret<32>::random();
  CaseKey first{}, second{};
  {
    auto store = CaseStore::open(dir.path(), key);
    REQUIRE(store.ok());
    first = add_case(*store, "first report");
    second = add_case(*store, "second report");
    auto none = store->label(first);
    REQUIRE(none.ok());
    CHECK_FALSE(none->has_value());
    REQUIRE(store->set_label(first, bytes("LABEL-one")).ok());
    REQUIRE(store->set_label(first, bytes("LABEL-SECRET-two")).ok());
    CHECK(store->set_label(first, bytes("bad\x07")).error().code == ErrorCode::kMalformed);
    CaseKey unknown{};
    crypto::random_fill(unknown);
    CHECK(store->set_label(unknown, bytes("x")).error().code == ErrorCode::kNotFound);
    CHECK(store->clear_label(unknown).error().code == ErrorCode::kNotFound);
    REQUIRE(store->set_label(second, bytes("other")).ok());
  }
  CHECK_FALSE(folder_contains(dir.path(), "LABEL-SECRET"));
  auto store = CaseStore::open(dir.path(), key);
  REQUIRE(store.ok());
  auto all = store->labels();
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK(str(all->at(first)) == "LABEL-SECRET-two");
  auto cleared = store->clear_label(first);
  REQUIRE(cleared.ok());
  CHECK(*cleared);
  CHECK_FALSE(*store->clear_label(first));
  CHECK_FALSE(store->label(first)->has_value());
  CHECK(str(**store->label(second)) == "other");
  // A store of another key refuses the whole store, labels included.
  CHECK_FALSE(CaseStore::open(dir.path(), crypto::Secret<32>::random()).ok());
}

TEST_CASE("use case label_case: the label checked before the case, cleared by nullopt", "[adviser][glance]") {
  TempDir dir("meldpunt-glance-");
  auto store = CaseStore::open(dir.path(), crypto::Secret<32>::random());
  REQUIRE(store.ok());
  const CaseKey c = add_case(*store, "a report");
  const std::string id = to_hex(c).substr(0, 6);
  auto set = usecase::label_case(*store, id, bytes("mine"));
  REQUIRE(set.ok());
  CHECK_FALSE(set->had_label);
  CHECK(usecase::label_case(*store, id, bytes("again"))->had_label);
  CHECK(usecase::label_case(*store, "ffff", bytes("\x1b")).error().message.find("control") != std::string::npos);
  CHECK(usecase::label_case(*store, "zz", bytes("ok")).error().code == ErrorCode::kMalformed);
  CHECK(usecase::label_case(*store, id, std::nullopt)->had_label);
  CHECK_FALSE(usecase::label_case(*store, id, std::nullopt)->had_label);
}

TEST_CASE("glance: safe lines, previews and snippets", "[adviser][glance]") {
  CHECK(str(safe_line(bytes("plain"), 10)) == "plain");
  CHECK(str(safe_line(bytes("0123456789"), 10)) == "0123456789");
  CHECK(str(safe_line(bytes("0123456789A"), 10)) == "012345678\xE2\x80\xA6");
  CHECK(str(safe_line(bytes("\x1b]0;t\x07x\xE2\x80\xAEy\xC0\n"), 20)) == "?]0;t?x?y??");
  CHECK(str(safe_line(bytes("\xC3\xA9\xC3\xA9\xC3\xA9"), 2)) == "\xC3\xA9\xE2\x80\xA6");  // cut by code points

  CHECK(str(first_line_preview(bytes("\n  \r\n  Hello there \r\nsecond"), 40)) == "Hello there");
  CHECK(first_line_preview(bytes(" \n\t\n"), 40).empty());
  CHECK(first_text_line(bytes("")).empty());

  CHECK(find_ignoring_ascii_case(bytes("The Parking GARAGE"), bytes("garage")) == std::optional<std::size_t>(12));
  CHECK(find_ignoring_ascii_case(bytes("garage garage"), bytes("GARAGE"), 1) == std::optional<std::size_t>(7));
  CHECK_FALSE(find_ignoring_ascii_case(bytes("gar age"), bytes("garage")).has_value());
  CHECK_FALSE(find_ignoring_ascii_case(bytes("x"), bytes("")).has_value());
  CHECK(find_ignoring_ascii_case(bytes("\xC3\x89t\xC3\xA9"), bytes("\xC3\xA9")) == std::optional<std::size_t>(3));

  const std::string text = "first line\n" + std::string(100, 'a') + " needle " + std::string(100, 'b') + "\nlast";
  const auto at = find_ignoring_ascii_case(bytes(text), bytes("NEEDLE"));
  REQUIRE(at);
  const std::string snip = str(snippet_around(bytes(text), *at, 6, 30));
  CHECK(snip.find("needle") != std::string::npos);
  CHECK(snip.rfind("\xE2\x80\xA6", 0) == 0);  // starts cut
  CHECK(snip.find("first") == std::string::npos);
  CHECK(snip.find("last") == std::string::npos);
  CHECK(str(snippet_around(bytes("a \x1b[2J needle"), 7, 6, 40)) == "a ?[2J needle");
}

TEST_CASE("glance table: label and quoted first line under each case, files only said", "[adviser][glance]") {
  CaseGlance labelled, files_only, empty_case;
  crypto::random_fill(labelled.record.key);
  crypto::random_fill(files_only.record.key);
  crypto::random_fill(empty_case.record.key);
  labelled.label = crypto::SecretBuffer::copy_of(std::string_view("my label"));
  labelled.has_message = true;
  labelled.first_line = crypto::SecretBuffer::copy_of(std::string_view("Hello \x1b[31mthere " + std::string(200, 'x')));
  files_only.has_message = true;
  files_only.files = 2;
  const std::string table =
      str(glance_table({}, Settings{}, kT0, 80)) + str([&] {
        std::vector<CaseGlance> v;
        v.push_back(std::move(labelled));
        v.push_back(std::move(files_only));
        v.push_back(std::move(empty_case));
        return glance_table(v, Settings{}, kT0, 80);
      }());
  CHECK(table.find("No cases yet.") == 0);
  CHECK(table.find("[my label] \"Hello ?[31mthere xxx") != std::string::npos);
  CHECK(table.find("(attachments only: 2 files)") != std::string::npos);
  CHECK(table.find('\x1b') == std::string::npos);
  std::size_t start = 0;
  while (start < table.size()) {
    const std::size_t end = table.find('\n', start);
    const std::string line = table.substr(start, end - start);
    if (line.rfind(std::string(kCaseTableIndent, ' '), 0) == 0) {
      std::size_t code_points = 0;
      for (char ch : line) code_points += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
      CHECK(code_points <= 80);
    }
    start = end + 1;
  }
}

TEST_CASE("use cases case_overview and search_cases: first messages, labels, notes, nothing written",
          "[adviser][glance]") {
  TempDir dir("meldpunt-glance-");
  auto store = CaseStore::open(dir.path(), crypto::Secret<32>::random());
  REQUIRE(store.ok());
  const CaseKey a = add_case(*store, "\nThe Parking Garage on level two\nmore");
  const CaseKey b = add_case(*store, "nothing relevant here");
  const CaseKey c = add_case(*store, "third");
  REQUIRE(store->set_label(b, bytes("garage witness")).ok());
  REQUIRE(store->add_note(c, kT0, bytes("asked about the GARAGE camera")).ok());
  REQUIRE(store->add_note(c, kT0, bytes("nothing")).ok());

  auto overview = usecase::case_overview(*store, CaseFilter{}, kT0);
  REQUIRE(overview.ok());
  REQUIRE(overview->cases.size() == 3);
  for (const CaseGlance& g : overview->cases) {
    CHECK(g.has_message);
    if (g.record.key == a) CHECK(str(g.first_line) == "The Parking Garage on level two");
    if (g.record.key == b) CHECK(str(*g.label) == "garage witness");
  }
  CaseFilter closed;
  closed.status = CaseStatus::kClosed;
  auto none = usecase::case_overview(*store, closed, kT0);
  REQUIRE(none.ok());
  CHECK(none->cases.empty());
  CHECK(none->all == 3);

  const auto before = fs::last_write_time(dir.path() / "data.mdb");
  auto found = usecase::search_cases(*store, "garage", 60, kT0);
  REQUIRE(found.ok());
  CHECK(found->cases_searched == 3);
  CHECK(found->cases_matched == 3);
  REQUIRE(found->hits.size() == 3);
  for (const usecase::SearchHit& hit : found->hits) {
    if (hit.record.key == a) {
      CHECK(hit.place == usecase::SearchPlace::kMessage);
      CHECK(hit.number == 1);
      CHECK(str(hit.snippet) == "The Parking Garage on level two");
    } else if (hit.record.key == b) {
      CHECK(hit.place == usecase::SearchPlace::kLabel);
    } else {
      CHECK(hit.place == usecase::SearchPlace::kNote);
      CHECK(hit.number == 1);
    }
  }
  CHECK(fs::last_write_time(dir.path() / "data.mdb") == before);
  auto twice = usecase::search_cases(*store, "e", 60, kT0);
  REQUIRE(twice.ok());
  CHECK(twice->hits.size() >= 4);
  CHECK(usecase::search_cases(*store, "", 60, kT0).error().code == ErrorCode::kMalformed);
  CHECK_FALSE(usecase::search_cases(*store, "a\nb", 60, kT0).ok());
  CHECK_FALSE(usecase::search_cases(*store, std::string(usecase::kMaxSearchTextBytes + 1, 'a'), 60, kT0).ok());
}
