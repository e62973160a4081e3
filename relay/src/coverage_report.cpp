#include "coverage_report.hpp"

#include <sstream>

#include "meldpunt/client/text.hpp"

namespace meldpunt::relay {
namespace {

std::string category_name(const crypto::Category& c) {
  return client::terminal_safe_label(c.label_en) + " (" + c.id + ")";
}

}  // namespace

CoverageReport coverage_report(const crypto::Directory& directory) {
  CoverageReport report;
  for (std::size_t g = 0; g < directory.groups.size(); ++g) {
    for (std::size_t k = 0; k < directory.kinds.size(); ++k) {
      CoverageCell cell{g, k, {}};
      for (std::size_t e = 0; e < directory.entries.size(); ++e) {
        const crypto::Coverage& c = directory.entries[e].coverage;
        if (!c.empty() && c.covers_group(g) && c.covers_kind(k)) cell.entries.push_back(e);
      }
      if (cell.entries.empty()) report.gaps.push_back(report.cells.size());
      report.cells.push_back(std::move(cell));
    }
  }
  for (std::size_t e = 0; e < directory.entries.size(); ++e) {
    if (directory.entries[e].coverage.empty()) report.outside.push_back(e);
  }
  return report;
}

std::string render_coverage(const crypto::Directory& directory, const CoverageReport& report) {
  std::ostringstream out;
  if (!directory.has_signpost()) {
    out << "This directory has no signpost (no groups or kinds): reporters see the plain list of "
        << directory.entries.size() << " advisers.\n";
    return out.str();
  }
  const auto name = [&](std::size_t e) { return client::terminal_safe_label(directory.entries[e].name); };
  out << "Signpost: " << directory.groups.size() << " groups x " << directory.kinds.size()
      << " kinds = " << report.cells.size() << " combinations, " << report.gaps.size() << " not covered.\n";
  std::size_t last_group = directory.groups.size();
  for (const CoverageCell& cell : report.cells) {
    if (cell.group != last_group) {
      out << "\nFor " << category_name(directory.groups[cell.group]) << ":\n";
      last_group = cell.group;
    }
    out << "  about " << category_name(directory.kinds[cell.kind]) << ": ";
    if (cell.entries.empty()) out << "NOBODY";
    for (std::size_t i = 0; i < cell.entries.size(); ++i) out << (i ? ", " : "") << name(cell.entries[i]);
    out << "\n";
  }
  if (!report.outside.empty()) {
    out << "\nNot in the signpost (listed to reporters after the others): ";
    for (std::size_t i = 0; i < report.outside.size(); ++i) out << (i ? ", " : "") << name(report.outside[i]);
    out << "\n";
  }
  if (report.gaps.empty()) {
    out << "\nEvery combination is covered.\n";
  } else {
    out << "\nNobody is there for:\n";
    for (std::size_t index : report.gaps) {
      const CoverageCell& cell = report.cells[index];
      out << "  " << category_name(directory.groups[cell.group]) << " about "
          << category_name(directory.kinds[cell.kind]) << "\n";
    }
  }
  return out.str();
}

}  // namespace meldpunt::relay
