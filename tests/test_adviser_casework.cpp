// adviser-client case work: statuses and history, deadlines, notes,
// settings, reporter rotation in the store, schema migration, evaluation
// counts, export and backup files, passphrase change.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "archive.hpp"
#include "case_store.hpp"
#include "casework.hpp"
#include "common.hpp"
#include "key_file.hpp"
#include "meldpunt/crypto/aead.hpp"
#include "meldpunt/crypto/passphrase_box.hpp"
#include "meldpunt/os/files.hpp"
#include "meldpunt/store/lmdb.hpp"

namespace fs = std::filesystem;
using namespace meldpunt;
using namespace meldpunt::adviser;
using meldpunt::test_support::TempDir;

namespace {

constexpr std::uint64_t kDay = 24 * 3600;

using test_support::random_fixed;
using test_support::random_as;

IncomingReport report_from(const crypto::X25519PublicKey& reporter, std::string_view body, std::uint64_t at) {
  IncomingReport r;
  r.relay_id = random_as<crypto::MessageId>();
  r.delete_token = random_fixed<32>();
  r.reporter_message_pk = reporter;
  r.reporter_fetch_pk = random_as<crypto::FetchPublicKey>();
  r.sent_at = at;
  r.received_at = at;
  r.body = as_bytes(body);
  return r;
}

IncomingRotation rotation_of(const crypto::X25519PublicKey& from, const crypto::X25519PublicKey& to,
                             std::uint64_t at) {
  IncomingRotation r;
  r.relay_id = random_as<crypto::MessageId>();
  r.delete_token = random_fixed<32>();
  r.old_message_pk = from;
  r.new_message_pk = to;
  r.new_fetch_pk = random_as<crypto::FetchPublicKey>();
  r.received_at = at;
  return r;
}

bool folder_contains(const fs::path& folder, ByteView needle) {
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    auto bytes = os::read_file(entry.path(), 1u << 30);
    REQUIRE(bytes.ok());
    if (std::search(bytes->begin(), bytes->end(), needle.begin(), needle.end()) != bytes->end()) return true;
  }
  return false;
}

// 2023-11-14 22:13:20 UTC
constexpr std::uint64_t kT0 = 1'700'000'000;

std::uint64_t utc(int year, int month, int day, int hour = 0, int minute = 0) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  return static_cast<std::uint64_t>(timegm(&tm));
}

}  // namespace

TEST_CASE("casework: status moves forward only, reopen only when closed", "[adviser][casework]") {
  using S = CaseStatus;
  using A = StatusAction;
  CHECK(*next_status(S::kNew, A::kAcknowledge) == S::kAcknowledged);
  CHECK(*next_status(S::kNew, A::kStartWork) == S::kInProgress);
  CHECK(*next_status(S::kNew, A::kClose) == S::kClosed);
  CHECK(*next_status(S::kAcknowledged, A::kStartWork) == S::kInProgress);
  CHECK(*next_status(S::kInProgress, A::kClose) == S::kClosed);
  CHECK(*next_status(S::kClosed, A::kReopen) == S::kInProgress);
  CHECK_FALSE(next_status(S::kAcknowledged, A::kAcknowledge).ok());
  CHECK_FALSE(next_status(S::kInProgress, A::kAcknowledge).ok());
  CHECK_FALSE(next_status(S::kClosed, A::kClose).ok());
  CHECK_FALSE(next_status(S::kClosed, A::kStartWork).ok());
  CHECK_FALSE(next_status(S::kInProgress, A::kReopen).ok());
  CHECK_FALSE(next_status(S::kNew, A::kReopen).ok());
  CHECK(*parse_status_action("reopen") == A::kReopen);
  CHECK(*parse_status_action("in-progress") == A::kStartWork);
  CHECK_FALSE(parse_status_action("new").ok());
  CHECK_FALSE(parse_status_action("").ok());
}

