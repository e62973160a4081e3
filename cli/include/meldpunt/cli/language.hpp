// The language a program speaks, and the pieces every text table of the
// project is built from: one sentence in English and Dutch, a count with
// its singular and plural in both, and {1}, {2}, ... placeholders.
//
// Selection (the same in every program): --lang en|nl on the command line;
// without it nl* in the first non-empty of LC_ALL, LC_MESSAGES, LANG (the
// POSIX order) -> Dutch; anything else (including unset) -> English.
//
// A program keeps its own texts in tables of Text and Count rows keyed by an
// enum (reporter-client/src/texts*.cpp, adviser-client/src/commands/texts*.cpp);
// which text is shown is decided by what happened (an enum, an ErrorCode and
// ErrorSubject), never by searching a message's words.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace meldpunt::cli {

enum class Lang { kEn, kNl };

// One sentence in both languages.
struct Text {
  std::string_view en;
  std::string_view nl;
};

// A sentence about a number, with real singular and plural forms: `one` for
// exactly 1, `other` for every other number (0 too), which is the rule of
// both English and Dutch. The number is {1}; further arguments are {2}, ...
struct Count {
  std::string_view en_one;
  std::string_view en_other;
  std::string_view nl_one;
  std::string_view nl_other;
};

std::string_view pick(Lang lang, const Text& text);

// The form of `count` for `n`, before its placeholders are filled.
std::string_view pick(Lang lang, const Count& count, std::uint64_t n);

// `pattern` with {1}..{9} replaced by args in order; a placeholder without
// an argument is dropped, other braces are kept.
std::string fill(std::string_view pattern, std::initializer_list<std::string_view> args);

// pick(lang, count, n) with {1} = n and {2}, ... = more.
std::string count_text(Lang lang, const Count& count, std::uint64_t n,
                       std::initializer_list<std::string_view> more = {});

Lang language_from_locale(const char* lc_all, const char* lc_messages, const char* lang);
Lang language_from_environment();

// --lang en|nl (or --lang=en|nl) anywhere in argv, read before CLI11 builds
// the help texts so that --help is in that language too; otherwise
// language_from_environment(). CLI11 still checks the option's value.
Lang language_from_args(int argc, const char* const* argv);

}  // namespace meldpunt::cli
