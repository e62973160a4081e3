// One client connection of the front door (front_door.hpp) and the rules
// that judge it without touching a socket: which connection makes room for
// a newcomer, and which timer a connection has run out of. Only the front
// door's thread uses it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>
#include <zmq.hpp>

#include "curve_server.hpp"
#include "front_door.hpp"
#include "front_door_io.hpp"
#include "meldpunt/common/bytes.hpp"

namespace meldpunt::relay {

using FrontDoorClock = std::chrono::steady_clock;

struct FrontDoorConn {
  std::uint64_t id = 0;  // grows with acceptance: the smallest is the oldest
  std::size_t route = 0;
  int client = -1;
  FrontDoorClock::time_point accepted, last_activity, out_waiting_since;
  std::unique_ptr<CurveServerSession> session;
  Pipe in;                    // bytes from the client not yet taken by the session
  Bytes out;                  // bytes for the client; out_begin of them written
  std::size_t out_begin = 0;
  bool handshaken = false;
  bool dead = false;
  // The request being read, or handed on and not yet answered.
  std::vector<zmq::message_t> parts;
  std::uint64_t request_bytes = 0;  // on the wire, charged to the door's budget
  std::uint64_t buffer_bytes = 0;   // the input buffer beyond its first 32 KiB, charged too
  std::uint64_t reply_bytes = 0;    // the reply until written, charged too
  bool outstanding = false;
  // The reply being sealed, one part at a time as the client reads.
  std::vector<zmq::message_t> reply;
  std::size_t reply_next = 0;
  bool can_read = true, can_write = true;  // what edge-triggered epoll last said (front_door.cpp, pump)

  std::uint64_t charged() const { return request_bytes + buffer_bytes + reply_bytes; }
  std::uint64_t sent_bytes() const { return request_bytes + buffer_bytes; }  // what the client made the door hold
  bool writing() const { return out_begin < out.size() || reply_next < reply.size(); }
};

using FrontDoorConns = std::unordered_map<std::uint64_t, FrontDoorConn>;

// A connection quiet this long with nothing outstanding, or in its
// handshake this long, may make room for a newcomer when the door is full.
inline constexpr auto kQuietBeforeEviction = std::chrono::seconds(2);

// The connection that makes room for a newcomer, or none: the oldest still
// in its handshake (open 2 s at least: a bare TCP connect must not push out
// an honest client in its handshake); else the one quiet longest; else the
// oldest open busy_eviction_age. So connections that wait, ping or dribble
// a request cost an attacker new handshakes to hold, and an honest
// client's session is far shorter.
FrontDoorConn* eviction_victim(FrontDoorConns& conns, FrontDoorClock::time_point now, const FrontDoorLimits& limits);

// Which limit a connection has run out of, if any.
enum class Expiry { kNone, kHandshake, kWrite, kIdle };
Expiry expiry(const FrontDoorConn& c, FrontDoorClock::time_point now, const FrontDoorLimits& limits);

}  // namespace meldpunt::relay
