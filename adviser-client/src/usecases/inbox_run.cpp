#include "usecases/inbox_run.hpp"

#include "usecases/relay_directory.hpp"

namespace meldpunt::adviser::usecase {

Result<InboxSummary> run_inbox(const protocol::ChannelAddress& address, const client::ConnectionOptions& options,
                               KeyFile& key_file, CaseStore& store, std::uint64_t now) {
  client::RelayConnection relay(address, options);
  auto directory = verified_directory(relay, address, store, now);
  if (!directory) return directory.error();
  return sync_inbox(relay, *directory, key_file, store);
}

Result<CaseList> list_cases(const CaseStore& store) {
  auto cases = store.list_cases();
  if (!cases) return cases.error();
  auto settings = store.settings();
  if (!settings) return settings.error();
  return CaseList{std::move(cases).value(), *settings};
}

}  // namespace meldpunt::adviser::usecase
