// The shared language layer (cli/language.hpp): the selection rules,
// singular and plural forms and placeholders. CLI11's own texts in Dutch are
// tested in test_cli.cpp, the one test file that includes CLI11.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "meldpunt/cli/language.hpp"
#include "texts.hpp"

using namespace meldpunt;
using cli::Lang;

TEST_CASE("language: --lang first, then LC_ALL, LC_MESSAGES, LANG", "[cli][language]") {
  CHECK(cli::language_from_locale(nullptr, nullptr, "nl_NL.UTF-8") == Lang::kNl);
  CHECK(cli::language_from_locale("", "", "nl_BE") == Lang::kNl);
  CHECK(cli::language_from_locale("C", nullptr, "nl_NL.UTF-8") == Lang::kEn);  // the first non-empty decides
  CHECK(cli::language_from_locale(nullptr, "nl", "en_GB") == Lang::kNl);
  CHECK(cli::language_from_locale(nullptr, nullptr, "nlx") == Lang::kEn);
  CHECK(cli::language_from_locale(nullptr, nullptr, nullptr) == Lang::kEn);
  const char* nl[] = {"prog", "inbox", "--lang", "nl"};
  CHECK(cli::language_from_args(4, nl) == Lang::kNl);
  const char* eq[] = {"prog", "--lang=nl", "cases"};
  CHECK(cli::language_from_args(3, eq) == Lang::kNl);
  const char* en[] = {"prog", "--lang", "en"};
  CHECK(cli::language_from_args(3, en) == Lang::kEn);
}

TEST_CASE("plural: one for exactly 1, other otherwise, in both languages", "[cli][language]") {
  const cli::Count replies{"{1} new reply", "{1} new replies", "{1} nieuw antwoord", "{1} nieuwe antwoorden"};
  CHECK(cli::count_text(Lang::kEn, replies, 1) == "1 new reply");
  CHECK(cli::count_text(Lang::kEn, replies, 2) == "2 new replies");
  CHECK(cli::count_text(Lang::kEn, replies, 0) == "0 new replies");
  CHECK(cli::count_text(Lang::kNl, replies, 1) == "1 nieuw antwoord");
  CHECK(cli::count_text(Lang::kNl, replies, 2) == "2 nieuwe antwoorden");
  const cli::Count with_more{"{1} file in {2}", "{1} files in {2}", "{1} bestand in {2}", "{1} bestanden in {2}"};
  CHECK(cli::count_text(Lang::kNl, with_more, 3, {"map"}) == "3 bestanden in map");
  CHECK(cli::fill("{1} and {2} but {3} {x}", {"a", "b"}) == "a and b but  {x}");
}

TEST_CASE("reporter count texts: both forms in both languages, no (s) or (en)", "[cli][language][reporter]") {
  std::size_t count = 0;
  const reporter::CountEntry* table = reporter::count_table(count);
  REQUIRE(count == static_cast<std::size_t>(reporter::Counted::kCount));
  for (std::size_t i = 0; i < count; ++i) {
    for (std::string_view form : {table[i].forms.en_one, table[i].forms.en_other, table[i].forms.nl_one,
                                  table[i].forms.nl_other}) {
      CHECK(!form.empty());
      CHECK(form.find("(s)") == std::string_view::npos);
      CHECK(form.find("(en)") == std::string_view::npos);
    }
  }
  CHECK(reporter::count_text(Lang::kEn, reporter::Counted::kNewReplies, 1).rfind("1 new reply since", 0) == 0);
  CHECK(reporter::count_text(Lang::kEn, reporter::Counted::kNewReplies, 2).rfind("2 new replies since", 0) == 0);
  CHECK(reporter::count_text(Lang::kNl, reporter::Counted::kNewReplies, 1).rfind("1 nieuw antwoord sinds", 0) == 0);
  CHECK(reporter::count_text(Lang::kNl, reporter::Counted::kNewReplies, 2).rfind("2 nieuwe antwoorden sinds", 0) == 0);
}

#include "wording.hpp"
#include "wording_commands.hpp"

