#include "data_folder.hpp"

#include <sys/stat.h>
#include <zmq.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "meldpunt/crypto/passphrase_box.hpp"

namespace meldpunt::relay {
namespace {

constexpr std::string_view kKeyMagic = "MPRELAYKEY1";

Status make_private_dir(const std::filesystem::path& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Error{ErrorCode::kIo, "cannot create " + dir.string() + ": " + std::strerror(errno)};
  }
  if (::chmod(dir.c_str(), 0700) != 0) {
    return Error{ErrorCode::kIo, "cannot set mode 0700 on " + dir.string() + ": " + std::strerror(errno)};
  }
  return Status::success();
}

}  // namespace

Status DataFolder::initialise(const crypto::Ed25519PublicKey& org_sign_pk) const {
  if (std::filesystem::exists(key_file())) {
    return Error{ErrorCode::kIo, key_file().string() + " already exists; refusing to overwrite the relay key"};
  }
  if (Status s = make_private_dir(root); !s) return s;
  if (Status s = make_private_dir(store_dir()); !s) return s;

  // libzmq makes the key pair (Z85); we keep it binary.
  std::array<char, 41> public_z85{};
  crypto::SecretBuffer secret_z85(41);
  if (zmq_curve_keypair(public_z85.data(), reinterpret_cast<char*>(secret_z85.data())) != 0) {
    return Error{ErrorCode::kInternal, "libzmq has no CURVE support"};
  }
  crypto::SecretBuffer file = crypto::SecretBuffer::copy_of(kKeyMagic);
  crypto::SecretBuffer secret(32);
  FixedBytes<32> pub{};
  if (zmq_z85_decode(secret.data(), reinterpret_cast<const char*>(secret_z85.data())) == nullptr ||
      zmq_z85_decode(pub.data(), public_z85.data()) == nullptr) {
    return Error{ErrorCode::kInternal, "cannot decode CurveZMQ keys"};
  }
  file.append(secret.view());
  file.append(pub);
  if (Status s = crypto::write_file_atomically(key_file(), file.view(), 0600); !s) return s;
  const std::string org_line = crypto::to_base64url(org_sign_pk) + "\n";
  return crypto::write_file_atomically(org_file(), as_bytes(org_line), 0644);
}

Result<RelayKeys> DataFolder::load_keys() const {
  auto content = crypto::read_file(key_file(), 1024);
  if (!content) {
    return Error{content.error().code, content.error().message + " (run `relay init` first)"};
  }
  crypto::SecretBuffer bytes = crypto::SecretBuffer::copy_of(*content);
  std::fill(content->begin(), content->end(), std::uint8_t{0});
  if (bytes.size() != kKeyMagic.size() + 64 ||
      std::string_view(reinterpret_cast<const char*>(bytes.data()), kKeyMagic.size()) != kKeyMagic) {
    return Error{ErrorCode::kMalformed, key_file().string() + " is not a relay key file"};
  }
  RelayKeys keys;
  keys.secret = crypto::Secret<32>::from(bytes.view().subspan(kKeyMagic.size(), 32));
  const ByteView pub = bytes.view().subspan(kKeyMagic.size() + 32, 32);
  std::copy(pub.begin(), pub.end(), keys.public_key.begin());
  return keys;
}

Result<crypto::Ed25519PublicKey> DataFolder::load_org_key() const {
  auto content = crypto::read_file(org_file(), 1024);
  if (!content) return content.error();
  std::string text(content->begin(), content->end());
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  auto bytes = crypto::from_base64url(text);
  if (!bytes || bytes->size() != 32) {
    return Error{ErrorCode::kMalformed, org_file().string() + " does not hold a base64url Ed25519 key"};
  }
  crypto::Ed25519PublicKey pk{};
  std::copy(bytes->begin(), bytes->end(), pk.begin());
  return pk;
}

}  // namespace meldpunt::relay
