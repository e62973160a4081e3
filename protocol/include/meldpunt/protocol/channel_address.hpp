// The channel address: the one line a reporter needs, published by the
// organisation (intranet page, poster). Byte-level rules: docs/PROTOCOL.md,
// "Channel address".
//
//   meldpunt2:<relay CURVE key>.<organisation key>[.<min serial>].<check>@<endpoint>
//   keys in base64url without padding (43 characters each); min serial in
//   decimal (left out when 0); check = 8 base64url characters, the first 6
//   bytes of BLAKE2b-256 over a domain and the fields; endpoint a ZeroMQ
//   tcp:// endpoint, e.g.
//   meldpunt2:Xq3…43…<dot>Ab9…43…<dot>12<dot>k3Jd9aQx@tcp://relay.example.org:7450
//
// The relay key is pinned for CurveZMQ; the organisation key verifies the
// directory, so a reporter who has the address cannot be shown a forged list
// of advisers; the minimum serial stops a relay from showing a directory
// older than the address; the check turns a copy mistake into "mistyped"
// before any network traffic, instead of an error that reads like an attack.
//
// The older form `meldpunt1:<relay>.<org>@<endpoint>` (no check, no minimum
// serial) is still accepted; `checked` tells which form was given.
// Whitespace anywhere (line breaks from e-mail, a wrapped terminal) is ignored.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/keys.hpp"

namespace meldpunt::protocol {

inline constexpr std::string_view kAddressPrefix = "meldpunt2:";
inline constexpr std::string_view kAddressPrefixV1 = "meldpunt1:";
inline constexpr std::string_view kAddressCheckDomain = "meldpunt/v1/address";
inline constexpr std::size_t kAddressCheckBytes = 6;  // 8 base64url characters
inline constexpr std::size_t kMaxAddressLength = 512;  // without whitespace
inline constexpr std::size_t kMaxPastedAddressLength = 4096;  // as given

struct ChannelAddress {
  std::string endpoint;        // a ZeroMQ endpoint, tcp://host:port
  FixedBytes<32> relay_curve_pk{};  // CurveZMQ server key (binary)
  crypto::Ed25519PublicKey org_sign_pk{};
  // Clients refuse a signed directory with a lower serial (0: no minimum).
  std::uint64_t min_serial = 0;
  // Whether the text carried a check (meldpunt2); format_address always
  // writes one.
  bool checked = true;
};

// Always the checked (meldpunt2) form.
std::string format_address(const ChannelAddress& address);
// kMalformed with a message naming the part that is wrong; for a meldpunt2
// address whose check does not match, or that is damaged in any other way,
// the message says it is mistyped and must be copied again (kTooLarge beyond
// the length limits).
Result<ChannelAddress> parse_address(std::string_view text);

// True when `text` (as given, whitespace allowed) claims the checked form, so
// that any failure to parse it is a copy mistake rather than a wrong address.
bool claims_checked_form(std::string_view text);

// Refuses (kReplay) a verified directory whose serial is below the address's
// minimum: a relay showing an older directory than the organisation
// published with this address.
Status check_min_serial(const ChannelAddress& address, std::uint64_t directory_serial);

}  // namespace meldpunt::protocol
