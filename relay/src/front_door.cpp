#include "front_door.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <unordered_map>

#include "front_door_io.hpp"
#include "log.hpp"
#include "meldpunt/protocol/wire.hpp"
#include "zmtp_scanner.hpp"

namespace meldpunt::relay {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kBufferBytes = 32 * 1024;  // per direction per connection
constexpr int kAcceptsPerWakeup = 64;
constexpr auto kTimerStep = std::chrono::milliseconds(200);
// A connection quiet this long with nothing outstanding may make room for a
// newcomer when max-connections is reached.
constexpr auto kQuietBeforeEviction = std::chrono::seconds(2);
constexpr std::uint64_t kKindListener = 0, kKindClient = 1, kKindUpstream = 2, kKindWake = 3;

// Largest frame a client may send: the largest request frame as a MESSAGE
// (what ZMQ_MAXMSGSIZE allows on the ROUTER too).
constexpr std::uint64_t kMaxClientMessageBody = protocol::kMaxRequestFrameBytes + kCurveMessageOverhead;

ZmtpScanner::Limits client_limits() {
  ZmtpScanner::Limits l;
  l.max_message_body = kMaxClientMessageBody;
  return l;
}

ZmtpScanner::Limits server_limits() {
  ZmtpScanner::Limits l;
  l.max_message_body = 0;  // our own relay: a fetch answer may be large
  return l;
}

}  // namespace

std::uint64_t max_request_wire_bytes() {
  // Every frame at most kMaxRequestFrameBytes, but only the envelopes can be
  // that large; the other frames of the largest request (header, proof of
  // work, clues, verifiers) stay far below one more such frame.
  constexpr std::uint64_t kLongHeader = 9;
  return (protocol::kMaxDepositsPerRequest + 1) * (kMaxClientMessageBody + kLongHeader) +
         protocol::kMaxRequestFrames * (kCurveMessageOverhead + kLongHeader);
}

class FrontDoor::Loop {
 public:
  Loop(std::vector<FrontDoorRoute> routes, const FrontDoorLimits& limits, std::size_t max_connections,
       FrontDoorCounters& counters)
      : routes_(std::move(routes)), limits_(limits), max_connections_(max_connections), counters_(counters) {
    try {
      epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
      if (epoll_ < 0) throw std::runtime_error("epoll_create1: " + errno_text(errno));
      for (std::size_t i = 0; i < routes_.size(); ++i) {
        if (!fits_unix_path(routes_[i].internal_path)) {
          throw std::runtime_error("internal socket path too long: " + routes_[i].internal_path);
        }
        listeners_.push_back(listen_tcp(routes_[i].public_endpoint));
        watch(listeners_.back(), (i << 2) | kKindListener, EPOLLIN);
      }
      spare_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    } catch (...) {
      close_all();  // a constructor that throws runs no destructor
      throw;
    }
  }
  ~Loop() { close_all(); }

  void watch_wake(int fd) { watch(fd, kKindWake, EPOLLIN); }

  void close_all() {
    for (auto& [id, c] : conns_) {
      close_fd(c.client);
      close_fd(c.upstream);
    }
    for (int& fd : listeners_) close_fd(fd);
    close_fd(spare_);
    close_fd(epoll_);
  }

