#include "meldpunt/protocol/channel_address.hpp"

#include <limits>
#include <vector>

#include "meldpunt/common/bytes.hpp"
#include "meldpunt/common/pasted_text.hpp"
#include "meldpunt/crypto/hash.hpp"

namespace meldpunt::protocol {
namespace {

Error bad(std::string_view what) {
  return Error{ErrorCode::kMalformed, "channel address: " + std::string(what), false, ErrorSubject::kChannelAddress};
}

// Every fault in a checked address is a copy mistake: the organisation's
// `relay address` only writes well-formed ones.
Error mistyped(std::string_view what) {
  return Error{ErrorCode::kMalformed,
               "channel address: this address is mistyped (" + std::string(what) + "); copy it again", false,
               ErrorSubject::kChannelMistyped};
}

bool is_address_char(char c) { return c > 0x20 && c < 0x7f; }

// Accepts tcp://HOST:PORT with a non-empty host and a numeric port; nothing
// else reaches zmq_connect, so a mangled address fails here with a clear text.
bool plausible_endpoint(std::string_view endpoint) {
  constexpr std::string_view kTcp = "tcp://";
  // A host name of at most 255 characters (DNS) and a port: the checked form
  // then always fits kMaxAddressLength, whichever form was given (an old
  // address near the limit would otherwise not survive formatting).
  constexpr std::size_t kMaxEndpointLength = kTcp.size() + 255 + 1 + 5;
  if (endpoint.size() > kMaxEndpointLength) return false;
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

bool decode_key(std::string_view text, FixedBytes<32>& out) {
  auto bytes = crypto::from_base64url(text);
  if (!bytes || bytes->size() != 32) return false;
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return true;
}

// Decimal, 1 to 20 digits, no leading zero, at most 2^64 - 1: one spelling
// per value, so the check covers the text exactly.
bool decode_serial(std::string_view text, std::uint64_t& out) {
  if (text.empty() || text.size() > 20 || text[0] == '0') return false;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
    value = value * 10 + digit;
  }
  out = value;
  return true;
}

// BLAKE2b-256(domain || 0x00 || relay key || org key || min serial u64 LE ||
// endpoint), first 6 bytes, base64url: 8 characters.
std::string address_check(const ChannelAddress& a) {
  Bytes input(kAddressCheckDomain.begin(), kAddressCheckDomain.end());
  input.push_back(0);
  input.insert(input.end(), a.relay_curve_pk.begin(), a.relay_curve_pk.end());
  input.insert(input.end(), a.org_sign_pk.begin(), a.org_sign_pk.end());
  append_u64_le(input, a.min_serial);
  input.insert(input.end(), a.endpoint.begin(), a.endpoint.end());
  const crypto::FileDigest digest = crypto::file_digest(input);
  return crypto::to_base64url(ByteView(digest.data(), kAddressCheckBytes));
}

Result<ChannelAddress> parse_v1(std::string_view text) {
  const std::size_t at = text.find('@');
  if (at == std::string_view::npos) return bad("missing '@' before the endpoint");
  const std::string_view keys = text.substr(0, at);
  const std::size_t dot = keys.find('.');
  if (dot == std::string_view::npos) return bad("missing '.' between the two keys");
  ChannelAddress address;
  address.checked = false;
  if (!decode_key(keys.substr(0, dot), address.relay_curve_pk)) return bad("relay key is not 32 bytes of base64url");
  if (!decode_key(keys.substr(dot + 1), address.org_sign_pk.bytes)) {
    return bad("organisation key is not 32 bytes of base64url");
  }
  address.endpoint = std::string(text.substr(at + 1));
  if (!plausible_endpoint(address.endpoint)) return bad("endpoint must look like tcp://host:port");
  return address;
}

Result<ChannelAddress> parse_v2(std::string_view text) {
  const std::size_t at = text.find('@');
  if (at == std::string_view::npos) return mistyped("no '@' before the server's address");
  std::vector<std::string_view> parts;
  std::string_view fields = text.substr(0, at);
  for (std::size_t dot; (dot = fields.find('.')) != std::string_view::npos; fields.remove_prefix(dot + 1)) {
    parts.push_back(fields.substr(0, dot));
    if (parts.size() > 4) return mistyped("too many parts");
  }
  parts.push_back(fields);
  if (parts.size() != 3 && parts.size() != 4) return mistyped("parts are missing");
  ChannelAddress address;
  if (!decode_key(parts[0], address.relay_curve_pk)) return mistyped("the relay key is damaged");
  if (!decode_key(parts[1], address.org_sign_pk.bytes)) return mistyped("the organisation key is damaged");
  if (parts.size() == 4 && !decode_serial(parts[2], address.min_serial)) {
    return mistyped("the directory serial is damaged");
  }
  address.endpoint = std::string(text.substr(at + 1));
  if (!plausible_endpoint(address.endpoint)) return mistyped("the server's address must look like tcp://host:port");
  if (parts.back() != address_check(address)) return mistyped("its check characters do not match");
  return address;
}

}  // namespace

std::string format_address(const ChannelAddress& address) {
  std::string text = std::string(kAddressPrefix) + crypto::to_base64url(address.relay_curve_pk) + "." +
                     crypto::to_base64url(address.org_sign_pk) + ".";
  if (address.min_serial != 0) text += std::to_string(address.min_serial) + ".";
  return text + address_check(address) + "@" + address.endpoint;
}

Result<ChannelAddress> parse_address(std::string_view pasted) {
  auto compact = compact_pasted(pasted, "channel address", is_address_char, kMaxPastedAddressLength, kMaxAddressLength);
  if (!compact) {
    if (compact.error().code == ErrorCode::kTooLarge) return bad("too long");
    // "channel address: unexpected character at position N ..."
    constexpr std::string_view kWhat = "channel address: ";
    if (claims_checked_form(pasted)) return mistyped(std::string_view(compact.error().message).substr(kWhat.size()));
    return compact.error();
  }
  const std::string_view text = *compact;
  if (text.substr(0, kAddressPrefix.size()) == kAddressPrefix) return parse_v2(text.substr(kAddressPrefix.size()));
  if (text.substr(0, kAddressPrefixV1.size()) == kAddressPrefixV1) return parse_v1(text.substr(kAddressPrefixV1.size()));
  return bad("must start with meldpunt2: (or the older meldpunt1:)");
}

bool claims_checked_form(std::string_view text) {
  const std::size_t start = text.find_first_not_of(" \t\r\n");
  return start != std::string_view::npos && text.substr(start, kAddressPrefix.size()) == kAddressPrefix;
}

Status check_min_serial(const ChannelAddress& address, std::uint64_t directory_serial) {
  if (directory_serial >= address.min_serial) return Status::success();
  return Error{ErrorCode::kReplay, "the relay's adviser directory (serial " + std::to_string(directory_serial) +
                                       ") is older than this channel address allows (serial " +
                                       std::to_string(address.min_serial) +
                                       " or newer): the relay may be out of date or tampered with"};
}

}  // namespace meldpunt::protocol
