// Test tool for tests/integration/test_hostile_pricing.py: an anonymous
// client that pays the relay's prices and does its worst. Loopback only.
//
//   pricing_flood fill STORE_FOLDER COUNT [ENVELOPE_BYTES]
//       Writes COUNT messages with valid clues straight into a relay store
//       (the relay stopped), so a fetch has real work to do; envelopes of
//       ENVELOPE_BYTES (4096 unless given). Prints the last one's id (hex).
//   pricing_flood fetch CHANNEL_ADDRESS SECONDS EVERY PER_CONNECTION [unpaid]
//       Every EVERY seconds opens a fresh connection, asks get-policy, pays
//       the fetch price PER_CONNECTION times and sends that many fetches
//       without ever reading the answers (the connections stay open until
//       the end). With "unpaid" (or a relay from before prices) it sends
//       them without a proof, as the flood of issue 13 did.
//   pricing_flood deposit CHANNEL_ADDRESS SECONDS WARMUP [ENVELOPES]
//       Deposits ENVELOPES (default 16) x 262144-byte envelopes per request
//       as fast as it can pay, one request at a time; also counts the bytes
//       stored after WARMUP seconds (the steady state once prices have
//       adapted) and the digests it computed (its hash rate, with the
//       seconds spent solving, the unfinished last proof included).
//   pricing_flood probe CHANNEL_ADDRESS
//       One honest fetch as the clients make it (get-policy, a proof on all
//       cores, the fetch, retries after rate-limited), timing each phase:
//       where an honest check's time goes under a flood.
//   pricing_flood rate
//       Digests per second of this machine on one core.
// Each prints one line of key=value figures on stdout.
#include <zmq.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <span>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "meldpunt/client/mailbox.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/init.hpp"
#include "meldpunt/crypto/pow.hpp"
#include "meldpunt/crypto/random.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "meldpunt/store/relay_store.hpp"

namespace {

using namespace meldpunt;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Where a nonce search starts: 64 random bits, as the clients do, so two
// searches over the same body (every fetch's) do not find the same nonce.
std::uint64_t random_start() {
  std::uint64_t start = 0;
  crypto::random_fill(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&start), sizeof start));
  return start;
}

// SIGTERM or SIGINT ends a flood early, still printing its figures.
volatile std::sig_atomic_t stopping = 0;
void on_signal(int) { stopping = 1; }

int fill(const std::string& folder, std::size_t count, std::size_t envelope_bytes = 4096) {
  store::RelayStoreOptions options;
  options.durable = false;
  options.clue_cache = false;
  store::RelayStore store(folder, options);
  const crypto::FetchKeyPair stranger = crypto::FetchKeyPair::generate();
  const Bytes envelope(envelope_bytes, 0x5a);
  std::string last_id;
  const auto today = static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::hours>(std::chrono::system_clock::now().time_since_epoch()).count() /
      24);
  std::vector<store::NewMessage> batch;
  for (std::size_t i = 0; i < count; ++i) {
    store::NewMessage m;
    crypto::random_fill(m.id);
    last_id = to_hex(m.id);
    m.clue = store::StoredClue{crypto::make_clue(stranger.pk).value().bytes};
    m.expiry_day = today + 60;
    m.envelope = envelope;
    batch.push_back(m);
    if (batch.size() == 1000 || i + 1 == count) {
      if (Status s = store.deposit_batch(batch); !s) {
        std::cerr << "fill: " << s.error().message << "\n";
        return 3;
      }
      batch.clear();
    }
  }
  std::cout << "stored=" << count << " last_id=" << last_id << std::endl;
  return 0;
}

// A raw CurveZMQ DEALER to the relay, as any client could open one.
std::unique_ptr<zmq::socket_t> open(zmq::context_t& context, const protocol::ChannelAddress& address) {
  auto s = std::make_unique<zmq::socket_t>(context, zmq::socket_type::dealer);
  std::array<char, 41> public_z85{}, secret_z85{};
  if (zmq_curve_keypair(public_z85.data(), secret_z85.data()) != 0) throw std::runtime_error("no CURVE");
  s->set(zmq::sockopt::curve_serverkey,
         zmq::const_buffer(address.relay_curve_pk.data(), address.relay_curve_pk.size()));
  s->set(zmq::sockopt::curve_publickey, std::string(public_z85.data(), 40));
  s->set(zmq::sockopt::curve_secretkey, std::string(secret_z85.data(), 40));
  s->set(zmq::sockopt::linger, 0);
  s->set(zmq::sockopt::rcvhwm, 4);
  s->connect(address.endpoint);
  return s;
}

