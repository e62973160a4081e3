#include "front_door.hpp"

#include <pthread.h>
#include <sodium.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unordered_map>
#include <zmq.hpp>

#include "curve_server.hpp"
#include "front_door_conn.hpp"
#include "front_door_io.hpp"
#include "front_door_link.hpp"
#include "log.hpp"
#include "meldpunt/protocol/wire.hpp"

namespace meldpunt::relay {
namespace {

using Clock = FrontDoorClock;

constexpr std::size_t kBufferBytes = 32 * 1024;  // a client's input to start with; grows to one frame
constexpr int kAcceptsPerWakeup = 64;
constexpr auto kTimerStep = std::chrono::milliseconds(200);
constexpr std::uint64_t kKindListener = 0, kKindClient = 1, kKindDealer = 2, kKindWake = 3;

CurveServerSession::Limits session_limits() {
  CurveServerSession::Limits l;
  l.max_part_bytes = protocol::kMaxRequestFrameBytes;
  return l;
}

// Bytes a part of `size` took on the wire (a MESSAGE frame, long header).
std::uint64_t wire_bytes(std::size_t size) { return kZmtpLongHeader + kCurveMessageOverhead + size; }

}  // namespace

std::uint64_t max_request_wire_bytes() {
  // Every frame at most kMaxRequestFrameBytes, but only the envelopes can be
  // that large; the other frames of the largest request (header, proof of
  // work, clues, verifiers) stay far below one more such frame.
  return (protocol::kMaxDepositsPerRequest + 1) * wire_bytes(protocol::kMaxRequestFrameBytes) +
         protocol::kMaxRequestFrames * wire_bytes(0);
}

class FrontDoor::Loop {
  using Conn = FrontDoorConn;

 public:
  Loop(zmq::context_t& context, std::vector<FrontDoorRoute> routes, const FrontDoorLimits& limits,
       std::size_t max_connections, FrontDoorCounters& counters)
      : routes_(std::move(routes)), limits_(limits), max_connections_(max_connections), counters_(counters) {
    try {
      epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
      if (epoll_ < 0) throw std::runtime_error("epoll_create1: " + errno_text(errno));
      std::vector<std::string> inproc_endpoints;
      for (std::size_t i = 0; i < routes_.size(); ++i) {
        if (routes_[i].curve_secret_key == nullptr) throw std::logic_error("front door route without a key");
        std::uint8_t public_key[32];
        crypto_scalarmult_base(public_key, routes_[i].curve_secret_key->data());
        public_keys_.emplace_back(public_key, public_key + sizeof public_key);
        listeners_.push_back(listen_tcp(routes_[i].public_endpoint));
        watch(listeners_.back(), (i << 2) | kKindListener, EPOLLIN);
        inproc_endpoints.push_back(routes_[i].inproc_endpoint);
      }
      link_ = std::make_unique<RelayLink>(context, inproc_endpoints, max_connections);
      for (std::size_t i = 0; i < routes_.size(); ++i) watch(link_->notify_fd(i), (i << 2) | kKindDealer, EPOLLIN);
      spare_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      // drop() must not allocate: every connection fits, and reap() empties it each round.
      dead_.reserve(max_connections_ + 1);
    } catch (...) {
      close_all();  // a constructor that throws runs no destructor
      throw;
    }
  }
  ~Loop() { close_all(); }

  void watch_wake(int fd) { watch(fd, kKindWake, EPOLLIN); }

  void close_all() {
    for (auto& [id, c] : conns_) close_fd(c.client);
    for (int& fd : listeners_) close_fd(fd);
    link_.reset();
    close_fd(spare_);
    close_fd(epoll_);
  }

  void run(const std::atomic<bool>& stop) {
    while (!stop.load()) {
      try {
        serve_until(stop);
      } catch (const std::exception& e) {  // never ends the relay: logged, and the loop goes on
        log(LogLevel::kError, std::string("front door: ") + e.what());
      }
    }
  }

