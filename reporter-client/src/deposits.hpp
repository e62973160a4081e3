// The deposits a reporter makes, built so that the relay, which sees every
// deposit, learns from none of them how many advisers were chosen or what
// was answered (docs/PROTOCOL.md, "Padded deposits"): `new` and `reply`
// (prepare_report), `rotate` (prepare_rotation) and the answer to a
// hand-over proposal (prepare_handover_answer). Each prepare_* fetches the
// prekeys and calls its build_*, which does no network work and is what the
// unit tests drive.
#pragma once

#include <cstddef>
#include <vector>

#include "conversation.hpp"
#include "meldpunt/client/attachment.hpp"
#include "meldpunt/client/mailbox.hpp"
#include "meldpunt/protocol/wire.hpp"

namespace meldpunt::reporter {

// What the prekey bundle gave for the advisers some letters go to. Every
// letter to an adviser is sealed to the adviser's signed medium-term prekey
// and, while the relay has one, a one-time prekey; never to the long-term
// key alone. `use` arguments below may be null.
struct PrekeyUse {
  // Sealed without a one-time prekey (the relay had none left, or withheld
  // them): forward secrecy only once the adviser erases the medium-term key.
  std::vector<crypto::AdviserId> without_one_time;
  // No valid, unexpired medium-term prekey: nothing was prepared (the call
  // fails with kNotFound) and these advisers cannot be written to now.
  std::vector<crypto::AdviserId> without_medium;
  // As used, in the order of the advisers, for the attachment pieces (their
  // one-time prekeys cleared: each is for one envelope).
  std::vector<client::Recipient> recipients;
};

// ---- padded deposits (docs/PROTOCOL.md, "Padded deposits") ----
//
// The relay sees every deposit. So that none shows how many advisers the
// reporter chose, or what it answered, every deposit below holds a number
// of envelopes and size classes that depend only on the directory and on
// what the relay may know anyway (the length of the message, the history):
// letters to advisers are filled up with decoys (client/decoy.hpp) to
// padded_readers() of the directory, every letter is sealed in the class it
// would need if it named that many recipients, and the envelopes are
// shuffled.

// The most advisers one reporter letter names: rotate's deposit (a notice
// per adviser, the history and the move marker) must fit one request.
inline constexpr std::size_t kMaxReaders = protocol::kMaxDepositsPerRequest - 2;
static_assert(kMaxReaders == 14);
// n: the directory's adviser count, at most kMaxReaders.
std::size_t padded_readers(const crypto::Directory& directory);
// The size class of a letter of `body_bytes` when it names n recipients.
std::size_t padded_class(std::size_t n, std::size_t body_bytes);

// Envelopes for `body` to each adviser in `to` (one each, to the adviser's
// medium-term prekey and a one-time prekey where the relay had one), decoys
// for the other padded_readers() - |to|, and a sent copy to the reporter,
// all of padded_class(n, body), shuffled, ready for one deposit. kTooLarge
// if `to` names more than n advisers or the body does not fit
// max_body_bytes_with(n, files). Fetches the prekeys.
// `sent_at`: next_own_time() of the conversation (0: now, for a new one).
// `files`: announced in every letter (version 3, client::file_entry): with
// their key seeds in the advisers' letters, without in the sent copy. Every
// letter then holds the same file block, so the class stays the same for
// real letters, decoys and the copy.
Result<std::vector<client::Outgoing>> prepare_report(client::RelayConnection& relay, const crypto::ReporterKeys& keys,
                                                     const crypto::Directory& directory,
                                                     const std::vector<crypto::AdviserId>& to,
                                                     const crypto::SecretBuffer& body, std::uint64_t sent_at = 0,
                                                     PrekeyUse* use = nullptr,
                                                     const std::vector<client::FileToSend>& files = {});
// The same with the advisers' keys given: `recipients[i]` for `to[i]`.
Result<std::vector<client::Outgoing>> build_report(const crypto::ReporterKeys& keys, const crypto::Directory& directory,
                                                   const std::vector<crypto::AdviserId>& to,
                                                   const std::vector<client::Recipient>& recipients,
                                                   const crypto::SecretBuffer& body, std::uint64_t sent_at,
                                                   const std::vector<client::FileToSend>& files = {});
// The largest body of a report letter naming n recipients and announcing
// `files` (the file block takes room).
std::size_t max_body_bytes_with(std::size_t n, const std::vector<client::FileToSend>& files);

struct Rotation {
  std::vector<client::Outgoing> items;  // kind-4 letters, decoys, the kind-5 history, the marker: shuffled
  std::size_t dropped = 0;              // entries that did not fit the history letter
};

// The envelopes that move `conversation` from `old_keys` to `new_keys`: a
// kind-4 rotate letter to each current adviser, sealed by the old message key
// and carrying the new public keys, padded with decoys to padded_readers(),
// a kind-5 history letter to the new key (at most max_body_bytes(n)) and
// the move marker; every letter of padded_class(n, its body), shuffled.
// Fetches the prekeys. kNotFound if there is no conversation or an adviser
// of it is no longer in the directory.
Result<Rotation> prepare_rotation(client::RelayConnection& relay, const crypto::ReporterKeys& old_keys,
                                  const crypto::ReporterKeys& new_keys, const crypto::Directory& directory,
                                  const Conversation& conversation, PrekeyUse* use = nullptr);
// The same with the keys of each current adviser given, in the order of
// conversation.current_recipients.
Result<Rotation> build_rotation(const crypto::ReporterKeys& old_keys, const crypto::ReporterKeys& new_keys,
                                const crypto::Directory& directory, const Conversation& conversation,
                                const std::vector<client::Recipient>& recipients);

struct HandoverAnswerLetters {
  std::vector<client::Outgoing> items;  // answer to the proposer, history or decoy, own copy: shuffled
  std::vector<crypto::AdviserId> readers_after;  // who receives the next message
  std::size_t dropped = 0;  // entries that did not fit the history letter (accepting only)
};

// The history the new adviser receives on acceptance (what fits a kind-9
// letter naming n = padded_readers() advisers); `dropped` counts the
// messages left out.
protocol::History handover_history(const Conversation& conversation, std::size_t n, std::size_t& dropped);

// The envelopes that answer `pending`. Declining: a kind-8 answer to the
// proposing adviser and its copy to the reporter's own key. Accepting: the
// same, with the proposer replaced by the new adviser among the readers, plus
// a kind-9 letter giving the new adviser the conversation so far. Declining
// puts a decoy of the kind-9 letter's class in its place, so that both
// answers deposit three envelopes of the same classes (padded_class with
// n = padded_readers()), shuffled. Fetches the prekeys. kNotFound if an
// adviser left the directory.
Result<HandoverAnswerLetters> prepare_handover_answer(client::RelayConnection& relay, const crypto::ReporterKeys& keys,
                                                      const crypto::Directory& directory,
                                                      const Conversation& conversation, const PendingProposal& pending,
                                                      protocol::HandoverDecision decision, PrekeyUse* use = nullptr);
// The same with the advisers' keys given: the proposer's, then (accepting
// only) the new adviser's.
Result<HandoverAnswerLetters> build_handover_answer(const crypto::ReporterKeys& keys,
                                                    const crypto::Directory& directory,
                                                    const Conversation& conversation, const PendingProposal& pending,
                                                    protocol::HandoverDecision decision,
                                                    const std::vector<client::Recipient>& recipients);

// Total bytes of a set of envelopes (for progress).
std::size_t envelope_bytes(const std::vector<client::Outgoing>& items);

}  // namespace meldpunt::reporter
