#include "case_glance.hpp"

#include <algorithm>
#include <string_view>

#include "meldpunt/text/text_policy.hpp"

namespace meldpunt::adviser {
namespace {

constexpr std::string_view kCut = "\xE2\x80\xA6";  // "…"
constexpr std::uint8_t kReplacement = '?';

bool is_blank(std::uint8_t b) { return b == ' ' || b == '\t' || b == '\r'; }
bool is_continuation(std::uint8_t b) { return (b & 0xC0) == 0x80; }
std::uint8_t ascii_lower(std::uint8_t b) { return (b >= 'A' && b <= 'Z') ? static_cast<std::uint8_t>(b + 32) : b; }

void append_text(crypto::SecretBuffer& out, std::string_view text) { out.append(as_bytes(text)); }

// `text` without the blanks at either end.
ByteView trimmed(ByteView text) {
  std::size_t begin = 0, end = text.size();
  while (begin < end && is_blank(text[begin])) ++begin;
  while (end > begin && is_blank(text[end - 1])) --end;
  return text.subspan(begin, end - begin);
}

// The line of `text` that holds byte `at`: [begin, end) without its '\n'.
std::pair<std::size_t, std::size_t> line_around(ByteView text, std::size_t at) {
  std::size_t begin = at, end = at;
  while (begin > 0 && text[begin - 1] != '\n') --begin;
  while (end < text.size() && text[end] != '\n') ++end;
  return {begin, end};
}

}  // namespace

crypto::SecretBuffer safe_line(ByteView text, std::size_t columns) {
  columns = std::max<std::size_t>(columns, 2);
  // Every piece neutralise hands over is one column: a kept code point or
  // the replacement.
  std::vector<ByteView> pieces;
  const std::uint8_t replacement = kReplacement;
  bool cut = false;
  text::neutralise(text, text::Lines::kOne, ByteView(&replacement, 1), [&](ByteView piece) {
    if (pieces.size() <= columns) {
      pieces.push_back(piece);
    } else {
      cut = true;
    }
  });
  crypto::SecretBuffer out;
  if (pieces.size() > columns || cut) {
    pieces.resize(columns - 1);
    for (ByteView p : pieces) out.append(p);
    append_text(out, kCut);
    return out;
  }
  for (ByteView p : pieces) out.append(p);
  return out;
}

ByteView first_text_line(ByteView body) {
  std::size_t begin = 0;
  while (begin < body.size()) {
    std::size_t end = begin;
    while (end < body.size() && body[end] != '\n') ++end;
    const ByteView line = trimmed(body.subspan(begin, end - begin));
    if (!line.empty()) return line;
    begin = end + 1;
  }
  return {};
}

crypto::SecretBuffer first_line_preview(ByteView body, std::size_t columns) {
  const ByteView line = first_text_line(body);
  if (line.empty()) return {};
  return safe_line(line, columns);
}

std::optional<std::size_t> find_ignoring_ascii_case(ByteView text, ByteView needle, std::size_t from) {
  if (needle.empty() || needle.size() > text.size()) return std::nullopt;
  for (std::size_t i = from; i + needle.size() <= text.size(); ++i) {
    std::size_t j = 0;
    while (j < needle.size() && ascii_lower(text[i + j]) == ascii_lower(needle[j])) ++j;
    if (j == needle.size()) return i;
  }
  return std::nullopt;
}

crypto::SecretBuffer snippet_around(ByteView text, std::size_t at, std::size_t length, std::size_t columns) {
  columns = std::max<std::size_t>(columns, 8);
  at = std::min(at, text.size());
  length = std::min(length, text.size() - at);
  const auto [line_begin, line_end] = line_around(text, at);
  // Context in bytes on each side (a code point may take several: the cut
  // to `columns` below is what counts).
  const std::size_t context = columns > length ? (columns - length) / 2 : 0;
  std::size_t begin = at - std::min(context, at - line_begin);
  while (begin < at && is_continuation(text[begin])) ++begin;  // start on a whole character
  std::size_t end = std::min(line_end, std::max(at + length, std::min(line_end, at + length + context)));
  while (end < line_end && is_continuation(text[end])) ++end;
  crypto::SecretBuffer out;
  const bool cut_before = begin > line_begin;
  if (cut_before) append_text(out, kCut);
  const crypto::SecretBuffer middle =
      safe_line(trimmed(text.subspan(begin, end - begin)), cut_before ? columns - 1 : columns);
  out.append(middle.view());
  const bool already_cut = middle.size() >= kCut.size() &&
                           std::equal(kCut.begin(), kCut.end(), middle.data() + middle.size() - kCut.size());
  if (end < line_end && !already_cut) append_text(out, kCut);
  return out;
}

crypto::SecretBuffer glance_table(const std::vector<CaseGlance>& cases, const Settings& settings, std::uint64_t now,
                                  std::size_t columns, Lang lang) {
  crypto::SecretBuffer out;
  if (cases.empty()) {
    append_text(out, say(lang, Say::kNoCasesYet));
    return out;
  }
  const std::size_t room = std::max(kMinGlanceColumns, columns > kCaseTableIndent ? columns - kCaseTableIndent : 0);
  append_text(out, case_table_heading(lang));
  for (const CaseGlance& g : cases) {
    append_text(out, case_table_row(g.record, settings, now, lang));
    crypto::SecretBuffer line;
    if (g.label) {
      append_text(line, "[");
      const crypto::SecretBuffer label = safe_line(g.label->view(), room - 2);
      line.append(label.view());
      append_text(line, "] ");
    }
    std::size_t used = 0;  // columns of the label part
    text::neutralise(line.view(), text::Lines::kOne, as_bytes(std::string_view("?")), [&](ByteView) { ++used; });
    const std::size_t left = room > used ? room - used : 0;
    if (g.has_message && left >= 8) {
      if (!g.first_line.empty()) {
        // Quoted: the reporter's words, never mistaken for a case id or a label.
        const crypto::SecretBuffer preview = first_line_preview(g.first_line.view(), left - 2);
        append_text(line, "\"");
        line.append(preview.view());
        append_text(line, "\"");
      } else if (g.files > 0) {
        append_text(line, "(attachments only: " + std::to_string(g.files) + (g.files == 1 ? " file)" : " files)"));
      } else {
        append_text(line, "(no text)");
      }
    }
    if (line.empty()) continue;
    append_text(out, std::string(kCaseTableIndent, ' '));
    out.append(line.view());
    append_text(out, "\n");
  }
  return out;
}

}  // namespace meldpunt::adviser
