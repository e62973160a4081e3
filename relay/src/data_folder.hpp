// The relay's data folder (mode 0700):
//   relay.key      CurveZMQ server key pair: "MPRELAYKEY1" || secret (32) || public (32), mode 0600
//   relay.key.old  the previous key pair during a key rotation's overlap (same format)
//   org.pub        the organisation's Ed25519 public key, base64url, one line
//   store/         the LMDB environment (data.mdb, lock.mdb)
//   admin.sock     the running relay's local admin socket (ZeroMQ ipc://)
//   serve.lock     held (flock) by the running `relay serve`
// The relay key is stored unencrypted on purpose: the relay must start
// unattended, and the key only protects transport (content is end-to-end
// encrypted). Whoever has the disk already has everything the relay knows.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/keys.hpp"
#include "meldpunt/crypto/secret.hpp"
#include "meldpunt/os/folder_lock.hpp"

namespace meldpunt::relay {

struct RelayKeys {
  crypto::Secret<32> secret;
  FixedBytes<32> public_key{};
};

struct DataFolder {
  std::filesystem::path root;

  std::filesystem::path key_file() const { return root / "relay.key"; }
  std::filesystem::path old_key_file() const { return root / "relay.key.old"; }
  std::filesystem::path org_file() const { return root / "org.pub"; }
  std::filesystem::path store_dir() const { return root / "store"; }
  std::filesystem::path lock_file() const { return root / "serve.lock"; }
  std::filesystem::path admin_socket() const { return root / "admin.sock"; }
  // "ipc://<absolute path of admin.sock>"; kMalformed if the path is too
  // long for a Unix socket address.
  Result<std::string> admin_endpoint() const;
  // The absolute path of a socket file in the folder; kMalformed if it is
  // too long for a Unix socket address (108 bytes with the final NUL).
  Result<std::string> socket_path(const std::filesystem::path& file) const;

  // Creates the folder (0700), the relay key and org.pub. kIo if keys exist.
  Status initialise(const crypto::Ed25519PublicKey& org_sign_pk) const;
  Result<RelayKeys> load_keys() const;
  // The previous key during a rotation's overlap; nullopt when there is none.
  Result<std::optional<RelayKeys>> load_old_keys() const;
  Result<crypto::Ed25519PublicKey> load_org_key() const;

  // Key rotation: the current key becomes relay.key.old and a new key
  // relay.key. kIo if an old key still exists (retire it first): only one
  // overlap at a time. Takes effect when `relay serve` next starts.
  Status rotate_key() const;
  // Ends the overlap: wipes and removes relay.key.old. kNotFound if none.
  Status retire_old_key() const;
};

// An exclusive, non-blocking lock on the data folder (flock on serve.lock,
// never followed if a symlink), held while the object lives: one `relay
// serve` per folder, and `relay restore` only while none serves.
// kUnavailable if another process holds it; kIo on other failures.
Result<os::FolderLock> lock_data_folder(const DataFolder& folder);

}  // namespace meldpunt::relay
