// The channel address: the one line a reporter needs, published by the
// organisation (intranet page, poster).
//
//   meldpunt1:<relay CURVE public key>.<organisation key>@<endpoint>
//   keys in base64url without padding (43 characters each), endpoint a
//   ZeroMQ tcp:// endpoint, e.g.
//   meldpunt1:Xq3...43 chars...<dot>Ab9...43 chars...@tcp://relay.example.org:7450
//
// The relay key is pinned for CurveZMQ; the organisation key verifies the
// directory, so a reporter who has the address cannot be shown a forged list
// of advisers.
#pragma once

#include <string>
#include <string_view>

#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/keys.hpp"

namespace meldpunt::protocol {

inline constexpr std::string_view kAddressPrefix = "meldpunt1:";
inline constexpr std::size_t kMaxAddressLength = 512;

struct ChannelAddress {
  std::string endpoint;        // a ZeroMQ endpoint, tcp://host:port
  FixedBytes<32> relay_curve_pk{};  // CurveZMQ server key (binary)
  crypto::Ed25519PublicKey org_sign_pk{};
};

std::string format_address(const ChannelAddress& address);
// kMalformed with a message naming the part that is wrong.
Result<ChannelAddress> parse_address(std::string_view text);

}  // namespace meldpunt::protocol
