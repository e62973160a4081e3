// The steps every reporter-client command shares: texts and failures, the
// connection to the relay, the directory and the conversation, sending.
#include <algorithm>
#include <cstdlib>
#include <memory>

#include "attachments.hpp"
#include "channel.hpp"
#include "choose_advisers.hpp"
#include "clock.hpp"
#include "conversation.hpp"
#include "deposits.hpp"
#include "flow.hpp"
#include "interrupt.hpp"
#include "meldpunt/cli/program.hpp"
#include "meldpunt/client/directory_check.hpp"
#include "meldpunt/client/retrieval.hpp"
#include "meldpunt/client/terminal.hpp"
#include "meldpunt/client/text.hpp"
#include "progress.hpp"
#include "refusal.hpp"
#include "sending.hpp"
#include "texts.hpp"

namespace meldpunt::reporter::flow {

using client::write_err;
using client::write_out;
using cli::kExitFailed;

namespace {
constexpr std::chrono::milliseconds kDirectConnectTimeout{10000};
constexpr std::chrono::milliseconds kDirectRequestTimeout{30000};
// Tor builds a circuit before the first byte reaches the relay.
constexpr std::chrono::milliseconds kProxyConnectTimeout{90000};
constexpr std::chrono::milliseconds kProxyRequestTimeout{90000};
}  // namespace

// ---- small helpers ----

std::string_view tr(const Options& o, Msg m) { return reporter::text(o.lang, m); }
std::string fmt(const Options& o, Msg m, std::initializer_list<std::string_view> args) {
  return reporter::format(o.lang, m, args);
}

std::string localise(const Options& o, const Error& e) {
  if (e.from_relay) return reporter::relay_refusal(o.lang, e);
  switch (e.code) {
    case ErrorCode::kUnavailable: return fmt(o, Msg::kErrUnreachable, {english_detail(o.lang, e.message)});
    case ErrorCode::kUnauthorised:
      if (e.subject == ErrorSubject::kDirectory) return std::string(tr(o, Msg::kErrDirectory));
      return fmt(o, Msg::kErrNotAuthentic, {english_detail(o.lang, e.message)});
    // The relay asked for more proof of work than this client will do.
    case ErrorCode::kRateLimited: return fmt(o, Msg::kErrRelayBusy, {english_detail(o.lang, e.message)});
    // An adviser directory older than one this client can know of (the
    // channel address's minimum serial, the conversation's own letters) or
    // expired: client/directory_check.hpp, protocol::check_min_serial.
    case ErrorCode::kReplay: return fmt(o, Msg::kErrOldDirectory, {english_detail(o.lang, e.message)});
    default: return e.message;
  }
}

int fail(const Options& o, const Error& e) {
  write_err(std::string(tr(o, Msg::kErrorPrefix)) + localise(o, e) + "\n");
  return kExitFailed;
}

int fail(const Options& o, Msg m, std::initializer_list<std::string_view> args) {
  write_err(std::string(tr(o, Msg::kErrorPrefix)) + fmt(o, m, args) + "\n");
  return kExitFailed;
}

crypto::KdfParams kdf(const Options& o) {
  return o.insecure_kdf ? crypto::KdfParams::insecure_for_tests() : crypto::KdfParams::production();
}

std::string adviser_label(const Options& o, const crypto::DirectoryEntry& e) {
  return client::terminal_safe_label(e.name) + " (" + std::string(reporter::role_text(o.lang, e.role)) + ")";
}

std::string names_of(const Options& o, const crypto::Directory& directory, const std::vector<crypto::AdviserId>& ids) {
  std::string out;
  for (const crypto::AdviserId& id : ids) {
    const crypto::DirectoryEntry* e = directory.find(id);
    if (!out.empty()) out += ", ";
    out += e != nullptr ? client::terminal_safe_label(e->name) : std::string(tr(o, Msg::kAdviserNoLongerListed));
  }
  return out;
}

// A prepare_* call failed: plainly when an adviser had no medium-term prekey
// (nothing is ever sealed to the long-term key alone), else as any error.
int fail_prepare(const Options& o, const crypto::Directory& directory, const reporter::PrekeyUse& use,
                 const Error& e) {
  if (!use.without_medium.empty()) return fail(o, Msg::kNoMediumPrekey, {names_of(o, directory, use.without_medium)});
  return fail(o, e);
}

// Said after sending: which advisers got the letters without a one-time
// prekey, and what that means.
void tell_prekey_use(const Options& o, const crypto::Directory& directory, const reporter::PrekeyUse& use) {
  if (!use.without_one_time.empty()) {
    write_out(fmt(o, Msg::kNoOneTimePrekey, {names_of(o, directory, use.without_one_time)}));
  }
}

// ---- connection ----

client::ConnectionOptions connection_options(const Options& o) {
  client::ConnectionOptions c;
  if (o.proxy.empty()) {
    c.connect_timeout = kDirectConnectTimeout;
    c.timeout = kDirectRequestTimeout;
  } else {
    c.socks_proxy = *client::parse_socks_proxy(o.proxy);  // checked in main()
    c.connect_timeout = kProxyConnectTimeout;
    c.timeout = kProxyRequestTimeout;
  }
  if (o.timeout_seconds > 0) c.timeout = std::chrono::seconds(o.timeout_seconds);
  // A busy relay is asked again after a pause: say so, rather than seem to hang.
  c.on_retry = [&o](const client::RetryNotice& n) {
    const auto seconds = (n.delay.count() + 999) / 1000;
    write_err(fmt(o, Msg::kRelayBusyRetry,
                  {std::to_string(seconds), std::to_string(n.next_attempt), std::to_string(n.max_attempts)}));
  };
  return c;
}

Result<crypto::Directory> connect_and_fetch_directory(const Options& o, client::RelayConnection& relay,
                                                      const protocol::ChannelAddress& address) {
  // Once per run, where the first connection is made: what a direct
  // connection gives away (docs/THREAT_MODEL.md).
  if (o.proxy.empty()) write_err(tr(o, Msg::kNoProxyNote));
  reporter::Progress p(fmt(o, Msg::kProgressConnect, {o.proxy.empty() ? "" : " (" + o.proxy + ")"}),
                       tr(o, Msg::kProgressDone), tr(o, Msg::kProgressFailed));
  // Below the address's minimum serial (kReplay from fetch_directory), expired,
  // or without a date when that is no longer accepted: refused before anything
  // is written. The serial is checked against the conversation's own letters
  // once they are read (open_conversation).
  auto directory = client::fetch_directory(relay, address);
  if (!directory) return directory;
  if (Status fresh = client::check_directory_fresh(*directory, {}, reporter::now_seconds()); !fresh) {
    return fresh.error();
  }
  p.done();
  return directory;
}

Result<reporter::Conversation> load_conversation(const Options& o, client::RelayConnection& relay,
                                                 const crypto::ReporterKeys& keys, const crypto::Directory& directory) {
  reporter::Progress p(tr(o, Msg::kProgressFetch), tr(o, Msg::kProgressDone), tr(o, Msg::kProgressFailed));
  client::MailboxKeys mk;
  mk.fetch_sk = &keys.fetch_sk;
  mk.message_sk = &keys.message_sk;
  mk.message_pk = keys.message_pk;
  auto answer = client::fetch_answer(relay);
  if (!answer) return answer.error();
  auto mailbox = client::read_mailbox(relay, *answer, mk);
  if (!mailbox) return mailbox.error();
  p.done();
  reporter::Conversation conversation = reporter::build_conversation(std::move(mailbox).value(), keys, directory);
  conversation.answer = std::move(answer).value();
  return conversation;
}

// Deposits the envelopes (with the proof of work the relay asks for) and
// returns how many days the relay keeps them.
Result<std::uint32_t> upload(const Options& o, client::RelayConnection& relay,
                             const std::vector<client::Outgoing>& items) {
  reporter::Progress p(count_text(o.lang, Counted::kSendingEnvelopes, items.size(),
                                  {client::describe_size(reporter::envelope_bytes(items))}),
                       tr(o, Msg::kProgressDone), tr(o, Msg::kProgressFailed));
  protocol::PolicyInfo policy;
  auto ids = client::deposit_all(relay, items, &policy);
  if (!ids) return ids.error();
  p.done();
  return policy.retention_days;
}

void show_retention(const Options& o, std::uint32_t days) {
  if (days > 0) write_out(fmt(o, Msg::kRetention, {std::to_string(days)}));
}

// ---- the directory and the choice of readers ----

// Exactly who can read what is about to be sent, and who cannot.
void show_readers(const Options& o, const crypto::Directory& directory, const std::vector<crypto::AdviserId>& ids) {
  write_out(tr(o, Msg::kReadersHeading));
  for (const crypto::AdviserId& id : ids) {
    const crypto::DirectoryEntry* e = directory.find(id);
    write_out("  - " + (e != nullptr ? adviser_label(o, *e) : std::string(tr(o, Msg::kAdviserNoLongerListed))) + "\n");
  }
  std::vector<crypto::AdviserId> others;
  for (const crypto::DirectoryEntry& e : directory.entries) {
    if (std::find(ids.begin(), ids.end(), e.id) == ids.end()) others.push_back(e.id);
  }
  if (!others.empty()) write_out(fmt(o, Msg::kReadersNotHeading, {names_of(o, directory, others)}));
  write_out(tr(o, Msg::kReadersRelayCannot));
}

crypto::ReporterKeys derive(const Options& o, const crypto::ReporterCode& code, const protocol::ChannelAddress& address) {
  reporter::Progress p(tr(o, Msg::kProgressDerive), tr(o, Msg::kProgressDone), tr(o, Msg::kProgressFailed));
  crypto::ReporterKeys keys = crypto::derive_reporter_keys(code, address.org_sign_pk, kdf(o));
  p.done();
  return keys;
}


// The options that the next command needs as well, beyond the address.
std::string carried_options(const Options& o) {
  std::string extra;
  if (!o.lang_option.empty()) extra += " --lang " + o.lang_option;
  if (!o.proxy.empty()) extra += " --proxy " + reporter::shell_quote(o.proxy);
  if (o.timeout_seconds > 0) extra += " --timeout " + std::to_string(o.timeout_seconds);
  if (o.insecure_kdf) extra += " --insecure-test-kdf";
  return extra;
}

// Sends `outbox`; when an attempt fails the message stays in locked memory
// and, on a terminal, the reporter may try again over a fresh connection.
// Returns 0 once sent (how long the relay keeps it in `days`), else the exit
// code, having said why.
int send_keeping(const Options& o, const protocol::ChannelAddress& address,
                 std::unique_ptr<client::RelayConnection>& relay, const reporter::Outbox& outbox, std::uint32_t& days,
                 reporter::PrekeyUse& use) {
  std::vector<client::Outgoing> sealed;  // kept for every later attempt (send_once)
  for (;;) {
    bool unconfirmed = false;
    auto sent = reporter::send_once(o.lang, *relay, outbox, unconfirmed, use, sealed);
    if (sent) {
      days = *sent;
      reporter::interrupt::set_exit_text(tr(o, Msg::kInterruptAfterSent));
      return 0;
    }
    if (reporter::interrupt::stop_requested()) {
      write_err(sent.error().message);
      return kExitInterrupted;
    }
    // No medium-term prekey for an adviser: trying again now would not help.
    if (!use.without_medium.empty()) return fail_prepare(o, outbox.directory, use, sent.error());
    write_err(std::string(tr(o, Msg::kErrorPrefix)) + localise(o, sent.error()) + "\n");
    if (!reporter::ask_yes(o.lang, unconfirmed ? Msg::kKeptMaybeSentPrompt : Msg::kKeptRetryPrompt)) {
      if (!unconfirmed) write_err(tr(o, Msg::kKeptGivenUp));
      return kExitFailed;
    }
    // A connection that failed stays failed: a new one for the next try.
    relay = std::make_unique<client::RelayConnection>(address, connection_options(o));
  }
}

// issue_code, offered again (a new code) on a terminal after three
// mistyped confirmations (kBadCode; the end of input is kNotFound), so that
Result<OpenConversation> open_conversation(const Options& o, Msg prompt) {
  auto address = reporter::obtain_channel(o.lang, o.channel);
  if (!address) return address.error();
  auto code = ask_code(o, prompt);
  if (!code) return code.error();
  crypto::ReporterKeys keys = derive(o, *code, *address);
  auto relay = std::make_unique<client::RelayConnection>(*address, connection_options(o));
  auto directory = connect_and_fetch_directory(o, *relay, *address);
  if (!directory) return directory.error();
  auto conversation = load_conversation(o, *relay, keys, *directory);
  if (!conversation) return conversation.error();
  // The reporter's own letters carry the newest directory serial it had
  // seen: a relay serving an older directory to this code is refused.
  if (Status fresh = client::check_directory_fresh(*directory, {conversation->highest_directory_serial, false},
                                                   reporter::now_seconds());
      !fresh) {
    return fresh.error();
  }
  return OpenConversation{std::move(address).value(), std::move(code).value(),   std::move(keys),
                          std::move(relay),           std::move(directory).value(), std::move(conversation).value()};
}

}  // namespace meldpunt::reporter::flow
