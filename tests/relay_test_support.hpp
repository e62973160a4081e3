// Helpers for tests that drive the relay's RequestHandler directly.
#pragma once

#include <catch2/catch.hpp>

#include <vector>

#include "meldpunt/protocol/wire.hpp"
#include "request_handler.hpp"

namespace meldpunt::test_support {

inline std::vector<ByteView> views(const protocol::Frames& frames) {
  std::vector<ByteView> v;
  for (const Bytes& f : frames) v.emplace_back(f);
  return v;
}

// Runs one request through the handler as the server would; a deposit is
// committed at once (a group commit of one).
inline protocol::Reply call_handler(relay::RequestHandler& handler, const protocol::Frames& request) {
  auto outcome = handler.handle(views(request));
  protocol::Frames reply = outcome.reply;
  if (outcome.deposit) {
    const std::vector<relay::PreparedDeposit> batch{std::move(*outcome.deposit)};
    Status s = handler.commit_deposits(batch);
    reply = s ? relay::RequestHandler::deposit_reply(batch[0])
              : protocol::make_error_reply(s.error().code, s.error().message);
  }
  auto parsed = protocol::parse_reply(views(reply));
  REQUIRE(parsed.ok());
  return std::move(parsed).value();
}

}  // namespace meldpunt::test_support
