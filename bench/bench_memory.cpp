// Memory: resident set of the real `relay serve` process holding N stored
// messages, before and after it answers fetches (a fetch is the relay's
// largest allocation: every clue, every entry and the whole answer).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <thread>

#include "bench_util.hpp"
#include "data_folder.hpp"
#include "load.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/init.hpp"
#include "meldpunt/protocol/wire.hpp"
#include "meldpunt/store/relay_store.hpp"
#include "request_handler.hpp"
#include "store_fill.hpp"

extern char** environ;

namespace {

using namespace meldpunt;

struct Memory {
  double rss_mib = 0;
  double hwm_mib = 0;
  double anon_mib = 0;  // the process's own memory (heap, stacks)
  double file_mib = 0;  // pages of mapped files, mostly LMDB's map: page cache the kernel can drop
};

// VmRSS, VmHWM, RssAnon and RssFile from /proc/PID/status (kB).
Memory read_memory(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  if (!in) throw std::runtime_error("cannot read /proc/" + std::to_string(pid) + "/status");
  Memory m;
  std::string line;
  while (std::getline(in, line)) {
    auto value = [&] { return std::stod(line.substr(line.find(':') + 1)) / 1024.0; };
    if (line.rfind("VmRSS:", 0) == 0) m.rss_mib = value();
    if (line.rfind("VmHWM:", 0) == 0) m.hwm_mib = value();
    if (line.rfind("RssAnon:", 0) == 0) m.anon_mib = value();
    if (line.rfind("RssFile:", 0) == 0) m.file_mib = value();
  }
  return m;
}

// Writes the messages straight through RelayStore (durable=false, no clue
// cache: a bulk load, not the deposit path, which bench_deposit measures).
void bulk_load(const std::filesystem::path& store_dir, std::size_t count) {
  store::RelayStoreOptions options;
  options.durable = false;
  options.clue_cache = false;
  store::RelayStore store(store_dir, options);
  std::size_t stored = 0;
  bench::fill_store(store, stored, count, bench::random_clue_pool(4096),
                    bench::random_bytes(crypto::kEnvelopeSizes[0]));
}

class RelayProcess {
 public:
  RelayProcess(const std::string& binary, const std::filesystem::path& data, const std::string& endpoint,
               const std::filesystem::path& log) {
    // Fetches free: the benchmark measures the relay's memory, not hashing.
    std::vector<std::string> argv_s = {binary, "serve", "--data", data.string(), "--endpoint", endpoint,
                                       "--fetch-work-min", "0", "--fetch-work-per-message", "0"};
    std::vector<char*> argv;
    for (std::string& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + binary);
  }
  ~RelayProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  RelayProcess(const RelayProcess&) = delete;
  RelayProcess& operator=(const RelayProcess&) = delete;
  pid_t pid() const { return pid_; }
  // SIGTERM and wait; the exit status.
  int stop() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
};

}  // namespace

