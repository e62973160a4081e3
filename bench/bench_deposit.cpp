// Deposits: the real relay serving loop (group commit, durable LMDB store,
// CurveZMQ on loopback) against the limit, a server that does nothing but
// the same CURVE round trips and the same LMDB group commits (load.hpp).
#include <atomic>
#include <iostream>
#include <thread>

#include "bench_util.hpp"
#include "data_folder.hpp"
#include <zmq.hpp>

#include "front_door.hpp"
#include "load.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/identity.hpp"
#include "meldpunt/crypto/init.hpp"
#include "meldpunt/protocol/wire.hpp"
#include "meldpunt/store/relay_store.hpp"
#include "raw_lmdb.hpp"
#include "request_handler.hpp"
#include "server.hpp"

namespace {

using namespace meldpunt;
using bench::LoadStats;

struct Config {
  std::vector<unsigned> clients;
  double warmup = 0;
  double measure = 0;
  int rounds = 0;
};

// One deposit of the smallest envelope class per request: what a reply or a
// short report costs.
protocol::Frames deposit_request() {
  const crypto::FetchKeyPair recipient = crypto::FetchKeyPair::generate();
  auto clue = crypto::make_clue(recipient.pk);
  if (!clue) throw std::runtime_error("make_clue failed");
  static const Bytes envelope = bench::random_bytes(crypto::kEnvelopeSizes[0]);
  protocol::DepositItem item;
  item.clue = *clue;
  crypto::random_fill(item.verifier);
  item.envelope = envelope;
  return protocol::make_deposit_request(std::span<const protocol::DepositItem>(&item, 1));
}

LoadStats run_relay(const std::filesystem::path& tmp, unsigned clients, const protocol::Frames& request,
                    const Config& config) {
  bench::TempFolder folder(tmp, "meldpunt-bench-relay-");
  relay::DataFolder data{folder.path() / "data"};
  crypto::Ed25519PublicKey org{};
  crypto::random_fill(org);
  if (Status s = data.initialise(org); !s) throw std::runtime_error(s.error().message);
  auto keys = data.load_keys();
  if (!keys) throw std::runtime_error(keys.error().message);
  store::RelayStore store(data.store_dir(), store::RelayStoreOptions{});  // durable, as `relay serve`
  relay::RelayPolicy policy;
  policy.pricing.pow_difficulty = 0;  // no proof of work: the benchmark measures the relay, not the clients' hashing
  relay::RequestHandler handler(store, org, policy);
  relay::ServerOptions options;
  const int port = bench::free_loopback_port();
  options.endpoint = "tcp://127.0.0.1:" + std::to_string(port);
  options.rate_limit.tokens_per_second = 0;  // per-connection flood control off: each client floods on purpose
  // Behind the front door, as `relay serve` runs it (the door ends CURVE).
  options.front_door = relay::ServerOptions::FrontDoorSetup{};
  std::atomic<bool> stop{false};
  std::thread server([&] { relay::serve(handler, keys->secret, options, stop); });
  try {
    bench::wait_until_listening(port);
  } catch (...) {
    stop.store(true);
    server.join();
    throw;
  }
  LoadStats stats;
  try {
    stats = bench::run_closed_loop(options.endpoint, keys->public_key, clients, request, config.warmup, config.measure);
  } catch (...) {
    stop.store(true);
    server.join();
    throw;
  }
  stop.store(true);
  server.join();
  return stats;
}

struct LimitRun {
  LoadStats stats;
  double deposits_per_commit = 0;
};

// behind_door: the limit server's ROUTER on an inproc socket behind the
// relay's own front door (default limits, as `relay serve`), so the
// transport is the relay's: what is left between that and the relay is the
// serving loop.
LimitRun run_limit(const std::filesystem::path& tmp, unsigned clients, const protocol::Frames& request,
                   const Config& config, bool with_lmdb, bool behind_door = false) {
  bench::TempFolder folder(tmp, "meldpunt-bench-limit-");
  const bench::CurveServerKeys keys = bench::make_curve_server_keys();
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(bench::free_loopback_port());
  const std::filesystem::path lmdb_folder = with_lmdb ? folder.path() / "lmdb" : std::filesystem::path{};
  if (with_lmdb) std::filesystem::create_directory(lmdb_folder);
  LimitRun run;
  zmq::context_t door_context{1};
  const std::string inproc = std::string(relay::kFrontDoorInproc) + "bench";
  bench::LimitServer server(behind_door ? inproc : endpoint, keys, lmdb_folder, behind_door ? &door_context : nullptr);
  const auto door_key = crypto::Secret<32>::from(ByteView(keys.secret_key.data(), keys.secret_key.size()));
  std::unique_ptr<relay::FrontDoor> door;
  if (behind_door) {
    door = std::make_unique<relay::FrontDoor>(
        door_context, std::vector<relay::FrontDoorRoute>{{endpoint, inproc, &door_key}}, relay::FrontDoorLimits{});
  }
  run.stats = bench::run_closed_loop(endpoint, keys.public_key, clients, request, config.warmup, config.measure);
  if (server.commits() > 0) {
    run.deposits_per_commit = static_cast<double>(server.records()) / static_cast<double>(server.commits());
  }
  return run;
}

// Latency of one durable LMDB commit holding one deposit's records: the
// floor under every single-client deposit.
std::vector<double> lmdb_commit_latency_us(const std::filesystem::path& tmp, const protocol::Frames& request,
                                           double seconds) {
  bench::TempFolder folder(tmp, "meldpunt-bench-commit-");
  bench::RawLmdb db(folder.path(), true, 1ull << 30);
  bench::RawDeposit d;
  d.clue = request[1];
  d.verifier = request[2];
  d.envelope = request[3];
  std::vector<double> latencies;
  const auto start = bench::Clock::now();
  while (bench::seconds_since(start) < seconds) {
    crypto::random_fill(d.id);
    const auto t = bench::Clock::now();
    db.commit(std::span<const bench::RawDeposit>(&d, 1));
    latencies.push_back(bench::seconds_since(t) * 1e6);
  }
  return latencies;
}

}  // namespace

