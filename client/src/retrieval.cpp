#include "meldpunt/client/retrieval.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <optional>
#include <system_error>
#include <thread>

#include "meldpunt/crypto/random.hpp"
#include "meldpunt/protocol/wire.hpp"

namespace meldpunt::client {
namespace {

template <typename T>
void random_shuffle(std::vector<T>& items) {
  for (std::size_t i = items.size(); i > 1; --i) {
    const std::size_t j = crypto::random_below(static_cast<std::uint32_t>(i));
    std::swap(items[i - 1], items[j]);
  }
}

void random_pause() {
  std::this_thread::sleep_for(
      std::chrono::milliseconds(crypto::random_below(static_cast<std::uint32_t>(kMaxPause.count()) + 1)));
}

// One request on a connection of its own, closed after it.
Result<protocol::Reply> call_alone(const RelayConnection& relay, const protocol::Frames& request) {
  try {
    std::unique_ptr<RelayConnection> own = relay.open_another();
    return own->call(request);
  } catch (const std::exception& e) {  // setting up the connection failed (libzmq, memory)
    return Error{ErrorCode::kUnavailable, std::string("could not open a connection to the relay: ") + e.what()};
  }
}

bool contains(std::span<const crypto::MessageId> sorted, const crypto::MessageId& id) {
  return std::binary_search(sorted.begin(), sorted.end(), id);
}

}  // namespace

std::size_t padded_retrieval_count(std::size_t own) {
  const std::size_t quanta = (own + kRetrievalQuantum - 1) / kRetrievalQuantum;
  return std::max<std::size_t>(1, quanta) * kRetrievalQuantum;
}

void spread_jobs(std::size_t count, const std::function<void(std::size_t)>& job) {
  std::vector<std::size_t> order(count);
  for (std::size_t i = 0; i < count; ++i) order[i] = i;
  random_shuffle(order);
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t n = next++; n < count; n = next++) {
      random_pause();
      job(order[n]);
    }
  };
  const std::size_t threads = std::min(parallel_connections(count), count);
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) {
    try {
      pool.emplace_back(worker);
    } catch (const std::system_error&) {  // no more threads to be had: fewer at once, same jobs
      break;
    }
  }
  worker();
  for (std::thread& t : pool) t.join();
}

std::size_t parallel_connections(std::size_t requests) {
  const std::size_t quanta = std::max<std::size_t>(1, (requests + kRetrievalQuantum - 1) / kRetrievalQuantum);
  return std::min(kMaxParallelConnections, quanta * kParallelConnections);
}

std::vector<crypto::MessageId> draw_decoys(std::span<const crypto::MessageId> own,
                                           std::span<const crypto::MessageId> stored) {
  std::vector<crypto::MessageId> own_sorted(own.begin(), own.end());
  std::sort(own_sorted.begin(), own_sorted.end());
  std::vector<crypto::MessageId> pool;
  pool.reserve(stored.size());
  for (const crypto::MessageId& id : stored) {
    if (!contains(own_sorted, id) && (pool.empty() || pool.back() != id)) pool.push_back(id);
  }
  const std::size_t wanted = std::min(padded_retrieval_count(own.size()) - own.size(), pool.size());
  // A partial Fisher-Yates: the first `wanted` places get a uniform sample.
  for (std::size_t i = 0; i < wanted; ++i) {
    const std::size_t j = i + crypto::random_below(static_cast<std::uint32_t>(pool.size() - i));
    std::swap(pool[i], pool[j]);
  }
  pool.resize(wanted);
  return pool;
}

std::vector<Result<protocol::Reply>> retrieve_messages(const RelayConnection& relay,
                                                       std::span<const crypto::MessageId> own,
                                                       std::span<const crypto::MessageId> stored) {
  const std::vector<crypto::MessageId> decoys = draw_decoys(own, stored);
  std::vector<crypto::MessageId> ids(own.begin(), own.end());
  ids.insert(ids.end(), decoys.begin(), decoys.end());
  std::vector<std::optional<Result<protocol::Reply>>> answers(ids.size());
  spread_jobs(ids.size(), [&](std::size_t i) {
    auto reply = call_alone(relay, protocol::make_get_message_request(ids[i]));
    // A decoy's envelope is someone else's: dropped here, never opened.
    if (i < own.size()) answers[i] = std::move(reply);
  });
  std::vector<Result<protocol::Reply>> result;
  result.reserve(own.size());
  for (std::size_t i = 0; i < own.size(); ++i) result.push_back(std::move(*answers[i]));
  return result;
}

std::vector<Status> delete_messages(const RelayConnection& relay, std::span<const DeleteRequest> requests) {
  std::vector<Status> result(requests.size());
  spread_jobs(requests.size(), [&](std::size_t i) {
    auto reply = call_alone(relay, protocol::make_delete_request(requests[i].id, requests[i].token));
    result[i] = reply ? Status::success() : Status(reply.error());
  });
  return result;
}

}  // namespace meldpunt::client
