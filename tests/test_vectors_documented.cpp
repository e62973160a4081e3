// The known-answer vectors in tests/vectors/ are the ones docs/PROTOCOL.md
// publishes: every value of every vector file must appear in the document
// (long values may be wrapped over several lines there), so the
// specification an independent implementer reads cannot drift from what
// the tests check.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "meldpunt/crypto/passphrase_box.hpp"

namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string without_whitespace(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c != ' ' && c != '\n' && c != '\t' && c != '\r') out.push_back(c);
  }
  return out;
}

}  // namespace

TEST_CASE("every test vector value is published in docs/PROTOCOL.md", "[docs]") {
  const std::string doc = read_all(MELDPUNT_DOCS_DIR "/PROTOCOL.md");
  const std::string doc_compact = without_whitespace(doc);
  std::size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(MELDPUNT_VECTORS_DIR)) {
    if (entry.path().extension() != ".txt") continue;
    std::istringstream lines(read_all(entry.path()));
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty() || line[0] == '#') continue;
      const auto eq = line.find(" =");
      REQUIRE(eq != std::string::npos);
      const std::string value = eq + 3 <= line.size() ? line.substr(eq + 3) : std::string();
      if (value.empty()) continue;  // an empty field (empty message, empty description)
      INFO(entry.path().filename().string() << ": " << line.substr(0, eq));
      CHECK((doc.find(value) != std::string::npos || doc_compact.find(without_whitespace(value)) != std::string::npos));
      ++checked;
    }
  }
  CHECK(checked > 50);  // the vector files were found and read
}

TEST_CASE("the passphrase-file header size in docs/PROTOCOL.md is the code's", "[docs]") {
  const std::string doc = read_all(MELDPUNT_DOCS_DIR "/PROTOCOL.md");
  const std::string size = std::to_string(meldpunt::crypto::kBoxHeaderBytes);
  CHECK(meldpunt::crypto::kBoxHeaderBytes == 64);
  CHECK(doc.find("file   = header (" + size + ")") != std::string::npos);
  CHECK(doc.find("ad = header (all " + size + " bytes)") != std::string::npos);
  CHECK(doc.find("≥ " + size + " + 16 bytes") != std::string::npos);
}
