// What adviser-client's commands say about what they did (every command,
// the shell, watch and its notifiers, the attachment lists) and the errors
// they find themselves, in English and Dutch. The
// same scheme as wording.hpp: rows keyed by a Tell value, in enum order, both
// languages in each row; numbers with a singular and plural are Tally rows
// (wording.hpp).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

#include "wording.hpp"

namespace meldpunt::adviser {

enum class Tell : std::size_t {
  kPassphrasePrompt,
  kReadingPassphrase,
  kExportPassphrasePrompt,
  kNewPassphrase,
  kForKeyFile,
  kForExport,
  kNothingCreated,
  kNothingWritten,
  kNothingSent,
  kNothingSaved,
  kWhatReply,
  kWhatNote,
  kWhatAcknowledgement,
  kWhatHandoverNote,
  kTextTooLong,
  kTextEmpty,
  kTextNotUtf8,
  kNoIdentity,
  kNoChannel,
  kOldChannelForm,
  kChannelNotStored,
  kChannelStored,
  kChannelChanged,
  kRelayBusy,
  kRelayUnreachable,
  kCaseChanged,
  kHistOpened,
  kHistStatus,
  kHistMoved,
  kHistNote,
  kHistAckSent,
  kHistExported,
  kHistHandoverProposed,
  kHistHandedOver,
  kHistHandoverDeclined,
  kHistReceivedByHandover,
  kHistHandoverLapsed,
  kHistUnknown,
  kSettingsSaved,
  kStatsHeading,
  kStatsSuppressed,
  kStatsByMonth,
  kStatsNone,
  kStatsByStatus,
  kStatsByGroup,
  kStatsByKind,
  kStatsMedian,
  kStatsMedianValue,
  kStatsMedianHidden,
  kAttachmentsOnly,
  kReplySent,
  kReplyAcknowledged,
  kReplyLeftNew,
  kAckQuestion,
  kAnswerYesNo,
  kAckSent,
  kLabelGive,
  kLabelPrompt,
  kLabelRemoved,
  kLabelNone,
  kLabelled,
  kRelabelled,
  kReadLabel,
  kSearchBad,
  kSearchPrompt,
  kNothingGiven,
  kSearchCase,
  kPlaceLabel,
  kPlaceNote,
  kPlaceMessage,
  kFromEarlierAdviser,
  kSearchMoreNotListed,
  kSearchReadOne,
  kExported,
  kExportedPlain,
  kNoteSaved,
  kNotesHeader,
  kUnfiled,
  kFiled,
  kFileGive,
  kShellNeedsTerminal,
  kShellUnlocked,
  kShellLockedIdle,
  kShellLocked,
  kShellLockedDetail,
  kShellLockedWhileRunning,
  kShellCommandEnded,
  kShellLockedAfterCommand,
  kShellCancelled,
  kShellAbnormalEnd,
  kShellCannotStart,
  kShellUnclosedQuote,
  kShellAlreadyIn,
  kShellKeyChanged,
  kShellNotUnlocked,
  kShellNoLineEditing,
  kShellHelp,
  kForBackup,
  kNothingChanged,
  kBackupPassphrasePrompt,
  kAlsoWroteTo,
  kAdviserById,
  kNotInDirectory,
  kWroteToYouOnly,
  kHandedToYou,
  kHandedOverTo,
  kDeclinedHandoverTo,
  kProposedHandoverTo,
  kNoteHeading,
  kEarlierVerified,
  kEarlierUnverified,
  kFileNotTransferred,
  kInitDone,             // {1} home, {2} name, {3} role, {4} adviser id, {5} card file, {6} card
  kChannelForgotten,
  kChannelNoneKept,
  kChannelCannotRemove,  // {1} file, {2} why
  kChannelNotKept,       // {1} home
  kPassphraseChanged,    // {1} key file
  kBackupWritten,        // {1} file, {2} bytes
  kRestoredChecking,     // {1} home
  kHandoverProposed,     // {1} case, {2} adviser's name, {3} role
  kHandoverEarlierOpen,
  kSaveNoFolder,         // {1} folder
  kAttachmentSaveHint,   // {1} case, {2} number
  kAttachmentSaved,      // {1} path
  kAttIntact,
  kAttIncomplete,        // {1} pieces received, {2} of
  kAttDamaged,
  kAttUnknown,
  kAttFromReporter,
  kAttSentByYou,
  kAttDetails,           // {1} number, {2} name, {3} direction, {4} sent, {5} size, {6} bytes, {7} {8} pieces, {9} state
  kAttChecksum,          // {1} BLAKE2b-256 in hex
  kRefusedInCase,        // {1} case
  kWatchStartOnce,       // {1} endpoint, {2} notifiers
  kWatchStartEvery,      // {1} endpoint, {2} interval, {3} notifiers
  kWatchThroughDesktop,
  kWatchThroughCommand,
  kWatchThroughEmail,
  kWatchThroughOutput,
  kWatchAgainNextRun,
  kWatchAgainIn,         // {1} "15 minutes"
  kWatchRetry,           // {1} what failed, {2} when again
  kWatchFetchFailed,     // {1} why, {2} when again
  kWatchNoAnswer,        // {1} endpoint
  kWatchNotifyFailed,    // {1} which notifier and why
  kWatchStopped,
  kNotifyDesktopFailed,  // {1} why
  kNotifyCommandFailed,  // {1} why
  kNotifyMailFailed,     // {1} sendmail, {2} why
  kNotifyNoPipe,         // {1} system error
  kNotifyCannotRun,      // {1} program, {2} system error
  kNotifyTooSlow,        // {1} seconds
  kNotifyExited,         // {1} exit status
  kNotifySignal,         // {1} signal number
  kNotifyLost,           // {1} program
  kMailAddressBad,
  kRepeatPassphrase,
  kShellPromptLocked,
  kCount
};

std::string tell(Lang lang, Tell key, std::initializer_list<std::string_view> args = {});

// For the completeness test.
std::size_t tell_rows();
cli::Text tell_row(std::size_t i);

}  // namespace meldpunt::adviser
