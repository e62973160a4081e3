// Where the reporter's channel address comes from, and the command to run
// next, printed in full.
//
// The address is public, but having it on a computer shows that someone
// there uses the channel. So nothing is stored by default:
//   --channel ADDRESS    as before; the address then stays in the shell's
//                        history (~/.bash_history), visible to whoever uses
//                        or inspects this account later;
//   --channel-file FILE  a file the reporter chose to keep (a USB stick, an
//                        encrypted folder); opt-in, explained in the guide;
//   neither              the client asks for it and it is pasted (from a
//                        password manager or the organisation's intranet
//                        page): nothing reaches disk or shell history.
// Whitespace and line breaks are ignored (protocol::parse_address), so an
// address pasted in pieces works; a checked (meldpunt2) address that does not
// parse is reported as mistyped before any network traffic. An old address
// without check (meldpunt1) still works, with a note on stderr.
#pragma once

#include <string>

#include "meldpunt/common/result.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "texts.hpp"

namespace meldpunt::reporter {

inline constexpr std::size_t kMaxChannelFileBytes = 4096;
inline constexpr int kMaxPastedAddressLines = 8;

struct ChannelSource {
  std::string option;  // --channel
  std::string file;    // --channel-file
};

// The parsed address, or an error whose message is already in `lang`.
Result<protocol::ChannelAddress> obtain_channel(Lang lang, const ChannelSource& source);

// What to type next, in full: the program, `command`, how the address is
// given (the same way as this time), and `extra` options (e.g. --proxy).
std::string next_command(const ChannelSource& source, std::string_view command, const std::string& extra);

// A word for a shell, in single quotes when it needs any.
std::string shell_quote(std::string_view word);

}  // namespace meldpunt::reporter
