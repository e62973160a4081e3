#include "usecases/handover.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "inbox.hpp"
#include "text.hpp"
#include "usecases/relay_directory.hpp"

namespace meldpunt::adviser::usecase {

Result<crypto::DirectoryEntry> find_adviser(const crypto::Directory& directory, const std::string& wanted) {
  std::string lowered = wanted;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char ch) { return std::tolower(ch); });
  const bool hex = lowered.size() >= 4 && lowered.find_first_not_of("0123456789abcdef") == std::string::npos;
  std::vector<const crypto::DirectoryEntry*> matches;
  for (const crypto::DirectoryEntry& e : directory.entries) {
    std::string name = e.name;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (name == lowered || (hex && to_hex(e.id).rfind(lowered, 0) == 0)) matches.push_back(&e);
  }
  if (matches.size() == 1) return *matches.front();
  std::string listing;
  for (const crypto::DirectoryEntry& e : directory.entries) {
    listing += "\n  " + to_hex(e.id) + "  " + terminal_safe_label(e.name) + " (" +
               std::string(crypto::role_keyword(e.role)) + ")";
  }
  return Error{ErrorCode::kNotFound, std::string(matches.empty() ? "no adviser in the directory matches --to "
                                                                 : "several advisers match --to ") +
                                         terminal_safe_label(wanted.substr(0, 64)) + "; the directory lists:" +
                                         listing + "\nNothing was sent."};
}

Result<HandoverProposed> hand_over_case(const protocol::ChannelAddress& address,
                                        const client::ConnectionOptions& options, const KeyFile& key_file,
                                        CaseStore& store, std::string_view case_id, const std::string& to,
                                        const SecretSource& note, const Clock& clock) {
  auto record = store.find_case(case_id);
  if (!record) return record.error();
  const CaseRecord& c = *record;
  if (c.handed_over()) {
    return Error{ErrorCode::kMalformed, "case " + c.id() + " was handed over to " +
                                            terminal_safe_label(c.handover_adviser_name) + " already. Nothing was sent."};
  }
  crypto::SecretBuffer note_text;
  if (note) {
    auto written = note();
    if (!written) return written.error();
    note_text = std::move(written).value();
  }

  client::RelayConnection relay(address, options);
  auto directory = verified_directory(relay, address, store, clock());
  if (!directory) return directory.error();
  auto target = find_adviser(*directory, to);
  if (!target) return target.error();
  if (target->id == key_file.profile().id) return Error{ErrorCode::kMalformed, "--to names you; nothing was sent"};
  auto proposed = adviser::propose_handover(relay, key_file, store, c, *target, note_text);
  if (!proposed) return proposed.error();
  const bool earlier_open = !c.open_proposals.empty();
  return HandoverProposed{std::move(record).value(), std::move(target).value(), earlier_open};
}

}  // namespace meldpunt::adviser::usecase
