// For bench/web_page.py: adds COUNT messages to the store of a relay data
// folder (the relay stopped), so the reporter page's check can be timed
// against a store of that size. Each message is what any stored message
// looks like to the relay and to a reporter who does not hold it: a random
// id, a valid clue no key recognises, a random verifier and a random
// envelope of the smallest class (a decoy retrieval downloads one).
//
//   web_fill DATA_FOLDER COUNT
#include <cstdlib>
#include <iostream>
#include <string>

#include "bench_util.hpp"
#include "data_folder.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/init.hpp"
#include "meldpunt/store/relay_store.hpp"
#include "store_fill.hpp"

using namespace meldpunt;

int main(int argc, char** argv) try {
  crypto::init();
  if (argc != 3) {
    std::cerr << "usage: web_fill DATA_FOLDER COUNT\n";
    return 1;
  }
  const std::size_t count = std::stoul(argv[2]);
  if (count == 0 || count > 1000000) {
    std::cerr << "web_fill: COUNT must be 1 to 1000000\n";
    return 1;
  }
  relay::DataFolder data{argv[1]};
  store::RelayStoreOptions options;
  options.durable = false;  // a bulk load; the relay reopens the store afterwards
  options.clue_cache = false;
  store::RelayStore store(data.store_dir(), options);
  std::size_t stored = 0;
  bench::fill_store(store, stored, count, bench::random_clue_pool(4096),
                    bench::random_bytes(crypto::kEnvelopeSizes[0]));
  std::cout << "added " << stored << " messages\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << "web_fill: " << e.what() << "\n";
  return 2;
}
