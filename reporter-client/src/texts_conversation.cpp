// reporter-client texts, English and Dutch: The code, progress, sending, check, rotate and hand-over.
// One part of the table texts.cpp assembles (texts.hpp).
#include "texts_parts.hpp"

namespace meldpunt::reporter::texts_detail {
namespace {

using M = Msg;

constexpr TextEntry kPart[] = {
    // ---- the code ----
    {M::kCodeHeading, "\nYour code (shown only this once):\n\n    ", "\nJe code (wordt alleen deze ene keer getoond):\n\n    "},
    {M::kCodeAdvice,
     "\n\nWrite it down on paper and keep it somewhere only you can reach. Do not save it on this\n"
     "computer or photograph it with a work phone. With this code, and only with it, you read replies\n"
     "and continue the conversation. Close this window when you are done.\n",
     "\n\nSchrijf hem op papier en bewaar hem waar alleen jij erbij kunt. Sla hem niet op deze computer op\n"
     "en maak er geen foto van met een telefoon van je werk. Met deze code, en alleen daarmee, lees je\n"
     "antwoorden en zet je het gesprek voort. Sluit dit venster als je klaar bent.\n"},
    {M::kCodeLost,
     "If you lose the code, nobody can recover it: not your advisers, not the relay's administrator,\n"
     "not the makers of this program. No copy of it exists anywhere. You can then only start again with\n"
     "`new` (you may mention that you reported before, without details that identify you).\n",
     "Als je de code kwijtraakt, kan niemand hem terughalen: je adviseurs niet, de beheerder van de server\n"
     "niet, en de makers van dit programma niet. Er bestaat nergens een kopie van. Je kunt dan alleen\n"
     "opnieuw beginnen met `new` (je mag vermelden dat je eerder meldde, zonder details die jou herkenbaar maken).\n"},
    {M::kCodeWrittenDown,
     "When you have written the code down, press Enter. The screen is then cleared, so that the code\n"
     "does not stay visible, and you type it back. ",
     "Druk op Enter als je de code hebt opgeschreven. Het scherm wordt dan gewist, zodat de code niet\n"
     "zichtbaar blijft, en je typt hem over. "},
    {M::kCodeConfirmPrompt,
     "Type your code to confirm that you have it. Only after that is your message sent, to: {1}.\n"
     "The code itself is never sent to anyone.\nConfirm the code: ",
     "Typ je code over om te bevestigen dat je hem hebt. Pas daarna wordt je bericht verstuurd, naar: {1}.\n"
     "De code zelf wordt nooit naar iemand gestuurd.\nBevestig de code: "},
    {M::kCodeConfirmRotatePrompt,
     "Type your new code to confirm that you have it. Only after that does the conversation move to it\n"
     "and are {1} told. The code itself is never sent to anyone.\nConfirm the new code: ",
     "Typ je nieuwe code over om te bevestigen dat je hem hebt. Pas daarna gaat het gesprek erheen\n"
     "en krijgt {1} bericht. De code zelf wordt nooit naar iemand gestuurd.\nBevestig de nieuwe code: "},
    {M::kCodeNotThisOne, "That is a valid code, but not this one.", "Dat is een geldige code, maar niet deze."},
    {M::kCodeNotConfirmed, "The code was not confirmed; nothing was sent.",
     "De code is niet bevestigd; er is niets verstuurd."},
    {M::kCodePrompt, "Your code: ", "Je code: "},
    {M::kCodeCurrentPrompt, "Your current code: ", "Je huidige code: "},
    {M::kCodeTryAgain, "Try again (nothing has been sent).\n", "Probeer het opnieuw (er is niets verstuurd).\n"},
    {M::kCodeWrongLength,
     "That does not have the length of a code: a code has 24 characters in six groups of four.",
     "Dat heeft niet de lengte van een code: een code heeft 24 tekens in zes groepjes van vier."},
    {M::kCodeBadCharacter, "Group {1} contains a character that codes never use (for example U or a symbol).",
     "Groepje {1} bevat een teken dat nooit in codes voorkomt (bijvoorbeeld U of een leesteken)."},
    {M::kCodeBadCharacterSomewhere, "The code contains a character that codes never use.",
     "De code bevat een teken dat nooit in codes voorkomt."},
    {M::kCodeTypoInGroup, "There is a typo in the code, most likely in group {1}.",
     "Er zit een tikfout in de code, waarschijnlijk in groepje {1}."},
    {M::kCodeTypo, "There is a typo in the code (more than one character is wrong, or two are swapped).",
     "Er zit een tikfout in de code (meer dan een teken is fout, of er zijn er twee verwisseld)."},
    {M::kCodeTooManyTries, "The code was not accepted; nothing was sent.",
     "De code is niet geaccepteerd; er is niets verstuurd."},

    // ---- progress ----
    {M::kProgressDerive, "Deriving your keys from the code (takes about a second)",
     "Je sleutels worden uit de code afgeleid (duurt ongeveer een seconde)"},
    {M::kProgressConnect, "Connecting to the relay{1}", "Verbinden met de server{1}"},
    {M::kNoProxyNote,
     "Without --proxy the relay sees this computer's internet address, and that address ties together everything "
     "this run sends. With Tor: --proxy socks5h://127.0.0.1:9050 (see the reporter guide).\n",
     "Zonder --proxy ziet de server het internetadres van deze computer, en dat adres verbindt alles wat deze keer "
     "verstuurd wordt. Met Tor: --proxy socks5h://127.0.0.1:9050 (zie de handleiding voor melders).\n"},
    {M::kProgressFetch, "Looking for your messages", "Je berichten worden gezocht"},
    {M::kProgressDone, " done", " klaar"},
    {M::kProgressFailed, " failed", " mislukt"},
    {M::kRelayBusyRetry, "\nThe relay is busy; trying again in {1} s (attempt {2} of {3}). Nothing is lost meanwhile.\n",
     "\nDe server is druk; nieuwe poging over {1} s (poging {2} van {3}). Er gaat intussen niets verloren.\n"},
    {M::kProgressPrekeys, "Fetching your advisers' one-time keys from the relay",
     "De eenmalige sleutels van je adviseurs bij de server ophalen"},
    {M::kProgressPolicy, "Asking the relay which files it accepts", "De server vragen welke bestanden hij aanneemt"},

    // ---- keeping what was typed; Ctrl-C ----
    {M::kKeptRetryPrompt,
     "Nothing was sent. Your message and its attachments, if any, are still held in this program's locked\n"
     "memory (never on disk). "
     "Try sending again? [y/n] ",
     "Er is niets verstuurd. Je bericht en eventuele bijlagen staan nog in het afgeschermde geheugen van dit\n"
     "programma (nooit op schijf). Opnieuw proberen te versturen? [j/n] "},
    {M::kKeptNewCodePrompt,
     "Your message and its attachments, if any, are still held in locked memory. Show a new code and try "
     "again? [y/n] ",
     "Je bericht en eventuele bijlagen staan nog in het afgeschermde geheugen. Een nieuwe code tonen en "
     "opnieuw proberen? [j/n] "},
    {M::kKeptMaybeSentPrompt,
     "The relay did not confirm your message: it may have arrived or not. Run `check` with your code to see\n"
     "before sending it again. Your message is still held in locked memory. Send it again anyway? It goes\n"
     "exactly as before, so if the first one did arrive, your advisers still see it only once. [y/n] ",
     "De server heeft je bericht niet bevestigd: het kan zijn aangekomen of niet. Kijk met `check` en je code\n"
     "voordat je het opnieuw verstuurt. Je bericht staat nog in het afgeschermde geheugen. Toch opnieuw\n"
     "versturen? Het gaat precies zoals de eerste keer, dus kwam dat toch aan, dan zien je adviseurs het nog "
     "steeds maar één keer. [j/n] "},
    {M::kInterruptStopped, "\nStopped (Ctrl-C).\n", "\nGestopt (Ctrl-C).\n"},
    {M::kKeptGivenUp, "Nothing was sent; your message has been wiped from memory.\n",
     "Er is niets verstuurd; je bericht is uit het geheugen gewist.\n"},
    {M::kInterruptNothingSent, "\nStopped (Ctrl-C). Nothing was sent; what you typed has been wiped from memory.\n",
     "\nGestopt (Ctrl-C). Er is niets verstuurd; wat je typte is uit het geheugen gewist.\n"},
    {M::kInterruptAfterSent, "\nStopped (Ctrl-C). Your message had already been sent.\n",
     "\nGestopt (Ctrl-C). Je bericht was al verstuurd.\n"},
    {M::kInterruptStopping,
     "\nCtrl-C: stopping once the part now on its way is done; your message will not be sent. Press Ctrl-C "
     "again to stop at once.\n",
     "\nCtrl-C: er wordt gestopt zodra het deel dat nu onderweg is klaar is; je bericht wordt niet verstuurd. "
     "Druk nogmaals op Ctrl-C om meteen te stoppen.\n"},
    {M::kInterruptForced,
     "\nStopped at once (Ctrl-C twice) in the middle of sending. Whether your message arrived is not known: "
     "look with `check` and your code. Pieces of attachments left at the relay expire by themselves.\n",
     "\nMeteen gestopt (twee keer Ctrl-C) midden in het versturen. Of je bericht is aangekomen, is niet bekend: "
     "kijk met `check` en je code. Stukken van bijlagen die bij de server achterbleven, verlopen vanzelf.\n"},
    {M::kInterruptNotSent,
     "Stopped (Ctrl-C): your message was not sent. Pieces of attachments already uploaded were deleted again at "
     "the relay, unless said otherwise above.\n",
     "Gestopt (Ctrl-C): je bericht is niet verstuurd. Stukken van bijlagen die al waren geüpload, zijn bij de "
     "server weer verwijderd, tenzij hierboven anders staat.\n"},
    {M::kInterruptTooLate, "Ctrl-C came after your message was already stored at the relay: it was sent.\n",
     "Ctrl-C kwam nadat je bericht al bij de server stond: het is verstuurd.\n"},

    // ---- new / reply ----
    {M::kSentReport, "Your report was sent to: {1}.\n", "Je melding is verstuurd naar: {1}.\n"},
    {M::kSentReportCheckLater,
     "Check for replies in a few days with:\n  {1}\n",
     "Kijk over een paar dagen of er antwoord is met:\n  {1}\n"},
    {M::kSentMessage, "Your message was sent to: {1}.\n", "Je bericht is verstuurd naar: {1}.\n"},
    {M::kNoConversation, "No conversation was found for this code (start one with `new`).",
     "Er is geen gesprek gevonden bij deze code (begin er een met `new`)."},

    // ---- check ----
    {M::kNoMessages,
     "No messages for this code. If you sent a report with it, its messages may have expired or been\n"
     "moved to a new code (rotate); otherwise check that you typed the code you were given.\n",
     "Geen berichten bij deze code. Als je er een melding mee stuurde, zijn de berichten misschien verlopen\n"
     "of naar een nieuwe code verhuisd (rotate); controleer anders of je de code typte die je kreeg.\n"},
    {M::kEntryYouTo, "You, to {1}", "Jij, aan {1}"},
    {M::kNewMarker, "  [NEW]", "  [NIEUW]"},
    {M::kNoNewReplies, "No new replies since your last message.\n", "Geen nieuwe antwoorden sinds je laatste bericht.\n"},
    {M::kHistoryTruncated, "(Earlier messages did not fit when the conversation moved to this code.)\n",
     "(Eerdere berichten pasten niet toen het gesprek naar deze code verhuisde.)\n"},
    {M::kRetention, "Messages are kept at the relay for about {1} days; read replies before then.\n",
     "Berichten blijven ongeveer {1} dagen bij de server; lees antwoorden voor die tijd.\n"},

    // ---- rotate ----
    {M::kRotateIntro,
     "This moves your conversation ({2}; messages: {1}) to a new code. Your advisers keep the\n"
     "conversation; the old code will receive nothing new.\n",
     "Hiermee verhuist je gesprek ({2}; berichten: {1}) naar een nieuwe code. Je adviseurs houden\n"
     "het gesprek; de oude code ontvangt niets nieuws meer.\n"},
    {M::kRotateDone, "Your conversation now uses the new code. Use only the new code from now on.\n",
     "Je gesprek gebruikt nu de nieuwe code. Gebruik vanaf nu alleen de nieuwe code.\n"},
    {M::kRotatePending,
     "Your advisers ({1}) learn of the move the next time their program fetches messages. Until then\n"
     "a reply from them can still arrive under the OLD code: check the old code too until a reply\n"
     "shows up under the new one.\n",
     "Je adviseurs ({1}) merken de verhuizing de volgende keer dat hun programma berichten ophaalt. Tot\n"
     "dan kan een antwoord van hen nog bij de OUDE code aankomen: kijk ook met de oude code, totdat er\n"
     "een antwoord bij de nieuwe verschijnt.\n"},
    {M::kRotateOldKept, "The old code's messages were kept at the relay until they expire.\n",
     "De berichten van de oude code blijven bij de server tot ze verlopen.\n"},
    {M::kRotateOldKeptAttachments,
     "The old code's messages were kept at the relay until they expire, because the conversation has\n"
     "attachments: files do not move to the new code. To save the files your advisers sent, run\n"
     "`check --save FOLDER` with your OLD code before they expire.\n",
     "De berichten van de oude code blijven bij de server tot ze verlopen, omdat het gesprek bijlagen heeft:\n"
     "bestanden gaan niet mee naar de nieuwe code. Wil je de bestanden van je adviseurs bewaren, gebruik dan\n"
     "`check --save MAP` met je OUDE code voordat ze verlopen.\n"},
    {M::kRotateSameCode, "The new code happened to equal the old one; nothing was sent. Run rotate again.",
     "De nieuwe code was toevallig gelijk aan de oude; er is niets verstuurd. Start rotate opnieuw."},
    {M::kRotateSaveFirst,
     "This conversation has attachments, and files do not move to the new code. Save the files your\n"
     "advisers sent FIRST, with this (old) code:\n  {1} --save FOLDER\n"
     "After the move the old code still shows them until they expire, but it sends nothing more.\n",
     "Dit gesprek heeft bijlagen, en bestanden verhuizen niet mee naar de nieuwe code. Bewaar EERST de\n"
     "bestanden van je adviseurs, met deze (oude) code:\n  {1} --save MAP\n"
     "Na de verhuizing toont de oude code ze nog tot ze verlopen, maar verstuurt ze niets meer.\n"},
    {M::kRotateContinuePrompt, "Move to a new code now? [y/n] ", "Nu naar een nieuwe code verhuizen? [j/n] "},
    {M::kRotateNotMoved, "The conversation was not moved; nothing was sent.",
     "Het gesprek is niet verhuisd; er is niets verstuurd."},
    {M::kMovedNotice,
     "This conversation moved to a new code on {1}. Read and write with the new code; this old code\n"
     "only still shows what it held (for example to save attachments) and sends nothing.\n",
     "Dit gesprek is op {1} naar een nieuwe code verhuisd. Lees en schrijf met de nieuwe code; deze oude\n"
     "code toont alleen nog wat ze had (bijvoorbeeld om bijlagen te bewaren) en verstuurt niets.\n"},
    {M::kMovedRefused,
     "This code is no longer in use: the conversation moved to a new code on {1}. Use the new code; "
     "nothing was sent.",
     "Deze code is niet meer in gebruik: het gesprek is op {1} naar een nieuwe code verhuisd. Gebruik de "
     "nieuwe code; er is niets verstuurd."},

    // ---- who can read, and hand-over ----
    {M::kWhoCanRead, "Who can read this conversation:\n", "Wie dit gesprek kan lezen:\n"},
    {M::kWhoNext, "  - receive your next message: {1}\n", "  - krijgen je volgende bericht: {1}\n"},
    {M::kWhoEarlier, "  - have earlier messages only, receive nothing new: {1}\n",
     "  - hebben alleen eerdere berichten, krijgen niets nieuws: {1}\n"},
    {M::kWhoNobodyElse, "  Nobody else. The relay's administrator cannot read it.\n",
     "  Niemand anders. De beheerder van de server kan het niet lezen.\n"},
    {M::kEntryProposal, "{1} proposes to hand your conversation over to {2}",
     "{1} stelt voor je gesprek over te dragen aan {2}"},
    {M::kEntryAccepted, "You accepted the hand-over to {1}", "Jij nam de overdracht aan {1} aan"},
    {M::kEntryDeclined, "You declined the hand-over to {1}", "Jij wees de overdracht aan {1} af"},
    {M::kHandoverExplain,
     "\n{1} proposes that {2} takes over your conversation.\n"
     "  If you accept: {2} receives the conversation so far (messages: {3}) and your next messages;\n"
     "  {1} keeps what they already have but receives nothing new from you.\n"
     "  If you decline: nothing changes, and {2} receives nothing.\n"
     "  Nothing is sent to {2} unless you accept.\n",
     "\n{1} stelt voor dat {2} je gesprek overneemt.\n"
     "  Als je aanneemt: {2} krijgt het gesprek tot nu toe (berichten: {3}) en je volgende berichten;\n"
     "  {1} houdt wat die al heeft, maar krijgt niets nieuws meer van je.\n"
     "  Als je afwijst: er verandert niets, en {2} krijgt niets.\n"
     "  Er gaat niets naar {2} tenzij je aanneemt.\n"},
    {M::kHandoverPrompt, "Accept the hand-over to {1}? [yes / no / Enter = decide later]: ",
     "Overdracht aan {1} aannemen? [ja / nee / Enter = later beslissen]: "},
    {M::kHandoverUnclear, "Please answer yes or no, or press Enter to decide later.\n",
     "Antwoord ja of nee, of druk op Enter om later te beslissen.\n"},
    {M::kHandoverLater, "Not answered: the proposal is shown again at your next check.\n",
     "Niet beantwoord: het voorstel wordt bij je volgende check opnieuw getoond.\n"},
    {M::kHandoverAccepted, "Accepted. {1} now has the conversation and receives your next messages; {2} receives nothing new.\n",
     "Aangenomen. {1} heeft nu het gesprek en krijgt je volgende berichten; {2} krijgt niets nieuws meer.\n"},
    {M::kHandoverDeclined, "Declined. {1} has been told; nothing was sent to {2}.\n",
     "Afgewezen. {1} is ingelicht; er is niets naar {2} gestuurd.\n"},
    {M::kHandoverFilesStay,
     "  Files do not go along: {1} would see only the name and size of these, not the files:\n{2}",
     "  Bestanden gaan niet mee: {1} zou hiervan alleen naam en grootte zien, niet de bestanden:\n{2}"},
    {M::kEntryUnsigned, "  (NOT SIGNED: from an older adviser program, or not from this adviser)",
     "  (NIET ONDERTEKEND: van een ouder programma, of niet van deze adviseur)"},
    {M::kEntryFileStayed, "(file not carried over to this code: {1}, {2})\n",
     "(bestand niet meegekomen naar deze code: {1}, {2})\n"},

};
static_assert(consecutive(kPart), "a part lists its keys in Msg order, without gaps");

}  // namespace

std::span<const TextEntry> conversation_texts() { return kPart; }

}  // namespace meldpunt::reporter::texts_detail
