#include "server.hpp"

#include <sys/stat.h>
#include <zmq.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#include <zmq.hpp>

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
};

// Reads one whole multipart message (never more than kMaxRequestFrames frames
// kept; the rest is drained so the socket stays in sync).
bool receive(zmq::socket_t& socket, Incoming& in) {
  zmq::message_t id;
  if (!socket.recv(id, zmq::recv_flags::dontwait)) return false;
  in.routing_id = std::move(id);
  bool more = in.routing_id.more();
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

void send_reply(zmq::socket_t& socket, zmq::message_t& routing_id, const Frames& reply) {
  // A client that went away makes the ROUTER drop the reply (no
  // ROUTER_MANDATORY), which is what we want for an anonymous service.
  socket.send(routing_id, zmq::send_flags::sndmore);
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

bool is_plain_fetch(const Incoming& in) {
  return in.frames.size() == 1 && in.frames[0].size() == 2 &&
         static_cast<const std::uint8_t*>(in.frames[0].data())[0] == protocol::kWireVersion &&
         static_cast<const std::uint8_t*>(in.frames[0].data())[1] == static_cast<std::uint8_t>(protocol::Op::kFetch);
}

// Runs fetches on one thread of its own. ZeroMQ sockets belong to one
// thread, so the worker never touches the ROUTER sockets: it hands each
// answer back through a queue and wakes the serving loop with a byte on an
// inproc PAIR socket that the loop polls beside the ROUTERs.
class FetchWorker {
 public:
  struct Done {
    std::size_t socket = 0;
    zmq::message_t routing_id;
    Frames reply;
  };

  FetchWorker(zmq::context_t& context, const RequestHandler& handler, std::size_t max_pending)
      : context_(context), handler_(handler), max_pending_(max_pending), wake_(context, zmq::socket_type::pair) {
    endpoint_ = "inproc://meldpunt-fetch-" + std::to_string(reinterpret_cast<std::uintptr_t>(this));
    wake_.set(zmq::sockopt::linger, 0);
    wake_.bind(endpoint_);
    thread_ = std::thread([this] { run(); });
  }
  ~FetchWorker() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_one();
    thread_.join();  // a fetch under way finishes first (bounded by the store size)
  }
  FetchWorker(const FetchWorker&) = delete;
  FetchWorker& operator=(const FetchWorker&) = delete;

  // False when max_pending fetches are already waiting or running.
  bool submit(std::size_t socket, zmq::message_t& routing_id) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (queued_.size() + (busy_ ? 1 : 0) >= max_pending_) return false;
    queued_.push_back({socket, std::move(routing_id), {}});
    ready_.notify_one();
    return true;
  }

  zmq::socket_t& wake_socket() { return wake_; }

  // Fetches queued and running now, for the admin socket.
  void report(ServerLoad& load) {
    std::lock_guard<std::mutex> lock(mutex_);
    load.fetches_waiting = queued_.size();
    load.fetches_running = busy_ ? 1 : 0;
    load.max_pending_fetches = max_pending_;
  }

  // Answers finished since the last call (drains the wake-up bytes too).
  std::vector<Done> take_done() {
    zmq::message_t ignored;
    while (wake_.recv(ignored, zmq::recv_flags::dontwait)) {
    }
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<Done> out;
    out.swap(done_);
    return out;
  }

 private:
  void run() {
    zmq::socket_t notify(context_, zmq::socket_type::pair);
    notify.set(zmq::sockopt::linger, 0);
    notify.connect(endpoint_);
    for (;;) {
      Done job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [this] { return stopping_ || !queued_.empty(); });
        if (stopping_) return;
        job = std::move(queued_.front());
        queued_.pop_front();
        busy_ = true;
      }
      try {
        job.reply = handler_.fetch_reply();  // answers a failure itself
      } catch (...) {  // even that failed (out of memory): the client still gets an answer
        job.reply = protocol::make_error_reply(ErrorCode::kInternal, kInternalErrorText);
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        done_.push_back(std::move(job));
        busy_ = false;
      }
      const std::uint8_t byte = 0;
      (void)notify.send(zmq::const_buffer(&byte, 1), zmq::send_flags::dontwait);
    }
  }

  zmq::context_t& context_;
  const RequestHandler& handler_;
  const std::size_t max_pending_;
  zmq::socket_t wake_;
  std::string endpoint_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Done> queued_;
  std::vector<Done> done_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

