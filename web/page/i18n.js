// The page's English and Dutch texts, in the tone of reporter-client's
// (reporter-client/src/texts.cpp): plain words for a frightened person who
// is not technical, saying each time whether anything was sent. `{1}`, `{2}`
// are filled by format(). Every key has both languages (tested by the page
// test, which switches language and looks for an untranslated key).

const T = {
  pageTitle: ['Report in confidence', 'Vertrouwelijk melden'],
  langSwitch: ['Nederlands', 'English'],
  langSwitchLabel: ['Lees deze pagina in het Nederlands', 'Read this page in English'],
  close: ['Close and forget', 'Sluiten en vergeten'],
  closeHint: ['Clears everything this page holds (your code, your text) from its memory.',
    'Wist alles wat deze pagina vasthoudt (je code, je tekst) uit het geheugen.'],
  closed: ['Everything this page held has been forgotten. You can close this tab now.',
    'Alles wat deze pagina vasthield, is vergeten. Je kunt dit tabblad nu sluiten.'],
  loading: ['Loading, one moment…', 'Laden, een ogenblik…'],

  // ---- start ----
  introHeading: ['You can report here without saying who you are', 'Je kunt hier melden zonder te zeggen wie je bent'],
  introWho: ['Only the confidential advisers you choose can read what you write. You see who they are before you write anything.',
    'Alleen de vertrouwenspersonen die jij kiest, kunnen lezen wat je schrijft. Je ziet wie dat zijn voordat je iets schrijft.'],
  introAnon: ["Your name is not asked for. The server's administrator cannot read your report and does not learn who you are or whom you write to.",
    'Je naam wordt niet gevraagd. De beheerder van de server kan je melding niet lezen, en komt niet te weten wie je bent of aan wie je schrijft.'],
  introCode: ['After writing you get a secret code. With that code, and only with it, you read replies later and continue the conversation.',
    'Na het schrijven krijg je een geheime code. Met die code, en alleen daarmee, lees je later antwoorden en zet je het gesprek voort.'],
  introTrace: ['This page stores nothing on this device: no cookies, no saved data. Your browser does remember that you visited this address (its history); use a private window or Tor Browser if others may look at this device.',
    'Deze pagina bewaart niets op dit apparaat: geen cookies, geen opgeslagen gegevens. Je browser onthoudt wel dat je dit adres bezocht (de geschiedenis); gebruik een privévenster of Tor Browser als anderen in dit apparaat kunnen kijken.'],
  introNetwork: ["Without Tor Browser the server sees this device's internet address (at work: the office's), and that address ties together everything this visit sends. With Tor Browser it sees neither who nor where you are.",
    'Zonder Tor Browser ziet de server het internetadres van dit apparaat (op het werk: dat van het kantoor), en dat adres verbindt alles wat dit bezoek verstuurt. Met Tor Browser ziet hij niet wie of waar je bent.'],
  startNew: ['Write a new report', 'Schrijf een nieuwe melding'],
  startCheck: ['I have a code: read replies', 'Ik heb een code: lees antwoorden'],

  // ---- choosing ----
  chooseHeading: ['Whom do you want to write to?', 'Aan wie wil je schrijven?'],
  chooseHint: ['You may choose several. Leave out anyone you do not want to read your report.',
    'Je mag er meerdere kiezen. Laat iedereen weg die je melding niet mag lezen.'],
  signpostPrivate: ['Two questions help you find who is there for you. Your answers stay on this device: they only order the list, are not sent and are in no message. You may skip them.',
    'Twee vragen helpen je te vinden wie er voor jou is. Je antwoorden blijven op dit apparaat: ze bepalen alleen de volgorde van de lijst, worden niet verstuurd en staan in geen enkel bericht. Je mag ze overslaan.'],
  signpostWhere: ['Where do you work?', 'Waar werk je?'],
  signpostWhat: ['What is it about?', 'Waar gaat het over?'],
  signpostSkip: ['(skip this question)', '(vraag overslaan)'],
  signpostMatch: ['There for this:', 'Hiervoor:'],
  signpostNoMatch: ['Nobody in the list is there for exactly this. You can still write to anyone below.',
    'Niemand in de lijst is precies hiervoor. Je kunt nog steeds aan iedereen hieronder schrijven.'],
  signpostOthers: ['Everyone else you can write to:', 'Alle anderen aan wie je kunt schrijven:'],
  reasonFor: ['for: {1}', 'voor: {1}'],
  reasonEveryone: ['for: everyone', 'voor: iedereen'],
  reasonAbout: ['about: {1}', 'over: {1}'],
  reasonAnything: ['about: anything', 'over: alles'],
  roleInternal: ['internal confidential adviser', 'interne vertrouwenspersoon'],
  roleExternal: ['external confidential adviser', 'externe vertrouwenspersoon'],
  roleCommittee: ['complaints committee', 'klachtencommissie'],
  roleIntegrity: ['integrity officer', 'integriteitsfunctionaris'],
  readersHeading: ['Only these people will be able to read it:', 'Alleen deze mensen kunnen het lezen:'],
  readersNone: ['Nobody is chosen yet.', 'Er is nog niemand gekozen.'],
  readersNot: ['Not: {1}', 'Niet: {1}'],
  readersRelay: ["The server's administrator cannot read it, and does not learn who you are or whom you write to.",
    'De beheerder van de server kan het niet lezen, en komt niet te weten wie je bent of aan wie je schrijft.'],
  tooMany: ['One message reaches at most {1} advisers; choose fewer.', 'Eén bericht bereikt hoogstens {1} adviseurs; kies er minder.'],
  chooseNone: ['Choose at least one adviser.', 'Kies minstens één adviseur.'],
  directoryEmpty: ['The list of advisers is empty; ask your organisation.', 'De lijst met adviseurs is leeg; vraag het je organisatie.'],
  next: ['Next', 'Volgende'],
  back: ['Back', 'Terug'],

  // ---- writing ----
  writeHeading: ['Write your message', 'Schrijf je bericht'],
  writeLabel: ['Your message', 'Je bericht'],
  writeHint: ['Write what happened, in your own words. Details that only you could know may identify you to the adviser; you decide what to say.',
    'Schrijf wat er gebeurde, in je eigen woorden. Details die alleen jij kunt weten, kunnen je herkenbaar maken voor de adviseur; jij bepaalt wat je zegt.'],
  filesLabel: ['Attach files (optional)', 'Bestanden bijvoegen (niet verplicht)'],
  filesHint: ['Files go, encrypted, to the same advisers as the message. At most {1} files.',
    'Bestanden gaan versleuteld naar dezelfde adviseurs als het bericht. Hoogstens {1} bestanden.'],
  messageEmpty: ['The message is empty. Write something first.', 'Het bericht is leeg. Schrijf eerst iets.'],
  messageTooLong: ['The message is too long (at most {1} bytes).', 'Het bericht is te lang (hoogstens {1} bytes).'],
  attachTooMany: ['At most {1} attachments per message.', 'Hoogstens {1} bijlagen per bericht.'],
  attachEmpty: ['A file you chose is empty: there is nothing to send.', 'Een bestand dat je koos is leeg: er is niets te versturen.'],
  attachTooLarge: ['A file you chose is too large; this server accepts files up to {1}.', 'Een bestand dat je koos is te groot; deze server neemt bestanden tot {1} aan.'],

  // ---- the code ----
  codeHeading: ['Your code (shown only this once)', 'Je code (wordt alleen deze ene keer getoond)'],
  codeAdvice: ['Write it down on paper and keep it somewhere only you can reach. Do not save it on this device or photograph it with a work phone. With this code, and only with it, you read replies and continue the conversation.',
    'Schrijf hem op papier en bewaar hem waar alleen jij erbij kunt. Sla hem niet op dit apparaat op en maak er geen foto van met een telefoon van je werk. Met deze code, en alleen daarmee, lees je antwoorden en zet je het gesprek voort.'],
  codeLost: ['If you lose the code, nobody can recover it: not your advisers, not the server\'s administrator, not the makers of this page. No copy of it exists anywhere.',
    'Als je de code kwijtraakt, kan niemand hem terughalen: je adviseurs niet, de beheerder van de server niet, en de makers van deze pagina niet. Er bestaat nergens een kopie van.'],
  codeWritten: ['I have written it down', 'Ik heb hem opgeschreven'],
  confirmHeading: ['Type your code to confirm', 'Typ je code over ter bevestiging'],
  confirmIntro: ['Type your code to confirm that you have it. Only after that is your message sent, to: {1}. The code itself is never sent to anyone.',
    'Typ je code over om te bevestigen dat je hem hebt. Pas daarna wordt je bericht verstuurd, naar: {1}. De code zelf wordt nooit naar iemand gestuurd.'],
  confirmRotateIntro: ['Type your new code to confirm that you have it. Only after that does the conversation move to it. The code itself is never sent to anyone.',
    'Typ je nieuwe code over om te bevestigen dat je hem hebt. Pas daarna gaat het gesprek erheen. De code zelf wordt nooit naar iemand gestuurd.'],
  codeLabel: ['Your code', 'Je code'],
  codeFormatHint: ['24 characters in six groups of four; case, spaces and hyphens do not matter.',
    '24 tekens in zes groepjes van vier; hoofdletters, spaties en streepjes maken niet uit.'],
  send: ['Confirm and send', 'Bevestig en verstuur'],
  showCodeAgain: ['Show the code again', 'Toon de code opnieuw'],
  codeNotThisOne: ['That is a valid code, but not this one.', 'Dat is een geldige code, maar niet deze.'],
  codeWrongLength: ['That does not have the length of a code: a code has 24 characters in six groups of four.',
    'Dat heeft niet de lengte van een code: een code heeft 24 tekens in zes groepjes van vier.'],
  codeBadCharacter: ['Group {1} contains a character that codes never use (for example U or a symbol).',
    'Groepje {1} bevat een teken dat nooit in codes voorkomt (bijvoorbeeld U of een leesteken).'],
  codeBadCharacterSomewhere: ['The code contains a character that codes never use.', 'De code bevat een teken dat nooit in codes voorkomt.'],
  codeTypoInGroup: ['There is a typo in the code, most likely in group {1}.', 'Er zit een tikfout in de code, waarschijnlijk in groepje {1}.'],
  codeTypo: ['There is a typo in the code (more than one character is wrong, or two are swapped).',
    'Er zit een tikfout in de code (meer dan een teken is fout, of er zijn er twee verwisseld).'],
  nothingSent: ['Nothing has been sent.', 'Er is niets verstuurd.'],

  // ---- progress ----
  progressDerive: ['Deriving your keys from the code (takes a few seconds)…', 'Je sleutels worden uit de code afgeleid (duurt een paar seconden)…'],
  progressSend: ['Sending, encrypted…', 'Versleuteld versturen…'],
  progressFetch: ['Looking for your messages…', 'Je berichten worden gezocht…'],
  progressWork: ['Working…', 'Bezig…'],

  // ---- sent ----
  sentHeading: ['Your report was sent', 'Je melding is verstuurd'],
  sentTo: ['Your report was sent to: {1}.', 'Je melding is verstuurd naar: {1}.'],
  sentMessageTo: ['Your message was sent to: {1}.', 'Je bericht is verstuurd naar: {1}.'],
  sentCheckLater: ['Come back in a few days and choose "I have a code" to read replies.',
    'Kom over een paar dagen terug en kies "Ik heb een code" om antwoorden te lezen.'],
  noPrekeyNote: ['Note: the server had no one-time key left for {1}. Your message went without one; it is still encrypted to the adviser\'s current medium-term key, which the adviser\'s program erases within about four weeks.',
    'Let op: de server had geen eenmalige sleutel meer voor {1}. Je bericht is zonder verstuurd; het is nog steeds versleuteld voor de huidige middellange sleutel van de adviseur, die het programma van de adviseur binnen ongeveer vier weken wist.'],
  toStart: ['Back to the start', 'Terug naar het begin'],

  // ---- check ----
  checkHeading: ['Read replies', 'Antwoorden lezen'],
  checkIntro: ['Type your code. It stays in this page\'s memory only, and is forgotten when you close the page.',
    'Typ je code. Die blijft alleen in het geheugen van deze pagina, en wordt vergeten als je de pagina sluit.'],
  checkButton: ['Read', 'Lezen'],
  conversationHeading: ['Your conversation', 'Je gesprek'],
  noMessages: ['No messages for this code. If you sent a report with it, its messages may have expired or been moved to a new code; otherwise check that you typed the code you were given.',
    'Geen berichten bij deze code. Als je er een melding mee stuurde, zijn de berichten misschien verlopen of naar een nieuwe code verhuisd; controleer anders of je de code typte die je kreeg.'],
  entryYouTo: ['You, to {1}', 'Jij, aan {1}'],
  newMarker: ['NEW', 'NIEUW'],
  noNewReplies: ['No new replies since your last message.', 'Geen nieuwe antwoorden sinds je laatste bericht.'],
  unsigned: ['NOT SIGNED: from an older adviser program, or not from this adviser', 'NIET ONDERTEKEND: van een ouder programma, of niet van deze adviseur'],
  historyTruncated: ['(Earlier messages did not fit when the conversation moved to this code.)', '(Eerdere berichten pasten niet toen het gesprek naar deze code verhuisde.)'],
  retention: ['Messages are kept at the server for about {1} days; read replies before then.', 'Berichten blijven ongeveer {1} dagen bij de server; lees antwoorden voor die tijd.'],
  whoCanRead: ['Who can read this conversation:', 'Wie dit gesprek kan lezen:'],
  whoNext: ['receive your next message: {1}', 'krijgen je volgende bericht: {1}'],
  whoEarlier: ['have earlier messages only, receive nothing new: {1}', 'hebben alleen eerdere berichten, krijgen niets nieuws: {1}'],
  whoNobodyElse: ["Nobody else. The server's administrator cannot read it.", 'Niemand anders. De beheerder van de server kan het niet lezen.'],
  movedNotice: ['This conversation moved to a new code on {1}. Read and write with the new code; this old code only still shows what it held and sends nothing.',
    'Dit gesprek is op {1} naar een nieuwe code verhuisd. Lees en schrijf met de nieuwe code; deze oude code toont alleen nog wat ze had en verstuurt niets.'],
  refresh: ['Look again', 'Opnieuw kijken'],

  // ---- attachments ----
  attachmentsHeading: ['Attachments', 'Bijlagen'],
  attachFrom: ['from {1}: {2} ({3})', 'van {1}: {2} ({3})'],
  attachYouSent: ['you sent {1} ({2})', 'je stuurde {1} ({2})'],
  attachIncomplete: ['INCOMPLETE: {1} of {2} pieces (the rest may still be on its way)', 'ONVOLLEDIG: {1} van {2} stukken (de rest is misschien nog onderweg)'],
  attachCorrupt: ['DAMAGED: it does not match its checksum and cannot be saved', 'BESCHADIGD: het klopt niet met de controlesom en kan niet worden opgeslagen'],
  attachSave: ['Save {1}', '{1} opslaan'],
  attachSaveWarning: ['Saving leaves the file on this device, outside this page: whoever gets this device later can find it. Delete it when you no longer need it.',
    'Opslaan laat het bestand achter op dit apparaat, buiten deze pagina: wie dit apparaat later krijgt, kan het vinden. Verwijder het als je het niet meer nodig hebt.'],
  entryFileStayed: ['(file not carried over to this code: {1}, {2})', '(bestand niet meegekomen naar deze code: {1}, {2})'],

  // ---- reply ----
  replyHeading: ['Write a reply', 'Schrijf een antwoord'],
  replyButton: ['Send reply', 'Verstuur antwoord'],

  // ---- rotate ----
  rotateHeading: ['Move to a new code', 'Verhuizen naar een nieuwe code'],
  rotateExplain: ['This moves your conversation to a new code. Your advisers keep the conversation; the old code will receive nothing new.',
    'Hiermee verhuist je gesprek naar een nieuwe code. Je adviseurs houden het gesprek; de oude code ontvangt niets nieuws meer.'],
  rotateFilesFirst: ['This conversation has attachments, and files do not move to the new code. Save the files your advisers sent first.',
    'Dit gesprek heeft bijlagen, en bestanden verhuizen niet mee naar de nieuwe code. Bewaar eerst de bestanden van je adviseurs.'],
  rotateButton: ['Move to a new code', 'Verhuis naar een nieuwe code'],
  rotateDone: ['Your conversation now uses the new code. Use only the new code from now on.', 'Je gesprek gebruikt nu de nieuwe code. Gebruik vanaf nu alleen de nieuwe code.'],
  rotatePending: ['Your advisers learn of the move the next time their program fetches messages. Until then a reply from them can still arrive under the OLD code: check the old code too until a reply shows up under the new one.',
    'Je adviseurs merken de verhuizing de volgende keer dat hun programma berichten ophaalt. Tot dan kan een antwoord van hen nog bij de OUDE code aankomen: kijk ook met de oude code, totdat er een antwoord bij de nieuwe verschijnt.'],

  // ---- hand-over ----
  handoverHeading: ['{1} proposes that {2} takes over your conversation', '{1} stelt voor dat {2} je gesprek overneemt'],
  handoverIfAccept: ['If you accept: {2} receives the conversation so far and your next messages; {1} keeps what they already have but receives nothing new from you.',
    'Als je aanneemt: {2} krijgt het gesprek tot nu toe en je volgende berichten; {1} houdt wat die al heeft, maar krijgt niets nieuws meer van je.'],
  handoverIfDecline: ['If you decline: nothing changes, and {2} receives nothing. Nothing is sent to {2} unless you accept.',
    'Als je afwijst: er verandert niets, en {2} krijgt niets. Er gaat niets naar {2} tenzij je aanneemt.'],
  handoverAccept: ['Accept', 'Aannemen'],
  handoverDecline: ['Decline', 'Afwijzen'],
  handoverLater: ['Not answered: the proposal is shown again at your next check.', 'Niet beantwoord: het voorstel wordt bij je volgende check opnieuw getoond.'],
  handoverAccepted: ['Accepted. {1} now has the conversation and receives your next messages.', 'Aangenomen. {1} heeft nu het gesprek en krijgt je volgende berichten.'],
  handoverDeclined: ['Declined. {1} has been told; nothing was sent to {2}.', 'Afgewezen. {1} is ingelicht; er is niets naar {2} gestuurd.'],
  entryAccepted: ['You accepted the hand-over to {1}', 'Jij nam de overdracht aan {1} aan'],
  entryDeclined: ['You declined the hand-over to {1}', 'Jij wees de overdracht aan {1} af'],
  adviserNoLongerListed: ['(an adviser no longer listed)', '(een adviseur die niet meer in de lijst staat)'],

  // ---- errors ----
  errGeneric: ['Something went wrong: {1}', 'Er ging iets mis: {1}'],
  errUnreachable: ['The server cannot be reached; nothing was sent. Check your connection and try again.',
    'De server is niet bereikbaar; er is niets verstuurd. Controleer je verbinding en probeer het opnieuw.'],
  errDirectory: ['The list of advisers from the server is not signed by your organisation; nothing was sent.',
    'De lijst met adviseurs van de server is niet door je organisatie ondertekend; er is niets verstuurd.'],
  errOldDirectory: ['The server shows an old or expired list of advisers, on which someone may appear who no longer belongs there. Nothing was sent. Tell your organisation, by another route than this channel.',
    'De server toont een oude of verlopen lijst van vertrouwenspersonen, waarop iemand kan staan die er niet meer op hoort. Er is niets verstuurd. Meld het je organisatie, langs een andere weg dan dit kanaal.'],
  errBusy: ['The server is too busy right now, so nothing was sent. Wait a minute and try again.',
    'De server heeft het nu te druk, dus er is niets verstuurd. Wacht een minuut en probeer het opnieuw.'],
  errNoCrypto: ['This browser cannot run the encryption this page needs (it may block JavaScript or WebAssembly). Nothing was sent.',
    'Deze browser kan de versleuteling die deze pagina nodig heeft niet uitvoeren (misschien blokkeert hij JavaScript of WebAssembly). Er is niets verstuurd.'],
  errMemory: ['Not enough memory for the key derivation (it needs 256 MiB). Close other tabs and try again.',
    'Niet genoeg geheugen om de sleutels af te leiden (nodig: 256 MiB). Sluit andere tabbladen en probeer het opnieuw.'],
  noWebAssembly: ['This browser has WebAssembly switched off (for example Tor Browser at the security level "Safer"), and the encryption this page needs does not run without it. Nothing has been sent. Set the security level to "Standard" for this visit (the shield icon, then "Change"), or use the reporter-client program.',
    'Deze browser heeft WebAssembly uitgeschakeld (bijvoorbeeld Tor Browser op het beveiligingsniveau "Veiliger"), en de versleuteling die deze pagina nodig heeft, werkt niet zonder. Er is niets verstuurd. Zet het beveiligingsniveau voor dit bezoek op "Standaard" (het schildje, dan "Wijzigen"), of gebruik het programma reporter-client.'],

  errStorageFull: ["The server's storage is full, so nothing was sent. Try again in a few hours; if it is still full then, tell your organisation.",
    'De opslag van de server is vol, dus er is niets verstuurd. Probeer het over een paar uur opnieuw; is hij dan nog vol, laat je organisatie het weten.'],
  movedRefused: ['This code is no longer in use: the conversation moved to a new code. Use the new code; nothing was sent.',
    'Deze code is niet meer in gebruik: het gesprek is naar een nieuwe code verhuisd. Gebruik de nieuwe code; er is niets verstuurd.'],
  errNoPrekey: ['Nothing was sent: the server has no current signed key for {1}, so a message to this adviser could not be sent with forward secrecy. Try again in a few days, choose another adviser, or tell the organisation.',
    'Er is niets verstuurd: de server heeft geen geldige ondertekende sleutel voor {1}, dus een bericht aan deze adviseur kon niet met voorwaartse geheimhouding worden verstuurd. Probeer het over een paar dagen opnieuw, kies een andere adviseur, of laat het de organisatie weten.'],
  errTooLarge: ['The message or its files are too large for this server; nothing was sent. Send a shorter message or smaller files.',
    'Het bericht of de bestanden zijn te groot voor deze server; er is niets verstuurd. Stuur een korter bericht of kleinere bestanden.'],
  errRelay: ['The server refused the request ({1}); nothing was sent. Try again later; if it keeps happening, tell your organisation.',
    'De server weigerde het verzoek ({1}); er is niets verstuurd. Probeer het later opnieuw; blijft dit gebeuren, meld het dan bij je organisatie.'],
  retryLost: ['No answer from the server; sending the same message again. If the first one did arrive, it is still shown only once.',
    'Geen antwoord van de server; hetzelfde bericht wordt opnieuw verstuurd. Kwam het eerste toch aan, dan wordt het nog steeds maar één keer getoond.'],
  errUnconfirmed: ['The server did not confirm that your message arrived, even after several tries: it may have arrived or not. Do not send it again straight away: look at the conversation again in a while; if your message is there, it arrived.',
    'De server heeft niet bevestigd dat je bericht aankwam, ook niet na een paar pogingen: het kan zijn aangekomen of niet. Stuur het niet meteen opnieuw: kijk over een tijdje opnieuw in het gesprek; staat je bericht erin, dan is het aangekomen.'],
  errUnconfirmedReport: ['The server did not confirm that your report arrived, even after several tries: it may have arrived or not. Keep the code you wrote down. In a while, open the conversation with it: if your report is there, it arrived. Only if it is not, send it again (you then get a new code).',
    'De server heeft niet bevestigd dat je melding aankwam, ook niet na een paar pogingen: ze kan zijn aangekomen of niet. Bewaar de code die je opschreef. Open er over een tijdje het gesprek mee: staat je melding erin, dan is ze aangekomen. Alleen als ze er niet staat, verstuur je haar opnieuw (je krijgt dan een nieuwe code).'],
  errUnconfirmedMove: ['The server did not confirm the move to the new code, even after several tries: it may have happened or not. Keep both codes. In a while, open the conversation with the new code: if it is there, the move happened; if not, the old code still works.',
    'De server heeft de verhuizing naar de nieuwe code niet bevestigd, ook niet na een paar pogingen: ze kan zijn gebeurd of niet. Bewaar beide codes. Open over een tijdje het gesprek met de nieuwe code: staat het daar, dan is de verhuizing gebeurd; zo niet, dan werkt de oude code nog.'],
  codeDiscarded: ['The code you wrote down is not used: when you try again you get a new one.',
    'De code die je opschreef, wordt niet gebruikt: als je het opnieuw probeert, krijg je een nieuwe.'],

  // ---- the page's own hash ----
  hashHeading: ['Is this the real page?', 'Is dit de echte pagina?'],
  hashExplain: ['A server that serves a changed page could read what you type into it. Your organisation publishes the fingerprint of the real page next to the channel address (for example on the intranet or a poster). Compare it with the fingerprint below, which this page computed from the files it was given: all characters must be the same. If they differ, do not use this page and tell your organisation by another route.',
    'Een server die een veranderde pagina aanbiedt, kan lezen wat je erin typt. Je organisatie publiceert de vingerafdruk van de echte pagina naast het kanaaladres (bijvoorbeeld op het intranet of een poster). Vergelijk die met de vingerafdruk hieronder, die deze pagina berekende uit de bestanden die ze kreeg: alle tekens moeten gelijk zijn. Verschillen ze, gebruik deze pagina dan niet en meld het je organisatie langs een andere weg.'],
  hashCaveat: ['A changed page could also show a false fingerprint here. The check counts most when you compute the fingerprint yourself or someone you trust does it for you (see the reporter guide).',
    'Een veranderde pagina zou hier ook een valse vingerafdruk kunnen tonen. De controle zegt het meest als je de vingerafdruk zelf berekent of iemand die je vertrouwt het voor je doet (zie de handleiding voor melders).'],
  hashLabel: ['Fingerprint of this page:', 'Vingerafdruk van deze pagina:'],
  hashComputing: ['computing…', 'wordt berekend…'],
  hashFailed: ['could not be computed', 'kon niet worden berekend'],
};

