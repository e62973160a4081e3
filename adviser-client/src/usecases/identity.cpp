#include "usecases/identity.hpp"

#include <filesystem>

#include "archive.hpp"
#include "meldpunt/crypto/random.hpp"
#include "meldpunt/os/files.hpp"
#include "usecases/open_store.hpp"

namespace meldpunt::adviser::usecase {

Result<CreatedIdentity> create_identity(const Home& home, const InitRequest& request, const SecretSource& passphrase,
                                        const crypto::KdfParams& params) {
  std::error_code ec;
  if (std::filesystem::exists(home.key_file(), ec)) {
    return Error{ErrorCode::kIo, home.key_file().string() + " already exists; refusing to overwrite an adviser identity",
                 false, ErrorSubject::kIdentityExists};
  }
  AdviserProfile profile;
  auto role = crypto::parse_role(request.role);
  if (!role) return role.error();
  profile.role = *role;
  profile.name = request.name;
  profile.description_nl = request.description_nl;
  profile.description_en = request.description_en;
  if (Status valid = validate_profile(profile); !valid) return valid.error();
  crypto::random_fill(profile.id);

  // A shared or foreign folder is refused before any secret is typed.
  if (Status made = make_private_folder(home.root); !made) return made.error();
  auto secret = passphrase();
  if (!secret) return secret.error();
  auto key_file =
      KeyFile::create(home.key_file(), *secret, params, std::move(profile), crypto::AdviserIdentity::generate());
  if (!key_file) return key_file.error();
  CreatedIdentity created{directory_entry(key_file->profile(), key_file->identity()), {}};
  created.card = crypto::make_card(created.entry, key_file->identity().sign.sk);
  if (Status written = os::write_file_atomically(home.card_file(), as_bytes(created.card + "\n"), 0644); !written) {
    return written.error();
  }
  // Create the store now, so a wrong home folder shows up at once.
  if (auto store = open_case_store(home, *key_file); !store) return store.error();
  return created;
}

Result<std::string> read_card(const Home& home) {
  auto card = os::read_file(home.card_file(), kMaxCardFileBytes);
  if (!card) {
    if (card.error().code == ErrorCode::kNotFound) {
      return Error{ErrorCode::kNotFound,
                   "no card in " + home.root.string() + " (create an identity with `adviser-client init`)"};
    }
    return card.error();
  }
  // The file ends with a newline; printed through the terminal-safe filter it
  // would become a "?" that `> anna.card` then carries into the card.
  std::string_view text(reinterpret_cast<const char*>(card->data()), card->size());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  return std::string(text);
}

}  // namespace meldpunt::adviser::usecase
