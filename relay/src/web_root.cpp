#include "web_root.hpp"

#include <algorithm>
#include <iostream>

#include "command_support.hpp"
#include "meldpunt/crypto/hash.hpp"
#include "meldpunt/os/files.hpp"

namespace meldpunt::relay {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kManifest = "MANIFEST";

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

}  // namespace

bool valid_web_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxWebNameBytes || name.front() == '.') return false;
  for (const char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string content_type_for(std::string_view name) {
  if (name == kManifest) return "text/plain; charset=utf-8";
  if (ends_with(name, ".html")) return "text/html; charset=utf-8";
  if (ends_with(name, ".js")) return "text/javascript";
  if (ends_with(name, ".css")) return "text/css";
  if (ends_with(name, ".wasm")) return "application/wasm";
  if (ends_with(name, ".json")) return "application/json";
  if (ends_with(name, ".svg")) return "image/svg+xml";
  if (ends_with(name, ".png")) return "image/png";
  if (ends_with(name, ".ico")) return "image/vnd.microsoft.icon";
  return "application/octet-stream";
}

std::string web_hash(const std::vector<std::pair<std::string, ByteView>>& files) {
  crypto::FileHasher hasher;
  for (const auto& [name, content] : files) {
    Bytes head;
    append_u16_le(head, static_cast<std::uint16_t>(name.size()));  // names are at most kMaxWebNameBytes
    append(head, as_bytes(name));
    append_u64_le(head, content.size());
    hasher.update(head);
    hasher.update(content);
  }
  const crypto::FileDigest digest = hasher.finish();
  return to_hex(digest);
}

Result<WebRoot> WebRoot::load(const fs::path& dir) {
  const fs::path manifest_path = dir / std::string(kManifest);
  Result<Bytes> manifest = os::read_file(manifest_path, kMaxWebFiles * (kMaxWebNameBytes + 1));
  if (!manifest) {
    if (manifest.error().code == ErrorCode::kNotFound) {
      return Error{ErrorCode::kNotFound, "no MANIFEST in " + dir.string() + " (the web root lists its files there)"};
    }
    return manifest.error();
  }
  const std::string text(manifest->begin(), manifest->end());
  if (text.empty() || text.back() != '\n') {
    return Error{ErrorCode::kMalformed, manifest_path.string() + ": must be names, one a line, each ending in LF"};
  }
  std::vector<std::string> names;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = text.find('\n', at);
    std::string name = text.substr(at, end - at);
    at = end + 1;
    if (!valid_web_name(name)) {
      return Error{ErrorCode::kMalformed, manifest_path.string() + ": line " + std::to_string(names.size() + 1) +
                                              " is not a file name of [A-Za-z0-9._-] without a leading dot"};
    }
    if (!names.empty() && !(names.back() < name)) {
      return Error{ErrorCode::kMalformed, manifest_path.string() + ": names must be sorted bytewise, each once (line " +
                                              std::to_string(names.size() + 1) + ")"};
    }
    names.push_back(std::move(name));
  }
  if (std::find(names.begin(), names.end(), kManifest) == names.end()) {
    return Error{ErrorCode::kMalformed, manifest_path.string() + ": must list MANIFEST itself"};
  }
  WebRoot root;
  std::size_t total = 0;
  std::vector<std::pair<std::string, ByteView>> hashed;
  for (const std::string& name : names) {
    const fs::path path = dir / name;
    std::error_code ec;
    if (!fs::is_regular_file(fs::symlink_status(path, ec))) {
      return Error{ErrorCode::kNotFound, manifest_path.string() + " names " + name + ", which is not a regular file in " +
                                             dir.string()};
    }
    Result<Bytes> content = os::read_file(path, kMaxWebFileBytes);
    if (!content) return content.error();
    total += content->size();
    if (total > kMaxWebRootBytes) {
      return Error{ErrorCode::kTooLarge, dir.string() + ": the files listed in MANIFEST exceed " +
                                             std::to_string(kMaxWebRootBytes >> 20) + " MiB"};
    }
    root.files_.emplace(name, WebFile{content_type_for(name), std::move(*content)});
  }
  for (const std::string& name : names) hashed.emplace_back(name, root.files_.at(name).content);
  root.hash_hex_ = web_hash(hashed);
  return root;
}

const WebFile* WebRoot::find(std::string_view name) const {
  if (name.empty()) name = "index.html";
  if (!valid_web_name(name)) return nullptr;
  const auto it = files_.find(name);
  return it == files_.end() ? nullptr : &it->second;
}

int cmd_web_hash(const fs::path& dir) {
  Result<WebRoot> root = WebRoot::load(dir);
  if (!root) return fail(root.error());
  std::cout << root->hash_hex() << "\n";
  return kExitOk;
}

}  // namespace meldpunt::relay
