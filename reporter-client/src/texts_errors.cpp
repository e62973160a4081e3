// reporter-client texts, English and Dutch: Errors: the relay's refusals, the channel address, the proxy.
// One part of the table texts.cpp assembles (texts.hpp).
#include "texts_parts.hpp"

namespace meldpunt::reporter::texts_detail {
namespace {

using M = Msg;

constexpr TextEntry kPart[] = {
    // ---- errors ----
    {M::kErrorPrefix, "reporter-client: error: ", "reporter-client: fout: "},
    {M::kErrUnreachable, "The relay cannot be reached; nothing was sent.{1}",
     "De server is niet bereikbaar; er is niets verstuurd.{1}"},
    {M::kErrNotAuthentic,
     "The relay could not prove it is the one in the channel address; nothing was sent. Check the address.{1}",
     "De server kon niet bewijzen dat hij de server uit het kanaaladres is; er is niets verstuurd. Controleer het "
     "adres.{1}"},
    {M::kErrDirectory,
     "The list of advisers from the relay is not signed by your organisation; nothing was sent.",
     "De lijst met adviseurs van de server is niet door je organisatie ondertekend; er is niets verstuurd."},
    // A refusal by the relay: what it means and what the reporter can do;
    // {1} is the relay's own text, made safe to show, as a detail in
    // brackets in English only (texts.hpp, english_detail).
    {M::kErrRelayMalformed,
     "The relay did not understand this program's request, so nothing was sent. This reporter-client is "
     "probably older or newer than the relay: get the current version from your organisation.{1}",
     "De server begreep het verzoek van dit programma niet, dus er is niets verstuurd. Deze reporter-client is "
     "waarschijnlijk ouder of nieuwer dan de server: haal de huidige versie bij je organisatie.{1}"},
    {M::kErrRelayUnknownOperation,
     "The relay does not know this request, so nothing was sent. This reporter-client is newer than the "
     "relay: use the version your organisation offers.{1}",
     "De server kent dit verzoek niet, dus er is niets verstuurd. Deze reporter-client is nieuwer dan de "
     "server: gebruik de versie die je organisatie aanbiedt.{1}"},
    {M::kErrRelayTooLarge,
     "The relay refused the request as too large, so nothing was sent. Send a shorter message or fewer "
     "attachments; if that does not help, get the current version of this program from your organisation.{1}",
     "De server weigerde het verzoek omdat het te groot is, dus er is niets verstuurd. Stuur een korter bericht "
     "of minder bijlagen; helpt dat niet, haal dan de huidige versie van dit programma bij je organisatie.{1}"},
    {M::kErrRelayNotFound,
     "The relay does not have what this program asked for (for example, no list of advisers has been "
     "published yet), so nothing was sent. Try again later; if it keeps happening, tell your organisation.{1}",
     "De server heeft niet wat dit programma vroeg (er is bijvoorbeeld nog geen lijst met adviseurs "
     "gepubliceerd), dus er is niets verstuurd. Probeer het later opnieuw; blijft dit gebeuren, meld het dan "
     "bij je organisatie.{1}"},
    {M::kErrRelayUnauthorised,
     "The relay did not accept this request as authorised, so nothing was sent or changed. If it keeps "
     "happening, tell your organisation.{1}",
     "De server accepteerde dit verzoek niet als bevoegd, dus er is niets verstuurd of veranderd. Blijft dit "
     "gebeuren, meld het dan bij je organisatie.{1}"},
    {M::kErrRelayStorageFull,
     "The relay's storage is full, so nothing was sent. Try again in a few hours; if it is still full then, "
     "tell your organisation that the reporting channel's storage is full.{1}",
     "De opslag van de server is vol, dus er is niets verstuurd. Probeer het over een paar uur opnieuw; is hij "
     "dan nog vol, laat je organisatie dan weten dat de opslag van het meldkanaal vol is.{1}"},
    {M::kErrRelayInternal,
     "The relay ran into a problem of its own and could not handle the request, so nothing was sent. Try "
     "again in a few minutes; if it keeps happening, tell your organisation.{1}",
     "De server liep tegen een eigen probleem aan en kon het verzoek niet afhandelen, dus er is niets "
     "verstuurd. Probeer het over een paar minuten opnieuw; blijft dit gebeuren, meld het dan bij je "
     "organisatie.{1}"},
    {M::kErrRelayReplay,
     "The relay took this request for a repeat of an earlier one, so nothing was sent. Run the command "
     "again.{1}",
     "De server zag dit verzoek aan voor een herhaling van een eerder verzoek, dus er is niets verstuurd. Voer "
     "de opdracht opnieuw uit.{1}"},
    {M::kErrRelayVersion,
     "The relay speaks another version of the protocol, so nothing was sent. Get the version of this "
     "program that your organisation offers now.{1}",
     "De server spreekt een andere versie van het protocol, dus er is niets verstuurd. Haal de versie van dit "
     "programma die je organisatie nu aanbiedt.{1}"},
    {M::kErrRelayBusy,
     "The relay is too busy right now, so nothing was sent. Wait a minute and run the command again.{1}",
     "De server heeft het nu te druk, dus er is niets verstuurd. Wacht een minuut en voer de opdracht opnieuw "
     "uit.{1}"},
    {M::kErrRelayUnknownStatus,
     "The relay refused the request with a status this program does not know ({2}), so nothing was sent. "
     "Try again later; if it keeps happening, get the current version of this program from your "
     "organisation.{1}",
     "De server weigerde het verzoek met een status die dit programma niet kent ({2}), dus er is niets "
     "verstuurd. Probeer het later opnieuw; blijft dit gebeuren, haal dan de huidige versie van dit programma "
     "bij je organisatie.{1}"},
    {M::kErrNotEnoughMemory, "Not enough memory for the key derivation (it needs 256 MiB).",
     "Niet genoeg geheugen om de sleutels af te leiden (nodig: 256 MiB)."},
    // {1}: the parser's own (English) words in brackets, in English only.
    {M::kErrBadAddress, "That is not a valid channel address{1}.", "Dat is geen geldig kanaaladres{1}."},
    {M::kErrBadProxy, "The proxy must be given as socks5h://HOST:PORT, for Tor usually socks5h://127.0.0.1:9050.",
     "Geef de proxy op als socks5h://HOST:POORT, voor Tor meestal socks5h://127.0.0.1:9050."},
    {M::kErrAddressMistyped,
     "This channel address is mistyped{1}. Copy it again from where your organisation publishes it;\n"
     "nothing was sent.",
     "Dit kanaaladres is verkeerd overgenomen{1}. Kopieer het opnieuw van de plek waar je organisatie\n"
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
     "organisation, by another route than this channel.{1}",
     "De server toont een oude of verlopen lijst van vertrouwenspersonen, waarop iemand kan staan die er\n"
     "niet meer op hoort. De server is misschien verouderd of gemanipuleerd; er is niets verstuurd. Meld\n"
     "het je organisatie, langs een andere weg dan dit kanaal.{1}"},

};
static_assert(consecutive(kPart), "a part lists its keys in Msg order, without gaps");

}  // namespace

std::span<const TextEntry> errors_texts() { return kPart; }

}  // namespace meldpunt::reporter::texts_detail
