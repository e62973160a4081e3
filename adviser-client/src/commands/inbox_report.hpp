// The texts of an inbox run (adviser-client inbox): what happened to cases on
// standard output, notes and warnings about letters on standard error, in
// the order a person reads them on one terminal.
#pragma once

#include <functional>
#include <string_view>

#include "inbox.hpp"
#include "wording.hpp"

namespace meldpunt::adviser {

using TextSink = std::function<void(std::string_view)>;

// Writes the summary's lines to `out` and `err`; counters that are zero say nothing.
// In `lang`, with singular and plural forms (wording.hpp).
void render_inbox_summary(const InboxSummary& summary, const TextSink& out, const TextSink& err,
                          Lang lang = Lang::kEn);

}  // namespace meldpunt::adviser
