// The OS helpers: descriptors, folder locks, atomic writes, directory syncs
// and file copies (os/).
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common.hpp"
#include "meldpunt/os/files.hpp"
#include "meldpunt/os/folder_lock.hpp"
#include "meldpunt/os/unique_fd.hpp"

using namespace meldpunt;
using namespace meldpunt::os;
using namespace meldpunt::test_support;

namespace {

bool fd_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

Bytes file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("UniqueFd hands its descriptor over on move and closes it once", "[os]") {
  const int raw = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  REQUIRE(raw >= 0);
  {
    UniqueFd first(raw);
    UniqueFd second(std::move(first));
    CHECK_FALSE(first.valid());  // NOLINT(bugprone-use-after-move): the contract under test
    CHECK(second.get() == raw);
    CHECK(fd_open(raw));
    UniqueFd third;
    CHECK_FALSE(third.valid());
    third = std::move(second);
    CHECK(third.get() == raw);
    CHECK(fd_open(raw));
    // Assigning over a held descriptor closes the old one.
    const int other = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    REQUIRE(other >= 0);
    third = UniqueFd(other);
    CHECK_FALSE(fd_open(raw));
    CHECK(fd_open(other));
    CHECK(third.close_checked());
    CHECK_FALSE(third.valid());
    CHECK_FALSE(fd_open(other));
  }
  const int again = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  REQUIRE(again >= 0);
  {
    UniqueFd scoped(again);
    UniqueFd moved(std::move(scoped));
  }
  CHECK_FALSE(fd_open(again));
}

TEST_CASE("FolderLock: one holder at a time, released on destruction, kept across a move", "[os]") {
  TempDir dir;
  const auto lock_file = dir.path() / "lock";
  auto first = FolderLock::acquire(lock_file, "busy: try later");
  REQUIRE(first.ok());
  auto second = FolderLock::acquire(lock_file, "busy: try later");
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == ErrorCode::kUnavailable);
  CHECK(second.error().message == "busy: try later");
  struct stat st {};
  REQUIRE(::stat(lock_file.c_str(), &st) == 0);
  CHECK((st.st_mode & 077) == 0);
  {
    FolderLock moved = std::move(first).value();
    CHECK(FolderLock::acquire(lock_file, "busy").error().code == ErrorCode::kUnavailable);
  }
  CHECK(FolderLock::acquire(lock_file, "busy").ok());
  auto missing = FolderLock::acquire(dir.path() / "no-such-folder" / "lock", "busy");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kIo);
}

TEST_CASE("FolderLock refuses a lock file that is a symlink", "[os]") {
  TempDir dir;
  // To a file that does not exist: nothing is created at the target.
  std::filesystem::create_symlink(dir.path() / "target", dir.path() / "lock");
  auto dangling = FolderLock::acquire(dir.path() / "lock", "busy");
  REQUIRE_FALSE(dangling.ok());
  CHECK(dangling.error().code == ErrorCode::kIo);
  CHECK(dangling.error().message.find("symbolic link") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "target"));
  // To an existing file (say another user's): refused, the file untouched.
  { std::ofstream(dir.path() / "theirs") << "keep"; }
  std::filesystem::create_symlink(dir.path() / "theirs", dir.path() / "lock2");
  CHECK(FolderLock::acquire(dir.path() / "lock2", "busy").error().code == ErrorCode::kIo);
  CHECK(file_bytes(dir.path() / "theirs") == Bytes{'k', 'e', 'e', 'p'});
}

TEST_CASE("write_file_atomically and read_file", "[os]") {
  TempDir dir;
  const auto path = dir.path() / "identity.key";
  const Bytes first = hex("0102030405");
  REQUIRE(write_file_atomically(path, first).ok());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  auto read = read_file(path, 1024);
  REQUIRE(read.ok());
  CHECK(*read == first);

  const Bytes second(5000, 0xab);
  REQUIRE(write_file_atomically(path, second).ok());
  read = read_file(path, 1024 * 1024);
  REQUIRE(read.ok());
  CHECK(*read == second);
  CHECK(dir.names() == std::vector<std::string>{"identity.key"});

  const auto shared = dir.path() / "public.txt";
  REQUIRE(write_file_atomically(shared, first, 0644).ok());
  REQUIRE(::stat(shared.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0644);

  // Bounds.
  auto exact = read_file(path, second.size());
  CHECK(exact.ok());
  auto over = read_file(path, second.size() - 1);
  REQUIRE_FALSE(over.ok());
  CHECK(over.error().code == ErrorCode::kTooLarge);
  auto missing = read_file(dir.path() / "nope", 10);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
  auto folder = read_file(dir.path(), 10);
  REQUIRE_FALSE(folder.ok());
  CHECK(folder.error().code == ErrorCode::kIo);

  // Failure: folder does not exist. kIo, the path named, the content not.
  const ByteView secret_content = as_bytes("TOPSECRETCONTENT");
  auto failed = write_file_atomically(dir.path() / "missing" / "f", secret_content);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == ErrorCode::kIo);
  CHECK(failed.error().message.find("TOPSECRET") == std::string::npos);
  CHECK(failed.error().message.find("missing") != std::string::npos);

  // Failure after the temp file exists: the target is a folder, rename fails.
  std::filesystem::create_directory(dir.path() / "taken");
  std::filesystem::create_directory(dir.path() / "taken" / "sub");
  auto rename_failed = write_file_atomically(dir.path() / "taken", first);
  REQUIRE_FALSE(rename_failed.ok());
  CHECK(rename_failed.error().code == ErrorCode::kIo);
  auto names = dir.names();
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"identity.key", "public.txt", "taken"});
}

