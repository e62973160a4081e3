// The retrieval session's arithmetic (client/retrieval.hpp): how many
// get-messages a session sends, and which decoys it draws.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

#include "meldpunt/client/retrieval.hpp"
#include "meldpunt/crypto/random.hpp"

using namespace meldpunt;
using client::draw_decoys;
using client::kRetrievalQuantum;
using client::padded_retrieval_count;
using client::parallel_connections;
using client::spread_jobs;

namespace {

std::vector<crypto::MessageId> random_ids(std::size_t n) {
  std::vector<crypto::MessageId> ids(n);
  for (auto& id : ids) crypto::random_fill(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

TEST_CASE("a session sends K get-messages, or the next multiple of K", "[retrieval]") {
  STATIC_REQUIRE(kRetrievalQuantum == 16);
  CHECK(padded_retrieval_count(0) == 16);  // nothing of one's own still looks like everyone else
  CHECK(padded_retrieval_count(1) == 16);
  CHECK(padded_retrieval_count(16) == 16);
  CHECK(padded_retrieval_count(17) == 32);
  CHECK(padded_retrieval_count(40) == 48);
}

TEST_CASE("decoys are others' stored ids, without repeats, filling the session", "[retrieval]") {
  const std::vector<crypto::MessageId> stored = random_ids(100);
  const std::vector<crypto::MessageId> own{stored[3], stored[50], stored[99]};
  const std::vector<crypto::MessageId> decoys = draw_decoys(own, stored);
  CHECK(decoys.size() == 16 - own.size());
  const std::set<crypto::MessageId> unique(decoys.begin(), decoys.end());
  CHECK(unique.size() == decoys.size());
  for (const auto& d : decoys) {
    CHECK(std::binary_search(stored.begin(), stored.end(), d));
    CHECK(std::find(own.begin(), own.end(), d) == own.end());
  }
  // More of one's own than K: padded to the next multiple.
  const std::vector<crypto::MessageId> many(stored.begin(), stored.begin() + 20);
  CHECK(draw_decoys(many, stored).size() == 12);
}

TEST_CASE("a small store gives what it has, never an id twice", "[retrieval]") {
  const std::vector<crypto::MessageId> stored = random_ids(5);
  const std::vector<crypto::MessageId> own{stored[0]};
  auto decoys = draw_decoys(own, stored);
  std::sort(decoys.begin(), decoys.end());
  CHECK(decoys == std::vector<crypto::MessageId>(stored.begin() + 1, stored.end()));
  CHECK(draw_decoys(stored, stored).empty());
  CHECK(draw_decoys({}, {}).empty());
}

TEST_CASE("decoys are drawn uniformly", "[retrieval]") {
  // 15 decoys from 30 candidates, 2000 times: each candidate is drawn about
  // 1000 times (binomial, sd ~22); a biased draw (e.g. always the first
  // ones) is far outside 800..1200.
  const std::vector<crypto::MessageId> stored = random_ids(31);
  const std::vector<crypto::MessageId> own{stored[7]};
  std::map<crypto::MessageId, int> drawn;
  for (int round = 0; round < 2000; ++round) {
    for (const auto& d : draw_decoys(own, stored)) drawn[d]++;
  }
  CHECK(drawn.size() == 30);
  for (const auto& [id, count] : drawn) {
    CHECK(count > 800);
    CHECK(count < 1200);
  }
}

TEST_CASE("a session keeps four connections at once per quantum, at most 32", "[retrieval]") {
  STATIC_REQUIRE(client::kParallelConnections == 4);
  CHECK(parallel_connections(0) == 4);
  CHECK(parallel_connections(1) == 4);
  CHECK(parallel_connections(16) == 4);  // every one-quantum session: a reporter's check
  CHECK(parallel_connections(17) == 8);
  CHECK(parallel_connections(100) == 28);  // an adviser's 100 deletes
  CHECK(parallel_connections(112) == 28);  // its 112 get-messages
  CHECK(parallel_connections(128) == 32);
  CHECK(parallel_connections(10000) == 32);
}

namespace {

// Runs spread_jobs over `count` jobs whose first ones wait (at most `wait`)
// until `expected` of them are under way together, and returns the most
// that ever were: `expected` if the pacing allows that many at once, fewer
// (after the wait) if it allows fewer. Also checks every job ran once.
std::size_t most_at_once(std::size_t count, std::size_t expected,
                         std::chrono::milliseconds wait = std::chrono::seconds(10)) {
  std::mutex m;
  std::condition_variable cv;
  std::size_t active = 0;
  std::size_t most = 0;
  bool released = false;
  std::vector<int> ran(count, 0);
  spread_jobs(count, [&](std::size_t i) {
    std::unique_lock lock(m);
    ran[i]++;
    most = std::max(most, ++active);
    if (active >= expected) released = true;
    cv.notify_all();
    cv.wait_for(lock, wait, [&] { return released; });
    released = true;  // one wait is enough to tell
    --active;
  });
  CHECK(std::all_of(ran.begin(), ran.end(), [](int n) { return n == 1; }));
  return most;
}

}  // namespace

TEST_CASE("the pacing runs as many at once as parallel_connections says, and no more", "[retrieval]") {
  CHECK(most_at_once(16, 4) == 4);  // one quantum: four, as before
  CHECK(most_at_once(40, 12) == 12);  // three quanta: twelve
  CHECK(most_at_once(5, 5, std::chrono::seconds(1)) == 4);  // never more than the bound, however long they wait
}
