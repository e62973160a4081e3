#include "server.hpp"

#include <zmq.h>

#include <iostream>
#include <vector>
#include <zmq.hpp>

namespace meldpunt::relay {
namespace {

using protocol::Frames;

// A request as received: the ROUTER routing id followed by the client's frames.
struct Incoming {
  zmq::message_t routing_id;
  std::vector<zmq::message_t> frames;
  bool oversized = false;  // more frames than any valid request has; dropped unread
};

// Reads one whole multipart message (never more than kMaxRequestFrames frames
// kept; the rest is drained so the socket stays in sync).
bool receive(zmq::socket_t& socket, Incoming& in) {
  zmq::message_t id;
  if (!socket.recv(id, zmq::recv_flags::dontwait)) return false;
  in.routing_id = std::move(id);
  bool more = in.routing_id.more();
  while (more) {
    zmq::message_t part;
    (void)socket.recv(part, zmq::recv_flags::none);  // parts of one message arrive together
    more = part.more();
    if (in.frames.size() < protocol::kMaxRequestFrames) {
      in.frames.push_back(std::move(part));
    } else {
      in.oversized = true;
    }
  }
  return true;
}

void send_reply(zmq::socket_t& socket, zmq::message_t& routing_id, const Frames& reply) {
  // A client that went away makes the ROUTER drop the reply (no
  // ROUTER_MANDATORY), which is what we want for an anonymous service.
  socket.send(routing_id, zmq::send_flags::sndmore);
  for (std::size_t i = 0; i < reply.size(); ++i) {
    const auto flags = i + 1 < reply.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
    socket.send(zmq::const_buffer(reply[i].data(), reply[i].size()), flags);
  }
}

std::vector<ByteView> views_of(const std::vector<zmq::message_t>& frames) {
  std::vector<ByteView> views;
  views.reserve(frames.size());
  for (const zmq::message_t& f : frames) views.emplace_back(static_cast<const std::uint8_t*>(f.data()), f.size());
  return views;
}

}  // namespace

void serve(RequestHandler& handler, const crypto::Secret<32>& curve_secret_key, const ServerOptions& options,
           const std::atomic<bool>& stop) {
  zmq::context_t context{1};
  zmq::socket_t socket{context, zmq::socket_type::router};
  socket.set(zmq::sockopt::curve_server, 1);
  socket.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(curve_secret_key.data(), curve_secret_key.size()));
  socket.set(zmq::sockopt::linger, 2000);
  // Oversized frames are dropped by libzmq before they are buffered.
  socket.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(protocol::kMaxRequestFrameBytes));
  socket.bind(options.endpoint);
  std::cerr << "relay: serving on " << options.endpoint << std::endl;

  std::vector<Incoming> batch;
  while (!stop.load()) {
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    try {
      if (zmq::poll(&item, 1, std::chrono::milliseconds(200)) == 0) continue;
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      throw;
    }

    // Take everything waiting (up to max_batch), answer what needs no write
    // at once, and commit all deposits of this round together.
    batch.clear();
    for (std::size_t n = 0; n < options.max_batch; ++n) {
      Incoming in;
      if (!receive(socket, in)) break;
      batch.push_back(std::move(in));
    }
    std::vector<PreparedDeposit> deposits;
    std::vector<std::size_t> deposit_owner;  // index into batch
    for (std::size_t i = 0; i < batch.size(); ++i) {
      Incoming& in = batch[i];
      if (in.oversized) {
        send_reply(socket, in.routing_id, protocol::make_error_reply(ErrorCode::kTooLarge, "too many frames"));
        continue;
      }
      const std::vector<ByteView> views = views_of(in.frames);
      RequestHandler::Outcome outcome = handler.handle(views);
      if (outcome.deposit) {
        deposits.push_back(std::move(*outcome.deposit));
        deposit_owner.push_back(i);
      } else {
        send_reply(socket, in.routing_id, outcome.reply);
      }
    }
    if (!deposits.empty()) {
      const Status committed = handler.commit_deposits(deposits);
      for (std::size_t k = 0; k < deposits.size(); ++k) {
        const Frames reply = committed ? RequestHandler::deposit_reply(deposits[k])
                                       : protocol::make_error_reply(committed.error().code, committed.error().message);
        send_reply(socket, batch[deposit_owner[k]].routing_id, reply);
      }
    }
  }
  std::cerr << "relay: stopping" << std::endl;
}

}  // namespace meldpunt::relay