TEST_CASE("casework: status changes are recorded with their dates", "[adviser][casework]") {
  TempDir dir("meldpunt-casework-");
  auto store = CaseStore::open(dir.path(), crypto::Secret<32>::random());
  REQUIRE(store.ok());
  const auto reporter = random_as<crypto::X25519PublicKey>();
  auto outcome = store->record_incoming(report_from(reporter, "report", kT0));
  REQUIRE(outcome.ok());
  const CaseKey key = outcome->case_key;

  auto acked = store->change_status(key, StatusAction::kAcknowledge, kT0 + 2 * kDay, true);
  REQUIRE(acked.ok());
  CHECK(acked->status == CaseStatus::kAcknowledged);
  CHECK(acked->acknowledged_at == kT0 + 2 * kDay);
  CHECK(acked->feedback_from == kT0 + 2 * kDay);
  CHECK(store->change_status(key, StatusAction::kAcknowledge, kT0 + 3 * kDay).error().code == ErrorCode::kMalformed);
  REQUIRE(store->change_status(key, StatusAction::kStartWork, kT0 + 3 * kDay).ok());
  REQUIRE(store->change_status(key, StatusAction::kClose, kT0 + 4 * kDay).ok());
  auto reopened = store->change_status(key, StatusAction::kReopen, kT0 + 50 * kDay);
  REQUIRE(reopened.ok());
  CHECK(reopened->status == CaseStatus::kInProgress);
  CHECK(reopened->acknowledged_at == kT0 + 2 * kDay);  // the first acknowledgement stays
  CHECK(reopened->feedback_from == kT0 + 50 * kDay);   // the feedback clock restarts
  REQUIRE(store->record_event(key, HistoryEvent::kExported, kT0 + 51 * kDay).ok());
  CHECK_FALSE(store->record_event(key, HistoryEvent::kStatusChanged, kT0).ok());
  CHECK(store->change_status(random_as<CaseKey>(), StatusAction::kClose, 1).error().code == ErrorCode::kNotFound);

  auto history = store->history(key);
  REQUIRE(history.ok());
  std::vector<std::string> lines;
  for (const HistoryEntry& e : *history) lines.push_back(std::to_string((e.at - kT0) / kDay) + " " + describe(e));
  CHECK(lines == std::vector<std::string>{
                     "0 case opened (first message received)", "2 acknowledgement sent to the reporter",
                     "2 status new -> acknowledged", "3 status acknowledged -> in-progress",
                     "4 status in-progress -> closed", "50 status closed -> in-progress", "51 case exported"});
  CHECK((*history)[6].sequence == 6);

  // Moving straight to in-progress counts as acknowledging.
  auto second = store->record_incoming(report_from(random_as<crypto::X25519PublicKey>(), "other", kT0));
  REQUIRE(second.ok());
  auto working = store->change_status(second->case_key, StatusAction::kStartWork, kT0 + kDay);
  REQUIRE(working.ok());
  CHECK(working->acknowledged_at == kT0 + kDay);
  // Closing an unacknowledged case does not invent an acknowledgement.
  auto third = store->record_incoming(report_from(random_as<crypto::X25519PublicKey>(), "spam", kT0));
  REQUIRE(third.ok());
  auto closed = store->change_status(third->case_key, StatusAction::kClose, kT0 + kDay);
  REQUIRE(closed.ok());
  CHECK(closed->acknowledged_at == 0);
}

