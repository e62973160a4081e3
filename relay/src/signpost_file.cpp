#include "signpost_file.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "meldpunt/common/bytes.hpp"

namespace meldpunt::relay {
namespace {

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char separator) {
  std::vector<std::string_view> out;
  for (;;) {
    const std::size_t at = s.find(separator);
    out.push_back(trim(s.substr(0, at)));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

// Ids separated by spaces or commas.
std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::string current;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == ',') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

Error at_line(std::size_t line, const std::string& what) {
  return Error{ErrorCode::kMalformed, "signpost file, line " + std::to_string(line) + ": " + what};
}

// An id from the administrator's own file, shown back only when it is a
// valid id (never raw bytes on the terminal).
std::string shown_id(const std::string& id) { return crypto::category_id_valid(id) ? "'" + id + "'" : "an invalid id"; }

struct AdviserLine {
  std::size_t line = 0;
  std::string_view who;
  std::string_view groups, kinds;
};

// Bits of `ids` in `list`, or '*' for every one.
Status resolve(std::size_t line, std::string_view field, const std::vector<crypto::Category>& list,
               std::string_view what, bool& every, std::uint32_t& bits) {
  every = false;
  bits = 0;
  const std::vector<std::string> ids = words(field);
  if (ids.empty()) return at_line(line, "no " + std::string(what) + " given (use * for every " + std::string(what) + ")");
  if (ids.size() == 1 && ids[0] == "*") {
    every = true;
    return Status::success();
  }
  for (const std::string& id : ids) {
    auto it = std::find_if(list.begin(), list.end(), [&](const crypto::Category& c) { return c.id == id; });
    if (it == list.end()) return at_line(line, "no " + std::string(what) + " " + shown_id(id) + " is defined");
    bits |= std::uint32_t{1} << static_cast<std::size_t>(it - list.begin());
  }
  return Status::success();
}

Result<std::size_t> find_adviser(std::size_t line, std::string_view who, const crypto::Directory& directory) {
  Bytes id;
  if (who.size() == 2 * crypto::kAdviserIdBytes && from_hex(who, id)) {
    for (std::size_t i = 0; i < directory.entries.size(); ++i) {
      if (std::equal(id.begin(), id.end(), directory.entries[i].id.begin())) return i;
    }
    return at_line(line, "no adviser card has id " + std::string(who));
  }
  std::optional<std::size_t> found;
  for (std::size_t i = 0; i < directory.entries.size(); ++i) {
    if (directory.entries[i].name != who) continue;
    if (found) return at_line(line, "two adviser cards have this name; name the adviser by id instead");
    found = i;
  }
  if (!found) return at_line(line, "no adviser card has this name (names must match exactly; or give the id)");
  return *found;
}

}  // namespace

Status apply_signpost_file(std::string_view text, crypto::Directory& directory) {
  if (text.size() > kMaxSignpostFileBytes) {
    return Error{ErrorCode::kTooLarge, "signpost file is larger than 64 KiB"};
  }
  std::vector<crypto::Category> groups, kinds;
  std::vector<AdviserLine> advisers;
  std::size_t line_number = 0;
  for (std::string_view rest = text; !rest.empty();) {
    const std::size_t end = rest.find('\n');
    const std::string_view line = trim(rest.substr(0, end));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    const std::size_t space = line.find_first_of(" \t");
    const std::string_view keyword = line.substr(0, space);
    const std::vector<std::string_view> fields =
        split(space == std::string_view::npos ? std::string_view{} : line.substr(space + 1), '|');
    if (keyword == "group" || keyword == "kind") {
      if (fields.size() != 3) return at_line(line_number, "expected " + std::string(keyword) + " ID | Dutch label | English label");
      crypto::Category c{std::string(fields[0]), std::string(fields[1]), std::string(fields[2])};
      if (Status ok = crypto::check_category(c); !ok) return at_line(line_number, ok.error().message);
      auto& list = keyword == "group" ? groups : kinds;
      for (const crypto::Category& other : list) {
        if (other.id == c.id) return at_line(line_number, std::string(keyword) + " " + shown_id(c.id) + " is defined twice");
      }
      if (list.size() == crypto::kMaxSignpostCategories) {
        return at_line(line_number, "more than 32 " + std::string(keyword) + "s");
      }
      list.push_back(std::move(c));
    } else if (keyword == "adviser") {
      if (fields.size() != 3) return at_line(line_number, "expected adviser NAME or ID | GROUP IDS | KIND IDS");
      advisers.push_back({line_number, fields[0], fields[1], fields[2]});
    } else {
      return at_line(line_number, "expected a line starting with group, kind or adviser (or # for a comment)");
    }
  }
  if (groups.empty() != kinds.empty() || (!advisers.empty() && groups.empty())) {
    return Error{ErrorCode::kMalformed, "signpost file: define at least one group and one kind"};
  }
  std::vector<crypto::Coverage> coverage(directory.entries.size());
  std::vector<bool> named(directory.entries.size(), false);
  for (const AdviserLine& a : advisers) {
    auto index = find_adviser(a.line, a.who, directory);
    if (!index) return index.error();
    if (named[*index]) return at_line(a.line, "this adviser already has a line");
    named[*index] = true;
    crypto::Coverage& c = coverage[*index];
    if (Status s = resolve(a.line, a.groups, groups, "group", c.every_group, c.groups); !s) return s;
    if (Status s = resolve(a.line, a.kinds, kinds, "kind", c.every_kind, c.kinds); !s) return s;
  }
  directory.groups = std::move(groups);
  directory.kinds = std::move(kinds);
  for (std::size_t i = 0; i < coverage.size(); ++i) directory.entries[i].coverage = coverage[i];
  return Status::success();
}

}  // namespace meldpunt::relay
