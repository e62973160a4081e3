#include "meldpunt/crypto/init.hpp"

#include <sodium.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace meldpunt::crypto {

namespace {

Error step_failed(std::string_view step) {
  return Error{ErrorCode::kInternal, std::string(step) + " failed: " + std::strerror(errno)};
}

}  // namespace

void init() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

Status harden_process() {
  rlimit no_core{0, 0};
  if (setrlimit(RLIMIT_CORE, &no_core) != 0) return step_failed("disabling core dumps (RLIMIT_CORE)");
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return step_failed("disabling core dumps and ptrace (PR_SET_DUMPABLE)");
  // sodium_malloc locks what it allocates only while the soft limit allows
  // (often 64 KiB or 8 MiB); an unprivileged process may raise it to the
  // hard limit, and an attachment of several MiB needs it.
  rlimit memlock{};
  if (getrlimit(RLIMIT_MEMLOCK, &memlock) != 0) return step_failed("reading the locked-memory limit (RLIMIT_MEMLOCK)");
  if (memlock.rlim_cur != memlock.rlim_max) {
    memlock.rlim_cur = memlock.rlim_max;
    if (setrlimit(RLIMIT_MEMLOCK, &memlock) != 0) return step_failed("raising the locked-memory limit (RLIMIT_MEMLOCK)");
  }
  return Status::success();
}

}  // namespace meldpunt::crypto
