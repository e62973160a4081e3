#include "meldpunt/client/relay_connection.hpp"

#include <zmq.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <vector>
#include <zmq.hpp>

#include "meldpunt/crypto/random.hpp"
#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::client {
namespace {

constexpr std::string_view kSocksScheme = "socks5h://";
constexpr std::size_t kMaxProxyHost = 255;  // a SOCKS5 domain name is at most 255 bytes

bool valid_port(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  const unsigned long n = std::stoul(std::string(port));
  return n >= 1 && n <= 65535;
}

bool valid_host(std::string_view host) {
  if (host.empty() || host.size() > kMaxProxyHost) return false;
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) return false;
    return std::all_of(host.begin() + 1, host.end() - 1,
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'; });
  }
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
  });
}

// A monitor event: the first frame holds the event number (u16) and a value
// (u32) in host byte order; the second the endpoint, which we ignore.
struct MonitorEvent {
  std::uint16_t event = 0;
  std::uint32_t value = 0;
};

std::optional<MonitorEvent> read_event(zmq::socket_t& monitor) {
  zmq::message_t head;
  if (!monitor.recv(head, zmq::recv_flags::dontwait)) return std::nullopt;
  MonitorEvent e;
  if (head.size() >= 6) {
    std::memcpy(&e.event, head.data(), 2);
    std::memcpy(&e.value, static_cast<const std::uint8_t*>(head.data()) + 2, 4);
  }
  while (head.more()) {  // drain the endpoint frame
    zmq::message_t rest;
    if (!monitor.recv(rest, zmq::recv_flags::dontwait)) break;
    head = std::move(rest);
  }
  return e;
}

// zmq::poll until an item is ready or `timeout` has passed; a signal (the
// reporter's Ctrl-C handling lets a request finish) does not cut it short.
int poll_for(zmq::pollitem_t* items, std::size_t count, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    const int rc = zmq_poll(items, static_cast<int>(count), std::max<long>(0, static_cast<long>(left.count())));
    if (rc >= 0) return rc;
    if (zmq_errno() != EINTR) throw zmq::error_t();
    if (left.count() <= 0) return 0;
  }
}

// libzmq 4.3.4's draft socket options for SOCKS5 username/password
// authentication (zmq.h defines them only with ZMQ_BUILD_DRAFT_API).
constexpr int kZmqSocksUsername = 99;
constexpr int kZmqSocksPassword = 100;
static_assert(ZMQ_VERSION_MAJOR == 4 && ZMQ_VERSION_MINOR >= 3, "SOCKS option numbers are libzmq 4.3's");

// 16 random bytes as 32 lowercase hex digits: a fresh SOCKS5 credential.
std::string random_credential() {
  std::array<std::uint8_t, 16> bytes{};
  crypto::random_fill(bytes);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

// Proxied connections share one context that is never terminated: they are
// never closed (see the destructor), and a context of their own would keep
// two threads per connection alive until the process exits. Direct
// connections keep a context of their own and close it.
zmq::context_t& proxied_context() {
  static auto* context = new zmq::context_t(1);
  return *context;
}

}  // namespace

Result<std::string> parse_socks_proxy(std::string_view url) {
  const Error bad{ErrorCode::kMalformed,
                  "the proxy must be given as socks5h://HOST:PORT (for Tor usually socks5h://127.0.0.1:9050)"};
  if (url.substr(0, kSocksScheme.size()) != kSocksScheme) return bad;
  std::string_view rest = url.substr(kSocksScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  const std::size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) return bad;
  const std::string_view host = rest.substr(0, colon);
  const std::string_view port = rest.substr(colon + 1);
  if (!valid_host(host) || !valid_port(port)) return bad;
  return std::string(rest);
}

struct RelayConnection::Impl {
  explicit Impl(bool proxied)
      : own_context(proxied ? std::nullopt : std::make_optional<zmq::context_t>(1)),
        context(proxied ? proxied_context() : *own_context) {}
  std::optional<zmq::context_t> own_context;
  zmq::context_t& context;
  zmq::socket_t socket{context, zmq::socket_type::dealer};
  zmq::socket_t monitor{context, zmq::socket_type::pair};
  protocol::ChannelAddress address;
  ConnectionOptions options;
  std::string endpoint;
  bool connected = false;
  std::optional<Error> failed;  // a failed connection stays failed (no silent retries)
};

