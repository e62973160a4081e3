// The reporter's command flows (new, check, reply, rotate) and the steps they
// share. main.cpp only wires the command line to these; each function says
// on stderr why it failed and returns the exit code.
//
//   flow_common.cpp  texts and failures, the connection, directory, sending
//   flow_input.cpp   the message and the code typed by the reporter
//   cmd_check.cpp    check, with who can read and hand-over answers
//   cmd_send.cpp     new, reply, rotate
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "channel.hpp"
#include "conversation.hpp"
#include "deposits.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/code.hpp"
#include "meldpunt/crypto/derive.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "sending.hpp"
#include "texts.hpp"

namespace meldpunt::reporter::flow {

inline constexpr int kExitInterrupted = 130;  // as a shell reports a Ctrl-C (interrupt.hpp)
inline constexpr int kCodeTries = 3;

struct Options {
  ChannelSource channel;  // --channel, --channel-file, or asked
  std::string file;
  std::string proxy;
  unsigned timeout_seconds = 0;  // --timeout; 0: the default for a direct or proxied connection
  std::vector<std::string> to;
  std::vector<std::string> exclude;
  std::string lang_option;
  Lang lang = Lang::kEn;
  bool insecure_kdf = false;
  bool no_editor = false;
  bool keep_old = false;
  std::vector<std::string> attach;  // --attach FILE (new, reply)
  bool attach_ask = false;          // --attach-ask (new, reply): the files from a prompt
  std::string save_attachments;     // --save FOLDER (check)
};

// ---- texts and failures (flow_common.cpp) ----

std::string_view tr(const Options& o, Msg m);
std::string fmt(const Options& o, Msg m, std::initializer_list<std::string_view> args);
// The error in the reporter's language, chosen by its kind (code, subject,
// from_relay), never by its text.
std::string localise(const Options& o, const Error& e);
// Print "Error: ..." and return kExitFailed.
int fail(const Options& o, const Error& e);
int fail(const Options& o, Msg m, std::initializer_list<std::string_view> args = {});
crypto::KdfParams kdf(const Options& o);
std::string adviser_label(const Options& o, const crypto::DirectoryEntry& e);
std::string names_of(const Options& o, const crypto::Directory& directory, const std::vector<crypto::AdviserId>& ids);
int fail_prepare(const Options& o, const crypto::Directory& directory, const PrekeyUse& use, const Error& e);
void tell_prekey_use(const Options& o, const crypto::Directory& directory, const PrekeyUse& use);

// ---- the relay (flow_common.cpp) ----

client::ConnectionOptions connection_options(const Options& o);
Result<crypto::Directory> connect_and_fetch_directory(const Options& o, client::RelayConnection& relay,
                                                      const protocol::ChannelAddress& address);
Result<Conversation> load_conversation(const Options& o, client::RelayConnection& relay,
                                       const crypto::ReporterKeys& keys, const crypto::Directory& directory);
Result<std::uint32_t> upload(const Options& o, client::RelayConnection& relay,
                             const std::vector<client::Outgoing>& items);
void show_retention(const Options& o, std::uint32_t days);
void show_readers(const Options& o, const crypto::Directory& directory, const std::vector<crypto::AdviserId>& ids);
crypto::ReporterKeys derive(const Options& o, const crypto::ReporterCode& code, const protocol::ChannelAddress& address);
std::string carried_options(const Options& o);
int send_keeping(const Options& o, const protocol::ChannelAddress& address,
                 std::unique_ptr<client::RelayConnection>& relay, const Outbox& outbox, std::uint32_t& days,
                 PrekeyUse& use);

// What check, reply and rotate start from: the code typed at `prompt` (a
// typo is caught before any network traffic), its keys, the relay, the
// verified directory and the conversation rebuilt from the relay.
struct OpenConversation {
  protocol::ChannelAddress address;
  crypto::ReporterCode code;
  crypto::ReporterKeys keys;
  std::unique_ptr<client::RelayConnection> relay;
  crypto::Directory directory;
  Conversation conversation;
};

Result<OpenConversation> open_conversation(const Options& o, Msg prompt);

// ---- what the reporter types (flow_input.cpp) ----

Result<crypto::SecretBuffer> read_message_until_given(const Options& o, std::size_t max_bytes);
Result<crypto::ReporterCode> ask_code(const Options& o, Msg prompt);
Result<crypto::ReporterCode> issue_code(const Options& o, const std::string& readers,
                                        Msg confirm_prompt = Msg::kCodeConfirmPrompt);
Result<crypto::ReporterCode> issue_code_until_confirmed(const Options& o, const std::string& readers);

// ---- the commands ----

int cmd_new(const Options& o);     // cmd_send.cpp
int cmd_reply(const Options& o);   // cmd_send.cpp
int cmd_rotate(const Options& o);  // cmd_send.cpp
int cmd_check(const Options& o);   // cmd_check.cpp

}  // namespace meldpunt::reporter::flow
