#include "load.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq.h>

#include <array>
#include <chrono>
#include <stdexcept>
#include <zmq.hpp>

#include "bench_util.hpp"
#include "meldpunt/crypto/random.hpp"
#include "raw_lmdb.hpp"

namespace meldpunt::bench {

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free loopback port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

void wait_until_listening(int port) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool accepted = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (accepted) return;
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("the relay did not start listening on port " + std::to_string(port));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

CurveServerKeys make_curve_server_keys() {
  std::array<char, 41> pub{}, sec{};
  if (zmq_curve_keypair(pub.data(), sec.data()) != 0) throw std::runtime_error("libzmq has no CURVE support");
  CurveServerKeys keys;
  if (zmq_z85_decode(keys.public_key.data(), pub.data()) == nullptr ||
      zmq_z85_decode(keys.secret_key.data(), sec.data()) == nullptr) {
    throw std::runtime_error("cannot decode CURVE keys");
  }
  return keys;
}

namespace {

struct Client {
  zmq::socket_t socket;
  Clock::time_point sent{};
  bool waiting = false;
};

void send_request(zmq::socket_t& socket, const protocol::Frames& request) {
  for (std::size_t i = 0; i < request.size(); ++i) {
    const auto flags = i + 1 < request.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
    if (!socket.send(zmq::const_buffer(request[i].data(), request[i].size()), flags)) {
      throw std::runtime_error("send failed");
    }
  }
}

// Reads one whole reply; true if its header says ok.
bool receive_reply(zmq::socket_t& socket) {
  zmq::message_t head;
  if (!socket.recv(head, zmq::recv_flags::none)) throw std::runtime_error("recv failed");
  const bool ok = head.size() == 2 && static_cast<const std::uint8_t*>(head.data())[1] == 0;
  bool more = head.more();
  while (more) {
    zmq::message_t part;
    (void)socket.recv(part, zmq::recv_flags::none);
    more = part.more();
  }
  return ok;
}

// CPU time of the whole process (every thread: the clients and the server
// under test, which run in this process), user and system.
double process_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  const auto secs = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

}  // namespace

LoadStats run_closed_loop(const std::string& endpoint, const FixedBytes<32>& server_public_key, unsigned clients,
                          const protocol::Frames& request, double warmup_seconds, double measure_seconds) {
  zmq::context_t context{1};
  std::vector<Client> pool;
  pool.reserve(clients);
  for (unsigned i = 0; i < clients; ++i) {
    Client c{zmq::socket_t{context, zmq::socket_type::dealer}};
    std::array<char, 41> pub{}, sec{};
    if (zmq_curve_keypair(pub.data(), sec.data()) != 0) throw std::runtime_error("libzmq has no CURVE support");
    c.socket.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(server_public_key.data(), server_public_key.size()));
    c.socket.set(zmq::sockopt::curve_publickey, std::string(pub.data(), 40));
    c.socket.set(zmq::sockopt::curve_secretkey, std::string(sec.data(), 40));
    c.socket.set(zmq::sockopt::linger, 0);
    c.socket.connect(endpoint);
    pool.push_back(std::move(c));
  }
  std::vector<zmq::pollitem_t> items;
  for (Client& c : pool) items.push_back({c.socket.handle(), 0, ZMQ_POLLIN, 0});

  const auto to_duration = [](double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  };
  // The warm-up starts once every client has had its first reply, so
  // connection set-up (a client may connect before the server has bound and
  // then retries after libzmq's reconnect interval) is never measured.
  Clock::time_point window_begin = Clock::time_point::max();
  Clock::time_point window_end = Clock::time_point::max();
  std::vector<bool> answered(clients, false);
  std::size_t answered_count = 0;

  LoadStats stats;
  for (Client& c : pool) {
    c.sent = Clock::now();
    send_request(c.socket, request);
    c.waiting = true;
  }
  Clock::time_point last_progress = Clock::now();
  std::size_t outstanding = pool.size();
  double cpu_at_begin = -1, cpu_at_end = -1;
  while (outstanding > 0) {
    zmq::poll(items.data(), items.size(), std::chrono::milliseconds(100));
    const Clock::time_point now = Clock::now();
    bool progressed = false;
    for (std::size_t i = 0; i < pool.size(); ++i) {
      if (!(items[i].revents & ZMQ_POLLIN)) continue;
      Client& c = pool[i];
      const bool ok = receive_reply(c.socket);
      progressed = true;
      c.waiting = false;
      --outstanding;
      if (!answered[i]) {
        answered[i] = true;
        if (++answered_count == pool.size()) {
          window_begin = now + to_duration(warmup_seconds);
          window_end = window_begin + to_duration(measure_seconds);
        }
      }
      if (now >= window_begin && now < window_end) {
        if (ok) {
          ++stats.completed;
          stats.latency_us.push_back(std::chrono::duration<double, std::micro>(now - c.sent).count());
        } else {
          ++stats.failed;
        }
      }
      if (now < window_end) {
        c.sent = Clock::now();
        send_request(c.socket, request);
        c.waiting = true;
        ++outstanding;
      }
    }
    if (cpu_at_begin < 0 && now >= window_begin) cpu_at_begin = process_cpu_seconds();
    if (cpu_at_end < 0 && now >= window_end) cpu_at_end = process_cpu_seconds();
    if (progressed) last_progress = now;
    if (now - last_progress > std::chrono::seconds(30)) throw std::runtime_error("server stopped answering");
  }
  stats.seconds = measure_seconds;
  if (cpu_at_begin >= 0 && cpu_at_end >= cpu_at_begin) stats.cpu_seconds = cpu_at_end - cpu_at_begin;
  return stats;
}

