// How a client's retrievals and deletes travel, so that a relay operator who
// logs every connection live cannot group them (docs/PROTOCOL.md, "Retrieval
// session"; docs/THREAT_MODEL.md):
//
// - every get-message and every delete on a connection of its own, opened
//   for it and closed after it (fresh CurveZMQ key, fresh SOCKS credentials);
// - in random order, each after a random pause of 0..kMaxPause;
// - the get-messages of a session padded with decoys to kRetrievalQuantum,
//   or to the next multiple of it: decoy ids are drawn without repeats from
//   the fetch answer's id list, minus the client's own, and their envelopes
//   are discarded unopened;
// - at most kParallelConnections at a time per quantum of the session (a
//   session of 16q requests keeps up to 4q connections open, at most
//   kMaxParallelConnections), so every quantum goes at the pace of a
//   one-quantum session: an adviser's inbox of 100 messages takes about as
//   long as a reporter's check, and looks like q such sessions side by side.
//
// Deletes are not padded: the relay knows whether a token matched, so a
// decoy delete would show as one.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/common/result.hpp"
#include "meldpunt/crypto/clue.hpp"

namespace meldpunt::client {

// K: get-messages per session are a multiple of it, at least one K. The
// same for reporters and advisers, so the count does not tell which kind of
// client ran the session. 16 covers the whole conversation a reporter
// re-downloads on every check (a report, replies, and answers: typically
// fewer than 16 letters) and an adviser's new mail of a day many times over;
// each get-message is one connection, so a larger K costs every session
// more connections (through Tor about a circuit's stream set-up each).
inline constexpr std::size_t kRetrievalQuantum = 16;
inline constexpr std::size_t kParallelConnections = 4;
// Tor builds at most 32 circuits at once for a client by default
// (MaxClientCircuitsPending); more would only queue there.
inline constexpr std::size_t kMaxParallelConnections = 32;
inline constexpr std::chrono::milliseconds kMaxPause{250};

// The number of get-messages a session with `own` messages of its own sends.
std::size_t padded_retrieval_count(std::size_t own);

// How many of a session's `requests` (get-messages or deletes) may be under
// way at once: kParallelConnections per started quantum of
// kRetrievalQuantum, at most kMaxParallelConnections. One quantum (every
// reporter's check, and an adviser's inbox of up to 16 messages) keeps 4.
std::size_t parallel_connections(std::size_t requests);

// The pacing of a session: job(i) for every i below `count`, in random
// order, each after a random pause of 0..kMaxPause, on at most
// parallel_connections(count) threads at once. A job must not throw.
void spread_jobs(std::size_t count, const std::function<void(std::size_t)>& job);

// Draws min(padded_retrieval_count(own.size()) - own.size(), candidates
// outside `own`) decoys from `stored` (ascending, as decoded from a fetch
// answer) that are not in `own`, without repeats, uniformly at random.
std::vector<crypto::MessageId> draw_decoys(std::span<const crypto::MessageId> own,
                                           std::span<const crypto::MessageId> stored);

// Gets every id of `own` and the decoys drawn from `stored`, each on its own
// connection opened from `relay` (relay.open_another()), in random order
// with random pauses. The answer for own[i] is result[i]: the reply to its
// get-message, or the error (kNotFound: deleted or expired since the
// fetch). Answers to decoys are dropped unread.
std::vector<Result<protocol::Reply>> retrieve_messages(const RelayConnection& relay,
                                                       std::span<const crypto::MessageId> own,
                                                       std::span<const crypto::MessageId> stored);

struct DeleteRequest {
  crypto::MessageId id{};
  FixedBytes<32> token{};
};

// Deletes each message on its own connection, in random order with random
// pauses, parallel_connections(requests.size()) at a time. result[i] is the
// outcome of requests[i].
std::vector<Status> delete_messages(const RelayConnection& relay, std::span<const DeleteRequest> requests);

}  // namespace meldpunt::client
