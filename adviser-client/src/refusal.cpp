#include "refusal.hpp"

#include <cstdint>

namespace meldpunt::adviser {
namespace {

cli::Text meaning(ErrorCode code) {
  switch (code) {
    case ErrorCode::kMalformed:
      return {"the relay did not understand adviser-client's request, so it did nothing: adviser-client and the "
              "relay are probably different versions; update adviser-client, or ask the relay's administrator "
              "which version to use",
              "de server begreep het verzoek van adviser-client niet, dus hij deed niets: adviser-client en de "
              "server zijn waarschijnlijk verschillende versies; werk adviser-client bij, of vraag de beheerder "
              "van de server welke versie je moet gebruiken"};
    case ErrorCode::kUnknownOperation:
      return {"the relay does not know this request, so it did nothing: it is older than this adviser-client; "
              "ask the relay's administrator to update it",
              "de server kent dit verzoek niet, dus hij deed niets: hij is ouder dan deze adviser-client; vraag "
              "de beheerder van de server om hem bij te werken"};
    case ErrorCode::kTooLarge:
      return {"the relay refused the request as too large, so it did nothing: send a shorter message or fewer "
              "attachments; if that does not help, update adviser-client",
              "de server weigerde het verzoek omdat het te groot is, dus hij deed niets: stuur een korter "
              "bericht of minder bijlagen; helpt dat niet, werk adviser-client dan bij"};
    case ErrorCode::kNotFound:
      return {"the relay does not have what was asked for (a message may have expired or been deleted "
              "already); try again, and if it keeps happening, ask the relay's administrator",
              "de server heeft niet waar om gevraagd werd (een bericht kan verlopen of al verwijderd zijn); "
              "probeer het opnieuw, en vraag de beheerder van de server om hulp als het blijft gebeuren"};
    case ErrorCode::kUnauthorised:
      return {"the relay did not accept your signature, so it did nothing: you may no longer be in the adviser "
              "directory it publishes, or this key file is not the one on your card; ask the relay's "
              "administrator",
              "de server accepteerde je handtekening niet, dus hij deed niets: misschien sta je niet meer in de "
              "adviseurslijst die hij publiceert, of is dit sleutelbestand niet dat van je kaart; vraag het de "
              "beheerder van de server"};
    case ErrorCode::kStorageFull:
      return {"the relay's storage is full, so it stored nothing: try again later, and tell the relay's "
              "administrator (`relay status` shows the quotas and the free disk space)",
              "de opslag van de server is vol, dus hij bewaarde niets: probeer het later opnieuw, en laat het "
              "de beheerder van de server weten (`relay status` toont de grenzen en de vrije schijfruimte)"};
    case ErrorCode::kInternal:
      return {"the relay failed to handle the request and stored nothing for it: try again in a few minutes; "
              "if it keeps happening, tell the relay's administrator (the relay's log says what failed)",
              "de server kon het verzoek niet afhandelen en bewaarde er niets van: probeer het over een paar "
              "minuten opnieuw; blijft het gebeuren, laat het dan de beheerder van de server weten (het logboek "
              "van de server zegt wat er misging)"};
    case ErrorCode::kReplay:
      return {"the relay has already accepted a newer request of this kind from you (a prekey upload or "
              "directory with a higher counter), so it did nothing: is this key file also in use elsewhere, or "
              "restored from an old backup? Try again tomorrow, or ask the relay's administrator",
              "de server nam al een nieuwer verzoek van deze soort van je aan (prekeys of een adviseurslijst "
              "met een hogere teller), dus hij deed niets: wordt dit sleutelbestand ook elders gebruikt, of is "
              "het teruggezet uit een oude reservekopie? Probeer het morgen opnieuw, of vraag het de beheerder "
              "van de server"};
    case ErrorCode::kUnsupportedVersion:
      return {"the relay speaks another version of the protocol, so it did nothing: update adviser-client to "
              "the relay's version",
              "de server spreekt een andere versie van het protocol, dus hij deed niets: werk adviser-client bij "
              "tot de versie van de server"};
    case ErrorCode::kRateLimited:
      return {"the relay is too busy right now, so it did nothing: wait a minute and run the command again",
              "de server heeft het nu te druk, dus hij deed niets: wacht een minuut en voer de opdracht "
              "opnieuw uit"};
    case ErrorCode::kOk:
    case ErrorCode::kBadCode:
    case ErrorCode::kIo:
    case ErrorCode::kUnavailable:
      break;
  }
  return {};
}

}  // namespace

std::string relay_refusal(cli::Lang lang, const Error& error) {
  const cli::Text text = meaning(error.code);
  const bool english = lang == cli::Lang::kEn;
  if (text.en.empty()) {
    const std::string status = std::to_string(static_cast<unsigned>(static_cast<std::uint8_t>(error.code)));
    if (!english) {
      return "de server weigerde het verzoek met status " + status +
             ", die deze adviser-client niet kent: probeer het later opnieuw, en werk adviser-client bij als het "
             "blijft gebeuren";
    }
    return "the relay refused the request with status " + status +
           ", which this adviser-client does not know: try again later, and update adviser-client if it keeps "
           "happening (" + error.message + ")";
  }
  if (!english) return std::string(text.nl);
  return std::string(text.en) + " (" + error.message + ")";
}

std::string describe(const Error& error) {
  return error.from_relay ? relay_refusal(cli::Lang::kEn, error) : error.message;
}

}  // namespace meldpunt::adviser
