// What a refusal by the relay means to the adviser. Every status a relay
// sends (docs/PROTOCOL.md, "Reply") has its own text saying what happened
// and what the adviser can do; the relay's own words appear only as a
// detail in parentheses (sanitised to printable ASCII by the wire parser).
#pragma once

#include <string>

#include "meldpunt/common/result.hpp"

namespace meldpunt::adviser {

// The text for a refusal (error.from_relay). A status the protocol does not
// list gets a text that says so, with its number.
std::string relay_refusal(const Error& error);

// relay_refusal for a refusal, the error's own message otherwise.
std::string describe(const Error& error);

}  // namespace meldpunt::adviser
