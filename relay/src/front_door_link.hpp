// The front door's side of the inproc sockets to the serving loop
// (front_door.hpp): one DEALER per route, each message [tag, parts...]
// with the connection's number as the tag (8 bytes, little-endian), [tag]
// alone for a client that went away. Only the front door's thread uses it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>
#include <zmq.hpp>

namespace meldpunt::relay {

class RelayLink {
 public:
  // Connects a DEALER to each endpoint, with room for two messages per
  // connection the door may hold (a request and a notice that its client
  // left).
  RelayLink(zmq::context_t& context, const std::vector<std::string>& inproc_endpoints, std::size_t max_connections);

  // libzmq's notification descriptor of route `route`: readable when its
  // socket may have something (what it has is asked in take_replies).
  int notify_fd(std::size_t route);

  // A whole request; false (nothing sent) if the queue is full, which the
  // high-water mark makes impossible within max_connections.
  bool send(std::size_t route, std::uint64_t id, std::vector<zmq::message_t> parts);
  // The client of connection `id` went away.
  void cancel(std::size_t route, std::uint64_t id);

  // Calls on_reply(id, parts) for every reply waiting, on every route, until
  // none is left: ZMQ_EVENTS is asked until it has nothing, as the
  // notification descriptor fires only on a change, and a send (by
  // on_reply, for instance) may take the wake-up of a reply that came.
  void take_replies(const std::function<void(std::uint64_t id, std::vector<zmq::message_t> parts)>& on_reply);

 private:
  std::vector<std::unique_ptr<zmq::socket_t>> dealers_;
};

}  // namespace meldpunt::relay
