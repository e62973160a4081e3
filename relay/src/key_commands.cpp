#include "key_commands.hpp"

#include <algorithm>
#include <iostream>

#include "command_support.hpp"
#include "data_folder.hpp"
#include "meldpunt/cli/passphrase_prompt.hpp"
#include "meldpunt/client/terminal.hpp"
#include "meldpunt/crypto/passphrase_box.hpp"
#include "meldpunt/os/files.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "meldpunt/store/relay_store.hpp"

namespace meldpunt::relay {
namespace {

namespace fs = std::filesystem;

crypto::KdfParams kdf_params(bool insecure) {
  return insecure ? crypto::KdfParams::insecure_for_tests() : crypto::KdfParams::production();
}

Result<crypto::SecretBuffer> new_passphrase() {
  cli::NewPassphrasePrompt prompt;
  prompt.first = "New passphrase for the organisation key (at least 12 characters): ";
  prompt.min_length = 12;
  prompt.nothing_done = "no key was created";
  return cli::read_new_passphrase(prompt);
}

}  // namespace

Result<crypto::Ed25519PublicKey> parse_public_key(const std::string& text, std::string_view what) {
  auto bytes = crypto::from_base64url(text);
  if (!bytes || bytes->size() != 32) {
    return Error{ErrorCode::kMalformed, std::string(what) + " must be 43 characters of base64url (32 bytes)"};
  }
  crypto::Ed25519PublicKey pk{};
  std::copy(bytes->begin(), bytes->end(), pk.begin());
  return pk;
}

Result<crypto::SigningKeyPair> unlock_org_key(const std::filesystem::path& file) {
  auto sealed = os::read_file(file, crypto::kBoxMaxFileBytes);
  if (!sealed) return sealed.error();
  auto passphrase = client::read_secret_line("Passphrase of the organisation key: ");
  if (!passphrase) return passphrase.error();
  auto box = crypto::PassphraseBox::for_sealed(*sealed, *passphrase);
  if (!box) return box.error();
  auto secret = box->open(*sealed);
  if (!secret) return Error{ErrorCode::kUnauthorised, "wrong passphrase or damaged organisation key file"};
  if (secret->size() != crypto::kEd25519SecretBytes) return Error{ErrorCode::kMalformed, "organisation key file has a wrong size"};
  crypto::SigningKeyPair org;
  org.sk = crypto::Secret<crypto::kEd25519SecretBytes>::from(secret->view());
  std::copy_n(secret->data() + 32, 32, org.pk.begin());  // libsodium's sk is seed || pk
  return org;
}

int cmd_init(const std::filesystem::path& data, const std::string& org_public) {
  auto org = parse_public_key(org_public, "--org-public");
  if (!org) return fail(org.error());
  relay::DataFolder folder{data};
  if (Status s = folder.initialise(*org); !s) return fail(s.error());
  store::RelayStore store(folder.store_dir(), store::RelayStoreOptions{});  // creates the tables
  auto keys = folder.load_keys();
  if (!keys) return fail(keys.error());
  std::cout << "Initialised relay data folder " << data.string() << "\n"
            << "relay public key: " << crypto::to_base64url(keys->public_key) << "\n"
            << "Next: `relay address --data " << data.string()
            << " --endpoint tcp://HOST:PORT` prints the channel address for reporters.\n";
  return 0;
}

int cmd_address(const std::filesystem::path& data, const std::string& endpoint, bool old, std::uint64_t min_serial) {
  relay::DataFolder folder{data};
  Result<relay::RelayKeys> keys = folder.load_keys();
  if (old) {
    auto previous = folder.load_old_keys();
    if (!previous) return fail(previous.error());
    if (!previous->has_value()) return fail(Error{ErrorCode::kNotFound, "there is no old relay key (no rotation in progress)"});
    keys = std::move(**previous);
  }
  if (!keys) return fail(keys.error());
  auto org = folder.load_org_key();
  if (!org) return fail(org.error());
  protocol::ChannelAddress address{endpoint, keys->public_key, *org};
  address.min_serial = min_serial;
  const std::string text = protocol::format_address(address);
  if (auto check = protocol::parse_address(text); !check) return fail(check.error());
  std::cout << text << "\n";
  return 0;
}

int cmd_org_key_new(const std::filesystem::path& out, bool insecure) {
  if (std::filesystem::exists(out)) {
    return fail(Error{ErrorCode::kIo, out.string() + " already exists; refusing to overwrite an organisation key"});
  }
  auto passphrase = new_passphrase();
  if (!passphrase) return fail(passphrase.error());
  crypto::SigningKeyPair org = crypto::SigningKeyPair::generate();
  const crypto::PassphraseBox box = crypto::PassphraseBox::create(*passphrase, kdf_params(insecure));
  if (Status s = os::write_file_atomically(out, box.seal(org.sk.view()), 0600); !s) return fail(s.error());
  const std::string pub = crypto::to_base64url(org.pk);
  std::filesystem::path pub_file = out;
  pub_file += ".pub";
  if (Status s = os::write_file_atomically(pub_file, as_bytes(pub + "\n"), 0644); !s) return fail(s.error());
  std::cout << "Organisation key written to " << out.string() << " (keep it offline).\n"
            << "organisation public key: " << pub << "\n";
  return 0;
}

int cmd_key_rotate(const fs::path& data) {
  const DataFolder folder{data};
  auto before = folder.load_keys();
  if (!before) return fail(before.error());
  if (Status s = folder.rotate_key(); !s) return fail(s.error());
  auto after = folder.load_keys();
  if (!after) return fail(after.error());
  std::cout << "New relay key: " << crypto::to_base64url(after->public_key) << "\n"
            << "Previous key kept as " << folder.old_key_file().string() << " for the overlap.\n"
            << "Next:\n"
            << "  1. restart `relay serve` with --endpoint on a NEW port and --old-key-endpoint on the port the\n"
            << "     published address names (one CurveZMQ socket has one key);\n"
            << "  2. publish the new address: relay address --data " << data.string()
            << " --endpoint tcp://HOST:NEWPORT;\n"
            << "  3. after the overlap: relay key retire --data " << data.string()
            << ", and restart without --old-key-endpoint.\n";
  return kExitOk;
}

int cmd_key_retire(const fs::path& data) {
  const DataFolder folder{data};
  if (Status s = folder.retire_old_key(); !s) return fail(s.error());
  std::cout << "Old relay key overwritten and removed. Restart `relay serve` without --old-key-endpoint.\n";
  return kExitOk;
}

}  // namespace meldpunt::relay
