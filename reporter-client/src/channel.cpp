#include "channel.hpp"

#include "meldpunt/client/terminal.hpp"
#include "meldpunt/client/text.hpp"
#include "meldpunt/os/files.hpp"

namespace meldpunt::reporter {
namespace {

// Turns a parse failure into the reporter's language: "mistyped, copy it
// again" for a checked address (ErrorSubject::kChannelMistyped), "not a
// valid channel address" otherwise. The parser's English words follow in
// brackets in English only; the sentence says what to do either way.
Error address_error(Lang lang, const Error& e) {
  const bool mistyped = e.subject == ErrorSubject::kChannelMistyped;
  std::string_view detail = e.message;
  if (mistyped) {
    // "channel address: this address is mistyped (DETAIL); copy it again":
    // the reporter's own sentence says the rest.
    const std::size_t open = detail.find('(');
    const std::size_t close = detail.rfind(')');
    if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
      detail = detail.substr(open + 1, close - open - 1);
    }
  }
  const std::string shown = english_detail(lang, client::terminal_safe_label(detail));
  return Error{ErrorCode::kMalformed, format(lang, mistyped ? Msg::kErrAddressMistyped : Msg::kErrBadAddress, {shown}),
               false, e.subject};
}

Result<protocol::ChannelAddress> parse_given(Lang lang, std::string_view given) {
  auto address = protocol::parse_address(given);
  if (!address) return address_error(lang, address.error());
  return address;
}

// Pasted at a prompt, possibly as several lines (an address wrapped by a
// mail program): lines are joined until the address parses; an empty line
// or the end of input stops with the error of what was given.
Result<protocol::ChannelAddress> ask_for_address(Lang lang) {
  std::string given;
  for (int line = 0; line < kMaxPastedAddressLines; ++line) {
    auto typed = client::read_line(text(lang, line == 0 ? Msg::kChannelPrompt : Msg::kChannelPromptMore), 1024);
    if (!typed) {
      if (typed.error().code != ErrorCode::kNotFound) return typed.error();
      break;
    }
    const std::string_view part = typed->text();
    if (part.find_first_not_of(" \t\r") == std::string_view::npos) break;
    given += part;
    given += '\n';
    if (auto address = protocol::parse_address(given)) return address;
  }
  if (given.empty()) return Error{ErrorCode::kMalformed, std::string(text(lang, Msg::kChannelNoneGiven))};
  return parse_given(lang, given);
}

}  // namespace

Result<protocol::ChannelAddress> obtain_channel(Lang lang, const ChannelSource& source) {
  Result<protocol::ChannelAddress> address = Error{ErrorCode::kInternal, ""};
  if (!source.option.empty() && !source.file.empty()) {
    return Error{ErrorCode::kMalformed, std::string(text(lang, Msg::kChannelTwoSources))};
  }
  if (!source.option.empty()) {
    address = parse_given(lang, source.option);
  } else if (!source.file.empty()) {
    auto content = os::read_file(source.file, kMaxChannelFileBytes);
    if (!content) {
      return Error{content.error().code,
                   format(lang, Msg::kChannelFileUnreadable,
                          {client::terminal_safe_label(source.file), client::terminal_safe_label(content.error().message)})};
    }
    address = parse_given(lang, std::string_view(reinterpret_cast<const char*>(content->data()), content->size()));
  } else {
    address = ask_for_address(lang);
  }
  if (address && !address->checked) client::write_err(text(lang, Msg::kChannelOldFormat));
  return address;
}

std::string shell_quote(std::string_view word) {
  const bool plain = !word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                            "0123456789-_.:/@=+,") == std::string_view::npos;
  if (plain) return std::string(word);
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string next_command(const ChannelSource& source, std::string_view command, const std::string& extra) {
  std::string line = "reporter-client " + std::string(command);
  if (!source.option.empty()) {
    // The canonical form: one line, without the whitespace it may have been
    // pasted with.
    std::string compact;
    for (char c : source.option) {
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact += c;
    }
    line += " --channel " + shell_quote(compact);
  } else if (!source.file.empty()) {
    line += " --channel-file " + shell_quote(source.file);
  }
  return client::terminal_safe_label(line + extra);
}

}  // namespace meldpunt::reporter
