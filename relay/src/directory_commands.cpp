#include "directory_commands.hpp"

#include <chrono>
#include <iostream>

#include "command_support.hpp"
#include "coverage_report.hpp"
#include "key_commands.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/client/text.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/os/files.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "signpost_file.hpp"

namespace meldpunt::relay {
namespace {

// A card given as text (possibly pasted with line breaks) rather than a file.
bool is_card_text(const std::string& arg) {
  const std::size_t start = arg.find_first_not_of(" \t\r\n");
  return start != std::string::npos && arg.compare(start, 8, "mpcard1.") == 0;
}

// The card text; crypto::parse_card ignores whitespace, so a file written by
// `adviser-client card > anna.card` or saved from an e-mail is used as it is.
Result<std::string> read_card_argument(const std::string& arg) {
  if (is_card_text(arg)) return arg;
  auto content = os::read_file(arg, 64 * 1024);
  if (!content) return content.error();
  return std::string(content->begin(), content->end());
}

// The draft directory from adviser cards and, when given, the signpost file.
Result<crypto::Directory> draft_directory(const std::vector<std::string>& cards, const std::filesystem::path& signpost) {
  crypto::Directory directory;
  for (const std::string& arg : cards) {
    auto text = read_card_argument(arg);
    if (!text) return text.error();
    auto entry = crypto::parse_card(*text);
    // Named by its file, never by echoing what was pasted.
    const std::string label = is_card_text(arg) ? "given as text" : client::terminal_safe_label(arg);
    if (!entry) return Error{entry.error().code, "adviser card " + label + ": " + entry.error().message};
    directory.entries.push_back(std::move(entry).value());
  }
  if (!signpost.empty()) {
    auto content = os::read_file(signpost, relay::kMaxSignpostFileBytes);
    if (!content) return content.error();
    const std::string text(content->begin(), content->end());
    if (Status s = relay::apply_signpost_file(text, directory); !s) return s.error();
  }
  return directory;
}

}  // namespace

int cmd_directory_sign(const std::filesystem::path& org_key, const std::vector<std::string>& cards,
                       const std::filesystem::path& signpost, std::uint64_t serial, std::uint32_t valid_days,
                       const std::filesystem::path& out) {
  auto draft = draft_directory(cards, signpost);
  if (!draft) return fail(draft.error());
  crypto::Directory& directory = *draft;
  directory.serial = serial;
  // Clients refuse the directory after this: a relay cannot serve an old
  // one (listing an adviser removed since) for longer.
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  directory.valid_until = static_cast<std::uint64_t>(now) + std::uint64_t{valid_days} * 86400;
  auto org = unlock_org_key(org_key);
  if (!org) return fail(org.error());
  directory.org_sign_pk = org->pk;
  auto signed_bytes = crypto::sign_directory(directory, *org);
  if (!signed_bytes) return fail(signed_bytes.error());
  if (Status s = os::write_file_atomically(out, *signed_bytes, 0644); !s) return fail(s.error());
  std::cout << "Signed directory (serial " << serial << ", " << directory.entries.size() << " advisers, valid for "
            << valid_days << " days) written to " << out.string() << "\n"
            << "Clients refuse it after that: sign and publish a new one before then (`relay status` warns "
               "21 days ahead).\n";
  for (const crypto::DirectoryEntry& e : directory.entries) {
    std::cout << "  " << to_hex(e.id) << "  " << crypto::role_keyword(e.role) << "  "
              << client::terminal_safe_label(e.name) << "\n";
  }
  if (directory.has_signpost()) {
    const relay::CoverageReport report = relay::coverage_report(directory);
    std::cout << "Signpost: " << directory.groups.size() << " groups, " << directory.kinds.size() << " kinds; "
              << report.gaps.size() << " combinations nobody covers (`relay directory check` lists them).\n";
  }
  return 0;
}

// The coverage of a draft (cards and signpost file) or of a signed directory
// (checked against the organisation's public key, a key or a .pub file).
int cmd_directory_check(const std::vector<std::string>& cards, const std::filesystem::path& signpost,
                        const std::filesystem::path& file, const std::string& org_public) {
  if (file.empty() && cards.empty()) {
    return fail(Error{ErrorCode::kMalformed, "give the draft's --adviser cards (and --signpost), or --file with --org-public"});
  }
  Result<crypto::Directory> directory = Error{ErrorCode::kMalformed, "nothing to check"};
  if (!file.empty()) {
    std::string key_text = org_public;
    if (std::filesystem::is_regular_file(org_public)) {
      auto content = os::read_file(org_public, 1024);
      if (!content) return fail(content.error());
      key_text.assign(content->begin(), content->end());
      while (!key_text.empty() && (key_text.back() == '\n' || key_text.back() == '\r')) key_text.pop_back();
    }
    auto org = parse_public_key(key_text, "--org-public");
    if (!org) return fail(org.error());
    auto bytes = os::read_file(file, crypto::kMaxSignedDirectoryBytes);
    if (!bytes) return fail(bytes.error());
    directory = crypto::verify_directory(*bytes, *org);
    if (!directory) return fail(Error{directory.error().code, "not a directory signed by this organisation key: " +
                                                                  directory.error().message});
    std::cout << "Signed directory serial " << directory->serial << " with " << directory->entries.size()
              << " advisers.\n";
  } else {
    directory = draft_directory(cards, signpost);
    if (!directory) return fail(directory.error());
    std::cout << "Draft directory with " << directory->entries.size() << " advisers (not signed).\n";
  }
  const relay::CoverageReport report = relay::coverage_report(*directory);
  std::cout << relay::render_coverage(*directory, report);
  return report.gaps.empty() ? 0 : kExitGaps;
}

int cmd_directory_publish(const std::string& channel, const std::filesystem::path& file) {
  auto address = protocol::parse_address(channel);
  if (!address) return fail(address.error());
  auto bytes = os::read_file(file, crypto::kMaxSignedDirectoryBytes);
  if (!bytes) return fail(bytes.error());
  auto directory = crypto::verify_directory(*bytes, address->org_sign_pk);
  if (!directory) return fail(Error{directory.error().code, "not a directory signed by this channel's organisation key: " + directory.error().message});
  // Clients holding this address would refuse it.
  if (Status fresh = protocol::check_min_serial(*address, directory->serial); !fresh) return fail(fresh.error());
  client::RelayConnection connection(*address, client::ConnectionOptions{});
  auto reply = connection.call(protocol::make_publish_directory_request(*bytes));
  if (!reply) return fail(reply.error());
  std::cout << "Published directory serial " << directory->serial << " with " << directory->entries.size()
            << " advisers.\n";
  return 0;
}

}  // namespace meldpunt::relay
