// Every sentence adviser-client says through the shared language layer
// (cli/language.hpp), in English and Dutch. Rows are keyed by what happened
// (a Say or a Tally value, an ErrorCode), never found by their words.
//
// Adding a text: a key in Say (or Tally for a sentence about a number, with
// its singular and plural) and its row in wording.cpp, in both languages;
// then say(lang, Say::kX, {args}) or tally(lang, Tally::kX, n, {args}).
// Help texts of the command line are rows in commands/help_texts.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "meldpunt/cli/language.hpp"
#include "meldpunt/common/result.hpp"

namespace meldpunt::adviser {

using cli::Lang;

enum class Say : std::size_t {
  kErrorPrefix,     // before every error on stderr
  kWarningPrefix,
  kNotePrefix,
  kInternalPrefix,
  kNoCasesYet,
  kNoCaseMatches,   // {1} = the number of cases in all
  kColCase,
  kColStatus,
  kColMessages,
  kColDue,
  kColLastActivity,
  kAcknowledgeBy,   // {1} = the day
  kFeedbackBy,
  kOverdue,
  kAttachmentsHeading,  // {1} = the case id
  kNotesHeading,
  kFromReporter,
  kFromYou,
  kHeaderCase,      // {1} id, {2} status, {3} opened, {4} messages
  kHeaderAcknowledged,  // {1} when or kNotYet, {2} due
  kNotYet,
  kPrekeysNotToppedUp,  // {1} why
  kAttachmentsStored,   // {1} pieces, {2} complete, {3} damaged part ("" or kDamagedPart)
  kDamagedPart,         // {1} damaged
  kAlertAcknowledgeOverdue,  // watch: {1} case id, {2} day
  kAlertFeedbackOverdue,     // watch: {1} case id, {2} day
  kCount
};

enum class Tally : std::size_t {
  kNewMessages,     // inbox
  kPrekeysAtRelay,  // inbox, after kNewMessages
  kUnread,          // cases: "NEW (n unread)"
  kPiecesWaiting,
  kFilesRefused,
  kPiecesRefused,  // {2} files, {3} MiB
  kPiecesExpired,
  kUnopenable,
  kMediumErased,
  kMoved,
  kReceivedByHandover,
  kHandedOver,
  kToHandedOver,
  kHandoverDeclined,
  kLettersRefused,
  kReplayed,
  kIgnored,
  kDeletePending,
  kAlertAcknowledgeDue,  // watch: {1} days, {2} case id
  kAlertFeedbackDue,     // watch: {1} days, {2} case id
  kSeconds,
  kMinutes,
  kAckWithin,
  kFeedbackWithin,
  kReplySentEnvelopes,
  kSearchNothing,
  kSearchTimes,
  kSearchFoundIn,
  kSearchPlacesListed,
  kRestoredCases,
  kCount
};

std::string say(Lang lang, Say key, std::initializer_list<std::string_view> args = {});
std::string tally(Lang lang, Tally key, std::uint64_t n, std::initializer_list<std::string_view> more = {});

// What went wrong, in `lang`, chosen by the error's kind: a relay's refusal
// by its status (refusal.hpp); in Dutch a local error by its code, with the
// program's own detail after it.
std::string describe(Lang lang, const Error& error);

// For the completeness test: the number of rows and each row's texts.
std::size_t say_rows();
cli::Text say_row(std::size_t i);
std::size_t tally_rows();
cli::Count tally_row(std::size_t i);

}  // namespace meldpunt::adviser
