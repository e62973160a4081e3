// The one text policy (meldpunt/text/text_policy.hpp) on any bytes: the UTF-8
// decoder every other checker builds on, and the rules over it. Checked
// against the tests' encoder (tests/utf8_test_encoder.hpp): what decodes
// encodes back to the same bytes, and what is shown is valid UTF-8 with
// nothing neutralised left.
#include <string>

#include "fuzz_common.hpp"
#include "meldpunt/text/text_policy.hpp"
#include "utf8_test_encoder.hpp"

namespace {

using namespace meldpunt;

using test_support::encode_utf8_any;

// Decodes what it can; true if every byte was part of a valid sequence.
// Each sequence must be the shortest encoding of a scalar value.
bool walk(ByteView in) {
  bool all = true;
  for (std::size_t i = 0; i < in.size();) {
    std::uint32_t cp = 0;
    const std::size_t n = text::utf8_sequence(in, i, cp);
    if (n == 0) {
      all = false;
      ++i;
      continue;
    }
    if (n > 4 || cp > text::kMaxCodePoint || (cp >= 0xD800 && cp <= 0xDFFF)) std::abort();
    const std::string again = encode_utf8_any(cp);
    if (again.size() != n || again.compare(0, n, reinterpret_cast<const char*>(in.data() + i), n) != 0) std::abort();
    i += n;
  }
  return all;
}

void check_shown(ByteView in, text::Lines lines) {
  std::string out;
  std::size_t pieces = 0;
  text::neutralise(in, lines, as_bytes("?"), [&](ByteView piece) {
    out.append(reinterpret_cast<const char*>(piece.data()), piece.size());
    ++pieces;
  });
  if (out.size() > 4 * in.size() || pieces > in.size()) std::abort();
  const ByteView shown = as_bytes(out);
  if (!text::is_valid_utf8(shown)) std::abort();
  for (std::size_t i = 0; i < shown.size();) {
    std::uint32_t cp = 0;
    const std::size_t n = text::utf8_sequence(shown, i, cp);
    if (n == 0 || text::neutralised_when_shown(cp, lines)) std::abort();
    i += n;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Names, labels and typed lines are short; bodies are bounded by the
  // letter size. 64 KiB covers both with room.
  if (size > 64 * 1024) return 0;
  const ByteView in(data, size);
  const bool valid = text::is_valid_utf8(in);
  if (walk(in) != valid) std::abort();
  check_shown(in, text::Lines::kOne);
  check_shown(in, text::Lines::kMany);
  // The rules nest: a clean label is one-line directory text, which is also
  // several-line directory text, which is valid UTF-8.
  const bool label = text::is_clean_label(in);
  const bool one = text::is_directory_text(in, text::Lines::kOne);
  const bool many = text::is_directory_text(in, text::Lines::kMany);
  if ((label && !one) || (one && !many) || (many && !valid)) std::abort();
  // A control anywhere in valid text is caught by the typed-line rule.
  if (valid && !text::has_control(in) && !one) {
    // Refused one-line directory text without a control: an override or isolate.
    bool override_found = false;
    for (std::size_t i = 0; i < in.size();) {
      std::uint32_t cp = 0;
      const std::size_t n = text::utf8_sequence(in, i, cp);
      override_found = override_found || text::is_bidi_override_or_isolate(cp);
      i += n;
    }
    if (!override_found) std::abort();
  }
  return 0;
}
