#include "front_door_io.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <stdexcept>

#include "front_door.hpp"
#include "log.hpp"

namespace meldpunt::relay {
namespace {

// The kernel's buffers of a client socket, each way (Linux doubles the
// figure). Fixed rather than autotuned (up to 4-6 MiB each on Linux): what a
// client that does not read leaves in the kernel stays small, and a reply
// waits in the front door, where write-timeout sees it.
constexpr int kSocketBufferBytes = 64 * 1024;
constexpr std::size_t kReservedDescriptors = 64;  // log, store, admin socket, libzmq's own

}  // namespace

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

std::string errno_text(int e) { return std::strerror(e); }

int listen_tcp(const std::string& endpoint) {
  constexpr std::string_view kTcp = "tcp://";
  const std::size_t colon = endpoint.rfind(':');
  if (endpoint.rfind(kTcp, 0) != 0 || colon == std::string::npos || colon <= kTcp.size()) {
    throw std::runtime_error("endpoint must look like tcp://HOST:PORT: " + endpoint);
  }
  std::string host = endpoint.substr(kTcp.size(), colon - kTcp.size());
  const std::string port = endpoint.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(host == "*" ? nullptr : host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) throw std::runtime_error("cannot resolve " + endpoint + ": " + ::gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, ::freeaddrinfo);
  // "*" binds every IPv4 address, as libzmq does without ZMQ_IPV6.
  const addrinfo* ai = found;
  if (host == "*") {
    for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
      if (a->ai_family == AF_INET) {
        ai = a;
        break;
      }
    }
  }
  const int fd = ::socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket for " + endpoint + ": " + errno_text(errno));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
    const int e = errno;
    ::close(fd);
    throw std::runtime_error("cannot bind " + endpoint + ": " + errno_text(e));
  }
  return fd;
}

void tune_client_socket(int fd) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &kSocketBufferBytes, sizeof kSocketBufferBytes);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kSocketBufferBytes, sizeof kSocketBufferBytes);
}

bool read_into(int fd, Pipe& pipe, bool& progressed, bool& more) {
  pipe.compact();
  if (pipe.free_space() == 0) return true;  // full: read again once written on
  const std::size_t space = pipe.free_space();
  const ssize_t n = ::read(fd, pipe.data.data() + pipe.end, space);
  if (n > 0) {
    pipe.end += static_cast<std::size_t>(n);
    progressed = true;
    more = static_cast<std::size_t>(n) == space;
    return true;
  }
  more = false;
  return n < 0 && (errno == EAGAIN || errno == EINTR);
}

std::size_t connections_for_descriptors(std::uint64_t nofile) {
  if (nofile <= kReservedDescriptors + 1) return 1;
  return static_cast<std::size_t>(nofile - kReservedDescriptors);
}

std::uint64_t raise_descriptor_limit(std::size_t max_connections) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  const std::uint64_t soft = limit.rlim_cur == RLIM_INFINITY ? (1ull << 20) : limit.rlim_cur;
  if (connections_for_descriptors(soft) < max_connections) {
    log(LogLevel::kWarning, "the descriptor limit (nofile " + std::to_string(soft) + ") allows only " +
                                std::to_string(connections_for_descriptors(soft)) + " of max-connections " +
                                std::to_string(max_connections) +
                                " (one descriptor each); raise LimitNOFILE in the service unit");
  }
  return soft;
}

}  // namespace meldpunt::relay
