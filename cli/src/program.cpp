#include "meldpunt/cli/program.hpp"

#include <exception>
#include <string>

#include <CLI/CLI.hpp>

#include "meldpunt/client/terminal.hpp"
#include "meldpunt/crypto/init.hpp"

namespace meldpunt::cli {

int exit_code_for_cli11(int cli11_exit_code) {
  switch (static_cast<CLI::ExitCodes>(cli11_exit_code)) {
    case CLI::ExitCodes::Success: return kExitDone;
    // The program's own option definitions are wrong: a bug, not the user's.
    case CLI::ExitCodes::IncorrectConstruction:
    case CLI::ExitCodes::BadNameString:
    case CLI::ExitCodes::OptionAlreadyAdded:
    case CLI::ExitCodes::OptionNotFound:
    case CLI::ExitCodes::HorribleError:
    case CLI::ExitCodes::BaseClass: return kExitInternal;
    default: return kExitUsage;
  }
}

int exit_for_parse_error(const CLI::App& app, const CLI::ParseError& e) {
  return exit_code_for_cli11(app.exit(e));
}

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
