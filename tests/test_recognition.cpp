// Recognising a fetch answer on all cores (client/recognition.hpp): the same
// entries, in the same order, as trying them one by one.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "meldpunt/client/recognition.hpp"
#include "meldpunt/crypto/identity.hpp"
#include "meldpunt/crypto/random.hpp"

using namespace meldpunt;
using client::recognise_entries;
using client::RecognisedEntry;

namespace {

using Scalar = crypto::Secret<crypto::kRistrettoScalarBytes>;

crypto::MessageId random_id() {
  crypto::MessageId id{};
  crypto::random_fill(id);
  return id;
}

crypto::FetchEntry entry_for(const crypto::FetchKeyPair& key, const crypto::MessageId& id) {
  auto clue = crypto::make_clue(key.pk);
  REQUIRE(clue.ok());
  auto entry = crypto::blind_clue(*clue, id);
  REQUIRE(entry.ok());
  return *entry;
}

// The one-by-one reading the parallel one must equal.
std::vector<RecognisedEntry> one_by_one(const std::vector<crypto::FetchEntry>& entries,
                                        const std::vector<const Scalar*>& keys) {
  std::vector<RecognisedEntry> out;
  for (const crypto::FetchEntry& e : entries) {
    for (std::size_t k = 0; k < keys.size(); ++k) {
      auto id = crypto::recognise(e, *keys[k]);
      if (!id) continue;
      const bool seen = std::any_of(out.begin(), out.end(), [&](const RecognisedEntry& r) { return r.id == *id; });
      if (!seen) out.push_back({*id, k});
      break;
    }
  }
  return out;
}

bool same(const std::vector<RecognisedEntry>& a, const std::vector<RecognisedEntry>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].id != b[i].id || a[i].key != b[i].key) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("recognise_entries finds each key's entries in the answer's order, each id once", "[recognition]") {
  const crypto::FetchKeyPair mine = crypto::FetchKeyPair::generate();
  const crypto::FetchKeyPair file = crypto::FetchKeyPair::generate();
  const crypto::FetchKeyPair other = crypto::FetchKeyPair::generate();
  std::vector<crypto::FetchEntry> entries;
  std::vector<RecognisedEntry> expected;
  const crypto::MessageId twice = random_id();
  // 520 entries and two keys: four threads' worth (recognition.cpp starts a
  // thread per 256 trials); ours scattered over all ranges.
  for (int i = 0; i < 520; ++i) {
    if (i % 37 == 5) {
      const crypto::MessageId id = random_id();
      entries.push_back(entry_for(i % 2 ? mine : file, id));
      expected.push_back({id, i % 2 ? 0u : 1u});
    } else if (i == 200 || i == 480) {
      entries.push_back(entry_for(mine, twice));  // named twice: counted at its first place
      if (i == 200) expected.push_back({twice, 0});
    } else if (i % 5 == 0) {
      entries.push_back(entry_for(other, random_id()));  // someone else's
    } else {
      entries.push_back(crypto::random_fetch_entry());  // padding
    }
  }
  const std::vector<const Scalar*> keys{&mine.sk, &file.sk};
  const std::vector<RecognisedEntry> reference = one_by_one(entries, keys);
  REQUIRE(same(reference, expected));
  for (unsigned threads : {1u, 3u, 16u, 0u}) {
    INFO("threads " << threads);
    CHECK(same(recognise_entries(entries, keys, threads), reference));
  }
  // The first key that matches wins, as in order.
  const std::vector<const Scalar*> both_mine{&mine.sk, &mine.sk};
  for (const RecognisedEntry& r : recognise_entries(entries, both_mine)) CHECK(r.key == 0);
  // Nothing to try: nothing found.
  CHECK(recognise_entries({}, keys).empty());
  CHECK(recognise_entries(entries, std::vector<const Scalar*>{}).empty());
}
