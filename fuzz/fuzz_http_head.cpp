// relay::check_http_head on arbitrary bytes: what an anonymous HTTP client
// sends first, before libmicrohttpd reads it. Beyond "no crash": a verdict
// comes with its status (none while incomplete or accepted), anything
// longer than the head bound is never incomplete, a head that passes has
// its blank line within the bound and no bare CR or LF before it, and
// bytes after a complete head never change the verdict.
#include <cstdlib>
#include <string_view>
#include <vector>

#include "http_head.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  using relay::HeadVerdict;
  const relay::HeadCheck check = relay::check_http_head(ByteView(data, size));
  const bool answered = check.verdict != HeadVerdict::kIncomplete && check.verdict != HeadVerdict::kOk;
  if (answered != (check.status != 0)) std::abort();
  if (size >= relay::kMaxHttpHeadBytes && check.verdict == HeadVerdict::kIncomplete) std::abort();
  if (check.verdict == HeadVerdict::kIncomplete || check.verdict == HeadVerdict::kTooLarge) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t blank = text.find("\r\n\r\n");
  if (blank == std::string_view::npos) std::abort();
  if (check.verdict == HeadVerdict::kOk) {
    if (blank + 4 > relay::kMaxHttpHeadBytes) std::abort();
    for (std::size_t i = 0; i < blank; ++i) {
      if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r')) std::abort();
      if (data[i] == '\r' && data[i + 1] != '\n') std::abort();
    }
  }
  // The same head followed by other bytes: the same verdict.
  std::vector<std::uint8_t> longer(data, data + blank + 4);
  longer.push_back('x');
  if (relay::check_http_head(ByteView(longer.data(), longer.size())).verdict != check.verdict) std::abort();
  return 0;
}
