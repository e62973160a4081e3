// The signed adviser directory: `relay directory sign` (offline, with the
// organisation key), `check` (who is there for every group x kind of the
// signpost) and `publish`. Each prints its result and returns the exit code
// (command_support.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace meldpunt::relay {

// `relay directory check`: the directory is readable, but some group x kind
// of its signpost has nobody (a script can tell this from an error, 2).
inline constexpr int kExitGaps = 4;

// cards: adviser card files, or card texts (mpcard1.…).
int cmd_directory_sign(const std::filesystem::path& org_key, const std::vector<std::string>& cards,
                       const std::filesystem::path& signpost, std::uint64_t serial, std::uint32_t valid_days,
                       const std::filesystem::path& out);
// A draft (cards and signpost) or, with `file`, a signed directory checked
// against org_public (a key or a .pub file).
int cmd_directory_check(const std::vector<std::string>& cards, const std::filesystem::path& signpost,
                        const std::filesystem::path& file, const std::string& org_public);
int cmd_directory_publish(const std::string& channel, const std::filesystem::path& file);

}  // namespace meldpunt::relay
