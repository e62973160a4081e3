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
