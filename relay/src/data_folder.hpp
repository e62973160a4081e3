// The relay's data folder (mode 0700):
//   relay.key   CurveZMQ server key pair: "MPRELAYKEY1" || secret (32) || public (32), mode 0600
//   org.pub     the organisation's Ed25519 public key, base64url, one line
//   store/      the LMDB environment (data.mdb, lock.mdb)
// The relay key is stored unencrypted on purpose: the relay must start
// unattended, and the key only protects transport (content is end-to-end
// encrypted). Whoever has the disk already has everything the relay knows.
#pragma once

#include <filesystem>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/keys.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::relay {

struct RelayKeys {
  crypto::Secret<32> secret;
  FixedBytes<32> public_key{};
};

struct DataFolder {
  std::filesystem::path root;

  std::filesystem::path key_file() const { return root / "relay.key"; }
  std::filesystem::path org_file() const { return root / "org.pub"; }
  std::filesystem::path store_dir() const { return root / "store"; }

  // Creates the folder (0700), the relay key and org.pub. kIo if keys exist.
  Status initialise(const crypto::Ed25519PublicKey& org_sign_pk) const;
  Result<RelayKeys> load_keys() const;
  Result<crypto::Ed25519PublicKey> load_org_key() const;
};

}  // namespace meldpunt::relay
