// Fetch: the relay's time to answer one fetch (blind every stored clue, pad,
// shuffle, serialise) against the limit, two ristretto255 scalar
// multiplications per stored clue divided over all cores, measured in the
// same run on the same machine.
#include <atomic>
#include <iostream>
#include <thread>

#include "bench_util.hpp"
#include "data_folder.hpp"
#include "limits_sodium.hpp"
#include "load.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/identity.hpp"
#include "meldpunt/crypto/init.hpp"
#include "meldpunt/protocol/wire.hpp"
#include "meldpunt/store/relay_store.hpp"
#include "request_handler.hpp"
#include "server.hpp"
#include "store_fill.hpp"

namespace {

using namespace meldpunt;

double time_handler_fetch(relay::RequestHandler& handler, std::size_t stored) {
  const protocol::Frames request = protocol::request_header_only(protocol::Op::kFetch);
  std::vector<ByteView> views(request.begin(), request.end());
  const auto start = bench::Clock::now();
  relay::RequestHandler::Outcome outcome = handler.handle(views);
  const double seconds = bench::seconds_since(start);
  const std::size_t expected = protocol::padded_fetch_count(stored) * crypto::kFetchEntryBytes;
  if (outcome.reply.size() != 3 ||  // header, entries, stored ids
      outcome.reply[0].size() != 2 || outcome.reply[0][1] != 0 ||
      outcome.reply[1].size() != expected) {
    throw std::runtime_error("fetch answer has the wrong shape");
  }
  return seconds;
}

// The step a fetch starts with: the copy of the store's in-memory clues.
double time_clue_copy(const store::RelayStore& store) {
  const auto start = bench::Clock::now();
  const std::vector<store::ClueRecord> clues = store.clues();
  const double seconds = bench::seconds_since(start);
  if (clues.empty()) throw std::runtime_error("no clues in the store");
  return seconds;
}

// The answer must contain exactly our own messages: a benchmark of a wrong
// answer would be worthless.
void check_recognition(relay::RequestHandler& handler, const crypto::FetchKeyPair& key, std::size_t expected) {
  const protocol::Frames request = protocol::request_header_only(protocol::Op::kFetch);
  std::vector<ByteView> views(request.begin(), request.end());
  relay::RequestHandler::Outcome outcome = handler.handle(views);
  auto entries = protocol::decode_fetch_entries(outcome.reply.at(1));
  if (!entries) throw std::runtime_error("fetch answer does not decode");
  std::size_t found = 0;
  for (const crypto::FetchEntry& e : *entries) if (crypto::recognise(e, key.sk)) ++found;
  if (found != expected) throw std::runtime_error("fetch answer lost or invented messages");
}

}  // namespace

