#include "wording.hpp"

#include <array>

#include "attachments.hpp"
#include "case_model.hpp"
#include "refusal.hpp"

namespace meldpunt::adviser {
namespace {

struct SayRow {
  Say key;
  cli::Text text;
};

constexpr SayRow kSay[] = {
    {Say::kErrorPrefix, {"adviser-client: error: ", "adviser-client: fout: "}},
    {Say::kWarningPrefix, {"adviser-client: warning: ", "adviser-client: waarschuwing: "}},
    {Say::kNotePrefix, {"adviser-client: note: ", "adviser-client: let op: "}},
    {Say::kInternalPrefix, {"adviser-client: internal error: ", "adviser-client: interne fout: "}},
    {Say::kNoCasesYet, {"No cases yet.\n", "Nog geen zaken.\n"}},
    {Say::kNoCaseMatches, {"No case matches ({1} in all).\n", "Geen zaak voldoet ({1} in totaal).\n"}},
    {Say::kColCase, {"CASE", "ZAAK"}},
    {Say::kColStatus, {"STATUS", "STATUS"}},
    {Say::kColMessages, {"MESSAGES", "BERICHTEN"}},
    {Say::kColDue, {"DUE", "TERMIJN"}},
    {Say::kColLastActivity, {"LAST ACTIVITY", "LAATST ACTIEF"}},
    {Say::kAcknowledgeBy, {"acknowledge by {1}", "ontvangst bevestigen voor {1}"}},
    {Say::kFeedbackBy, {"feedback by {1}", "terugkoppeling voor {1}"}},
    {Say::kOverdue, {" OVERDUE", " TE LAAT"}},
    {Say::kAttachmentsHeading,
     {"\n=== Attachments (never opened here; save one with `adviser-client attachment {1} N --save FOLDER`) ===\n",
      "\n=== Bijlagen (hier nooit geopend; sla er een op met `adviser-client attachment {1} N --save MAP`) ===\n"}},
    {Say::kNotesHeading,
     {"\n=== Your private notes (kept here only, never sent) ===\n",
      "\n=== Je eigen notities (alleen hier bewaard, nooit verstuurd) ===\n"}},
    {Say::kFromReporter, {"reporter", "melder"}},
    {Say::kFromYou, {"you", "jij"}},
    {Say::kHeaderCase,
     {"Case {1}   status: {2}   opened: {3}   messages: {4}\n", "Zaak {1}   status: {2}   geopend: {3}   berichten: {4}\n"}},
    {Say::kHeaderAcknowledged, {"Acknowledged: {1}   due: {2}\n", "Ontvangst bevestigd: {1}   termijn: {2}\n"}},
    {Say::kNotYet, {"not yet", "nog niet"}},
    {Say::kPrekeysNotToppedUp, {"prekeys were not topped up: {1}", "prekeys zijn niet aangevuld: {1}"}},
    {Say::kAttachmentsStored,
     {"Attachment pieces stored: {1}; attachments complete and intact: {2}{3} (see `adviser-client read CASE`).\n",
      "Stukken van bijlagen opgeslagen: {1}; complete bijlagen: {2}{3} (zie `adviser-client read ZAAK`).\n"}},
    {Say::kDamagedPart, {"; {1} DAMAGED (not saveable)", "; {1} BESCHADIGD (niet op te slaan)"}},
    {Say::kAlertAcknowledgeOverdue,
     {"case {1}: acknowledgement overdue since {2}", "zaak {1}: ontvangstbevestiging te laat sinds {2}"}},
    {Say::kAlertFeedbackOverdue, {"case {1}: feedback overdue since {2}", "zaak {1}: terugkoppeling te laat sinds {2}"}},
};

struct TallyRow {
  Tally key;
  cli::Count forms;
};

constexpr TallyRow kTally[] = {
    {Tally::kNewMessages, {"{1} new message", "{1} new messages", "{1} nieuw bericht", "{1} nieuwe berichten"}},
    {Tally::kPrekeysAtRelay,
     {"; {1} prekey at the relay", "; {1} prekeys at the relay", "; {1} prekey bij de server",
      "; {1} prekeys bij de server"}},
    {Tally::kUnread, {"NEW ({1} unread)", "NEW ({1} unread)", "NIEUW ({1} ongelezen)", "NIEUW ({1} ongelezen)"}},
    {Tally::kPiecesWaiting,
     {"{1} attachment piece belongs to a report that has not arrived yet (or to one whose sending was stopped, and "
      "which will not come); it stays at the relay for the next inbox, and expires if its report never comes",
      "{1} attachment pieces belong to a report that has not arrived yet (or to one whose sending was stopped, and "
      "which will not come); they stay at the relay for the next inbox, and expire if their report never comes",
      "{1} stuk van een bijlage hoort bij een melding die nog niet is aangekomen (of waarvan het versturen werd "
      "gestopt); het blijft bij de server voor de volgende inbox, en verloopt als de melding nooit komt",
      "{1} stukken van bijlagen horen bij een melding die nog niet is aangekomen (of waarvan het versturen werd "
      "gestopt); ze blijven bij de server voor de volgende inbox, en verlopen als de melding nooit komt"}},
    {Tally::kFilesRefused,
     {"{1} announced file refused: larger than the relay's attachment limit, or over the case's allowance",
      "{1} announced files refused: larger than the relay's attachment limit, or over the case's allowance",
      "{1} aangekondigd bestand geweigerd: groter dan de bijlagegrens van de server, of boven wat een zaak mag hebben",
      "{1} aangekondigde bestanden geweigerd: groter dan de bijlagegrens van de server, of boven wat een zaak mag "
      "hebben"}},
    {Tally::kPiecesRefused,
     {"{1} attachment piece refused and deleted: the file is larger than the relay's attachment limit, or its case "
      "already holds {2} files or {3} MiB from the reporter",
      "{1} attachment pieces refused and deleted: the file is larger than the relay's attachment limit, or its case "
      "already holds {2} files or {3} MiB from the reporter",
      "{1} stuk van een bijlage geweigerd en verwijderd: het bestand is groter dan de bijlagegrens van de server, of "
      "de zaak heeft al {2} bestanden of {3} MiB van de melder",
      "{1} stukken van bijlagen geweigerd en verwijderd: het bestand is groter dan de bijlagegrens van de server, of "
      "de zaak heeft al {2} bestanden of {3} MiB van de melder"}},
    {Tally::kPiecesExpired,
     {"{1} attachment piece deleted: its report did not arrive within a week (an upload that broke off)",
      "{1} attachment pieces deleted: their report did not arrive within a week (an upload that broke off)",
      "{1} stuk van een bijlage verwijderd: de melding kwam niet binnen een week (een afgebroken upload)",
      "{1} stukken van bijlagen verwijderd: hun melding kwam niet binnen een week (een afgebroken upload)"}},
    {Tally::kUnopenable,
     {"{1} message addressed to you could not be opened (damaged, or sent to a prekey this key file no longer holds)",
      "{1} messages addressed to you could not be opened (damaged, or sent to a prekey this key file no longer holds)",
      "{1} bericht aan jou kon niet worden geopend (beschadigd, of aan een prekey die dit sleutelbestand niet meer "
      "heeft)",
      "{1} berichten aan jou konden niet worden geopend (beschadigd, of aan een prekey die dit sleutelbestand niet "
      "meer heeft)"}},
    {Tally::kMediumErased,
     {"{1} medium-term key erased: nothing sent to it can still arrive, so the reports sealed to it can no longer be "
      "opened with this key file (forward secrecy).",
      "{1} medium-term keys erased: nothing sent to them can still arrive, so the reports sealed to them can no longer "
      "be opened with this key file (forward secrecy).",
      "{1} middellange sleutel gewist: er kan niets meer voor aankomen, dus wat ervoor versleuteld was kan met dit "
      "sleutelbestand niet meer worden geopend (voorwaartse geheimhouding).",
      "{1} middellange sleutels gewist: er kan niets meer voor aankomen, dus wat ervoor versleuteld was kan met dit "
      "sleutelbestand niet meer worden geopend (voorwaartse geheimhouding)."}},
    {Tally::kMoved,
     {"{1} case: the reporter moved to a new code; replies now go to the new code (see `adviser-client history CASE`).",
      "{1} cases: the reporter moved to a new code; replies now go to the new code (see `adviser-client history CASE`).",
      "{1} zaak: de melder is naar een nieuwe code verhuisd; antwoorden gaan nu naar de nieuwe code (zie "
      "`adviser-client history ZAAK`).",
      "{1} zaken: de melder is naar een nieuwe code verhuisd; antwoorden gaan nu naar de nieuwe code (zie "
      "`adviser-client history ZAAK`)."}},
    {Tally::kReceivedByHandover,
     {"{1} case handed to you with the reporter's consent, with the conversation so far.",
      "{1} cases handed to you with the reporter's consent, with the conversation so far.",
      "{1} zaak met toestemming van de melder aan jou overgedragen, met het gesprek tot nu toe.",
      "{1} zaken met toestemming van de melder aan jou overgedragen, met het gesprek tot nu toe."}},
    {Tally::kHandedOver,
     {"{1} case: the reporter accepted your hand-over; the other adviser handles it now (closed here).",
      "{1} cases: the reporter accepted your hand-over; the other adviser handles them now (closed here).",
      "{1} zaak: de melder nam je overdracht aan; de andere adviseur behandelt haar nu (hier gesloten).",
      "{1} zaken: de melder nam je overdracht aan; de andere adviseur behandelt ze nu (hier gesloten)."}},
    {Tally::kToHandedOver,
     {"{1} message arrived in a case you handed over; the reporter's program may be out of date or its clock wrong. "
      "It is stored (see `cases`); the other adviser did not receive it.",
      "{1} messages arrived in cases you handed over; the reporter's program may be out of date or its clock wrong. "
      "They are stored (see `cases`); the other adviser did not receive them.",
      "{1} bericht kwam binnen in een zaak die je hebt overgedragen; het programma van de melder is misschien oud of "
      "de klok staat verkeerd. Het is opgeslagen (zie `cases`); de andere adviseur heeft het niet ontvangen.",
      "{1} berichten kwamen binnen in zaken die je hebt overgedragen; het programma van de melder is misschien oud of "
      "de klok staat verkeerd. Ze zijn opgeslagen (zie `cases`); de andere adviseur heeft ze niet ontvangen."}},
    {Tally::kHandoverDeclined,
     {"{1} case: the reporter declined your hand-over; the case stays with you.",
      "{1} cases: the reporter declined your hand-over; the cases stay with you.",
      "{1} zaak: de melder wees je overdracht af; de zaak blijft bij jou.",
      "{1} zaken: de melder wees je overdracht af; de zaken blijven bij jou."}},
    {Tally::kLettersRefused,
     {"{1} letter refused and deleted: sent with a code the reporter has moved away from, a move to a new code from a "
      "sender that is no case's current reporter, or an answer to no open hand-over proposal of yours",
      "{1} letters refused and deleted: sent with a code the reporter has moved away from, a move to a new code from a "
      "sender that is no case's current reporter, or an answer to no open hand-over proposal of yours",
      "{1} brief geweigerd en verwijderd: verstuurd met een code waarvan de melder is verhuisd, een verhuizing door "
      "iemand die van geen zaak de melder is, of een antwoord op geen open overdrachtsvoorstel van jou",
      "{1} brieven geweigerd en verwijderd: verstuurd met een code waarvan de melder is verhuisd, een verhuizing door "
      "iemand die van geen zaak de melder is, of een antwoord op geen open overdrachtsvoorstel van jou"}},
    {Tally::kReplayed,
     {"{1} copy of a letter received before (sent again after a lost answer, replayed by the relay, or a "
      "hand-over applied before) changed nothing and was deleted",
      "{1} copies of letters received before (sent again after a lost answer, replayed by the relay, or a "
      "hand-over applied before) changed nothing and were deleted",
      "{1} kopie van een eerder ontvangen brief (opnieuw verstuurd na een verloren antwoord, herhaald door de "
      "server, of een al verwerkte overdracht) veranderde niets en is verwijderd",
      "{1} kopieën van eerder ontvangen brieven (opnieuw verstuurd na een verloren antwoord, herhaald door de "
      "server, of een al verwerkte overdracht) veranderden niets en zijn verwijderd"}},
    {Tally::kIgnored,
     {"{1} letter that is not a report for you was left at the relay",
      "{1} letters that are not reports for you were left at the relay",
      "{1} brief die geen melding voor jou is, bleef bij de server",
      "{1} brieven die geen meldingen voor jou zijn, bleven bij de server"}},
    {Tally::kDeletePending,
     {"{1} stored message could not be deleted at the relay yet; the next inbox retries",
      "{1} stored messages could not be deleted at the relay yet; the next inbox retries",
      "{1} opgeslagen bericht kon nog niet bij de server worden verwijderd; de volgende inbox probeert het opnieuw",
      "{1} opgeslagen berichten konden nog niet bij de server worden verwijderd; de volgende inbox probeert het "
      "opnieuw"}},
    {Tally::kAlertAcknowledgeDue,
     {"case {2}: acknowledgement due in {1} day", "case {2}: acknowledgement due in {1} days",
      "zaak {2}: ontvangstbevestiging binnen {1} dag", "zaak {2}: ontvangstbevestiging binnen {1} dagen"}},
    {Tally::kAlertFeedbackDue,
     {"case {2}: feedback due in {1} day", "case {2}: feedback due in {1} days",
      "zaak {2}: terugkoppeling binnen {1} dag", "zaak {2}: terugkoppeling binnen {1} dagen"}},
    {Tally::kSeconds, {"{1} second", "{1} seconds", "{1} seconde", "{1} seconden"}},
    {Tally::kMinutes, {"{1} minute", "{1} minutes", "{1} minuut", "{1} minuten"}},
    {Tally::kAckWithin,
     {"Acknowledge within:  {1} day of the first message", "Acknowledge within:  {1} days of the first message",
      "Bevestigen binnen:   {1} dag na het eerste bericht", "Bevestigen binnen:   {1} dagen na het eerste bericht"}},
    {Tally::kFeedbackWithin,
     {"Feedback within:     {1} month of the acknowledgement", "Feedback within:     {1} months of the acknowledgement",
      "Terugkoppelen binnen: {1} maand na de bevestiging", "Terugkoppelen binnen: {1} maanden na de bevestiging"}},
    {Tally::kReplySentEnvelopes,
     {"Reply sent in case {2}{3}, {1} envelope:", "Reply sent in case {2}{3}, {1} envelopes:",
      "Antwoord verstuurd in zaak {2}{3}, {1} envelop:", "Antwoord verstuurd in zaak {2}{3}, {1} enveloppen:"}},
    {Tally::kSearchNothing,
     {"Nothing found in {1} case (labels, messages and notes).",
      "Nothing found in {1} cases (labels, messages and notes).",
      "Niets gevonden in {1} zaak (labels, berichten en notities).",
      "Niets gevonden in {1} zaken (labels, berichten en notities)."}},
    {Tally::kSearchTimes, {", {1} time", ", {1} times", ", {1} keer", ", {1} keer"}},
    {Tally::kSearchFoundIn,
     {"Found in {2} of {1} case; ", "Found in {2} of {1} cases; ", "Gevonden in {2} van {1} zaak; ",
      "Gevonden in {2} van {1} zaken; "}},
    {Tally::kSearchPlacesListed, {"{1} place listed", "{1} places listed", "{1} plek getoond", "{1} plekken getoond"}},
    {Tally::kRestoredCases,
     {"The key file opens and its case store holds {1} case. Run `adviser-client inbox` to carry on; reports sent "
      "to prekeys made after the backup cannot be opened.",
      "The key file opens and its case store holds {1} cases. Run `adviser-client inbox` to carry on; reports "
      "sent to prekeys made after the backup cannot be opened.",
      "Het sleutelbestand gaat open en de zaakopslag bevat {1} zaak. Ga verder met `adviser-client inbox`; "
      "meldingen die verstuurd zijn aan prekeys van na de reservekopie zijn niet te openen.",
      "Het sleutelbestand gaat open en de zaakopslag bevat {1} zaken. Ga verder met `adviser-client inbox`; "
      "meldingen die verstuurd zijn aan prekeys van na de reservekopie zijn niet te openen."}},
};

template <typename Row, std::size_t N>
constexpr bool in_order(const Row (&rows)[N]) {
  for (std::size_t i = 0; i < N; ++i) {
    if (static_cast<std::size_t>(rows[i].key) != i) return false;
  }
  return true;
}
static_assert(std::size(kSay) == static_cast<std::size_t>(Say::kCount), "every Say needs one row");
static_assert(in_order(kSay), "the rows are in Say order");
static_assert(std::size(kTally) == static_cast<std::size_t>(Tally::kCount), "every Tally needs one row");
static_assert(in_order(kTally), "the rows are in Tally order");

// In Dutch, the whole text for an error whose subject says what it is
// about: what happened and what to do, without the English detail. Empty
// where the subject does not tell situations apart (then dutch_kind).
std::string dutch_whole(const Error& e) {
  switch (e.subject) {
    case ErrorSubject::kDirectory:
      return "de adviseurslijst van de server is niet ondertekend met de sleutel van je organisatie uit het "
             "kanaaladres; er is niets gedaan. Controleer het kanaaladres, en meld het de beheerder";
    case ErrorSubject::kPassphrase:
      return "het wachtwoord klopt niet (of het bestand is veranderd of beschadigd); er is niets geopend";
    case ErrorSubject::kCaseId:
      if (e.code == ErrorCode::kNotFound) return "er is geen zaak met dit nummer (zie `adviser-client cases`)";
      return cli::fill("een zaaknummer heeft {1} tot {2} tekens 0-9 en a-f, zoals `adviser-client cases` het toont",
                       {std::to_string(kMinCasePrefixChars), std::to_string(kCaseIdChars)});
    case ErrorSubject::kCaseIdAmbiguous:
      return "meer dan één zaak begint met dit nummer; typ er meer tekens van";
    case ErrorSubject::kChannelAddress:
      return "--channel: dit is geen geldig kanaaladres; kopieer het opnieuw (de beheerder krijgt het met "
             "`relay address`)";
    case ErrorSubject::kChannelMistyped:
      return "--channel: dit kanaaladres is verkeerd overgenomen (de controletekens kloppen niet); kopieer het "
             "opnieuw";
    case ErrorSubject::kFolderInUse:
      return "een andere adviser-client werkt al in deze thuismap (bijvoorbeeld inbox of watch); probeer het "
             "opnieuw als die klaar is";
    case ErrorSubject::kFileExists:
      return "dat bestand bestaat al; kies een andere bestandsnaam (er is niets geschreven)";
    case ErrorSubject::kIdentityExists:
      return "in deze map staat al een identiteit of zaakopslag van een vertrouwenspersoon; die wordt nooit "
             "overschreven (kies een andere map met --home)";
    case ErrorSubject::kAttachmentNumber:
      return "deze zaak heeft geen bijlage met dat nummer (`adviser-client read ZAAK` nummert ze)";
    case ErrorSubject::kStatusWord:
      return "onbekende status; gebruik acknowledged, in-progress, closed of reopen (new alleen bij `cases "
             "--status`)";
    case ErrorSubject::kStatusMove:
      return "zo kan de status van deze zaak niet veranderen: een zaak gaat alleen vooruit (new, acknowledged, "
             "in-progress, closed), en alleen een gesloten zaak kan weer open (`status ZAAK reopen`)";
    case ErrorSubject::kDeadlineSetting:
      return cli::fill("termijnen mogen alleen strenger zijn dan de wet: --ack-days {1} tot {2}, --feedback-months "
                       "{1} tot {3}; er is niets gewijzigd",
                       {"1", std::to_string(kDefaultAckDays), std::to_string(kDefaultFeedbackMonths)});
    case ErrorSubject::kAttachmentCount:
      return cli::fill("hoogstens {1} bijlagen per antwoord; er is niets verstuurd",
                       {std::to_string(kMaxAttachmentsPerReply)});
    case ErrorSubject::kAttachmentsOff:
      return "deze server neemt geen bijlagen aan (max-attachment-bytes is 0); er is niets verstuurd";
    case ErrorSubject::kAttachmentEmpty: return "een bijlage is een leeg bestand; er is niets verstuurd";
    case ErrorSubject::kAttachmentSize:
      return "een bijlage is groter dan deze server aanneemt; er is niets verstuurd (`--lang en` noemt het "
             "bestand en de grens)";
    case ErrorSubject::kRelaySilent:
      return "de server antwoordt niet; controleer het kanaaladres en of de server draait (vraag het anders de "
             "beheerder)";
    case ErrorSubject::kCaseLabel:
      return cli::fill("een label is één regel van 1 tot {1} bytes tekst, zonder stuurtekens of onzichtbare tekens "
                       "(verwijder een label met --clear); er is niets gewijzigd",
                       {std::to_string(kMaxCaseLabelBytes)});
    case ErrorSubject::kFilingId:
      return "een groep of soort is 1 tot 32 tekens a-z, 0-9 en '-' (de ids van de wegwijzer in de "
             "adviseurslijst); er is niets gewijzigd";
    case ErrorSubject::kNone: break;
  }
  return {};
}

// In Dutch, what kind of thing failed, before the program's own words.
std::string_view dutch_kind(const Error& e) {
  switch (e.code) {
    case ErrorCode::kMalformed: return "ongeldige invoer";
    case ErrorCode::kTooLarge: return "te groot";
    case ErrorCode::kNotFound: return "niet gevonden";
    case ErrorCode::kUnauthorised: return "niet echt of niet toegestaan (wachtwoord, handtekening of controle)";
    case ErrorCode::kStorageFull: return "de opslag is vol";
    case ErrorCode::kReplay: return "verouderd of al eerder ontvangen";
    case ErrorCode::kUnsupportedVersion: return "een andere versie van het protocol";
    case ErrorCode::kIo: return "een bestand kan niet worden gelezen of geschreven";
    case ErrorCode::kUnavailable: return "de server is niet bereikbaar of antwoordt niet op tijd";
    case ErrorCode::kRateLimited: return "de server is te druk; probeer het over een minuut opnieuw";
    case ErrorCode::kBadCode: return "ongeldige code";
    case ErrorCode::kUnknownOperation:
    case ErrorCode::kInternal:
    case ErrorCode::kOk: break;
  }
  return "het is mislukt";
}

}  // namespace

std::string say(Lang lang, Say key, std::initializer_list<std::string_view> args) {
  return cli::fill(cli::pick(lang, kSay[static_cast<std::size_t>(key)].text), args);
}

std::string tally(Lang lang, Tally key, std::uint64_t n, std::initializer_list<std::string_view> more) {
  return cli::count_text(lang, kTally[static_cast<std::size_t>(key)].forms, n, more);
}

std::string describe(Lang lang, const Error& error) {
  // A relay's refusal has its own text per status (refusal.cpp).
  if (error.from_relay) return relay_refusal(lang, error);
  if (lang == Lang::kEn) return error.message;
  if (std::string whole = dutch_whole(error); !whole.empty()) return whole;
  return std::string(dutch_kind(error)) + " (" + error.message + ")";
}

std::size_t say_rows() { return std::size(kSay); }
cli::Text say_row(std::size_t i) { return kSay[i].text; }
std::size_t tally_rows() { return std::size(kTally); }
cli::Count tally_row(std::size_t i) { return kTally[i].forms; }

}  // namespace meldpunt::adviser
