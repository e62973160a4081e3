#include "front_door_conn.hpp"

namespace meldpunt::relay {

FrontDoorConn* eviction_victim(FrontDoorConns& conns, FrontDoorClock::time_point now, const FrontDoorLimits& limits) {
  FrontDoorConn* handshaking = nullptr;
  FrontDoorConn* quietest = nullptr;
  FrontDoorConn* oldest = nullptr;
  for (auto& [id, c] : conns) {
    if (c.dead) continue;
    if (!c.handshaken) {
      if (now - c.accepted >= kQuietBeforeEviction && (handshaking == nullptr || c.id < handshaking->id)) {
        handshaking = &c;
      }
      continue;
    }
    if (!c.outstanding && c.parts.empty() && !c.writing() && now - c.last_activity >= kQuietBeforeEviction) {
      if (quietest == nullptr || c.last_activity < quietest->last_activity) quietest = &c;
    }
    if (now - c.accepted >= limits.busy_eviction_age && (oldest == nullptr || c.id < oldest->id)) oldest = &c;
  }
  return handshaking != nullptr ? handshaking : quietest != nullptr ? quietest : oldest;
}

Expiry expiry(const FrontDoorConn& c, FrontDoorClock::time_point now, const FrontDoorLimits& limits) {
  if (!c.handshaken && now - c.accepted > limits.handshake_timeout) return Expiry::kHandshake;
  // While a reply is being read, write-timeout governs: a slow reader of a
  // long reply is not idle.
  if (c.writing()) return now - c.out_waiting_since > limits.write_timeout ? Expiry::kWrite : Expiry::kNone;
  // Also a request never answered.
  return now - c.last_activity > limits.idle_timeout ? Expiry::kIdle : Expiry::kNone;
}

}  // namespace meldpunt::relay