TEST_CASE("casework: calendar months and deadlines", "[adviser][casework]") {
  CHECK(add_months_utc(utc(2024, 1, 31, 10, 30), 1) == utc(2024, 2, 29, 10, 30));
  CHECK(add_months_utc(utc(2023, 1, 31), 1) == utc(2023, 2, 28));
  CHECK(add_months_utc(utc(2023, 11, 30, 23, 59), 3) == utc(2024, 2, 29, 23, 59));
  CHECK(add_months_utc(utc(2023, 10, 15), 3) == utc(2024, 1, 15));
  CHECK(add_months_utc(utc(2000, 2, 29), 12) == utc(2001, 2, 28));
  CHECK(add_months_utc(utc(1999, 12, 31), 2) == utc(2000, 2, 29));
  CHECK(add_months_utc(kT0, 0) == kT0);

  Settings law;
  CaseRecord c;
  c.created_at = kT0;
  Deadline d = deadline_for(c, law, kT0 + 7 * kDay);
  CHECK(d.kind == DeadlineKind::kAcknowledge);
  CHECK(d.due == kT0 + 7 * kDay);
  CHECK_FALSE(d.overdue);  // due at that second, not yet past it
  CHECK(deadline_for(c, law, kT0 + 7 * kDay + 1).overdue);
  Settings strict{3, 1};
  CHECK(deadline_for(c, strict, kT0).due == kT0 + 3 * kDay);

  c.status = CaseStatus::kAcknowledged;
  c.acknowledged_at = utc(2023, 11, 20, 9);
  c.feedback_from = c.acknowledged_at;
  d = deadline_for(c, law, utc(2024, 2, 20, 9));
  CHECK(d.kind == DeadlineKind::kFeedback);
  CHECK(d.due == utc(2024, 2, 20, 9));
  CHECK_FALSE(d.overdue);
  CHECK(deadline_for(c, law, utc(2024, 2, 21)).overdue);
  CHECK(deadline_for(c, strict, 0).due == utc(2023, 12, 20, 9));
  CHECK(describe_deadline(deadline_for(c, law, utc(2024, 3, 1))).find("OVERDUE") != std::string::npos);
  c.status = CaseStatus::kClosed;
  CHECK(deadline_for(c, law, utc(2030, 1, 1)).kind == DeadlineKind::kNone);
  CHECK(describe_deadline(deadline_for(c, law, 0)) == "-");

  // Listing order: what is due first, then cases that owe nothing by activity.
  std::vector<CaseRecord> cases(4);
  for (std::size_t i = 0; i < cases.size(); ++i) cases[i].key[0] = static_cast<std::uint8_t>(i);
  cases[0].status = CaseStatus::kClosed, cases[0].last_activity = 10;
  cases[1].status = CaseStatus::kClosed, cases[1].last_activity = 20;
  cases[2].created_at = kT0 + kDay;  // acknowledge by kT0 + 8 days
  cases[3].created_at = kT0;         // acknowledge by kT0 + 7 days: first
  sort_by_due(cases, law, kT0 + 10 * kDay);
  CHECK(cases[0].key[0] == 3);
  CHECK(cases[1].key[0] == 2);
  CHECK(cases[2].key[0] == 1);
  CHECK(cases[3].key[0] == 0);
  const std::string table = case_table(cases, law, kT0 + 10 * kDay);
  CHECK(table.find("OVERDUE") < table.find(cases[2].id()));
  CHECK(case_table({}, law, 0) == "No cases yet.\n");
}

