// What both clients do with the relay, on top of the crypto and wire formats:
// send letters (envelope + clue + delete verifier) and collect the letters
// addressed to one fetching key.
//
// Collecting is: fetch the whole padded, re-randomised clue list; recognise
// our entries locally; download each by id; open and decode it. The relay
// learns which ids were downloaded, never by whom nor why.
#pragma once

#include <optional>
#include <vector>

#include "meldpunt/client/relay_connection.hpp"
#include "meldpunt/crypto/clue.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/protocol/letter.hpp"
#include "meldpunt/protocol/wire.hpp"

namespace meldpunt::client {

struct Recipient {
  crypto::X25519PublicKey message_pk{};
  crypto::FetchPublicKey fetch_pk{};
  std::optional<crypto::X25519PublicKey> prekey_pk;  // verified one-time prekey, if any
  std::optional<crypto::X25519PublicKey> medium_pk;  // verified, unexpired medium-term prekey (advisers)
};

// An envelope ready to deposit. Owns its bytes.
struct Outgoing {
  crypto::Clue clue{};
  FixedBytes<32> verifier{};
  Bytes envelope;
};

// Draws a fresh delete token into `letter`, encodes, seals to the recipient
// and makes the clue. The sender's key pair authenticates the letter.
// `min_size`: the envelope is at least this size class (crypto::SealRequest).
Result<Outgoing> prepare_letter(protocol::Letter& letter, const Recipient& to, const crypto::Secret<32>& sender_sk,
                                const crypto::X25519PublicKey& sender_pk, std::size_t min_size = 0);

// The relay's current policy (get-policy): proof-of-work challenge and
// difficulty, and how long it keeps messages. kTooLarge if it asks for more
// work than crypto::kMaxPowDifficulty.
Result<protocol::PolicyInfo> fetch_policy(RelayConnection& relay);

// Priced requests (deposit, fetch, get-prekeys) first ask for the policy,
// then pay the announced price with a proof of work (crypto/pow.hpp, on all
// cores up to 8), then send. When the relay answers kRateLimited (its
// challenge rotated, its price rose, its fetch queue was full, or flood
// control) they try again with a fresh policy after a growing pause (1, 2,
// 4, 8 s plus jitter; five attempts in all), telling
// ConnectionOptions::on_retry before each pause. kTooLarge if the relay
// asks for more than crypto::kMaxPowWork.

// Deposits all envelopes in one request (all-or-nothing at the relay) on a
// connection of its own (relay.open_another()),
// paying the price of all envelopes together. The policy used is copied to
// *policy_used if given (e.g. to show how long the relay keeps messages).
Result<std::vector<crypto::MessageId>> deposit_all(RelayConnection& relay, const std::vector<Outgoing>& items,
                                                   protocol::PolicyInfo* policy_used = nullptr);

// The current directory, verified against the organisation key of the
// channel address, and refused (kReplay) if its serial is below the
// address's minimum serial.
Result<crypto::Directory> fetch_directory(RelayConnection& relay, const protocol::ChannelAddress& address);

// One bundle entry per adviser (the relay hands out one of every adviser's
// pool on each request, whatever the reporter chooses): a one-time prekey
// while the pool lasts and the adviser's medium-term prekey. Prekeys whose
// signature does not verify against the directory are dropped, and so is a
// medium-term prekey that expired before `today` (days since 1970-01-01 by
// this machine's clock); an entry left with neither is dropped. Priced
// (proof of work, crypto/pow.hpp).
Result<std::vector<protocol::BundleEntry>> fetch_prekeys(RelayConnection& relay, const crypto::Directory& directory,
                                                         std::uint32_t today);

struct ReceivedLetter {
  crypto::MessageId id{};
  crypto::X25519PublicKey sender_pk{};
  std::optional<crypto::X25519PublicKey> prekey_pk;
  protocol::Letter letter;
};

struct Mailbox {
  std::vector<ReceivedLetter> letters;
  std::size_t unreadable = 0;  // recognised but failed to open (damaged, or prekey secret gone)
  // One-time prekeys of envelopes that opened but held no valid letter: no
  // later run can do better with them, so their secrets go too.
  std::vector<crypto::X25519PublicKey> spent_prekeys;
};

struct MailboxKeys {
  const crypto::Secret<32>* fetch_sk = nullptr;
  const crypto::Secret<32>* message_sk = nullptr;
  crypto::X25519PublicKey message_pk{};
  crypto::PrekeyLookups prekeys;  // empty for reporters
};

// One fetch answer: the re-randomised entries and the stored ids (for decoys).
struct FetchAnswer {
  std::vector<crypto::FetchEntry> entries;
  std::vector<crypto::MessageId> stored;
};

// The fetch (priced; the wait for the answer grows with the stored messages
// the policy announces), on a connection of its own, closed before anything
// else is asked.
Result<FetchAnswer> fetch_answer(RelayConnection& relay);

// Recognises this key's entries in `answer` and downloads and opens them:
// the retrieval session of retrieval.hpp (each get-message alone on a
// connection, padded with decoys, random order and pauses).
Result<Mailbox> read_mailbox(RelayConnection& relay, const FetchAnswer& answer, const MailboxKeys& keys);

// fetch_answer, then read_mailbox.
Result<Mailbox> collect_mailbox(RelayConnection& relay, const MailboxKeys& keys);

// Asks the relay to delete a message (the token came inside its letter), on
// a connection of its own. Several: delete_messages (retrieval.hpp).
Status delete_message(RelayConnection& relay, const crypto::MessageId& id, const FixedBytes<32>& token);

}  // namespace meldpunt::client
