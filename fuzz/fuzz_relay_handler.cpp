// The relay's RequestHandler::handle on a real LMDB store in a temporary
// folder, with a directory of one adviser published (so get-prekeys and
// upload-prekeys reach their checks). Valid deposits are committed like the
// server does. Invariants: every request gets a well-formed reply, and
// `check()` of the store stays clean however hostile the requests are.
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "fuzz_common.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "request_handler.hpp"

namespace {

using namespace meldpunt;

struct Relay {
  std::filesystem::path folder;
  std::unique_ptr<store::RelayStore> store;
  std::unique_ptr<relay::RequestHandler> handler;
  std::uint64_t runs = 0;

  Relay() {
    const auto& keys = fuzz::FixedKeys::get();
    folder = std::filesystem::temp_directory_path() / ("meldpunt-fuzz-relay-" + std::to_string(getpid()));
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder);
    store::RelayStoreOptions options;
    options.durable = false;   // no fsync per input; durability is tested elsewhere
    options.max_messages = 256;  // bounds the cost of a fetch (two scalar multiplications per message)
    store = std::make_unique<store::RelayStore>(folder, options);
    relay::RelayPolicy policy;
    policy.fetch_threads = 1;
    policy.pricing.pow_difficulty = 0;  // deposits without proof of work reach validation and the store
    handler = std::make_unique<relay::RequestHandler>(*store, keys.org.pk, policy);
    handler->today = [] { return 20000u; };
    handler->seconds_now = [] { return std::uint64_t{1000}; };

    crypto::DirectoryEntry entry;
    entry.id.fill(0xAD);
    entry.name = "Fuzz Adviser";
    entry.sign_pk = keys.adviser_sign.pk;
    entry.message_pk = keys.adviser_message.pk;
    entry.fetch_pk = keys.reporter.fetch_pk;
    crypto::Directory directory;
    directory.org_sign_pk = keys.org.pk;
    directory.serial = 1;
    directory.entries.push_back(entry);
    auto signed_directory = crypto::sign_directory(directory, keys.org);
    if (!signed_directory || !store->put_directory(*signed_directory)) std::abort();
  }
  ~Relay() {
    handler.reset();
    store.reset();
    std::error_code ignored;
    std::filesystem::remove_all(folder, ignored);
  }
};

Relay& relay_instance() {
  static Relay relay;
  return relay;
}

void check_reply(const protocol::Frames& reply) {
  std::vector<ByteView> views(reply.begin(), reply.end());
  auto parsed = protocol::parse_reply(views);
  if (!parsed) std::abort();  // the relay must always answer in its own format
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Relay& relay = relay_instance();
  const std::vector<ByteView> frames = fuzz::split_frames(data, size);
  relay::RequestHandler::Outcome outcome = relay.handler->handle(frames);
  if (outcome.deposit) {
    const relay::PreparedDeposit deposits[] = {std::move(*outcome.deposit)};
    const Status committed = relay.handler->commit_deposits(deposits).front();  // one status per deposit
    check_reply(committed ? relay::RequestHandler::deposit_reply(deposits[0])
                          : protocol::make_error_reply(committed.error().code, committed.error().message));
  } else {
    check_reply(outcome.reply);
  }
  // A full check scans the store: do it now and then, not on every input.
  if (++relay.runs % 512 == 0 && !relay.store->check().empty()) std::abort();
  return 0;
}