TEST_CASE("casework: filters keep the cases every given condition holds for", "[adviser][casework]") {
  const Settings law{};
  const std::uint64_t now = kT0 + 10 * kDay;
  std::vector<CaseRecord> cases(4);
  for (std::size_t i = 0; i < cases.size(); ++i) cases[i].key[0] = static_cast<std::uint8_t>(i);
  cases[0].created_at = kT0;                 // new, acknowledge by kT0 + 7 days: overdue
  cases[0].unread = 2;
  cases[1].created_at = now - kDay;          // new, acknowledge in 6 days
  cases[2].status = CaseStatus::kInProgress;  // feedback by kT0 + 3 months
  cases[2].created_at = kT0, cases[2].acknowledged_at = kT0, cases[2].feedback_from = kT0;
  cases[2].unread = 1;
  cases[3].status = CaseStatus::kClosed;      // owes nothing
  auto keys = [&](const CaseFilter& f) {
    std::vector<int> out;
    for (const CaseRecord& c : filter_cases(cases, f, law, now)) out.push_back(c.key[0]);
    return out;
  };
  CaseFilter overdue, unread, is_new, closed, within5, within6, within365, within0;
  overdue.overdue = true;
  unread.unread = true;
  is_new.status = CaseStatus::kNew;
  closed.status = CaseStatus::kClosed;
  within5.due_within_days = 5;
  within6.due_within_days = 6;
  within365.due_within_days = 365;
  within0.due_within_days = 0;
  CHECK(keys(CaseFilter{}) == std::vector<int>{0, 1, 2, 3});
  CHECK(keys(overdue) == std::vector<int>{0});
  CHECK(keys(unread) == std::vector<int>{0, 2});
  CHECK(keys(is_new) == std::vector<int>{0, 1});
  CHECK(keys(closed) == std::vector<int>{3});
  CHECK(keys(within5) == std::vector<int>{0});
  CHECK(keys(within6) == std::vector<int>{0, 1});
  CHECK(keys(within365) == std::vector<int>{0, 1, 2});
  CHECK(keys(within0) == std::vector<int>{0});
  CaseFilter unread_in_progress = unread;
  unread_in_progress.status = CaseStatus::kInProgress;
  CHECK(keys(unread_in_progress) == std::vector<int>{2});
  CaseFilter overdue_in_progress = overdue;
  overdue_in_progress.status = CaseStatus::kInProgress;
  CHECK(keys(overdue_in_progress).empty());
  CaseFilter unread_within30 = unread;
  unread_within30.due_within_days = 30;
  CHECK(keys(unread_within30) == std::vector<int>{0});
}

TEST_CASE("casework: settings are stricter than the law only and kept encrypted", "[adviser][casework]") {
  CHECK(validate_settings(Settings{}).ok());
  CHECK(validate_settings(Settings{1, 1}).ok());
  CHECK_FALSE(validate_settings(Settings{8, 3}).ok());
  CHECK_FALSE(validate_settings(Settings{0, 3}).ok());
  CHECK_FALSE(validate_settings(Settings{7, 4}).ok());
  CHECK_FALSE(validate_settings(Settings{7, 0}).ok());

  TempDir dir("meldpunt-casework-");
  const auto key = crypto::Secret<32>::random();
  {
    auto store = CaseStore::open(dir.path(), key);
    REQUIRE(store.ok());
    auto defaults = store->settings();
    REQUIRE(defaults.ok());
    CHECK(defaults->ack_days == 7);
    CHECK(defaults->feedback_months == 3);
    CHECK(store->set_settings(Settings{9, 1}).error().code == ErrorCode::kMalformed);
    REQUIRE(store->set_settings(Settings{5, 2}).ok());
  }
  auto reopened = CaseStore::open(dir.path(), key);
  REQUIRE(reopened.ok());
  CHECK(reopened->settings()->ack_days == 5);
  CHECK(reopened->settings()->feedback_months == 2);

  const Bytes encoded = encode_settings(Settings{5, 2});
  for (std::size_t cut = 0; cut < encoded.size(); ++cut) CHECK_FALSE(decode_settings(ByteView(encoded).first(cut)).ok());
  Bytes lax = encode_settings(Settings{5, 2});
  lax[1] = 30;  // 30 days: not allowed even if the bytes say so
  CHECK_FALSE(decode_settings(lax).ok());
}

