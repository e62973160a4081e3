#include "usecases/open_store.hpp"

namespace meldpunt::adviser::usecase {

Result<CaseStore> open_case_store(const Home& home, const KeyFile& key_file) {
  if (Status made = make_private_folder(home.store_folder()); !made) return made.error();
  return CaseStore::open(home.store_folder(), key_file.identity().store_key);
}

}  // namespace meldpunt::adviser::usecase
