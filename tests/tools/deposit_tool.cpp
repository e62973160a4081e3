// Test tool for tests/integration/test_crash_consistency.py.
//
//   deposit_tool deposit CHANNEL_ADDRESS COUNT
//       Deposits COUNT envelopes one by one through client::deposit_all (so
//       with the proof of work the relay asks for). Each envelope is random
//       bytes of the smallest class with a valid clue; after each
//       acknowledgement it prints "<id hex> <tag hex>" (tag = envelope bytes
//       1..33) and flushes. Stops at the first failure (the relay was
//       killed): exit 3, with the reason on stderr.
//   deposit_tool get CHANNEL_ADDRESS < lines "<id hex> <tag hex>"
//       Fetches every id with get-message and prints "present N missing M
//       wrong M"; exit 0 only if all are present with the right tag.
//   deposit_tool fill CHANNEL_ADDRESS REFUSALS
//       For tests/integration/test_full_disk.py: deposits envelopes of the
//       largest size class until the relay has refused REFUSALS of them,
//       then of the next smaller class likewise, down to the smallest (so
//       a disk is filled to its last pages). Prints "ok <id hex> <tag hex>"
//       per acknowledgement and "refused <status> <relay's text>" per
//       refusal, and flushes each line. At most 4000 deposits in all.
//   deposit_tool get-prekeys CHANNEL_ADDRESS COUNT
//       COUNT get-prekeys calls on one connection (through
//       client::fetch_prekeys, so with whatever the relay asks for them), as
//       a client draining the one-time prekeys would; prints
//       "calls N one_time T medium M" (one-time prekeys received in all, and
//       advisers with a medium-term prekey in the last answer).
//   deposit_tool replay CHANNEL_ADDRESS < lines "<clue hex> <verifier hex> <envelope hex>"
//       Deposits each triple again as it was stored (a relay, or anyone with
//       a copy of its data, replaying stored messages); prints "replayed N".
//   deposit_tool check-store STORE_FOLDER
//       Opens the relay's LMDB store (relay stopped) and prints
//       "messages N" and every problem RelayStore::check() finds; exit 1 if
//       there is one.
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "meldpunt/client/mailbox.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/identity.hpp"
#include "meldpunt/crypto/init.hpp"
#include "meldpunt/crypto/random.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "meldpunt/store/relay_store.hpp"

namespace {

using namespace meldpunt;

constexpr std::size_t kTagOffset = 1, kTagBytes = 32;

client::ConnectionOptions quick_options() {
  client::ConnectionOptions o;
  o.timeout = std::chrono::milliseconds(5000);
  o.connect_timeout = std::chrono::milliseconds(5000);
  return o;
}

Result<protocol::ChannelAddress> address_of(const std::string& text) { return protocol::parse_address(text); }

// One envelope of random bytes of `size` with a valid clue, deposited.
// Its id and tag line ("<id hex> <tag hex>"), or the relay's (or the
// connection's) error.
Result<std::string> deposit_one(client::RelayConnection& relay, const crypto::FetchPublicKey& recipient,
                                std::size_t size) {
  client::Outgoing item;
  auto clue = crypto::make_clue(recipient);
  if (!clue) return clue.error();
  item.clue = *clue;
  crypto::random_fill(item.verifier);
  item.envelope.resize(size);
  crypto::random_fill(item.envelope);
  item.envelope[0] = crypto::kEnvelopeVersion;
  auto ids = client::deposit_all(relay, {item});
  if (!ids) return ids.error();
  if (ids->size() != 1) {
    return Error{ErrorCode::kMalformed, "relay acknowledged " + std::to_string(ids->size()) + " ids for one envelope"};
  }
  return to_hex(ids->front()) + " " + to_hex(ByteView(item.envelope).subspan(kTagOffset, kTagBytes));
}

int deposit(const protocol::ChannelAddress& address, std::size_t count) {
  client::RelayConnection relay(address, quick_options());
  const crypto::FetchPublicKey recipient = crypto::FetchKeyPair::generate().pk;
  for (std::size_t i = 0; i < count; ++i) {
    auto line = deposit_one(relay, recipient, crypto::kEnvelopeSizes[0]);
    if (!line) {
      std::cerr << "deposit_tool: stopped after " << i << ": " << line.error().message << "\n";
      return 3;
    }
    std::cout << *line << std::endl;
  }
  return 0;
}

int fill(const protocol::ChannelAddress& address, std::size_t refusals) {
  constexpr std::size_t kMaxDeposits = 4000;
  client::RelayConnection relay(address, quick_options());
  const crypto::FetchPublicKey recipient = crypto::FetchKeyPair::generate().pk;
  std::size_t deposits = 0;
  for (auto size = crypto::kEnvelopeSizes.rbegin(); size != crypto::kEnvelopeSizes.rend(); ++size) {
    for (std::size_t refused = 0; refused < refusals && deposits < kMaxDeposits; ++deposits) {
      auto line = deposit_one(relay, recipient, *size);
      if (line) {
        std::cout << "ok " << *line << std::endl;
        continue;
      }
      if (!line.error().from_relay) {
        std::cerr << "deposit_tool: " << line.error().message << "\n";
        return 2;
      }
      refused++;
      std::cout << "refused " << static_cast<unsigned>(line.error().code) << " " << line.error().message << std::endl;
    }
  }
  return 0;
}

int get(const protocol::ChannelAddress& address) {
  client::RelayConnection relay(address, quick_options());
  std::size_t present = 0, missing = 0, wrong = 0;
  std::string id_hex, tag_hex;
  while (std::cin >> id_hex >> tag_hex) {
    Bytes id_bytes, tag;
    crypto::MessageId id{};
    if (!from_hex(id_hex, id_bytes) || id_bytes.size() != id.size() || !from_hex(tag_hex, tag)) {
      std::cerr << "deposit_tool: bad input line\n";
      return 2;
    }
    std::copy(id_bytes.begin(), id_bytes.end(), id.begin());
    auto reply = relay.call(protocol::make_get_message_request(id));
    if (!reply) {
      if (reply.error().code != ErrorCode::kNotFound) {
        std::cerr << "deposit_tool: " << reply.error().message << "\n";
        return 2;
      }
      missing++;
      continue;
    }
    const Bytes& envelope = reply->fields.at(0);
    const bool same = envelope.size() >= kTagOffset + kTagBytes &&
                      std::equal(tag.begin(), tag.end(), envelope.begin() + kTagOffset);
    (same ? present : wrong)++;
  }
  std::cout << "present " << present << " missing " << missing << " wrong " << wrong << std::endl;
  return missing == 0 && wrong == 0 ? 0 : 1;
}

int get_prekeys(const protocol::ChannelAddress& address, std::size_t count) {
  client::RelayConnection relay(address, quick_options());
  auto directory = client::fetch_directory(relay, address);
  if (!directory) {
    std::cerr << "deposit_tool: " << directory.error().message << "\n";
    return 2;
  }
  const auto today = static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() /
      86400);
  std::size_t one_time = 0, medium = 0;
  for (std::size_t i = 0; i < count; ++i) {
    auto bundle = client::fetch_prekeys(relay, *directory, today);
    if (!bundle) {
      std::cerr << "deposit_tool: call " << i << ": " << bundle.error().message << "\n";
      return 3;
    }
    medium = 0;
    for (const protocol::BundleEntry& e : *bundle) {
      if (e.prekey) one_time++;
      if (e.medium) medium++;
    }
  }
  std::cout << "calls " << count << " one_time " << one_time << " medium " << medium << std::endl;
  return 0;
}

