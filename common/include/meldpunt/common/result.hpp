// Result<T>: a value or an Error, for failures that are expected on untrusted
// input (a bad MAC, a malformed frame, a mistyped code). Code that handles
// attacker-controlled bytes returns a Result and never throws; exceptions are
// kept for setup and programmer errors (see STYLE habit 3).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace meldpunt {

// Stable error codes. The numeric values travel on the wire (relay replies) and
// appear in exit codes, so never renumber; only append.
enum class ErrorCode : std::uint8_t {
  kOk = 0,
  kMalformed = 1,        // bytes do not parse (wrong size, bad field)
  kUnknownOperation = 2, // relay: op code not known
  kTooLarge = 3,         // a size limit was exceeded
  kNotFound = 4,         // no such message / directory / file
  kUnauthorised = 5,     // signature, MAC or token did not verify
  kStorageFull = 6,      // relay quota or map full
  kInternal = 7,         // a bug or an environment failure on the other side
  kReplay = 8,           // an old counter was presented again
  kUnsupportedVersion = 9,
  kBadCode = 10,         // a reporter code failed its check locally
  kIo = 11,              // a local file could not be read or written
  kUnavailable = 12,     // relay unreachable or timed out
  kRateLimited = 13,     // proof of work missing or flood control
};

// What an error concerns, where a program says it in other words than
// other errors of the same code. A client chooses its localised text by
// code and subject, never by searching the (English) message. Set where the
// error is made; never on the wire (a relay's reply carries its code only).
// Append only, never renumber.
enum class ErrorSubject : std::uint8_t {
  kNone = 0,
  kDirectory = 1,         // the adviser directory (its signature, serial or date)
  kPassphrase = 2,        // kUnauthorised: a passphrase did not open the file it guards
  kCaseId = 3,            // a case id as typed: its form (kMalformed), no such case (kNotFound)
  kCaseIdAmbiguous = 4,   // kMalformed: a case id prefix that several cases share
  kChannelAddress = 5,    // kMalformed: a channel address that does not parse
  kChannelMistyped = 6,   // kMalformed: a checked channel address with a copy mistake
  kFolderInUse = 7,       // kUnavailable: another program holds the folder's lock
  kFileExists = 8,        // kIo: a file that must be new (--out) exists already
  kIdentityExists = 9,    // kIo: the home folder holds an identity already
  kAttachmentNumber = 10, // kNotFound: a case has no attachment with that number
  kStatusWord = 11,       // kMalformed: a case status word the command does not know
  kStatusMove = 12,       // kMalformed: a case cannot move to that status (forward only; reopen a closed one)
  kDeadlineSetting = 13,  // kMalformed: a deadline setting outside what the law allows
  kAttachmentCount = 14,  // kTooLarge: more files than one message carries
  kAttachmentsOff = 15,   // kTooLarge: the relay accepts no attachments
  kAttachmentEmpty = 16,  // kMalformed: a file to attach is empty
  kAttachmentSize = 17,   // kTooLarge: a file to attach is over the relay's limit
  kRelaySilent = 18,      // kUnavailable: no answer from the relay (down, wrong address, network)
  kCaseLabel = 19,        // kMalformed, kTooLarge: a case label that is empty, too long or not one clean line
  kFilingId = 20,         // kMalformed: a group or kind id a case is filed under
};

// What went wrong, in words safe to show a user. Messages never contain
// secrets: callers pass descriptions, never the offending secret bytes.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  // Set by a client for an error reply of the relay: `code` is the status
  // the relay sent and `message` its explanation (sanitised), so the
  // client can say what the refusal means instead of showing it raw.
  bool from_relay = false;
  ErrorSubject subject = ErrorSubject::kNone;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                   // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}               // NOLINT
  Result(ErrorCode code, std::string message) : v_(Error{code, std::move(message)}) {}

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result for operations that return nothing on success.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  Status(ErrorCode code, std::string message) : Status(Error{code, std::move(message)}) {}
  static Status success() { return {}; }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_{ErrorCode::kOk, {}};
  bool ok_ = true;
};

}  // namespace meldpunt
