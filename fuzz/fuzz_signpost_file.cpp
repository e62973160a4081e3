// relay::apply_signpost_file: the administrator's signpost text against a
// fixed draft of two advisers. Whatever it accepts must sign (every group,
// kind and coverage within the directory's rules) and verify back to the
// same signpost.
#include <cstdlib>
#include <string_view>

#include "fuzz_common.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "signpost_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  const auto& keys = fuzz::FixedKeys::get();
  crypto::Directory directory;
  directory.org_sign_pk = keys.org.pk;
  directory.valid_until = 1'900'000'000;
  for (std::uint8_t i = 0; i < 2; ++i) {
    crypto::DirectoryEntry e;
    e.id.fill(i);
    e.name = i == 0 ? "Anna" : "Klachtencommissie";
    e.sign_pk = keys.adviser_sign.pk;
    e.message_pk = keys.adviser_message.pk;
    e.fetch_pk = keys.reporter.fetch_pk;
    directory.entries.push_back(e);
  }
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (!relay::apply_signpost_file(text, directory)) return 0;
  auto signed_bytes = crypto::sign_directory(directory, keys.org);
  if (!signed_bytes) std::abort();
  auto back = crypto::verify_directory(*signed_bytes, keys.org.pk);
  if (!back || back->groups.size() != directory.groups.size() || back->kinds.size() != directory.kinds.size() ||
      !(back->entries[0].coverage == directory.entries[0].coverage) ||
      !(back->entries[1].coverage == directory.entries[1].coverage)) {
    std::abort();
  }
  return 0;
}
