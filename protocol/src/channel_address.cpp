#include "meldpunt/protocol/channel_address.hpp"

namespace meldpunt::protocol {
namespace {

Error bad(std::string_view what) {
  return Error{ErrorCode::kMalformed, "channel address: " + std::string(what)};
}

// Accepts tcp://HOST:PORT with a non-empty host and a numeric port; nothing
// else reaches zmq_connect, so a mangled address fails here with a clear text.
bool plausible_endpoint(std::string_view endpoint) {
  constexpr std::string_view kTcp = "tcp://";
  if (endpoint.substr(0, kTcp.size()) != kTcp) return false;
  const std::string_view rest = endpoint.substr(kTcp.size());
  const std::size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size()) return false;
  const std::string_view port = rest.substr(colon + 1);
  if (port.size() > 5) return false;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
  }
  for (char c : rest.substr(0, colon)) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

}  // namespace

std::string format_address(const ChannelAddress& address) {
  return std::string(kAddressPrefix) + crypto::to_base64url(address.relay_curve_pk) + "." +
         crypto::to_base64url(address.org_sign_pk) + "@" + address.endpoint;
}

Result<ChannelAddress> parse_address(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  if (text.size() > kMaxAddressLength) return bad("too long");
  if (text.substr(0, kAddressPrefix.size()) != kAddressPrefix) return bad("must start with meldpunt1:");
  text.remove_prefix(kAddressPrefix.size());
  const std::size_t at = text.find('@');
  if (at == std::string_view::npos) return bad("missing '@' before the endpoint");
  const std::string_view keys = text.substr(0, at);
  const std::size_t dot = keys.find('.');
  if (dot == std::string_view::npos) return bad("missing '.' between the two keys");

  ChannelAddress address;
  auto relay = crypto::from_base64url(keys.substr(0, dot));
  if (!relay || relay->size() != 32) return bad("relay key is not 32 bytes of base64url");
  std::copy(relay->begin(), relay->end(), address.relay_curve_pk.begin());
  auto org = crypto::from_base64url(keys.substr(dot + 1));
  if (!org || org->size() != 32) return bad("organisation key is not 32 bytes of base64url");
  std::copy(org->begin(), org->end(), address.org_sign_pk.begin());
  address.endpoint = std::string(text.substr(at + 1));
  if (!plausible_endpoint(address.endpoint)) return bad("endpoint must look like tcp://host:port");
  return address;
}

}  // namespace meldpunt::protocol
