#include "meldpunt/client/text.hpp"

#include "meldpunt/text/text_policy.hpp"

namespace meldpunt::client {

namespace {

// What a neutralised character or invalid byte is shown as.
const ByteView kReplacement = as_bytes("?");

// Conservative display width: never less than a terminal shows.
std::size_t columns_of(std::uint32_t cp) { return cp >= 0x1100 ? 2 : 1; }

}  // namespace

crypto::SecretBuffer terminal_safe(ByteView text, bool keep_newlines) {
  crypto::SecretBuffer out;
  text::neutralise(text, keep_newlines ? text::Lines::kMany : text::Lines::kOne, kReplacement,
                   [&](ByteView piece) { out.append(piece); });
  return out;
}

std::string terminal_safe_label(std::string_view text) {
  std::string out;
  text::neutralise(as_bytes(text), text::Lines::kOne, kReplacement,
                   [&](ByteView piece) { out.append(reinterpret_cast<const char*>(piece.data()), piece.size()); });
  return out;
}

crypto::SecretBuffer body_block(ByteView body) {
  const crypto::SecretBuffer safe = terminal_safe(body);
  const ByteView text = safe.view();
  static constexpr std::uint8_t kNewline = '\n';
  static constexpr std::string_view kTab = "    ";
  crypto::SecretBuffer out;
  // The line being built (text only), its width, and where it may break:
  // just after its last space, so that a long line breaks between words
  // and joining the pieces again gives the text back.
  crypto::SecretBuffer line;
  std::size_t used = 0, break_at = 0, width_at_break = 0;
  auto emit = [&](ByteView piece) {
    out.append(as_bytes(kBodyLinePrefix));
    out.append(piece);
    out.append(ByteView{&kNewline, 1});
  };
  // A body ending in '\n' has no empty last line.
  const std::size_t end = !text.empty() && text[text.size() - 1] == '\n' ? text.size() - 1 : text.size();
  std::size_t i = 0;
  while (i < end) {
    std::uint32_t cp = 0;
    const std::size_t n = text::utf8_sequence(text, i, cp);  // terminal_safe left only whole sequences
    if (cp == '\n') {
      emit(line.view());
      line = crypto::SecretBuffer();
      used = break_at = width_at_break = 0;
      i += n;
      continue;
    }
    const ByteView shown = cp == '\t' ? as_bytes(kTab) : text.subspan(i, n);
    const std::size_t width = cp == '\t' ? kTab.size() : columns_of(cp);
    while (used + width > kBodyColumns) {
      if (break_at == 0) break_at = line.size(), width_at_break = used;  // one long word: break inside it
      emit(line.view().subspan(0, break_at));
      line = crypto::SecretBuffer::copy_of(line.view().subspan(break_at));
      used -= width_at_break;
      break_at = width_at_break = 0;
    }
    line.append(shown);
    used += width;
    if (cp == ' ' || cp == '\t') break_at = line.size(), width_at_break = used;
    i += n;
  }
  emit(line.view());
  return out;
}

}  // namespace meldpunt::client
