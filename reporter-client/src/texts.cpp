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
  return cli::fill(text(lang, key), args);
}

std::string english_detail(Lang lang, std::string_view detail) {
  return lang == Lang::kEn ? " (" + std::string(detail) + ")" : std::string();
}

Lang language_from_locale(const char* lc_all, const char* lc_messages, const char* lang) {
  return cli::language_from_locale(lc_all, lc_messages, lang);
}

Lang language_from_environment() { return cli::language_from_environment(); }

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
