// The HTTP door's pieces that need no socket: the body framing codec
// (protocol/http_body.hpp), the web root and its hash (relay/web_root.hpp)
// and the `http` settings. The door itself: tests/integration/test_http_door.py
// and test_http_door_load.py.
#include <catch2/catch.hpp>
#include <sodium.h>

#include <filesystem>
#include <fstream>

#include "meldpunt/protocol/http_body.hpp"
#include "serve_settings.hpp"
#include "web_root.hpp"

using namespace meldpunt;
using protocol::HttpBodyError;

namespace {

Bytes frame(std::uint32_t length, std::uint8_t fill = 0xAB) {
  Bytes out;
  append_u32_le(out, length);
  out.resize(out.size() + length, fill);
  return out;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) append(out, p);
  return out;
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() / ("meldpunt-web-" + std::to_string(randombytes_random()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  void write(const std::string& name, const std::string& content) const {
    std::ofstream(path / name, std::ios::binary) << content;
  }
};

}  // namespace

TEST_CASE("http body: frames round-trip, replies included", "[protocol][http]") {
  const protocol::Frames frames{Bytes{1, 9}, Bytes{}, Bytes(300, 7)};
  const Bytes body = protocol::encode_http_body(frames);
  REQUIRE(body.size() == 3 * 4 + 2 + 0 + 300);
  CHECK(body[0] == 2);
  CHECK(body[1] == 0);
  const protocol::DecodedHttpBody decoded = protocol::decode_http_body(body);
  REQUIRE(decoded.error == HttpBodyError::kNone);
  REQUIRE(decoded.frames.size() == 3);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    CHECK(Bytes(decoded.frames[i].begin(), decoded.frames[i].end()) == frames[i]);
  }
}

TEST_CASE("http body: truncated or empty bodies are malformed", "[protocol][http]") {
  CHECK(protocol::decode_http_body({}).error == HttpBodyError::kMalformed);
  const Bytes good = frame(5);
  for (std::size_t cut = 1; cut < good.size(); ++cut) {
    const protocol::DecodedHttpBody d = protocol::decode_http_body(ByteView(good.data(), cut));
    CHECK(d.error == HttpBodyError::kMalformed);
    CHECK(d.frames.empty());
  }
  // A trailing partial length after a good frame.
  const Bytes trailing = concat({good, Bytes{1, 0}});
  CHECK(protocol::decode_http_body(trailing).error == HttpBodyError::kMalformed);
}

TEST_CASE("http body: at most 50 frames of at most 262144 bytes", "[protocol][http]") {
  Bytes fifty;
  for (int i = 0; i < 50; ++i) append(fifty, frame(1));
  CHECK(protocol::decode_http_body(fifty).frames.size() == 50);
  const Bytes fifty_one = concat({fifty, frame(1)});
  CHECK(protocol::decode_http_body(fifty_one).error == HttpBodyError::kTooLarge);
  // 51 empty frames: too many even though tiny.
  Bytes empties;
  for (int i = 0; i < 51; ++i) append(empties, frame(0));
  CHECK(protocol::decode_http_body(empties).error == HttpBodyError::kTooLarge);

  CHECK(protocol::decode_http_body(frame(262144)).error == HttpBodyError::kNone);
  CHECK(protocol::decode_http_body(frame(262145)).error == HttpBodyError::kTooLarge);
  // A huge announced length is refused as too large, not read past the end.
  Bytes huge;
  append_u32_le(huge, 0xFFFFFFFFu);
  CHECK(protocol::decode_http_body(huge).error == HttpBodyError::kTooLarge);
}

TEST_CASE("http body: the whole body is bounded", "[protocol][http]") {
  // 17 largest frames fit (the largest real request has 16 envelopes).
  Bytes body;
  for (int i = 0; i < 17; ++i) append(body, frame(262144));
  CHECK(body.size() <= protocol::kMaxHttpBodyBytes);
  CHECK(protocol::decode_http_body(body).error == HttpBodyError::kNone);
  Bytes over(protocol::kMaxHttpBodyBytes + 1, 0);
  CHECK(protocol::decode_http_body(over).error == HttpBodyError::kTooLarge);
}