// Texts about a number, in real singular and plural forms (no "reply/replies"
// or "antwoord(en)"): [English one, English more, Dutch one, Dutch more].
// `{1}` is the number; `{2}`, … further arguments. English and Dutch both use
// the singular for exactly 1 and the plural otherwise (0 included).
const C = {
  newCount: ['{1} new reply since your last message (marked NEW).', '{1} new replies since your last message (marked NEW).',
    '{1} nieuw antwoord sinds je laatste bericht (gemarkeerd met NIEUW).', '{1} nieuwe antwoorden sinds je laatste bericht (gemarkeerd met NIEUW).'],
  unverifiedNote: ['Note: {1} message could not be verified and is not shown.', 'Note: {1} messages could not be verified and are not shown.',
    'Let op: {1} bericht kon niet worden gecontroleerd en wordt niet getoond.', 'Let op: {1} berichten konden niet worden gecontroleerd en worden niet getoond.'],
  errPartial: ['Sending the files was interrupted; your message was not sent. Up to {1} piece of the files may still be stored at the server; it expires by itself.',
    'Sending the files was interrupted; your message was not sent. Up to {1} pieces of the files may still be stored at the server; they expire by themselves.',
    'Het versturen van de bestanden werd onderbroken; je bericht is niet verstuurd. Hoogstens {1} stuk van de bestanden staat misschien nog bij de server; het verloopt vanzelf.',
    'Het versturen van de bestanden werd onderbroken; je bericht is niet verstuurd. Tot {1} stukken van de bestanden staan misschien nog bij de server; ze verlopen vanzelf.'],
};

