#include "fetch_scheduler.hpp"

#include <algorithm>

namespace meldpunt::relay {

FetchQueue::FetchQueue(std::size_t capacity, double max_wait_seconds)
    : capacity_(std::max<std::size_t>(capacity, 1)), max_wait_(max_wait_seconds) {}

FetchQueue::Pushed FetchQueue::push(std::uint64_t ticket, std::uint64_t paid, double now, double allowance) {
  Pushed out;
  const Entry entry{paid, next_sequence_++, ticket, now + max_wait_ + allowance};
  if (entries_.size() >= capacity_) {
    auto cheapest = std::prev(entries_.end());
    if (!(entry < *cheapest)) return out;  // paid no more than the cheapest waiting: refused
    out.evicted = cheapest->ticket;
    entries_.erase(cheapest);
  }
  entries_.insert(entry);
  out.queued = true;
  return out;
}

std::vector<std::uint64_t> FetchQueue::expire(double now) {
  std::vector<std::uint64_t> expired;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (now + compute_estimate_ > it->deadline) {
      expired.push_back(it->ticket);
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  return expired;
}

bool FetchQueue::remove(std::uint64_t ticket) {
  const auto it = std::find_if(entries_.begin(), entries_.end(), [ticket](const Entry& e) { return e.ticket == ticket; });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

FetchQueue::Popped FetchQueue::pop(double now) {
  Popped out;
  out.expired = expire(now);
  if (!entries_.empty()) {
    out.next = entries_.begin()->ticket;
    entries_.erase(entries_.begin());
  }
  return out;
}

FetchScheduler::FetchScheduler(zmq::context_t& context, Compute compute, FetchSchedulerOptions options, Clock clock)
    : context_(context),
      compute_(std::move(compute)),
      options_(options),
      clock_(std::move(clock)),
      wake_(context, zmq::socket_type::pair),
      // One of the pending slots is the running fetch.
      queue_(std::max<std::size_t>(options.max_pending, 2) - 1, options.max_wait_seconds) {
  endpoint_ = "inproc://meldpunt-fetch-" + std::to_string(reinterpret_cast<std::uintptr_t>(this));
  wake_.set(zmq::sockopt::linger, 0);
  wake_.bind(endpoint_);
  thread_ = std::thread([this] { run(); });
}

FetchScheduler::~FetchScheduler() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_one();
  thread_.join();
}

void FetchScheduler::refuse_locked(std::uint64_t ticket, bool expired) {
  auto it = routing_.find(ticket);
  if (it == routing_.end()) return;
  Answer answer;
  answer.socket = it->second.socket;
  answer.routing_id = std::move(it->second.routing_id);
  answer.reply = protocol::make_error_reply(
      ErrorCode::kRateLimited, expired ? "the relay was too busy to answer this fetch in time; try again"
                                       : "the relay is busy with fetches that paid more; try again");
  answers_.push_back(std::move(answer));
  routing_.erase(it);
  refused_busy_++;
  if (expired) expired_++;
}

void FetchScheduler::submit(std::size_t socket, zmq::message_t routing_id, std::uint64_t paid, double allowance) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::uint64_t ticket = next_ticket_++;
    routing_.emplace(ticket, Routing{socket, std::move(routing_id)});
    const double now = clock_();
    for (std::uint64_t t : queue_.expire(now)) refuse_locked(t, true);
    const FetchQueue::Pushed pushed = queue_.push(ticket, paid, now, allowance);
    if (pushed.evicted) refuse_locked(*pushed.evicted, false);
    if (!pushed.queued) refuse_locked(ticket, false);
  }
  // Refusals wait in answers_ for the serving loop, which calls
  // take_answers() after every round.
  ready_.notify_one();
}

bool FetchScheduler::cancel(std::size_t socket, ByteView routing_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = routing_.begin(); it != routing_.end(); ++it) {
    const zmq::message_t& id = it->second.routing_id;
    if (it->second.socket != socket || id.size() != routing_id.size() ||
        !std::equal(routing_id.begin(), routing_id.end(), static_cast<const std::uint8_t*>(id.data()))) {
      continue;
    }
    const bool removed = queue_.remove(it->first);
    if (removed) routing_.erase(it);
    return removed;
  }
  return false;
}

std::vector<FetchScheduler::Answer> FetchScheduler::take_answers() {
  zmq::message_t ignored;
  while (wake_.recv(ignored, zmq::recv_flags::dontwait)) {
  }
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Answer> out;
  out.swap(answers_);
  return out;
}

FetchScheduler::Load FetchScheduler::load() {
  std::lock_guard<std::mutex> lock(mutex_);
  return Load{queue_.size(), busy_ ? 1u : 0u, options_.max_pending, refused_busy_, expired_};
}

std::size_t FetchScheduler::pending() {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size() + (busy_ ? 1 : 0);
}

void FetchScheduler::run() {
  zmq::socket_t notify(context_, zmq::socket_type::pair);
  notify.set(zmq::sockopt::linger, 0);
  notify.connect(endpoint_);
  for (;;) {
    Answer job;
    bool expired_any = false;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || queue_.size() > 0; });
      if (stopping_) return;
      FetchQueue::Popped popped = queue_.pop(clock_());
      for (std::uint64_t t : popped.expired) refuse_locked(t, true);
      expired_any = !popped.expired.empty();
      if (popped.next) {
        auto it = routing_.find(*popped.next);
        job.socket = it->second.socket;
        job.routing_id = std::move(it->second.routing_id);
        job.computed = true;
        routing_.erase(it);
        busy_ = true;
      }
    }
    const std::uint8_t byte = 0;
    if (expired_any) (void)notify.send(zmq::const_buffer(&byte, 1), zmq::send_flags::dontwait);
    if (!job.computed) continue;
    const double started = clock_();
    job.reply = compute_();
    const double took = clock_() - started;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.set_compute_estimate(took);
      answers_.push_back(std::move(job));
      busy_ = false;
    }
    (void)notify.send(zmq::const_buffer(&byte, 1), zmq::send_flags::dontwait);
  }
}

}  // namespace meldpunt::relay
