#include "http_head.hpp"

#include <string_view>

namespace meldpunt::relay {
namespace {

// RFC 9110 token characters (methods and header names).
bool is_tchar(std::uint8_t c) {
  if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!is_tchar(static_cast<std::uint8_t>(c))) return false;
  }
  return true;
}

HeadCheck verdict(HeadVerdict v) {
  switch (v) {
    case HeadVerdict::kMalformed: return {v, 400};
    case HeadVerdict::kTooLarge: return {v, 431};
    case HeadVerdict::kVersion: return {v, 505};
    case HeadVerdict::kBodyTooLarge: return {v, 413};
    default: return {v, 0};
  }
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

HeadCheck check_request_line(std::string_view line) {
  const std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || !is_token(line.substr(0, sp1))) return verdict(HeadVerdict::kMalformed);
  const std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return verdict(HeadVerdict::kMalformed);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (target.empty() || target.front() != '/') return verdict(HeadVerdict::kMalformed);
  for (const char c : target) {
    if (static_cast<std::uint8_t>(c) < 0x21 || static_cast<std::uint8_t>(c) > 0x7e) return verdict(HeadVerdict::kMalformed);
  }
  const std::string_view version = line.substr(sp2 + 1);
  if (version == "HTTP/1.1" || version == "HTTP/1.0") return verdict(HeadVerdict::kOk);
  if (version.size() == 8 && version.substr(0, 5) == "HTTP/" && version[5] >= '0' && version[5] <= '9' &&
      version[6] == '.' && version[7] >= '0' && version[7] <= '9') {
    return verdict(HeadVerdict::kVersion);
  }
  return verdict(HeadVerdict::kMalformed);
}

// A header line: a token, a colon, a value of visible characters, spaces,
// tabs and bytes over 0x7f. Content-Length once at most, decimal digits
// around optional spaces, more than 18 of them too large (the door judges
// the size of the rest).
HeadVerdict check_header_line(std::string_view line, bool& seen_length) {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) return HeadVerdict::kMalformed;
  std::string_view value = line.substr(colon + 1);
  for (const char ch : value) {
    const auto c = static_cast<std::uint8_t>(ch);
    if (c != '\t' && (c < 0x20 || c == 0x7f)) return HeadVerdict::kMalformed;
  }
  if (!equals_ignoring_case(line.substr(0, colon), "content-length")) return HeadVerdict::kOk;
  if (seen_length) return HeadVerdict::kMalformed;
  seen_length = true;
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return HeadVerdict::kMalformed;
  for (const char c : value) {
    if (c < '0' || c > '9') return HeadVerdict::kMalformed;
  }
  return value.size() > 18 ? HeadVerdict::kBodyTooLarge : HeadVerdict::kOk;
}

}  // namespace

HeadCheck check_http_head(ByteView peeked) {
  const std::string_view all(reinterpret_cast<const char*>(peeked.data()),
                             peeked.size() < kMaxHttpHeadBytes ? peeked.size() : kMaxHttpHeadBytes);
  const std::size_t blank = all.find("\r\n\r\n");
  if (blank == std::string_view::npos) {
    return verdict(peeked.size() >= kMaxHttpHeadBytes ? HeadVerdict::kTooLarge : HeadVerdict::kIncomplete);
  }
  const std::string_view head = all.substr(0, blank + 2);  // every line with its CRLF
  std::size_t at = 0;
  std::size_t lines = 0;
  bool seen_length = false;
  while (at < head.size()) {
    const std::size_t end = head.find("\r\n", at);  // found: head ends with CRLF
    const std::string_view line = head.substr(at, end - at);
    if (line.find_first_of("\r\n") != std::string_view::npos) return verdict(HeadVerdict::kMalformed);  // a bare CR or LF
    if (lines == 0) {
      if (const HeadCheck first = check_request_line(line); first.verdict != HeadVerdict::kOk) return first;
    } else if (lines > kMaxHttpHeadLines) {
      return verdict(HeadVerdict::kTooLarge);
    } else if (const HeadVerdict v = check_header_line(line, seen_length); v != HeadVerdict::kOk) {
      return verdict(v);
    }
    ++lines;
    at = end + 2;
  }
  return verdict(HeadVerdict::kOk);
}

}  // namespace meldpunt::relay
