// The one text policy (text/include/meldpunt/text/text_policy.hpp): strict
// UTF-8 at every boundary, each class of neutralised code points, and the
// rules built on them. The rules replaced four checkers; the tests at the end
// compare the policy with copies of those checkers, so no text that passed
// one of them before is treated differently now.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "meldpunt/text/text_policy.hpp"
#include "utf8_test_encoder.hpp"

using namespace meldpunt;
using namespace std::string_literals;

namespace {

using test_support::encode_utf8_any;

std::string shown(std::string_view in, text::Lines lines) {
  std::string out;
  text::neutralise(as_bytes(in), lines, as_bytes("?"),
                   [&](ByteView piece) { out.append(reinterpret_cast<const char*>(piece.data()), piece.size()); });
  return out;
}

// ---- the checkers the policy replaced, as they were ----

// client::is_invisible_or_bidi (client/src/text.cpp).
bool old_invisible_or_bidi(std::uint32_t cp) {
  return cp == 0x00AD || cp == 0x034F || cp == 0x061C || cp == 0x115F || cp == 0x1160 || cp == 0x17B4 ||
         cp == 0x17B5 || (cp >= 0x180B && cp <= 0x180F) || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0x3164 ||
         (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF || cp == 0xFFA0 || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
         (cp >= 0x1D173 && cp <= 0x1D17A) || (cp >= 0xE0000 && cp <= 0xE0FFF) ||
         (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

// crypto::text_acceptable (crypto/src/directory.cpp), which decoded UTF-8 on
// its own.
bool old_directory_text(std::string_view text, bool allow_newline) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    std::uint32_t cp = 0;
    std::size_t len = 0;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
      cp = c & 0x1fu;
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      cp = c & 0x0fu;
      len = 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      cp = c & 0x07u;
      len = 4;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff))) return false;
    if (cp >= 0xd800 && cp <= 0xdfff) return false;
    const bool control = cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
    if (control && !(allow_newline && cp == '\n')) return false;
    if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) return false;
    i += len;
  }
  return true;
}

