// What a refusal by the relay means to the adviser. Every status a relay
// sends (docs/PROTOCOL.md, "Reply") has its own text saying what happened
// and what the adviser can do, in English and Dutch; in English the relay's
// own words follow as a detail in parentheses (sanitised to printable ASCII
// by the wire parser). In Dutch they are left out: they are English, and
// `--lang en` shows them.
#pragma once

#include <string>

#include "meldpunt/cli/language.hpp"
#include "meldpunt/common/result.hpp"

namespace meldpunt::adviser {

// The text for a refusal (error.from_relay), chosen by its status. A status
// the protocol does not list gets a text that says so, with its number.
std::string relay_refusal(cli::Lang lang, const Error& error);

// relay_refusal in English for a refusal, the error's own message otherwise.
std::string describe(const Error& error);

}  // namespace meldpunt::adviser
