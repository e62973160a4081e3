// A client's connection to the relay: a ZeroMQ DEALER socket over CurveZMQ
// with the relay's public key pinned from the channel address, and a fresh
// client key pair for every connection so two runs of a client cannot be
// linked by their transport key.
//
// The first call() waits until the CurveZMQ handshake has succeeded, at most
// `connect_timeout`; a refused or unreachable relay (or proxy) fails at its
// first failed attempt with a message saying which, so a reporter is never
// left waiting on a dead address. Afterwards call() sends one request and
// waits at most `timeout` for its reply; a relay that does not answer gives
// kUnavailable, never a hang. A connection that dropped since the previous
// request is re-established first (failing at once if nothing answers), and
// one that drops while a request waits ends the wait at once, with
// kUnavailable; a signal does not cut a wait short (a request finishes). One
// request is in flight at a time (the relay answers in order on one
// connection).
//
// SOCKS5 (Tor): with `socks_proxy` set, libzmq connects to the proxy and
// sends it the relay's host name as a SOCKS5 domain name (address type 3);
// libzmq 4.3.4's socks_request_encoder_t resolves nothing itself (it only
// checks with AI_NUMERICHOST whether the host already is a literal IP), so
// the proxy resolves the name, as with curl's socks5h://. Only the proxy's
// own address is resolved locally (give it as an IP, e.g. 127.0.0.1:9050).
// A proxied connection is never closed before the process exits (a libzmq
// 4.3.4 bug aborts when closing one that failed; see the destructor).
//
// Stream isolation: every proxied connection offers the proxy a fresh random
// SOCKS5 username and password (RFC 1929, 32 hex digits each). Tor keeps
// streams with different credentials on different circuits, so no two
// connections of one run share a circuit (and exit). libzmq 4.3.4 has the
// options only in its draft API (ZMQ_SOCKS_USERNAME 99, ZMQ_SOCKS_PASSWORD
// 100); Debian's build accepts them, and a libzmq that refuses them makes the
// constructor throw (a proxied connection is never made without isolation).
//
// One connection, one job (PROTOCOL.md, "Connections"): open_another() gives
// a new connection to the same relay with the same options, fresh transport
// keys and fresh SOCKS credentials; the mailbox functions (mailbox.hpp) open
// their own for every operation that must not be linked to another.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "meldpunt/common/result.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "meldpunt/protocol/wire.hpp"

namespace meldpunt::client {

// A busy relay (kRateLimited: its price rose, its fetch queue is full, or
// flood control) is asked again after a pause; this says so, so a program
// can tell the person what is happening rather than seem to hang.
struct RetryNotice {
  std::chrono::milliseconds delay{0};  // before the next attempt
  int next_attempt = 0;                // 2.. max_attempts
  int max_attempts = 0;
  std::string relay_said;              // the relay's explanation (printable ASCII)
};

struct ConnectionOptions {
  // Longest wait for one reply.
  std::chrono::milliseconds timeout{15000};
  // Longest wait for the connection (TCP, proxy, CurveZMQ handshake).
  std::chrono::milliseconds connect_timeout{10000};
  // "host:port" of a SOCKS5 proxy (Tor); empty for a direct connection.
  // See parse_socks_proxy for the user-facing form.
  std::string socks_proxy;
  // Largest reply accepted (fetch answers grow with the store).
  std::int64_t max_reply_bytes = 512ll << 20;
  // Called before each pause between attempts of a priced request (mailbox.hpp).
  std::function<void(const RetryNotice&)> on_retry;
};

// "socks5h://HOST:PORT" (the form a user types, as in curl) -> "HOST:PORT"
// for ConnectionOptions::socks_proxy. HOST is a name, an IPv4 address or a
// bracketed IPv6 address; PORT 1..65535. Other schemes are refused
// (kMalformed), in particular socks5:// (which by convention resolves names
// locally, a DNS leak this client never does) and socks4.
Result<std::string> parse_socks_proxy(std::string_view url);

class RelayConnection {
 public:
  RelayConnection(const protocol::ChannelAddress& address, const ConnectionOptions& options);
  ~RelayConnection();
  RelayConnection(const RelayConnection&) = delete;
  RelayConnection& operator=(const RelayConnection&) = delete;

  // The reply, or kUnavailable when the relay cannot be reached or does not
  // answer in time. A reply with an error status is returned as that error
  // (code and the relay's explanation, from_relay set).
  Result<protocol::Reply> call(const protocol::Frames& request);
  // The same with its own longest wait for the reply (a fetch of a large
  // store takes longer than other requests).
  Result<protocol::Reply> call(const protocol::Frames& request, std::chrono::milliseconds timeout);
  const ConnectionOptions& options() const;
  // A new connection to the same relay with the same options (see above).
  std::unique_ptr<RelayConnection> open_another() const;

 private:
  Status wait_connected();

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace meldpunt::client
