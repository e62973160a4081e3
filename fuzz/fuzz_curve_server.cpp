// relay::CurveServerSession (relay/src/curve_server.hpp), the relay's own
// end of ZMTP 3.1 + CurveZMQ, on what a client may send. The first input
// byte chooses the mode:
//
//   bit 0 clear, raw: the rest of the input goes into a fresh session as it
//     is, in chunks of 1 + (byte >> 1) bytes (1..128);
//   bit 0 set, sealed: the test client (tests/support/curve_test_client)
//     makes a real handshake with the fixed server key pair, then the rest
//     is cut into pieces (u16 LE length || bytes, fuzz_common.hpp). With
//     bit 1 set, the first piece is INITIATE's metadata, sent byte for byte
//     (so the metadata parser sees what the fuzzer makes, inside a box that
//     opens); bits 2-3 choose a broken INITIATE (a vouch for another server
//     key, a vouch by another client key, a box that does not open), which
//     must be refused.
//     A piece's first byte says what to do with the rest of it (kPiece*
//     below): seal it as a part (with the more or command flag), or splice
//     it in raw, replay a nonce, flip the MAC, give the frame in two
//     halves, or let the client read what the server sent.
//
// Checked beyond "no crash": consumed never exceeds the input; needed()
// never asks for bytes it has nor beyond the limits (a command before the
// handshake, a MESSAGE frame after); no part is larger than
// max_part_bytes; after kError nothing more happens; output() never holds
// more than the greeting, WELCOME, READY and one PONG, in whole frames that
// the client reads back (sealed mode). In sealed mode, while nothing
// was spliced or broken, every part sealed within the limit arrives exactly,
// and a part over the limit, a replayed nonce or a flipped MAC is refused.
#include <algorithm>
#include <cstdlib>
#include <optional>
#include <span>
#include <string_view>

#include "curve_server.hpp"
#include "curve_test_client.hpp"
#include "fuzz_common.hpp"
#include "meldpunt/crypto/identity.hpp"

namespace {

using namespace meldpunt;
using relay::CurveServerSession;
using Event = CurveServerSession::Event;
using test_support::CurveTestClient;

// Small enough that a piece (at most 65535 bytes) can pass it.
constexpr std::size_t kMaxPart = 4096;
constexpr std::size_t kMaxCommand = 4096;

constexpr std::uint8_t kPieceMore = 0x01;      // the part is not the last
constexpr std::uint8_t kPieceCommand = 0x02;   // a command inside the box (PING)
constexpr std::uint8_t kPieceRaw = 0x04;       // the bytes go in as they are
constexpr std::uint8_t kPieceRead = 0x08;      // first the client reads and empties output()
constexpr std::uint8_t kPieceReplay = 0x10;    // sealed with the last nonce again
constexpr std::uint8_t kPieceBadMac = 0x20;    // one MAC byte flipped
constexpr std::uint8_t kPieceHalves = 0x40;    // the frame is given in two halves
constexpr std::uint8_t kPieceLongSize = 0x80;  // a long size header even for a short body

// The most output() may hold: greeting, WELCOME, READY (with at most 64
// bytes of metadata) and one PONG (a PING's context is at most 16 bytes).
constexpr std::size_t kMaxOutput = relay::kZmtpGreetingBytes + (2 + 168) + (2 + 6 + 8 + 16 + 64) +
                                   (2 + relay::kCurveMessageOverhead + 5 + 16);

void check(bool ok) {
  if (!ok) std::abort();
}

const crypto::X25519KeyPair& server_keys() {
  static const crypto::X25519KeyPair keys = crypto::X25519KeyPair::from_secret(fuzz::fixed_secret<32>(0x90));
  return keys;
}

CurveServerSession::Limits limits() {
  CurveServerSession::Limits l;
  l.max_part_bytes = kMaxPart;
  l.max_command_bytes = kMaxCommand;
  return l;
}

// A session, the bytes it holds unconsumed, and the contract of next()
// checked at every step.
struct Door {
  CurveServerSession session{server_keys().sk, server_keys().pk, limits()};
  Bytes pending;
  bool failed = false;
  std::vector<Bytes> parts;
  std::vector<bool> mores;

  // Gives the session `bytes` and runs it until it needs more or fails.
  void feed(ByteView bytes) {
    if (failed) return;
    append(pending, bytes);
    for (;;) {
      const CurveServerSession::Step step = session.next(pending);
      check(step.consumed <= pending.size());
      pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(step.consumed));
      check(session.output().size() <= kMaxOutput);
      if (step.event == Event::kError) {
        check(!session.error().empty());
        failed = true;
        // A failed session stays failed, whatever comes.
        const CurveServerSession::Step again = session.next(pending);
        check(again.event == Event::kError && again.consumed == 0 && !session.ready());
        return;
      }
      if (step.event == Event::kNeedMore) {
        check(session.needed() > pending.size());
        const std::size_t bound = session.ready()
                                      ? kMaxPart + relay::kCurveMessageOverhead + relay::kZmtpLongHeader
                                      : std::max(relay::kZmtpGreetingBytes, kMaxCommand + relay::kZmtpLongHeader);
        check(session.needed() <= bound);
        return;
      }
      if (step.event == Event::kPart) {
        check(session.ready() && session.part().size() <= kMaxPart);
        parts.emplace_back(session.part().begin(), session.part().end());
        mores.push_back(session.part_more());
      }
      check(step.consumed > 0);  // a part or READY comes from a whole frame
    }
  }
};

