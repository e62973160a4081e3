// Fetch scheduling: paid fetches wait in a bounded queue and run one at a
// time on a worker thread beside the serving loop (a fetch of a large store
// takes seconds and must not hold up deposits and small requests).
//
// Order: the fetch that paid the highest price first, and among those paid
// alike the oldest first. The rank is the price paid (Pricing::accept_fetch
// caps a digest's work at the price in force), not the digest's luck, so a
// fetch is overtaken only by fetches paid at a higher price, which the
// price, rising by one doubling per fetch waiting (pricing.hpp), keeps to a
// few: no fetch starves. A flooder gets a share of the relay in proportion
// to the work it pays, and proofs made cheaply while the relay was quiet go
// to the back when it is busy.
//
// Full queue: a new fetch that paid more than the cheapest queued one takes
// its place (that one is answered "busy"); otherwise the new one is. Each
// fetch has a deadline: max_wait after it arrived, plus the allowance for
// computing that clients add to their timeout (0.1 ms per stored message,
// docs/PROTOCOL.md). One whose deadline would pass before the answer could
// be ready (now plus the time the last fetch took to compute) is dropped
// without being computed: its client (15 s default timeout) would have
// given up, and a blinded answer for nobody would only delay the living. Not earlier: a fetch dropped
// while its client still waits loses its place, and the client pays and
// queues again from the back. Each dropped fetch still gets a "busy"
// answer, which libzmq discards if its client is gone.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>
#include <zmq.hpp>

#include "meldpunt/protocol/wire.hpp"

namespace meldpunt::relay {

// The queue's policy alone, without threads or sockets (unit-tested).
// Tickets are the caller's handles for queued fetches.
class FetchQueue {
 public:
  FetchQueue(std::size_t capacity, double max_wait_seconds);

  struct Pushed {
    bool queued = false;                   // false: the new ticket is refused
    std::optional<std::uint64_t> evicted;  // a cheaper ticket pushed out to make room
  };
  // allowance: seconds the client adds to max_wait for the computing.
  Pushed push(std::uint64_t ticket, std::uint64_t paid, double now, double allowance = 0);

  struct Popped {
    std::optional<std::uint64_t> next;   // the fetch to compute now
    std::vector<std::uint64_t> expired;  // waited too long: answer busy, do not compute
  };
  Popped pop(double now);
  // Removes every ticket that has waited too long.
  std::vector<std::uint64_t> expire(double now);
  // Removes a waiting ticket (its client went away); false if not waiting.
  bool remove(std::uint64_t ticket);
  // Seconds the next fetch is expected to take to compute (the last one's).
  void set_compute_estimate(double seconds) { compute_estimate_ = seconds; }

  std::size_t size() const { return entries_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  struct Entry {
    std::uint64_t paid = 0;
    std::uint64_t sequence = 0;  // arrival order
    std::uint64_t ticket = 0;
    double deadline = 0;  // answered after this, its client has gone
    // Most paid first; among equals, oldest first.
    bool operator<(const Entry& o) const { return paid != o.paid ? paid > o.paid : sequence < o.sequence; }
  };
  std::size_t capacity_;
  double max_wait_;
  double compute_estimate_ = 0;
  std::uint64_t next_sequence_ = 0;
  std::set<Entry> entries_;
};

struct FetchSchedulerOptions {
  std::size_t max_pending = 32;  // queued + running
  double max_wait_seconds = 15;  // the clients' timeout: answered later, dropped uncomputed
};

// Runs fetches on one worker thread. ZeroMQ sockets belong to one thread,
// so the worker never touches the ROUTER sockets: it hands each answer back
// through a list and wakes the serving loop with a byte on an inproc PAIR
// socket that the loop polls beside the ROUTERs.
class FetchScheduler {
 public:
  struct Answer {
    std::size_t socket = 0;
    zmq::message_t routing_id;
    protocol::Frames reply;
    bool computed = false;  // false: refused or dropped as busy
  };
  using Compute = std::function<protocol::Frames()>;
  using Clock = std::function<double()>;  // seconds, monotonic

  FetchScheduler(zmq::context_t& context, Compute compute, FetchSchedulerOptions options, Clock clock);
  ~FetchScheduler();  // a fetch under way finishes first (bounded by the store size)
  FetchScheduler(const FetchScheduler&) = delete;
  FetchScheduler& operator=(const FetchScheduler&) = delete;

  // Queues a paid fetch; refusals (this one or one it pushed out) come back
  // through take_answers(), which the caller should call after submitting.
  // allowance: as FetchQueue::push.
  void submit(std::size_t socket, zmq::message_t routing_id, std::uint64_t paid, double allowance = 0);
  // Drops a queued fetch whose client went away (the HTTP door tells), so
  // it is neither computed nor answered; one already running still is, and
  // its answer is dropped by the door. False if it was not waiting.
  bool cancel(std::size_t socket, ByteView routing_id);
  // Answers ready since the last call (drains the wake-up bytes too).
  std::vector<Answer> take_answers();
  zmq::socket_t& wake_socket() { return wake_; }

  struct Load {
    std::size_t waiting = 0;
    std::size_t running = 0;  // 0 or 1
    std::size_t max_pending = 0;
    std::uint64_t refused_busy = 0;  // refused, evicted or dropped unanswered since start
    std::uint64_t expired = 0;       // of those, dropped after waiting too long
  };
  Load load();
  std::size_t pending();  // waiting + running

 private:
  struct Routing {
    std::size_t socket = 0;
    zmq::message_t routing_id;
  };
  void run();
  // With mutex_ held: moves a ticket's routing into answers_ as a busy refusal.
  void refuse_locked(std::uint64_t ticket, bool expired);

  zmq::context_t& context_;
  Compute compute_;
  FetchSchedulerOptions options_;
  Clock clock_;
  zmq::socket_t wake_;
  std::string endpoint_;
  std::mutex mutex_;
  std::condition_variable ready_;
  FetchQueue queue_;
  std::unordered_map<std::uint64_t, Routing> routing_;
  std::uint64_t next_ticket_ = 0;
  std::vector<Answer> answers_;
  bool busy_ = false;
  bool stopping_ = false;
  std::uint64_t refused_busy_ = 0, expired_ = 0;
  std::thread thread_;
};

}  // namespace meldpunt::relay
