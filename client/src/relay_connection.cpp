#include "meldpunt/client/relay_connection.hpp"

#include <zmq.h>

#include <array>
#include <vector>
#include <zmq.hpp>

#include "meldpunt/crypto/secret.hpp"

namespace meldpunt::client {

struct RelayConnection::Impl {
  zmq::context_t context{1};
  zmq::socket_t socket{context, zmq::socket_type::dealer};
  ConnectionOptions options;
};

RelayConnection::RelayConnection(const protocol::ChannelAddress& address, const ConnectionOptions& options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
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
  // Do not queue requests for a relay that is not there: fail fast instead.
  s.set(zmq::sockopt::immediate, 1);
  if (!options.socks_proxy.empty()) s.set(zmq::sockopt::socks_proxy, options.socks_proxy);
  s.connect(address.endpoint);
}

RelayConnection::~RelayConnection() = default;

Result<protocol::Reply> RelayConnection::call(const protocol::Frames& request) {
  zmq::socket_t& s = impl_->socket;
  try {
    for (std::size_t i = 0; i < request.size(); ++i) {
      const auto flags = i + 1 < request.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
      if (!s.send(zmq::const_buffer(request[i].data(), request[i].size()), flags)) {
        return Error{ErrorCode::kUnavailable, "the relay could not be reached (timed out)"};
      }
    }
    zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, impl_->options.timeout) == 0) {
      return Error{ErrorCode::kUnavailable, "the relay did not answer in time"};
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
    if (!reply) return reply.error();
    if (reply->status != ErrorCode::kOk) return Error{reply->status, "relay: " + reply->error_text};
    return reply;
  } catch (const zmq::error_t& e) {
    return Error{ErrorCode::kUnavailable, std::string("connection to the relay failed: ") + e.what()};
  }
}

}  // namespace meldpunt::client
