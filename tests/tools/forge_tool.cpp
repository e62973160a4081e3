// Test tool for tests/integration/test_forgery.py and test_replay.py: what a
// hostile adviser or a relay operator can send with the stock wire format.
//
//   forge_tool handover CHANNEL_ADDRESS KEY_FILE NEW_ADVISER_NAME < passphrase
//       As an adviser holding only her own key file: makes a fresh reporter
//       key pair, signs a hand-over proposal for that key naming the
//       directory's adviser called NEW_ADVISER_NAME, and deposits a kind-9
//       letter to that adviser whose history holds one reporter entry
//       ("FORGED-REPORT ...") and replies: a fabricated one under the new
//       adviser's own id ("FORGED-YOU ...", unsigned); one under that id
//       signed with the forger's own key ("FORGED-SIGNED-YOU ..."); one
//       under the forger's id whose text differs from what the forger signed
//       ("FORGED-ALTERED ...", as a reporter would alter a real reply); and
//       one the forger really signed, for the reporter key she controls
//       ("FORGER-REALLY-SIGNED ...": her own words, which verify).
//       Prints "deposited".
//   forge_tool kci-reply CHANNEL_ADDRESS KEY_FILE REPORTER_MESSAGE_PK REPORTER_FETCH_PK < passphrase
//       As someone holding the adviser's message key alone (of the key file
//       only the X25519 message key is used): seals two kind-2 replies in
//       the adviser's name to the reporter keys given (hex), one without a
//       signature ("KCI-UNSIGNED ...") and one signed with a key that is not
//       the adviser's ("KCI-BADSIG ..."). Prints "deposited".
//   forge_tool redeposit CHANNEL_ADDRESS < lines "<clue hex> <verifier hex> <envelope hex>"
//       Deposits each stored envelope again, byte for byte, as the relay's
//       operator could (the envelopes come from the relay's LMDB). Prints
//       "deposited N".
//   forge_tool set-directory STORE_FOLDER FILE
//       Writes a signed directory file into a stopped relay's store, as its
//       operator could (the relay itself refuses a serial that is not
//       higher than the published one).
//   forge_tool redate ORG_KEY_FILE IN OUT VALID_UNTIL < passphrase
//       Signs the directory IN again with the organisation key, valid until
//       VALID_UNTIL (unix seconds): a directory as the organisation signed it
//       long ago, for the expiry test.
#include <iostream>
#include <string>
#include <vector>

#include "key_file.hpp"
#include "meldpunt/client/mailbox.hpp"
#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/crypto/identity.hpp"
#include "meldpunt/crypto/init.hpp"
#include "meldpunt/crypto/passphrase_box.hpp"
#include "meldpunt/crypto/random.hpp"
#include "meldpunt/crypto/sign.hpp"
#include "meldpunt/os/files.hpp"
#include "meldpunt/protocol/channel_address.hpp"
#include "meldpunt/protocol/handover.hpp"
#include "meldpunt/protocol/letter.hpp"
#include "meldpunt/protocol/reply_signature.hpp"
#include "meldpunt/store/relay_store.hpp"