TEST_CASE("adviser wording: every row in both languages, both forms, same placeholders", "[cli][language][adviser]") {
  auto placeholders = [](std::string_view t) {
    std::string out;
    for (std::size_t i = 0; i + 2 < t.size(); ++i) {
      if (t[i] == '{' && t[i + 2] == '}') out.push_back(t[i + 1]);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  for (std::size_t i = 0; i < adviser::say_rows(); ++i) {
    const cli::Text t = adviser::say_row(i);
    CHECK(!t.en.empty());
    CHECK(!t.nl.empty());
    CHECK(placeholders(t.en) == placeholders(t.nl));
  }
  for (std::size_t i = 0; i < adviser::tally_rows(); ++i) {
    const cli::Count c = adviser::tally_row(i);
    for (std::string_view form : {c.en_one, c.en_other, c.nl_one, c.nl_other}) {
      CHECK(form.find("{1}") != std::string_view::npos);
      CHECK(form.find("(s)") == std::string_view::npos);
      CHECK(placeholders(form) == placeholders(c.en_other));
    }
  }
  for (std::size_t i = 0; i < adviser::tell_rows(); ++i) {
    const cli::Text t = adviser::tell_row(i);
    CHECK(!t.en.empty());
    CHECK(!t.nl.empty());
    CHECK(placeholders(t.en) == placeholders(t.nl));
  }
  CHECK(adviser::tally(Lang::kNl, adviser::Tally::kMinutes, 1) == "1 minuut");
  CHECK(adviser::tally(Lang::kNl, adviser::Tally::kMinutes, 10) == "10 minuten");
  CHECK(adviser::tell(Lang::kNl, adviser::Tell::kCaseChanged, {"3fa9c0d1e2", "new", "acknowledged", "x"}) ==
        "Zaak 3fa9c0d1e2: new -> acknowledged   termijn: x");
  CHECK(adviser::tally(Lang::kEn, adviser::Tally::kNewMessages, 1) == "1 new message");
  CHECK(adviser::tally(Lang::kEn, adviser::Tally::kNewMessages, 2) == "2 new messages");
  CHECK(adviser::tally(Lang::kNl, adviser::Tally::kNewMessages, 1) == "1 nieuw bericht");
  CHECK(adviser::tally(Lang::kNl, adviser::Tally::kNewMessages, 2) == "2 nieuwe berichten");
  CHECK(adviser::describe(Lang::kNl, Error{ErrorCode::kNotFound, "no card"}) == "niet gevonden (no card)");
  CHECK(adviser::describe(Lang::kEn, Error{ErrorCode::kNotFound, "no case 1234"}) == "no case 1234");
}

TEST_CASE("adviser wording: in Dutch an error's subject chooses a whole Dutch text", "[cli][language][adviser]") {
  const std::string detail = "ENGLISH-DETAIL";
  auto dutch = [&](ErrorCode code, ErrorSubject subject) {
    return adviser::describe(Lang::kNl, Error{code, detail, false, subject});
  };
  const std::pair<ErrorCode, ErrorSubject> situations[] = {
      {ErrorCode::kUnauthorised, ErrorSubject::kDirectory},   {ErrorCode::kUnauthorised, ErrorSubject::kPassphrase},
      {ErrorCode::kMalformed, ErrorSubject::kCaseId},         {ErrorCode::kNotFound, ErrorSubject::kCaseId},
      {ErrorCode::kMalformed, ErrorSubject::kCaseIdAmbiguous}, {ErrorCode::kMalformed, ErrorSubject::kChannelAddress},
      {ErrorCode::kMalformed, ErrorSubject::kChannelMistyped}, {ErrorCode::kUnavailable, ErrorSubject::kFolderInUse},
      {ErrorCode::kIo, ErrorSubject::kFileExists},            {ErrorCode::kIo, ErrorSubject::kIdentityExists},
      {ErrorCode::kNotFound, ErrorSubject::kAttachmentNumber}, {ErrorCode::kMalformed, ErrorSubject::kStatusWord},
      {ErrorCode::kMalformed, ErrorSubject::kStatusMove},     {ErrorCode::kMalformed, ErrorSubject::kDeadlineSetting},
      {ErrorCode::kTooLarge, ErrorSubject::kAttachmentCount}, {ErrorCode::kTooLarge, ErrorSubject::kAttachmentsOff},
      {ErrorCode::kMalformed, ErrorSubject::kAttachmentEmpty}, {ErrorCode::kTooLarge, ErrorSubject::kAttachmentSize},
      {ErrorCode::kUnavailable, ErrorSubject::kRelaySilent},  {ErrorCode::kMalformed, ErrorSubject::kCaseLabel},
      {ErrorCode::kMalformed, ErrorSubject::kFilingId},
  };
  std::set<std::string> texts;
  for (const auto& [code, subject] : situations) {
    const std::string text = dutch(code, subject);
    CAPTURE(static_cast<int>(subject), text);
    CHECK(text.find(detail) == std::string::npos);  // the English words stay out
    CHECK(texts.insert(text).second);               // each situation its own text
    // English keeps the program's own words.
    CHECK(adviser::describe(Lang::kEn, Error{code, detail, false, subject}) == detail);
  }
  CHECK(dutch(ErrorCode::kUnauthorised, ErrorSubject::kPassphrase).find("wachtwoord klopt niet") != std::string::npos);
  CHECK(dutch(ErrorCode::kMalformed, ErrorSubject::kCaseId).find("4 tot 10 tekens") != std::string::npos);
  // Without a subject: the Dutch kind, the detail after it.
  CHECK(dutch(ErrorCode::kIo, ErrorSubject::kNone) ==
        "een bestand kan niet worden gelezen of geschreven (ENGLISH-DETAIL)");
  // A refusal by the relay: its Dutch meaning by status, without the relay's words.
  const std::string refused = adviser::describe(Lang::kNl, Error{ErrorCode::kStorageFull, detail, true});
  CHECK(refused.find("de opslag van de server is vol") == 0);
  CHECK(refused.find(detail) == std::string::npos);
}
