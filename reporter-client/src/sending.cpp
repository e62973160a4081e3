#include "sending.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "attachments.hpp"
#include "conversation.hpp"
#include "interrupt.hpp"
#include "meldpunt/client/terminal.hpp"
#include "progress.hpp"

namespace meldpunt::reporter {

Result<std::uint32_t> send_once(Lang lang, client::RelayConnection& relay, const Outbox& outbox,
                                bool& message_unconfirmed, PrekeyUse& use, std::vector<client::Outgoing>& sealed) {
  message_unconfirmed = false;
  const interrupt::SendingStep step(text(lang, Msg::kInterruptStopping), text(lang, Msg::kInterruptForced));
  const Error stopped{ErrorCode::kInternal, std::string(text(lang, Msg::kInterruptNotSent))};
  if (sealed.empty()) {
    use = PrekeyUse{};
    // get-prekeys: a network wait like any other, said before it starts.
    Progress p(text(lang, Msg::kProgressPrekeys), text(lang, Msg::kProgressDone), text(lang, Msg::kProgressFailed));
    auto items = prepare_report(relay, outbox.keys, outbox.directory, outbox.to, outbox.body, outbox.sent_at, &use,
                                outbox.files);
    if (!items) return items.error();
    sealed = std::move(*items);
    p.done();
  }
  if (interrupt::stop_requested()) return stopped;
  Result<std::uint32_t> sent = Error{ErrorCode::kInternal, ""};
  if (!outbox.files.empty()) {
    sent = send_with_attachments(lang, relay, outbox.keys, outbox.files, sealed, outbox.sent_at, &message_unconfirmed);
  } else {
    std::vector<client::PreparedPiece> none;
    sent = upload_with_attachments(lang, relay, none, sealed, &message_unconfirmed);
  }
  if (!sent) return interrupt::stop_requested() ? stopped : sent.error();
  // The message went in the last deposit; a Ctrl-C while it was on its way
  // came too late to stop it.
  if (interrupt::stop_requested()) client::write_err(text(lang, Msg::kInterruptTooLate));
  return sent;
}

bool ask_yes(Lang lang, Msg prompt) {
  if (!client::stdin_is_terminal()) return false;
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto line = client::read_line(text(lang, prompt), 64);
    if (!line) return false;
    std::string word(line->text());
    word.erase(0, word.find_first_not_of(" \t\r"));
    word.erase(word.find_last_not_of(" \t\r") + 1);
    std::transform(word.begin(), word.end(), word.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (word == "y" || word == "yes" || word == "j" || word == "ja") return true;
    if (word.empty() || word == "n" || word == "no" || word == "nee") return false;
  }
  return false;
}

}  // namespace meldpunt::reporter
