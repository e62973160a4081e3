// The adviser's cases as plain values: what the case store keeps
// (store_records.hpp gives their bytes, case_store.hpp the tables) and what
// the case rules (case_rules.hpp) and case work (casework.hpp) reason about.
// No behaviour here beyond trivial accessors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "meldpunt/client/attachment.hpp"
#include "meldpunt/common/bytes.hpp"
#include "meldpunt/common/tagged_bytes.hpp"
#include "meldpunt/crypto/directory.hpp"
#include "meldpunt/crypto/envelope.hpp"
#include "meldpunt/crypto/keys.hpp"
#include "meldpunt/crypto/secret.hpp"
#include "meldpunt/protocol/handover.hpp"

namespace meldpunt::adviser {

inline constexpr std::size_t kCaseKeyBytes = 16;
inline constexpr std::size_t kCaseIdChars = 10;     // hex characters shown to the adviser
inline constexpr std::size_t kMinCasePrefixChars = 4;
inline constexpr std::size_t kMaxOtherAdvisers = crypto::kMaxDirectoryEntries;
// A letter's body, or one carried by a hand-over with the earlier adviser's
// name put before it.
inline constexpr std::size_t kMaxStoredBodyBytes = crypto::kMaxEnvelopePayload + 1024;
inline constexpr std::size_t kMaxNoteBytes = 64 * 1024;
// A case's private label (`label CASE TEXT`): one line, never sent.
inline constexpr std::size_t kMaxCaseLabelBytes = 120;

// The legal maxima (EU Directive 2019/1937, art. 9): acknowledge within 7
// days, feedback within 3 months. Settings may only be stricter.
inline constexpr std::uint32_t kDefaultAckDays = 7;
inline constexpr std::uint32_t kDefaultFeedbackMonths = 3;

// A case's record key: a keyed name of the reporter's message key, so the
// store does not reveal which key a case belongs to.
struct CaseKeyTag;
using CaseKey = TaggedBytes<CaseKeyTag, kCaseKeyBytes>;

// inbox creates cases as kNew; `status` and `acknowledge` move them on.
enum class CaseStatus : std::uint8_t { kNew = 1, kAcknowledged = 2, kInProgress = 3, kClosed = 4 };

// What the adviser asks for with `status CASE ...`.
enum class StatusAction : std::uint8_t { kAcknowledge, kStartWork, kClose, kReopen };

struct Settings {
  std::uint32_t ack_days = kDefaultAckDays;
  std::uint32_t feedback_months = kDefaultFeedbackMonths;
};

enum class HistoryEvent : std::uint8_t {
  kOpened = 1,
  kStatusChanged = 2,
  kReporterMoved = 3,
  kNoteAdded = 4,
  kAcknowledgementSent = 5,
  kExported = 6,
  kHandoverProposed = 7,
  kHandedOver = 8,
  kHandoverDeclined = 9,
  kReceivedByHandover = 10,
  kHandoverLapsed = 11,  // open proposals lapsed: the reporter moved to a new code
};

struct HistoryEntry {
  std::uint64_t sequence = 0;
  std::uint64_t at = 0;
  HistoryEvent event = HistoryEvent::kOpened;
  std::optional<CaseStatus> from, to;  // kStatusChanged only
};


struct NoteRecord {
  std::uint64_t sequence = 0;
  std::uint64_t written_at = 0;
  crypto::SecretBuffer text;
};

// kEarlier, kEarlierVerified: a reply an adviser wrote before the case was
// handed to us, as the reporter's client forwarded it; the body starts with a
// line "[NAME]" that our inbox wrote. kEarlierVerified: the entry carried the
// adviser's reply signature and it verified against the directory key of the
// adviser it names (protocol/reply_signature.hpp); kEarlier: it did not (no
// signature, a history from before signatures, or a forgery).
enum class Direction : std::uint8_t { kIn = 1, kOut = 2, kEarlier = 3, kEarlierVerified = 4 };
inline bool is_forwarded_reply(Direction d) { return d == Direction::kEarlier || d == Direction::kEarlierVerified; }

// The last answer the reporter gave to one of our hand-over proposals
// (protocol/handover.hpp).
enum class HandoverOutcomeState : std::uint8_t {
  kNone = 0,
  kHandedOver = 1,  // accepted: outcome adviser has the case now; closed here
  kDeclined = 2,    // declined; the case stays with us
};

// A proposal the reporter has not answered. Every one stays open until an
// answer names it: an answer given before a newer proposal reached the
// reporter must still count (the reporter may have accepted already).
inline constexpr std::size_t kMaxOpenProposals = 8;
struct OpenProposal {
  protocol::ProposalId id{};
  crypto::AdviserId to{};
  std::string to_name;  // as the directory named them at the proposal
  std::uint64_t at = 0;
};

// The group of people and kind of report an adviser files a case under, for
// the evaluation counts (`stats`): ids of the directory's signpost, chosen by
// the adviser, never taken from anything the reporter sent. Empty: not
// filed under a group (kind).
struct Filing {
  std::string group;
  std::string kind;
};

struct OtherAdviser {
  crypto::AdviserId id{};
  std::string name;  // as the directory named them when the report arrived; may be empty
};

struct CaseRecord {
  CaseKey key{};  // the record key (not part of the stored value)
  CaseStatus status = CaseStatus::kNew;
  crypto::X25519PublicKey reporter_message_pk{};
  crypto::FetchPublicKey reporter_fetch_pk{};
  std::uint64_t created_at = 0;
  std::uint64_t last_activity = 0;
  std::uint32_t unread = 0;
  std::uint64_t next_sequence = 0;  // also the number of messages in the case
  std::uint64_t acknowledged_at = 0;  // first move out of kNew to acknowledged/in-progress (0: not yet)
  std::uint64_t feedback_from = 0;    // start of the feedback clock: acknowledgement or reopen (0: none)
  std::uint64_t next_history = 0;
  std::uint64_t next_note = 0;        // also the number of notes
  std::vector<OtherAdviser> other_advisers;
  HandoverOutcomeState handover = HandoverOutcomeState::kNone;
  crypto::AdviserId handover_adviser{};  // handed to / declined for
  std::string handover_adviser_name;
  std::uint64_t handover_at = 0;          // when that answer arrived
  std::vector<OpenProposal> open_proposals;  // oldest first
  std::uint64_t received_at = 0;             // handed to us (0: no)
  crypto::AdviserId received_from{};         // the adviser who proposed it
  std::string received_from_name;

