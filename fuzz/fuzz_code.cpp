// ReporterCode::parse and diagnose on arbitrary typed text: they agree, and a
// code that parses shows as text that parses to the same code.
#include <string_view>

#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  fuzz::FixedKeys::get();  // crypto::init()
  const std::string_view typed(reinterpret_cast<const char*>(data), size);
  auto code = crypto::ReporterCode::parse(typed);
  const auto problem = crypto::ReporterCode::diagnose(typed);
  if (code.ok() == problem.has_value()) std::abort();
  if (!code) {
    if (code.error().code != ErrorCode::kBadCode) std::abort();
    if (problem->group && (*problem->group < 1 || *problem->group > 6)) std::abort();
    return 0;
  }
  if (code->canonical().size() != crypto::kCodeSymbols) std::abort();
  const crypto::SecretBuffer shown = code->display();
  auto again = crypto::ReporterCode::parse(shown.text());
  if (!again || !again->equals(*code)) std::abort();
  return 0;
}
