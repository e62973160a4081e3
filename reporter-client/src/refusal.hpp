// What a refusal by the relay means to the reporter. Every status a relay
// sends (docs/PROTOCOL.md, "Reply") has its own text saying what happened
// and what the reporter can do; the relay's own words appear only as a
// detail in parentheses (sanitised to printable ASCII by the wire parser).
#pragma once

#include <string>

#include "meldpunt/common/result.hpp"
#include "texts.hpp"

namespace meldpunt::reporter {

// The text for a refusal (error.from_relay). A status the protocol does not
// list gets a text that says so, with its number.
std::string relay_refusal(Lang lang, const Error& error);

}  // namespace meldpunt::reporter