 private:
  // Runs `work` for one connection; whatever it throws (out of memory, a
  // libzmq error) drops that connection only.
  template <typename Work>
  void guarded(Conn& c, Work&& work) {
    try {
      work();
    } catch (const std::exception& e) {
      counters_.internal_errors++;
      drop(c);
      try {
        log(LogLevel::kWarning, std::string("front door: dropped a client after an internal error: ") + e.what());
      } catch (...) {  // out of memory even for the log line: the drop is what matters
      }
    }
  }

  void serve_until(const std::atomic<bool>& stop) {
    std::vector<epoll_event> events(256);
    auto next_timers = Clock::now() + kTimerStep;
    while (!stop.load()) {
      const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()),
                                 again_.empty() ? static_cast<int>(kTimerStep.count()) : 0);
      now_ = Clock::now();
      for (int i = 0; i < n; ++i) {
        const std::uint64_t tag = events[static_cast<std::size_t>(i)].data.u64;
        const std::uint64_t kind = tag & 3;
        if (kind == kKindWake || kind == kKindDealer) continue;  // replies are taken below in any case
        if (kind == kKindListener) {
          accept_from(static_cast<std::size_t>(tag >> 2));
          continue;
        }
        auto it = conns_.find(tag >> 2);
        if (it == conns_.end() || it->second.dead) continue;  // closed earlier in this round
        const std::uint32_t got = events[static_cast<std::size_t>(i)].events;
        Conn& c = it->second;
        if ((got & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) != 0) c.can_read = true;
        if ((got & EPOLLOUT) != 0) c.can_write = true;
        guarded(c, [&] { pump(c); });
        // A client that hung up, failed, or shut its sending side is gone
        // (ZMTP never half-closes): after taking what it sent, close, so a
        // request it left outstanding is cancelled now and the report does
        // not repeat.
        if ((got & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)) != 0) drop(c);
      }
      std::vector<std::uint64_t> again;
      again.swap(again_);
      for (std::uint64_t id : again) {
        auto it = conns_.find(id);
        if (it != conns_.end() && !it->second.dead) guarded(it->second, [&] { pump(it->second); });
      }
      if (now_ >= next_timers) {
        next_timers = now_ + kTimerStep;
        check_timers();
        resume_listeners();
        maybe_log_summary();
      }
      // Last, after everything that may have sent on the inproc sockets (a
      // send can consume the wake-up of a reply that arrived meanwhile).
      take_replies();
      reap();
      counters_.held_bytes = held_total_;
    }
  }

  bool watch(int fd, std::uint64_t tag, std::uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = tag;
    return ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) == 0;
  }

  void accept_from(std::size_t route) {
    for (int i = 0; i < kAcceptsPerWakeup; ++i) {
      const int fd = ::accept4(listeners_[route], nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE) {
          // Out of descriptors: the pending connection would keep the
          // listener readable and this loop spinning. Take it with the spare
          // descriptor and close it at once.
          counters_.descriptor_shortages++;
          if (spare_ < 0) {
            // No spare to give up: stop watching the listeners until the
            // next timer round rather than spin on them.
            pause_listeners();
            return;
          }
          close_fd(spare_);
          const int taken = ::accept4(listeners_[route], nullptr, nullptr, SOCK_CLOEXEC);
          if (taken >= 0) ::close(taken);
          spare_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
          continue;
        }
        return;  // EAGAIN, or an error of that one connection (ECONNABORTED...)
      }
      counters_.accepted++;
      if (live_ >= max_connections_ && !evict_for_newcomer()) {
        counters_.refused_full++;
        ::close(fd);
        continue;
      }
      tune_client_socket(fd);
      // Everything that may fail comes before the connection is counted.
      const std::uint64_t id = next_id_++;
      try {
        auto session = std::make_unique<CurveServerSession>(*routes_[route].curve_secret_key,
                                                            ByteView(public_keys_[route].data(), 32), session_limits());
        Conn& fresh = conns_[id];
        fresh.session = std::move(session);
        fresh.in.data.resize(kBufferBytes);
      } catch (const std::exception&) {
        conns_.erase(id);
        counters_.internal_errors++;
        ::close(fd);
        continue;
      }
      if (!watch(fd, (id << 2) | kKindClient, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)) {
        conns_.erase(id);
        counters_.internal_errors++;
        ::close(fd);
        continue;
      }
      Conn& c = conns_[id];
      c.id = id;
      c.route = route;
      c.client = fd;
      c.accepted = c.last_activity = c.out_waiting_since = now_;
      live_++;
      counters_.open = live_;
      guarded(c, [&] { pump(c); });  // our greeting goes at once
    }
  }

  void pause_listeners() {
    if (listeners_paused_) return;
    listeners_paused_ = true;
    for (int fd : listeners_) ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
  }

  void resume_listeners() {
    if (!listeners_paused_) return;
    if (spare_ < 0) spare_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (spare_ < 0) return;
    listeners_paused_ = false;
    for (std::size_t i = 0; i < listeners_.size(); ++i) watch(listeners_[i], (i << 2) | kKindListener, EPOLLIN);
  }

  // Room for one more (eviction_victim, front_door_conn.hpp says who).
  bool evict_for_newcomer() {
    Conn* victim = eviction_victim(conns_, now_, limits_);
    if (victim == nullptr) return false;
    counters_.evicted++;
    drop(*victim);
    return true;
  }

  // Never throws: the bookkeeping comes first, and the notice to the
  // serving loop, which could fail, last.
  void drop(Conn& c) noexcept {
    if (c.dead) return;
    c.dead = true;
    dead_.push_back(c.id);  // room reserved for every connection (see the constructor)
    release(c);
    release_reply(c);
    held_total_ -= c.buffer_bytes;
    c.buffer_bytes = 0;
    c.parts.clear();
    c.reply.clear();
    c.session.reset();  // wipes the session's keys
    // Reset rather than close: a FIN would wait behind unread answers in the
    // kernel (a client that does not read never sees it), which would stay
    // queued there until the kernel gave up on the orphaned socket.
    const linger reset{1, 0};
    ::setsockopt(c.client, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    close_fd(c.client);  // close() also takes the descriptor out of the epoll set
    live_--;
    counters_.open = live_;
    // The serving loop forgets a fetch still queued for a client that left.
    if (c.outstanding) {
      try {
        link_->cancel(c.route, c.id);
      } catch (...) {  // the fetch is then computed and its answer dropped: wasted work, nothing held
      }
    }
  }

  void reap() {
    for (std::uint64_t id : dead_) conns_.erase(id);
    dead_.clear();
  }

  void release(Conn& c) {
    held_total_ -= c.request_bytes;
    c.request_bytes = 0;
  }

  void release_reply(Conn& c) {
    held_total_ -= c.reply_bytes;
    c.reply_bytes = 0;
  }

  // A part read, or room for a frame: bounded per request by the largest
  // valid request, and over all connections by max_held_bytes.
  enum class Charge { kRequest, kBuffer, kReply };
  bool charge(Conn& c, std::uint64_t bytes, Charge kind) {
    (kind == Charge::kRequest ? c.request_bytes : kind == Charge::kBuffer ? c.buffer_bytes : c.reply_bytes) += bytes;
    held_total_ += bytes;
    if (c.request_bytes > max_request_wire_bytes()) {
      counters_.protocol_errors++;
      log(LogLevel::kDebug, "front door: dropped a client: a request larger than the largest valid one");
      drop(c);
      return false;
    }
    while (held_total_ > limits_.max_held_bytes) {
      // Requests and buffers first: a reply was asked for and computed, and
      // a client that does not read it meets write-timeout anyway; replies
      // only when nothing else is held.
      Conn* largest = nullptr;
      for (auto& [id, other] : conns_) {
        if (!other.dead && other.sent_bytes() > 0 && (largest == nullptr || other.sent_bytes() > largest->sent_bytes())) {
          largest = &other;
        }
      }
      if (largest == nullptr) {
        largest = &c;
        for (auto& [id, other] : conns_) {
          if (!other.dead && other.charged() > largest->charged()) largest = &other;
        }
      }
      counters_.over_budget++;
      drop(*largest);
      if (largest == &c) return false;
    }
    return true;
  }

  // Feeds the session what the client sent, up to a whole request; true if
  // it made more room for a frame (so reading may go on).
  bool take_input(Conn& c) {
    while (!c.dead && !c.outstanding && !c.writing()) {
      const ByteView input(c.in.data.data() + c.in.begin, c.in.end - c.in.begin);
      const CurveServerSession::Step step = c.session->next(input);
      c.in.begin += step.consumed;
      switch (step.event) {
        case CurveServerSession::Event::kError:
          counters_.protocol_errors++;
          if (log_enabled(LogLevel::kDebug)) log(LogLevel::kDebug, "front door: dropped a client: " + c.session->error());
          drop(c);
          return false;
        case CurveServerSession::Event::kReady:
          c.handshaken = true;
          c.last_activity = now_;
          break;
        case CurveServerSession::Event::kPart: {
          const ByteView part = c.session->part();
          c.last_activity = now_;  // a PING is no activity: it cannot keep a connection from eviction or idle-timeout
          if (!charge(c, wire_bytes(part.size()), Charge::kRequest)) return false;
          // Parts beyond the most a request has are not kept; one more is
          // passed on, so the serving loop answers "too many frames".
          if (c.parts.size() <= protocol::kMaxRequestFrames) c.parts.emplace_back(part.data(), part.size());
          c.session->release_part();  // copied: the session holds no second copy while the request is out
          if (!c.session->part_more()) {
            if (!link_->send(c.route, c.id, std::move(c.parts))) {
              // Cannot happen within the high-water mark; if it does, the
              // client is dropped rather than left waiting for ever.
              log(LogLevel::kWarning, "front door: the serving loop's queue is full; a client was dropped");
              drop(c);
              return false;
            }
            c.outstanding = true;
            c.parts.clear();
            shrink_input(c);
          }
          break;
        }
        case CurveServerSession::Event::kNeedMore: {
          const std::size_t before = c.in.data.size();
          return make_room(c, c.session->needed()) && c.in.data.size() > before;
        }
      }
    }
    return false;
  }

  // Room in the input for a frame of `needed` bytes (the session's limits
  // bound it by the largest frame a client may send). The buffer grows only
  // when full, at most doubling, so it follows the bytes that came rather
  // than a size a header announced, and what it holds beyond its first
  // 32 KiB is charged like a request's bytes.
  bool make_room(Conn& c, std::size_t needed) {
    c.in.compact();
    if (c.in.begin > 0 && c.in.data.size() - c.in.begin < needed) {
      std::memmove(c.in.data.data(), c.in.data.data() + c.in.begin, c.in.end - c.in.begin);
      c.in.end -= c.in.begin;
      c.in.begin = 0;
    }
    if (c.in.data.size() >= needed || c.in.free_space() > 0) return true;
    const std::size_t grown = std::min(needed, 2 * c.in.data.size());
    if (!charge(c, grown - c.in.data.size(), Charge::kBuffer)) return false;
    c.in.data.resize(grown);
    return true;
  }

  // Back to the first 32 KiB once what waits fits, and its charge released.
  void shrink_input(Conn& c) {
    const std::size_t waiting = c.in.end - c.in.begin;
    if (c.in.data.size() <= kBufferBytes || waiting >= kBufferBytes) return;
    std::memmove(c.in.data.data(), c.in.data.data() + c.in.begin, waiting);
    c.in.begin = 0;
    c.in.end = waiting;
    c.in.data.resize(kBufferBytes);
    c.in.data.shrink_to_fit();
    held_total_ -= c.buffer_bytes;
    c.buffer_bytes = 0;
  }

  // Seals reply parts while the client's output is short, so a large reply
  // is held once as plaintext and one part at a time as ciphertext.
  void seal_reply(Conn& c) {
    while (c.reply_next < c.reply.size() && c.out.size() - c.out_begin < kBufferBytes) {
      zmq::message_t& part = c.reply[c.reply_next];
      c.session->seal_part(ByteView(static_cast<const std::uint8_t*>(part.data()), part.size()),
                           c.reply_next + 1 < c.reply.size(), c.out);
      part.rebuild();  // its bytes are freed now
      c.reply_next++;
    }
    if (c.reply_next == c.reply.size()) {
      c.reply.clear();
      c.reply_next = 0;
    }
  }

  // Takes the bytes the session produced (greeting, handshake, PONG).
  static void take_session_output(Conn& c) {
    Bytes& produced = c.session->output();
    if (produced.empty()) return;
    c.out.insert(c.out.end(), produced.begin(), produced.end());
    produced.clear();
  }

  // Reads what the client sent and writes what waits for it, for as long
  // as either moves. Client sockets are edge-triggered: can_read and
  // can_write say what epoll last reported and no short read or write has
  // used up since, so no system call is spent on a socket with nothing to
  // give or no room, and none on changing what epoll watches per request.
  void pump(Conn& c) {
    bool progressed = true;
    for (int round = 0; progressed && !c.dead && round < 16; ++round) {
      progressed = false;
      bool moved = false;
      if (c.can_read && !c.outstanding && !c.writing() && !read_into(c.client, c.in, moved, c.can_read)) {
        return drop(c);
      }
      if (take_input(c)) progressed = true;
      if (c.dead) return;
      take_session_output(c);
      seal_reply(c);
      if (c.can_write && c.out_begin < c.out.size()) {
        const std::size_t before = c.out_begin;
        if (!write_out(c, moved)) return drop(c);
        if (c.out_begin != before) c.out_waiting_since = now_;
        if (c.out_begin == c.out.size()) {
          // A large part's buffer is not kept for the connection's life.
          if (c.out.capacity() > kBufferBytes) Bytes().swap(c.out);
          c.out.clear();
          c.out_begin = 0;
          seal_reply(c);
          if (!c.writing() && c.reply_bytes > 0) {  // a reply read to its end (not a PONG or the handshake)
            release_reply(c);
            c.last_activity = now_;  // idle-timeout counts from here
          }
          progressed = true;  // more to write, or the next request to read
        }
      }
      if (moved) progressed = true;
    }
    // Stopped at the round limit (one connection must not hold the others
    // up) with work left: epoll will not say so again for bytes already in
    // the kernel, so it is picked up after this round's events.
    if (progressed && !c.dead) again_.push_back(c.id);
  }

  bool write_out(Conn& c, bool& moved) {
    const std::size_t len = c.out.size() - c.out_begin;
    const ssize_t n = ::send(c.client, c.out.data() + c.out_begin, len, MSG_NOSIGNAL);
    if (n > 0) {
      c.out_begin += static_cast<std::size_t>(n);
      c.can_write = static_cast<std::size_t>(n) == len;
      moved = true;
      return true;
    }
    c.can_write = false;
    return n < 0 && (errno == EAGAIN || errno == EINTR);
  }

  void take_replies() {
    link_->take_replies([this](std::uint64_t id, std::vector<zmq::message_t> parts) { take_reply(id, std::move(parts)); });
  }

  void take_reply(std::uint64_t id, std::vector<zmq::message_t> parts) {
    auto it = conns_.find(id);
    if (it == conns_.end() || it->second.dead || !it->second.outstanding) return;  // its client left
    Conn& c = it->second;
    c.outstanding = false;
    release(c);
    std::uint64_t reply_bytes = 0;
    for (const zmq::message_t& part : parts) reply_bytes += wire_bytes(part.size());
    c.reply = std::move(parts);
    c.reply_next = 0;
    c.out_waiting_since = c.last_activity = now_;
    // A reply is held until the client has read it: charged like a
    // request, so clients that do not read cannot hold more than
    // max-held-bytes between them either.
    if (!charge(c, reply_bytes, Charge::kReply)) return;
    guarded(c, [&] { pump(c); });  // write it, and read the next request if one waits
  }

  void check_timers() {
    for (auto& [id, c] : conns_) {
      if (c.dead) continue;
      switch (expiry(c, now_, limits_)) {
        case Expiry::kHandshake:
          counters_.handshake_timeouts++;
          log(LogLevel::kDebug, "front door: dropped a client that did not finish its handshake in time");
          drop(c);
          break;
        case Expiry::kWrite:
          counters_.write_timeouts++;
          log(LogLevel::kDebug, "front door: dropped a client that left an answer unread for write-timeout");
          drop(c);
          break;
        case Expiry::kIdle:
          counters_.idle_timeouts++;
          log(LogLevel::kDebug, "front door: closed an idle connection");
          drop(c);
          break;
        case Expiry::kNone:
          break;
      }
    }
  }

  // Once a minute at most, and only when something was refused: counts,
  // never an address.
  void maybe_log_summary() {
    if (now_ - last_summary_ < std::chrono::seconds(60)) return;
    const std::uint64_t refused = counters_.refused_full + counters_.evicted + counters_.handshake_timeouts +
                                  counters_.write_timeouts + counters_.protocol_errors + counters_.over_budget +
                                  counters_.descriptor_shortages + counters_.internal_errors;
    if (refused == last_refused_) return;
    last_refused_ = refused;
    last_summary_ = now_;
    log(LogLevel::kInfo,
        "front door: " + std::to_string(live_) + " connections open; since start dropped: " +
            std::to_string(counters_.refused_full.load()) + " at max-connections, " +
            std::to_string(counters_.evicted.load()) + " evicted for a newcomer, " +
            std::to_string(counters_.handshake_timeouts.load()) + " handshake timeouts, " +
            std::to_string(counters_.write_timeouts.load()) + " not reading, " +
            std::to_string(counters_.protocol_errors.load()) + " framing or size, " +
            std::to_string(counters_.over_budget.load()) + " over max-held-bytes, " +
            std::to_string(counters_.descriptor_shortages.load()) + " short of descriptors, " +
            std::to_string(counters_.internal_errors.load()) + " internal errors");
  }

  std::vector<FrontDoorRoute> routes_;
  std::vector<Bytes> public_keys_;  // per route
  FrontDoorLimits limits_;
  std::size_t max_connections_;
  FrontDoorCounters& counters_;
  int epoll_ = -1;
  int spare_ = -1;
  std::vector<int> listeners_;
  std::unique_ptr<RelayLink> link_;
  FrontDoorConns conns_;
  std::vector<std::uint64_t> dead_;
  std::vector<std::uint64_t> again_;  // connections pump() left with work to do
  bool listeners_paused_ = false;     // out of descriptors with no spare: see accept_from
  std::uint64_t next_id_ = 1;
  std::size_t live_ = 0;
  std::uint64_t held_total_ = 0;
  Clock::time_point now_ = Clock::now();
  Clock::time_point last_summary_ = Clock::now() - std::chrono::minutes(2);
  std::uint64_t last_refused_ = 0;
};

FrontDoor::FrontDoor(zmq::context_t& context, std::vector<FrontDoorRoute> routes, const FrontDoorLimits& limits) {
  const std::uint64_t nofile = raise_descriptor_limit(limits.max_connections);
  const std::uint64_t ours = nofile > limits.reserved_descriptors ? nofile - limits.reserved_descriptors : 0;
  max_connections_ = std::max<std::size_t>(1, std::min(limits.max_connections, connections_for_descriptors(ours)));
  loop_ = std::make_unique<Loop>(context, std::move(routes), limits, max_connections_, counters_);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) throw std::runtime_error("eventfd: " + errno_text(errno));
  loop_->watch_wake(wake_fd_);
  thread_ = std::thread([this] {
    ::pthread_setname_np(::pthread_self(), "front-door");  // so `top -H` and profiles tell it apart
    loop_->run(stop_);
  });
}

FrontDoor::~FrontDoor() {
  stop_ = true;
  const std::uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  thread_.join();
  loop_.reset();
  ::close(wake_fd_);
}

}  // namespace meldpunt::relay
