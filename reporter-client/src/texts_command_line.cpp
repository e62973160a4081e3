// reporter-client texts, English and Dutch: The command line, the directory and the choice of advisers, and typing the
// message.
// One part of the table texts.cpp assembles (texts.hpp).
#include "texts_parts.hpp"

namespace meldpunt::reporter::texts_detail {
namespace {

using M = Msg;

constexpr TextEntry kPart[] = {
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
    {M::kOptTimeout,
     "Seconds to wait for each relay answer (1-600; default 30, or 90 through --proxy)",
     "Seconden wachten op elk antwoord van de server (1-600; standaard 30, of 90 via --proxy)"},
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
    // {1}: english_detail (texts.hpp).
    {M::kEditorUnavailable, "The editor cannot be used here{1}. Type the message instead.\n",
     "De editor kan hier niet worden gebruikt{1}. Typ het bericht hier.\n"},
    {M::kMessageEmpty, "The message is empty; nothing was sent.", "Het bericht is leeg; er is niets verstuurd."},
    {M::kMessageTooLong, "The message is too long (at most {1} bytes); nothing was sent.",
     "Het bericht is te lang (hoogstens {1} bytes); er is niets verstuurd."},
    {M::kMessageEmptyAgain,
     "The message is empty. Write it again, or press Ctrl-C to stop without sending.\n",
     "Het bericht is leeg. Schrijf het opnieuw, of druk op Ctrl-C om te stoppen zonder te versturen.\n"},
    // {1}: the file as given, made safe to show; {2}: english_detail (texts.hpp).
    {M::kMessageFileUnreadable, "The file {1} cannot be read{2}; nothing was sent.",
     "Het bestand {1} kan niet worden gelezen{2}; er is niets verstuurd."},

};
static_assert(consecutive(kPart), "a part lists its keys in Msg order, without gaps");

}  // namespace

std::span<const TextEntry> command_line_texts() { return kPart; }

}  // namespace meldpunt::reporter::texts_detail
