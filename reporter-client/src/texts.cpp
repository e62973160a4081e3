#include "texts.hpp"

#include <array>
#include <cstdlib>

namespace meldpunt::reporter {
namespace {

using M = Msg;

constexpr TextEntry kTable[] = {
    // ---- command line ----
    {M::kAppDescription,
     "reporter-client: report unwanted behaviour anonymously, and follow up with only a code.\n\n"
     "  reporter-client new    --channel ADDRESS   choose advisers, write a report, get your code\n"
     "  reporter-client check  --channel ADDRESS   read the conversation (asks for your code)\n"
     "  reporter-client reply  --channel ADDRESS   continue the conversation (asks for your code)\n"
     "  reporter-client rotate --channel ADDRESS   move the conversation to a new code\n\n"
     "ADDRESS is the channel address your organisation publishes (it starts with meldpunt2:). Leave\n"
     "--channel out and the program asks for it: paste it, and it stays out of your shell history.\n"
     "Your code is never taken from the command line: type it at the prompt (it is not shown)\n"
     "or pipe it on standard input. Nothing is written to this computer's disk.\n\n"
     "To attach files, add --attach-ask to new or reply: the program then asks for them, so their\n"
     "names stay out of your shell history (with --attach FILE they end up in it).",
     "reporter-client: meld ongewenst gedrag anoniem, en volg het op met alleen een code.\n\n"
     "  reporter-client new    --channel ADRES   kies adviseurs, schrijf een melding, krijg je code\n"
     "  reporter-client check  --channel ADRES   lees het gesprek (vraagt om je code)\n"
     "  reporter-client reply  --channel ADRES   zet het gesprek voort (vraagt om je code)\n"
     "  reporter-client rotate --channel ADRES   verhuis het gesprek naar een nieuwe code\n\n"
     "ADRES is het kanaaladres dat je organisatie publiceert (het begint met meldpunt2:). Laat je\n"
     "--channel weg, dan vraagt het programma erom: plak het, dan komt het niet in je shellgeschiedenis.\n"
     "Je code wordt nooit van de opdrachtregel gelezen: typ hem bij de vraag (hij wordt niet getoond)\n"
     "of geef hem via standaardinvoer. Er wordt niets op de schijf van deze computer geschreven.\n\n"
     "Om bestanden bij te voegen: zet --attach-ask achter new of reply; het programma vraagt er dan om,\n"
     "zodat hun namen niet in je shellgeschiedenis komen (met --attach BESTAND komen ze er wel in)."},
    {M::kCmdNew, "Write a new report and receive your code", "Schrijf een nieuwe melding en ontvang je code"},
    {M::kCmdCheck, "Read replies and the whole conversation", "Lees antwoorden en het hele gesprek"},
    {M::kCmdReply, "Send another message in your conversation", "Stuur nog een bericht in je gesprek"},
    {M::kCmdRotate, "Move your conversation to a new code (the old code stops receiving)",
     "Verhuis je gesprek naar een nieuwe code (de oude code ontvangt niets meer)"},
    {M::kOptChannel, "Channel address (meldpunt2:...); left out, the program asks for it (kept out of shell history)",
     "Kanaaladres (meldpunt2:...); weggelaten vraagt het programma erom (buiten de shellgeschiedenis)"},
    {M::kOptChannelFile,
     "Read the channel address from this file, one you chose to keep (the file shows that the channel is used here)",
     "Lees het kanaaladres uit dit bestand, dat je zelf bewaart (het bestand laat zien dat het kanaal hier wordt gebruikt)"},
    {M::kOptLang, "Language: en or nl (default: from LC_ALL, LC_MESSAGES or LANG)",
     "Taal: en of nl (standaard: uit LC_ALL, LC_MESSAGES of LANG)"},
    {M::kOptProxy, "Connect through a SOCKS5 proxy such as Tor, e.g. socks5h://127.0.0.1:9050",
     "Verbind via een SOCKS5-proxy zoals Tor, bijvoorbeeld socks5h://127.0.0.1:9050"},
    {M::kOptTo, "Advisers to write to, by number in the list or id (default: ask)",
     "Adviseurs om naar te schrijven, met hun nummer in de lijst of id (standaard: vragen)"},
    {M::kOptExclude, "Advisers to leave out (conflict of interest)",
     "Adviseurs om over te slaan (belangenverstrengeling)"},
    {M::kOptFile, "Read the message from this file instead of the editor or standard input",
     "Lees het bericht uit dit bestand in plaats van uit de editor of standaardinvoer"},
    {M::kOptNoEditor, "Type the message here even if $VISUAL or $EDITOR is set",
     "Typ het bericht hier, ook als $VISUAL of $EDITOR is ingesteld"},
    {M::kOptKeepOld, "Keep the old code's messages at the relay instead of deleting them",
     "Bewaar de berichten van de oude code bij de server in plaats van ze te verwijderen"},

    // ---- directory and choice ----
    {M::kDirectoryHeading, "Advisers you can write to:\n", "Adviseurs aan wie je kunt schrijven:\n"},
    {M::kChoosePrompt, "Numbers of the advisers to write to, separated by spaces (Enter = all): ",
     "Nummers van de adviseurs aan wie je schrijft, gescheiden door spaties (Enter = allemaal): "},
    {M::kChooseHint,
     "You may choose several. Leave out anyone you do not want to read your report.\n",
     "Je mag er meerdere kiezen. Laat iedereen weg die je melding niet mag lezen.\n"},
    {M::kNoSuchAdviser, "There is no adviser '{1}' in the list.", "Er is geen adviseur '{1}' in de lijst."},
    {M::kNoAdviserLeft, "No adviser is left to write to; nothing was sent.",
     "Er blijft geen adviseur over om aan te schrijven; er is niets verstuurd."},
    {M::kTooManyAdvisers, "One message reaches at most {1} advisers; choose fewer. Nothing was sent.",
     "Eén bericht bereikt hoogstens {1} adviseurs; kies er minder. Er is niets verstuurd."},
    {M::kDirectoryEmpty, "The list of advisers is empty; ask your organisation.",
     "De lijst met adviseurs is leeg; vraag het je organisatie."},
    {M::kReadersHeading, "Only these people will be able to read it:\n",
     "Alleen deze mensen kunnen het lezen:\n"},
    {M::kReadersNotHeading, "Not: {1}\n", "Niet: {1}\n"},
    {M::kReadersRelayCannot,
     "The relay's administrator cannot read it, and does not learn who you are or whom you write to.\n",
     "De beheerder van de server kan het niet lezen, en komt niet te weten wie je bent of aan wie je schrijft.\n"},
    {M::kAdviserNoLongerListed, "(an adviser no longer listed)", "(een adviseur die niet meer in de lijst staat)"},
    {M::kSignpostPrivate,
     "Two questions help you find who is there for you. Your answers stay on this computer: they only\n"
     "order the list, are not sent and are in no message. Press Enter to skip a question.\n",
     "Twee vragen helpen je te vinden wie er voor jou is. Je antwoorden blijven op deze computer: ze bepalen\n"
     "alleen de volgorde van de lijst, worden niet verstuurd en staan in geen enkel bericht. Druk op Enter\n"
     "om een vraag over te slaan.\n"},
    {M::kSignpostWhere, "Where do you work?\n", "Waar werk je?\n"},
    {M::kSignpostWhat, "What is it about?\n", "Waar gaat het over?\n"},
    {M::kSignpostPrompt, "Number (Enter = skip): ", "Nummer (Enter = overslaan): "},
    {M::kSignpostNotAChoice, "Type one of the numbers above, or press Enter to skip.\n",
     "Typ een van de nummers hierboven, of druk op Enter om over te slaan.\n"},
    {M::kSignpostMatchHeading, "There for this:\n", "Hiervoor:\n"},
    {M::kSignpostNoMatch,
     "Nobody in the list is there for exactly this. You can still write to anyone below.\n",
     "Niemand in de lijst is precies hiervoor. Je kunt nog steeds aan iedereen hieronder schrijven.\n"},
    {M::kSignpostOthersHeading, "Everyone else you can write to:\n", "Alle anderen aan wie je kunt schrijven:\n"},
    {M::kSignpostReasonFor, "for: {1}", "voor: {1}"},
    {M::kSignpostReasonEveryone, "for: everyone", "voor: iedereen"},
    {M::kSignpostReasonAbout, "about: {1}", "over: {1}"},
    {M::kSignpostReasonAnything, "about: anything", "over: alles"},

    // ---- message input ----
    {M::kTypeMessage, "Type your message. End it with a line holding only a dot (.)\n",
     "Typ je bericht. Sluit af met een regel met alleen een punt (.)\n"},
    {M::kEditorOpening,
     "Opening your editor ({1}). Save and close it when your message is done; the file is kept in memory only\n"
     "and wiped afterwards.\n",
     "Je editor wordt geopend ({1}). Sla op en sluit af als je bericht klaar is; het bestand staat alleen in\n"
     "het geheugen en wordt daarna gewist.\n"},
    {M::kEditorUnavailable, "The editor cannot be used here ({1}). Type the message instead.\n",
     "De editor kan hier niet worden gebruikt ({1}). Typ het bericht hier.\n"},
    {M::kMessageEmpty, "The message is empty; nothing was sent.", "Het bericht is leeg; er is niets verstuurd."},
    {M::kMessageTooLong, "The message is too long (at most {1} bytes); nothing was sent.",
     "Het bericht is te lang (hoogstens {1} bytes); er is niets verstuurd."},
    {M::kMessageEmptyAgain,
     "The message is empty. Write it again, or press Ctrl-C to stop without sending.\n",
     "Het bericht is leeg. Schrijf het opnieuw, of druk op Ctrl-C om te stoppen zonder te versturen.\n"},

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
    {M::kProgressUpload, "Sending {1} encrypted envelope(s), {2}", "{1} versleutelde envelop(pen) versturen, {2}"},
    {M::kProgressDelete, "Deleting {1} message(s) of the old code at the relay",
     "{1} bericht(en) van de oude code bij de server verwijderen"},
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
     "before sending it again. Your message is still held in locked memory. Send it again anyway? [y/n] ",
     "De server heeft je bericht niet bevestigd: het kan zijn aangekomen of niet. Kijk met `check` en je code\n"
     "voordat je het opnieuw verstuurt. Je bericht staat nog in het afgeschermde geheugen. Toch opnieuw "
     "versturen? [j/n] "},
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
    {M::kNewCount, "{1} new reply/replies since your last message (marked [NEW]).\n",
     "{1} nieuw(e) antwoord(en) sinds je laatste bericht (gemarkeerd met [NIEUW]).\n"},
    {M::kNoNewReplies, "No new replies since your last message.\n", "Geen nieuwe antwoorden sinds je laatste bericht.\n"},
    {M::kUnverifiedNote, "Note: {1} message(s) could not be verified and are not shown.\n",
     "Let op: {1} bericht(en) konden niet worden gecontroleerd en worden niet getoond.\n"},
    {M::kHistoryTruncated, "(Earlier messages did not fit when the conversation moved to this code.)\n",
     "(Eerdere berichten pasten niet toen het gesprek naar deze code verhuisde.)\n"},
    {M::kRetention, "Messages are kept at the relay for about {1} days; read replies before then.\n",
     "Berichten blijven ongeveer {1} dagen bij de server; lees antwoorden voor die tijd.\n"},

