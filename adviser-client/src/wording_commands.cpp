#include "wording_commands.hpp"

#include <iterator>

namespace meldpunt::adviser {
namespace {

struct TellRow {
  Tell key;
  cli::Text text;
};

constexpr TellRow kTell[] = {
    {Tell::kPassphrasePrompt, {"Passphrase: ", "Wachtwoord: "}},
    {Tell::kReadingPassphrase, {"reading the passphrase: {1}", "het wachtwoord lezen: {1}"}},
    {Tell::kExportPassphrasePrompt, {"Export passphrase: ", "Wachtwoord van de export: "}},
    {Tell::kNewPassphrase,
     {"New passphrase {1} (at least {2} characters): ", "Nieuw wachtwoord {1} (minstens {2} tekens): "}},
    {Tell::kForKeyFile, {"for your adviser key file", "voor je sleutelbestand"}},
    {Tell::kForExport, {"for this export", "voor deze export"}},
    {Tell::kNothingCreated, {"nothing was created", "er is niets aangemaakt"}},
    {Tell::kNothingWritten, {"nothing was written", "er is niets geschreven"}},
    {Tell::kNothingSent, {"nothing was sent", "er is niets verstuurd"}},
    {Tell::kNothingSaved, {"nothing was saved", "er is niets bewaard"}},
    {Tell::kWhatReply, {"the reply", "het antwoord"}},
    {Tell::kWhatNote, {"the note", "de notitie"}},
    {Tell::kWhatAcknowledgement, {"the acknowledgement", "de ontvangstbevestiging"}},
    {Tell::kWhatHandoverNote, {"the note for the reporter", "de toelichting voor de melder"}},
    {Tell::kTextTooLong, {"{1} is longer than {2} bytes; {3}", "{1} is langer dan {2} bytes; {3}"}},
    {Tell::kTextEmpty, {"{1} is empty; {2}", "{1} is leeg; {2}"}},
    {Tell::kTextNotUtf8, {"{1} is not UTF-8 text; {2}", "{1} is geen UTF-8-tekst; {2}"}},
    {Tell::kNoIdentity,
     {"no adviser identity in {1} (create one with `adviser-client init`, or pass --home)",
      "geen identiteit van een vertrouwenspersoon in {1} (maak er een met `adviser-client init`, of geef --home)"}},
    {Tell::kNoChannel,
     {"no channel address: give --channel ADDRESS (from the administrator; `relay address` prints it). "
      "After a command with it worked, it is kept in {1} and --channel may be left out",
      "geen kanaaladres: geef --channel ADRES (van de beheerder; `relay address` toont het). Nadat een "
      "opdracht ermee lukte, wordt het bewaard in {1} en mag --channel wegblijven"}},
    {Tell::kOldChannelForm,
     {"note: this channel address has the old form (meldpunt1:) without check characters; a copy mistake "
      "then shows only as a failed connection or a refused directory. Ask the administrator for the "
      "current address (`relay address` prints one starting with meldpunt2:).",
      "let op: dit kanaaladres heeft de oude vorm (meldpunt1:) zonder controletekens; een kopieerfout "
      "blijkt dan pas uit een mislukte verbinding of een geweigerde adviseurslijst. Vraag de beheerder om "
      "het huidige adres (`relay address` toont er een dat met meldpunt2: begint)."}},
    {Tell::kChannelNotStored,
     {"the channel address worked but could not be stored: {1}",
      "het kanaaladres werkte maar kon niet worden bewaard: {1}"}},
    {Tell::kChannelStored,
     {"channel address stored in {1}; later commands may leave out --channel",
      "kanaaladres bewaard in {1}; latere opdrachten mogen --channel weglaten"}},
    {Tell::kChannelChanged, {"channel address changed; stored in {1}", "kanaaladres gewijzigd; bewaard in {1}"}},
    {Tell::kRelayBusy,
     {"the relay is busy; trying again in {1} s (attempt {2} of {3})",
      "de server is druk; nieuwe poging over {1} s (poging {2} van {3})"}},
    {Tell::kRelayUnreachable,
     {"cannot reach the relay at {1} (no answer); check the channel address and that the relay is running",
      "de server op {1} is niet bereikbaar (geen antwoord); controleer het kanaaladres en of de server draait"}},
    {Tell::kCaseChanged, {"Case {1}: {2} -> {3}   due: {4}", "Zaak {1}: {2} -> {3}   termijn: {4}"}},
    {Tell::kHistOpened, {"case opened (first message received)", "zaak geopend (eerste bericht ontvangen)"}},
    {Tell::kHistStatus, {"status {1} -> {2}", "status {1} -> {2}"}},
    {Tell::kHistMoved, {"reporter moved to a new code", "melder is naar een nieuwe code verhuisd"}},
    {Tell::kHistNote, {"private note added", "eigen notitie toegevoegd"}},
    {Tell::kHistAckSent, {"acknowledgement sent to the reporter", "ontvangstbevestiging naar de melder gestuurd"}},
    {Tell::kHistExported, {"case exported", "zaak geëxporteerd"}},
    {Tell::kHistHandoverProposed, {"hand-over proposed to the reporter", "overdracht aan de melder voorgesteld"}},
    {Tell::kHistHandedOver,
     {"the reporter accepted the hand-over; the other adviser has the case now",
      "de melder nam de overdracht aan; de andere adviseur heeft de zaak nu"}},
    {Tell::kHistHandoverDeclined,
     {"the reporter declined the hand-over; the case stays here",
      "de melder wees de overdracht af; de zaak blijft hier"}},
    {Tell::kHistReceivedByHandover,
     {"case received by hand-over, with the reporter's consent",
      "zaak ontvangen door overdracht, met toestemming van de melder"}},
    {Tell::kHistHandoverLapsed,
     {"open hand-over proposals lapsed: the reporter moved to a new code (propose again if needed)",
      "open overdrachtsvoorstellen vervallen: de melder is naar een nieuwe code verhuisd (stel zo nodig "
      "opnieuw voor)"}},
    {Tell::kHistUnknown, {"unknown event", "onbekende gebeurtenis"}},
    {Tell::kSettingsSaved, {"Settings saved.", "Instellingen bewaard."}},
    {Tell::kStatsHeading,
     {"Cases of this adviser (role: {1}): {2}", "Zaken van deze vertrouwenspersoon (rol: {1}): {2}"}},
    {Tell::kStatsSuppressed, {"Counts below {1} are shown as <{1}.", "Aantallen onder {1} staan er als <{1}."}},
    {Tell::kStatsByMonth, {"By month of the first message (UTC):", "Per maand van het eerste bericht (UTC):"}},
    {Tell::kStatsNone, {"(none)", "(geen)"}},
    {Tell::kStatsByStatus, {"By status:", "Per status:"}},
    {Tell::kStatsByGroup, {"By group filed under:", "Per groep waaronder geordend:"}},
    {Tell::kStatsByKind, {"By kind filed under:", "Per soort waaronder geordend:"}},
    {Tell::kStatsMedian, {"Median time to acknowledgement: ", "Mediane tijd tot de ontvangstbevestiging: "}},
    {Tell::kStatsMedianValue, {"{1} hours ({2} days)", "{1} uur ({2} dagen)"}},
    {Tell::kStatsMedianHidden,
     {"not shown (fewer than {1} acknowledged cases)", "niet getoond (minder dan {1} bevestigde zaken)"}},
    {Tell::kAttachmentsOnly, {" (attachments only)", " (alleen bijlagen)"}},
    {Tell::kReplySent, {"Reply sent in case {1} ({2} bytes).", "Antwoord verstuurd in zaak {1} ({2} bytes)."}},
    {Tell::kReplyAcknowledged,
     {"Case {1} acknowledged with this reply; status acknowledged.   due: {2}",
      "Zaak {1} met dit antwoord bevestigd; status acknowledged.   termijn: {2}"}},
    {Tell::kReplyLeftNew,
     {"Case {1} stays new (not acknowledged): its acknowledgement is still due. Acknowledge it with "
      "`adviser-client status {1} acknowledged`, or reply with --acknowledge.",
      "Zaak {1} blijft nieuw (niet bevestigd): de ontvangstbevestiging moet nog. Bevestig met "
      "`adviser-client status {1} acknowledged`, of antwoord met --acknowledge."}},
    {Tell::kAckQuestion,
     {"Case {1} is still new. Mark it acknowledged with this reply (the reply then counts as the "
      "acknowledgement of receipt)? [y/n] ",
      "Zaak {1} is nog nieuw. Met dit antwoord als bevestigd markeren (het antwoord geldt dan als "
      "ontvangstbevestiging)? [j/n] "}},
    {Tell::kAnswerYesNo, {"Please answer y or n.", "Antwoord met j of n."}},
    {Tell::kAckSent,
     {"Acknowledgement sent in case {1}; status acknowledged.   due: {2}",
      "Ontvangstbevestiging verstuurd in zaak {1}; status acknowledged.   termijn: {2}"}},
    {Tell::kLabelGive, {"label: give TEXT or --clear", "label: geef TEKST of --clear"}},
    {Tell::kLabelPrompt,
     {"Label for case {1} (one line; Enter alone gives up): ",
      "Label voor zaak {1} (één regel; alleen Enter ziet ervan af): "}},
    {Tell::kLabelRemoved, {"Label of case {1} removed.", "Label van zaak {1} verwijderd."}},
    {Tell::kLabelNone, {"Case {1} had no label.", "Zaak {1} had geen label."}},
    {Tell::kLabelled,
     {"Case {1} labelled [{2}] (kept in your encrypted store only; never sent).",
      "Zaak {1} kreeg het label [{2}] (alleen in je versleutelde opslag bewaard; nooit verstuurd)."}},
    {Tell::kRelabelled,
     {"Case {1} relabelled [{2}] (kept in your encrypted store only; never sent).",
      "Zaak {1} kreeg een nieuw label [{2}] (alleen in je versleutelde opslag bewaard; nooit verstuurd)."}},
    {Tell::kReadLabel,
     {"Label: [{1}]   (yours only; change it with `adviser-client label {2}`)",
      "Label: [{1}]   (alleen van jou; wijzig het met `adviser-client label {2}`)"}},
    {Tell::kSearchBad,
     {"search for 1 to {1} bytes of one line of text (no control or invisible characters)",
      "zoek naar 1 tot {1} bytes tekst op één regel (geen stuur- of onzichtbare tekens)"}},
    {Tell::kSearchPrompt,
     {"Search for (one line; Enter alone gives up): ", "Zoek naar (één regel; alleen Enter ziet ervan af): "}},
    {Tell::kNothingGiven, {"nothing given; nothing was done", "niets opgegeven; er is niets gedaan"}},
    {Tell::kSearchCase, {"Case {1} ({2})", "Zaak {1} ({2})"}},
    {Tell::kPlaceLabel, {"label", "label"}},
    {Tell::kPlaceNote, {"note {1}, {2}", "notitie {1}, {2}"}},
    {Tell::kPlaceMessage, {"message {1} ({2}, {3})", "bericht {1} ({2}, {3})"}},
    {Tell::kFromEarlierAdviser, {"earlier adviser", "eerdere adviseur"}},
    {Tell::kSearchMoreNotListed,
     {", {1} more not listed (search for more words)", ", nog {1} niet getoond (zoek op meer woorden)"}},
    {Tell::kSearchReadOne,
     {". Read one with `adviser-client read CASE`.", ". Lees er een met `adviser-client read ZAAK`."}},
    {Tell::kExported,
     {"Case {1} exported to {2} (encrypted; open it with `adviser-client export-open {2}`).",
      "Zaak {1} geëxporteerd naar {2} (versleuteld; open het met `adviser-client export-open {2}`)."}},
    {Tell::kExportedPlain,
     {"Case {1} exported to {2} as PLAIN TEXT: anyone who can read the file can read the case.",
      "Zaak {1} geëxporteerd naar {2} als PLATTE TEKST: wie het bestand kan lezen, kan de zaak lezen."}},
    {Tell::kNoteSaved,
     {"Private note saved in case {1} (kept in your encrypted store only; never sent).",
      "Eigen notitie bewaard in zaak {1} (alleen in je versleutelde opslag; nooit verstuurd)."}},
    {Tell::kNotesHeader,
     {"Private notes of case {1} (never sent): {2}", "Eigen notities van zaak {1} (nooit verstuurd): {2}"}},
    {Tell::kUnfiled,
     {"Case {1} is no longer filed under a group or kind.", "Zaak {1} valt niet meer onder een groep of soort."}},
    {Tell::kFiled,
     {"Case {1} filed under group {2}, kind {3} (kept in your encrypted store; counted by `stats`).",
      "Zaak {1} geordend onder groep {2}, soort {3} (bewaard in je versleutelde opslag; geteld door `stats`)."}},
    {Tell::kFileGive,
     {"file: give --group, --kind or both (or --clear)", "file: geef --group, --kind of beide (of --clear)"}},
    {Tell::kShellNeedsTerminal,
     {"shell needs a terminal; in scripts run the commands one by one (adviser-client COMMAND)",
      "shell heeft een terminal nodig; voer in scripts de opdrachten een voor een uit (adviser-client OPDRACHT)"}},
    {Tell::kShellUnlocked,
     {"Unlocked. Type commands as on the command line without `adviser-client` (cases, read CASE, inbox, ...);\n"
      "`help` lists them, `lock` locks now, `exit` or Ctrl-D leaves. Locks after {1} without use.",
      "Ontgrendeld. Typ opdrachten zoals op de opdrachtregel, zonder `adviser-client` (cases, read ZAAK, inbox, ...);\n"
      "`help` toont ze, `lock` vergrendelt meteen, `exit` of Ctrl-D stopt. Vergrendelt na {1} zonder gebruik."}},
    {Tell::kShellLockedIdle, {"Locked after {1} without use.", "Vergrendeld na {1} zonder gebruik."}},
    {Tell::kShellLocked, {"Locked.", "Vergrendeld."}},
    {Tell::kShellLockedDetail,
     {"The key is wiped from memory and the history cleared; the next command asks for the passphrase.",
      "De sleutel is uit het geheugen gewist en de geschiedenis leeggemaakt; de volgende opdracht vraagt "
      "om het wachtwoord."}},
    {Tell::kShellLockedWhileRunning,
     {"Locked after {1} without use. The key is wiped from the shell's memory and the history cleared. A "
      "command waiting for you is ended; a command at work finishes, and the next command asks for the passphrase.",
      "Vergrendeld na {1} zonder gebruik. De sleutel is uit het geheugen van de shell gewist en de "
      "geschiedenis leeggemaakt. Een opdracht die op jou wacht wordt beëindigd; een opdracht die bezig is "
      "maakt zijn werk af, en de volgende opdracht vraagt om het wachtwoord."}},
    {Tell::kShellCommandEnded,
     {"The command waited for you past the idle time and was ended (a draft in the editor is wiped; what "
      "it had not sent was not sent). The next command asks for the passphrase.",
      "De opdracht wachtte langer dan de wachttijd op jou en is beëindigd (een concept in de editor is "
      "gewist; wat nog niet verstuurd was, is niet verstuurd). De volgende opdracht vraagt om het wachtwoord."}},
    {Tell::kShellLockedAfterCommand,
     {"The shell is locked; the next command asks for the passphrase.",
      "De shell is vergrendeld; de volgende opdracht vraagt om het wachtwoord."}},
    {Tell::kShellCancelled, {"Cancelled.", "Afgebroken."}},
    {Tell::kShellAbnormalEnd, {"The command ended abnormally.", "De opdracht eindigde onverwacht."}},
    {Tell::kShellCannotStart,
     {"adviser-client: cannot start the command (fork failed)",
      "adviser-client: de opdracht kan niet starten (fork mislukt)"}},
    {Tell::kShellUnclosedQuote,
     {"the line has an unclosed quote; nothing was run",
      "de regel heeft een aanhalingsteken dat niet gesloten is; er is niets uitgevoerd"}},
    {Tell::kShellAlreadyIn, {"already in the shell", "je bent al in de shell"}},
    {Tell::kShellKeyChanged,
     {"The key file no longer opens with the passphrase this shell was unlocked with (changed with "
      "`passphrase`?); locked. The next command asks for the passphrase.",
      "Het sleutelbestand gaat niet meer open met het wachtwoord waarmee deze shell is ontgrendeld "
      "(gewijzigd met `passphrase`?); vergrendeld. De volgende opdracht vraagt om het wachtwoord."}},
    {Tell::kShellNotUnlocked, {"Not unlocked.", "Niet ontgrendeld."}},
    {Tell::kShellNoLineEditing, {"cannot start line editing (libedit)", "regelbewerking kan niet starten (libedit)"}},
    {Tell::kShellHelp,
     {"Commands are those of adviser-client, typed without `adviser-client` (and without --home):\n"
      "  cases   read CASE   inbox   reply CASE --file F   note CASE   status CASE closed   ...\n"
      "  COMMAND --help    what a command takes\n"
      "  help              this text and the list of commands\n"
      "  lock              wipe the key from memory now (the next command asks for the passphrase)\n"
      "  exit, Ctrl-D      leave the shell (also wipes the key)\n"
      "Tab completes command names and case ids; Ctrl-C cancels the line or the running command.\n"
      "The history is kept in memory only, never written to disk, and wiped on lock and exit. The shell locks\n"
      "itself after {1} without a keystroke, also while a command waits for you.\n"
      "\n",
      "Opdrachten zijn die van adviser-client, getypt zonder `adviser-client` (en zonder --home):\n"
      "  cases   read ZAAK   inbox   reply ZAAK --file F   note ZAAK   status ZAAK closed   ...\n"
      "  OPDRACHT --help   wat een opdracht aanneemt\n"
      "  help              deze tekst en de lijst met opdrachten\n"
      "  lock              wis de sleutel nu uit het geheugen (de volgende opdracht vraagt om het wachtwoord)\n"
      "  exit, Ctrl-D      verlaat de shell (wist ook de sleutel)\n"
      "Tab vult opdrachten en zaaknummers aan; Ctrl-C breekt de regel of de lopende opdracht af.\n"
      "De geschiedenis staat alleen in het geheugen, wordt nooit naar schijf geschreven en wordt gewist bij\n"
      "vergrendelen en afsluiten. De shell vergrendelt zichzelf na {1} zonder toetsaanslag, ook terwijl een\n"
      "opdracht op jou wacht.\n"
      "\n"}},
    {Tell::kForBackup, {"for this backup", "voor deze reservekopie"}},
    {Tell::kNothingChanged, {"nothing was changed", "er is niets gewijzigd"}},
    {Tell::kBackupPassphrasePrompt, {"Backup passphrase: ", "Wachtwoord van de reservekopie: "}},
    {Tell::kAlsoWroteTo, {"The reporter also wrote to: ", "De melder schreef ook aan: "}},
    {Tell::kAdviserById, {"adviser {1}", "adviseur {1}"}},
    {Tell::kNotInDirectory, {"adviser {1} (not in the directory)", "adviseur {1} (niet in de adviseurslijst)"}},
    {Tell::kWroteToYouOnly, {"The reporter wrote to you only.", "De melder schreef alleen aan jou."}},
    {Tell::kHandedToYou,
     {"Handed to you by {1} on {2} with the reporter's consent; earlier messages came with it, as the "
      "reporter's program forwarded them.",
      "Aan jou overgedragen door {1} op {2}, met toestemming van de melder; eerdere berichten kwamen mee, "
      "zoals het programma van de melder ze doorstuurde."}},
    {Tell::kHandedOverTo,
     {"Handed over to {1} on {2} with the reporter's consent; the reporter's new messages go to them.",
      "Overgedragen aan {1} op {2}, met toestemming van de melder; nieuwe berichten van de melder gaan "
      "naar die adviseur."}},
    {Tell::kDeclinedHandoverTo,
     {"The reporter declined the hand-over to {1} ({2}); the case stays with you.",
      "De melder wees de overdracht aan {1} af ({2}); de zaak blijft bij jou."}},
    {Tell::kProposedHandoverTo,
     {"Hand-over to {1} proposed {2}; waiting for the reporter's answer (nothing was sent to them).",
      "Overdracht aan {1} voorgesteld op {2}; wacht op het antwoord van de melder (aan die adviseur is "
      "niets verstuurd)."}},
    {Tell::kNoteHeading, {"--- note {1}, {2} ---", "--- notitie {1}, {2} ---"}},
    {Tell::kEarlierVerified,
     {" (before the hand-over, as forwarded by the reporter; signature verified)",
      " (van vóór de overdracht, zoals de melder het doorstuurde; handtekening gecontroleerd)"}},
    {Tell::kEarlierUnverified,
     {"earlier adviser (before the hand-over, as forwarded by the reporter; NOT VERIFIED)",
      "eerdere adviseur (van vóór de overdracht, zoals de melder het doorstuurde; NIET GECONTROLEERD)"}},
    {Tell::kFileNotTransferred, {"(file not transferred: {1}, {2})", "(bestand niet meegekomen: {1}, {2})"}},
    {Tell::kInitDone,
     {"Adviser identity created in {1}\n"
      "  name:       {2}\n"
      "  role:       {3}\n"
      "  adviser id: {4}\n\n"
      "Your adviser card (also in {5}):\n\n{6}\n\n"
      "Next steps:\n"
      "  1. Give the card to the administrator (it holds only public keys). Compare the adviser id\n"
      "     above with the one `relay directory sign` prints, by phone or in person.\n"
      "  2. The administrator signs a directory with it and publishes it:\n"
      "       relay directory sign --org-key org.key --adviser card.txt ... --serial N --out dir.signed\n"
      "       relay directory publish --channel ADDRESS --file dir.signed\n"
      "  3. Run `adviser-client inbox --channel ADDRESS` to upload prekeys and collect reports\n"
      "     (the address is then kept; later commands may leave out --channel).\n"
      "Keep the passphrase safe: without it the key file and every case stored here cannot be opened.\n",
      "Identiteit van de vertrouwenspersoon aangemaakt in {1}\n"
      "  naam:        {2}\n"
      "  rol:         {3}\n"
      "  adviseur-id: {4}\n\n"
      "Je adviseurskaart (ook in {5}):\n\n{6}\n\n"
      "Volgende stappen:\n"
      "  1. Geef de kaart aan de beheerder (er staan alleen openbare sleutels op). Vergelijk het\n"
      "     adviseur-id hierboven met het id dat `relay directory sign` toont, telefonisch of persoonlijk.\n"
      "  2. De beheerder ondertekent er een adviseurslijst mee en publiceert die:\n"
      "       relay directory sign --org-key org.key --adviser card.txt ... --serial N --out dir.signed\n"
      "       relay directory publish --channel ADRES --file dir.signed\n"
      "  3. Voer `adviser-client inbox --channel ADRES` uit om prekeys te uploaden en meldingen op te halen\n"
      "     (het adres wordt dan bewaard; latere opdrachten mogen --channel weglaten).\n"
      "Bewaar het wachtwoord goed: zonder wachtwoord zijn het sleutelbestand en alle zaken hier niet te openen.\n"}},
    {Tell::kChannelForgotten,
     {"Channel address forgotten; the next network command needs --channel.",
      "Kanaaladres vergeten; de volgende opdracht via het netwerk heeft --channel nodig."}},
    {Tell::kChannelNoneKept, {"No channel address was kept.", "Er stond geen kanaaladres bewaard."}},
    {Tell::kChannelCannotRemove, {"cannot remove {1}: {2}", "{1} kan niet worden verwijderd: {2}"}},
    {Tell::kChannelNotKept,
     {"no channel address kept in {1}; one is kept after a network command with --channel ADDRESS worked",
      "er is geen kanaaladres bewaard in {1}; het wordt bewaard nadat een opdracht via het netwerk met "
      "--channel ADRES lukte"}},
    {Tell::kPassphraseChanged,
     {"Passphrase changed. The old passphrase no longer opens {1}; copies of the key file made before (backups) "
      "still open with it.",
      "Wachtwoord gewijzigd. Het oude wachtwoord opent {1} niet meer; kopieën van het sleutelbestand van "
      "eerder (reservekopieën) gaan er nog wel mee open."}},
    {Tell::kBackupWritten,
     {"Backup written to {1} ({2} bytes, encrypted under the backup passphrase; the key file inside still needs "
      "your passphrase).\nRestore it with `adviser-client restore --from {1} --home NEW-FOLDER`.",
      "Reservekopie geschreven naar {1} ({2} bytes, versleuteld met het wachtwoord van de reservekopie; het "
      "sleutelbestand erin heeft nog steeds je eigen wachtwoord nodig).\nZet haar terug met "
      "`adviser-client restore --from {1} --home NIEUWE-MAP`."}},
    {Tell::kRestoredChecking,
     {"Restored into {1}. Checking it with your adviser passphrase.",
      "Teruggezet in {1}. Nu wordt ze gecontroleerd met je eigen wachtwoord."}},
    {Tell::kHandoverProposed,
     {"Hand-over of case {1} to {2} ({3}) proposed to the reporter.\n"
      "The reporter sees the proposal at their next `check` and accepts or declines. Nothing is sent to {2} "
      "unless the reporter accepts; then their client sends {2} the conversation and `adviser-client inbox` "
      "shows the answer here.",
      "Overdracht van zaak {1} aan {2} ({3}) aan de melder voorgesteld.\n"
      "De melder ziet het voorstel bij de volgende `check` en neemt het aan of wijst het af. Aan {2} wordt "
      "niets verstuurd tenzij de melder het aanneemt; dan stuurt het programma van de melder het gesprek naar "
      "{2}, en toont `adviser-client inbox` hier het antwoord."}},
    {Tell::kHandoverEarlierOpen,
     {"Your earlier proposals for this case stay open until the reporter answers one: whichever the reporter\n"
      "accepts first takes effect.",
      "Je eerdere voorstellen voor deze zaak blijven open tot de melder er een beantwoordt: wat de melder het\n"
      "eerst aanneemt, geldt."}},
    {Tell::kSaveNoFolder, {"--save: no folder {1}; create it first", "--save: er is geen map {1}; maak haar eerst"}},
    {Tell::kAttachmentSaveHint,
     {"Save it with `adviser-client attachment {1} {2} --save FOLDER` (it is never opened or run by this program)",
      "Sla haar op met `adviser-client attachment {1} {2} --save MAP` (dit programma opent of start haar nooit)"}},
    {Tell::kAttachmentSaved,
     {"Saved as {1} (mode 0600, not executable; checksum verified). It is now outside the encrypted case store:\n"
      "delete it when you no longer need it, and open it only with a program you trust for this kind of file.",
      "Opgeslagen als {1} (modus 0600, niet uitvoerbaar; controlegetal klopt). Het staat nu buiten de versleutelde\n"
      "zaakopslag: verwijder het als je het niet meer nodig hebt, en open het alleen met een programma dat je\n"
      "voor dit soort bestanden vertrouwt."}},
    {Tell::kAttIntact, {"intact", "in orde"}},
    {Tell::kAttIncomplete,
     {"INCOMPLETE ({1} of {2} pieces; the rest may still arrive with the next inbox)",
      "ONVOLLEDIG ({1} van {2} stukken; de rest kan nog komen met de volgende inbox)"}},
    {Tell::kAttDamaged,
     {"DAMAGED (does not match its checksum; cannot be saved)",
      "BESCHADIGD (klopt niet met het controlegetal; niet op te slaan)"}},
    {Tell::kAttUnknown, {"unknown", "onbekend"}},
    {Tell::kAttFromReporter, {"from the reporter", "van de melder"}},
    {Tell::kAttSentByYou, {"sent by you", "door jou verstuurd"}},
    {Tell::kAttDetails,
     {"Attachment {1}\n"
      "  name:      {2}\n"
      "  direction: {3}\n"
      "  sent:      {4}\n"
      "  size:      {5} ({6} bytes)\n"
      "  pieces:    {7} of {8}\n"
      "  state:     {9}\n",
      "Bijlage {1}\n"
      "  naam:      {2}\n"
      "  richting:  {3}\n"
      "  verstuurd: {4}\n"
      "  grootte:   {5} ({6} bytes)\n"
      "  stukken:   {7} van {8}\n"
      "  staat:     {9}\n"}},
    {Tell::kAttChecksum,
     {"  BLAKE2b-256: {1}   (check a saved copy with: b2sum -l 256 FILE)\n",
      "  BLAKE2b-256: {1}   (controleer een opgeslagen kopie met: b2sum -l 256 BESTAND)\n"}},
    {Tell::kRefusedInCase,
     {"case {1}: a message the reporter sent with the code they had moved away from was refused and deleted "
      "(its text is not kept); ask in this case whether anything is missing.",
      "zaak {1}: een bericht dat de melder verstuurde met de code waarvan die verhuisd was, is geweigerd en "
      "verwijderd (de tekst is niet bewaard); vraag in deze zaak of er iets ontbreekt."}},
    {Tell::kWatchStartOnce,
     {"watching {1} once; notifying through {2}", "haalt één keer op bij {1}; meldt via {2}"}},
    {Tell::kWatchStartEvery,
     {"watching {1} every {2}; notifying through {3}. Ctrl-C or SIGTERM stops.",
      "haalt elke {2} op bij {1}; meldt via {3}. Ctrl-C of SIGTERM stopt."}},
    {Tell::kWatchThroughDesktop, {"desktop", "bureaublad"}},
    {Tell::kWatchThroughCommand, {"command", "opdracht"}},
    {Tell::kWatchThroughEmail, {"e-mail", "e-mail"}},
    {Tell::kWatchThroughOutput, {"this output only", "alleen deze uitvoer"}},
    {Tell::kWatchAgainNextRun, {"at the next run", "bij de volgende keer"}},
    {Tell::kWatchAgainIn, {"in {1}", "over {1}"}},
    {Tell::kWatchRetry,
     {"adviser-client watch: {1}; trying again {2}", "adviser-client watch: {1}; nieuwe poging {2}"}},
    {Tell::kWatchFetchFailed,
     {"adviser-client watch: fetching failed ({1}); trying again {2}",
      "adviser-client watch: ophalen mislukt ({1}); nieuwe poging {2}"}},
    {Tell::kWatchNoAnswer, {"the relay at {1} did not answer", "de server op {1} antwoordde niet"}},
    {Tell::kWatchNotifyFailed,
     {"adviser-client watch: {1}; watching goes on", "adviser-client watch: {1}; watch gaat door"}},
    {Tell::kWatchStopped, {"stopped", "gestopt"}},
    {Tell::kNotifyDesktopFailed,
     {"the desktop notification (notify-send) failed: {1}", "de melding op het bureaublad (notify-send) mislukte: {1}"}},
    {Tell::kNotifyCommandFailed,
     {"the notification command failed: {1}", "de opdracht voor meldingen mislukte: {1}"}},
    {Tell::kNotifyMailFailed, {"the e-mail ({1} -t) failed: {2}", "de e-mail ({1} -t) mislukte: {2}"}},
    {Tell::kNotifyNoPipe, {"cannot create a pipe: {1}", "er kan geen pijp worden gemaakt: {1}"}},
    {Tell::kNotifyCannotRun, {"cannot run {1}: {2}", "{1} kan niet worden gestart: {2}"}},
    {Tell::kNotifyTooSlow,
     {"did not finish within {1} s; stopped", "was na {1} s niet klaar; gestopt"}},
    {Tell::kNotifyExited, {"exited with {1}", "stopte met afsluitcode {1}"}},
    {Tell::kNotifySignal, {"ended by signal {1}", "beëindigd door signaal {1}"}},
    {Tell::kNotifyLost, {"lost track of {1}", "het programma {1} is niet meer te volgen"}},
    {Tell::kMailAddressBad,
     {"--mail-to: not a plain e-mail address (name@example.org)",
      "--mail-to: geen gewoon e-mailadres (naam@example.org)"}},
    {Tell::kRepeatPassphrase, {"Repeat the passphrase: ", "Herhaal het wachtwoord: "}},
    {Tell::kShellPromptLocked, {"adviser (locked)> ", "adviser (vergrendeld)> "}},
};

constexpr bool in_order() {
  for (std::size_t i = 0; i < std::size(kTell); ++i) {
    if (static_cast<std::size_t>(kTell[i].key) != i) return false;
  }
  return true;
}
static_assert(std::size(kTell) == static_cast<std::size_t>(Tell::kCount), "every Tell needs one row");
static_assert(in_order(), "the rows are in Tell order");

}  // namespace

std::string tell(Lang lang, Tell key, std::initializer_list<std::string_view> args) {
  return cli::fill(cli::pick(lang, kTell[static_cast<std::size_t>(key)].text), args);
}

std::size_t tell_rows() { return std::size(kTell); }
cli::Text tell_row(std::size_t i) { return kTell[i].text; }

}  // namespace meldpunt::adviser