TEST_CASE("casework: private notes are stored encrypted and apart from the conversation", "[adviser][casework]") {
  TempDir dir("meldpunt-casework-");
  const auto key = crypto::Secret<32>::random();
  const std::string note = "Note marker 55e1: spoke to HR, they confirm two earlier complaints.";
  CaseKey case_key{};
  {
    auto store = CaseStore::open(dir.path(), key);
    REQUIRE(store.ok());
    auto outcome = store->record_incoming(report_from(random_as<crypto::X25519PublicKey>(), "the report", kT0));
    REQUIRE(outcome.ok());
    case_key = outcome->case_key;
    REQUIRE(store->add_note(case_key, kT0 + kDay, as_bytes(note)).ok());
    REQUIRE(store->add_note(case_key, kT0 + 2 * kDay, as_bytes("second")).ok());
    CHECK(store->add_note(case_key, kT0, {}).error().code == ErrorCode::kMalformed);
    const std::string huge(kMaxNoteBytes + 1, 'x');
    CHECK(store->add_note(case_key, kT0, as_bytes(huge)).error().code == ErrorCode::kTooLarge);
    CHECK(store->add_note(random_as<CaseKey>(), kT0, as_bytes("x")).error().code == ErrorCode::kNotFound);
  }
  CHECK_FALSE(folder_contains(dir.path(), as_bytes("Note marker")));
  auto store = CaseStore::open(dir.path(), key);
  REQUIRE(store.ok());
  auto notes = store->notes(case_key);
  REQUIRE(notes.ok());
  REQUIRE(notes->size() == 2);
  CHECK(std::string((*notes)[0].text.text()) == note);
  CHECK((*notes)[0].written_at == kT0 + kDay);
  CHECK((*notes)[1].sequence == 1);
  CHECK(store->messages(case_key)->size() == 1);  // notes never enter the conversation
  CHECK(store->get_case(case_key)->value().next_note == 2);
  const auto history = store->history(case_key);
  REQUIRE(history.ok());
  CHECK(std::count_if(history->begin(), history->end(),
                      [](const HistoryEntry& e) { return e.event == HistoryEvent::kNoteAdded; }) == 2);

  NoteRecord n;
  n.written_at = 3;
  n.text = crypto::SecretBuffer::copy_of(std::string_view("abc"));
  const crypto::SecretBuffer encoded = encode_note(n);
  for (std::size_t cut = 0; cut < encoded.size(); ++cut) CHECK_FALSE(decode_note(encoded.view().first(cut)).ok());
  HistoryEntry e;
  e.event = HistoryEvent::kStatusChanged;
  e.from = CaseStatus::kNew;
  e.to = CaseStatus::kClosed;
  Bytes he = encode_history(e);
  CHECK(decode_history(he)->to == CaseStatus::kClosed);
  he[1 + 8] = 7;  // unknown event
  CHECK_FALSE(decode_history(he).ok());
  e.event = HistoryEvent::kOpened;  // a status on a non-status event is damage
  CHECK_FALSE(decode_history(encode_history(e)).ok());
}

