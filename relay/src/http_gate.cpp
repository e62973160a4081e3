#include "http_gate.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <stdexcept>

#include "http_head.hpp"

namespace meldpunt::relay {
namespace {

// See http_door.cpp: an unread answer waits where the door counts it.
constexpr int kSendBufferBytes = 64 * 1024;

std::string error_answer(unsigned status) {
  const char* reason = status == 400   ? "Bad Request"
                       : status == 413 ? "Content Too Large"
                       : status == 431 ? "Request Header Fields Too Large"
                                       : "HTTP Version Not Supported";
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Length: 0\r\n";
  for (const auto& [name, value] : kHttpDoorHeaders) out += std::string(name) + ": " + value + "\r\n";
  return out + "\r\n";
}

}  // namespace

HttpGate::HttpGate(const std::string& host, std::uint16_t port, std::chrono::seconds head_timeout)
    : head_timeout_(head_timeout) {
  sockaddr_storage address{};
  socklen_t length = 0;
  if (auto* v4 = reinterpret_cast<sockaddr_in*>(&address); inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof(sockaddr_in);
  } else if (auto* v6 = reinterpret_cast<sockaddr_in6*>(&address); inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof(sockaddr_in6);
  } else {
    throw std::runtime_error("http: " + host + " is not an IPv4 or IPv6 address");
  }
  listen_fd_ = ::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  if (listen_fd_ >= 0) (void)::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(listen_fd_, 128) != 0) {
    if (listen_fd_ >= 0) ::close(listen_fd_);
    throw std::runtime_error("http: cannot listen on " + host + ":" + std::to_string(port) +
                             " (in use, or not an address of this host)");
  }
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof bound;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &bound_length);
  port_ = ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                           : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
}

HttpGate::~HttpGate() {
  for (const Arrival& a : arrivals_) ::close(a.fd);
  ::close(listen_fd_);
}

void HttpGate::add_poll_items(std::vector<zmq::pollitem_t>& items) const {
  items.push_back({nullptr, listen_fd_, ZMQ_POLLIN, 0});
  for (const Arrival& a : arrivals_) items.push_back({nullptr, a.fd, ZMQ_POLLIN, 0});
}

HttpGate::Outcome HttpGate::step(const zmq::pollitem_t* items, std::size_t room,
                                 const std::function<void(int, const sockaddr*, socklen_t)>& admit) {
  Outcome outcome;
  const Clock::time_point now = Clock::now();
  std::vector<Arrival> kept;
  kept.reserve(arrivals_.size());
  for (std::size_t i = 0; i < arrivals_.size(); ++i) {
    Arrival& a = arrivals_[i];
    Check result = Check::kWait;
    if ((items[1 + i].revents & (ZMQ_POLLIN | ZMQ_POLLERR)) != 0) result = check(a, outcome);
    if (result == Check::kAdmit) {
      admit(a.fd, reinterpret_cast<const sockaddr*>(&a.address), a.length);
    } else if (result == Check::kWait && now > a.deadline) {
      ::close(a.fd);
      outcome.head_timeouts++;
    } else if (result == Check::kWait) {
      kept.push_back(a);
    }
  }
  arrivals_ = std::move(kept);
  if ((items[0].revents & ZMQ_POLLIN) != 0) {
    for (int n = 0; n < 256; ++n) {  // a burst of connections does not hold the loop
      Arrival a;
      a.length = sizeof a.address;
      a.fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&a.address), &a.length, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (a.fd < 0) break;  // none left, or out of descriptors: the rest wait in the backlog
      if (arrivals_.size() >= room) {  // the door is full: as libmicrohttpd did, closed at once
        ::close(a.fd);
        continue;
      }
      (void)::setsockopt(a.fd, SOL_SOCKET, SO_SNDBUF, &kSendBufferBytes, sizeof kSendBufferBytes);
      a.deadline = Clock::now() + head_timeout_;
      arrivals_.push_back(a);
    }
  }
  return outcome;
}

HttpGate::Check HttpGate::check(Arrival& a, Outcome& outcome) {
  std::array<std::uint8_t, kMaxHttpHeadBytes> buffer;
  const ssize_t n = ::recv(a.fd, buffer.data(), buffer.size(), MSG_PEEK | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return Check::kWait;
  // Gone before its head: nothing at all, or nothing new although the socket
  // polled readable with SO_RCVLOWAT above what was peeked, which only its
  // end (a FIN after a partial head, whose bytes stay unread) makes it do.
  // Kept until its deadline, such a connection took the door's room and
  // made poll return at once on every round.
  if (n <= 0 || (a.peeked != 0 && static_cast<std::size_t>(n) == a.peeked)) {
    ::close(a.fd);
    return Check::kClosed;
  }
  const HeadCheck head = check_http_head(ByteView(buffer.data(), static_cast<std::size_t>(n)));
  if (head.verdict == HeadVerdict::kIncomplete) {
    a.peeked = static_cast<std::size_t>(n);
    const int more = static_cast<int>(a.peeked + 1);
    (void)::setsockopt(a.fd, SOL_SOCKET, SO_RCVLOWAT, &more, sizeof more);
    return Check::kWait;
  }
  if (head.verdict == HeadVerdict::kOk) {
    const int one = 1;
    (void)::setsockopt(a.fd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof one);
    return Check::kAdmit;
  }
  const bool too_large = head.verdict == HeadVerdict::kTooLarge || head.verdict == HeadVerdict::kBodyTooLarge;
  (too_large ? outcome.too_large : outcome.malformed)++;
  // What has arrived is read first (up to 64 KiB), so closing does not
  // reset the connection under the answer while those bytes are unread.
  for (int i = 0; i < 4 && ::recv(a.fd, buffer.data(), buffer.size(), MSG_DONTWAIT) > 0; ++i) {
  }
  const std::string answer = error_answer(head.status);
  (void)::send(a.fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::shutdown(a.fd, SHUT_WR);
  ::close(a.fd);
  return Check::kClosed;
}

}  // namespace meldpunt::relay
