// Reporter codes: format, normalisation, typo detection and known answers.
#include <catch2/catch.hpp>

#include "common.hpp"
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "meldpunt/crypto/code.hpp"

using namespace meldpunt;
using namespace meldpunt::crypto;

using namespace meldpunt::test_support;

namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// Test-only copy of the canonical text (the production code never does this).
std::string canonical_string(const ReporterCode& code) {
  return std::string(code.canonical().text());
}

std::string display_of(const std::string& canonical) {
  std::string out;
  for (std::size_t i = 0; i < canonical.size(); ++i) {
    if (i > 0 && i % 4 == 0) out.push_back('-');
    out.push_back(canonical[i]);
  }
  return out;
}

std::vector<ReporterCode> sample_codes() {
  std::vector<ReporterCode> codes;
  auto v = load_vectors("code.txt");
  for (int n = 1; v.count("code" + std::to_string(n) + ".data") != 0; ++n) {
    codes.push_back(ReporterCode::from_data_symbols(hex(v["code" + std::to_string(n) + ".data"])));
  }
  for (int i = 0; i < 4; ++i) codes.push_back(ReporterCode::generate());
  return codes;
}

}  // namespace

static_assert(kCodeEntropyBits >= 100, "design brief: at least 100 bits per code");
static_assert(kCodeSymbols == 24 && kCodeDisplayLength == 29);

TEST_CASE("code known-answer vectors", "[crypto][code]") {
  auto v = load_vectors("code.txt");
  int cases = 0;
  for (int n = 1; v.count("code" + std::to_string(n) + ".data") != 0; ++n, ++cases) {
    const std::string prefix = "code" + std::to_string(n);
    const ReporterCode code = ReporterCode::from_data_symbols(hex(v[prefix + ".data"]));
    CHECK(std::string(code.display().text()) == v[prefix + ".display"]);
    auto parsed = ReporterCode::parse(v[prefix + ".display"]);
    REQUIRE(parsed.ok());
    CHECK(parsed->equals(code));
  }
  CHECK(cases == 4);
}

TEST_CASE("generated codes parse back and use the display format", "[crypto][code]") {
  for (int i = 0; i < 200; ++i) {
    const ReporterCode code = ReporterCode::generate();
    const SecretBuffer shown = code.display();
    const std::string_view text = shown.text();
    REQUIRE(text.size() == kCodeDisplayLength);
    for (std::size_t j = 0; j < text.size(); ++j) {
      if (j % 5 == 4) {
        CHECK(text[j] == '-');
      } else {
        CHECK(kAlphabet.find(text[j]) != std::string_view::npos);
      }
    }
    CHECK(code.canonical().size() == kCodeSymbols);
    auto parsed = ReporterCode::parse(text);
    REQUIRE(parsed.ok());
    CHECK(parsed->equals(code));
    auto from_canonical = ReporterCode::parse(code.canonical().text());
    REQUIRE(from_canonical.ok());
    CHECK(from_canonical->equals(code));
    CHECK_FALSE(ReporterCode::diagnose(text).has_value());
  }
}

TEST_CASE("codes are distinct and symbols uniform", "[crypto][code]") {
  std::vector<ReporterCode> codes;
  std::array<int, 32> counts{};
  constexpr int kCodes = 1000;
  for (int i = 0; i < kCodes; ++i) {
    codes.push_back(ReporterCode::generate());
    const std::string_view text = codes.back().canonical().text();
    for (std::size_t j = 0; j < kCodeDataSymbols; ++j) ++counts[kAlphabet.find(text[j])];
  }
  for (std::size_t i = 0; i < codes.size(); ++i) {
    for (std::size_t j = i + 1; j < codes.size(); ++j) REQUIRE_FALSE(codes[i].equals(codes[j]));
  }
  // 22000 symbols, 687.5 expected per value, sd about 26: a biased source
  // (e.g. a modulo-31 mistake leaves one symbol at zero) fails this.
  for (int c : counts) {
    CHECK(c > 500);
    CHECK(c < 900);
  }
}

TEST_CASE("parse is case-insensitive and tolerates separators", "[crypto][code]") {
  const ReporterCode code =
      ReporterCode::from_data_symbols(hex("1f0a03170c1e0502111d08140b1a0f0619001b0d1210"));
  const std::string canonical = canonical_string(code);
  std::string lower = display_of(canonical);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string spaced, mixed;
  for (std::size_t i = 0; i < canonical.size(); ++i) {
    spaced += canonical[i];
    if (i % 4 == 3) spaced += "  ";
    mixed += (i % 2 == 0)
                 ? static_cast<char>(std::tolower(static_cast<unsigned char>(canonical[i])))
                 : canonical[i];
    if (i % 3 == 2) mixed += "_.- "[i % 4];
  }
  for (const std::string& typed :
       {lower, spaced, mixed, " " + canonical + " ", display_of(canonical)}) {
    auto parsed = ReporterCode::parse(typed);
    REQUIRE(parsed.ok());
    CHECK(parsed->equals(code));
  }
}

TEST_CASE("look-alike letters map to digits", "[crypto][code]") {
  const ReporterCode zeros = ReporterCode::from_data_symbols(Bytes(22, 0));
  const ReporterCode ones = ReporterCode::from_data_symbols(Bytes(22, 1));
  std::string z = canonical_string(zeros), o = canonical_string(ones);
  REQUIRE(z == std::string(24, '0'));
  const std::string oh = "OoOoOOooOOOOoooOOooOoOoO";
  auto parsed_zeros = ReporterCode::parse(oh);
  REQUIRE(parsed_zeros.ok());
  CHECK(parsed_zeros->equals(zeros));
  std::size_t replaced = 0;
  const std::string lookalikes = "IiLl";
  for (char& c : o) {
    if (c == '1') c = lookalikes[replaced++ % 4];
  }
  REQUIRE(replaced >= 20);
  auto parsed_ones = ReporterCode::parse(o);
  REQUIRE(parsed_ones.ok());
  CHECK(parsed_ones->equals(ones));
}

