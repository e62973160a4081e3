// What `relay directory check` shows the organisation before it publishes:
// for every group x kind of the directory's signpost, who is there for it,
// and the combinations nobody covers (the gaps a reporter would fall into).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "meldpunt/crypto/directory.hpp"

namespace meldpunt::relay {

struct CoverageCell {
  std::size_t group = 0;              // index into Directory::groups
  std::size_t kind = 0;               // index into Directory::kinds
  std::vector<std::size_t> entries;   // indexes into Directory::entries, in directory order
};

struct CoverageReport {
  std::vector<CoverageCell> cells;        // group-major, in the signpost's order
  std::vector<std::size_t> gaps;          // indexes into cells covered by nobody
  std::vector<std::size_t> outside;       // entries with no coverage (listed after the others)
};

CoverageReport coverage_report(const crypto::Directory& directory);

// The table as the administrator reads it (English labels with their ids;
// names made terminal-safe), ending with the gaps.
std::string render_coverage(const crypto::Directory& directory, const CoverageReport& report);

}  // namespace meldpunt::relay
