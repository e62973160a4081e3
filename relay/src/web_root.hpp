// The reporter page's files as the HTTP door serves them (docs/PROTOCOL.md,
// "HTTP door"): a flat folder whose MANIFEST lists every file served, one
// name a line, LF, sorted bytewise, MANIFEST itself included. Names are
// [A-Za-z0-9._-]+ without a leading dot, so no name can leave the folder.
//
// The files are read once, at start, and served from memory: what the relay
// serves is what it hashed, whatever later happens to the folder.
//
// Web hash (printed by `relay web-hash`, published by the organisation next
// to the channel address, shown by the page): lowercase hex of BLAKE2b-256
// (no key) over, for each name in MANIFEST order,
//   u16-LE len(name) || name || u64-LE len(content) || content
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/common/result.hpp"

namespace meldpunt::relay {

// Bounds on what a web root may hold (it is the operator's folder, but a
// mistake must not make the relay read a disk image into memory).
inline constexpr std::size_t kMaxWebFiles = 256;
inline constexpr std::size_t kMaxWebNameBytes = 128;
inline constexpr std::size_t kMaxWebFileBytes = 32u << 20;
inline constexpr std::size_t kMaxWebRootBytes = 64u << 20;

struct WebFile {
  std::string content_type;
  Bytes content;
};

class WebRoot {
 public:
  // Reads and checks DIR: kNotFound without MANIFEST; kMalformed for a
  // MANIFEST that is unsorted, repeats a name, has a name outside the
  // alphabet, lacks "MANIFEST" or a final LF; kNotFound/kIo for a listed
  // name that is not a regular file; kTooLarge beyond the bounds above.
  static Result<WebRoot> load(const std::filesystem::path& dir);

  // The file for a request path's name ("" is index.html), or null.
  const WebFile* find(std::string_view name) const;
  const std::string& hash_hex() const { return hash_hex_; }
  std::size_t file_count() const { return files_.size(); }

 private:
  std::map<std::string, WebFile, std::less<>> files_;
  std::string hash_hex_;
};

// Whether `name` may be listed in a MANIFEST: [A-Za-z0-9._-]+, no leading
// dot, at most kMaxWebNameBytes.
bool valid_web_name(std::string_view name);
// Content-Type by extension (MANIFEST text/plain; unknown ones
// application/octet-stream).
std::string content_type_for(std::string_view name);
// The web hash of files in MANIFEST order (names and contents as given).
std::string web_hash(const std::vector<std::pair<std::string, ByteView>>& files);

// `relay web-hash --web-root DIR`: prints the hash; 0, or 2 with the reason.
int cmd_web_hash(const std::filesystem::path& dir);

}  // namespace meldpunt::relay