int main(int argc, char** argv) try {
  crypto::init();
  const bench::Args args = bench::parse_args(argc, argv);
  const std::string relay_bin = args.relay_bin.empty() ? std::string(MELDPUNT_RELAY_BIN) : args.relay_bin;
  const std::size_t count = args.messages != 0 ? args.messages : args.smoke ? 300 : 100000;

  bench::TempFolder folder(args.tmp_base, "meldpunt-bench-memory-");
  relay::DataFolder data{folder.path() / "data"};
  crypto::Ed25519PublicKey org{};
  crypto::random_fill(org);
  if (Status s = data.initialise(org); !s) throw std::runtime_error(s.error().message);
  auto keys = data.load_keys();
  if (!keys) throw std::runtime_error(keys.error().message);
  const auto load_start = bench::Clock::now();
  bulk_load(data.store_dir(), count);
  const double load_seconds = bench::seconds_since(load_start);
  const auto file_mib = static_cast<double>(std::filesystem::file_size(data.store_dir() / "data.mdb")) / 1048576.0;

  protocol::ChannelAddress address;
  address.endpoint = "tcp://127.0.0.1:" + std::to_string(bench::free_loopback_port());
  address.relay_curve_pk = keys->public_key;
  address.org_sign_pk = org;
  const std::filesystem::path log = folder.path() / "relay.log";
  RelayProcess relay(relay_bin, data.root, address.endpoint, log);

  client::ConnectionOptions options;
  options.timeout = std::chrono::seconds(300);
  std::unique_ptr<client::RelayConnection> connection;
  const auto deadline = bench::Clock::now() + std::chrono::seconds(30);
  for (;;) {  // until the relay answers (no directory yet: not-found is an answer)
    connection = std::make_unique<client::RelayConnection>(address, options);
    auto reply = connection->call(protocol::request_header_only(protocol::Op::kGetDirectory));
    if (reply || reply.error().code == ErrorCode::kNotFound) break;
    if (bench::Clock::now() > deadline) {
      std::ifstream in(log);
      std::cerr << in.rdbuf();
      throw std::runtime_error("relay did not answer: " + reply.error().message);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  bench::Table table({"relay serve, " + std::to_string(count) + " stored messages", "VmRSS MiB", "VmHWM MiB",
                      "RssAnon MiB", "RssFile MiB"});
  bench::Csv csv(args.csv, {"stage", "messages", "rss_mib", "hwm_mib", "anon_mib", "file_mib"});
  auto record = [&](const std::string& stage) {
    const Memory m = read_memory(relay.pid());
    table.add({stage, bench::sig3(m.rss_mib), bench::sig3(m.hwm_mib), bench::sig3(m.anon_mib),
               bench::sig3(m.file_mib)});
    csv.row({stage, std::to_string(count), bench::fixed(m.rss_mib, 2), bench::fixed(m.hwm_mib, 2),
             bench::fixed(m.anon_mib, 2), bench::fixed(m.file_mib, 2)});
    return m;
  };
  record("started, answered get-directory");
  std::this_thread::sleep_for(std::chrono::seconds(args.smoke ? 0 : 3));
  record("idle 3 s later (start-up purge done)");
  double fetch_seconds = 0;
  for (int i = 1; i <= 2; ++i) {
    const auto start = bench::Clock::now();
    auto reply = connection->call(protocol::request_header_only(protocol::Op::kFetch));
    fetch_seconds = bench::seconds_since(start);
    if (!reply) throw std::runtime_error("fetch: " + reply.error().message);
    if (reply->fields.size() != 2 ||  // entries, then the stored ids
        reply->fields[0].size() != protocol::padded_fetch_count(count) * crypto::kFetchEntryBytes) {
      throw std::runtime_error("fetch answer has the wrong shape");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the reply leave the socket
    record("after fetch " + std::to_string(i));
  }
  connection.reset();
  const int exit_code = relay.stop();
  if (exit_code != 0) throw std::runtime_error("relay serve exited with " + std::to_string(exit_code));

  std::cout << "## Memory\n\n"
            << "The real `relay serve` process (`" << std::filesystem::path(relay_bin).filename().string()
            << "` binary) on a data folder holding " << count << " messages of the smallest class ("
            << crypto::kEnvelopeSizes[0] << "-byte envelopes; data.mdb " << bench::sig3(file_mib)
            << " MiB). The folder was filled by a bulk load through `RelayStore` with durable=false (not through "
               "the socket; "
            << bench::sig3(load_seconds) << " s), then `relay serve` was started on it and asked for two fetches ("
            << bench::sig3(fetch_seconds)
            << " s for the second, client-observed). Default `relay serve` settings. VmRSS/VmHWM/RssAnon/RssFile "
               "from /proc/PID/status. RssAnon is the process's own memory: heap and stacks, including the clues "
               "the relay keeps in memory (84 bytes per message, the clue with its expiry day, plus an index of 4-byte slots) and, during a "
               "fetch, its clue copy, entries and answer (VmHWM), which are returned to the system afterwards. "
               "RssFile is mostly LMDB's memory map: page cache the kernel can drop, counted once mapped. The "
               "clue records lie scattered among the envelopes in data.mdb, and each page fault also maps the "
               "cached pages around it; loading the clues at start drops those mappings as it goes, and a fetch "
               "reads no page of data.mdb; nor does a purge, which finds the expired messages by the days kept beside the clues. Target: under 64 MiB."
               "\n\n";
  table.print(std::cout);
  return 0;
} catch (const std::exception& e) {
  std::cerr << "bench_memory: " << e.what() << std::endl;
  return 2;
}
