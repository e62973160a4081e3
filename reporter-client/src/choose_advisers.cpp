#include "choose_advisers.hpp"

#include <algorithm>

#include "deposits.hpp"
#include "meldpunt/client/terminal.hpp"
#include "meldpunt/client/text.hpp"

namespace meldpunt::reporter {
namespace {

using client::write_err;
using client::write_out;

constexpr int kQuestionTries = 3;

std::string_view label(Lang lang, const crypto::Category& c) { return lang == Lang::kNl ? c.label_nl : c.label_en; }

std::string adviser_label(Lang lang, const crypto::DirectoryEntry& e) {
  return client::terminal_safe_label(e.name) + " (" + std::string(role_text(lang, e.role)) + ")";
}

const std::string& description(Lang lang, const crypto::DirectoryEntry& e) {
  return lang == Lang::kNl ? e.description_nl : e.description_en;
}

bool there_for(const crypto::Coverage& c, const SignpostAnswers& a) {
  return !c.empty() && (!a.group || c.covers_group(*a.group)) && (!a.kind || c.covers_kind(*a.kind));
}

std::string reason(Lang lang, const crypto::Directory& directory, const crypto::Coverage& c,
                   const SignpostAnswers& a) {
  std::string out;
  if (a.group) {
    out = c.every_group ? std::string(text(lang, Msg::kSignpostReasonEveryone))
                        : format(lang, Msg::kSignpostReasonFor, {label(lang, directory.groups[*a.group])});
  }
  if (a.kind) {
    if (!out.empty()) out += "; ";
    out += c.every_kind ? std::string(text(lang, Msg::kSignpostReasonAnything))
                        : format(lang, Msg::kSignpostReasonAbout, {label(lang, directory.kinds[*a.kind])});
  }
  return client::terminal_safe_label(out);
}

// One numbered question; nullopt when skipped (Enter, or three answers that
// are not a number of the list).
Result<std::optional<std::size_t>> ask(Lang lang, Msg question, const std::vector<crypto::Category>& choices) {
  write_out(text(lang, question));
  for (std::size_t i = 0; i < choices.size(); ++i) {
    write_out("  [" + std::to_string(i + 1) + "] " + client::terminal_safe_label(label(lang, choices[i])) + "\n");
  }
  for (int attempt = 0; attempt < kQuestionTries; ++attempt) {
    auto line = client::read_line(text(lang, Msg::kSignpostPrompt), 64);
    if (!line) return line.error();
    std::string word(line->text());
    word.erase(0, word.find_first_not_of(" \t\r"));
    word.erase(word.find_last_not_of(" \t\r") + 1);
    if (word.empty()) return std::optional<std::size_t>{};
    if (word.size() <= 2 && std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      const std::size_t n = std::stoul(word);
      if (n >= 1 && n <= choices.size()) return std::optional<std::size_t>{n - 1};
    }
    write_err(text(lang, Msg::kSignpostNotAChoice));
  }
  return std::optional<std::size_t>{};
}

void show_entry(Lang lang, const crypto::Directory& directory, const ListedAdviser& listed) {
  const crypto::DirectoryEntry& e = directory.entries[listed.entry];
  write_out("  [" + std::to_string(listed.entry + 1) + "] " + adviser_label(lang, e) + "\n");
  if (!listed.reason.empty()) write_out("      " + listed.reason + "\n");
  if (!description(lang, e).empty()) write_out("      " + client::terminal_safe_label(description(lang, e)) + "\n");
}

void show_list(Lang lang, const crypto::Directory& directory, const SignpostAnswers& answers) {
  const std::vector<ListedAdviser> list = listed_advisers(lang, directory, answers);
  if (!answers.any()) {
    write_out(text(lang, Msg::kDirectoryHeading));
    for (const ListedAdviser& l : list) show_entry(lang, directory, l);
    return;
  }
  const auto first_other = std::find_if(list.begin(), list.end(), [](const ListedAdviser& l) { return l.reason.empty(); });
  write_out(text(lang, Msg::kSignpostMatchHeading));
  if (first_other == list.begin()) write_out("  " + std::string(text(lang, Msg::kSignpostNoMatch)));
  for (auto it = list.begin(); it != first_other; ++it) show_entry(lang, directory, *it);
  if (first_other != list.end()) write_out(text(lang, Msg::kSignpostOthersHeading));
  for (auto it = first_other; it != list.end(); ++it) show_entry(lang, directory, *it);
}

// An adviser named by its number in the directory or its 32-hex-digit id.
Result<crypto::AdviserId> resolve_adviser(Lang lang, const crypto::Directory& directory, std::string_view token) {
  if (!token.empty() && token.size() <= 3 &&
      std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    const std::size_t n = std::stoul(std::string(token));
    if (n >= 1 && n <= directory.entries.size()) return directory.entries[n - 1].id;
  } else {
    Bytes id;
    if (from_hex(token, id) && id.size() == crypto::kAdviserIdBytes) {
      crypto::AdviserId aid{};
      std::copy(id.begin(), id.end(), aid.begin());
      if (directory.find(aid) != nullptr) return aid;
    }
  }
  return Error{ErrorCode::kNotFound,
               format(lang, Msg::kNoSuchAdviser, {client::terminal_safe_label(token.substr(0, 40))})};
}

std::vector<std::string> split_choices(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (c == ',' || c == ' ' || c == '\t') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

}  // namespace

std::vector<ListedAdviser> listed_advisers(Lang lang, const crypto::Directory& directory,
                                           const SignpostAnswers& answers) {
  std::vector<ListedAdviser> first, rest;
  for (std::size_t i = 0; i < directory.entries.size(); ++i) {
    const crypto::Coverage& c = directory.entries[i].coverage;
    if (answers.any() && there_for(c, answers)) {
      first.push_back({i, reason(lang, directory, c, answers)});
    } else {
      rest.push_back({i, {}});
    }
  }
  first.insert(first.end(), rest.begin(), rest.end());
  return first;
}

Result<std::vector<crypto::AdviserId>> choose_advisers(Lang lang, const crypto::Directory& directory,
                                                       const std::vector<std::string>& to,
                                                       const std::vector<std::string>& exclude) {
  std::vector<std::string> picks;
  for (const std::string& t : to) {
    for (const std::string& p : split_choices(t)) picks.push_back(p);
  }
  SignpostAnswers answers;
  if (picks.empty() && directory.has_signpost() && client::stdin_is_terminal()) {
    write_out(text(lang, Msg::kSignpostPrivate));
    auto group = ask(lang, Msg::kSignpostWhere, directory.groups);
    if (!group) return group.error();
    answers.group = *group;
    auto kind = ask(lang, Msg::kSignpostWhat, directory.kinds);
    if (!kind) return kind.error();
    answers.kind = *kind;
  }
  show_list(lang, directory, answers);
  if (picks.empty()) {
    write_err(text(lang, Msg::kChooseHint));
    auto line = client::read_line(text(lang, Msg::kChoosePrompt));
    if (!line) return line.error();
    picks = split_choices(line->text());
  }
  std::vector<crypto::AdviserId> chosen;
  if (picks.empty()) {
    for (const crypto::DirectoryEntry& e : directory.entries) chosen.push_back(e.id);
  }
  for (const std::string& p : picks) {
    auto id = resolve_adviser(lang, directory, p);
    if (!id) return id.error();
    if (std::find(chosen.begin(), chosen.end(), *id) == chosen.end()) chosen.push_back(*id);
  }
  for (const std::string& t : exclude) {
    for (const std::string& p : split_choices(t)) {
      auto id = resolve_adviser(lang, directory, p);
      if (!id) return id.error();
      chosen.erase(std::remove(chosen.begin(), chosen.end(), *id), chosen.end());
    }
  }
  if (chosen.empty()) return Error{ErrorCode::kMalformed, std::string(text(lang, Msg::kNoAdviserLeft))};
  // Every deposit is padded to this many letters (deposits.hpp).
  if (chosen.size() > kMaxReaders) {
    return Error{ErrorCode::kMalformed, format(lang, Msg::kTooManyAdvisers, {std::to_string(kMaxReaders)})};
  }
  return chosen;
}

}  // namespace meldpunt::reporter
