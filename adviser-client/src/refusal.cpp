#include "refusal.hpp"

#include <cstdint>

namespace meldpunt::adviser {
namespace {

std::string_view meaning(ErrorCode code) {
  switch (code) {
    case ErrorCode::kMalformed:
      return "the relay did not understand adviser-client's request, so it did nothing: adviser-client and the "
             "relay are probably different versions; update adviser-client, or ask the relay's administrator "
             "which version to use";
    case ErrorCode::kUnknownOperation:
      return "the relay does not know this request, so it did nothing: it is older than this adviser-client; "
             "ask the relay's administrator to update it";
    case ErrorCode::kTooLarge:
      return "the relay refused the request as too large, so it did nothing: send a shorter message or fewer "
             "attachments; if that does not help, update adviser-client";
    case ErrorCode::kNotFound:
      return "the relay does not have what was asked for (a message may have expired or been deleted "
             "already); try again, and if it keeps happening, ask the relay's administrator";
    case ErrorCode::kUnauthorised:
      return "the relay did not accept your signature, so it did nothing: you may no longer be in the adviser "
             "directory it publishes, or this key file is not the one on your card; ask the relay's "
             "administrator";
    case ErrorCode::kStorageFull:
      return "the relay's storage is full, so it stored nothing: try again later, and tell the relay's "
             "administrator (`relay status` shows the quotas and the free disk space)";
    case ErrorCode::kInternal:
      return "the relay failed to handle the request and stored nothing for it: try again in a few minutes; "
             "if it keeps happening, tell the relay's administrator (the relay's log says what failed)";
    case ErrorCode::kReplay:
      return "the relay has already accepted a newer request of this kind from you (a prekey upload or "
             "directory with a higher counter), so it did nothing: is this key file also in use elsewhere, or "
             "restored from an old backup? Try again tomorrow, or ask the relay's administrator";
    case ErrorCode::kUnsupportedVersion:
      return "the relay speaks another version of the protocol, so it did nothing: update adviser-client to "
             "the relay's version";
    case ErrorCode::kRateLimited:
      return "the relay is too busy right now, so it did nothing: wait a minute and run the command again";
    case ErrorCode::kOk:
    case ErrorCode::kBadCode:
    case ErrorCode::kIo:
    case ErrorCode::kUnavailable:
      break;
  }
  return {};
}

}  // namespace

std::string relay_refusal(const Error& error) {
  const std::string_view text = meaning(error.code);
  if (text.empty()) {
    return "the relay refused the request with status " +
           std::to_string(static_cast<unsigned>(static_cast<std::uint8_t>(error.code))) +
           ", which this adviser-client does not know: try again later, and update adviser-client if it keeps "
           "happening (" + error.message + ")";
  }
  return std::string(text) + " (" + error.message + ")";
}

std::string describe(const Error& error) { return error.from_relay ? relay_refusal(error) : error.message; }

}  // namespace meldpunt::adviser
