// The reporter's text table put together from its parts, and the language
// chosen from the environment.
#include "texts.hpp"

#include "texts_parts.hpp"

#include <array>
#include <cstdlib>

namespace meldpunt::reporter {
namespace {

// The parts in Msg order, end to end; each part is consecutive within
// itself (checked where it is defined), so the table is in order when every
// part starts where the previous one ended and the last ends at kCount.
struct Table {
  std::array<TextEntry, static_cast<std::size_t>(Msg::kCount)> rows{};
};

const Table& table() {
  static const Table assembled = [] {
    Table t;
    std::size_t next = 0;
    for (const auto& part : {texts_detail::command_line_texts(), texts_detail::conversation_texts(),
                             texts_detail::errors_texts(), texts_detail::attachments_texts()}) {
      for (const TextEntry& e : part) {
        // A gap or a repeat between parts is a programming error found by
        // the first run of any test; never a user's.
        if (static_cast<std::size_t>(e.key) != next) std::abort();
        t.rows[next++] = e;
      }
    }
    if (next != t.rows.size()) std::abort();
    return t;
  }();
  return assembled;
}

bool starts_with_nl(const char* value) {
  return value != nullptr && value[0] == 'n' && value[1] == 'l' &&
         (value[2] == '\0' || value[2] == '_' || value[2] == '.' || value[2] == '@');
}

}  // namespace

const TextEntry* text_table(std::size_t& count) {
  count = table().rows.size();
  return table().rows.data();
}

std::string_view text(Lang lang, Msg key) {
  const TextEntry& e = table().rows[static_cast<std::size_t>(key)];
  return lang == Lang::kNl ? e.nl : e.en;
}

std::string format(Lang lang, Msg key, std::initializer_list<std::string_view> args) {
  const std::string_view t = text(lang, key);
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

Lang language_from_locale(const char* lc_all, const char* lc_messages, const char* lang) {
  for (const char* v : {lc_all, lc_messages, lang}) {
    if (v != nullptr && v[0] != '\0') return starts_with_nl(v) ? Lang::kNl : Lang::kEn;
  }
  return Lang::kEn;
}

Lang language_from_environment() {
  return language_from_locale(std::getenv("LC_ALL"), std::getenv("LC_MESSAGES"), std::getenv("LANG"));
}

std::string_view role_text(Lang lang, crypto::Role role) {
  switch (role) {
    case crypto::Role::kInternalConfidentialAdviser: return text(lang, Msg::kRoleInternal);
    case crypto::Role::kExternalConfidentialAdviser: return text(lang, Msg::kRoleExternal);
    case crypto::Role::kComplaintsCommittee: return text(lang, Msg::kRoleCommittee);
    case crypto::Role::kIntegrityOfficer: return text(lang, Msg::kRoleIntegrity);
  }
  return text(lang, Msg::kRoleInternal);
}

}  // namespace meldpunt::reporter
