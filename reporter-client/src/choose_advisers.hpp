// The reporter's choice of readers in `new`: the directory's list, guided by
// the organisation's signpost when the directory has one (version 3).
//
// On a terminal, before the list, two questions: "Where do you work?" (the
// directory's groups) and "What is it about?" (its kinds), numbered, in the
// reporter's language, each skippable with Enter. The list then shows first
// the advisers there for that combination, each with the reason, then
// everyone else; any adviser can still be picked. The numbers are always
// the directory's own order, so --to, --exclude and what a reporter types
// mean the same adviser whether or not the questions were answered.
//
// The answers live only in this process: they order the list and are not
// sent, logged or put in any letter. Without a signpost, with --to, or with
// stdin not a terminal (a script), the questions are not asked and the list
// is the plain one.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "texts.hpp"

namespace meldpunt::reporter {

// The signpost answers: indexes into Directory::groups and ::kinds.
struct SignpostAnswers {
  std::optional<std::size_t> group;
  std::optional<std::size_t> kind;
  bool any() const { return group.has_value() || kind.has_value(); }
};

struct ListedAdviser {
  std::size_t entry = 0;  // index into Directory::entries (shown as entry + 1)
  std::string reason;     // why it is there for the answers; empty: not there for them
};

// The list in the order it is shown. With no answer: the directory's order,
// no reasons. Otherwise those whose coverage includes the answered group
// (kind) first, in directory order, each with its reason ("for: Civil
// service; about: Unwanted behaviour", "for: everyone; ..."), then the rest.
std::vector<ListedAdviser> listed_advisers(Lang lang, const crypto::Directory& directory,
                                           const SignpostAnswers& answers);

// Asks the signpost questions (when they apply, see above), shows the list,
// and reads the choice: `to` (numbers or ids; none: asked, Enter = all),
// less `exclude`. kNotFound for an unknown adviser, kMalformed when none is
// left; the end of input at a prompt is the read's error.
Result<std::vector<crypto::AdviserId>> choose_advisers(Lang lang, const crypto::Directory& directory,
                                                       const std::vector<std::string>& to,
                                                       const std::vector<std::string>& exclude);

}  // namespace meldpunt::reporter
