#include "commands/help_texts.hpp"

#include <iterator>

namespace meldpunt::adviser::commands {
namespace {

// English is what main.cpp gives CLI11; the rows carry it too so that the
// pair can be read side by side.
constexpr cli::HelpRow kRows[] = {
    {"", "",
     {"adviser-client: the confidential adviser's side of the anonymous reporting channel.",
      "adviser-client: de kant van de vertrouwenspersoon van het anonieme meldkanaal.\n"
      "Meldingen komen end-to-end versleuteld via de server binnen; ze worden bewaard in een versleutelde\n"
      "opslag in je thuismap, ontgrendeld met je wachtwoord (gevraagd zonder echo, of als één regel van\n"
      "stdin wanneer stdin geen terminal is; nooit op de opdrachtregel).\n\n"
      "Zo begin je:\n"
      "  adviser-client init --name \"Anna de Vries\" --role internal \\\n"
      "      --description-nl \"Vertrouwenspersoon integriteit\" --description-en \"Confidential adviser, integrity\"\n"
      "  adviser-client card                                  (geef dit aan de beheerder)\n"
      "  adviser-client inbox --channel meldpunt2:...@tcp://relay.example.org:7450\n"
      "  adviser-client read 3fa9c0\n"
      "  adviser-client reply 3fa9c0\n"
      "  adviser-client acknowledge 3fa9c0     (stuur de ontvangstbevestiging, status acknowledged)\n"
      "  adviser-client status 3fa9c0 closed      adviser-client note 3fa9c0      adviser-client stats\n"
      "  adviser-client handover 3fa9c0 --to \"Bram Jansen\"   (de melder moet instemmen)\n"
      "  adviser-client label 3fa9c0      (vraagt om het label)      adviser-client search   (vraagt wat je zoekt)\n"
      "  adviser-client shell                 (één keer het wachtwoord, dan de opdrachten hierboven; vergrendelt\n"
      "                                        zichzelf als je hem niet gebruikt)\n"
      "  adviser-client watch --notify-send   (haalt elke 15 minuten op; meldt alleen aantallen en termijnen)\n"}},
    {"", "#footer",
     {"Exit codes: 0 done, 1 usage error, 2 the operation failed, 3 internal error.",
      "Afsluitcodes: 0 klaar, 1 fout in de opdrachtregel, 2 de handeling is mislukt, 3 interne fout.\n"
      "Meer: docs/adviser-client.md"}},
    // Options many commands share.
    {"*", "--home",
     {"Home folder", "Thuismap met je identiteit en zaken (standaard ~/.meldpunt-adviser)"}},
    {"*", "--channel",
     {"Channel address",
      "Kanaaladres (meldpunt2:...@tcp://HOST:PORT, van `relay address`). Bewaard in de thuismap (channel.txt)\n"
      "zodra een opdracht ermee lukte; zonder --channel wordt het bewaarde gebruikt"}},
    {"*", "--remember-channel",
     {"Accepted for older scripts", "Aanvaard voor oudere scripts; een --channel die werkte wordt nu altijd bewaard"}},
    {"*", "--timeout", {"Seconds to wait", "Seconden wachten op elk antwoord van de server"}},
    {"*", "--proxy",
     {"SOCKS5 proxy",
      "Verbind via een SOCKS5-proxy zoals Tor, bijvoorbeeld socks5h://127.0.0.1:9050 (elke verbinding via een\n"
      "eigen Tor-circuit; zonder proxy ziet de server je adres, dat je verbindingen aan elkaar koppelt)"}},
    {"*", "--lang", {"Language", "Taal: en of nl (standaard: uit LC_ALL, LC_MESSAGES of LANG)"}},
    {"*", "CASE", {"Case id", "Zaaknummer zoals `cases` het toont, of een uniek begin van minstens 4 tekens"}},
    {"*", "--file", {"Read from this file", "Lees de tekst uit dit bestand"}},
    {"*", "--out", {"The file to write", "Het bestand om te schrijven (modus 0600; mag nog niet bestaan)"}},
    {"*", "--insecure-test-kdf",
     {"Cheap passphrase stretching", "Goedkope wachtwoordafleiding, alleen voor geautomatiseerde tests"}},
    // The commands.
    {"init", "", {"Create your identity", "Maak je identiteit (sleutels, sleutelbestand, kaart); vraagt twee keer om een nieuw wachtwoord"}},
    {"init", "--name", {"Your name", "Je naam zoals melders die zien (1-128 bytes)"}},
    {"init", "--role", {"internal | external | committee | integrity", "internal | external | committee | integrity"}},
    {"init", "--description-nl", {"Description in Dutch", "Korte beschrijving in het Nederlands (hoogstens 1024 bytes)"}},
    {"init", "--description-en", {"Description in English", "Korte beschrijving in het Engels (hoogstens 1024 bytes)"}},
    {"init", "#footer",
     {"Example",
      "Voorbeeld:\n  adviser-client init --name \"Anna de Vries\" --role internal \\\n"
      "      --description-nl \"Interne vertrouwenspersoon\" --description-en \"Internal confidential adviser\"\n"
      "Rollen: internal (intern), external (extern), committee (klachtencommissie), integrity (integriteit).\n"
      "Overschrijft nooit een identiteit die er al is."}},
    {"card", "", {"Print your adviser card", "Toon je adviseurskaart (openbaar; geef haar aan de beheerder)"}},
    {"card", "#footer",
     {"Example", "Voorbeeld:\n  adviser-client card > anna.card   (daarna: relay directory sign ... --adviser anna.card)"}},
    {"inbox", "", {"Collect new reports", "Vul prekeys aan, haal nieuwe meldingen op en toon je zaken"}},
    {"inbox", "#footer",
     {"Examples",
      "Voorbeelden:\n  adviser-client inbox --channel meldpunt2:...@tcp://relay.example.org:7450\n"
      "  adviser-client inbox     (het adres dat bewaard is na de eerste --channel die werkte)\n"
      "Zaken met ongelezen berichten zijn gemarkeerd met NIEUW. Berichten worden pas bij de server\n"
      "verwijderd als ze veilig in je eigen opslag staan."}},
    {"channel", "", {"Print the kept channel", "Toon het kanaaladres dat in je thuismap bewaard is"}},
    {"channel", "--forget", {"Remove the kept address", "Verwijder het bewaarde adres"}},
    {"channel", "#footer",
     {"Examples",
      "Voorbeelden:\n  adviser-client channel            (het adres dat latere opdrachten via het netwerk gebruiken)\n"
      "  adviser-client channel --forget   (verwijder het; de volgende opdracht via het netwerk vraagt --channel)\n"
      "Het adres wordt bewaard na de eerste opdracht via het netwerk met --channel die werkte, en alleen\n"
      "vervangen als een opdracht met een andere --channel werkte."}},
    {"cases", "",
     {"List your cases", "Toon je zaken (offline): wat het eerst moet bovenaan, te late voorop; gesloten zaken achteraan"}},
    {"cases", "--overdue", {"Only overdue", "Alleen zaken met een verstreken termijn"}},
    {"cases", "--new", {"Only unread", "Alleen zaken met ongelezen berichten (gemarkeerd NIEUW)"}},
    {"cases", "--status", {"Only this status", "Alleen zaken met deze status"}},
    {"cases", "--due-within", {"Due within DAYS", "Alleen zaken met iets dat binnen DAGEN dagen moet (te late inbegrepen)"}},
    {"cases", "#footer",
     {"Examples",
      "Voorbeelden:\n  adviser-client cases\n  adviser-client cases --overdue\n"
      "  adviser-client cases --new --status in-progress\n  adviser-client cases --due-within 3\n"
      "Filters gelden samen (elk opgegeven filter moet kloppen). Volgorde: op termijn, de vroegste eerst (te\n"
      "late termijnen voorop); zaken waarvoor niets meer moet (gesloten) volgen, de laatst actieve eerst."}},
    {"read", "", {"Show a case", "Toon het gesprek van een zaak en markeer het als gelezen (offline)"}},
    {"read", "#footer", {"Example", "Voorbeeld:\n  adviser-client read 3fa9c0     (minstens 4 tekens van het zaaknummer)"}},
    {"reply", "", {"Send a reply", "Stuur een antwoord aan de melder van een zaak"}},
    {"reply", "--attach", {"Attach a file", "Voeg een bestand toe (herhaalbaar; hoogstens 8, elk binnen de bijlagegrens van de server)"}},
    {"reply", "--no-text", {"Attachments only", "Stuur de bijlagen zonder tekst (geen editor, geen tekst van stdin)"}},
    {"reply", "--acknowledge",
     {"Mark acknowledged",
      "Is de zaak nog nieuw, zet haar dan op acknowledged zodra het antwoord verstuurd is (het antwoord is de\n"
      "ontvangstbevestiging)"}},
    {"reply", "--no-acknowledge",
     {"Leave new", "Laat een nieuwe zaak nieuw (de ontvangstbevestiging moet dan nog)"}},
    {"reply", "--file", {"Read the message", "Lees het bericht uit dit bestand"}},
    {"reply", "#footer",
     {"Examples",
      "Voorbeelden:\n"
      "  adviser-client reply 3fa9c0 --channel ADRES                 (opent $EDITOR)\n"
      "  adviser-client reply 3fa9c0 --channel ADRES --file antwoord.txt\n"
      "  adviser-client reply 3fa9c0 --channel ADRES --file antwoord.txt --attach verslag.pdf\n"
      "  adviser-client reply 3fa9c0 --channel ADRES --attach scan.pdf --no-text\n"
      "  { pass show meldpunt; cat antwoord.txt; } | adviser-client reply 3fa9c0 --acknowledge\n"
      "Is stdin geen terminal (scripts), dan is de eerste regel het wachtwoord en de rest het bericht.\n"
      "Een zaak die nog nieuw is: op een terminal wordt gevraagd of het antwoord haar ook bevestigt (status\n"
      "acknowledged, zodat ze niet TE LAAT raakt); --acknowledge of --no-acknowledge geven het antwoord voor\n"
      "scripts. Vanuit een pijp zonder een van beide blijft de zaak nieuw, en de uitvoer zegt dat."}},
    {"handover", "", {"Propose a hand-over", "Stel de melder voor dat een andere adviseur de zaak overneemt"}},
    {"handover", "#footer",
     {"The reporter decides",
      "Voorbeelden:\n"
      "  adviser-client handover 3fa9c0 --to \"Bram Jansen\" --channel ADRES\n"
      "  adviser-client handover 3fa9c0 --to 5d1e --channel ADRES --file waarom.txt\n"
      "De melder beslist: die ziet het voorstel (en je toelichting) bij de volgende `check` en neemt het aan\n"
      "of wijst het af. Alleen bij aannemen stuurt het programma van de melder het gesprek naar de andere\n"
      "adviseur, en gaan de berichten van de melder voortaan naar die adviseur; `inbox` toont het antwoord.\n"
      "Een nieuw voorstel trekt een eerder niet in (hoogstens 8 wachten per zaak): wat de melder het eerst\n"
      "aanneemt, geldt. Je eigen notities gaan nooit mee."}},
    {"handover", "--to", {"The adviser", "De adviseur: naam zoals in de adviseurslijst, of adviseur-id (begin van 4+ hex)"}},
    {"handover", "--file",
     {"A note for the reporter", "Een toelichting voor de melder: waarom (hoogstens 4096 bytes UTF-8)"}},
    {"status", "", {"Move a case on", "Zet een zaak verder: acknowledged, in-progress, closed, of reopen"}},
    {"status", "STATUS", {"The new status", "acknowledged | in-progress | closed | reopen"}},
    {"status", "#footer",
     {"Examples",
      "Voorbeelden:\n  adviser-client status 3fa9c0 in-progress\n  adviser-client status 3fa9c0 closed\n"
      "  adviser-client status 3fa9c0 reopen\n"
      "Een zaak gaat alleen vooruit (new, acknowledged, in-progress, closed); reopen zet een gesloten zaak\n"
      "terug op in-progress en laat de termijn voor terugkoppeling opnieuw lopen. Elke wijziging staat in de\n"
      "geschiedenis."}},
    {"history", "", {"Show a case's history", "Toon de geschiedenis van een zaak: elke statuswijziging met datum"}},
    {"history", "#footer", {"Example", "Voorbeeld:\n  adviser-client history 3fa9c0"}},
    {"acknowledge", "", {"Send the acknowledgement", "Stuur de ontvangstbevestiging en zet de zaak op acknowledged"}},
    {"acknowledge", "--text", {"The text", "De tekst van de bevestiging in plaats van de standaardtekst"}},
    {"acknowledge", "--file", {"Read the text", "Lees de tekst van de bevestiging uit dit bestand"}},
    {"acknowledge", "#footer",
     {"Examples",
      "Voorbeelden:\n"
      "  adviser-client acknowledge 3fa9c0 --channel ADRES           (de standaardtekst, Nederlands en Engels)\n"
      "  adviser-client acknowledge 3fa9c0 --channel ADRES --text \"Ontvangen, dank je wel.\"\n"
      "  adviser-client acknowledge 3fa9c0 --channel ADRES --file bevestiging.txt"}},
    {"settings", "", {"Your deadlines", "Toon of wijzig je termijnen (alleen strenger dan de wet)"}},
    {"settings", "--ack-days", {"Acknowledge within N days", "Bevestig binnen N dagen (1-7; standaard 7)"}},
    {"settings", "--feedback-months", {"Feedback within N months", "Koppel terug binnen N maanden (1-3; standaard 3)"}},
    {"settings", "#footer",
     {"Examples",
      "Voorbeelden:\n  adviser-client settings\n  adviser-client settings --ack-days 5 --feedback-months 2\n"
      "Versleuteld bewaard in je zaakopslag."}},
    {"note", "", {"Add a private note", "Voeg een eigen notitie toe aan een zaak (hier versleuteld bewaard, nooit verstuurd)"}},
    {"note", "--file", {"Read the note", "Lees de notitie uit dit bestand"}},
    {"note", "#footer",
     {"Examples",
      "Voorbeelden:\n  adviser-client note 3fa9c0                (opent $EDITOR)\n"
      "  adviser-client note 3fa9c0 --file gesprek.txt\n"
      "Is stdin geen terminal, dan is de eerste regel het wachtwoord en de rest de notitie."}},
    {"notes", "", {"Show notes", "Toon de eigen notities van een zaak"}},
    {"notes", "#footer", {"Example", "Voorbeeld:\n  adviser-client notes 3fa9c0"}},
    {"attachment", "", {"Show or save an attachment", "Toon één bijlage van een zaak, of sla haar op in een map"}},
    {"attachment", "N", {"The attachment's number", "Het nummer van de bijlage in `read`"}},
    {"attachment", "--save", {"Save into this folder", "Sla de bijlage op in deze bestaande map"}},
    {"attachment", "#footer",
     {"Examples",
      "Voorbeelden:\n  adviser-client attachment 3fa9c0 1                       (gegevens en controlegetal)\n"
      "  adviser-client attachment 3fa9c0 1 --save ~/zaken/3fa9c0    (schrijft een nieuw bestand, modus 0600)\n"
      "N is het nummer dat `adviser-client read ZAAK` toont. De bestandsnaam wordt veilig gemaakt (geen mappen,\n"
      "geen verborgen tekens of stuurtekens); een bestaand bestand wordt nooit vervangen (er komt \" (1)\" bij).\n"
      "Onvolledige of beschadigde bijlagen worden nooit opgeslagen. Er wordt nooit iets geopend of uitgevoerd."}},
    {"export", "", {"Export a case", "Schrijf een zaak (gesprek, notities, geschiedenis) versleuteld naar een bestand"}},
    {"export", "--plain", {"Plain text", "Schrijf platte tekst in plaats van versleuteld (alleen op uitdrukkelijk verzoek)"}},
    {"export", "#footer",
     {"Examples",
      "Voorbeelden:\n"
      "  adviser-client export 3fa9c0 --out zaak-3fa9c0.mpx      (vraagt twee keer om een wachtwoord voor de export)\n"
      "  adviser-client export 3fa9c0 --out zaak-3fa9c0.txt --plain   (PLATTE TEKST: ga er voorzichtig mee om)\n"
      "Lees een versleutelde export met `adviser-client export-open BESTAND`. Overschrijft nooit een bestand."}},
    {"export-open", "", {"Show an export", "Toon een versleutelde export van een zaak (vraagt om het wachtwoord ervan)"}},
    {"export-open", "FILE", {"The export file", "Het exportbestand"}},
    {"export-open", "#footer", {"Example", "Voorbeeld:\n  adviser-client export-open zaak-3fa9c0.mpx | less -R"}},
    {"file", "", {"File a case", "Orden een zaak onder een groep en soort van de wegwijzer van de adviseurslijst (voor stats)"}},
    {"file", "--group", {"Group id", "Groep-id (bijvoorbeeld civil-service)"}},
    {"file", "--kind", {"Kind id", "Soort-id (bijvoorbeeld unwanted)"}},
    {"file", "--clear", {"No longer filed", "De zaak valt nergens meer onder"}},
    {"file", "#footer",
     {"Examples",
      "Voorbeelden:\n  adviser-client file 3fa9c0 --group civil-service --kind unwanted\n"
      "  adviser-client file 3fa9c0 --kind integrity        (de groep blijft zoals ze was)\n"
      "  adviser-client file 3fa9c0 --clear\n"
      "De ids zijn die van de wegwijzer in de adviseurslijst (`relay directory check` van je beheerder\n"
      "toont ze). Jij kiest ze; niets wat de melder stuurt, stelt ze in. `stats` telt erop."}},
    {"stats", "", {"Counts", "Aantallen voor de evaluatie van de organisatie (nooit inhoud)"}},
    {"stats", "--json", {"Print JSON", "Toon JSON"}},
    {"stats", "#footer",
     {"Examples",
      "Voorbeelden:\n  adviser-client stats\n  adviser-client stats --json\n"
      "Aantallen zaken per maand, status en je rol, per groep en soort waaronder je ze ordende (`file`),\n"
      "en de mediane tijd tot de ontvangstbevestiging.\n"
      "Aantallen onder 5 staan er als <5, zodat geen enkele zaak herkenbaar wordt."}},
    {"label", "", {"Give a case a private label", "Geef een zaak een eigen label (getoond door `cases` en `read`, nooit verstuurd)"}},
    {"label", "TEXT",
     {"The label", "Het label (laat het weg om ernaar gevraagd te worden: dan blijft het uit de proceslijst)"}},
    {"label", "--clear", {"Remove the label", "Verwijder het label van de zaak"}},
    {"label", "#footer",
     {"Examples",
      "Voorbeelden:\n"
      "  adviser-client label 3fa9c0                  (vraagt: Label voor zaak 3fa9c0 ...)\n"
      "  adviser-client label 3fa9c0 \"Facilitair, 3e verdieping; dinsdag terugbellen\"\n"
      "  adviser-client label 3fa9c0 --clear\n"
      "Een label is één regel van hoogstens 120 bytes, versleuteld bewaard in je zaakopslag; het vervangt\n"
      "een eerder label. Het is alleen van jou: het gaat nooit naar de server, de melder of een andere\n"
      "adviseur (ook niet bij een overdracht).\n"
      "Laat TEKST weg om ernaar gevraagd te worden: dan blijft het uit de proceslijst (ps) en uit de\n"
      "geschiedenis van je shell, waar tekst op de opdrachtregel te zien is. Scripts kunnen de regel met\n"
      "het wachtwoord sturen en daarna de regel met het label."}},
    {"search", "", {"Search every case", "Zoek in de berichten, notities en labels van elke zaak (hier, op deze computer)"}},
    {"search", "TEXT",
     {"What to look for",
      "Waarnaar je zoekt (meerdere woorden: gezocht als één tekst, met spaties); laat het weg om ernaar\n"
      "gevraagd te worden, buiten de proceslijst"}},
    {"search", "#footer",
     {"Examples",
      "Voorbeelden:\n"
      "  adviser-client search                  (vraagt: Zoek naar ...)\n"
      "  adviser-client search \"parkeergarage\"\n"
      "Elk gegeven wordt alleen in het geheugen ontsleuteld, doorzocht en gewist; er wordt geen index of\n"
      "platte tekst geschreven. Letters a-z vinden hoofd- en kleine letters; andere tekens precies. Toont\n"
      "elke zaak met waar het gevonden is (label, bericht N, notitie N) en de regel eromheen, veilig gemaakt.\n"
      "Laat TEKST weg om ernaar gevraagd te worden: dan blijft het uit de proceslijst (ps) en uit de\n"
      "geschiedenis van je shell."}},
    {"shell", "", {"Unlock once", "Ontgrendel één keer en voer dan opdrachten uit met regelbewerking, tot je stopt"}},
    {"shell", "--idle-minutes", {"Lock after", "Vergrendel na zoveel minuten zonder toetsaanslag"}},
    {"shell", "--idle-seconds", {"For tests", "Alleen voor geautomatiseerde tests: vergrendel na zoveel seconden"}},
    {"shell", "#footer",
     {"Examples",
      "Voorbeelden:\n  adviser-client shell\n  adviser-client shell --idle-minutes 5\n"
      "  adviser> cases\n  adviser> read 3fa9<Tab>\n  adviser> inbox\n  adviser> lock\n  adviser> exit\n"
      "Het wachtwoord wordt één keer gevraagd; de sleutel blijft in vergrendeld geheugen tot `lock`, `exit`,\n"
      "of de wachttijd zonder toetsaanslag (ook terwijl een opdracht op jou wacht; die wordt dan beëindigd).\n"
      "Daarna vraagt de volgende opdracht het opnieuw. Elke regel werkt zoals dezelfde opdracht op de\n"
      "opdrachtregel. De geschiedenis staat alleen in het geheugen en wordt gewist. Heeft een terminal nodig."}},
    {"watch", "", {"Fetch every N minutes", "Haal elke N minuten op en meld nieuwe berichten en naderende termijnen"}},
    {"watch", "--interval", {"Minutes between fetches", "Minuten tussen twee keer ophalen"}},
    {"watch", "--rounds", {"Stop after", "Stop na zoveel keer ophalen"}},
    {"watch", "--once", {"Fetch once", "Haal één keer op, meld en stop"}},
    {"watch", "--notify-send", {"Desktop notification", "Bureaubladmelding via notify-send"}},
    {"watch", "--notify-command",
     {"Run this program", "Start dit programma met de tekst van de melding als enig argument (geen shell)"}},
    {"watch", "--mail-to", {"E-mail", "Mail de melding naar dit adres via sendmail -t (het lokale mailsysteem)"}},
    {"watch", "--test-interval-seconds",
     {"For tests", "Alleen voor geautomatiseerde tests: seconden tussen twee keer ophalen"}},
    {"watch", "#footer",
     {"Examples",
      "Voorbeelden:\n"
      "  adviser-client watch --notify-send                           (meldingen op het bureaublad)\n"
      "  adviser-client watch --interval 30 --mail-to anna@example.org  (e-mail via het lokale sendmail)\n"
      "  adviser-client watch --notify-command ~/bin/meldpunt-alert   (start het met de tekst als argument)\n"
      "  adviser-client watch --once                                  (één keer ophalen, bijvoorbeeld uit cron)\n"
      "Meldingen bevatten alleen aantallen en termijnen (\"2 nieuwe berichten\", \"zaak 3fa9c0d1e2:\n"
      "ontvangstbevestiging binnen 2 dagen\"): nooit een bericht, label of naam. Elke termijn wordt één keer\n"
      "gemeld als hij binnen 3 dagen komt, binnen 1 dag, en als hij verstreken is. Het wachtwoord wordt één\n"
      "keer gevraagd; de sleutel blijft daarna in vergrendeld geheugen tot watch stopt (Ctrl-C, SIGTERM).\n"
      "Vanuit `shell` loopt watch zonder te vragen tot Ctrl-C (de shell vergrendelt zichzelf intussen na\n"
      "zijn wachttijd). Als systemd --user-dienst: docs/adviser-client.md."}},
    {"passphrase", "", {"Change the passphrase", "Wijzig het wachtwoord van je sleutelbestand (vraagt het oude)"}},
    {"passphrase", "#footer", {"Example", "Voorbeeld:\n  adviser-client passphrase"}},
    {"backup", "", {"Write a backup", "Schrijf een versleutelde reservekopie van je identiteit en zaken"}},
    {"backup", "#footer",
     {"Example",
      "Voorbeeld:\n"
      "  adviser-client backup --out /media/usb/adviser-2025-03.mpbak   (vraagt twee keer om een wachtwoord\n"
      "                                                                 voor de reservekopie)\n"
      "De reservekopie bevat je sleutelbestand (nog steeds onder je wachtwoord) en een compacte kopie van\n"
      "de opslag."}},
    {"restore", "", {"Restore a backup", "Zet een reservekopie terug in een nieuwe thuismap"}},
    {"restore", "--from", {"The backup file", "Het bestand met de reservekopie"}},
    {"restore", "#footer",
     {"Example",
      "Voorbeeld:\n  adviser-client restore --from adviser-2025-03.mpbak --home ~/.meldpunt-adviser\n"
      "Vraagt het wachtwoord van de reservekopie, daarna je eigen wachtwoord om de teruggezette identiteit\n"
      "te controleren. Weigert een map waarin al een identiteit of een zaakopslag staat."}},
};

}  // namespace

std::span<const cli::HelpRow> help_rows() { return kRows; }

}  // namespace meldpunt::adviser::commands
