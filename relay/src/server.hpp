// The relay's serving loop: a ZeroMQ ROUTER socket with CurveZMQ, one
// thread, group commit of deposits, clean shutdown on SIGINT/SIGTERM.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "meldpunt/crypto/secret.hpp"
#include "request_handler.hpp"

namespace meldpunt::relay {

struct ServerOptions {
  std::string endpoint = "tcp://127.0.0.1:7450";
  // Most requests taken from the socket before one group commit.
  std::size_t max_batch = 256;
};

// Serves until `stop` becomes true (set from a signal handler). Every
// acknowledged deposit was committed before its reply was sent. Throws on
// setup failure (endpoint in use, bad key).
void serve(RequestHandler& handler, const crypto::Secret<32>& curve_secret_key, const ServerOptions& options,
           const std::atomic<bool>& stop);

}  // namespace meldpunt::relay
