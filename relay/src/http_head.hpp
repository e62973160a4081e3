// The HTTP door's check of a request head, before libmicrohttpd reads it
// (http_gate.hpp): a head the library would answer itself (with its own
// error pages, which carry none of the door's headers) is answered by the
// door instead. The check is stricter than the library: what passes here
// the library takes without an error answer of its own.
//
// Bytes from an anonymous client, bounded before anything is trusted: a
// head is at most kMaxHttpHeadBytes with its blank line, kMaxHttpHeadLines
// header lines. Never throws; fuzzed by fuzz_http_head.
#pragma once

#include <cstddef>
#include <cstdint>

#include "meldpunt/common/bytes.hpp"

namespace meldpunt::relay {

inline constexpr std::size_t kMaxHttpHeadBytes = 16 * 1024;  // within libmicrohttpd's 32 KiB pool with room to spare
inline constexpr std::size_t kMaxHttpHeadLines = 64;

enum class HeadVerdict : std::uint8_t {
  kIncomplete,  // no blank line yet, and fewer than kMaxHttpHeadBytes: wait for more
  kOk,          // a head libmicrohttpd takes as it is
  kMalformed,   // 400: request line, header line, line ending or Content-Length
  kTooLarge,    // 431: no blank line within kMaxHttpHeadBytes, or too many lines
  kVersion,     // 505: an HTTP version other than 1.0 and 1.1
  kBodyTooLarge,  // 413: a Content-Length of more than 18 digits (the door refuses far less)
};

struct HeadCheck {
  HeadVerdict verdict = HeadVerdict::kIncomplete;
  unsigned status = 0;  // the HTTP status the door answers, 0 for kIncomplete and kOk
};

// `peeked` is what the connection has sent so far (a body may follow the head).
HeadCheck check_http_head(ByteView peeked);

}  // namespace meldpunt::relay