  void run(const std::atomic<bool>& stop) {
    std::vector<epoll_event> events(256);
    auto next_timers = Clock::now() + kTimerStep;
    while (!stop.load()) {
      const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()),
                                 static_cast<int>(kTimerStep.count()));
      now_ = Clock::now();
      for (int i = 0; i < n; ++i) {
        const std::uint64_t tag = events[static_cast<std::size_t>(i)].data.u64;
        const std::uint64_t kind = tag & 3;
        if (kind == kKindWake) continue;
        if (kind == kKindListener) {
          accept_from(static_cast<std::size_t>(tag >> 2));
          continue;
        }
        auto it = conns_.find(tag >> 2);
        if (it == conns_.end() || it->second.dead) continue;  // closed earlier in this round
        const bool readable = (events[static_cast<std::size_t>(i)].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0;
        pump(it->second, kind == kKindClient && readable, kind == kKindUpstream && readable);
        // A peer that hung up or failed is reported whatever we asked for:
        // after taking what it sent, close, or the report would repeat.
        if ((events[static_cast<std::size_t>(i)].events & (EPOLLERR | EPOLLHUP)) != 0) drop(it->second);
      }
      if (now_ >= next_timers) {
        next_timers = now_ + kTimerStep;
        check_timers();
        maybe_log_summary();
      }
      reap();
      counters_.held_bytes = held_total_;
    }
  }

 private:
  struct Conn {
    std::uint64_t id = 0;
    std::size_t route = 0;
    int client = -1, upstream = -1;
    Clock::time_point accepted, last_activity, out_waiting_since;
    ZmtpScanner in_scan{ZmtpScanner::Side::kClient, client_limits()};
    ZmtpScanner out_scan{ZmtpScanner::Side::kServer, server_limits()};
    Pipe in, out;  // client -> relay, relay -> client
    bool handshaken = false;
    bool dead = false;
    std::uint64_t requests = 0, replies = 0;
    // Bytes handed to libzmq in the round before the last reply and since it:
    // what libzmq may still hold for this client (see charge()).
    std::uint64_t previous = 0, current = 0;
    bool holding = false;
    std::uint64_t hold_at = 0, held_total = 0;
    std::uint32_t client_events = 0, upstream_events = 0;
    std::uint64_t charged() const { return previous + current; }
  };

  void watch(int fd, std::uint64_t tag, std::uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = tag;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
  }

  void set_events(int fd, std::uint64_t tag, std::uint32_t& current, std::uint32_t wanted) {
    if (fd < 0 || current == wanted) return;
    epoll_event ev{};
    ev.events = wanted;
    ev.data.u64 = tag;
    ::epoll_ctl(epoll_, EPOLL_CTL_MOD, fd, &ev);
    current = wanted;
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
      const std::uint64_t id = next_id_++;
      Conn& c = conns_[id];
      c.id = id;
      c.route = route;
      c.client = fd;
      c.accepted = c.last_activity = now_;
      c.in.data.resize(kBufferBytes);
      live_++;
      counters_.open = live_;
      c.client_events = EPOLLIN;
      watch(fd, (id << 2) | kKindClient, EPOLLIN);
    }
  }

  // Room for one more: the oldest connection still in its handshake goes
  // (an honest client dropped there connects again); failing that, the one
  // quiet longest, if it has been quiet a while with nothing outstanding
  // (its client reconnects when it next needs the relay). So connections
  // that finished a handshake and then wait cost an attacker constant work
  // to hold, instead of keeping newcomers out for idle-timeout.
  bool evict_for_newcomer() {
    Conn* oldest = nullptr;
    Conn* quietest = nullptr;
    for (auto& [id, c] : conns_) {
      if (c.dead) continue;
      if (!c.handshaken) {
        if (oldest == nullptr || c.accepted < oldest->accepted) oldest = &c;
      } else if (c.requests == c.replies && !c.holding && c.out.sent == c.out_scan.offset() &&
                 now_ - c.last_activity >= kQuietBeforeEviction) {
        if (quietest == nullptr || c.last_activity < quietest->last_activity) quietest = &c;
      }
    }
    Conn* victim = oldest != nullptr ? oldest : quietest;
    if (victim == nullptr) return false;
    counters_.evicted++;
    drop(*victim);
    return true;
  }

  void drop(Conn& c) {
    if (c.dead) return;
    c.dead = true;
    held_total_ -= c.charged();
    c.previous = c.current = 0;
    // Reset rather than close: a FIN would wait behind unread answers in the
    // kernel (a client that does not read never sees it), which would stay
    // queued there until the kernel gave up on the orphaned socket.
    const linger reset{1, 0};
    ::setsockopt(c.client, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    close_fd(c.client);  // close() also takes the descriptors out of the epoll set
    close_fd(c.upstream);
    live_--;
    counters_.open = live_;
    dead_.push_back(c.id);
  }

  void reap() {
    for (std::uint64_t id : dead_) conns_.erase(id);
    dead_.clear();
  }

  bool connect_upstream(Conn& c) {
    const UnixConnect connected = connect_unix(routes_[c.route].internal_path);
    if (connected.out_of_descriptors) counters_.descriptor_shortages++;
    if (connected.fd < 0) return false;
    const int fd = connected.fd;
    c.upstream = fd;
    c.out.data.resize(kBufferBytes);
    c.upstream_events = 0;
    watch(fd, (c.id << 2) | kKindUpstream, 0);
    return true;
  }

  // Bytes about to be handed to libzmq: bounded per connection by the
  // largest request since the last reply, and over all connections by
  // max_held_bytes. A reply moves `current` to `previous`, which stays
  // charged one more round: bytes a client sent after its request and
  // before the reply may be the start of a message libzmq still holds.
  bool charge(Conn& c, std::uint64_t bytes) {
    c.current += bytes;
    held_total_ += bytes;
    if (c.current > max_request_wire_bytes()) {
      counters_.protocol_errors++;
      log(LogLevel::kDebug, "front door: dropped a client: more bytes without an answer than the largest request");
      drop(c);
      return false;
    }
    while (held_total_ > limits_.max_held_bytes) {
      Conn* largest = &c;
      for (auto& [id, other] : conns_) {
        if (!other.dead && other.charged() > largest->charged()) largest = &other;
      }
      counters_.over_budget++;
      drop(*largest);
      if (largest == &c) return false;
    }
    return true;
  }

  // A two-byte part from the relay: the header of the reply to the
  // outstanding request, or (no request outstanding) a two-byte field of a
  // reply, such as an empty prekey bundle, which changes nothing. A waiting
  // request goes on when scan_in runs next, so a field that follows the
  // header in the same read is never taken for the next reply.
  void on_reply(Conn& c) {
    if (c.replies >= c.requests) return;
    c.replies++;
    if (c.current == 0) return;  // nothing sent since the last reply: keep its charge
    held_total_ -= c.previous;
    c.previous = c.current;
    c.current = 0;
  }

  // Scans what the client sent, up to a request that must wait.
  void scan_in(Conn& c) {
    if (c.holding && c.replies == c.requests) {  // answered: the waiting request goes on
      c.holding = false;
      c.requests++;
      if (!charge(c, c.held_total)) return;
    }
    while (!c.dead && !c.holding && c.in_scan.offset() < c.in.received()) {
      const std::size_t at = c.in.begin + static_cast<std::size_t>(c.in_scan.offset() - c.in.sent);
      const ZmtpScanner::Step step = c.in_scan.scan(ByteView(c.in.data.data() + at, c.in.end - at));
      if (step.event == ZmtpScanner::Event::kError) {
        counters_.protocol_errors++;
        if (log_enabled(LogLevel::kDebug)) log(LogLevel::kDebug, "front door: dropped a client: " + c.in_scan.error());
        drop(c);
        return;
      }
      if (c.upstream < 0 && c.in_scan.offset() >= kZmtpSignatureBytes && !connect_upstream(c)) {
        counters_.descriptor_shortages++;
        drop(c);
        return;
      }
      if (step.event != ZmtpScanner::Event::kFrame) continue;
      const ZmtpScanner::Frame& f = c.in_scan.frame();
      if (is_api_header(f)) {
        if (c.requests > c.replies) {  // one request at a time: wait for the reply
          c.holding = true;
          c.hold_at = f.start;
          c.held_total = f.total;
          return;
        }
        c.requests++;
      }
      (void)charge(c, f.total);
    }
  }

  void scan_out(Conn& c) {
    while (!c.dead && c.out_scan.offset() < c.out.received()) {
      const std::size_t at = c.out.begin + static_cast<std::size_t>(c.out_scan.offset() - c.out.sent);
      const ZmtpScanner::Step step = c.out_scan.scan(ByteView(c.out.data.data() + at, c.out.end - at));
      if (step.event == ZmtpScanner::Event::kError) {
        log(LogLevel::kWarning, "front door: the relay's own stream broke the framing: " + c.out_scan.error());
        drop(c);
        return;
      }
      if (step.event != ZmtpScanner::Event::kFrame) continue;
      const ZmtpScanner::Frame& f = c.out_scan.frame();
      if (f.ready) c.handshaken = true;
      if (is_api_header(f)) on_reply(c);
    }
  }

  std::uint64_t forward_limit(const Conn& c) const {
    return c.holding ? std::min(c.hold_at, c.in_scan.offset()) : c.in_scan.offset();
  }

  // Moves bytes both ways for one connection. A side is read only when epoll
  // reported it readable, and no longer once a read came back short: epoll
  // is level-triggered, so a socket that still holds bytes is reported
  // again, and every read that would find nothing is a system call spent
  // (at 64 busy clients those calls cost about a fifth of the deposit rate,
  // bench/results/results.md).
  void pump(Conn& c, bool client_readable, bool upstream_readable) {
    bool progressed = true;
    for (int round = 0; progressed && !c.dead && round < 16; ++round) {
      progressed = false;
      bool moved = false;
      if (client_readable && !read_into(c.client, c.in, moved, client_readable)) return drop(c);
      scan_in(c);
      if (c.dead) return;
      if (c.upstream >= 0) {
        if (!write_from(c.upstream, c.in, forward_limit(c), moved)) return drop(c);
        const bool was_waiting = c.out.sent < c.out_scan.offset();
        const bool was_holding = c.holding;
        if (upstream_readable && !read_into(c.upstream, c.out, moved, upstream_readable)) return drop(c);
        scan_out(c);
        if (c.dead) return;
        if (was_holding && c.replies == c.requests) progressed = true;  // the waiting request may go on now
        const std::uint64_t before = c.out.sent;
        if (!write_from(c.client, c.out, c.out_scan.offset(), moved)) return drop(c);
        if (c.out.sent != before || !was_waiting) c.out_waiting_since = now_;
      }
      if (moved) {
        c.last_activity = now_;
        progressed = true;
      }
    }
    update_events(c);
  }

  void update_events(Conn& c) {
    if (c.dead) return;
    std::uint32_t client = 0, upstream = 0;
    if (c.in.free_space() > 0 || c.in.begin > 0) client |= EPOLLIN;
    if (c.out.sent < c.out_scan.offset()) client |= EPOLLOUT;
    if (c.upstream >= 0) {
      if (c.out.free_space() > 0 || c.out.begin > 0) upstream |= EPOLLIN;
      if (c.in.sent < forward_limit(c)) upstream |= EPOLLOUT;
    }
    set_events(c.client, (c.id << 2) | kKindClient, c.client_events, client);
    set_events(c.upstream, (c.id << 2) | kKindUpstream, c.upstream_events, upstream);
  }

  void check_timers() {
    for (auto& [id, c] : conns_) {
      if (c.dead) continue;
      if (!c.handshaken && now_ - c.accepted > limits_.handshake_timeout) {
        counters_.handshake_timeouts++;
        log(LogLevel::kDebug, "front door: dropped a client that did not finish its handshake in time");
        drop(c);
      } else if (c.out.sent < c.out_scan.offset() && now_ - c.out_waiting_since > limits_.write_timeout) {
        counters_.write_timeouts++;
        log(LogLevel::kDebug, "front door: dropped a client that left an answer unread for write-timeout");
        drop(c);
      } else if (now_ - c.last_activity > limits_.idle_timeout) {
        counters_.idle_timeouts++;
        log(LogLevel::kDebug, "front door: closed an idle connection");
        drop(c);
      }
    }
  }

  // Once a minute at most, and only when something was refused: counts,
  // never an address.
  void maybe_log_summary() {
    if (now_ - last_summary_ < std::chrono::seconds(60)) return;
    const std::uint64_t refused = counters_.refused_full + counters_.evicted + counters_.handshake_timeouts +
                                  counters_.write_timeouts + counters_.protocol_errors + counters_.over_budget +
                                  counters_.descriptor_shortages;
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
            std::to_string(counters_.descriptor_shortages.load()) + " short of descriptors");
  }

  std::vector<FrontDoorRoute> routes_;
  FrontDoorLimits limits_;
  std::size_t max_connections_;
  FrontDoorCounters& counters_;
  int epoll_ = -1;
  int spare_ = -1;
  std::vector<int> listeners_;
  std::unordered_map<std::uint64_t, Conn> conns_;
  std::vector<std::uint64_t> dead_;
  std::uint64_t next_id_ = 1;
  std::size_t live_ = 0;
  std::uint64_t held_total_ = 0;
  Clock::time_point now_ = Clock::now();
  Clock::time_point last_summary_ = Clock::now() - std::chrono::minutes(2);
  std::uint64_t last_refused_ = 0;
};

FrontDoor::FrontDoor(std::vector<FrontDoorRoute> routes, const FrontDoorLimits& limits) {
  const std::uint64_t nofile = raise_descriptor_limit(limits.max_connections);
  const std::uint64_t ours = nofile > limits.reserved_descriptors ? nofile - limits.reserved_descriptors : 0;
  max_connections_ = std::max<std::size_t>(1, std::min(limits.max_connections, connections_for_descriptors(ours)));
  loop_ = std::make_unique<Loop>(std::move(routes), limits, max_connections_, counters_);
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