    // ---- rotate ----
    {M::kRotateIntro,
     "This moves your conversation ({1} message(s), with {2}) to a new code. Your advisers keep the\n"
     "conversation; the old code will receive nothing new.\n",
     "Hiermee verhuist je gesprek ({1} bericht(en), met {2}) naar een nieuwe code. Je adviseurs houden\n"
     "het gesprek; de oude code ontvangt niets nieuws meer.\n"},
    {M::kRotateHistoryTooLong,
     "The conversation is too long to move completely: the {1} oldest message(s) are left out of the copy\n"
     "for the new code (your advisers still have them).\n",
     "Het gesprek is te lang om helemaal te verhuizen: de {1} oudste bericht(en) komen niet mee naar de\n"
     "nieuwe code (je adviseurs hebben ze nog wel).\n"},
    {M::kRotateDone, "Your conversation now uses the new code. Use only the new code from now on.\n",
     "Je gesprek gebruikt nu de nieuwe code. Gebruik vanaf nu alleen de nieuwe code.\n"},
    {M::kRotatePending,
     "Your advisers ({1}) learn of the move the next time their program fetches messages. Until then\n"
     "a reply from them can still arrive under the OLD code: check the old code too until a reply\n"
     "shows up under the new one.\n",
     "Je adviseurs ({1}) merken de verhuizing de volgende keer dat hun programma berichten ophaalt. Tot\n"
     "dan kan een antwoord van hen nog bij de OUDE code aankomen: kijk ook met de oude code, totdat er\n"
     "een antwoord bij de nieuwe verschijnt.\n"},
    {M::kRotateOldDeleted, "The old code's {1} message(s) were deleted at the relay.\n",
     "De {1} bericht(en) van de oude code zijn bij de server verwijderd.\n"},
    {M::kRotateOldKept, "The old code's messages were kept at the relay until they expire.\n",
     "De berichten van de oude code blijven bij de server tot ze verlopen.\n"},
    {M::kRotateOldKeptAttachments,
     "The old code's messages were kept at the relay until they expire, because the conversation has\n"
     "attachments: files do not move to the new code. To save the files your advisers sent, run\n"
     "`check --save-attachments FOLDER` with your OLD code before they expire.\n",
     "De berichten van de oude code blijven bij de server tot ze verlopen, omdat het gesprek bijlagen heeft:\n"
     "bestanden gaan niet mee naar de nieuwe code. Wil je de bestanden van je adviseurs bewaren, gebruik dan\n"
     "`check --save-attachments MAP` met je OUDE code voordat ze verlopen.\n"},
    {M::kRotateDeleteFailed, "{1} message(s) of the old code could not be deleted; they expire by themselves.\n",
     "{1} bericht(en) van de oude code konden niet worden verwijderd; ze verlopen vanzelf.\n"},
    {M::kRotateSameCode, "The new code happened to equal the old one; nothing was sent. Run rotate again.",
     "De nieuwe code was toevallig gelijk aan de oude; er is niets verstuurd. Start rotate opnieuw."},
    {M::kRotateSaveFirst,
     "This conversation has attachments, and files do not move to the new code. Save the files your\n"
     "advisers sent FIRST, with this (old) code:\n  {1} --save-attachments FOLDER\n"
     "After the move the old code still shows them until they expire, but it sends nothing more.\n",
     "Dit gesprek heeft bijlagen, en bestanden verhuizen niet mee naar de nieuwe code. Bewaar EERST de\n"
     "bestanden van je adviseurs, met deze (oude) code:\n  {1} --save-attachments MAP\n"
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
     "  If you accept: {2} receives the conversation so far ({3} message(s)) and your next messages;\n"
     "  {1} keeps what they already have but receives nothing new from you.\n"
     "  If you decline: nothing changes, and {2} receives nothing.\n"
     "  Nothing is sent to {2} unless you accept.\n",
     "\n{1} stelt voor dat {2} je gesprek overneemt.\n"
     "  Als je aanneemt: {2} krijgt het gesprek tot nu toe ({3} bericht(en)) en je volgende berichten;\n"
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
    {M::kHandoverHistoryTooLong, "  {1} older message(s) do not fit and would not be passed on.\n",
     "  {1} oudere bericht(en) passen niet en zouden niet worden doorgegeven.\n"},
    {M::kHandoverFilesStay,
     "  Files do not go along: {1} would see only the name and size of these, not the files:\n{2}",
     "  Bestanden gaan niet mee: {1} zou hiervan alleen naam en grootte zien, niet de bestanden:\n{2}"},
    {M::kEntryUnsigned, "  (NOT SIGNED: from an older adviser program, or not from this adviser)",
     "  (NIET ONDERTEKEND: van een ouder programma, of niet van deze adviseur)"},
    {M::kEntryFileStayed, "(file not carried over to this code: {1}, {2})\n",
     "(bestand niet meegekomen naar deze code: {1}, {2})\n"},

    // ---- errors ----
    {M::kErrorPrefix, "reporter-client: error: ", "reporter-client: fout: "},
    {M::kErrUnreachable, "The relay cannot be reached; nothing was sent. ({1})",
     "De server is niet bereikbaar; er is niets verstuurd. ({1})"},
    {M::kErrNotAuthentic,
     "The relay could not prove it is the one in the channel address; nothing was sent. Check the address. ({1})",
     "De server kon niet bewijzen dat hij de server uit het kanaaladres is; er is niets verstuurd. Controleer het "
     "adres. ({1})"},
    {M::kErrDirectory,
     "The list of advisers from the relay is not signed by your organisation; nothing was sent.",
     "De lijst met adviseurs van de server is niet door je organisatie ondertekend; er is niets verstuurd."},
    // A refusal by the relay: what it means and what the reporter can do;
    // {1} is the relay's own text, made safe to show, as a detail.
    {M::kErrRelayMalformed,
     "The relay did not understand this program's request, so nothing was sent. This reporter-client is "
     "probably older or newer than the relay: get the current version from your organisation. ({1})",
     "De server begreep het verzoek van dit programma niet, dus er is niets verstuurd. Deze reporter-client is "
     "waarschijnlijk ouder of nieuwer dan de server: haal de huidige versie bij je organisatie. ({1})"},
    {M::kErrRelayUnknownOperation,
     "The relay does not know this request, so nothing was sent. This reporter-client is newer than the "
     "relay: use the version your organisation offers. ({1})",
     "De server kent dit verzoek niet, dus er is niets verstuurd. Deze reporter-client is nieuwer dan de "
     "server: gebruik de versie die je organisatie aanbiedt. ({1})"},
    {M::kErrRelayTooLarge,
     "The relay refused the request as too large, so nothing was sent. Send a shorter message or fewer "
     "attachments; if that does not help, get the current version of this program from your organisation. ({1})",
     "De server weigerde het verzoek omdat het te groot is, dus er is niets verstuurd. Stuur een korter bericht "
     "of minder bijlagen; helpt dat niet, haal dan de huidige versie van dit programma bij je organisatie. ({1})"},
    {M::kErrRelayNotFound,
     "The relay does not have what this program asked for (for example, no list of advisers has been "
     "published yet), so nothing was sent. Try again later; if it keeps happening, tell your organisation. ({1})",
     "De server heeft niet wat dit programma vroeg (er is bijvoorbeeld nog geen lijst met adviseurs "
     "gepubliceerd), dus er is niets verstuurd. Probeer het later opnieuw; blijft dit gebeuren, meld het dan "
     "bij je organisatie. ({1})"},
    {M::kErrRelayUnauthorised,
     "The relay did not accept this request as authorised, so nothing was sent or changed. If it keeps "
     "happening, tell your organisation. ({1})",
     "De server accepteerde dit verzoek niet als bevoegd, dus er is niets verstuurd of veranderd. Blijft dit "
     "gebeuren, meld het dan bij je organisatie. ({1})"},
    {M::kErrRelayStorageFull,
     "The relay's storage is full, so nothing was sent. Try again in a few hours; if it is still full then, "
     "tell your organisation that the reporting channel's storage is full. ({1})",
     "De opslag van de server is vol, dus er is niets verstuurd. Probeer het over een paar uur opnieuw; is hij "
     "dan nog vol, laat je organisatie dan weten dat de opslag van het meldkanaal vol is. ({1})"},
    {M::kErrRelayInternal,
     "The relay ran into a problem of its own and could not handle the request, so nothing was sent. Try "
     "again in a few minutes; if it keeps happening, tell your organisation. ({1})",
     "De server liep tegen een eigen probleem aan en kon het verzoek niet afhandelen, dus er is niets "
     "verstuurd. Probeer het over een paar minuten opnieuw; blijft dit gebeuren, meld het dan bij je "
     "organisatie. ({1})"},
    {M::kErrRelayReplay,
     "The relay took this request for a repeat of an earlier one, so nothing was sent. Run the command "
     "again. ({1})",
     "De server zag dit verzoek aan voor een herhaling van een eerder verzoek, dus er is niets verstuurd. Voer "
     "de opdracht opnieuw uit. ({1})"},
    {M::kErrRelayVersion,
     "The relay speaks another version of the protocol, so nothing was sent. Get the version of this "
     "program that your organisation offers now. ({1})",
     "De server spreekt een andere versie van het protocol, dus er is niets verstuurd. Haal de versie van dit "
     "programma die je organisatie nu aanbiedt. ({1})"},
    {M::kErrRelayBusy,
     "The relay is too busy right now, so nothing was sent. Wait a minute and run the command again. ({1})",
     "De server heeft het nu te druk, dus er is niets verstuurd. Wacht een minuut en voer de opdracht opnieuw "
     "uit. ({1})"},
    {M::kErrRelayUnknownStatus,
     "The relay refused the request with a status this program does not know ({2}), so nothing was sent. "
     "Try again later; if it keeps happening, get the current version of this program from your "
     "organisation. ({1})",
     "De server weigerde het verzoek met een status die dit programma niet kent ({2}), dus er is niets "
     "verstuurd. Probeer het later opnieuw; blijft dit gebeuren, haal dan de huidige versie van dit programma "
     "bij je organisatie. ({1})"},
    {M::kErrNotEnoughMemory, "Not enough memory for the key derivation (it needs 256 MiB).",
     "Niet genoeg geheugen om de sleutels af te leiden (nodig: 256 MiB)."},
    {M::kErrBadAddress, "That is not a valid channel address ({1}).", "Dat is geen geldig kanaaladres ({1})."},
    {M::kErrBadProxy, "The proxy must be given as socks5h://HOST:PORT, for Tor usually socks5h://127.0.0.1:9050.",
     "Geef de proxy op als socks5h://HOST:POORT, voor Tor meestal socks5h://127.0.0.1:9050."},
    {M::kErrAddressMistyped,
     "This channel address is mistyped ({1}). Copy it again from where your organisation publishes it;\n"
     "nothing was sent.",
     "Dit kanaaladres is verkeerd overgenomen ({1}). Kopieer het opnieuw van de plek waar je organisatie\n"
     "het publiceert; er is niets verstuurd."},
    {M::kChannelPrompt, "Channel address (paste it; it is not stored): ",
     "Kanaaladres (plak het; het wordt niet bewaard): "},
    {M::kChannelPromptMore, "The rest of the address (or press Enter to stop): ",
     "De rest van het adres (of druk op Enter om te stoppen): "},
    {M::kChannelNoneGiven, "No channel address was given; nothing was sent.",
     "Er is geen kanaaladres opgegeven; er is niets verstuurd."},
    {M::kChannelTwoSources, "Give the channel address with --channel or with --channel-file, not both.",
     "Geef het kanaaladres met --channel of met --channel-file, niet met allebei."},
    {M::kChannelFileUnreadable, "The channel address file {1} cannot be read ({2}).",
     "Het bestand met het kanaaladres, {1}, kan niet worden gelezen ({2})."},
    {M::kChannelOldFormat,
     "Note: this channel address has the old form (meldpunt1:), without check characters: a copy mistake\n"
     "then shows only as a failed connection or a refused list of advisers. Ask your organisation for the\n"
     "current address (it starts with meldpunt2:).\n",
     "Let op: dit kanaaladres heeft de oude vorm (meldpunt1:), zonder controletekens: een kopieerfout\n"
     "blijkt dan alleen uit een mislukte verbinding of een geweigerde lijst van adviseurs. Vraag je\n"
     "organisatie om het actuele adres (het begint met meldpunt2:).\n"},
    {M::kErrOldDirectory,
     "The server shows an old or expired list of advisers, on which someone may appear who no longer\n"
     "belongs there. The server may be out of date or tampered with; nothing was sent. Tell your\n"
     "organisation, by another route than this channel. ({1})",
     "De server toont een oude of verlopen lijst van vertrouwenspersonen, waarop iemand kan staan die er\n"
     "niet meer op hoort. De server is misschien verouderd of gemanipuleerd; er is niets verstuurd. Meld\n"
     "het je organisatie, langs een andere weg dan dit kanaal. ({1})"},

    // ---- attachments ----
    {M::kOptAttach,
     "Attach a file (repeatable): it goes, encrypted, to the same advisers as the message. Its path is saved\n"
     "in your shell history and other users of this computer can see it while this runs: prefer --attach-ask",
     "Voeg een bestand toe (herhaalbaar): het gaat versleuteld naar dezelfde adviseurs als het bericht. Het pad\n"
     "komt in je shellgeschiedenis en andere gebruikers van deze computer zien het zolang dit draait: gebruik\n"
     "liever --attach-ask"},
    {M::kOptAttachAsk,
     "Ask for the files to attach, one per line, before the message (recommended): their paths stay out of\n"
     "your shell history and out of the process list, where --attach puts them. At most {1} files in all",
     "Vraag voor het bericht om de bij te voegen bestanden, een per regel (aangeraden): hun paden komen dan\n"
     "niet in je shellgeschiedenis en niet in de proceslijst (waar --attach ze zet). Samen hoogstens {1} bestanden"},
    {M::kOptSaveAttachments,
     "Save the intact attachments from your advisers into this folder (this leaves files on this computer)",
     "Sla de complete bijlagen van je adviseurs op in deze map (dat laat bestanden achter op deze computer)"},
    {M::kAttachTooMany, "At most {1} attachments per message; nothing was sent.",
     "Hoogstens {1} bijlagen per bericht; er is niets verstuurd."},
    {M::kAttachUnreadable, "The attachment {1} cannot be read: {2}. Nothing was sent.",
     "De bijlage {1} kan niet worden gelezen: {2}. Er is niets verstuurd."},
    {M::kAttachRelayRefuses,
     "This relay does not accept attachments (its administrator set the limit to 0); nothing was sent.\n"
     "Describe the file in your message instead, or ask your adviser how else to hand it over.",
     "Deze server neemt geen bijlagen aan (de beheerder heeft de grens op 0 gezet); er is niets verstuurd.\n"
     "Beschrijf het bestand in je bericht, of vraag je adviseur hoe je het anders kunt overhandigen."},
    {M::kAttachEmpty, "The attachment {1} is empty; nothing was sent.",
     "De bijlage {1} is leeg; er is niets verstuurd."},
    {M::kAttachTooLarge, "The attachment {1} is too large ({2}); this relay accepts files up to {3}. Nothing was sent.",
     "De bijlage {1} is te groot ({2}); deze server neemt bestanden tot {3} aan. Er is niets verstuurd."},
    {M::kAttachListed, "Attached: {1} ({2})\n", "Bijgevoegd: {1} ({2})\n"},
    {M::kAttachSentLine, "  with attachment: {1} ({2})\n", "  met bijlage: {1} ({2})\n"},
    {M::kAttachLeftBehind,
     "Up to {1} piece(s) of the attachments may still be stored at the relay (the upload was interrupted and\n"
     "could not be fully undone); your advisers may still receive them. They expire after {2} days.\n",
     "Tot {1} stuk(ken) van de bijlagen staan misschien nog bij de server (het versturen werd onderbroken en\n"
     "kon niet helemaal ongedaan worden gemaakt); je adviseurs kunnen ze nog ontvangen. Ze verlopen na {2} dagen.\n"},
    {M::kAttachLeftBehindNoDays,
     "Up to {1} piece(s) of the attachments may still be stored at the relay (the upload was interrupted and\n"
     "could not be fully undone); your advisers may still receive them. They expire by themselves.\n",
     "Tot {1} stuk(ken) van de bijlagen staan misschien nog bij de server (het versturen werd onderbroken en\n"
     "kon niet helemaal ongedaan worden gemaakt); je adviseurs kunnen ze nog ontvangen. Ze verlopen vanzelf.\n"},
    {M::kAttachReceivedNotLocked,
     "Note: a received attachment did not fit in the memory this program may lock, so it could have been\n"
     "written to disk (swap). Raise the limit (`ulimit -l`, see docs/reporter-client.md) before opening\n"
     "large attachments on a computer others may examine.\n",
     "Let op: een ontvangen bijlage paste niet in het geheugen dat dit programma mag vastzetten, dus kan ze\n"
     "op schijf (swap) zijn beland. Verhoog de grens (`ulimit -l`, zie docs/reporter-client.md) voordat je\n"
     "grote bijlagen opent op een computer die anderen kunnen onderzoeken.\n"},
    {M::kAttachNotLockable,
     "The attachment {1} ({2}) does not fit in the memory this program may lock ({3} left), so it could be\n"
     "written to disk (swap) while it is sent. Nothing was sent. Send a smaller file, or raise the limit\n"
     "(`ulimit -l`, or memlock in /etc/security/limits.conf; see docs/reporter-client.md) and run the\n"
     "program again: a raised limit counts only for a new run.",
     "De bijlage {1} ({2}) past niet in het geheugen dat dit programma mag vastzetten (nog {3} over), dus\n"
     "kan het tijdens het versturen op schijf belanden (swap). Er is niets verstuurd. Stuur een kleiner\n"
     "bestand, of verhoog de grens (`ulimit -l`, of memlock in /etc/security/limits.conf; zie\n"
     "docs/reporter-client.md) en start het programma opnieuw: een hogere grens geldt pas bij een\n"
     "nieuwe start."},
    {M::kAttachHeading, "\nAttachments:\n", "\nBijlagen:\n"},
    {M::kAttachSentByYou, "  [-] {1}  you sent {2} ({3}) to {4}\n", "  [-] {1}  je stuurde {2} ({3}) aan {4}\n"},
    {M::kAttachFromAdviser, "  [{1}] {2}  from {3}: {4} ({5}), {6}\n", "  [{1}] {2}  van {3}: {4} ({5}), {6}\n"},
    {M::kAttachIntact, "intact", "compleet"},
    {M::kAttachIncomplete, "INCOMPLETE: {1} of {2} pieces (the rest may still be on its way)",
     "ONVOLLEDIG: {1} van {2} stukken (de rest is misschien nog onderweg)"},
    {M::kAttachCorrupt, "DAMAGED: it does not match its checksum and cannot be saved",
     "BESCHADIGD: het klopt niet met de controlesom en kan niet worden opgeslagen"},
    {M::kAttachSaveHint,
     "Attachments are never opened by this program. To save the intact ones (this leaves files on this computer):\n"
     "  {1} --save-attachments FOLDER\n",
     "Bijlagen worden door dit programma nooit geopend. Om de complete op te slaan (dat laat bestanden achter op\n"
     "deze computer):\n"
     "  {1} --save-attachments MAP\n"},
    {M::kAttachIgnored, "Note: {1} attachment piece(s) could not be verified and are not shown.\n",
     "Let op: {1} stuk(ken) van bijlagen konden niet worden gecontroleerd en worden niet getoond.\n"},
    {M::kAttachNoneToSave, "There are no intact attachments from your advisers to save.\n",
     "Er zijn geen complete bijlagen van je adviseurs om op te slaan.\n"},
    {M::kAttachSaveWarning,
     "Saving leaves these files on this computer, outside this program: whoever gets this computer later can\n"
     "find them. Delete them when you no longer need them. They are not opened or run.\n",
     "Opslaan laat deze bestanden achter op deze computer, buiten dit programma: wie deze computer later krijgt,\n"
     "kan ze vinden. Verwijder ze als je ze niet meer nodig hebt. Ze worden niet geopend of uitgevoerd.\n"},
    {M::kAttachSaved, "  [{1}] saved as {2} (readable by you only)\n",
     "  [{1}] opgeslagen als {2} (alleen voor jou leesbaar)\n"},
    {M::kAttachNotSaved, "  [{1}] {2} NOT saved: {3}\n", "  [{1}] {2} NIET opgeslagen: {3}\n"},
    {M::kAttachSaveFailed, "Saving {1} failed: {2}", "Opslaan van {1} is mislukt: {2}"},

    // ---- attachments asked for at a prompt (--attach-ask) ----
    {M::kAttachAskIntro,
     "Files to attach: type (or drag into this window) one file per line. They go, encrypted, to the same\n"
     "advisers as the message. An empty line ends the list.\n",
     "Bij te voegen bestanden: typ (of sleep naar dit venster) een bestand per regel. Ze gaan versleuteld naar\n"
     "dezelfde adviseurs als het bericht. Een lege regel sluit de lijst af.\n"},
    {M::kAttachAskLargest, "Each file may be up to {1} (the relay's limit).\n",
     "Elk bestand mag tot {1} groot zijn (de grens van de server).\n"},
    {M::kAttachAskLargestMemory,
     "Each file may be up to {1}: the relay takes files up to {2}, but this program may keep only that much\n"
     "in memory that is never written to disk (`ulimit -l`; see docs/reporter-client.md).\n",
     "Elk bestand mag tot {1} groot zijn: de server neemt bestanden tot {2} aan, maar dit programma mag\n"
     "maar zoveel vasthouden in geheugen dat nooit op schijf komt (`ulimit -l`; zie docs/reporter-client.md).\n"},
    {M::kAttachAskPrompt, "File {1} (Enter = no more files): ", "Bestand {1} (Enter = geen bestanden meer): "},
    {M::kAttachAskFullPrompt, "That is the most: {1} files. Press Enter to go on: ",
     "Meer kan niet: {1} bestanden. Druk op Enter om verder te gaan: "},
    {M::kAttachAskAdded, "  Added: {1} ({2})\n", "  Toegevoegd: {1} ({2})\n"},
    {M::kAttachAskUnreadable, "The file {1} cannot be attached: {2}.",
     "Het bestand {1} kan niet worden bijgevoegd: {2}."},
    {M::kAttachAskEmpty, "The file {1} is empty: there is nothing to send.",
     "Het bestand {1} is leeg: er is niets te versturen."},
    {M::kAttachAskTooLarge, "The file {1} is too large ({2}); this relay accepts files up to {3}.",
     "Het bestand {1} is te groot ({2}); deze server neemt bestanden tot {3} aan."},
    {M::kAttachAskNotLockable,
     "The file {1} ({2}) does not fit in the memory this program may lock ({3} left), so it could be\n"
     "written to disk (swap). Choose a smaller file. A higher limit (`ulimit -l`; see docs/reporter-client.md)\n"
     "counts only for a new run of the program, not for this one.",
     "Het bestand {1} ({2}) past niet in het geheugen dat dit programma mag vastzetten (nog {3} over), dus\n"
     "kan het op schijf belanden (swap). Kies een kleiner bestand. Een hogere grens (`ulimit -l`; zie\n"
     "docs/reporter-client.md) geldt pas als je het programma opnieuw start, niet voor deze keer."},
    {M::kAttachAskDuplicate, "The file {1} is already attached.", "Het bestand {1} is al bijgevoegd."},
    {M::kAttachAskTooMany, "At most {1} files per message: that line was not added. An empty line ends the list.",
     "Hoogstens {1} bestanden per bericht: die regel is niet toegevoegd. Een lege regel sluit de lijst af."},
    {M::kAttachAskTooLong, "That line is too long to be the path of a file.",
     "Die regel is te lang voor het pad van een bestand."},
    {M::kAttachAskControl,
     "That line holds control characters, so it was not used. This prompt has no line editing: the arrow\n"
     "keys, Tab and the like put such characters in. Type or paste the path only.",
     "Die regel bevat stuurtekens en is daarom niet gebruikt. Bij deze vraag kun je niet bewerken: de\n"
     "pijltjestoetsen, Tab en dergelijke voegen zulke tekens in. Typ of plak alleen het pad."},
    {M::kAttachAskAgain, "Type another file, or press Enter to go on without it.\n",
     "Typ een ander bestand, of druk op Enter om zonder verder te gaan.\n"},
    {M::kAttachAskGaveUp, "{1} files in a row could not be attached; nothing was sent.",
     "{1} bestanden achter elkaar konden niet worden bijgevoegd; er is niets verstuurd."},
    {M::kAttachAskPipedRefused,
     "File {1} on standard input cannot be attached: {2}. Nothing was sent. When the answers do not come\n"
     "from a terminal, nobody can answer the question again: the list of files must name only files that\n"
     "can be attached, and end with an empty line.",
     "Bestand {1} op de standaardinvoer kan niet worden bijgevoegd: {2}. Er is niets verstuurd. Als de\n"
     "antwoorden niet van een terminal komen, kan niemand de vraag opnieuw beantwoorden: de lijst met\n"
     "bestanden mag alleen bestanden noemen die kunnen worden bijgevoegd, en moet eindigen met een lege\n"
     "regel."},
    {M::kAttachAskAlreadyFull,
     "{1} files are already attached with --attach, the most a message can have: no more are asked for.\n",
     "Er zijn al {1} bestanden bijgevoegd met --attach, het meeste dat een bericht kan hebben: er wordt niet\n"
     "om meer gevraagd.\n"},

    // ---- why a file cannot be attached (without its name) ----
    {M::kAttachReasonNotFound, "there is no such file", "dat bestand bestaat niet"},
    {M::kAttachReasonNotRegular, "it is not a regular file (but a folder, a device or a pipe)",
     "het is geen gewoon bestand (maar een map, een apparaat of een pipe)"},
    {M::kAttachReasonNoPermission, "you may not read it (no permission)",
     "je mag het niet lezen (geen toestemming)"},
    {M::kAttachReasonChanged,
     "it changed while it was being read (another program is writing it: close that program first)",
     "het veranderde terwijl het werd gelezen (een ander programma schrijft erin: sluit dat eerst)"},
    {M::kAttachReasonSystem, "the system says: {1}", "het systeem meldt: {1}"},
    {M::kAttachReasonOther, "it cannot be read", "het kan niet worden gelezen"},
    {M::kAttachReasonEmpty, "it is empty: there is nothing to send", "het is leeg: er is niets te versturen"},
    {M::kAttachReasonTooLarge, "it is too large ({1}); this relay accepts files up to {2}",
     "het is te groot ({1}); deze server neemt bestanden tot {2} aan"},
    {M::kAttachReasonNotLockable, "it ({1}) does not fit in the memory this program may lock ({2} left)",
     "het ({1}) past niet in het geheugen dat dit programma mag vastzetten (nog {2} over)"},
    {M::kAttachReasonDuplicate, "it is already attached", "het is al bijgevoegd"},
    {M::kAttachReasonTooLong, "the line is too long to be the path of a file",
     "de regel is te lang voor het pad van een bestand"},
    {M::kAttachReasonControl, "the line holds control characters", "de regel bevat stuurtekens"},
    {M::kAttachReasonFull, "a message has at most {1} files", "een bericht heeft hoogstens {1} bestanden"},

    // ---- roles ----
    {M::kRoleInternal, "internal confidential adviser", "interne vertrouwenspersoon"},
    {M::kRoleExternal, "external confidential adviser", "externe vertrouwenspersoon"},
    {M::kRoleCommittee, "complaints committee", "klachtencommissie"},
    {M::kRoleIntegrity, "integrity officer", "integriteitsfunctionaris"},
    {M::kNoOneTimePrekey,
     "Note: the relay had no one-time key left for {1} (used up, or withheld). Your message went\n"
     "without one. It is still encrypted to the adviser's current medium-term key, which the adviser's\n"
     "program erases within about four weeks. Until then, someone who gets both a copy of the relay's\n"
     "data and that adviser's key file and passphrase could still read it; afterwards nobody can. With a\n"
     "one-time key that window closes as soon as the adviser has read your message.\n",
     "Let op: de relay had geen eenmalige sleutel meer voor {1} (op, of achtergehouden). Je bericht is\n"
     "zonder verstuurd. Het is nog steeds versleuteld voor de huidige middellange sleutel van de adviseur,\n"
     "die het programma van de adviseur binnen ongeveer vier weken wist. Tot dan kan iemand die zowel een\n"
     "kopie van de gegevens van de relay als het sleutelbestand en wachtwoord van die adviseur in handen\n"
     "krijgt het nog lezen; daarna niemand meer. Met een eenmalige sleutel sluit die periode zodra de\n"
     "adviseur je bericht heeft gelezen.\n"},
    {M::kNoMediumPrekey,
     "Nothing was sent: the relay has no current signed key for {1}, so a message to this adviser\n"
     "could not be sent with forward secrecy. The adviser has not opened their inbox since being added,\n"
     "or not for more than two weeks (or the relay withholds the key). Try again in a few days, choose\n"
     "another adviser, or tell the organisation.",
     "Er is niets verstuurd: de relay heeft geen geldige ondertekende sleutel voor {1}, dus een bericht\n"
     "aan deze adviseur kon niet met voorwaartse geheimhouding worden verstuurd. De adviseur heeft de\n"
     "inbox niet geopend sinds die is toegevoegd, of al meer dan twee weken niet (of de relay houdt de\n"
     "sleutel achter). Probeer het over een paar dagen opnieuw, kies een andere adviseur, of laat het de\n"
     "organisatie weten."},
};

static_assert(std::size(kTable) == static_cast<std::size_t>(Msg::kCount), "every Msg needs exactly one table row");

constexpr bool table_in_order() {
  for (std::size_t i = 0; i < std::size(kTable); ++i) {
    if (static_cast<std::size_t>(kTable[i].key) != i) return false;
  }
  return true;
}
static_assert(table_in_order(), "the text table must list the keys in Msg order");

bool starts_with_nl(const char* value) {
  return value != nullptr && value[0] == 'n' && value[1] == 'l' &&
         (value[2] == '\0' || value[2] == '_' || value[2] == '.' || value[2] == '@');
}

}  // namespace

const TextEntry* text_table(std::size_t& count) {
  count = std::size(kTable);
  return kTable;
}

std::string_view text(Lang lang, Msg key) {
  const TextEntry& e = kTable[static_cast<std::size_t>(key)];
  return lang == Lang::kNl ? e.nl : e.en;
}

std::string format(Lang lang, Msg key, std::initializer_list<std::string_view> args) {
  const std::string_view t = text(lang, key);
  std::string out;
  out.reserve(t.size() + 32);
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '{' && i + 2 < t.size() && t[i + 1] >= '1' && t[i + 1] <= '9' && t[i + 2] == '}') {
      const auto n = static_cast<std::size_t>(t[i + 1] - '1');
      if (n < args.size()) out.append(*(args.begin() + n));
      i += 2;
    } else {
      out.push_back(t[i]);
    }
  }
  return out;
}

Lang language_from_locale(const char* lc_all, const char* lc_messages, const char* lang) {
  for (const char* v : {lc_all, lc_messages, lang}) {
    if (v != nullptr && v[0] != '\0') return starts_with_nl(v) ? Lang::kNl : Lang::kEn;
  }
  return Lang::kEn;
}

Lang language_from_environment() {
  return language_from_locale(std::getenv("LC_ALL"), std::getenv("LC_MESSAGES"), std::getenv("LANG"));
}

std::string_view role_text(Lang lang, crypto::Role role) {
  switch (role) {
    case crypto::Role::kInternalConfidentialAdviser: return text(lang, Msg::kRoleInternal);
    case crypto::Role::kExternalConfidentialAdviser: return text(lang, Msg::kRoleExternal);
    case crypto::Role::kComplaintsCommittee: return text(lang, Msg::kRoleCommittee);
    case crypto::Role::kIntegrityOfficer: return text(lang, Msg::kRoleIntegrity);
  }
  return text(lang, Msg::kRoleInternal);
}

}  // namespace meldpunt::reporter