// Inside a catch block: a request whose handling failed in this loop (the
// handler answers the failures it meets itself) still gets an answer, and
// the failure is logged; then the loop goes on with the next request.
void answer_failure(zmq::socket_t& socket, Incoming& in, ThrottledLog& failures) {
  failures.log(LogLevel::kError, "request",
               "a request failed in the serving loop: " + failure_of_current_exception().message +
                   "; answered internal-error");
  try {
    if (in.routing_id.size() != 0) {  // empty once handed to the fetch worker
      send_reply(socket, in.routing_id, protocol::make_error_reply(ErrorCode::kInternal, kInternalErrorText));
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
  // Behind the front door each ROUTER listens on its Unix socket only.
  const auto& door = options.front_door;
  std::vector<FrontDoorRoute> routes{{options.endpoint, door ? door->socket_path : ""}};
  routers.push_back(curve_router(context, curve_secret_key, options,
                                 door ? "ipc://" + door->socket_path : options.endpoint));
  if (options.old_curve_secret_key != nullptr && !options.old_key_endpoint.empty()) {
    routes.push_back({options.old_key_endpoint, door ? door->old_key_socket_path : ""});
    routers.push_back(curve_router(context, *options.old_curve_secret_key, options,
                                   door ? "ipc://" + door->old_key_socket_path : options.old_key_endpoint));
    log(LogLevel::kInfo, "previous relay key (rotation overlap) on " + options.old_key_endpoint);
  }
  std::unique_ptr<FrontDoor> front_door;
  if (door) front_door = std::make_unique<FrontDoor>(routes, door->limits);
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
  const auto started = std::chrono::steady_clock::now();
  double last_tick = 0;
  double last_refusal_log = -60.0;
  ThrottledLog failures(std::chrono::seconds(60));  // per kind: a failing request, a failing tick
  std::vector<Incoming> batch;
  FetchWorker fetches(context, handler, std::max<std::size_t>(1, options.max_pending_fetches));
  ServerLoad load;
  std::vector<zmq::pollitem_t> items;
  for (auto& r : routers) items.push_back({r->handle(), 0, ZMQ_POLLIN, 0});
  const std::size_t wake_item = items.size();
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
      fetches.report(load);
      answer_admin(*admin, options, load);
    }
    if ((items[wake_item].revents & ZMQ_POLLIN) != 0) {
      for (FetchWorker::Done& done : fetches.take_done()) {
        const bool ok = done.reply.size() >= 1 && done.reply[0].size() == 2 && done.reply[0][1] == 0;
        handler.count(protocol::Op::kFetch, ok);
        send_reply(*routers[done.socket], done.routing_id, done.reply);
      }
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
        if (!receive(*routers[s], in)) break;
        batch.push_back(std::move(in));
      }
    }
    std::vector<PreparedDeposit> deposits;
    std::vector<std::size_t> deposit_owner;  // index into batch
    const double received_at = seconds_since(started);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      Incoming& in = batch[i];
      zmq::socket_t& socket = *routers[in.socket];
      try {
        std::string connection(static_cast<const char*>(in.routing_id.data()), in.routing_id.size());
        connection.push_back(static_cast<char>('0' + in.socket));
        // Capped at the burst, so a fetch of a full store stays possible.
        const double cost = std::min(request_cost(in, handler.store()), options.rate_limit.burst);
        if (!limiter.allow(connection, cost, received_at)) {
          handler.count_rate_limited();
          send_reply(socket, in.routing_id,
                     protocol::make_error_reply(ErrorCode::kRateLimited, "too many requests on this connection"));
          continue;
        }
        if (in.oversized) {
          send_reply(socket, in.routing_id, protocol::make_error_reply(ErrorCode::kTooLarge, "too many frames"));
          continue;
        }
        if (is_plain_fetch(in)) {
          if (!fetches.submit(in.socket, in.routing_id)) {
            handler.count(protocol::Op::kFetch, false);
            load.fetches_refused_busy++;
            send_reply(socket, in.routing_id,
                       protocol::make_error_reply(ErrorCode::kRateLimited, "too many fetches waiting; try again later"));
          }
          continue;
        }
        const std::vector<ByteView> views = views_of(in.frames);
        RequestHandler::Outcome outcome = handler.handle(views);
        if (outcome.deposit) {
          deposits.push_back(std::move(*outcome.deposit));
          deposit_owner.push_back(i);
        } else {
          send_reply(socket, in.routing_id, outcome.reply);
        }
      } catch (...) {
        answer_failure(socket, in, failures);
      }
    }
    if (!deposits.empty()) {
      const Status committed = handler.commit_deposits(deposits);
      // Said once a minute at most: a full store under a flood must not flood the log too.
      if (!committed && received_at - last_refusal_log >= 60.0) {
        last_refusal_log = received_at;
        log(LogLevel::kWarning, "deposits refused: " + committed.error().message);
      }
      for (std::size_t k = 0; k < deposits.size(); ++k) {
        Incoming& in = batch[deposit_owner[k]];
        try {
          const Frames reply = committed ? RequestHandler::deposit_reply(deposits[k])
                                         : protocol::make_error_reply(committed.error().code, committed.error().message);
          send_reply(*routers[in.socket], in.routing_id, reply);
        } catch (...) {
          answer_failure(*routers[in.socket], in, failures);
        }
      }
    }
  }
  log(LogLevel::kInfo, "stopping");
}

}  // namespace meldpunt::relay