// reporter::has_control_character (reporter-client/src/attachments.cpp).
bool old_has_control(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < line.size()) {
      const auto next = static_cast<unsigned char>(line[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

// Random text biased towards the interesting bytes: controls, leads,
// continuations and pieces of the classes.
std::string random_text(std::mt19937& rng) {
  static const std::vector<std::string> pieces = {
      "a", " ", "\n", "\t", "\r", "\x1b", "\x7f", "\xc2\x85", "\xc2\x9b", "\xc2", "\x80", "\xbf", "\xe2\x80",
      "\xe2\x80\xae", "\xe2\x80\x8d", "\xe2\x80\x8f", "\xe2\x81\xa7", "\xe2\x80\xa8", "\xef\xbb\xbf", "\xf4\x8f\xbf\xbf",
      "\xf4\x90\x80\x80", "\xed\xa0\x80", "\xc0\xaf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf", "\xff", "\xf8", "\xc3\xa9",
      "\xd8\x9c", "\xef\xbf\xbe", "\xf3\xa0\x80\x81"};
  std::uniform_int_distribution<std::size_t> count(0, 12), pick(0, pieces.size() - 1), byte(0, 255), coin(0, 3);
  std::string out;
  for (std::size_t k = count(rng); k > 0; --k) {
    if (coin(rng) == 0) {
      out += static_cast<char>(byte(rng));
    } else {
      out += pieces[pick(rng)];
    }
  }
  return out;
}

}  // namespace

TEST_CASE("text: valid UTF-8 at the edges of every sequence length", "[text]") {
  for (const std::uint32_t cp : {0x00u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xD7FFu, 0xE000u, 0xFFFDu, 0xFFFFu, 0x10000u,
                                 0x10FFFFu}) {
    INFO(cp);
    const std::string s = encode_utf8_any(cp);
    CHECK(text::is_valid_utf8(s));
    std::uint32_t decoded = 0xFFFFFFFF;
    CHECK(text::utf8_sequence(as_bytes(s), 0, decoded) == s.size());
    CHECK(decoded == cp);
  }
  CHECK(text::is_valid_utf8(""s));
  CHECK(text::is_valid_utf8("Zo\xc3\xab \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x99\x82"s));
}

TEST_CASE("text: overlong forms are refused", "[text]") {
  // The shortest overlong and the longest overlong of each length: NUL and
  // '/' (C0 80, C0 AF) are the classic disguises.
  for (const std::string& overlong : {"\xc0\x80"s, "\xc0\xaf"s, "\xc1\xbf"s, "\xe0\x80\x80"s, "\xe0\x80\xaf"s,
                                      "\xe0\x9f\xbf"s, "\xf0\x80\x80\x80"s, "\xf0\x80\x80\xaf"s, "\xf0\x8f\xbf\xbf"s}) {
    CHECK_FALSE(text::is_valid_utf8(overlong));
    std::uint32_t cp = 12345;
    CHECK(text::utf8_sequence(as_bytes(overlong), 0, cp) == 0);
    CHECK(cp == 12345);  // left unchanged
  }
}

TEST_CASE("text: surrogates and code points above U+10FFFF are refused", "[text]") {
  CHECK_FALSE(text::is_valid_utf8(encode_utf8_any(0xD800)));
  // A UTF-16 pair written as UTF-8 (CESU-8).
  CHECK_FALSE(text::is_valid_utf8(encode_utf8_any(0xDBFF) + encode_utf8_any(0xDC00)));
  CHECK_FALSE(text::is_valid_utf8(encode_utf8_any(0xDFFF)));
  CHECK_FALSE(text::is_valid_utf8(encode_utf8_any(0x110000)));
  CHECK_FALSE(text::is_valid_utf8(encode_utf8_any(0x1FFFFF)));
  for (int lead = 0xF5; lead <= 0xFF; ++lead) {
    CHECK_FALSE(text::is_valid_utf8(std::string(1, static_cast<char>(lead)) + "\x80\x80\x80"));
  }
}

TEST_CASE("text: cut and stray sequences are refused", "[text]") {
  for (const std::string& bad : {"\x80"s, "a\xbf"s, "\xc3"s, "\xe2\x82"s, "\xf0\x9f\x99"s, "\xc3\x41"s,
                                 "\xe2\x28\xa1"s, "\xf0\x9f\x99\xc0"s, "ok\xc3"s}) {
    CHECK_FALSE(text::is_valid_utf8(bad));
  }
}

TEST_CASE("text: each class of code points, at its boundaries", "[text]") {
  // control
  CHECK(text::is_control(0x00));
  CHECK(text::is_control('\n'));
  CHECK(text::is_control(0x1B));
  CHECK(text::is_control(0x1F));
  CHECK_FALSE(text::is_control(0x20));
  CHECK_FALSE(text::is_control(0x7E));
  CHECK(text::is_control(0x7F));
  CHECK(text::is_control(0x80));
  CHECK(text::is_control(0x9B));
  CHECK(text::is_control(0x9F));
  CHECK_FALSE(text::is_control(0xA0));
  // bidi, and its override/isolate subset
  for (const std::uint32_t cp : {0x061Cu, 0x200Eu, 0x200Fu, 0x202Au, 0x202Eu, 0x2066u, 0x2069u}) {
    INFO(cp);
    CHECK(text::is_bidi(cp));
  }
  for (const std::uint32_t cp : {0x061Bu, 0x200Du, 0x2029u, 0x202Fu, 0x2065u, 0x206Au}) {
    INFO(cp);
    CHECK_FALSE(text::is_bidi(cp));
  }
  CHECK(text::is_bidi_override_or_isolate(0x202A));
  CHECK(text::is_bidi_override_or_isolate(0x202E));
  CHECK(text::is_bidi_override_or_isolate(0x2066));
  CHECK(text::is_bidi_override_or_isolate(0x2069));
  CHECK_FALSE(text::is_bidi_override_or_isolate(0x200F));
  CHECK_FALSE(text::is_bidi_override_or_isolate(0x061C));
  // line separators
  CHECK(text::is_line_separator(0x2028));
  CHECK(text::is_line_separator(0x2029));
  CHECK_FALSE(text::is_line_separator(0x2027));
  CHECK_FALSE(text::is_line_separator(0x202A));
  CHECK_FALSE(text::is_line_separator('\n'));
  // invisible
  for (const std::uint32_t cp : {0x00ADu, 0x200Bu, 0x200Cu, 0x200Du, 0x2060u, 0x2065u, 0x206Au, 0x206Fu, 0xFE00u,
                                 0xFE0Fu, 0xFEFFu, 0x3164u, 0xE0001u, 0xE0FFFu}) {
    INFO(cp);
    CHECK(text::is_invisible(cp));
  }
  for (const std::uint32_t cp : {0x00ACu, 0x200Au, 0x200Eu, 0x2066u, 0xFE10u, 0xFEFEu, 0xDFFFFu, 0xE1000u}) {
    INFO(cp);
    CHECK_FALSE(text::is_invisible(cp));
  }
  // noncharacters
  for (const std::uint32_t cp : {0xFDD0u, 0xFDEFu, 0xFFFEu, 0xFFFFu, 0x1FFFEu, 0x10FFFFu}) {
    INFO(cp);
    CHECK(text::is_noncharacter(cp));
  }
  for (const std::uint32_t cp : {0xFDCFu, 0xFDF0u, 0xFFFDu, 0x10000u, 0x10FFFDu}) {
    INFO(cp);
    CHECK_FALSE(text::is_noncharacter(cp));
  }
  // space separators other than ' '
  for (const std::uint32_t cp : {0x00A0u, 0x1680u, 0x2000u, 0x200Au, 0x202Fu, 0x205Fu, 0x3000u}) {
    INFO(cp);
    CHECK(text::is_space_separator(cp));
  }
  for (const std::uint32_t cp : {0x20u, 0x1FFFu, 0x200Bu, 0x2028u, 0x3001u}) {
    INFO(cp);
    CHECK_FALSE(text::is_space_separator(cp));
  }
}

TEST_CASE("text: the neutralised classes are exactly the list both clients used", "[text]") {
  for (std::uint32_t cp = 0; cp <= text::kMaxCodePoint; ++cp) {
    if (text::is_invisible_or_bidi(cp) != old_invisible_or_bidi(cp)) FAIL("code point " << cp);
  }
}

TEST_CASE("text: shown text has every neutralised class and invalid byte replaced", "[text]") {
  using text::Lines;
  CHECK(shown("plain caf\xc3\xa9", Lines::kOne) == "plain caf\xc3\xa9");
  CHECK(shown("a\nb\tc\rd\x1b[2Je", Lines::kMany) == "a\nb\tc?d?[2Je");
  CHECK(shown("a\nb\tc", Lines::kOne) == "a?b?c");
  CHECK(shown("csi\xc2\x9b" "2J del\x7f", Lines::kMany) == "csi?2J del?");
  CHECK(shown("invoice\xe2\x80\xae" "fdp.exe", Lines::kOne) == "invoice?fdp.exe");  // bidi override
  CHECK(shown("a\xd8\x9c" "b\xe2\x80\x8f" "c", Lines::kOne) == "a?b?c");            // ALM, RLM
  CHECK(shown("line\xe2\x80\xa8" "para\xe2\x80\xa9", Lines::kMany) == "line?para?");
  CHECK(shown("zero\xe2\x80\x8bwidth\xef\xbb\xbf", Lines::kOne) == "zero?width?");
  CHECK(shown("tag\xf3\xa0\x80\x81", Lines::kOne) == "tag?");
  CHECK(shown("non\xef\xbf\xbe", Lines::kOne) == "non?");
  // Every invalid byte on its own: the length of what was hidden shows.
  CHECK(shown("\xc0\xaf" "x\xed\xa0\x80", Lines::kOne) == "??x???");
  CHECK(shown("nbsp\xc2\xa0ok", Lines::kOne) == "nbsp\xc2\xa0ok");  // spaces are not neutralised
}

TEST_CASE("text: the label rule refuses what shown text would replace", "[text]") {
  CHECK(text::is_clean_label("Anna de Vries"s));
  CHECK(text::is_clean_label("Zo\xc3\xab M\xc3\xbcller"s));
  for (const std::string& bad : {"two\nlines"s, "tab\there"s, "esc\x1b"s, "rlo\xe2\x80\xae"s, "zwj\xe2\x80\x8d"s,
                                 "lrm\xe2\x80\x8e"s, "ls\xe2\x80\xa8"s, "bad\xc3"s, "nc\xef\xbf\xbf"s}) {
    CHECK_FALSE(text::is_clean_label(bad));
  }
}

TEST_CASE("text: the directory rule refuses controls and overrides, keeps what signed directories hold",
          "[text]") {
  using text::Lines;
  CHECK(text::is_directory_text("Anna"s, Lines::kOne));
  CHECK(text::is_directory_text("first line\nsecond"s, Lines::kMany));
  CHECK_FALSE(text::is_directory_text("first line\nsecond"s, Lines::kOne));
  CHECK_FALSE(text::is_directory_text("tab\tin description"s, Lines::kMany));
  CHECK_FALSE(text::is_directory_text("cr\r"s, Lines::kMany));
  CHECK_FALSE(text::is_directory_text("c1\xc2\x85"s, Lines::kMany));
  CHECK_FALSE(text::is_directory_text("rlo\xe2\x80\xae"s, Lines::kOne));
  CHECK_FALSE(text::is_directory_text("fsi\xe2\x81\xa8"s, Lines::kOne));
  CHECK_FALSE(text::is_directory_text("bad\xc0\xaf"s, Lines::kOne));
  // Joiners and marks belong in names (Persian, Indic scripts): they verify,
  // and are neutralised when shown.
  CHECK(text::is_directory_text("\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xb1\xd9\x88\xd9\x85"s, Lines::kOne));  // ZWNJ
  CHECK(text::is_directory_text("rlm\xe2\x80\x8f"s, Lines::kOne));
}

TEST_CASE("text: a typed line holds a control, also amid bytes that are not UTF-8", "[text]") {
  CHECK(text::has_control("a\tb"s));
  CHECK(text::has_control("nul\0"s));
  CHECK(text::has_control("csi\xc2\x9b"s));
  CHECK(text::has_control("\xe2\xc2\x85"s));  // a cut sequence before a C1 control
  CHECK(text::has_control("\xff\x1b"s));
  CHECK_FALSE(text::has_control("caf\xe9 latin1.txt"s));
  CHECK_FALSE(text::has_control("\xc2\xa0nbsp"s));
  CHECK_FALSE(text::has_control("\xe2\x80\xae"s));  // bidi is not a control: the path may name such a file
}

TEST_CASE("text: the rules agree with the checkers they replaced", "[text]") {
  std::mt19937 rng(20261206);
  for (int k = 0; k < 50000; ++k) {
    const std::string s = random_text(rng);
    INFO(shown(s, text::Lines::kMany));
    REQUIRE(text::is_directory_text(s, text::Lines::kOne) == old_directory_text(s, false));
    REQUIRE(text::is_directory_text(s, text::Lines::kMany) == old_directory_text(s, true));
    REQUIRE(text::has_control(s) == old_has_control(s));
    // The label rule is the strictest of the one-line rules.
    if (text::is_clean_label(s)) REQUIRE(text::is_directory_text(s, text::Lines::kOne));
    if (text::is_directory_text(s, text::Lines::kMany)) REQUIRE(text::is_valid_utf8(s));
    // What is shown is valid UTF-8 and shown again unchanged.
    const std::string once = shown(s, text::Lines::kMany);
    REQUIRE(text::is_valid_utf8(once));
    REQUIRE(shown(once, text::Lines::kMany) == once);
  }
}
