// The relay's serving loop: ZeroMQ ROUTER sockets with CurveZMQ on one
// thread, group commit of deposits, per-connection flood control, an
// optional second endpoint with the previous key (key rotation overlap), an
// optional local admin socket, clean shutdown on SIGINT/SIGTERM.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "front_door.hpp"
#include "http_door.hpp"
#include "meldpunt/crypto/secret.hpp"
#include "rate_limiter.hpp"
#include "request_handler.hpp"

namespace meldpunt::relay {

// The serving loop's own state, for the admin socket (counts only).
struct ServerLoad {
  std::size_t fetches_waiting = 0;         // paid, queued for the fetch worker
  std::size_t fetches_running = 0;         // on the worker now (0 or 1)
  std::size_t max_pending_fetches = 0;     // waiting + running allowed; beyond, the cheapest is refused
  std::uint64_t fetches_refused_busy = 0;  // paid fetches answered busy since start (refused, pushed out, expired)
  std::uint64_t fetches_expired = 0;       // of those, dropped uncomputed after waiting too long
  // The front door's figures (front_door.hpp); unset when the ROUTERs bind
  // the public endpoints themselves.
  struct Door {
    std::uint64_t open = 0, max_connections = 0, held_bytes = 0, max_held_bytes = 0;
    std::uint64_t accepted = 0, refused_full = 0, evicted = 0, handshake_timeouts = 0, idle_timeouts = 0,
                  write_timeouts = 0, protocol_errors = 0, over_budget = 0, descriptor_shortages = 0;
  };
  std::optional<Door> front_door;
  std::optional<HttpDoorFigures> http_door;  // unset without the HTTP door
};

struct ServerOptions {
  std::string endpoint = "tcp://127.0.0.1:7450";
  // Most requests taken from the sockets before one group commit.
  std::size_t max_batch = 256;
  // During a key rotation's overlap: the previous key on its own endpoint
  // (one CurveZMQ socket has one server key), both set or both empty.
  std::string old_key_endpoint;
  const crypto::Secret<32>* old_curve_secret_key = nullptr;
  // Local admin socket (an ipc:// endpoint in the data folder, no CURVE:
  // the folder's mode 0700 is the access control). Each request is one
  // short text command; admin_handler's answer is sent back, and gets the
  // loop's state at that moment (it runs on the serving thread). Empty: none.
  std::string admin_endpoint;
  std::function<std::string(std::string_view command, const ServerLoad& load)> admin_handler;
  // Per-connection token buckets (the HTTP door's requests share one); a
  // fetch costs 1 + stored messages / 100 tokens (its work grows with the
  // store), everything else 1.
  RateLimit rate_limit;
  // Complete requests queued per connection before libzmq stops reading it.
  int receive_hwm = 64;
  // Replies queued per connection; beyond, the ROUTER drops them. Behind the
  // front door a client has one request outstanding, so one is queued at most.
  int send_hwm = 4;
  // The front door (front_door.hpp): it owns `endpoint` and
  // `old_key_endpoint`, ends CurveZMQ with the matching key, and hands
  // requests to this loop's inproc ROUTERs. Unset: CURVE ROUTERs bind the
  // public endpoints themselves (unit tests of the loop).
  struct FrontDoorSetup {
    FrontDoorLimits limits;
  };
  std::optional<FrontDoorSetup> front_door;
  // The HTTP door (http_door.hpp): the page, the channel address and the
  // API over HTTP, its requests served by this loop like the ROUTERs'.
  // Unset: no HTTP.
  std::optional<HttpDoorSetup> http_door;
  // Called on the serving thread about once a second (housekeeping).
  std::function<void()> tick;
  // Paid fetches run on one worker thread so the serving loop keeps
  // answering (a fetch of 100k stored messages takes seconds), most paid
  // first (fetch_scheduler.hpp). At most this many wait for it or run on
  // it; beyond, the cheapest is answered kRateLimited (`relay serve
  // --max-pending-fetches`; 1 counts as 2).
  std::size_t max_pending_fetches = 32;
  // A fetch whose answer could not be ready within this (plus 0.1 ms per
  // stored message) of its arrival is dropped uncomputed (`--fetch-max-wait`):
  // the clients' 15 s timeout, so no work is done for one that left, and
  // none that still waits is dropped.
  double fetch_max_wait_seconds = 15;
};

// Serves until `stop` becomes true (set from a signal handler). Every
// acknowledged deposit was committed before its reply was sent. Throws on
// setup failure (endpoint in use, bad key). A request that fails is
// answered (the handler turns every failure into a reply, see
// request_handler.hpp); a tick that throws is logged and tried again at the
// next one: neither ends serving.
void serve(RequestHandler& handler, const crypto::Secret<32>& curve_secret_key, const ServerOptions& options,
           const std::atomic<bool>& stop);

}  // namespace meldpunt::relay
