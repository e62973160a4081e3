#include "refusal.hpp"

#include <cstdint>

namespace meldpunt::reporter {

std::string relay_refusal(Lang lang, const Error& error) {
  const std::string detail = english_detail(lang, error.message);
  auto says = [&](Msg m) { return format(lang, m, {detail}); };
  switch (error.code) {
    case ErrorCode::kMalformed: return says(Msg::kErrRelayMalformed);
    case ErrorCode::kUnknownOperation: return says(Msg::kErrRelayUnknownOperation);
    case ErrorCode::kTooLarge: return says(Msg::kErrRelayTooLarge);
    case ErrorCode::kNotFound: return says(Msg::kErrRelayNotFound);
    case ErrorCode::kUnauthorised: return says(Msg::kErrRelayUnauthorised);
    case ErrorCode::kStorageFull: return says(Msg::kErrRelayStorageFull);
    case ErrorCode::kInternal: return says(Msg::kErrRelayInternal);
    case ErrorCode::kReplay: return says(Msg::kErrRelayReplay);
    case ErrorCode::kUnsupportedVersion: return says(Msg::kErrRelayVersion);
    case ErrorCode::kRateLimited: return says(Msg::kErrRelayBusy);
    case ErrorCode::kOk:  // not a refusal; a relay sending it with an error is confused
    case ErrorCode::kBadCode:
    case ErrorCode::kIo:
    case ErrorCode::kUnavailable:
      break;
  }
  return format(lang, Msg::kErrRelayUnknownStatus,
                {detail, std::to_string(static_cast<unsigned>(static_cast<std::uint8_t>(error.code)))});
}

}  // namespace meldpunt::reporter