int main(int argc, char** argv) try {
  crypto::init();
  const bench::Args args = bench::parse_args(argc, argv);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  struct Size {
    std::size_t clues;
    int reps;
  };
  const std::vector<Size> sizes =
      args.smoke ? std::vector<Size>{{200, 1}, {1000, 1}} : std::vector<Size>{{1000, 5}, {10000, 3}, {100000, 2}};
  const int e2e_reps = 1;

  // Single-core rate first, for the theoretical line.
  const std::size_t rate_count = args.smoke ? 200 : 20000;
  const double per_core = static_cast<double>(rate_count) / bench::scalarmult_seconds(rate_count, 1);

  bench::TempFolder folder(args.tmp_base, "meldpunt-bench-fetch-");
  relay::DataFolder data{folder.path() / "data"};
  crypto::Ed25519PublicKey org{};
  crypto::random_fill(org);
  if (Status s = data.initialise(org); !s) throw std::runtime_error(s.error().message);
  auto keys = data.load_keys();
  if (!keys) throw std::runtime_error(keys.error().message);
  store::RelayStoreOptions store_options;
  store_options.durable = false;  // filling only; a fetch does not write
  store::RelayStore store(data.store_dir(), store_options);
  // fetch_threads 0 = all cores; fetches free, so the end-to-end figure is
  // the relay's work and not the client's proof of work.
  relay::RelayPolicy policy;
  policy.pricing.fetch_work_min = 0;
  policy.pricing.fetch_work_per_message = 0;
  relay::RequestHandler handler(store, org, policy);

  // A few real messages for one recipient, to check every answer's content.
  const crypto::FetchKeyPair me = crypto::FetchKeyPair::generate();
  constexpr std::size_t kMine = 8;
  std::size_t stored = 0;
  {
    std::vector<crypto::Clue> mine;
    for (std::size_t i = 0; i < kMine; ++i) mine.push_back(crypto::make_clue(me.pk).value());
    bench::fill_store(store, stored, kMine, mine);
  }
  const std::vector<crypto::Clue> pool = bench::random_clue_pool(args.smoke ? 64 : 4096);

  std::cout << "## Fetch\n\n"
            << "Relay: `RequestHandler::handle(fetch)` called directly on a store holding N messages (fill: "
               "`RelayStore` with durable=false, valid clues, empty envelopes since a fetch reads only the clues); "
               "the time covers copying the store's in-memory clues (column \"clue copy ms\", timed alone), "
               "blinding each (2 scalar multiplications + 1 BLAKE2b), padding, shuffling and serialising, on all "
            << cores << " cores (`fetch_threads` 0). "
            << "Limit: 2 x N `crypto_scalarmult_ristretto255` calls split over " << cores
            << " threads, timed in the same run (interleaved with the relay runs). ratio = relay / limit (target <= "
               "1.3). Best of several runs each. Single-core rate measured at the start: "
            << bench::sig3(per_core) << " scalar multiplications/s (" << bench::sig3(1e6 / per_core)
            << " us each), so the arithmetic floor is 2 x N / (" << bench::sig3(per_core) << " x " << cores
            << ") s.\n\n";

  bench::Csv csv(args.csv, {"clues", "answer_entries", "relay_ms", "limit_ms", "floor_ms", "clue_copy_ms", "ratio",
                            "e2e_ms", "e2e_ratio"});
  bench::Table table({"stored clues", "answer MB", "relay ms", "limit ms", "ratio", "relay us/clue", "clue copy ms",
                      "floor from 1-core rate ms"});
  double last_limit = 0;
  std::size_t last_size = 0;
  for (std::size_t si = 0; si < sizes.size(); ++si) {
    const Size& size = sizes[si];
    bench::fill_store(store, stored, size.clues, pool);
    if (si == 0) check_recognition(handler, me, kMine);
    double relay_best = 1e99, limit_best = 1e99, copy_best = 1e99;
    for (int r = 0; r < size.reps; ++r) {
      relay_best = std::min(relay_best, time_handler_fetch(handler, stored));
      limit_best = std::min(limit_best, bench::scalarmult_seconds(2 * stored, cores));
      copy_best = std::min(copy_best, time_clue_copy(store));
    }
    const double floor = 2.0 * static_cast<double>(stored) / (per_core * cores);
    const std::size_t entries = protocol::padded_fetch_count(stored);
    const double ratio = relay_best / limit_best;
    table.add({std::to_string(stored), bench::sig3(static_cast<double>(entries * 64) / 1e6),
               bench::sig3(relay_best * 1e3), bench::sig3(limit_best * 1e3), bench::fixed(ratio, 2),
               bench::sig3(relay_best * 1e6 / static_cast<double>(stored)), bench::sig3(copy_best * 1e3),
               bench::sig3(floor * 1e3)});
    csv.row({std::to_string(stored), std::to_string(entries), bench::fixed(relay_best * 1e3, 3),
             bench::fixed(limit_best * 1e3, 3), bench::fixed(floor * 1e3, 3), bench::fixed(copy_best * 1e3, 3),
             bench::fixed(ratio, 3), "", ""});
    last_limit = limit_best;
    last_size = stored;
  }
  table.print(std::cout);

  // End to end through the socket at the largest size: the real serving
  // loop, CurveZMQ over loopback, the client's RelayConnection.
  protocol::ChannelAddress address;
  const int port = bench::free_loopback_port();
  address.endpoint = "tcp://127.0.0.1:" + std::to_string(port);
  address.relay_curve_pk = keys->public_key;
  address.org_sign_pk = org;
  relay::ServerOptions server_options;
  server_options.endpoint = address.endpoint;
  server_options.rate_limit.tokens_per_second = 0;  // repeated large fetches from one connection, on purpose
  std::atomic<bool> stop{false};
  std::thread server([&] { relay::serve(handler, keys->secret, server_options, stop); });
  bench::wait_until_listening(port);
  double e2e_best = 1e99;
  double blocked_best = 1e99;  // wait of a trivial request sent 50 ms into a fetch
  std::string e2e_error;
  {
    client::ConnectionOptions connection_options;
    connection_options.timeout = std::chrono::seconds(300);
    client::RelayConnection connection(address, connection_options);
    // The first call connects (handshake) and is not timed.
    auto warm = connection.call(protocol::request_header_only(protocol::Op::kGetDirectory));
    if (!warm && warm.error().code != ErrorCode::kNotFound) e2e_error = warm.error().message;
    // A second client asks for something trivial while the fetch runs: the
    // serving loop is one thread, so its wait shows how long a fetch holds
    // up every other request (deposits included).
    client::RelayConnection other(address, connection_options);
    auto other_warm = other.call(protocol::request_header_only(protocol::Op::kGetDirectory));
    if (!other_warm && other_warm.error().code != ErrorCode::kNotFound) e2e_error = other_warm.error().message;
    for (int r = 0; e2e_error.empty() && r < e2e_reps; ++r) {
      std::thread probe([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        const auto asked = bench::Clock::now();
        auto answer = other.call(protocol::request_header_only(protocol::Op::kGetDirectory));
        if (answer || answer.error().code == ErrorCode::kNotFound) {
          blocked_best = std::min(blocked_best, bench::seconds_since(asked));
        }
      });
      const auto start = bench::Clock::now();
      auto reply = connection.call(protocol::request_header_only(protocol::Op::kFetch));
      const double seconds = bench::seconds_since(start);
      probe.join();
      if (!reply) {
        e2e_error = reply.error().message;
      } else if (reply->fields.size() != 2 ||  // entries, then the stored ids
                 reply->fields[0].size() != protocol::padded_fetch_count(last_size) * crypto::kFetchEntryBytes) {
        e2e_error = "fetch answer has the wrong shape";
      }
      e2e_best = std::min(e2e_best, seconds);
    }
  }
  stop.store(true);
  server.join();
  if (!e2e_error.empty()) throw std::runtime_error("end-to-end fetch: " + e2e_error);
  const double e2e_ratio = e2e_best / last_limit;
  bench::Table e2e({"end to end", "stored clues", "answer MB", "client-observed ms", "limit ms", "ratio"});
  e2e.add({"`RelayConnection::call(fetch)` -> `relay::serve`, CURVE, loopback", std::to_string(last_size),
           bench::sig3(static_cast<double>(protocol::padded_fetch_count(last_size) * 64) / 1e6),
           bench::sig3(e2e_best * 1e3), bench::sig3(last_limit * 1e3), bench::fixed(e2e_ratio, 2)});
  e2e.print(std::cout);
  if (blocked_best < 1e98) {
    std::cout << "A get-directory sent by a second client 50 ms into that fetch was answered after "
              << bench::sig3(blocked_best * 1e3)
              << " ms (fetches run on a worker beside the serving loop, so other requests are not held up by "
                 "one).\n\n";
  }
  csv.row({std::to_string(last_size), std::to_string(protocol::padded_fetch_count(last_size)), "", "", "", "", "",
           bench::fixed(e2e_best * 1e3, 3), bench::fixed(e2e_ratio, 3)});
  return 0;
} catch (const std::exception& e) {
  std::cerr << "bench_fetch: " << e.what() << std::endl;
  return 2;
}