TEST_CASE("casework: a reporter moving to a new code keeps the case", "[adviser][casework]") {
  TempDir dir("meldpunt-casework-");
  auto store = CaseStore::open(dir.path(), crypto::Secret<32>::random());
  REQUIRE(store.ok());
  const auto old_pk = random_as<crypto::X25519PublicKey>();
  const auto new_pk = random_as<crypto::X25519PublicKey>();
  const auto newest_pk = random_as<crypto::X25519PublicKey>();
  auto first = store->record_incoming(report_from(old_pk, "first", kT0));
  REQUIRE(first.ok());
  const CaseKey key = first->case_key;
  auto bystander = store->record_incoming(report_from(random_as<crypto::X25519PublicKey>(), "other case", kT0));
  REQUIRE(bystander.ok());
  const auto bystander_pk = store->get_case(bystander->case_key)->value().reporter_message_pk;

  // From nobody we know: ignored.
  auto unknown = store->record_rotation(rotation_of(random_as<crypto::X25519PublicKey>(), new_pk, kT0 + 1));
  REQUIRE(unknown.ok());
  CHECK(unknown->outcome == RotationOutcome::kUnknownSender);
  // To a key that is another case's, unchanged or zero: refused.
  CHECK(store->record_rotation(rotation_of(old_pk, bystander_pk, kT0 + 1))->outcome == RotationOutcome::kRefused);
  CHECK(store->record_rotation(rotation_of(old_pk, old_pk, kT0 + 1))->outcome == RotationOutcome::kRefused);
  CHECK(store->record_rotation(rotation_of(old_pk, crypto::X25519PublicKey{}, kT0 + 1))->outcome ==
        RotationOutcome::kRefused);

  const IncomingRotation move = rotation_of(old_pk, new_pk, kT0 + kDay);
  auto moved = store->record_rotation(move);
  REQUIRE(moved.ok());
  CHECK(moved->outcome == RotationOutcome::kMoved);
  CHECK(moved->case_key == key);
  CHECK(store->record_rotation(move)->outcome == RotationOutcome::kAlreadyKnown);
  auto c = store->get_case(key);
  REQUIRE(c.ok());
  CHECK((*c)->reporter_message_pk == new_pk);
  CHECK((*c)->reporter_fetch_pk == move.new_fetch_pk);
  CHECK((*c)->id() == to_hex(key).substr(0, kCaseIdChars));
  auto pending = store->pending_deletes();
  REQUIRE(pending.ok());
  CHECK(std::any_of(pending->begin(), pending->end(), [&](const PendingDelete& p) { return p.relay_id == move.relay_id; }));

  // The new code writes into the same case; the old code is retired.
  auto follow = store->record_incoming(report_from(new_pk, "from the new code", kT0 + 2 * kDay));
  REQUIRE(follow.ok());
  CHECK(follow->stored);
  CHECK(follow->case_key == key);
  auto stale = store->record_incoming(report_from(old_pk, "from the old code", kT0 + 2 * kDay));
  REQUIRE(stale.ok());
  CHECK_FALSE(stale->stored);
  CHECK(stale->retired);
  CHECK(store->record_rotation(rotation_of(old_pk, random_as<crypto::X25519PublicKey>(), kT0 + 3 * kDay))->outcome ==
        RotationOutcome::kUnknownSender);
  CHECK(store->messages(key)->size() == 2);
  CHECK(store->list_cases()->size() == 2);

  // A second move goes from the current (new) key.
  auto again = store->record_rotation(rotation_of(new_pk, newest_pk, kT0 + 4 * kDay));
  REQUIRE(again.ok());
  CHECK(again->outcome == RotationOutcome::kMoved);
  CHECK(again->case_key == key);
  CHECK(store->record_incoming(report_from(newest_pk, "third code", kT0 + 5 * kDay))->case_key == key);
  CHECK(store->record_incoming(report_from(new_pk, "second code", kT0 + 5 * kDay))->retired);
  auto history = store->history(key);
  REQUIRE(history.ok());
  CHECK(std::count_if(history->begin(), history->end(),
                      [](const HistoryEntry& e) { return e.event == HistoryEvent::kReporterMoved; }) == 2);
}

TEST_CASE("casework: a schema 1 store is upgraded on open", "[adviser][casework]") {
  TempDir dir("meldpunt-casework-");
  const auto key = crypto::Secret<32>::random();
  const auto reporter = random_as<crypto::X25519PublicKey>();
  const CaseKey case_key{crypto::keyed_name(key, "case", reporter)};
  {
    // Exactly what schema 1 wrote: a schema record and a version 1 case record.
    store::lmdb::EnvironmentOptions options;
    options.max_tables = 32;
    store::lmdb::Environment env(dir.path(), options);
    store::lmdb::Table meta = env.open_table("meta"), cases = env.open_table("cases");
    Bytes schema;
    append_u32_le(schema, 1);
    Bytes v1;
    append_u8(v1, 1);
    append_u8(v1, 1);  // new
    append(v1, reporter);
    append(v1, random_fixed<32>());
    append_u64_le(v1, kT0);      // created_at
    append_u64_le(v1, kT0 + 5);  // last_activity
    append_u32_le(v1, 0);
    append_u64_le(v1, 0);
    append_u8(v1, 0);
    const auto ad = [](std::string_view table, ByteView record_key) {
      Bytes a(as_bytes(table).begin(), as_bytes(table).end());
      a.push_back(0);
      append(a, record_key);
      return a;
    };
    REQUIRE(env.write([&](store::lmdb::WriteTxn& txn) -> Status {
                 if (Status s = meta.put(txn, as_bytes("schema"),
                                         crypto::seal_value(key, ad("meta", as_bytes("schema")), schema));
                     !s) {
                   return s;
                 }
                 return cases.put(txn, case_key, crypto::seal_value(key, ad("cases", case_key), v1));
               }).ok());
  }
  auto store = CaseStore::open(dir.path(), key);
  REQUIRE(store.ok());
  auto c = store->get_case(case_key);
  REQUIRE(c.ok());
  REQUIRE(c->has_value());
  CHECK((*c)->created_at == kT0);
  CHECK((*c)->acknowledged_at == 0);
  CHECK((*c)->next_history == 1);
  auto history = store->history(case_key);
  REQUIRE(history.ok());
  REQUIRE(history->size() == 1);
  CHECK((*history)[0].event == HistoryEvent::kOpened);
  CHECK((*history)[0].at == kT0);
  // The upgrade happens once.
  auto again = CaseStore::open(dir.path(), key);
  REQUIRE(again.ok());
  CHECK(again->history(case_key)->size() == 1);
}