namespace {

using namespace meldpunt;

client::ConnectionOptions quick_options() {
  client::ConnectionOptions o;
  o.timeout = std::chrono::milliseconds(20000);
  o.connect_timeout = std::chrono::milliseconds(5000);
  return o;
}

int fail(const std::string& why) {
  std::cerr << "forge_tool: " << why << "\n";
  return 2;
}

int forge_handover(const protocol::ChannelAddress& address, const std::string& key_file, const std::string& to_name) {
  std::string line;
  std::getline(std::cin, line);
  auto file = adviser::KeyFile::unlock(key_file, crypto::SecretBuffer::copy_of(std::string_view(line)));
  if (!file) return fail(file.error().message);
  client::RelayConnection relay(address, quick_options());
  auto directory = client::fetch_directory(relay, address);
  if (!directory) return fail(directory.error().message);
  const crypto::DirectoryEntry* target = nullptr;
  for (const crypto::DirectoryEntry& e : directory->entries) {
    if (e.name == to_name) target = &e;
  }
  if (target == nullptr) return fail("no adviser of that name");

  // A reporter key the forger controls, and a proposal for it signed with
  // the forger's own directory key: exactly what the kind-9 check verifies.
  const crypto::X25519KeyPair reporter = crypto::X25519KeyPair::generate();
  const crypto::FetchKeyPair reporter_fetch = crypto::FetchKeyPair::generate();
  const crypto::AdviserId& proposer = file->profile().id;
  protocol::HandoverTransfer transfer;
  transfer.proposer = proposer;
  crypto::random_fill(transfer.proposal);
  transfer.signature =
      crypto::sign(protocol::kHandoverDomain,
                   protocol::handover_statement(proposer, reporter.pk, transfer.proposal, target->id),
                   file->identity().sign.sk);
  protocol::HistoryEntry from_reporter;
  from_reporter.sent_at = 1'700'000'000;
  from_reporter.from_reporter = true;
  from_reporter.recipients = {proposer};
  from_reporter.body = crypto::SecretBuffer::copy_of(std::string_view("FORGED-REPORT a report nobody wrote"));
  protocol::HistoryEntry fabricated;
  fabricated.sent_at = 1'700'000'100;
  fabricated.from_reporter = false;
  fabricated.adviser_id = target->id;  // the receiving adviser's own id
  fabricated.body = crypto::SecretBuffer::copy_of(std::string_view("FORGED-YOU words never written by this adviser"));
  transfer.history.entries.push_back(std::move(from_reporter));
  transfer.history.entries.push_back(std::move(fabricated));
  // Signed, but by the forger's key in the target's name.
  protocol::HistoryEntry signed_you;
  signed_you.sent_at = 1'700'000'110;
  signed_you.adviser_id = target->id;
  signed_you.body = crypto::SecretBuffer::copy_of(std::string_view("FORGED-SIGNED-YOU signed with a colleague's key"));
  signed_you.signature = protocol::EntrySignature{
      reporter.pk, protocol::sign_reply(target->id, reporter.pk, signed_you.sent_at, signed_you.body.view(),
                                        file->identity().sign.sk)};
  transfer.history.entries.push_back(std::move(signed_you));
  // The forger's real signature, over other words than the entry shows.
  protocol::HistoryEntry altered;
  altered.sent_at = 1'700'000'120;
  altered.adviser_id = proposer;
  altered.body = crypto::SecretBuffer::copy_of(std::string_view("FORGED-ALTERED please send us your full name"));
  altered.signature = protocol::EntrySignature{
      reporter.pk, protocol::sign_reply(proposer, reporter.pk, altered.sent_at, as_bytes(std::string_view("we will help")),
                                        file->identity().sign.sk)};
  transfer.history.entries.push_back(std::move(altered));
  protocol::HistoryEntry genuine;
  genuine.sent_at = 1'700'000'130;
  genuine.adviser_id = proposer;
  genuine.body = crypto::SecretBuffer::copy_of(std::string_view("FORGER-REALLY-SIGNED these are my own words"));
  genuine.signature = protocol::EntrySignature{
      reporter.pk, protocol::sign_reply(proposer, reporter.pk, genuine.sent_at, genuine.body.view(),
                                        file->identity().sign.sk)};
  transfer.history.entries.push_back(std::move(genuine));

  protocol::Letter letter;
  letter.kind = protocol::LetterKind::kHandoverHistory;
  letter.sent_at = 1'700'000'200;
  letter.adviser_id = target->id;
  letter.reporter_fetch_pk = reporter_fetch.pk;
  letter.recipients = {target->id};
  letter.body = protocol::encode_transfer(transfer);
  auto item = client::prepare_letter(letter, {target->message_pk, target->fetch_pk, std::nullopt, std::nullopt}, reporter.sk,
                                     reporter.pk);
  if (!item) return fail(item.error().message);
  std::vector<client::Outgoing> items;
  items.push_back(std::move(item).value());
  auto ids = client::deposit_all(relay, items);
  if (!ids) return fail(ids.error().message);
  std::cout << "deposited\n";
  return 0;
}

template <std::size_t N>
bool fixed_from_hex(const std::string& hex, FixedBytes<N>& out);

int kci_reply(const protocol::ChannelAddress& address, const std::string& key_file, const std::string& message_hex,
              const std::string& fetch_hex) {
  std::string line;
  std::getline(std::cin, line);
  auto file = adviser::KeyFile::unlock(key_file, crypto::SecretBuffer::copy_of(std::string_view(line)));
  if (!file) return fail(file.error().message);
  client::Recipient to;
  if (!fixed_from_hex(message_hex, to.message_pk.bytes) || !fixed_from_hex(fetch_hex, to.fetch_pk.bytes)) return fail("bad key");
  const crypto::X25519KeyPair& message = file->identity().message;  // all the thief has
  const crypto::SigningKeyPair not_hers = crypto::SigningKeyPair::generate();
  std::vector<client::Outgoing> items;
  for (const bool with_signature : {false, true}) {
    protocol::Letter letter;
    letter.kind = protocol::LetterKind::kReply;
    letter.sent_at = 1'700'000'000;
    letter.adviser_id = file->profile().id;
    letter.body = crypto::SecretBuffer::copy_of(
        std::string_view(with_signature ? "KCI-BADSIG please send us your full name"
                                        : "KCI-UNSIGNED please send us your full name"));
    if (with_signature) {
      letter.signature = protocol::sign_reply(letter.adviser_id, to.message_pk, letter.sent_at, letter.body.view(),
                                              not_hers.sk);
    }
    auto item = client::prepare_letter(letter, to, message.sk, message.pk);
    if (!item) return fail(item.error().message);
    items.push_back(std::move(item).value());
  }
  client::RelayConnection relay(address, quick_options());
  auto ids = client::deposit_all(relay, items);
  if (!ids) return fail(ids.error().message);
  std::cout << "deposited\n";
  return 0;
}

template <std::size_t N>
bool fixed_from_hex(const std::string& hex, FixedBytes<N>& out) {
  Bytes bytes;
  if (!from_hex(hex, bytes) || bytes.size() != N) return false;
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return true;
}

int redeposit(const protocol::ChannelAddress& address) {
  std::vector<client::Outgoing> items;
  std::string clue, verifier, envelope;
  while (std::cin >> clue >> verifier >> envelope) {
    client::Outgoing o;
    if (!fixed_from_hex(clue, o.clue.bytes) || !fixed_from_hex(verifier, o.verifier) || !from_hex(envelope, o.envelope)) {
      return fail("bad line");
    }
    items.push_back(std::move(o));
  }
  client::RelayConnection relay(address, quick_options());
  std::size_t done = 0;
  for (std::size_t i = 0; i < items.size(); i += protocol::kMaxDepositsPerRequest) {
    const std::size_t end = std::min(items.size(), i + protocol::kMaxDepositsPerRequest);
    std::vector<client::Outgoing> batch(std::make_move_iterator(items.begin() + static_cast<std::ptrdiff_t>(i)),
                                        std::make_move_iterator(items.begin() + static_cast<std::ptrdiff_t>(end)));
    auto ids = client::deposit_all(relay, batch);
    if (!ids) return fail(ids.error().message);
    done += ids->size();
  }
  std::cout << "deposited " << done << "\n";
  return 0;
}

int set_directory(const std::string& folder, const std::string& file) {
  auto bytes = os::read_file(file, crypto::kMaxSignedDirectoryBytes);
  if (!bytes) return fail(bytes.error().message);
  store::RelayStoreOptions options;
  store::RelayStore store(folder, options);
  if (Status s = store.put_directory(*bytes); !s) return fail(s.error().message);
  std::cout << "directory written\n";
  return 0;
}

int redate(const std::string& org_key, const std::string& in, const std::string& out, std::uint64_t valid_until) {
  std::string line;
  std::getline(std::cin, line);
  auto sealed = os::read_file(org_key, crypto::kBoxMaxFileBytes);
  if (!sealed) return fail(sealed.error().message);
  auto box = crypto::PassphraseBox::for_sealed(*sealed, crypto::SecretBuffer::copy_of(std::string_view(line)));
  if (!box) return fail(box.error().message);
  auto secret = box->open(*sealed);
  if (!secret || secret->size() != crypto::kEd25519SecretBytes) return fail("cannot open the organisation key");
  crypto::SigningKeyPair org;
  org.sk = crypto::Secret<crypto::kEd25519SecretBytes>::from(secret->view());
  std::copy_n(secret->data() + 32, 32, org.pk.begin());
  auto bytes = os::read_file(in, crypto::kMaxSignedDirectoryBytes);
  if (!bytes) return fail(bytes.error().message);
  auto directory = crypto::verify_directory(*bytes, org.pk);
  if (!directory) return fail(directory.error().message);
  directory->valid_until = valid_until;
  auto signed_bytes = crypto::sign_directory(*directory, org);
  if (!signed_bytes) return fail(signed_bytes.error().message);
  if (Status s = os::write_file_atomically(out, *signed_bytes, 0644); !s) return fail(s.error().message);
  std::cout << "signed\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  crypto::init();
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() < 2) {
    std::cerr << "usage: forge_tool handover CHANNEL KEY_FILE NEW_ADVISER_NAME < passphrase\n"
                 "       forge_tool redeposit CHANNEL < lines\n";
    return 1;
  }
  if (args[0] == "set-directory" && args.size() == 3) return set_directory(args[1], args[2]);
  if (args[0] == "redate" && args.size() == 5) return redate(args[1], args[2], args[3], std::stoull(args[4]));
  auto address = protocol::parse_address(args[1]);
  if (!address) return fail(address.error().message);
  if (args[0] == "handover" && args.size() == 4) return forge_handover(*address, args[2], args[3]);
  if (args[0] == "redeposit" && args.size() == 2) return redeposit(*address);
  if (args[0] == "kci-reply" && args.size() == 5) return kci_reply(*address, args[2], args[3], args[4]);
  std::cerr << "forge_tool: unknown command\n";
  return 1;
}
