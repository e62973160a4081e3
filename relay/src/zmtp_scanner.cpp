#include "zmtp_scanner.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace meldpunt::relay {
namespace {

constexpr std::uint8_t kFlagMore = 0x01;
constexpr std::uint8_t kFlagLong = 0x02;
constexpr std::uint8_t kFlagCommand = 0x04;
constexpr std::uint8_t kFlagsReserved = 0xF8;
constexpr std::string_view kMessage = "\x07MESSAGE";
constexpr std::size_t kPrefixBytes = 8;
constexpr std::size_t kMechanismAt = 12, kMechanismBytes = 20, kAsServerAt = 32;

// The command the handshake expects next from this side ("" = none).
bool command_name_ok(ZmtpScanner::Side side, unsigned index, std::string_view prefix) {
  auto starts = [&](std::string_view name) {
    const std::size_t n = std::min(name.size(), prefix.size());
    return n > 0 && prefix.substr(0, n) == name.substr(0, n);
  };
  if (side == ZmtpScanner::Side::kClient) return starts(index == 0 ? "\x05HELLO" : "\x08INITIATE");
  return starts(index == 0 ? "\x07WELCOME" : "\x05READY") || starts("\x05ERROR");
}

}  // namespace

bool is_api_header(const ZmtpScanner::Frame& frame) {
  return !frame.command && frame.body == kCurveMessageOverhead + 2;
}

ZmtpScanner::Step ZmtpScanner::fail(std::size_t consumed, std::string message) {
  state_ = State::kFailed;
  error_ = std::move(message);
  return {consumed, Event::kError};
}

// Checks the greeting byte just collected; false when it breaks the rules.
bool ZmtpScanner::check_greeting_byte(std::size_t i) {
  const std::uint8_t b = greeting_[i];
  if (i == 0) return b == 0xFF;
  if (i == 9) return (b & 0x01) != 0;  // 0x7F; libzmq takes a clear low bit for ZMTP 1.0
  if (i == 10) return b >= 3;          // CURVE needs ZMTP 3
  if (i >= kMechanismAt && i < kMechanismAt + kMechanismBytes) {
    static constexpr char kCurve[kMechanismBytes] = {'C', 'U', 'R', 'V', 'E'};  // NUL-padded
    return b == static_cast<std::uint8_t>(kCurve[i - kMechanismAt]);
  }
  if (i == kAsServerAt) return b <= 1;  // libzmq 4.3 sends 0 from either side
  return true;
}

// The flags and size are known: checks them and sets up the frame.
bool ZmtpScanner::header_done() {
  std::uint64_t size = 0;
  if ((flags_ & kFlagLong) != 0) {
    for (std::size_t i = 0; i < 8; ++i) size = (size << 8) | field_[i];
  } else {
    size = field_[0];
  }
  frame_ = Frame{};
  frame_.start = offset_ - ((flags_ & kFlagLong) != 0 ? 9 : 2);
  frame_.body = size;
  frame_.total = size + ((flags_ & kFlagLong) != 0 ? 9 : 2);
  frame_.command = (flags_ & kFlagCommand) != 0;
  if (frame_.command) {
    if (saw_message_ || commands_ >= limits_.max_commands) {
      error_ = "a command frame after the handshake";
      return false;
    }
    if (size < 2 || size > limits_.max_command_body) {
      error_ = "a handshake command of " + std::to_string(size) + " bytes";
      return false;
    }
    if ((flags_ & kFlagMore) != 0) {
      error_ = "a command frame with the more flag";
      return false;
    }
  } else {
    if (commands_ < limits_.max_commands) {
      error_ = "a message before the handshake ended";
      return false;
    }
    if ((flags_ & kFlagMore) != 0) {
      error_ = "a message frame with the more flag in the clear";  // CURVE hides it
      return false;
    }
    if (size < kCurveMessageOverhead || (limits_.max_message_body != 0 && size > limits_.max_message_body)) {
      error_ = "a message frame of " + std::to_string(size) + " bytes";
      return false;
    }
  }
  return true;
}

ZmtpScanner::Step ZmtpScanner::scan(ByteView input) {
  std::size_t used = 0;
  while (used < input.size()) {
    switch (state_) {
      case State::kFailed:
        return {used, Event::kError};
      case State::kGreeting: {
        greeting_[have_] = input[used++];
        ++offset_;
        if (!check_greeting_byte(have_)) {
          return fail(used, "not a ZMTP 3 CURVE " + std::string(side_ == Side::kClient ? "client" : "server") +
                                " greeting (byte " + std::to_string(have_) + ")");
        }
        if (++have_ == kZmtpGreetingBytes) {
          have_ = 0;
          state_ = State::kFlags;
          return {used, Event::kGreeting};
        }
        break;
      }
      case State::kFlags: {
        flags_ = input[used++];
        ++offset_;
        if ((flags_ & kFlagsReserved) != 0) return fail(used, "reserved frame flags set");
        have_ = 0;
        state_ = State::kSize;
        break;
      }
      case State::kSize: {
        field_[have_++] = input[used++];
        ++offset_;
        const std::size_t need = (flags_ & kFlagLong) != 0 ? 8 : 1;
        if (have_ < need) break;
        if (!header_done()) return fail(used, error_);
        have_ = 0;
        left_ = frame_.body;
        state_ = State::kPrefix;
        if (left_ == 0) {  // only a command could be empty, and header_done refused it
          state_ = State::kFlags;
          return {used, Event::kFrame};
        }
        break;
      }
      case State::kPrefix: {
        field_[have_++] = input[used++];
        ++offset_;
        --left_;
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kPrefixBytes, frame_.body));
        if (have_ < want) break;
        const std::string_view prefix(reinterpret_cast<const char*>(field_.data()), have_);
        if (frame_.command) {
          if (!command_name_ok(side_, commands_, prefix)) return fail(used, "an unexpected handshake command");
          frame_.ready = side_ == Side::kServer && prefix.substr(0, 6) == "\x05READY";
          ++commands_;
        } else {
          if (prefix != kMessage) return fail(used, "a message frame that is not a CURVE MESSAGE");
          saw_message_ = true;
        }
        state_ = left_ == 0 ? State::kFlags : State::kBody;
        return {used, Event::kFrame};
      }
      case State::kBody: {
        const std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(left_, input.size() - used));
        used += n;
        offset_ += n;
        left_ -= n;
        if (left_ == 0) state_ = State::kFlags;
        break;
      }
    }
  }
  return {used, state_ == State::kFailed ? Event::kError : Event::kNeedMore};
}

}  // namespace meldpunt::relay
