// reporter-client texts, English and Dutch: Attachments (sent, received, asked for, refused), roles and prekeys.
// One part of the table texts.cpp assembles (texts.hpp).
#include "texts_parts.hpp"

namespace meldpunt::reporter::texts_detail {
namespace {

using M = Msg;

constexpr TextEntry kPart[] = {
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
     "Pieces of the attachments (at most {1}) may still be stored at the relay (the upload was interrupted and\n"
     "could not be fully undone); your advisers may still receive them. They expire after {2} days.\n",
     "Stukken van de bijlagen (hoogstens {1}) staan misschien nog bij de server (het versturen werd onderbroken en\n"
     "kon niet helemaal ongedaan worden gemaakt); je adviseurs kunnen ze nog ontvangen. Ze verlopen na {2} dagen.\n"},
    {M::kAttachLeftBehindNoDays,
     "Pieces of the attachments (at most {1}) may still be stored at the relay (the upload was interrupted and\n"
     "could not be fully undone); your advisers may still receive them. They expire by themselves.\n",
     "Stukken van de bijlagen (hoogstens {1}) staan misschien nog bij de server (het versturen werd onderbroken en\n"
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
     "  {1} --save FOLDER\n",
     "Bijlagen worden door dit programma nooit geopend. Om de complete op te slaan (dat laat bestanden achter op\n"
     "deze computer):\n"
     "  {1} --save MAP\n"},
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
static_assert(consecutive(kPart), "a part lists its keys in Msg order, without gaps");

}  // namespace

std::span<const TextEntry> attachments_texts() { return kPart; }

}  // namespace meldpunt::reporter::texts_detail
