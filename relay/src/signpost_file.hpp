// The administrator's signpost file: the groups of people and kinds of
// report the organisation defines, and whom and what each adviser is there
// for. `relay directory sign --signpost FILE` writes it into the signed
// directory (version 3); `relay directory check` shows its coverage.
//
// Plain text, UTF-8, one statement a line, fields separated by '|'
// (docs/OPERATIONS.md has a worked example):
//
//   # a comment; blank lines are ignored
//   group   ID | Dutch label | English label
//   kind    ID | Dutch label | English label
//   adviser NAME or 32-hex-digit ID | GROUP IDS or * | KIND IDS or *
//
// Groups and kinds are listed to reporters in the file's order. An adviser
// line covers every combination of its groups and kinds; '*' covers every
// group (kind), also ones added later. An adviser is named by the name on
// its card (exactly) or by its id; each at most once. Advisers without a
// line are listed to reporters after those with one.
#pragma once

#include <cstddef>
#include <string_view>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/directory.hpp"

namespace meldpunt::relay {

// The largest signpost file read (a building's worth with room to spare).
inline constexpr std::size_t kMaxSignpostFileBytes = 64 * 1024;

// Sets directory.groups, directory.kinds and every entry's coverage from
// `text`. kMalformed naming the line (from 1) and the fault: an unknown
// statement, a missing field, an invalid id or label (crypto::check_category),
// an id defined twice, an adviser or a group or kind that is not there, an
// adviser named twice or by a name two cards share, a file with adviser
// lines but no groups or kinds; kTooLarge beyond kMaxSignpostFileBytes.
// On error the directory is unchanged.
Status apply_signpost_file(std::string_view text, crypto::Directory& directory);

}  // namespace meldpunt::relay
