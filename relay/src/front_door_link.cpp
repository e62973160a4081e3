#include "front_door_link.hpp"

#include <algorithm>

#include "front_door.hpp"

namespace meldpunt::relay {
namespace {

void put_tag(std::uint8_t (&tag)[kFrontDoorTagBytes], std::uint64_t id) {
  for (std::size_t i = 0; i < kFrontDoorTagBytes; ++i) tag[i] = static_cast<std::uint8_t>(id >> (8 * i));
}

}  // namespace

RelayLink::RelayLink(zmq::context_t& context, const std::vector<std::string>& inproc_endpoints,
                     std::size_t max_connections) {
  const int hwm = static_cast<int>(std::min<std::size_t>(max_connections * 2 + 16, 1 << 20));
  for (const std::string& endpoint : inproc_endpoints) {
    auto dealer = std::make_unique<zmq::socket_t>(context, zmq::socket_type::dealer);
    dealer->set(zmq::sockopt::sndhwm, hwm);
    dealer->set(zmq::sockopt::rcvhwm, hwm);
    dealer->set(zmq::sockopt::linger, 0);
    dealer->connect(endpoint);
    dealers_.push_back(std::move(dealer));
  }
}

int RelayLink::notify_fd(std::size_t route) { return dealers_[route]->get(zmq::sockopt::fd); }

bool RelayLink::send(std::size_t route, std::uint64_t id, std::vector<zmq::message_t> parts) {
  zmq::socket_t& dealer = *dealers_[route];
  std::uint8_t tag[kFrontDoorTagBytes];
  put_tag(tag, id);
  // The first part decides: libzmq takes the rest of a message it began.
  if (!dealer.send(zmq::const_buffer(tag, sizeof tag), zmq::send_flags::dontwait | zmq::send_flags::sndmore)) {
    return false;
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const bool last = i + 1 == parts.size();
    (void)dealer.send(parts[i], last ? zmq::send_flags::none : zmq::send_flags::sndmore);
  }
  return true;
}

void RelayLink::cancel(std::size_t route, std::uint64_t id) {
  std::uint8_t tag[kFrontDoorTagBytes];
  put_tag(tag, id);
  (void)dealers_[route]->send(zmq::const_buffer(tag, sizeof tag), zmq::send_flags::dontwait);
}

void RelayLink::take_replies(const std::function<void(std::uint64_t, std::vector<zmq::message_t>)>& on_reply) {
  for (bool any = true; any;) {
    any = false;
    for (auto& dealer : dealers_) {
      while ((dealer->get(zmq::sockopt::events) & ZMQ_POLLIN) != 0) {
        any = true;
        zmq::message_t tag;
        if (!dealer->recv(tag, zmq::recv_flags::dontwait)) break;
        std::vector<zmq::message_t> parts;
        for (bool more = tag.more(); more;) {
          zmq::message_t part;
          (void)dealer->recv(part, zmq::recv_flags::none);  // parts of one message arrive together
          more = part.more();
          parts.push_back(std::move(part));
        }
        if (tag.size() != kFrontDoorTagBytes || parts.empty()) continue;
        std::uint64_t id = 0;
        for (std::size_t i = 0; i < kFrontDoorTagBytes; ++i) {
          id |= std::uint64_t{static_cast<const std::uint8_t*>(tag.data())[i]} << (8 * i);
        }
        on_reply(id, std::move(parts));
      }
    }
  }
}

}  // namespace meldpunt::relay