TEST_CASE("web root: served names, content types and the contract's hash", "[relay][http]") {
  TempDir dir;
  dir.write("index.html", "<p>hi</p>");
  dir.write("app.js", "1;");
  dir.write("MANIFEST", "MANIFEST\napp.js\nindex.html\n");
  dir.write("secret.txt", "not listed");
  Result<relay::WebRoot> root = relay::WebRoot::load(dir.path);
  REQUIRE(root);
  CHECK(root->file_count() == 3);
  REQUIRE(root->find("") != nullptr);
  CHECK(root->find("")->content_type == "text/html; charset=utf-8");
  CHECK(root->find("app.js")->content_type == "text/javascript");
  CHECK(root->find("MANIFEST")->content_type == "text/plain; charset=utf-8");
  CHECK(root->find("secret.txt") == nullptr);
  CHECK(root->find("../MANIFEST") == nullptr);
  CHECK(root->find("/app.js") == nullptr);

  // The rule written out by hand: u16 len || name || u64 len || content, in MANIFEST order.
  Bytes input;
  for (const auto& [name, content] : {std::pair<std::string, std::string>{"MANIFEST", "MANIFEST\napp.js\nindex.html\n"},
                                      {"app.js", "1;"},
                                      {"index.html", "<p>hi</p>"}}) {
    append_u16_le(input, static_cast<std::uint16_t>(name.size()));
    append(input, as_bytes(name));
    append_u64_le(input, content.size());
    append(input, as_bytes(content));
  }
  FixedBytes<32> digest{};
  crypto_generichash(digest.data(), digest.size(), input.data(), input.size(), nullptr, 0);
  CHECK(root->hash_hex() == to_hex(digest));

  // One byte changed anywhere changes it.
  dir.write("app.js", "2;");
  Result<relay::WebRoot> changed = relay::WebRoot::load(dir.path);
  REQUIRE(changed);
  CHECK(changed->hash_hex() != root->hash_hex());
}

TEST_CASE("web root: broken manifests are refused with the reason", "[relay][http]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"index.html\nMANIFEST\n", "sorted"},
      {"MANIFEST\nindex.html\nindex.html\n", "sorted"},
      {"index.html\n", "MANIFEST itself"},
      {"MANIFEST\nindex.html", "LF"},
      {"MANIFEST\n\nindex.html\n", "line 2"},
      {"../MANIFEST\nMANIFEST\nindex.html\n", "line 1"},
      {".hidden\nMANIFEST\nindex.html\n", "line 1"},
      {"MANIFEST\nindex.html\nmissing.js\n", "missing.js"},
      {"MANIFEST\r\nindex.html\n", "line 1"},
  };
  for (const auto& [manifest, reason] : cases) {
    TempDir dir;
    dir.write("index.html", "x");
    dir.write("MANIFEST", manifest);
    Result<relay::WebRoot> root = relay::WebRoot::load(dir.path);
    INFO(manifest);
    REQUIRE_FALSE(root);
    CHECK_THAT(root.error().message, Catch::Contains(reason));
  }
  TempDir empty;
  Result<relay::WebRoot> none = relay::WebRoot::load(empty.path);
  REQUIRE_FALSE(none);
  CHECK(none.error().code == ErrorCode::kNotFound);
}

TEST_CASE("web root: a listed name that is a folder or a link is refused", "[relay][http]") {
  TempDir dir;
  dir.write("index.html", "x");
  std::filesystem::create_directory(dir.path / "sub");
  dir.write("MANIFEST", "MANIFEST\nindex.html\nsub\n");
  CHECK_FALSE(relay::WebRoot::load(dir.path));
  std::filesystem::remove(dir.path / "sub");
  std::filesystem::create_symlink("/etc/hostname", dir.path / "sub");
  CHECK_FALSE(relay::WebRoot::load(dir.path));
}

TEST_CASE("http setting: a port alone is loopback, addresses are literals", "[relay][http]") {
  auto port_only = relay::parse_http_listen("8080");
  REQUIRE(port_only);
  CHECK(port_only->host == "127.0.0.1");
  CHECK(port_only->port == 8080);
  auto v4 = relay::parse_http_listen("0.0.0.0:80");
  REQUIRE(v4);
  CHECK(v4->host == "0.0.0.0");
  auto v6 = relay::parse_http_listen("[::1]:8443");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->port == 8443);
  for (const char* bad : {"", "0", "65536", "x", "localhost:80", "::1:80", "1.2.3.4:", ":80", "1.2.3.4:8a", "[::1]"}) {
    INFO(bad);
    CHECK_FALSE(relay::parse_http_listen(bad));
  }
}

TEST_CASE("http setting: the head's deadline and the two budgets", "[relay][http]") {
  relay::ServeSettings s;
  s.http = "8080";
  s.http_timeout_seconds = 3;  // shorter than the head's 10 s: the head gets 3 too
  s.http_max_answer_bytes = 1 << 20;
  s.max_messages = 1'000'000;  // the largest fetch answer (64 MB) must fit the answer budget
  const auto setup = relay::http_door_setup(s);
  REQUIRE(setup);
  CHECK(setup->limits.header_timeout == std::chrono::seconds(3));
  CHECK(setup->limits.request_timeout == std::chrono::seconds(3));
  CHECK(setup->limits.max_answer_bytes == 64'000'000 + 4096);
  CHECK(setup->limits.max_body_bytes == (64ull << 20));
  s.max_messages = 1000;
  s.http_timeout_seconds = 60;
  const auto small = relay::http_door_setup(s);
  REQUIRE(small);
  CHECK(small->limits.max_answer_bytes == (1ull << 20));
  CHECK(small->limits.header_timeout == std::chrono::seconds(10));
}