export const LANGS = ['en', 'nl'];

function fill(s, args) {
  return s.replace(/\{([1-9])\}/g, (m, n) => (Number(n) <= args.length ? String(args[Number(n) - 1]) : m));
}

/** The text for key in lang with {1}, {2}, … filled from args. */
export function t(lang, key, ...args) {
  const entry = T[key];
  if (!entry) throw new Error(`no text ${key}`);
  return fill(entry[lang === 'nl' ? 1 : 0], args);
}

/** The text for key about count n in lang, its singular or plural form. */
export function tn(lang, key, n, ...args) {
  const forms = C[key];
  if (!forms) throw new Error(`no counted text ${key}`);
  return fill(forms[(lang === 'nl' ? 2 : 0) + (n === 1 ? 0 : 1)], [n, ...args]);
}

/** True when every key has both languages (the page test checks this). */
export function complete() {
  return Object.values(T).every((e) => Array.isArray(e) && e.length === 2 && e[0] && e[1]) &&
    Object.values(C).every((e) => Array.isArray(e) && e.length === 4 && e.every((form) => form.includes('{1}')));
}

/**
 * reporter-client's rule (texts.cpp language_from_locale) for a browser:
 * the first language the browser asks for decides, Dutch when it starts
 * with "nl" (nl, nl-NL, nl-BE), otherwise English.
 */
export function languageFrom(languages) {
  const first = (languages || []).find((l) => typeof l === 'string' && l !== '');
  return first && /^nl(?:$|[-_.@])/i.test(first) ? 'nl' : 'en';
}