TEST_CASE("every single substitution is detected and located", "[crypto][code]") {
  for (const ReporterCode& code : sample_codes()) {
    const std::string canonical = canonical_string(code);
    for (std::size_t pos = 0; pos < kCodeSymbols; ++pos) {
      for (char replacement : kAlphabet) {
        if (replacement == canonical[pos]) continue;
        std::string typed = canonical;
        typed[pos] = replacement;
        const std::size_t group = pos / kCodeGroupSize + 1;
        auto problem = ReporterCode::diagnose(typed);
        REQUIRE(problem.has_value());
        CHECK(problem->kind == CodeProblem::Kind::kCheckFailed);
        REQUIRE(problem->group.has_value());
        CHECK(*problem->group == group);
        auto parsed = ReporterCode::parse(display_of(typed));
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error().code == ErrorCode::kBadCode);
        CHECK(parsed.error().message ==
              "check failed: probably a typo in group " + std::to_string(group));
      }
    }
  }
}

TEST_CASE("every adjacent transposition is detected", "[crypto][code]") {
  int swaps = 0;
  for (const ReporterCode& code : sample_codes()) {
    const std::string canonical = canonical_string(code);
    for (std::size_t pos = 0; pos + 1 < kCodeSymbols; ++pos) {
      if (canonical[pos] == canonical[pos + 1]) continue;
      std::string typed = canonical;
      std::swap(typed[pos], typed[pos + 1]);
      auto problem = ReporterCode::diagnose(typed);
      REQUIRE(problem.has_value());
      CHECK(problem->kind == CodeProblem::Kind::kCheckFailed);
      CHECK_FALSE(ReporterCode::parse(typed).ok());
      ++swaps;
    }
  }
  CHECK(swaps > 100);
}

TEST_CASE("wrong length, bad characters and over-long input are rejected", "[crypto][code]") {
  const ReporterCode code = ReporterCode::generate();
  const std::string canonical = canonical_string(code);
  using Kind = CodeProblem::Kind;

  for (const std::string& typed : {std::string(), canonical.substr(0, 23), canonical + "0",
                                   canonical + canonical, std::string("----")}) {
    auto problem = ReporterCode::diagnose(typed);
    REQUIRE(problem.has_value());
    CHECK(problem->kind == Kind::kWrongLength);
    auto parsed = ReporterCode::parse(typed);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == ErrorCode::kBadCode);
  }

  // Padding with separators: fine up to the input bound, refused beyond it.
  std::string padded = canonical;
  padded.append(kCodeMaxInputLength - canonical.size(), ' ');
  CHECK(ReporterCode::parse(padded).ok());
  padded.push_back(' ');
  auto too_long = ReporterCode::diagnose(padded);
  REQUIRE(too_long.has_value());
  CHECK(too_long->kind == Kind::kWrongLength);
  CHECK_FALSE(ReporterCode::parse(std::string(100000, 'A')).ok());

  for (char bad : std::string("U!*\t\n\xc3\x00", 7)) {
    for (std::size_t pos : {std::size_t{0}, std::size_t{9}, std::size_t{23}}) {
      std::string typed = canonical;
      typed[pos] = bad;
      auto problem = ReporterCode::diagnose(typed);
      REQUIRE(problem.has_value());
      CHECK(problem->kind == Kind::kBadCharacter);
      REQUIRE(problem->group.has_value());
      CHECK(*problem->group == pos / 4 + 1);
      auto parsed = ReporterCode::parse(typed);
      REQUIRE_FALSE(parsed.ok());
      CHECK(parsed.error().message.find("group " + std::to_string(pos / 4 + 1)) !=
            std::string::npos);
    }
  }
}

TEST_CASE("error messages never repeat what was typed", "[crypto][code]") {
  for (int i = 0; i < 20; ++i) {
    const ReporterCode code = ReporterCode::generate();
    const std::string canonical = canonical_string(code);
    std::string substituted = canonical;
    substituted[static_cast<std::size_t>(i) % 24] =
        substituted[static_cast<std::size_t>(i) % 24] == 'A' ? 'B' : 'A';
    std::string swapped = canonical;
    std::swap(swapped[3], swapped[4]);
    std::string bad = canonical;
    bad[5] = '#';
    for (const std::string& typed :
         {display_of(substituted), swapped, bad, canonical.substr(0, 20), canonical + "XYZ"}) {
      auto parsed = ReporterCode::parse(typed);
      if (parsed.ok()) continue;  // a swap of two equal symbols is no error
      const std::string& message = parsed.error().message;
      CHECK_FALSE(message.empty());
      for (std::size_t g = 0; g + 4 <= canonical.size(); g += 4) {
        // Messages are lower case apart from "U", which no code contains.
        CHECK(message.find(canonical.substr(g, 4)) == std::string::npos);
      }
      CHECK(message.find(typed) == std::string::npos);
    }
  }
}

TEST_CASE("from_data_symbols rejects bad input", "[crypto][code]") {
  CHECK_THROWS_AS(ReporterCode::from_data_symbols(Bytes(21, 0)), std::invalid_argument);
  Bytes big(22, 0);
  big[5] = 32;
  CHECK_THROWS_AS(ReporterCode::from_data_symbols(big), std::invalid_argument);
}