LimitServer::LimitServer(const std::string& endpoint, const CurveServerKeys& keys,
                         const std::filesystem::path& lmdb_folder, zmq::context_t* behind_door) {
  thread_ = std::thread([this, endpoint, keys, lmdb_folder, behind_door] {
    try {
      loop(endpoint, keys, lmdb_folder, behind_door);
    } catch (const std::exception& e) {
      failure_ = e.what();
      ready_.store(true);
    }
  });
  while (!ready_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!failure_.empty()) {
    thread_.join();
    throw std::runtime_error("limit server: " + failure_);
  }
}

LimitServer::~LimitServer() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

void LimitServer::loop(const std::string& endpoint, const CurveServerKeys& keys,
                       const std::filesystem::path& lmdb_folder, zmq::context_t* behind_door) {
  std::unique_ptr<RawLmdb> db;
  if (!lmdb_folder.empty()) db = std::make_unique<RawLmdb>(lmdb_folder, true, 16ull << 30);
  zmq::context_t own_context{1};
  zmq::socket_t socket{behind_door != nullptr ? *behind_door : own_context, zmq::socket_type::router};
  socket.set(zmq::sockopt::linger, 0);
  if (behind_door == nullptr) {
    socket.set(zmq::sockopt::curve_server, 1);
    socket.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(keys.secret_key.data(), keys.secret_key.size()));
    socket.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(protocol::kMaxRequestFrameBytes));
  } else {
    socket.set(zmq::sockopt::rcvhwm, 4096);  // as the relay's inproc ROUTERs: two per connection and more
    socket.set(zmq::sockopt::sndhwm, 4096);
  }
  socket.bind(endpoint);
  ready_.store(true);

  struct Pending {
    zmq::message_t routing_id;
    zmq::message_t tag;  // behind the door only
    std::vector<zmq::message_t> frames;
    RawDeposit deposit;
  };
  std::vector<Pending> batch;
  std::vector<RawDeposit> deposits;
  const Bytes header{protocol::kWireVersion, 0};
  while (!stop_.load()) {
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::milliseconds(50)) == 0) continue;
    batch.clear();
    for (std::size_t n = 0; n < 256; ++n) {  // the relay's ServerOptions::max_batch
      Pending p;
      if (!socket.recv(p.routing_id, zmq::recv_flags::dontwait)) break;
      bool more = p.routing_id.more();
      if (behind_door != nullptr && more) {
        (void)socket.recv(p.tag, zmq::recv_flags::none);
        more = p.tag.more();
      }
      while (more) {
        zmq::message_t part;
        (void)socket.recv(part, zmq::recv_flags::none);
        more = part.more();
        p.frames.push_back(std::move(part));
      }
      batch.push_back(std::move(p));
    }
    deposits.clear();
    for (Pending& p : batch) {
      crypto::random_fill(p.deposit.id);
      if (p.frames.size() >= 4) {  // header, clue, verifier, envelope
        auto view = [](const zmq::message_t& m) { return ByteView(static_cast<const std::uint8_t*>(m.data()), m.size()); };
        p.deposit.clue = view(p.frames[1]);
        p.deposit.verifier = view(p.frames[2]);
        p.deposit.envelope = view(p.frames[3]);
        p.deposit.expiry_day = 20000;
        deposits.push_back(p.deposit);
      }
    }
    if (db && !deposits.empty()) {
      db->commit(deposits);
      commits_.fetch_add(1);
      records_.fetch_add(deposits.size());
    }
    for (Pending& p : batch) {
      if (p.frames.empty()) continue;  // behind the door: a client that left
      socket.send(p.routing_id, zmq::send_flags::sndmore);
      if (behind_door != nullptr) socket.send(p.tag, zmq::send_flags::sndmore);
      socket.send(zmq::const_buffer(header.data(), header.size()), zmq::send_flags::sndmore);
      socket.send(zmq::const_buffer(p.deposit.id.data(), p.deposit.id.size()), zmq::send_flags::none);
    }
  }
}

}  // namespace meldpunt::bench