TEST_CASE("casework: evaluation counts hide small numbers and never show content", "[adviser][casework]") {
  std::vector<CaseRecord> cases;
  auto add = [&](std::uint64_t created, CaseStatus status, std::uint64_t ack_after) {
    CaseRecord c;
    crypto::random_fill(c.key);
    c.created_at = created;
    c.status = status;
    c.acknowledged_at = ack_after == 0 ? 0 : created + ack_after;
    cases.push_back(c);
  };
  StatsReport few = compute_stats(cases, crypto::Role::kIntegrityOfficer);
  CHECK(few.role == "integrity");
  CHECK_FALSE(few.total);
  CHECK(few.by_month.empty());
  CHECK(few.by_status.size() == 4);
  CHECK_FALSE(few.median_hours_to_acknowledgement);

  for (int i = 0; i < 6; ++i) add(utc(2024, 3, 2 + i), CaseStatus::kInProgress, static_cast<std::uint64_t>(i + 1) * 3600);
  add(utc(2024, 4, 1), CaseStatus::kNew, 0);
  StatsReport report = compute_stats(cases, crypto::Role::kInternalConfidentialAdviser);
  CHECK(report.total == std::optional<std::uint64_t>(7));
  REQUIRE(report.by_month.size() == 2);
  CHECK(report.by_month[0].label == "2024-03");
  // 6 in March and 1 in April with the total shown: April alone hidden
  // would follow from 7 - 6, so March is hidden too.
  CHECK_FALSE(report.by_month[0].count);
  CHECK_FALSE(report.by_month[1].count);
  // Statuses: in-progress 6 and three cells below 5: nothing to protect further.
  CHECK(report.by_status[2].label == "in-progress");
  CHECK(report.by_status[2].count == std::optional<std::uint64_t>(6));
  CHECK_FALSE(report.by_status[0].count);
  REQUIRE(report.median_hours_to_acknowledgement);
  CHECK(*report.median_hours_to_acknowledgement == Approx(3.5));  // 1..6 hours
  const std::string json_text = stats_json(report);
  const auto json = nlohmann::json::parse(json_text);
  CHECK(json["role"] == "internal");
  CHECK(json["cases"] == 7);
  CHECK(json["by_month"]["2024-04"] == "<5");
  CHECK(json["by_status"]["in-progress"] == 6);
  CHECK(json["min_shown_count"] == 5);
  CHECK(json_text.find("\"median_hours_to_acknowledgement\": 3.5") != std::string::npos);
  const std::string text = stats_text(report);
  CHECK(text.find("<5") != std::string::npos);
  for (const CaseRecord& c : cases) CHECK(text.find(c.id()) == std::string::npos);

  // With four acknowledged cases no median is shown.
  std::vector<CaseRecord> four(cases.begin(), cases.begin() + 4);
  CHECK_FALSE(compute_stats(four, crypto::Role::kComplaintsCommittee).median_hours_to_acknowledgement);
}

