#include "command_support.hpp"

#include <iostream>
#include <iterator>
#include <sstream>

namespace meldpunt::relay {

int fail(const std::string& message) {
  std::cerr << "relay: error: " << message << std::endl;
  return kExitFailed;
}

int fail(const Error& e) { return fail(e.message); }

std::string human_bytes(std::uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  std::size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(units)) {
    v /= 1024;
    ++u;
  }
  std::ostringstream out;
  out.precision(u == 0 ? 0 : 1);
  out << std::fixed << v << " " << units[u];
  return out.str();
}

}  // namespace meldpunt::relay
