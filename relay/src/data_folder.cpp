#include "data_folder.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <zmq.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "meldpunt/os/files.hpp"

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

// A fresh CurveZMQ key pair written to `path` (mode 0600, atomically).
Status write_new_key(const std::filesystem::path& path) {
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
  return os::write_file_atomically(path, file.view(), 0600);
}

Result<RelayKeys> load_key_file(const std::filesystem::path& path) {
  auto content = os::read_file(path, 1024);
  if (!content) return content.error();
  crypto::SecretBuffer bytes = crypto::SecretBuffer::copy_of(*content);
  std::fill(content->begin(), content->end(), std::uint8_t{0});
  if (bytes.size() != kKeyMagic.size() + 64 ||
      std::string_view(reinterpret_cast<const char*>(bytes.data()), kKeyMagic.size()) != kKeyMagic) {
    return Error{ErrorCode::kMalformed, path.string() + " is not a relay key file"};
  }
  RelayKeys keys;
  keys.secret = crypto::Secret<32>::from(bytes.view().subspan(kKeyMagic.size(), 32));
  const ByteView pub = bytes.view().subspan(kKeyMagic.size() + 32, 32);
  std::copy(pub.begin(), pub.end(), keys.public_key.begin());
  return keys;
}


}  // namespace

Result<std::string> DataFolder::socket_path(const std::filesystem::path& file) const {
  std::error_code ec;
  std::filesystem::path path = std::filesystem::absolute(file, ec);
  if (ec) return Error{ErrorCode::kIo, "cannot resolve " + file.string()};
  std::string text = path.lexically_normal().string();
  if (text.size() + 1 > sizeof(sockaddr_un{}.sun_path)) {
    return Error{ErrorCode::kMalformed, "the data folder path is too long for the socket " + text +
                                            "; use a shorter path"};
  }
  return text;
}

Result<std::string> DataFolder::admin_endpoint() const {
  auto path = socket_path(admin_socket());
  if (!path) return path.error();
  return "ipc://" + *path;
}

Status DataFolder::initialise(const crypto::Ed25519PublicKey& org_sign_pk) const {
  if (std::filesystem::exists(key_file())) {
    return Error{ErrorCode::kIo, key_file().string() + " already exists; refusing to overwrite the relay key"};
  }
  if (Status s = make_private_dir(root); !s) return s;
  if (Status s = make_private_dir(store_dir()); !s) return s;
  if (Status s = write_new_key(key_file()); !s) return s;
  const std::string org_line = crypto::to_base64url(org_sign_pk) + "\n";
  return os::write_file_atomically(org_file(), as_bytes(org_line), 0644);
}

Result<RelayKeys> DataFolder::load_keys() const {
  auto keys = load_key_file(key_file());
  if (!keys && keys.error().code != ErrorCode::kMalformed) {
    return Error{keys.error().code, keys.error().message + " (run `relay init` first)"};
  }
  return keys;
}

Result<std::optional<RelayKeys>> DataFolder::load_old_keys() const {
  std::error_code ec;
  if (!std::filesystem::exists(old_key_file(), ec)) return std::optional<RelayKeys>{};
  auto keys = load_key_file(old_key_file());
  if (!keys) return keys.error();
  return std::optional<RelayKeys>(std::move(keys).value());
}

Result<crypto::Ed25519PublicKey> DataFolder::load_org_key() const {
  auto content = os::read_file(org_file(), 1024);
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

Status DataFolder::rotate_key() const {
  if (auto current = load_keys(); !current) return current.error();
  std::error_code ec;
  if (std::filesystem::exists(old_key_file(), ec)) {
    return Error{ErrorCode::kIo, old_key_file().string() +
                                     " exists: a previous rotation is still in its overlap; run `relay key retire` "
                                     "first"};
  }
  const std::filesystem::path fresh = root / "relay.key.new";
  if (Status s = write_new_key(fresh); !s) return s;
  // link() never replaces, so a concurrent rotation cannot lose a key; the
  // rename then swaps the new key in atomically.
  if (::link(key_file().c_str(), old_key_file().c_str()) != 0) {
    const int err = errno;
    std::filesystem::remove(fresh, ec);
    return Error{ErrorCode::kIo, "cannot keep the current key as " + old_key_file().string() + ": " +
                                     std::strerror(err)};
  }
  if (::rename(fresh.c_str(), key_file().c_str()) != 0) {
    return Error{ErrorCode::kIo, "cannot install the new key: " + std::string(std::strerror(errno))};
  }
  return os::sync_directory(root);
}

Status DataFolder::retire_old_key() const {
  const int fd = ::open(old_key_file().c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return Error{ErrorCode::kNotFound, "there is no old relay key to retire"};
    return Error{ErrorCode::kIo, "cannot open " + old_key_file().string() + ": " + std::strerror(errno)};
  }
  // Overwrite in place before unlinking so the secret does not linger in the
  // file's blocks (best effort: journalling or copy-on-write file systems
  // and SSDs may keep copies; see docs/OPERATIONS.md).
  struct stat st {};
  bool wiped = ::fstat(fd, &st) == 0;
  if (wiped) {
    const Bytes zeros(static_cast<std::size_t>(st.st_size), 0);
    wiped = ::write(fd, zeros.data(), zeros.size()) == static_cast<ssize_t>(zeros.size()) && ::fsync(fd) == 0;
  }
  ::close(fd);
  if (!wiped) return Error{ErrorCode::kIo, "cannot overwrite " + old_key_file().string()};
  if (::unlink(old_key_file().c_str()) != 0) {
    return Error{ErrorCode::kIo, "cannot remove " + old_key_file().string() + ": " + std::strerror(errno)};
  }
  return os::sync_directory(root);
}

Result<os::FolderLock> lock_data_folder(const DataFolder& folder) {
  return os::FolderLock::acquire(folder.lock_file(),
                                 "a relay is serving from " + folder.root.string() + " (stop it first)");
}

}  // namespace meldpunt::relay