void send(zmq::socket_t& s, const protocol::Frames& frames) {
  for (std::size_t i = 0; i < frames.size(); ++i) {
    s.send(zmq::const_buffer(frames[i].data(), frames[i].size()),
           i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }
}

std::optional<protocol::PolicyInfo> ask_policy(zmq::socket_t& s) {
  send(s, protocol::request_header_only(protocol::Op::kGetPolicy));
  zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
  if (zmq::poll(&item, 1, std::chrono::milliseconds(5000)) == 0) return std::nullopt;
  std::vector<zmq::message_t> parts;
  for (bool more = true; more;) {
    zmq::message_t part;
    if (!s.recv(part, zmq::recv_flags::none)) return std::nullopt;
    more = part.more();
    parts.push_back(std::move(part));
  }
  std::vector<ByteView> views;
  for (const auto& p : parts) views.emplace_back(static_cast<const std::uint8_t*>(p.data()), p.size());
  auto reply = protocol::parse_reply(views);
  if (!reply || reply->status != ErrorCode::kOk) return std::nullopt;
  auto policy = protocol::decode_policy(reply->fields);
  if (!policy) return std::nullopt;
  return *policy;
}

int fetch_flood(const protocol::ChannelAddress& address, double seconds, double every, int per_connection,
                bool unpaid) {
  zmq::context_t context{1};
  std::vector<std::unique_ptr<zmq::socket_t>> held;  // never read: the attacker does not wait for answers
  std::uint64_t connections = 0, fetches = 0, paid_work = 0;
  double solving = 0;
  const auto start = Clock::now();
  const crypto::PowHash body = crypto::pow_request_body(static_cast<std::uint8_t>(protocol::Op::kFetch));
  for (double next = 0; since(start) < seconds && !stopping; next += every) {
    while (since(start) < next && !stopping) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    auto s = open(context, address);
    connections++;
    const std::optional<protocol::PolicyInfo> policy = ask_policy(*s);
    for (int i = 0; policy && i < per_connection && since(start) < seconds && !stopping; ++i) {
      if (unpaid || !policy->priced || policy->fetch_work == 0) {
        send(*s, protocol::request_header_only(protocol::Op::kFetch));
      } else {
        const auto t = Clock::now();
        auto nonce = crypto::pow_solve_work(policy->challenge, body, policy->fetch_work, UINT64_MAX,
                                            random_start());
        solving += since(t);
        if (!nonce) break;
        paid_work += policy->fetch_work;
        send(*s, protocol::make_priced_request(protocol::Op::kFetch, {policy->challenge, *nonce}));
      }
      fetches++;
    }
    held.push_back(std::move(s));
  }
  std::cout << "connections=" << connections << " fetches=" << fetches << " paid_work=" << paid_work
            << " solve_seconds=" << solving << std::endl;
  return 0;
}

// Like pow_solve_work on one thread, in slices, giving up at the deadline;
// adds the digests it computed to `digests` (one thread tries nonces in
// order from the slice's start).
std::optional<std::uint64_t> solve_until(const crypto::PowChallenge& c, const crypto::PowHash& body, std::uint64_t work,
                                         Clock::time_point start, double seconds, std::uint64_t& digests) {
  std::uint64_t from = random_start();
  constexpr std::uint64_t kSlice = 1 << 18;
  while (since(start) < seconds && !stopping) {
    if (auto nonce = crypto::pow_solve_work(c, body, work, kSlice, from)) {
      digests += *nonce - from + 1;
      return nonce;
    }
    digests += kSlice;
    from += kSlice;
  }
  return std::nullopt;
}

int deposit_flood(const protocol::ChannelAddress& address, double seconds, double warmup, std::size_t per_request) {
  client::ConnectionOptions options;
  options.timeout = std::chrono::seconds(30);
  auto relay = std::make_unique<client::RelayConnection>(address, options);
  const crypto::FetchKeyPair stranger = crypto::FetchKeyPair::generate();
  std::uint64_t ok = 0, bytes = 0, refused = 0, full = 0, bytes_after_warmup = 0, reconnects = 0;
  std::uint64_t digests = 0;  // digests computed: with solve_seconds, this run's hash rate
  double solving = 0;
  const auto start = Clock::now();
  while (since(start) < seconds && !stopping) {
    std::vector<Bytes> envelopes(per_request);
    std::vector<protocol::DepositItem> items(envelopes.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      envelopes[i].resize(262144);
      crypto::random_fill(envelopes[i]);
      items[i].clue = crypto::make_clue(stranger.pk).value();
      crypto::random_fill(items[i].verifier);
      items[i].envelope = envelopes[i];
    }
    auto reply = relay->call(protocol::request_header_only(protocol::Op::kGetPolicy));
    if (!reply) {
      // A connection that failed (a timeout on a loaded machine): the
      // attacker opens another and goes on.
      std::cerr << "pricing_flood: " << reply.error().message << "; reconnecting\n";
      relay = std::make_unique<client::RelayConnection>(address, options);
      reconnects++;
      continue;
    }
    auto policy = protocol::decode_policy(reply->fields);
    if (!policy) break;
    std::vector<std::size_t> sizes(items.size(), 262144);
    const std::uint64_t work = protocol::deposit_work(*policy, sizes);
    const auto t = Clock::now();
    auto nonce =
        solve_until(policy->challenge, crypto::pow_body_hash(protocol::pow_items(items)), work, start, seconds, digests);
    solving += since(t);
    if (!nonce) break;
    auto stored = relay->call(protocol::make_deposit_request(items, {policy->challenge, *nonce}));
    if (stored) {
      ok++;
      bytes += per_request * 262144;
      if (since(start) >= warmup) bytes_after_warmup += per_request * 262144;
    } else if (stored.error().code == ErrorCode::kStorageFull) {
      full++;
    } else {
      std::cerr << "pricing_flood: deposit refused: " << stored.error().message << "\n";
      refused++;
    }
  }
  std::cout << "deposits_ok=" << ok << " bytes_ok=" << bytes << " bytes_after_warmup=" << bytes_after_warmup
            << " refused=" << refused << " storage_full=" << full << " reconnects=" << reconnects
            << " digests=" << digests << " solve_seconds=" << solving
            << " seconds=" << since(start) << std::endl;
  return 0;
}

int probe(const protocol::ChannelAddress& address) {
  client::ConnectionOptions options;
  options.timeout = std::chrono::seconds(60);
  client::RelayConnection relay(address, options);
  const crypto::PowHash body = crypto::pow_request_body(static_cast<std::uint8_t>(protocol::Op::kFetch));
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  double policy_s = 0, solve_s = 0, fetch_s = 0, pause_s = 0;
  std::uint64_t last_price = 0, attempts = 0;
  const auto start = Clock::now();
  for (int attempt = 1; attempt <= 5; ++attempt) {
    attempts++;
    auto t = Clock::now();
    auto reply = relay.call(protocol::request_header_only(protocol::Op::kGetPolicy));
    if (!reply) break;
    auto policy = protocol::decode_policy(reply->fields);
    if (!policy) break;
    policy_s += since(t);
    last_price = policy->fetch_work;
    t = Clock::now();
    auto nonce = crypto::pow_solve_work(policy->challenge, body, policy->fetch_work, UINT64_MAX,
                                        random_start(), threads);
    solve_s += since(t);
    t = Clock::now();
    auto fetched = relay.call(protocol::make_priced_request(protocol::Op::kFetch, {policy->challenge, *nonce}));
    fetch_s += since(t);
    if (fetched) {
      std::cout << "ok=1 attempts=" << attempts << " price=" << last_price << " policy_s=" << policy_s
                << " solve_s=" << solve_s << " fetch_s=" << fetch_s << " pause_s=" << pause_s
                << " total_s=" << since(start) << std::endl;
      return 0;
    }
    if (fetched.error().code != ErrorCode::kRateLimited) break;
    t = Clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(1000 << (attempt - 1)));
    pause_s += since(t);
  }
  std::cout << "ok=0 attempts=" << attempts << " price=" << last_price << " policy_s=" << policy_s
            << " solve_s=" << solve_s << " fetch_s=" << fetch_s << " pause_s=" << pause_s
            << " total_s=" << since(start) << std::endl;
  return 0;
}

