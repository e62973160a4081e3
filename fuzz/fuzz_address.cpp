// protocol::parse_address (the channel address a reporter pastes, whitespace
// and all). An address that parses, in either form, must format to checked
// text that parses to the same address.
#include <string_view>

#include "fuzz_common.hpp"
#include "meldpunt/protocol/channel_address.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meldpunt;
  auto address = protocol::parse_address(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!address) return 0;
  auto again = protocol::parse_address(protocol::format_address(*address));
  if (!again || again->endpoint != address->endpoint || again->relay_curve_pk != address->relay_curve_pk ||
      again->org_sign_pk != address->org_sign_pk || again->min_serial != address->min_serial || !again->checked) {
    std::abort();
  }
  return 0;
}
