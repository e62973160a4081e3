// The front door's socket plumbing (front_door.hpp): the listening TCP
// sockets, the stream to a ROUTER's Unix socket, a client socket's options,
// the byte pipes moved between them without blocking, and the descriptor
// budget. Only the front door uses it.
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

// Whether `path` fits a Unix socket address.
bool fits_unix_path(const std::string& path);

// A non-blocking stream to the Unix socket at `path` (checked with
// fits_unix_path), the connection possibly still in progress. fd -1 when it
// failed: out_of_descriptors when no socket could be made; otherwise the
// ROUTER's backlog is full (EAGAIN) and the client may try again.
struct UnixConnect {
  int fd = -1;
  bool out_of_descriptors = false;
};
UnixConnect connect_unix(const std::string& path);

// No Nagle delay and small fixed kernel buffers on an accepted client.
void tune_client_socket(int fd);

// Bytes of one direction: [begin, end) of data wait to be passed on; `sent`
// is the stream offset of data[begin].
struct Pipe {
  std::vector<std::uint8_t> data;
  std::size_t begin = 0, end = 0;
  std::uint64_t sent = 0;
  std::size_t free_space() const { return data.size() - end; }
  std::uint64_t received() const { return sent + (end - begin); }
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
// Writes pipe bytes up to stream offset `limit`; false on a broken peer.
bool write_from(int fd, Pipe& pipe, std::uint64_t limit, bool& progressed);

}  // namespace meldpunt::relay
