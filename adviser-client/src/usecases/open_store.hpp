// The case store of an unlocked home folder, which every command that works
// on cases opens the same way.
#pragma once

#include "case_store.hpp"
#include "home.hpp"
#include "key_file.hpp"

namespace meldpunt::adviser::usecase {

// Creates the store folder if needed (mode 0700; a folder open to others is
// refused, make_private_folder) and opens the store with the key file's
// store key.
Result<CaseStore> open_case_store(const Home& home, const KeyFile& key_file);

}  // namespace meldpunt::adviser::usecase
