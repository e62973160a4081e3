// Helpers for tests that drive the relay's RequestHandler directly.
#pragma once

#include <catch2/catch.hpp>

#include <vector>

#include "meldpunt/crypto/random.hpp"
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
    Status s = handler.commit_deposits(batch).front();
    reply = s ? relay::RequestHandler::deposit_reply(batch[0])
              : protocol::make_error_reply(s.error().code, s.error().message);
  }
  auto parsed = protocol::parse_reply(views(reply));
  REQUIRE(parsed.ok());
  return std::move(parsed).value();
}

// A fetch or get-prekeys carrying a proof worth the price the handler
// announces now (tests keep prices small).
inline protocol::Frames paid_request(relay::RequestHandler& handler, protocol::Op op) {
  const protocol::Reply reply = call_handler(handler, protocol::request_header_only(protocol::Op::kGetPolicy));
  auto policy = protocol::decode_policy(reply.fields);
  REQUIRE(policy.ok());
  const std::uint64_t work = op == protocol::Op::kFetch ? policy->fetch_work : policy->prekeys_work;
  REQUIRE(work <= (std::uint64_t{1} << 24));  // tests keep prices small
  // A random start, so two requests never spend the same proof.
  auto nonce = crypto::pow_solve_work(policy->challenge, crypto::pow_request_body(static_cast<std::uint8_t>(op)), work,
                                      std::uint64_t{1} << 32, crypto::random_below(UINT32_MAX));
  REQUIRE(nonce);
  return protocol::make_priced_request(op, {policy->challenge, *nonce});
}

}  // namespace meldpunt::test_support
