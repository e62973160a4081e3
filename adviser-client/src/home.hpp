// The adviser's home folder (default ~/.meldpunt-adviser, mode 0700):
//
//   identity.key   key file (PassphraseBox; mode 0600)
//   card.txt       the public adviser card (mode 0644)
//   channel.txt    the channel address of the last network command that
//                  worked (public, mode 0600; older homes may hold 0644)
//   store/         the encrypted LMDB case store (data.mdb, lock.mdb; 0600)
//   lock           flock(2) target: one inbox run at a time per home folder
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/secret.hpp"
#include "meldpunt/os/folder_lock.hpp"
#include "meldpunt/protocol/channel_address.hpp"

namespace meldpunt::adviser {

struct Home {
  std::filesystem::path root;

  std::filesystem::path key_file() const { return root / "identity.key"; }
  std::filesystem::path card_file() const { return root / "card.txt"; }
  std::filesystem::path store_folder() const { return root / "store"; }
  std::filesystem::path lock_file() const { return root / "lock"; }
  std::filesystem::path channel_file() const { return root / "channel.txt"; }
};

// The channel address kept in channel.txt: nullopt if there is none, the
// address in its canonical form otherwise. A file that does not hold a
// current (checked) address is refused (kMalformed, naming the file), never
// silently replaced by a guess. An adviser's home folder already shows that
// its owner works with the channel, so keeping the public address there
// reveals nothing new; a reporter's client keeps none.
Result<std::optional<std::string>> stored_channel(const Home& home);

// Keeps `address` in channel.txt (atomically, mode 0600). Only a checked
// (meldpunt2:) address is kept: kMalformed for the old form. Callers store
// an address only after a command with it reached the relay and worked, so
// a mistyped --channel never replaces a good one.
Status store_channel(const Home& home, const protocol::ChannelAddress& address);

// $HOME/.meldpunt-adviser (the password database's home if HOME is unset).
std::filesystem::path default_home_folder();

// Creates `folder` (and missing parents) with mode 0700. An existing folder
// must be ours and closed to other users (kIo otherwise, with what to do):
// it is never chmod'ed, so a mistyped --home cannot lock others out of, say, /tmp.
Status make_private_folder(const std::filesystem::path& folder);

// The home folder's lock (os::FolderLock on lock_file, never followed if a
// symlink): one adviser-client at a time. kUnavailable if another holds it.
Result<os::FolderLock> lock_home_folder(const std::filesystem::path& lock_file);

// Lets the adviser write a message in $VISUAL / $EDITOR (vi if neither is
// set). The scratch file lives in a fresh 0700 folder in memory-backed
// storage when there is one ($XDG_RUNTIME_DIR or /dev/shm, else
// `fallback_folder`), and is overwritten with zeros and removed afterwards.
// kNotFound if the editor left the file empty, kIo if it failed.
Result<crypto::SecretBuffer> compose_in_editor(const std::filesystem::path& fallback_folder, std::size_t max_bytes);

}  // namespace meldpunt::adviser
