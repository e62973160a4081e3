// The programs' start-up and its failure. What concerns CLI11 (its exit codes)
// is in cli11_texts.cpp, the one file of this library that includes CLI11.
#include "meldpunt/cli/program.hpp"

#include <exception>
#include <string>

#include "meldpunt/client/terminal.hpp"
#include "meldpunt/crypto/init.hpp"

namespace meldpunt::cli {

Status start_up() {
  try {
    crypto::init();
  } catch (const std::exception& e) {
    return Error{ErrorCode::kInternal, e.what()};
  }
  return crypto::harden_process();
}

int fail_start_up(std::string_view program, const Error& e) {
  client::write_err(std::string(program) + ": internal error: " + e.message + "; refusing to run\n");
  return kExitInternal;
}

}  // namespace meldpunt::cli