RelayConnection::RelayConnection(const protocol::ChannelAddress& address, const ConnectionOptions& options)
    : impl_(std::make_unique<Impl>(!options.socks_proxy.empty())) {
  impl_->address = address;
  impl_->options = options;
  impl_->endpoint = address.endpoint;
  zmq::socket_t& s = impl_->socket;

  // Fresh transport keys per connection; the secret half lives in secure
  // memory and is wiped once libzmq has copied it.
  std::array<char, 41> public_z85{};
  crypto::SecretBuffer secret_z85(41);
  if (zmq_curve_keypair(public_z85.data(), reinterpret_cast<char*>(secret_z85.data())) != 0) {
    throw std::runtime_error("cannot create CurveZMQ client keys (libzmq without CURVE support?)");
  }
  s.set(zmq::sockopt::curve_serverkey,
        zmq::const_buffer(address.relay_curve_pk.data(), address.relay_curve_pk.size()));
  s.set(zmq::sockopt::curve_publickey, std::string(public_z85.data(), 40));
  zmq_setsockopt(s.handle(), ZMQ_CURVE_SECRETKEY, secret_z85.data(), 40);
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::maxmsgsize, options.max_reply_bytes);
  s.set(zmq::sockopt::sndtimeo, static_cast<int>(options.timeout.count()));
  s.set(zmq::sockopt::connect_timeout, static_cast<int>(options.connect_timeout.count()));
  // Do not queue requests for a relay that is not there: fail fast instead.
  s.set(zmq::sockopt::immediate, 1);
  if (!options.socks_proxy.empty()) {
    s.set(zmq::sockopt::socks_proxy, options.socks_proxy);
    const std::string user = random_credential(), password = random_credential();
    if (zmq_setsockopt(s.handle(), kZmqSocksUsername, user.data(), user.size()) != 0 ||
        zmq_setsockopt(s.handle(), kZmqSocksPassword, password.data(), password.size()) != 0) {
      throw std::runtime_error(
          "this libzmq cannot give a SOCKS proxy a username and password (ZMQ_SOCKS_USERNAME), so Tor could not "
          "keep this program's connections on separate circuits; nothing was sent (install Debian's libzmq5)");
    }
  }

  // Connection events tell a refused connection from a slow one. The
  // monitor is an inproc socket pair; its name is unique in the process
  // (proxied connections share a context).
  static std::atomic<std::uint64_t> monitors{0};
  const std::string monitor_endpoint = "inproc://meldpunt-relay-monitor-" + std::to_string(monitors++);
  if (zmq_socket_monitor(s.handle(), monitor_endpoint.c_str(),
                         ZMQ_EVENT_CONNECT_RETRIED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_CLOSED |
                             ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                             ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) != 0) {
    throw std::runtime_error("cannot monitor the relay connection");
  }
  impl_->monitor.connect(monitor_endpoint);
  s.connect(address.endpoint);
}

RelayConnection::~RelayConnection() {
  if (impl_ && !impl_->options.socks_proxy.empty()) {
    // libzmq 4.3.4 bug: socks_connecter_t::error() removes its poll handle
    // without forgetting it, so closing the socket while it waits to retry
    // a failed proxy connection removes the handle a second time and
    // aborts the process ("Bad file descriptor (src/epoll.cpp:113)"). A
    // proxied connection is therefore never closed: it stays open, idle,
    // until the process exits, in the shared context (no threads of its
    // own). The pointer stays reachable from a static, so leak checkers do
    // not report it.
    // Retrievals close connections on several threads at once.
    static std::mutex kept_mutex;
    static auto* kept = new std::vector<Impl*>();
    const std::lock_guard<std::mutex> lock(kept_mutex);
    kept->push_back(impl_.release());
  }
}

Status RelayConnection::wait_connected() {
  Impl& d = *impl_;
  if (d.connected) return Status::success();
  if (d.failed) return *d.failed;
  const bool proxied = !d.options.socks_proxy.empty();
  const std::string where = proxied ? "the relay at " + d.endpoint + " through the proxy " + d.options.socks_proxy
                                    : "the relay at " + d.endpoint;
  const auto deadline = std::chrono::steady_clock::now() + d.options.connect_timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      d.failed = Error{ErrorCode::kUnavailable,
                       "could not connect to " + where + " within " +
                           std::to_string(d.options.connect_timeout.count() / 1000) + " s"};
      return *d.failed;
    }
    zmq::pollitem_t item{d.monitor.handle(), 0, ZMQ_POLLIN, 0};
    if (poll_for(&item, 1, left) == 0) continue;
    const std::optional<MonitorEvent> e = read_event(d.monitor);
    if (!e) continue;
    switch (e->event) {
      case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        d.connected = true;
        return Status::success();
      case ZMQ_EVENT_CONNECT_RETRIED:
      case ZMQ_EVENT_CLOSED:
      case ZMQ_EVENT_DISCONNECTED:
        d.failed = Error{ErrorCode::kUnavailable,
                         proxied ? "could not connect to " + where +
                                       ": the proxy is not running there, or it could not reach the relay"
                                 : "could not connect to " + where +
                                       ": nothing answered there (check the channel address and your network)"};
        return *d.failed;
      default:  // handshake failures
        d.failed = Error{ErrorCode::kUnauthorised,
                         "the server at " + d.endpoint +
                             " did not prove the relay key of the channel address (wrong address, or someone in "
                             "between); nothing was sent"};
        return *d.failed;
    }
  }
}