TEST_CASE("casework: export and backup files", "[adviser][casework]") {
  const auto passphrase = crypto::SecretBuffer::copy_of(std::string_view("export passphrase"));
  const auto wrong = crypto::SecretBuffer::copy_of(std::string_view("another passphrase"));
  const crypto::PassphraseBox box = crypto::PassphraseBox::create(passphrase, crypto::KdfParams::insecure_for_tests());
  const std::string document = "meldpunt case export\nthe conversation\n";
  const Bytes sealed = seal_export(box, as_bytes(document));
  CHECK(std::search(sealed.begin(), sealed.end(), document.begin(), document.end()) == sealed.end());
  auto opened = open_export(sealed, passphrase);
  REQUIRE(opened.ok());
  CHECK(std::string(opened->text()) == document);
  CHECK(open_export(sealed, wrong).error().code == ErrorCode::kUnauthorised);
  Bytes flipped = sealed;
  flipped.back() ^= 1;
  CHECK(open_export(flipped, passphrase).error().code == ErrorCode::kUnauthorised);
  CHECK_FALSE(open_export(ByteView(sealed).first(20), passphrase).ok());

  BackupContents contents;
  contents.key_file = meldpunt::test_support::random_bytes(300);
  contents.card = "mpcard1.abc";
  contents.store = meldpunt::test_support::random_bytes(5000);
  auto backup = seal_backup(box, contents);
  REQUIRE(backup.ok());
  auto restored = open_backup(*backup, passphrase);
  REQUIRE(restored.ok());
  CHECK(restored->key_file == contents.key_file);
  CHECK(restored->card == contents.card);
  CHECK(restored->store == contents.store);
  // An export is not a backup and the other way round.
  CHECK(open_backup(sealed, passphrase).error().code == ErrorCode::kMalformed);
  CHECK(open_export(*backup, passphrase).error().code == ErrorCode::kMalformed);
  const Bytes plain = encode_backup(contents);
  for (std::size_t cut = 0; cut < plain.size(); cut += 97) CHECK_FALSE(decode_backup(ByteView(plain).first(cut)).ok());
  Bytes trailing = plain;
  trailing.push_back(0);
  CHECK_FALSE(decode_backup(trailing).ok());
  Bytes lying = plain;
  lying[8 + 3] = 0x7f;  // key file length far beyond the file
  CHECK_FALSE(decode_backup(lying).ok());
  contents.store.resize(crypto::kBoxMaxFileBytes);
  CHECK(seal_backup(box, contents).error().code == ErrorCode::kTooLarge);
}

TEST_CASE("casework: a passphrase change re-encrypts the key file", "[adviser][casework]") {
  TempDir dir("meldpunt-casework-");
  const fs::path path = dir.path() / "identity.key";
  const auto old_passphrase = crypto::SecretBuffer::copy_of(std::string_view("old passphrase 1"));
  const auto new_passphrase = crypto::SecretBuffer::copy_of(std::string_view("new passphrase 2"));
  AdviserProfile profile;
  profile.name = "Anna";
  crypto::random_fill(profile.id);
  auto created = KeyFile::create(path, old_passphrase, crypto::KdfParams::insecure_for_tests(), profile,
                                 crypto::AdviserIdentity::generate());
  REQUIRE(created.ok());
  const auto before = os::read_file(path, 1 << 20);
  REQUIRE(created->change_passphrase(new_passphrase, crypto::KdfParams::insecure_for_tests()).ok());
  CHECK(KeyFile::unlock(path, old_passphrase).error().code == ErrorCode::kUnauthorised);
  auto unlocked = KeyFile::unlock(path, new_passphrase);
  REQUIRE(unlocked.ok());
  CHECK(unlocked->identity().store_key.equals(created->identity().store_key));
  CHECK(unlocked->profile().id == profile.id);
  // Later saves keep the new passphrase.
  REQUIRE(created->save().ok());
  CHECK(KeyFile::unlock(path, new_passphrase).ok());
  CHECK(os::read_file(path, 1 << 20).value() != before.value());
}
