#include "meldpunt/client/directory_check.hpp"

#include <ctime>
#include <string>

namespace meldpunt::client {
namespace {

std::string utc_day(std::uint64_t unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return "?";
  char buffer[32];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M UTC", &tm);
  return n == 0 ? "?" : std::string(buffer, n);
}

}  // namespace

Status check_directory_fresh(const crypto::Directory& directory, const DirectoryHistory& known, std::uint64_t now) {
  const std::string served = "the relay serves adviser directory serial " + std::to_string(directory.serial);
  if (directory.serial < known.highest_serial) {
    return Status(ErrorCode::kReplay, served + ", older than serial " + std::to_string(known.highest_serial) +
                                          " seen before: the relay may be serving an old list of advisers on "
                                          "purpose. Nothing was sent; tell the organisation.");
  }
  if (directory.valid_until != 0 && now > directory.valid_until) {
    return Status(ErrorCode::kReplay,
                  served + ", which expired on " + utc_day(directory.valid_until) +
                      ": the relay may be serving an old list of advisers, or the administrator has not signed a "
                      "new one in time (or this computer's clock is wrong). Nothing was sent; tell the organisation.");
  }
  if (directory.valid_until == 0 && (known.seen_valid_until || now >= crypto::kLegacyDirectoryCutoff)) {
    return Status(ErrorCode::kReplay,
                  served + ", which has no valid-until date" +
                      (known.seen_valid_until ? std::string(" although a directory with one was seen before")
                                              : " and is no longer accepted after " + utc_day(crypto::kLegacyDirectoryCutoff)) +
                      ": the relay may be serving an old list of advisers. Nothing was sent; tell the organisation.");
  }
  return Status::success();
}

}  // namespace meldpunt::client
