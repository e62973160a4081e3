#include "server.hpp"

#include <sys/stat.h>
#include <zmq.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <vector>
#include <zmq.hpp>

#include "fetch_scheduler.hpp"
#include "http_door.hpp"
#include "log.hpp"

namespace meldpunt::relay {
namespace {

using protocol::Frames;

// A request as received: the ROUTER routing id followed by the client's frames.
struct Incoming {
  std::size_t socket = 0;  // which ROUTER socket it came from (0 current key, 1 old key)
  zmq::message_t routing_id;
  std::vector<zmq::message_t> frames;
  bool oversized = false;  // more frames than any valid request has; dropped unread
  bool cancel = false;     // a door's client went away (a tag without frames)
};

// The doors' sockets carry [tag, frames...] (front_door.hpp, http_door.hpp):
// the tag joins the routing id, so each front door connection and each HTTP
// request is a connection of its own for
// flood control and its answer finds its way back.
static_assert(kFrontDoorTagBytes == kHttpTagBytes, "send_reply splits both doors' tags alike");

zmq::message_t joined(const zmq::message_t& id, const zmq::message_t& tag) {
  zmq::message_t out(id.size() + tag.size());
  std::memcpy(out.data(), id.data(), id.size());
  std::memcpy(static_cast<std::uint8_t*>(out.data()) + id.size(), tag.data(), tag.size());
  return out;
}

// Reads one whole multipart message (never more than kMaxRequestFrames frames
// kept; the rest is drained so the socket stays in sync).
bool receive(zmq::socket_t& socket, Incoming& in, bool tagged) {
  zmq::message_t id;
  if (!socket.recv(id, zmq::recv_flags::dontwait)) return false;
  in.routing_id = std::move(id);
  bool more = in.routing_id.more();
  if (tagged) {
    zmq::message_t tag;
    if (more) {
      (void)socket.recv(tag, zmq::recv_flags::none);
      more = tag.more();
    }
    in.routing_id = joined(in.routing_id, tag);
    in.cancel = !more;
  }
  while (more) {
    zmq::message_t part;
    (void)socket.recv(part, zmq::recv_flags::none);  // parts of one message arrive together
    more = part.more();
    if (in.frames.size() < protocol::kMaxRequestFrames) {
      in.frames.push_back(std::move(part));
    } else {
      in.oversized = true;
    }
  }
  return true;
}

void send_reply(zmq::socket_t& socket, zmq::message_t& routing_id, const Frames& reply, bool tagged = false) {
  // A client that went away makes the ROUTER drop the reply (no
  // ROUTER_MANDATORY), which is what we want for an anonymous service.
  if (tagged && routing_id.size() >= kHttpTagBytes) {
    const std::size_t id_size = routing_id.size() - kHttpTagBytes;
    const auto* bytes = static_cast<const std::uint8_t*>(routing_id.data());
    socket.send(zmq::const_buffer(bytes, id_size), zmq::send_flags::sndmore);
    socket.send(zmq::const_buffer(bytes + id_size, kHttpTagBytes), zmq::send_flags::sndmore);
  } else {
    socket.send(routing_id, zmq::send_flags::sndmore);
  }
  for (std::size_t i = 0; i < reply.size(); ++i) {
    const auto flags = i + 1 < reply.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
    socket.send(zmq::const_buffer(reply[i].data(), reply[i].size()), flags);
  }
}

std::vector<ByteView> views_of(const std::vector<zmq::message_t>& frames) {
  std::vector<ByteView> views;
  views.reserve(frames.size());
  for (const zmq::message_t& f : frames) views.emplace_back(static_cast<const std::uint8_t*>(f.data()), f.size());
  return views;
}

std::unique_ptr<zmq::socket_t> curve_router(zmq::context_t& context, const crypto::Secret<32>& key,
                                            const ServerOptions& options, const std::string& endpoint) {
  auto socket = std::make_unique<zmq::socket_t>(context, zmq::socket_type::router);
  socket->set(zmq::sockopt::curve_server, 1);
  socket->set(zmq::sockopt::curve_secretkey, zmq::const_buffer(key.data(), key.size()));
  socket->set(zmq::sockopt::linger, 2000);
  // Oversized frames are dropped by libzmq before they are buffered. Under
  // CURVE the limit applies to the encrypted frame on the wire, which is a
  // MESSAGE command: "\x07MESSAGE" (8) + nonce (8) + MAC (16) + flags (1)
  // around the payload; without that margin a largest (256 KiB) envelope is
  // dropped and its sender never gets an answer.
  constexpr std::int64_t kCurveFrameOverhead = 8 + 8 + 16 + 1;
  socket->set(zmq::sockopt::maxmsgsize,
              static_cast<std::int64_t>(protocol::kMaxRequestFrameBytes) + kCurveFrameOverhead);
  socket->set(zmq::sockopt::rcvhwm, options.receive_hwm);
  socket->set(zmq::sockopt::sndhwm, options.send_hwm);
  socket->set(zmq::sockopt::backlog, 1024);  // the front door connects once per client
  socket->bind(endpoint);
  return socket;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Tokens a request costs: a fetch's work grows with the number of stored
// messages (two scalar multiplications each), everything else is cheap.
double request_cost(const Incoming& in, const store::RelayStore& store) {
  if (!in.frames.empty() && in.frames[0].size() == 2 &&
      static_cast<const std::uint8_t*>(in.frames[0].data())[1] == static_cast<std::uint8_t>(protocol::Op::kFetch)) {
    return 1.0 + static_cast<double>(store.message_count()) / 100.0;
  }
  return 1.0;
}

// A fetch (with or without its proof): priced and queued, never answered on
// the serving loop.
bool is_fetch(const Incoming& in) {
  return !in.frames.empty() && in.frames[0].size() == 2 &&
         static_cast<const std::uint8_t*>(in.frames[0].data())[0] == protocol::kWireVersion &&
         static_cast<const std::uint8_t*>(in.frames[0].data())[1] == static_cast<std::uint8_t>(protocol::Op::kFetch);
}

// A ROUTER for one of the doors in this process: room for two messages per
// connection the door holds (a request and a notice that its client left).
std::unique_ptr<zmq::socket_t> inproc_router(zmq::context_t& context, const std::string& endpoint,
                                             std::size_t connections) {
  auto socket = std::make_unique<zmq::socket_t>(context, zmq::socket_type::router);
  const int hwm = static_cast<int>(std::min<std::size_t>(connections * 2 + 16, 1 << 20));
  socket->set(zmq::sockopt::rcvhwm, hwm);
  socket->set(zmq::sockopt::sndhwm, hwm);
  socket->set(zmq::sockopt::linger, 0);
  socket->bind(endpoint);
  return socket;
}

// Inside a catch block: a request whose handling failed in this loop (the
// handler answers the failures it meets itself) still gets an answer, and
// the failure is logged; then the loop goes on with the next request.
void answer_failure(zmq::socket_t& socket, Incoming& in, ThrottledLog& failures, bool tagged) {
  failures.log(LogLevel::kError, "request",
               "a request failed in the serving loop: " + failure_of_current_exception().message +
                   "; answered internal-error");
  try {
    if (in.routing_id.size() != 0) {  // empty once handed to the fetch worker
      send_reply(socket, in.routing_id, protocol::make_error_reply(ErrorCode::kInternal, kInternalErrorText), tagged);
    }
  } catch (...) {  // cannot be answered either: its client times out
  }
}

void answer_admin(zmq::socket_t& admin, const ServerOptions& options, const ServerLoad& load) {
  // REP socket: one request, one reply. Only the first part matters; it is
  // bounded so a confused local client cannot make us copy much.
  zmq::message_t first;
  if (!admin.recv(first, zmq::recv_flags::dontwait)) return;
  bool more = first.more();
  while (more) {
    zmq::message_t rest;
    (void)admin.recv(rest, zmq::recv_flags::none);
    more = rest.more();
  }
  const std::string command(static_cast<const char*>(first.data()), std::min<std::size_t>(first.size(), 64));
  const std::string answer = options.admin_handler ? options.admin_handler(command, load) : std::string("{}");
  admin.send(zmq::const_buffer(answer.data(), answer.size()), zmq::send_flags::none);
}

}  // namespace

void serve(RequestHandler& handler, const crypto::Secret<32>& curve_secret_key, const ServerOptions& options,
           const std::atomic<bool>& stop) {
  zmq::context_t context{1};
  std::vector<std::unique_ptr<zmq::socket_t>> routers;
  // Sockets whose messages carry a tag after the routing id: the front
  // door's (a tag per client connection) and the HTTP door's (a tag per
  // request).
  std::vector<bool> tagged_socket;
  const auto& door = options.front_door;
  std::vector<FrontDoorRoute> routes;
  const auto add_route = [&](const std::string& endpoint, const crypto::Secret<32>& key) {
    if (door) {
      // Behind the front door, which ends CurveZMQ: an inproc ROUTER that
      // never leaves the process.
      const std::string inproc = std::string(kFrontDoorInproc) + std::to_string(routers.size());
      routers.push_back(inproc_router(context, inproc, door->limits.max_connections));
      tagged_socket.push_back(true);
      routes.push_back({endpoint, inproc, &key});
    } else {
      routers.push_back(curve_router(context, key, options, endpoint));
      tagged_socket.push_back(false);
    }
  };
  add_route(options.endpoint, curve_secret_key);
  if (options.old_curve_secret_key != nullptr && !options.old_key_endpoint.empty()) {
    add_route(options.old_key_endpoint, *options.old_curve_secret_key);
    log(LogLevel::kInfo, "previous relay key (rotation overlap) on " + options.old_key_endpoint);
  }
  std::unique_ptr<FrontDoor> front_door;
  if (door) front_door = std::make_unique<FrontDoor>(context, routes, door->limits);
  // The HTTP door hands its requests to this loop over an inproc ROUTER
  // (no CURVE: it never leaves the process), served like the others.
  std::size_t http_socket = routers.size() + 1;  // none unless set below
  std::unique_ptr<HttpDoor> http_door;
  if (options.http_door) {
    http_socket = routers.size();
    routers.push_back(inproc_router(context, kHttpDoorInproc, options.http_door->limits.max_connections));
    tagged_socket.push_back(true);
    http_door = std::make_unique<HttpDoor>(context, *options.http_door);
    log(LogLevel::kInfo, "http door on " + options.http_door->host + ":" + std::to_string(http_door->port()));
  }
  std::unique_ptr<zmq::socket_t> admin;
  if (!options.admin_endpoint.empty()) {
    admin = std::make_unique<zmq::socket_t>(context, zmq::socket_type::rep);
    admin->set(zmq::sockopt::linger, 0);
    admin->set(zmq::sockopt::maxmsgsize, std::int64_t{4096});
    admin->bind(options.admin_endpoint);
    // The folder (0700) already keeps others out; the socket file too.
    const std::string path = options.admin_endpoint.substr(std::string_view("ipc://").size());
    ::chmod(path.c_str(), 0600);
    log(LogLevel::kDebug, "admin socket ready");
  }
  log(LogLevel::kInfo, "serving on " + options.endpoint);

  RateLimiter limiter(options.rate_limit);
  // The HTTP door's requests share one bucket the size of as many ZeroMQ
  // connections as the door holds at once: each request is a connection of
  // its own, so a bucket per request would be no limit, and one bucket the
  // size of a single connection's would let one flooder starve every page
  // user (behind Tor or a proxy the door cannot tell them apart).
  RateLimit door_rate = options.rate_limit;
  if (options.http_door) {
    const auto connections = static_cast<double>(std::max<std::size_t>(1, options.http_door->limits.max_connections));
    door_rate.tokens_per_second *= connections;
    door_rate.burst *= connections;
  }
  RateLimiter door_limiter(door_rate);
  const auto started = std::chrono::steady_clock::now();
  double last_tick = 0;
  double last_refusal_log = -60.0;
  ThrottledLog failures(std::chrono::seconds(60));  // per kind: a failing request, a failing tick
  std::vector<Incoming> batch;
  FetchScheduler fetches(
      context, [&handler] { return handler.fetch_reply(); },
      FetchSchedulerOptions{std::max<std::size_t>(1, options.max_pending_fetches), options.fetch_max_wait_seconds},
      [started] { return seconds_since(started); });
  ServerLoad load;
  std::vector<zmq::pollitem_t> items;
  for (auto& r : routers) items.push_back({r->handle(), 0, ZMQ_POLLIN, 0});
  // Wakes the poll when the fetch worker has an answer ready.
  items.push_back({fetches.wake_socket().handle(), 0, ZMQ_POLLIN, 0});
  if (admin) items.push_back({admin->handle(), 0, ZMQ_POLLIN, 0});

  while (!stop.load()) {
    const double now = seconds_since(started);
    if (options.tick && now - last_tick >= 1.0) {
      last_tick = now;
      try {
        options.tick();
      } catch (...) {  // housekeeping that failed is tried again at the next tick; serving goes on
        failures.log(LogLevel::kError, "tick", "housekeeping failed: " + failure_of_current_exception().message);
      }
    }
    for (zmq::pollitem_t& item : items) item.revents = 0;
    try {
      if (zmq::poll(items.data(), items.size(), std::chrono::milliseconds(200)) == 0) continue;
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      throw;
    }
    if (admin && (items.back().revents & ZMQ_POLLIN) != 0) {
      const FetchScheduler::Load now_load = fetches.load();
      load.fetches_waiting = now_load.waiting;
      load.fetches_running = now_load.running;
      load.max_pending_fetches = now_load.max_pending;
      load.fetches_refused_busy = now_load.refused_busy;
      load.fetches_expired = now_load.expired;
      if (front_door) {
        const FrontDoorCounters& c = front_door->counters();
        load.front_door = ServerLoad::Door{c.open, front_door->max_connections(), c.held_bytes,
                                           door->limits.max_held_bytes, c.accepted, c.refused_full, c.evicted,
                                           c.handshake_timeouts, c.idle_timeouts, c.write_timeouts,
                                           c.protocol_errors, c.over_budget, c.descriptor_shortages};
      }
      if (http_door) load.http_door = http_door->figures();
      answer_admin(*admin, options, load);
    }

    // Take everything waiting (up to max_batch over all sockets; libzmq
    // queues fairly between connections of one socket), answer what needs
    // no write at once, and commit all deposits of this round together.
    batch.clear();
    for (std::size_t s = 0; s < routers.size(); ++s) {
      if ((items[s].revents & ZMQ_POLLIN) == 0) continue;
      for (std::size_t n = batch.size(); n < options.max_batch; ++n) {
        Incoming in;
        in.socket = s;
        if (!receive(*routers[s], in, tagged_socket[s])) break;
        batch.push_back(std::move(in));
      }
    }
    std::vector<PreparedDeposit> deposits;
    std::vector<std::size_t> deposit_owner;  // index into batch
    const double received_at = seconds_since(started);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      Incoming& in = batch[i];
      zmq::socket_t& socket = *routers[in.socket];
      const bool tagged = tagged_socket[in.socket];
      const bool shared_bucket = in.socket == http_socket;
      try {
        if (in.cancel) {  // a client went away: its fetch, if still queued, is not computed
          (void)fetches.cancel(in.socket, ByteView(static_cast<const std::uint8_t*>(in.routing_id.data()),
                                                   in.routing_id.size()));
          continue;
        }
        // Each HTTP request has a routing id of its own (its tag), but they
        // all share the door's one bucket (door_limiter, above).
        const std::size_t id_bytes =
            shared_bucket && in.routing_id.size() >= kHttpTagBytes ? in.routing_id.size() - kHttpTagBytes
                                                                   : in.routing_id.size();
        std::string connection(static_cast<const char*>(in.routing_id.data()), id_bytes);
        connection.push_back(static_cast<char>('0' + in.socket));
        // Capped at the burst, so a fetch of a full store stays possible.
        const double cost = std::min(request_cost(in, handler.store()), options.rate_limit.burst);
        if (!(shared_bucket ? door_limiter : limiter).allow(connection, cost, received_at)) {
          handler.count_rate_limited();
          send_reply(socket, in.routing_id,
                     protocol::make_error_reply(ErrorCode::kRateLimited, "too many requests on this connection"), tagged);
          continue;
        }
        if (in.oversized) {
          send_reply(socket, in.routing_id, protocol::make_error_reply(ErrorCode::kTooLarge, "too many frames"), tagged);
          continue;
        }
        if (is_fetch(in)) {
          const std::size_t pending = fetches.pending();
          const Result<std::uint64_t> paid = handler.admit_fetch(views_of(in.frames), pending);
          if (!paid) {
            handler.count(protocol::Op::kFetch, false);
            send_reply(socket, in.routing_id, protocol::make_error_reply(paid.error().code, paid.error().message),
                       tagged);
          } else {
            // Clients wait their timeout plus 0.1 ms per stored message.
            const double allowance = static_cast<double>(handler.store().message_count()) / 10'000.0;
            fetches.submit(in.socket, std::move(in.routing_id), *paid, allowance);
          }
          continue;
        }
        const std::vector<ByteView> views = views_of(in.frames);
        RequestHandler::Outcome outcome = handler.handle(views);
        if (outcome.deposit) {
          deposits.push_back(std::move(*outcome.deposit));
          deposit_owner.push_back(i);
        } else {
          send_reply(socket, in.routing_id, outcome.reply, tagged);
        }
      } catch (...) {
        answer_failure(socket, in, failures, tagged);
      }
    }
    if (!deposits.empty()) {
      const std::vector<Status> results = handler.commit_deposits(deposits);
      for (std::size_t k = 0; k < deposits.size(); ++k) {
        const Status& committed = results[k];
        // Said once a minute at most: a full store under a flood must not flood the log too.
        if (!committed && received_at - last_refusal_log >= 60.0) {
          last_refusal_log = received_at;
          log(LogLevel::kWarning, "deposits refused: " + committed.error().message);
        }
        Incoming& in = batch[deposit_owner[k]];
        try {
          const Frames reply = committed ? RequestHandler::deposit_reply(deposits[k])
                                         : protocol::make_error_reply(committed.error().code, committed.error().message);
          send_reply(*routers[in.socket], in.routing_id, reply, tagged_socket[in.socket]);
        } catch (...) {
          answer_failure(*routers[in.socket], in, failures, tagged_socket[in.socket]);
        }
      }
    }
    for (FetchScheduler::Answer& answer : fetches.take_answers()) {
      handler.count(protocol::Op::kFetch, answer.computed);
      send_reply(*routers[answer.socket], answer.routing_id, answer.reply, tagged_socket[answer.socket]);
    }
    handler.set_fetch_load(fetches.pending());
  }
  log(LogLevel::kInfo, "stopping");
}

}  // namespace meldpunt::relay
