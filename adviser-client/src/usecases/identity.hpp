// `init` and `card`: the adviser's identity (keys, key file, store) and the
// public card the administrator signs into the directory.
#pragma once

#include <string>

#include "home.hpp"
#include "key_file.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/passphrase_box.hpp"
#include "usecases/inputs.hpp"

namespace meldpunt::adviser::usecase {

struct InitRequest {
  std::string name, role, description_nl, description_en;
};

struct CreatedIdentity {
  crypto::DirectoryEntry entry;  // as the card states it
  std::string card;              // the card's text, without the final newline
};

// Creates the identity in `home`: key file (under the passphrase
// `passphrase` gives, stretched with `params`), card.txt, and the empty
// store, so a wrong home folder shows at once. Refused before `passphrase`
// is asked: an existing key file (kIo), an unknown role or a profile out of
// bounds (kMalformed), a home folder open to others (kIo).
Result<CreatedIdentity> create_identity(const Home& home, const InitRequest& request, const SecretSource& passphrase,
                                        const crypto::KdfParams& params);

// The card in `home` without its trailing newline and blanks, untrusted
// (print it through a terminal-safe filter). kNotFound, saying how to create
// one, if there is none.
Result<std::string> read_card(const Home& home);

}  // namespace meldpunt::adviser::usecase