  bool handed_over() const { return handover == HandoverOutcomeState::kHandedOver; }

  std::string id() const { return to_hex(key).substr(0, kCaseIdChars); }  // shown to the adviser
};

struct MessageRecord {
  std::uint64_t sequence = 0;
  Direction direction = Direction::kIn;
  std::uint64_t sent_at = 0;    // as the sender stated it
  std::uint64_t stored_at = 0;  // when this store recorded it
  crypto::MessageId relay_id{};
  crypto::SecretBuffer body;
  // Files the message had that did not come with it (messages carried by a
  // hand-over): shown as "(file not transferred: NAME, SIZE)".
  std::vector<protocol::FileNote> files_not_transferred;
};

// A file in a case: received from the reporter (pieces arriving over one or
// more inbox runs) or sent by us.
struct AttachmentRecord {
  std::uint64_t sequence = 0;
  Direction direction = Direction::kIn;
  client::AttachmentState state = client::AttachmentState::kIncomplete;
  protocol::AttachmentFileId file_id{};
  std::uint64_t sent_at = 0;    // as the sender stated it (earliest piece)
  std::uint64_t stored_at = 0;  // when this store first recorded it
  std::uint64_t total_bytes = 0;
  std::uint16_t count = 0;
  std::uint16_t received = 0;
  crypto::FileDigest digest{};
  crypto::SecretBuffer name;  // as sent: untrusted; client::sanitise_file_name before use
};

}  // namespace meldpunt::adviser
