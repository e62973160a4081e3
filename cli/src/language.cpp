#include "meldpunt/cli/language.hpp"

#include <cstdlib>
#include <vector>

namespace meldpunt::cli {
namespace {

bool starts_with_nl(const char* value) {
  return value != nullptr && value[0] == 'n' && value[1] == 'l' &&
         (value[2] == '\0' || value[2] == '_' || value[2] == '.' || value[2] == '@');
}

}  // namespace

std::string_view pick(Lang lang, const Text& text) { return lang == Lang::kNl ? text.nl : text.en; }

std::string_view pick(Lang lang, const Count& count, std::uint64_t n) {
  if (lang == Lang::kNl) return n == 1 ? count.nl_one : count.nl_other;
  return n == 1 ? count.en_one : count.en_other;
}

std::string fill(std::string_view t, std::initializer_list<std::string_view> args) {
  std::string out;
  out.reserve(t.size() + 32);
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '{' && i + 2 < t.size() && t[i + 1] >= '1' && t[i + 1] <= '9' && t[i + 2] == '}') {
      const auto n = static_cast<std::size_t>(t[i + 1] - '1');
      if (n < args.size()) out.append(*(args.begin() + n));
      i += 2;
    } else {
      out.push_back(t[i]);
    }
  }
  return out;
}

std::string count_text(Lang lang, const Count& count, std::uint64_t n, std::initializer_list<std::string_view> more) {
  const std::string number = std::to_string(n);
  std::vector<std::string_view> args{number};
  args.insert(args.end(), more.begin(), more.end());
  // fill takes an initializer_list; at most nine placeholders exist.
  std::string_view a[9];
  for (std::size_t i = 0; i < args.size() && i < 9; ++i) a[i] = args[i];
  return fill(pick(lang, count, n), {a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]});
}

Lang language_from_locale(const char* lc_all, const char* lc_messages, const char* lang) {
  for (const char* v : {lc_all, lc_messages, lang}) {
    if (v != nullptr && v[0] != '\0') return starts_with_nl(v) ? Lang::kNl : Lang::kEn;
  }
  return Lang::kEn;
}

Lang language_from_environment() {
  return language_from_locale(std::getenv("LC_ALL"), std::getenv("LC_MESSAGES"), std::getenv("LANG"));
}

Lang language_from_args(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    std::string_view v;
    if (a == "--lang" && i + 1 < argc) v = argv[i + 1];
    if (a.substr(0, 7) == "--lang=") v = a.substr(7);
    if (v == "nl") return Lang::kNl;
    if (v == "en") return Lang::kEn;
  }
  return language_from_environment();
}

}  // namespace meldpunt::cli
