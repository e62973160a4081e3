// What `cases` and `search` show of a case's text at a glance: the first
// line of its first message, the adviser's private label, and a snippet
// around a search match. The text comes from anonymous reporters: every
// piece shown passes the one-line "shown" rule of the text policy
// (meldpunt/text/text_policy.hpp: no control character, no escape
// sequence, no bidi or invisible character) and is cut to a width, so one
// line of the list stays one line on the terminal. Everything is built in
// crypto::SecretBuffer (wiped after use); nothing here touches the disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "case_model.hpp"
#include "casework.hpp"
#include "meldpunt/common/bytes.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::adviser {

// Columns a preview or snippet takes at most when the terminal's width is
// unknown, and the narrowest one that is still worth showing.
inline constexpr std::size_t kDefaultGlanceColumns = 100;
inline constexpr std::size_t kMinGlanceColumns = 20;

// `text` made one safe line: the shown rule's replacement for every
// neutralised code point and invalid byte ('?'), and at most `columns` code
// points, the last one "…" where the text was cut (columns >= 2). Columns
// are counted as code points: a double-width character may take two.
crypto::SecretBuffer safe_line(ByteView text, std::size_t columns);

// The first line of `body` that holds more than white space, without the
// white space around it, as stored (a view into body); empty if none.
ByteView first_text_line(ByteView body);
// That line as safe_line; empty if there is none.
crypto::SecretBuffer first_line_preview(ByteView body, std::size_t columns);

// Where `needle` (not empty) occurs in `text` at or after `from`, comparing
// ASCII letters without regard to case and every other byte exactly;
// nullopt if nowhere.
std::optional<std::size_t> find_ignoring_ascii_case(ByteView text, ByteView needle, std::size_t from = 0);

// The part of the line of `text` that holds the match [at, at + length),
// with context on both sides, as safe_line of at most `columns` code
// points; "…" shows where the line goes on.
crypto::SecretBuffer snippet_around(ByteView text, std::size_t at, std::size_t length, std::size_t columns);

// A case as `cases` lists it: its record, its label and how its first
// message begins.
struct CaseGlance {
  CaseRecord record;
  std::optional<crypto::SecretBuffer> label;
  // The first message's first line as stored (not yet made safe); empty
  // when the message has no text.
  crypto::SecretBuffer first_line;
  bool has_message = false;     // the case holds a first message
  std::size_t files = 0;        // files in the case (said when the message has no text)
};

// The case table (casework.hpp's columns) with a second line under each
// case that has a label or a first message: [label] "first line…", cut to
// `columns`; "(attachments only: N files)" for a first message without
// text. The cases are shown in the order given.
crypto::SecretBuffer glance_table(const std::vector<CaseGlance>& cases, const Settings& settings,
                                  std::uint64_t now, std::size_t columns, Lang lang = Lang::kEn);

}  // namespace meldpunt::adviser