int main(int argc, char** argv) try {
  crypto::init();
  const bench::Args args = bench::parse_args(argc, argv);
  Config config = args.smoke ? Config{{1, 4}, 0.1, 0.4, 1} : Config{{1, 16, 64}, 0.5, 1.5, 5};
  if (args.clients != 0) config.clients = {args.clients};
  if (args.seconds > 0) config.measure = args.seconds;
  const bool run_relay_side = args.only.empty() || args.only == "relay";
  const bool run_limit_side = args.only.empty() || args.only == "limit";
  const protocol::Frames request = deposit_request();
  std::size_t request_bytes = 0;
  for (const Bytes& f : request) request_bytes += f.size();

  std::cout << "## Deposits\n\n"
            << "Closed loop: each client sends one deposit (one " << crypto::kEnvelopeSizes[0]
            << "-byte envelope + clue + verifier, " << request_bytes
            << " bytes in 4 frames), waits for the reply, sends the next. CurveZMQ over loopback, one fresh client "
               "key pair per client, all clients driven from one thread.\n\n"
            << "- **relay**: the real serving loop (`relay::serve`, group commit of up to 256 requests) behind its "
               "front door (as `relay serve`: the front door ends CurveZMQ on the TCP port and hands whole "
               "requests to the loop in the process) on a "
               "durable `RelayStore` (fsync per commit) in a fresh folder; a reply is sent only after its commit. "
               "Proof of work off (`pow_difficulty` 0, the lowest setting) and the per-connection rate limit off "
               "(`rate_limit.tokens_per_second` 0), since every client floods on purpose.\n"
            << "- **limit**: a ROUTER CURVE server that does only the two unavoidable things: the same round trips "
               "(same request, a reply of the relay's size, 18 bytes) and, per batch of waiting requests (up to 256), "
               "one durable LMDB commit writing the same records (message 4+32+4096 bytes and clue 64 bytes under a "
               "16-byte key) with raw LMDB calls.\n"
            << "- **limit via front door**: the limit server behind the relay's own front door (its ROUTER on an "
               "inproc socket, without CURVE; the front door ends CurveZMQ on the TCP port, default limits), so "
               "the transport is the relay's: relay / this = the serving loop's own cost (parsing, the clue-point "
               "check, the store) alone, and this / limit = what the front door (which bounds the memory a hostile "
               "client makes the relay hold, docs/SECURITY.md) costs against libzmq's own CURVE server. The target "
               "is against the limit, which has no front door.\n"
            << "- **CURVE only**: the same server without LMDB (round trips alone), one run per client count.\n"
            << "- Each client count runs " << config.rounds << " rounds; a round measures the relay, then the limit, "
               "then the limit via front door, each for " << config.measure << " s after " << config.warmup
            << " s warm-up, in fresh folders. Throughputs are the median over rounds; latency percentiles pool "
               "every request of every round; ratio = median over rounds of relay / limit within the round "
               "(target >= 0.8), with the range over rounds beside it: the spread shows the noise (mostly the "
               "fsync latency of a shared disk while others build). CPU us = CPU time of the whole benchmark process "
               "(clients and server) per deposit in the window, median over rounds: it moves little with other "
               "programs' load, so it shows a change in the relay's cost when the rates are too noisy to.\n\n";

  bench::Csv csv(args.csv, {"clients", "relay_per_s", "relay_p50_ms", "relay_p99_ms", "limit_per_s", "limit_p50_ms",
                            "limit_p99_ms", "curve_only_per_s", "limit_deposits_per_commit", "ratio_median",
                            "ratio_min", "ratio_max", "relay_cpu_us", "limit_cpu_us", "door_limit_per_s",
                            "door_ratio_median", "door_limit_cpu_us"});
  bench::Table table({"clients", "relay deposits/s", "relay p50 ms", "relay p99 ms", "limit deposits/s",
                      "limit p50 ms", "limit p99 ms", "CURVE only /s", "limit deposits/commit", "ratio",
                      "ratio range", "relay CPU us", "limit CPU us", "limit via front door /s",
                      "ratio to it", "its CPU us"});
  std::uint64_t failures = 0;
  auto pooled = [](const std::vector<LoadStats>& runs) {
    std::vector<double> all;
    for (const LoadStats& r : runs) all.insert(all.end(), r.latency_us.begin(), r.latency_us.end());
    return all;
  };
  auto median_cpu = [](const std::vector<LoadStats>& runs) {
    std::vector<double> cpu;
    for (const LoadStats& r : runs) cpu.push_back(r.cpu_us_per_request());
    return bench::percentile(cpu, 50);
  };
  auto median_rate = [](const std::vector<LoadStats>& runs) {
    std::vector<double> rates;
    for (const LoadStats& r : runs) rates.push_back(r.per_second());
    return bench::percentile(rates, 50);
  };
  for (unsigned clients : config.clients) {
    std::vector<LoadStats> relays, limits, doors;
    std::vector<double> ratios, per_commit, door_ratios;
    for (int r = 0; r < config.rounds; ++r) {
      if (run_relay_side) relays.push_back(run_relay(args.tmp_base, clients, request, config));
      if (run_limit_side) {
        LimitRun limit = run_limit(args.tmp_base, clients, request, config, true);
        per_commit.push_back(limit.deposits_per_commit);
        limits.push_back(std::move(limit.stats));
      }
      if (run_limit_side) doors.push_back(run_limit(args.tmp_base, clients, request, config, true, true).stats);
      if (run_relay_side && run_limit_side && limits.back().per_second() > 0) {
        ratios.push_back(relays.back().per_second() / limits.back().per_second());
      }
      if (run_relay_side && run_limit_side && doors.back().per_second() > 0) {
        door_ratios.push_back(relays.back().per_second() / doors.back().per_second());
      }
    }
    LoadStats curve;
    if (run_limit_side) curve = run_limit(args.tmp_base, clients, request, config, false).stats;
    for (const auto* runs : {&relays, &limits, &doors})
      for (const LoadStats& r : *runs) failures += r.failed;
    failures += curve.failed;
    const std::vector<double> relay_lat = pooled(relays), limit_lat = pooled(limits);
    const bool paired = !ratios.empty();
    const double ratio_min = paired ? *std::min_element(ratios.begin(), ratios.end()) : 0;
    const double ratio_max = paired ? *std::max_element(ratios.begin(), ratios.end()) : 0;
    const std::vector<std::string> row = {
        std::to_string(clients),
        bench::sig3(median_rate(relays)),
        bench::sig3(bench::percentile(relay_lat, 50) / 1000),
        bench::sig3(bench::percentile(relay_lat, 99) / 1000),
        bench::sig3(median_rate(limits)),
        bench::sig3(bench::percentile(limit_lat, 50) / 1000),
        bench::sig3(bench::percentile(limit_lat, 99) / 1000),
        bench::sig3(curve.per_second()),
        bench::sig3(bench::percentile(per_commit, 50)),
        paired ? bench::fixed(bench::percentile(ratios, 50), 2) : "",
        paired ? bench::fixed(ratio_min, 2) + "-" + bench::fixed(ratio_max, 2) : "",
        bench::sig3(median_cpu(relays)),
        bench::sig3(median_cpu(limits)),
        bench::sig3(median_rate(doors)),
        door_ratios.empty() ? "" : bench::fixed(bench::percentile(door_ratios, 50), 2),
        bench::sig3(median_cpu(doors))};
    table.add(row);
    // CSV: the ratio range as two numbers (columns as in the header above).
    std::vector<std::string> csv_row(row.begin(), row.begin() + 10);
    csv_row.push_back(paired ? bench::fixed(ratio_min, 3) : "");
    csv_row.push_back(paired ? bench::fixed(ratio_max, 3) : "");
    csv_row.insert(csv_row.end(), row.begin() + 11, row.end());
    csv.row(csv_row);
  }
  table.print(std::cout);

  const std::vector<double> commit = lmdb_commit_latency_us(args.tmp_base, request, args.smoke ? 0.2 : 1.0);
  std::cout << "Durable LMDB commit of one deposit alone (raw LMDB, same disk): p50 "
            << bench::sig3(bench::percentile(commit, 50) / 1000) << " ms, p99 "
            << bench::sig3(bench::percentile(commit, 99) / 1000) << " ms over " << commit.size()
            << " commits. Temporary stores under " << args.tmp_base.string() << ".\n\n";
  if (failures > 0) {
    std::cout << "**" << failures << " requests got an error reply** (not counted as completed).\n\n";
  }
  return failures > 0 ? 1 : 0;
} catch (const std::exception& e) {
  std::cerr << "bench_deposit: " << e.what() << std::endl;
  return 2;
}
