#include "meldpunt/client/recognition.hpp"

#include <algorithm>
#include <set>
#include <system_error>
#include <thread>

namespace meldpunt::client {
namespace {

// Below this many trials a thread costs more than it saves (a trial is
// ~50 us; starting a thread ~20-50 us).
constexpr std::size_t kTrialsPerThread = 256;
constexpr unsigned kMaxThreads = 16;

struct Hit {
  std::size_t entry = 0;
  RecognisedEntry found;
};

void try_range(std::span<const crypto::FetchEntry> entries, std::size_t begin, std::size_t end,
               std::span<const crypto::Secret<crypto::kRistrettoScalarBytes>* const> keys, std::vector<Hit>& hits) {
  for (std::size_t e = begin; e < end; ++e) {
    for (std::size_t k = 0; k < keys.size(); ++k) {
      if (auto id = crypto::recognise(entries[e], *keys[k])) {
        hits.push_back({e, {*id, k}});
        break;
      }
    }
  }
}

}  // namespace

std::vector<RecognisedEntry> recognise_entries(std::span<const crypto::FetchEntry> entries,
                                               std::span<const crypto::Secret<crypto::kRistrettoScalarBytes>* const> keys,
                                               unsigned threads) {
  if (entries.empty() || keys.empty()) return {};
  if (threads == 0) threads = std::clamp(std::thread::hardware_concurrency(), 1u, kMaxThreads);
  const std::size_t trials = entries.size() * keys.size();
  const std::size_t useful = std::max<std::size_t>(1, trials / kTrialsPerThread);
  const std::size_t parts = std::min<std::size_t>({threads, useful, entries.size()});

  // Contiguous ranges, one per thread, each with its own list of hits: put
  // back together in range order they are in the answer's order.
  std::vector<std::vector<Hit>> hits(parts);
  const std::size_t per_part = (entries.size() + parts - 1) / parts;
  {
    std::vector<std::jthread> pool;
    pool.reserve(parts);
    for (std::size_t p = 1; p < parts; ++p) {
      const std::size_t begin = std::min(entries.size(), p * per_part);
      const std::size_t end = std::min(entries.size(), begin + per_part);
      try {
        pool.emplace_back([&, begin, end, p] { try_range(entries, begin, end, keys, hits[p]); });
      } catch (const std::system_error&) {  // no thread to be had: this one does the range
        try_range(entries, begin, end, keys, hits[p]);
      }
    }
    try_range(entries, 0, std::min(entries.size(), per_part), keys, hits[0]);
  }  // joined here

  std::vector<RecognisedEntry> out;
  std::set<crypto::MessageId> seen;
  for (const std::vector<Hit>& part : hits) {
    for (const Hit& hit : part) {
      if (seen.insert(hit.found.id).second) out.push_back(hit.found);
    }
  }
  return out;
}

}  // namespace meldpunt::client
