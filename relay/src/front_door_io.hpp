// The front door's socket plumbing (front_door.hpp): the listening TCP
// sockets, a client socket's options, the input buffer read without
// blocking, and the descriptor budget. Only the front door uses it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace meldpunt::relay {

// Closes fd if open and sets it to -1.
void close_fd(int& fd);
std::string errno_text(int e);

// A bound, listening, non-blocking TCP socket for tcp://HOST:PORT ("*":
// every IPv4 address, as libzmq binds without ZMQ_IPV6). Throws
// std::runtime_error if the endpoint is malformed or cannot be bound.
int listen_tcp(const std::string& endpoint);

// No Nagle delay and small fixed kernel buffers on an accepted client.
void tune_client_socket(int fd);

// A client's input: [begin, end) of data wait to be taken.
struct Pipe {
  std::vector<std::uint8_t> data;
  std::size_t begin = 0, end = 0;
  std::size_t free_space() const { return data.size() - end; }
  void compact() {
    if (begin == end) {
      begin = end = 0;
    } else if (begin > 0 && end == data.size()) {
      std::memmove(data.data(), data.data() + begin, end - begin);
      end -= begin;
      begin = 0;
    }
  }
};

// Reads into `pipe`; false when the peer closed or failed. `more` stays
// true only when the read filled the buffer, so the socket may hold more.
bool read_into(int fd, Pipe& pipe, bool& progressed, bool& more);

}  // namespace meldpunt::relay
