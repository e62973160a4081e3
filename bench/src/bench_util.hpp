// Small helpers shared by the benchmark programs: command line, clocks,
// percentiles, Markdown tables, CSV files and temporary folders.
//
// Every benchmark prints Markdown to standard output (a heading, a few lines
// saying what was measured, one or more tables) and, with --csv FILE, writes
// its raw figures as CSV. --smoke runs tiny sizes for a few seconds so the
// CTest smoke test can check the programs still work; smoke figures mean
// nothing.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/crypto/random.hpp"

namespace meldpunt::bench {

struct Args {
  bool smoke = false;
  std::string csv;                 // raw figures go here when set
  std::filesystem::path tmp_base;  // where temporary stores are made (must be a real disk for fsync figures)
  std::string relay_bin;           // the `relay` program (memory benchmark)
  // For profiling one side of one configuration (bench_deposit): a single
  // client count, and "relay" or "limit" to run only that side.
  unsigned clients = 0;
  std::string only;
  double seconds = 0;  // measured window per run (0 = the benchmark's default)
  std::size_t messages = 0;  // stored messages (bench_memory; 0 = the default)
};

// --smoke, --csv FILE, --tmp DIR, --relay PATH, --clients N, --only SIDE,
// --seconds S, --messages N. Throws std::invalid_argument
// on anything else, so a typo in run.sh fails loudly.
inline Args parse_args(int argc, char** argv) {
  Args args;
  args.tmp_base = std::filesystem::temp_directory_path();
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--smoke") {
      args.smoke = true;
    } else if (a == "--csv") {
      args.csv = value();
    } else if (a == "--tmp") {
      args.tmp_base = value();
    } else if (a == "--relay") {
      args.relay_bin = value();
    } else if (a == "--clients") {
      args.clients = static_cast<unsigned>(std::stoul(value()));
    } else if (a == "--only") {
      args.only = value();
      if (args.only != "relay" && args.only != "limit") throw std::invalid_argument("--only takes relay or limit");
    } else if (a == "--seconds") {
      args.seconds = std::stod(value());
    } else if (a == "--messages") {
      args.messages = std::stoul(value());
    } else {
      throw std::invalid_argument("unknown argument " + a + " (known: --smoke --csv FILE --tmp DIR --relay PATH --clients N --only relay|limit --seconds S --messages N)");
    }
  }
  return args;
}

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The p-th percentile (0..100) by nearest rank; 0 for an empty sample.
inline double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = p / 100.0 * static_cast<double>(values.size());
  std::size_t index = static_cast<std::size_t>(rank);
  if (static_cast<double>(index) < rank) ++index;  // ceil
  index = std::clamp<std::size_t>(index, 1, values.size());
  return values[index - 1];
}

inline std::string fixed(double v, int decimals) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(decimals);
  out << v;
  return out.str();
}

// Three significant digits, the precision a noisy benchmark deserves.
inline std::string sig3(double v) {
  const double a = v < 0 ? -v : v;
  if (a >= 100) return fixed(v, 0);
  if (a >= 10) return fixed(v, 1);
  if (a >= 1) return fixed(v, 2);
  return fixed(v, 3);
}

// A Markdown table printed with aligned columns.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add(std::vector<std::string> row) {
    row.resize(header_.size());
    rows_.push_back(std::move(row));
  }
  void print(std::ostream& out) const {
    std::vector<std::size_t> width(header_.size(), 3);
    for (std::size_t c = 0; c < header_.size(); ++c) width[c] = std::max(width[c], header_[c].size());
    for (const auto& row : rows_)
      for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    auto line = [&](const std::vector<std::string>& cells) {
      out << "|";
      for (std::size_t c = 0; c < cells.size(); ++c) out << " " << cells[c] << std::string(width[c] - cells[c].size(), ' ') << " |";
      out << "\n";
    };
    line(header_);
    out << "|";
    for (std::size_t c = 0; c < header_.size(); ++c) out << std::string(width[c] + 2, '-') << "|";
    out << "\n";
    for (const auto& row : rows_) line(row);
    out << "\n";
  }

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Raw figures as CSV (no quoting needed: all fields are numbers or simple words).
class Csv {
 public:
  Csv(const std::string& path, const std::vector<std::string>& header) {
    if (path.empty()) return;
    out_.open(path);
    if (!out_) throw std::runtime_error("cannot write " + path);
    row(header);
  }
  void row(const std::vector<std::string>& cells) {
    if (!out_.is_open()) return;
    for (std::size_t i = 0; i < cells.size(); ++i) out_ << (i ? "," : "") << cells[i];
    out_ << "\n";
  }

 private:
  std::ofstream out_;
};

// A fresh folder under `base`, removed with its content at scope exit.
class TempFolder {
 public:
  TempFolder(const std::filesystem::path& base, const std::string& prefix) {
    FixedBytes<8> suffix{};
    crypto::random_fill(suffix);
    path_ = base / (prefix + to_hex(suffix));
    std::filesystem::create_directories(path_);
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline Bytes random_bytes(std::size_t n) {
  Bytes b(n);
  crypto::random_fill(b);
  return b;
}

}  // namespace meldpunt::bench
