// The keys of a relay and of its organisation: `relay init` (the relay key
// and the data folder), `relay address`, `relay org-key new`, and
// `relay key rotate` / `retire`. Each prints its result and returns the exit
// code (command_support.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/keys.hpp"
#include "meldpunt/crypto/sign.hpp"

namespace meldpunt::relay {

// A public signing key given as 43 characters of base64url; `what` names
// the option in the error.
Result<crypto::Ed25519PublicKey> parse_public_key(const std::string& text, std::string_view what);

// The organisation key from its passphrase-sealed file, asking for the
// passphrase on the terminal.
Result<crypto::SigningKeyPair> unlock_org_key(const std::filesystem::path& file);

int cmd_init(const std::filesystem::path& data, const std::string& org_public);
int cmd_address(const std::filesystem::path& data, const std::string& endpoint, bool old, std::uint64_t min_serial);
int cmd_org_key_new(const std::filesystem::path& out, bool insecure);
int cmd_key_rotate(const std::filesystem::path& data);
int cmd_key_retire(const std::filesystem::path& data);

}  // namespace meldpunt::relay
