// The store and data folder outside serving: opening the store beside a
// running relay, the integrity checks of the folder and the store, and the
// subcommands backup, check, restore and purge. The commands print their
// result and return the exit code (command_support.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data_folder.hpp"
#include "meldpunt/store/relay_store.hpp"

namespace meldpunt::relay {

// Options for the commands that open the store beside a running relay:
// quotas only matter for deposits, which these never make, and they never
// fetch, so they skip loading the clue cache.
store::RelayStoreOptions maintenance_options();

// The relay store, or nullptr after saying why: a store that cannot be
// opened (missing, another database, another schema version) is a failed
// operation (exit 2), not an internal error.
std::unique_ptr<store::RelayStore> open_store(const std::filesystem::path& dir,
                                              const store::RelayStoreOptions& options);

// Checks of the data folder beside the store's own check: keys readable,
// modes as `relay init` set them. The faults (empty = healthy).
std::vector<std::string> check_folder(const DataFolder& folder);

// For `relay serve`, holding the folder lock: removes a staging folder left
// by an interrupted `relay restore` before the store opens, and says so.
void remove_dead_restore(const DataFolder& folder);

int cmd_backup(const std::filesystem::path& data, const std::filesystem::path& to);
int cmd_check(const std::filesystem::path& data, const std::filesystem::path& backup);
int cmd_restore(const std::filesystem::path& data, const std::filesystem::path& from);
int cmd_purge(const std::filesystem::path& data, std::uint32_t days_ahead);

}  // namespace meldpunt::relay