void raw_mode(std::size_t chunk, ByteView stream) {
  Door door;
  for (std::size_t at = 0; at < stream.size() && !door.failed; at += chunk) {
    door.feed(stream.subspan(at, std::min(chunk, stream.size() - at)));
  }
  // Whatever the session sent is its greeting, then whole command frames
  // (WELCOME opens only for the HELLO's own key, which the input chose).
  const Bytes& out = door.session.output();
  check(out.size() >= relay::kZmtpGreetingBytes && out[0] == 0xFF && out[9] == 0x7F);
  std::size_t at = relay::kZmtpGreetingBytes;
  while (at < out.size()) {
    check(out[at] == test_support::kZmtpCommand && at + 2 <= out.size());
    at += 2 + out[at + 1];
  }
  check(at == out.size());
}

// Whether metadata names the Socket-Type at all (a necessary condition of
// being accepted, whatever else the session checks).
bool names_socket_type(ByteView metadata) {
  static constexpr std::string_view kName = "\x0bSocket-Type";
  return std::search(metadata.begin(), metadata.end(), kName.begin(), kName.end()) != metadata.end();
}

void sealed_mode(std::uint8_t selector, ByteView rest) {
  std::vector<ByteView> pieces = fuzz::split_frames(rest.data(), rest.size());
  test_support::CurveClientFaults faults;
  std::size_t first = 0;
  if ((selector & 0x02) != 0 && !pieces.empty()) {
    faults.metadata = Bytes(pieces[0].begin(), pieces[0].end());
    first = 1;
  }
  const int broken = (selector >> 2) & 3;
  faults.vouch_wrong_server_key = broken == 1;
  faults.vouch_wrong_client_key = broken == 2;
  faults.corrupt_initiate_box = broken == 3;

  Door door;
  CurveTestClient client(server_keys().pk.bytes, fuzz::fixed_secret<32>(0xA0), fuzz::fixed_secret<32>(0xB0), faults);
  Bytes hello = client.greeting();
  append(hello, client.hello());
  door.feed(hello);
  check(!door.failed && client.receive(door.session.output()) && client.welcomed());
  door.session.output().clear();
  door.feed(client.initiate());
  if (broken != 0 || (faults.metadata && !names_socket_type(*faults.metadata))) check(door.failed);
  if (door.failed) {
    check(door.session.output().empty() && !door.session.ready());
    return;
  }
  check(door.session.ready() && client.receive(door.session.output()) && client.ready());
  door.session.output().clear();

  bool clean = true;  // nothing spliced or broken so far: the oracle holds
  for (const ByteView piece : std::span(pieces).subspan(first)) {
    if (door.failed) break;
    const std::uint8_t control = piece.empty() ? 0 : piece[0];
    const ByteView data = piece.empty() ? piece : piece.subspan(1);
    if ((control & kPieceRead) != 0) {
      check(client.receive(door.session.output()));
      door.session.output().clear();
    }
    if ((control & kPieceRaw) != 0) {
      door.feed(data);
      clean = false;
      continue;
    }
    const bool command = (control & kPieceCommand) != 0, more = (control & kPieceMore) != 0;
    if ((control & kPieceReplay) != 0) client.set_next_nonce(client.next_nonce() - 1);
    const auto box_flags = static_cast<std::uint8_t>((more ? test_support::kBoxMore : 0) |
                                                     (command ? test_support::kBoxCommand : 0));
    Bytes frame = test_support::zmtp_frame(0, client.message_body(data, box_flags), (control & kPieceLongSize) != 0);
    if ((control & kPieceBadMac) != 0) test_support::corrupt_message_mac(frame);
    const std::size_t parts_before = door.parts.size();
    if ((control & kPieceHalves) != 0) {
      door.feed(ByteView(frame).first(frame.size() / 2));
      door.feed(ByteView(frame).subspan(frame.size() / 2));
    } else {
      door.feed(frame);
    }
    if (!clean) continue;
    if ((control & (kPieceReplay | kPieceBadMac)) != 0 || data.size() > kMaxPart) {
      check(door.failed && door.parts.size() == parts_before);
    } else if (command) {
      check(door.parts.size() == parts_before);  // a PING is answered, anything else refused
    } else {
      check(!door.failed && door.parts.size() == parts_before + 1);
      check(door.mores.back() == more && door.parts.back().size() == data.size() &&
            std::equal(data.begin(), data.end(), door.parts.back().begin()));
    }
    check(door.pending.empty() || door.failed);
  }
  // The PONGs (and nothing else) read back in the client.
  check(client.receive(door.session.output()));
  for (const CurveTestClient::Part& p : client.parts()) check(p.command && p.data.size() >= 5);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const ByteView rest(data + 1, size - 1);
  if ((data[0] & 1) == 0) {
    raw_mode(1 + (data[0] >> 1), rest);
  } else {
    sealed_mode(data[0], rest);
  }
  return 0;
}
