// Every text the reporter sees, in English and Dutch, in one table, so no
// sentence can exist in one language only (a unit test checks that every key
// has both, with the same placeholders).
//
// Placeholders are {1}, {2}, ... filled by format(). Texts never contain the
// reporter's code or message; those are written separately.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "meldpunt/cli/language.hpp"
#include "meldpunt/crypto/directory.hpp"

namespace meldpunt::reporter {

using Lang = cli::Lang;

enum class Msg : std::size_t {
  // command line
  kAppDescription,
  kCmdNew,
  kCmdCheck,
  kCmdReply,
  kCmdRotate,
  kOptChannel,
  kOptChannelFile,
  kOptLang,
  kOptProxy,
  kOptTimeout,
  kOptTo,
  kOptExclude,
  kOptFile,
  kOptNoEditor,
  kOptKeepOld,
  // directory and choice
  kDirectoryHeading,
  kChoosePrompt,
  kChooseHint,
  kNoSuchAdviser,
  kNoAdviserLeft,
  kTooManyAdvisers,
  kDirectoryEmpty,
  kReadersHeading,
  kReadersNotHeading,
  kReadersRelayCannot,
  kAdviserNoLongerListed,
  // the signpost: guided choice before the list (choose_advisers.cpp)
  kSignpostPrivate,
  kSignpostWhere,
  kSignpostWhat,
  kSignpostPrompt,
  kSignpostNotAChoice,
  kSignpostMatchHeading,
  kSignpostNoMatch,
  kSignpostOthersHeading,
  kSignpostReasonFor,
  kSignpostReasonEveryone,
  kSignpostReasonAbout,
  kSignpostReasonAnything,
  // message input
  kTypeMessage,
  kEditorOpening,
  kEditorUnavailable,
  kMessageEmpty,
  kMessageTooLong,
  kMessageEmptyAgain,
  kMessageFileUnreadable,
  // the code
  kCodeHeading,
  kCodeAdvice,
  kCodeLost,
  kCodeWrittenDown,
  kCodeConfirmPrompt,
  kCodeConfirmRotatePrompt,
  kCodeNotThisOne,
  kCodeNotConfirmed,
  kCodePrompt,
  kCodeCurrentPrompt,
  kCodeTryAgain,
  kCodeWrongLength,
  kCodeBadCharacter,
  kCodeBadCharacterSomewhere,
  kCodeTypoInGroup,
  kCodeTypo,
  kCodeTooManyTries,
  // progress
  kProgressDerive,
  kProgressConnect,
  kNoProxyNote,
  kProgressFetch,
  kProgressDone,
  kProgressFailed,
  kRelayBusyRetry,
  kProgressPrekeys,
  kProgressPolicy,
  // keeping what was typed when sending fails; Ctrl-C
  kKeptRetryPrompt,
  kKeptNewCodePrompt,
  kKeptMaybeSentPrompt,
  kInterruptStopped,
  kKeptGivenUp,
  kInterruptNothingSent,
  kInterruptAfterSent,
  kInterruptStopping,
  kInterruptForced,
  kInterruptNotSent,
  kInterruptTooLate,
  // new / reply
  kSentReport,
  kSentReportCheckLater,
  kSentMessage,
  kNoConversation,
  // check
  kNoMessages,
  kEntryYouTo,
  kNewMarker,
  kNoNewReplies,
  kHistoryTruncated,
  kRetention,
  // rotate
  kRotateIntro,
  kRotateDone,
  kRotatePending,
  kRotateOldKept,
  kRotateOldKeptAttachments,
  kRotateSameCode,
  kRotateSaveFirst,
  kRotateContinuePrompt,
  kRotateNotMoved,
  kMovedNotice,
  kMovedRefused,
  // who can read, and hand-over
  kWhoCanRead,
  kWhoNext,
  kWhoEarlier,
  kWhoNobodyElse,
  kEntryProposal,
  kEntryAccepted,
  kEntryDeclined,
  kHandoverExplain,
  kHandoverPrompt,
  kHandoverUnclear,
  kHandoverLater,
  kHandoverAccepted,
  kHandoverDeclined,
  kHandoverFilesStay,
  kEntryUnsigned,
  kEntryFileStayed,
  // errors
  kErrorPrefix,
  kErrUnreachable,
  kErrNotAuthentic,
  kErrDirectory,
  // a refusal by the relay, one per status it sends (refusal.hpp)
  kErrRelayMalformed,
  kErrRelayUnknownOperation,
  kErrRelayTooLarge,
  kErrRelayNotFound,
  kErrRelayUnauthorised,
  kErrRelayStorageFull,
  kErrRelayInternal,
  kErrRelayReplay,
  kErrRelayVersion,
  kErrRelayBusy,
  kErrRelayUnknownStatus,
  kErrNotEnoughMemory,
  kErrBadAddress,
  kErrBadProxy,
  kErrAddressMistyped,
  kChannelPrompt,
  kChannelPromptMore,
  kChannelNoneGiven,
  kChannelTwoSources,
  kChannelFileUnreadable,
  kChannelOldFormat,
  kErrOldDirectory,  // rollback: an older or expired adviser directory (client/directory_check.hpp)
  // attachments
  kOptAttach,
  kOptAttachAsk,
  kOptSaveAttachments,
  kAttachTooMany,
  kAttachUnreadable,
  kAttachRelayRefuses,
  kAttachEmpty,
  kAttachTooLarge,
  kAttachListed,
  kAttachSentLine,
  kAttachLeftBehind,
  kAttachLeftBehindNoDays,
  kAttachReceivedNotLocked,
  kAttachNotLockable,
  kAttachHeading,
  kAttachSentByYou,
  kAttachFromAdviser,
  kAttachIntact,
  kAttachIncomplete,
  kAttachCorrupt,
  kAttachSaveHint,
  kAttachNoneToSave,
  kAttachSaveWarning,
  kAttachSaved,
  kAttachNotSaved,
  kAttachSaveFailed,
  // attachments asked for at a prompt (--attach-ask)
  kAttachAskIntro,
  kAttachAskLargest,
  kAttachAskLargestMemory,
  kAttachAskPrompt,
  kAttachAskFullPrompt,
  kAttachAskAdded,
  kAttachAskUnreadable,
  kAttachAskEmpty,
  kAttachAskTooLarge,
  kAttachAskNotLockable,
  kAttachAskDuplicate,
  kAttachAskTooMany,
  kAttachAskTooLong,
  kAttachAskControl,
  kAttachAskAgain,
  kAttachAskGaveUp,
  kAttachAskPipedRefused,
  kAttachAskAlreadyFull,
  // why a file cannot be attached, without its name (the {2} of
  // kAttachUnreadable and kAttachAskUnreadable, and kAttachAskPipedRefused)
  kAttachReasonNotFound,
  kAttachReasonNotRegular,
  kAttachReasonNoPermission,
  kAttachReasonChanged,
  kAttachReasonSystem,
  kAttachReasonOther,
  kAttachReasonEmpty,
  kAttachReasonTooLarge,
  kAttachReasonNotLockable,
  kAttachReasonDuplicate,
  kAttachReasonTooLong,
  kAttachReasonControl,
  kAttachReasonFull,
  // roles
  kRoleInternal,
  kRoleExternal,
  kRoleCommittee,
  kRoleIntegrity,
  // prekeys: forward secrecy of what is sent
  kNoOneTimePrekey,
  kNoMediumPrekey,
  kCount
};

// Sentences about a number, each with its singular and plural in both
// languages (cli::Count): the number is {1}, further arguments {2}, ...
enum class Counted : std::size_t {
  kNewReplies,          // check, reply: replies since the reporter's last message
  kUnverified,          // check: letters that could not be verified
  kSendingEnvelopes,    // progress: {2} = their size
  kDeletingOld,         // rotate progress
  kOldDeleted,          // rotate
  kOldDeleteFailed,     // rotate
  kAttachPiecesIgnored, // check
  kHandoverDropped,     // hand-over: older messages that do not fit
  kRotateDropped,       // rotate: oldest messages left out of the copy
  kCount
};

struct CountEntry {
  Counted key;
  cli::Count forms;
};

// The whole count table, in Counted order (for the completeness test).
const CountEntry* count_table(std::size_t& count);

// The sentence for `n` in `lang`, in its singular or plural form.
std::string count_text(Lang lang, Counted key, std::uint64_t n, std::initializer_list<std::string_view> more = {});

struct TextEntry {
  Msg key;
  std::string_view en;
  std::string_view nl;
};

// The whole table, in Msg order (for the completeness test).
const TextEntry* text_table(std::size_t& count);

std::string_view text(Lang lang, Msg key);
// text() with {1}, {2}, ... replaced by args in order.
std::string format(Lang lang, Msg key, std::initializer_list<std::string_view> args);

// An error's detail (the program's or the relay's own English words) as a
// text's {1}: " (detail)" in English; nothing in Dutch, where the sentence
// alone says what happened and what to do (`--lang en` shows the detail).
std::string english_detail(Lang lang, std::string_view detail);

// nl* in the first non-empty of LC_ALL, LC_MESSAGES, LANG (the POSIX order)
// -> Dutch; anything else (including unset) -> English.
Lang language_from_locale(const char* lc_all, const char* lc_messages, const char* lang);
Lang language_from_environment();

std::string_view role_text(Lang lang, crypto::Role role);

}  // namespace meldpunt::reporter