const ConnectionOptions& RelayConnection::options() const { return impl_->options; }

std::unique_ptr<RelayConnection> RelayConnection::open_another() const {
  return std::make_unique<RelayConnection>(impl_->address, impl_->options);
}

Result<protocol::Reply> RelayConnection::call(const protocol::Frames& request) {
  return call(request, impl_->options.timeout);
}

Result<protocol::Reply> RelayConnection::call(const protocol::Frames& request, std::chrono::milliseconds timeout) {
  zmq::socket_t& s = impl_->socket;
  try {
    // The connection dropped since the last request (the relay restarted, or
    // went away): wait for libzmq's reconnection like for the first
    // connection, which fails at once if nothing answers, instead of
    // sending into no connection and waiting for the send timeout.
    while (impl_->connected) {
      const std::optional<MonitorEvent> e = read_event(impl_->monitor);
      if (!e) break;
      if (e->event == ZMQ_EVENT_DISCONNECTED || e->event == ZMQ_EVENT_CLOSED) impl_->connected = false;
    }
    if (Status connected = wait_connected(); !connected) return connected.error();
    for (std::size_t i = 0; i < request.size(); ++i) {
      const auto flags = i + 1 < request.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
      if (!s.send(zmq::const_buffer(request[i].data(), request[i].size()), flags)) {
        return Error{ErrorCode::kUnavailable, "the relay could not be reached (timed out)"};
      }
    }
    // The reply, or the connection dropping: a relay that went away while a
    // request waited ends the wait at once instead of after the full timeout.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      std::array<zmq::pollitem_t, 2> items{{{s.handle(), 0, ZMQ_POLLIN, 0},
                                            {impl_->monitor.handle(), 0, ZMQ_POLLIN, 0}}};
      if (left.count() <= 0 || poll_for(items.data(), items.size(), left) == 0) {
        return Error{ErrorCode::kUnavailable, "the relay did not answer within " +
                                                  std::to_string(timeout.count() / 1000) + " s"};
      }
      if ((items[0].revents & ZMQ_POLLIN) != 0) break;
      const std::optional<MonitorEvent> e = read_event(impl_->monitor);
      if (e && (e->event == ZMQ_EVENT_DISCONNECTED || e->event == ZMQ_EVENT_CLOSED)) {
        impl_->failed = Error{ErrorCode::kUnavailable, "the relay at " + impl_->endpoint + " closed the connection"};
        impl_->connected = false;
        return *impl_->failed;
      }
    }
    std::vector<zmq::message_t> parts;
    for (;;) {
      zmq::message_t part;
      if (!s.recv(part, zmq::recv_flags::dontwait)) break;
      const bool more = part.more();
      parts.push_back(std::move(part));
      if (!more) break;
      if (parts.size() > 4 * protocol::kMaxRequestFrames) {
        return Error{ErrorCode::kMalformed, "reply has too many frames"};
      }
    }
    std::vector<ByteView> views;
    views.reserve(parts.size());
    for (const zmq::message_t& p : parts) views.emplace_back(static_cast<const std::uint8_t*>(p.data()), p.size());
    auto reply = protocol::parse_reply(views);
    if (!reply) {
      Error e = reply.error();
      e.from_relay = e.code == ErrorCode::kUnsupportedVersion;  // its header names another version
      return e;
    }
    if (reply->status != ErrorCode::kOk) return Error{reply->status, "relay: " + reply->error_text, true};
    return reply;
  } catch (const zmq::error_t& e) {
    return Error{ErrorCode::kUnavailable, std::string("connection to the relay failed: ") + e.what()};
  }
}

}  // namespace meldpunt::client