int replay(const protocol::ChannelAddress& address) {
  client::RelayConnection relay(address, quick_options());
  std::size_t replayed = 0;
  std::string clue_hex, verifier_hex, envelope_hex;
  while (std::cin >> clue_hex >> verifier_hex >> envelope_hex) {
    Bytes clue, verifier;
    client::Outgoing item;
    if (!from_hex(clue_hex, clue) || clue.size() != item.clue.size() || !from_hex(verifier_hex, verifier) ||
        verifier.size() != item.verifier.size() || !from_hex(envelope_hex, item.envelope)) {
      std::cerr << "deposit_tool: bad input line\n";
      return 2;
    }
    std::copy(clue.begin(), clue.end(), item.clue.begin());
    std::copy(verifier.begin(), verifier.end(), item.verifier.begin());
    auto ids = client::deposit_all(relay, {item});
    if (!ids) {
      std::cerr << "deposit_tool: replay refused: " << ids.error().message << "\n";
      return 3;
    }
    replayed++;
  }
  std::cout << "replayed " << replayed << std::endl;
  return 0;
}

int check_store(const std::string& folder) {
  store::RelayStoreOptions options;
  options.max_map_bytes = 64ull << 30;
  store::RelayStore store(folder, options);
  std::cout << "messages " << store.stats().messages << std::endl;
  const auto problems = store.check();
  for (const std::string& p : problems) std::cout << "problem " << p << "\n";
  return problems.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  crypto::init();
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() == 3 && args[0] == "deposit") {
      auto address = address_of(args[1]);
      if (!address) return std::cerr << address.error().message << "\n", 2;
      return deposit(*address, std::stoul(args[2]));
    }
    if (args.size() == 2 && args[0] == "get") {
      auto address = address_of(args[1]);
      if (!address) return std::cerr << address.error().message << "\n", 2;
      return get(*address);
    }
    if (args.size() == 3 && args[0] == "fill") {
      auto address = address_of(args[1]);
      if (!address) return std::cerr << address.error().message << "\n", 2;
      return fill(*address, std::stoul(args[2]));
    }
    if (args.size() == 3 && args[0] == "get-prekeys") {
      auto address = address_of(args[1]);
      if (!address) return std::cerr << address.error().message << "\n", 2;
      return get_prekeys(*address, std::stoul(args[2]));
    }
    if (args.size() == 2 && args[0] == "replay") {
      auto address = address_of(args[1]);
      if (!address) return std::cerr << address.error().message << "\n", 2;
      return replay(*address);
    }
    if (args.size() == 2 && args[0] == "check-store") return check_store(args[1]);
  } catch (const std::exception& e) {
    std::cerr << "deposit_tool: " << e.what() << "\n";
    return 2;
  }
  std::cerr << "usage: deposit_tool deposit CHANNEL COUNT | fill CHANNEL REFUSALS | get CHANNEL < ids | "
               "get-prekeys CHANNEL COUNT | replay CHANNEL < triples | check-store STORE_FOLDER\n";
  return 1;
}