int rate() {
  const crypto::PowChallenge c{};
  const crypto::PowHash body = crypto::pow_request_body(2);
  const std::uint64_t tries = 1u << 22;
  const auto t = Clock::now();
  (void)crypto::pow_solve_work(c, body, crypto::kMaxPowWork, tries);
  std::cout << "digests_per_second=" << static_cast<double>(tries) / since(t) << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  crypto::init();
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() == 3 && args[0] == "fill") return fill(args[1], std::stoul(args[2]));
    if (args.size() == 4 && args[0] == "fill") return fill(args[1], std::stoul(args[2]), std::stoul(args[3]));
    if (args.size() == 1 && args[0] == "rate") return rate();
    if (args.size() >= 3 || (args.size() == 2 && args[0] == "probe")) {
      auto address = protocol::parse_address(args[1]);
      if (!address) {
        std::cerr << "pricing_flood: " << address.error().message << "\n";
        return 1;
      }
      if (args.size() == 2) return probe(*address);
      if ((args.size() == 5 || (args.size() == 6 && args[5] == "unpaid")) && args[0] == "fetch") {
        return fetch_flood(*address, std::stod(args[2]), std::stod(args[3]), std::stoi(args[4]), args.size() == 6);
      }
      if ((args.size() == 4 || args.size() == 5) && args[0] == "deposit") {
        const std::size_t per_request = args.size() == 5 ? std::stoul(args[4]) : protocol::kMaxDepositsPerRequest;
        if (per_request < 1 || per_request > protocol::kMaxDepositsPerRequest) {
          std::cerr << "pricing_flood: ENVELOPES must be 1 to " << protocol::kMaxDepositsPerRequest << "\n";
          return 1;
        }
        return deposit_flood(*address, std::stod(args[2]), std::stod(args[3]), per_request);
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "pricing_flood: " << e.what() << "\n";
    return 3;
  }
  std::cerr << "usage: pricing_flood fill STORE COUNT [ENVELOPE_BYTES] | fetch ADDRESS SECONDS EVERY PER_CONNECTION "
               "[unpaid] | deposit ADDRESS SECONDS WARMUP [ENVELOPES] | probe ADDRESS | rate\n";
  return 1;
}
