// Sending a message the reporter typed (`new`, `reply`) without losing it:
// one attempt at a time, with a progress line before every network wait,
// Ctrl-C stopping only at a safe point, and the question whether to try
// again when an attempt fails. The message and its files stay in locked
// memory (crypto::SecretBuffer) the whole time and are wiped on exit.
#pragma once

#include <cstdint>
#include <vector>

#include "meldpunt/client/attachment.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/derive.hpp"
#include "deposits.hpp"
#include "texts.hpp"

namespace meldpunt::reporter {

struct Outbox {
  const crypto::ReporterKeys& keys;
  const crypto::Directory& directory;
  const std::vector<crypto::AdviserId>& to;
  const crypto::SecretBuffer& body;
  const std::vector<client::FileToSend>& files;
  std::uint64_t sent_at = 0;
};

// One attempt: the advisers' keys (prepare_report), then the attachments'
// pieces and the message (send_with_attachments, or one deposit without
// files), inside an interrupt::SendingStep. Returns how many days the relay
// keeps messages. When Ctrl-C stopped it before the message was stored,
// returns an error and interrupt::stop_requested() is true; if the message
// was already stored, says so and returns success. `*message_unconfirmed`:
// the failure came while the message's own deposit waited for its answer,
// so it may have been stored after all.
// `use` says which prekeys the letters went to (an adviser without a valid
// medium-term prekey makes the attempt fail before anything is sent).
// `sealed`: the message's envelopes, sealed by the first attempt that got
// that far and sent as they are by every later one (docs/PROTOCOL.md
// "Deposit retries": a message that may have arrived is sent again byte for
// byte, so its readers keep one copy; sealed anew it would be a second
// letter). Empty at the first attempt.
Result<std::uint32_t> send_once(Lang lang, client::RelayConnection& relay, const Outbox& outbox,
                                bool& message_unconfirmed, PrekeyUse& use, std::vector<client::Outgoing>& sealed);

// On a terminal, asks `prompt` (a yes/no question) and returns true for
// yes; an empty line, the end of input or anything else (three times) is no.
// Without a terminal nobody can answer: false, without asking.
bool ask_yes(Lang lang, Msg prompt);

}  // namespace meldpunt::reporter
