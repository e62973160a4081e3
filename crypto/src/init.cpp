#include "meldpunt/crypto/init.hpp"

#include <sodium.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <stdexcept>

namespace meldpunt::crypto {

void init() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

bool harden_process() {
  bool ok = true;
  rlimit no_core{0, 0};
  if (setrlimit(RLIMIT_CORE, &no_core) != 0) ok = false;
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) ok = false;
  // sodium_malloc locks what it allocates only while the soft limit allows
  // (often 64 KiB or 8 MiB); an unprivileged process may raise it to the
  // hard limit, and an attachment of several MiB needs it.
  rlimit memlock{};
  if (getrlimit(RLIMIT_MEMLOCK, &memlock) != 0) {
    ok = false;
  } else if (memlock.rlim_cur != memlock.rlim_max) {
    memlock.rlim_cur = memlock.rlim_max;
    if (setrlimit(RLIMIT_MEMLOCK, &memlock) != 0) ok = false;
  }
  return ok;
}

}  // namespace meldpunt::crypto
