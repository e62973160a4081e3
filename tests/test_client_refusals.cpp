// What both clients tell a person when the relay refuses a request: every
// status the relay sends has its own text (in English and Dutch for the
// reporter), saying what the person can do; the relay's words appear only as
// a detail in parentheses; a status the protocol does not list is named as
// unknown. And the client library marks which errors are the relay's.
#include <catch2/catch.hpp>

#include <set>

#include "../adviser-client/src/refusal.hpp"
#include "../reporter-client/src/refusal.hpp"
#include "meldpunt/protocol/wire.hpp"
#include "texts.hpp"

using namespace meldpunt;

namespace {

std::vector<ErrorCode> every_code() {
  std::vector<ErrorCode> codes;
  for (unsigned c = 0; c <= 255; ++c) codes.push_back(static_cast<ErrorCode>(c));
  return codes;
}

Error refusal(ErrorCode code) { return Error{code, "relay: RELAY-TEXT", true}; }

// The text with the detail taken out: what the person reads as the meaning.
// The detail is there in English only (a Dutch text leaves the relay's
// English words out).
std::string without_detail(std::string text) {
  const std::size_t at = text.rfind(" (relay: RELAY-TEXT)");
  if (at == std::string::npos) return text;
  return text.erase(at, std::string(" (relay: RELAY-TEXT)").size());
}

}  // namespace

TEST_CASE("the relay's error statuses are the protocol's list", "[client][refusal]") {
  std::set<unsigned> sent;
  for (ErrorCode c : every_code()) {
    if (protocol::is_relay_error_status(c)) sent.insert(static_cast<unsigned>(c));
  }
  CHECK(sent == std::set<unsigned>{1, 2, 3, 4, 5, 6, 7, 8, 9, 13});  // docs/PROTOCOL.md, "Reply"
}

TEST_CASE("reporter-client: every relay status has its own text in both languages, the relay's words only as a detail",
          "[client][refusal]") {
  for (reporter::Lang lang : {reporter::Lang::kEn, reporter::Lang::kNl}) {
    std::set<std::string> meanings;
    for (ErrorCode c : every_code()) {
      if (!protocol::is_relay_error_status(c)) continue;
      const std::string text = reporter::relay_refusal(lang, refusal(c));
      CHECK((text.find(" (relay: RELAY-TEXT)") != std::string::npos) == (lang == reporter::Lang::kEn));
      const std::string meaning = without_detail(text);
      CHECK(meaning.find("RELAY-TEXT") == std::string::npos);
      CHECK(meanings.insert(meaning).second);  // no two statuses share a text
    }
    CHECK(meanings.size() == 10);
    // Statuses the protocol does not list (11 is the store's I/O error a
    // relay once sent) are named as unknown, with their number.
    for (unsigned c : {10u, 11u, 12u, 14u, 200u}) {
      const std::string text = reporter::relay_refusal(lang, refusal(static_cast<ErrorCode>(c)));
      CHECK(meanings.count(without_detail(text)) == 0);
      CHECK(text.find("(" + std::to_string(c) + ")") != std::string::npos);
    }
  }
  using reporter::Lang;
  // What a person can do, said plainly for the refusals people meet.
  CHECK(reporter::relay_refusal(Lang::kEn, refusal(ErrorCode::kStorageFull)).find("storage is full") != std::string::npos);
  CHECK(reporter::relay_refusal(Lang::kEn, refusal(ErrorCode::kStorageFull)).find("tell your organisation") !=
        std::string::npos);
  CHECK(reporter::relay_refusal(Lang::kNl, refusal(ErrorCode::kStorageFull)).find("opslag") != std::string::npos);
  CHECK(reporter::relay_refusal(Lang::kEn, refusal(ErrorCode::kRateLimited)).find("Wait a minute") != std::string::npos);
  CHECK(reporter::relay_refusal(Lang::kNl, refusal(ErrorCode::kRateLimited)).find("Wacht een minuut") !=
        std::string::npos);
  CHECK(reporter::relay_refusal(Lang::kEn, refusal(ErrorCode::kMalformed)).find("current version") != std::string::npos);
  for (ErrorCode c : every_code()) {
    if (!protocol::is_relay_error_status(c)) continue;
    CHECK(reporter::relay_refusal(Lang::kEn, refusal(c)).find("full or refused") == std::string::npos);
  }
}

TEST_CASE("adviser-client: every relay status has its own text, the relay's words only as a detail",
          "[client][refusal]") {
  std::set<std::string> meanings;
  for (ErrorCode c : every_code()) {
    if (!protocol::is_relay_error_status(c)) continue;
    const std::string text = adviser::relay_refusal(cli::Lang::kEn, refusal(c));
    CHECK(text.find(" (relay: RELAY-TEXT)") != std::string::npos);
    CHECK(without_detail(text).find("RELAY-TEXT") == std::string::npos);
    CHECK(meanings.insert(without_detail(text)).second);
  }
  CHECK(meanings.size() == 10);
  // In Dutch each status has its own Dutch text, without the relay's English words.
  std::set<std::string> dutch;
  for (ErrorCode c : every_code()) {
    if (!protocol::is_relay_error_status(c)) continue;
    const std::string text = adviser::relay_refusal(cli::Lang::kNl, refusal(c));
    CHECK(text.find("RELAY-TEXT") == std::string::npos);
    CHECK(text.find("the relay") == std::string::npos);
    CHECK(text.find("de server") != std::string::npos);
    CHECK(dutch.insert(text).second);
  }
  CHECK(adviser::relay_refusal(cli::Lang::kNl, refusal(static_cast<ErrorCode>(11))).find("status 11") != std::string::npos);
  const std::string unknown = adviser::relay_refusal(cli::Lang::kEn, refusal(static_cast<ErrorCode>(11)));
  CHECK(unknown.find("status 11") != std::string::npos);
  CHECK(adviser::relay_refusal(cli::Lang::kEn, refusal(ErrorCode::kStorageFull)).find("storage is full") != std::string::npos);
  // Errors of the adviser's own side keep their message.
  CHECK(adviser::describe(Error{ErrorCode::kIo, "export.txt already exists"}) == "export.txt already exists");
  CHECK(adviser::describe(refusal(ErrorCode::kInternal)) == adviser::relay_refusal(cli::Lang::kEn, refusal(ErrorCode::kInternal)));
}
