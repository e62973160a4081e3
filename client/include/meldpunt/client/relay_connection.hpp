// A client's connection to the relay: a ZeroMQ DEALER socket over CurveZMQ
// with the relay's public key pinned from the channel address, and a fresh
// client key pair for every connection so two runs of a client cannot be
// linked by their transport key.
//
// call() sends one request and waits at most `timeout` for its reply; a
// relay that does not answer gives kUnavailable, never a hang. One request is
// in flight at a time (the relay answers in order on one connection).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "meldpunt/common/result.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "meldpunt/protocol/wire.hpp"

namespace meldpunt::client {

struct ConnectionOptions {
  std::chrono::milliseconds timeout{15000};
  // "host:port" of a SOCKS5 proxy (Tor); empty for a direct connection.
  std::string socks_proxy;
  // Largest reply accepted (fetch answers grow with the store).
  std::int64_t max_reply_bytes = 512ll << 20;
};

class RelayConnection {
 public:
  RelayConnection(const protocol::ChannelAddress& address, const ConnectionOptions& options);
  ~RelayConnection();
  RelayConnection(const RelayConnection&) = delete;
  RelayConnection& operator=(const RelayConnection&) = delete;

  // The reply, or kUnavailable on time-out. A reply with an error status is
  // returned as that error (code and the relay's explanation).
  Result<protocol::Reply> call(const protocol::Frames& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace meldpunt::client
