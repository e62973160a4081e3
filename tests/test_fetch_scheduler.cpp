// The fetch queue's policy (most work paid first, the cheapest refused or
// pushed out when full, expiry after max_wait) and the scheduler that runs
// it on a worker thread: a fetch that waited too long is never computed.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "fetch_scheduler.hpp"

using namespace meldpunt;
using relay::FetchQueue;

TEST_CASE("fetch queue: most paid first, oldest first among equals", "[relay][scheduler]") {
  FetchQueue q(8, 10.0);
  REQUIRE(q.push(1, 100, 0.0).queued);
  REQUIRE(q.push(2, 500, 0.1).queued);
  REQUIRE(q.push(3, 100, 0.2).queued);
  REQUIRE(q.push(4, 900, 0.3).queued);
  std::vector<std::uint64_t> order;
  for (;;) {
    FetchQueue::Popped p = q.pop(1.0);
    CHECK(p.expired.empty());
    if (!p.next) break;
    order.push_back(*p.next);
  }
  CHECK(order == std::vector<std::uint64_t>{4, 2, 1, 3});
}

TEST_CASE("fetch queue: when full the cheapest goes, never one that paid more", "[relay][scheduler]") {
  FetchQueue q(2, 10.0);
  REQUIRE(q.push(1, 100, 0.0).queued);
  REQUIRE(q.push(2, 200, 0.0).queued);
  // Paid no more than the cheapest waiting: refused, nothing pushed out.
  FetchQueue::Pushed equal = q.push(3, 100, 0.0);
  CHECK_FALSE(equal.queued);
  CHECK_FALSE(equal.evicted);
  // Paid more: takes the cheapest one's place.
  FetchQueue::Pushed more = q.push(4, 150, 0.0);
  CHECK(more.queued);
  REQUIRE(more.evicted);
  CHECK(*more.evicted == 1);
  CHECK(q.size() == 2);
  CHECK(*q.pop(0.0).next == 2);
  CHECK(*q.pop(0.0).next == 4);
}

TEST_CASE("fetch queue: a fetch that waited too long is dropped, not handed out", "[relay][scheduler]") {
  FetchQueue q(8, 10.0);
  REQUIRE(q.push(1, 900, 0.0).queued);  // paid most, but will be stale
  REQUIRE(q.push(2, 100, 5.0).queued);
  FetchQueue::Popped p = q.pop(10.5);
  CHECK(p.expired == std::vector<std::uint64_t>{1});
  REQUIRE(p.next);
  CHECK(*p.next == 2);
  CHECK(q.size() == 0);
  REQUIRE(q.push(3, 1, 20.0).queued);
  CHECK(q.expire(30.0) == std::vector<std::uint64_t>{});
  CHECK(q.expire(30.01) == std::vector<std::uint64_t>{3});
}