TEST_CASE("write_file_atomically keeps the old file when writing fails", "[os]") {
  TempDir dir;
  const auto path = dir.path() / "state";
  const Bytes old_content(100, 0x11);
  REQUIRE(write_file_atomically(path, old_content).ok());
  // A file-size limit below the new content makes write() fail half-way
  // (EFBIG; SIGXFSZ ignored so the test process survives).
  struct sigaction ignore {}, previous {};
  ignore.sa_handler = SIG_IGN;
  REQUIRE(::sigaction(SIGXFSZ, &ignore, &previous) == 0);
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  rlimit small = saved;
  small.rlim_cur = 4096;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  const Status failed = write_file_atomically(path, Bytes(64 * 1024, 0x22));
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &saved) == 0);
  REQUIRE(::sigaction(SIGXFSZ, &previous, nullptr) == 0);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == ErrorCode::kIo);
  CHECK(file_bytes(path) == old_content);
  CHECK(dir.names() == std::vector<std::string>{"state"});  // no temp file left behind
}

TEST_CASE("write_file_atomically killed at any moment leaves the old or the new file", "[os]") {
  TempDir dir;
  const auto path = dir.path() / "state";
  // Large enough that a kill often lands inside a write.
  const Bytes a(256 * 1024, 0xaa), b(256 * 1024 + 7, 0xbb);
  REQUIRE(write_file_atomically(path, a).ok());
  for (int round = 0; round < 20; ++round) {
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      for (int i = 0;; ++i) (void)write_file_atomically(path, i % 2 ? a : b);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500 + 250 * round));
    ::kill(child, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    const Bytes now = file_bytes(path);
    const bool whole = now == a || now == b;
    CHECK(whole);
  }
  // Killed writers may leave temp files, never a damaged target.
  for (const std::string& name : dir.names()) {
    CHECK((name == "state" || name.rfind("state.tmp-", 0) == 0));
  }
}

TEST_CASE("sync_directory syncs folders and names what it cannot sync", "[os]") {
  TempDir dir;
  CHECK(sync_directory(dir.path()).ok());
  const auto missing = sync_directory(dir.path() / "gone");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kIo);
  CHECK(missing.error().message.find("gone") != std::string::npos);
  { std::ofstream(dir.path() / "file") << "x"; }
  CHECK(sync_directory(dir.path() / "file").error().code == ErrorCode::kIo);  // not a folder
}

TEST_CASE("copy_file_synced copies exactly into a new file only", "[os]") {
  TempDir dir;
  Bytes content(300 * 1024 + 13);
  for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<std::uint8_t>(i * 31 + 7);
  REQUIRE(write_file_atomically(dir.path() / "from", content, 0644).ok());
  REQUIRE(copy_file_synced(dir.path() / "from", dir.path() / "to").ok());
  CHECK(file_bytes(dir.path() / "to") == content);
  struct stat st {};
  REQUIRE(::stat((dir.path() / "to").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  // Never replaces a file.
  REQUIRE(write_file_atomically(dir.path() / "existing", as_bytes("keep")).ok());
  const Status refused = copy_file_synced(dir.path() / "from", dir.path() / "existing");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kIo);
  CHECK(file_bytes(dir.path() / "existing") == Bytes{'k', 'e', 'e', 'p'});
  // A missing source creates nothing.
  CHECK(copy_file_synced(dir.path() / "nope", dir.path() / "to2").error().code == ErrorCode::kIo);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "to2"));
  // A source that fails mid-read (a folder: read() gives EISDIR) leaves no partial copy.
  std::filesystem::create_directory(dir.path() / "folder");
  CHECK(copy_file_synced(dir.path() / "folder", dir.path() / "to3").error().code == ErrorCode::kIo);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "to3"));
}