namespace {

zmq::message_t routing(std::uint8_t id) { return zmq::message_t(&id, 1); }

// Collects answers until `count` arrived or a few seconds passed.
std::vector<relay::FetchScheduler::Answer> wait_for(relay::FetchScheduler& s, std::size_t count) {
  std::vector<relay::FetchScheduler::Answer> all;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (all.size() < count && std::chrono::steady_clock::now() < deadline) {
    for (auto& a : s.take_answers()) all.push_back(std::move(a));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return all;
}

}  // namespace

TEST_CASE("fetch queue: dropped when its answer would come too late, not while it can still be in time",
          "[relay][scheduler]") {
  FetchQueue q(8, 15.0);
  q.set_compute_estimate(4.0);  // the last fetch took 4 s
  REQUIRE(q.push(1, 100, 0.0).queued);
  REQUIRE(q.push(2, 100, 2.0).queued);
  // Waited 10.5 s: the answer could still come by 14.5 s, within the 15 s
  // its client waits (a fixed 10 s wait dropped it here).
  CHECK(q.expire(10.5).empty());
  // 11.5 s of waiting plus 4 s of computing passes 15 s: for nobody.
  CHECK(q.expire(11.5) == std::vector<std::uint64_t>{1});
  q.set_compute_estimate(0.5);  // fetches got faster
  CHECK(q.expire(14.0).empty());
  CHECK(q.expire(16.6) == std::vector<std::uint64_t>{2});
  // A large store: clients wait 0.1 ms per stored message more (10 s at
  // 100 000), so a fetch after one that took 16 s is still computed.
  q.set_compute_estimate(16.0);
  REQUIRE(q.push(3, 100, 20.0, 10.0).queued);
  FetchQueue::Popped p = q.pop(20.0);
  CHECK(p.expired.empty());
  REQUIRE(p.next);
  CHECK(*p.next == 3);
}

TEST_CASE("fetch scheduler: queued fetches of clients that have gone are never computed", "[relay][scheduler]") {
  zmq::context_t context{1};
  std::atomic<int> computed{0};
  std::atomic<bool> release{false};
  std::atomic<double> clock{0.0};
  relay::FetchScheduler s(
      context,
      [&] {
        computed++;
        while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return protocol::make_ok_reply({Bytes{1}});
      },
      relay::FetchSchedulerOptions{8, 2.0}, [&] { return clock.load(); });  // fetches may wait 2 s
  s.submit(0, routing(1), 10);
  while (computed.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  s.submit(0, routing(2), 10);
  s.submit(0, routing(3), 20);
  // The first fetch takes longer than the others may wait (their clients
  // have timed out by the time the worker is free).
  clock = 5.0;
  release = true;
  std::vector<relay::FetchScheduler::Answer> answers = wait_for(s, 3);
  REQUIRE(answers.size() == 3);
  CHECK(computed.load() == 1);
  for (const auto& a : answers) {
    const std::uint8_t id = *static_cast<const std::uint8_t*>(a.routing_id.data());
    CHECK(a.computed == (id == 1));
    if (!a.computed) CHECK(a.reply.at(0).at(1) == static_cast<std::uint8_t>(ErrorCode::kRateLimited));
  }
  CHECK(s.load().expired == 2);
  CHECK(s.pending() == 0);
}

TEST_CASE("fetch scheduler: refusals when full come back at once, the richer fetch is kept", "[relay][scheduler]") {
  zmq::context_t context{1};
  std::atomic<bool> release{false};
  std::atomic<int> started{0};
  relay::FetchScheduler s(
      context,
      [&] {
        started++;
        while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return protocol::make_ok_reply();
      },
      relay::FetchSchedulerOptions{2, 60.0}, [] { return 0.0; });  // one running, one waiting
  s.submit(0, routing(1), 5);
  while (started.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  s.submit(0, routing(2), 5);
  CHECK(s.pending() == 2);
  s.submit(0, routing(3), 5);   // no more than the one waiting: refused
  s.submit(0, routing(4), 50);  // more: pushes fetch 2 out
  std::vector<relay::FetchScheduler::Answer> refused = s.take_answers();
  REQUIRE(refused.size() == 2);
  CHECK(*static_cast<const std::uint8_t*>(refused[0].routing_id.data()) == 3);
  CHECK(*static_cast<const std::uint8_t*>(refused[1].routing_id.data()) == 2);
  CHECK_FALSE(refused[0].computed);
  release = true;
  std::vector<relay::FetchScheduler::Answer> done = wait_for(s, 2);
  REQUIRE(done.size() == 2);
  CHECK(*static_cast<const std::uint8_t*>(done[0].routing_id.data()) == 1);
  CHECK(*static_cast<const std::uint8_t*>(done[1].routing_id.data()) == 4);
  CHECK(s.load().refused_busy == 2);
  CHECK(s.load().expired == 0);
}

TEST_CASE("fetch queue: a waiting ticket can be removed, once", "[relay][scheduler]") {
  FetchQueue q(4, 10.0);
  REQUIRE(q.push(1, 100, 0.0).queued);
  REQUIRE(q.push(2, 200, 0.0).queued);
  CHECK(q.remove(2));
  CHECK_FALSE(q.remove(2));
  CHECK_FALSE(q.remove(7));
  CHECK(q.size() == 1);
  FetchQueue::Popped p = q.pop(1.0);
  REQUIRE(p.next);
  CHECK(*p.next == 1);
}

TEST_CASE("fetch scheduler: a cancelled fetch (its HTTP client went away) is neither computed nor answered",
          "[relay][scheduler]") {
  zmq::context_t context{1};
  std::atomic<int> computed{0};
  std::atomic<bool> release{false};
  relay::FetchScheduler s(
      context,
      [&] {
        computed++;
        while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return protocol::make_ok_reply();
      },
      relay::FetchSchedulerOptions{8, 60.0}, [] { return 0.0; });
  s.submit(0, routing(1), 10);
  while (computed.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  s.submit(1, routing(2), 10);
  s.submit(1, routing(3), 10);
  const std::uint8_t two = 2, one = 1;
  CHECK_FALSE(s.cancel(0, ByteView(&two, 1)));  // same routing id on another socket: not it
  CHECK(s.cancel(1, ByteView(&two, 1)));
  CHECK_FALSE(s.cancel(1, ByteView(&two, 1)));
  CHECK_FALSE(s.cancel(0, ByteView(&one, 1)));  // running already: it finishes
  CHECK(s.pending() == 2);
  release = true;
  std::vector<relay::FetchScheduler::Answer> done = wait_for(s, 2);
  REQUIRE(done.size() == 2);
  CHECK(*static_cast<const std::uint8_t*>(done[0].routing_id.data()) == 1);
  CHECK(*static_cast<const std::uint8_t*>(done[1].routing_id.data()) == 3);
  CHECK(computed.load() == 2);
  CHECK(s.load().refused_busy == 0);
}
