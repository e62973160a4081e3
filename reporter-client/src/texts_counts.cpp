// reporter-client texts about a number, with their singular and plural in
// English and Dutch (texts.hpp, Counted).
#include "texts.hpp"

#include <array>

namespace meldpunt::reporter {
namespace {

using C = Counted;

constexpr CountEntry kCounts[] = {
    {C::kNewReplies,
     {"{1} new reply since your last message (marked [NEW]).\n",
      "{1} new replies since your last message (marked [NEW]).\n",
      "{1} nieuw antwoord sinds je laatste bericht (gemarkeerd met [NIEUW]).\n",
      "{1} nieuwe antwoorden sinds je laatste bericht (gemarkeerd met [NIEUW]).\n"}},
    {C::kUnverified,
     {"Note: {1} message could not be verified and is not shown.\n",
      "Note: {1} messages could not be verified and are not shown.\n",
      "Let op: {1} bericht kon niet worden gecontroleerd en wordt niet getoond.\n",
      "Let op: {1} berichten konden niet worden gecontroleerd en worden niet getoond.\n"}},
    {C::kSendingEnvelopes,
     {"Sending {1} encrypted envelope, {2}", "Sending {1} encrypted envelopes, {2}",
      "{1} versleutelde envelop versturen, {2}", "{1} versleutelde enveloppen versturen, {2}"}},
    {C::kDeletingOld,
     {"Deleting {1} message of the old code at the relay", "Deleting {1} messages of the old code at the relay",
      "{1} bericht van de oude code bij de server verwijderen",
      "{1} berichten van de oude code bij de server verwijderen"}},
    {C::kOldDeleted,
     {"The old code's {1} message was deleted at the relay.\n",
      "The old code's {1} messages were deleted at the relay.\n",
      "Het {1} bericht van de oude code is bij de server verwijderd.\n",
      "De {1} berichten van de oude code zijn bij de server verwijderd.\n"}},
    {C::kOldDeleteFailed,
     {"{1} message of the old code could not be deleted; it expires by itself.\n",
      "{1} messages of the old code could not be deleted; they expire by themselves.\n",
      "{1} bericht van de oude code kon niet worden verwijderd; het verloopt vanzelf.\n",
      "{1} berichten van de oude code konden niet worden verwijderd; ze verlopen vanzelf.\n"}},
    {C::kAttachPiecesIgnored,
     {"Note: {1} attachment piece could not be verified and is not shown.\n",
      "Note: {1} attachment pieces could not be verified and are not shown.\n",
      "Let op: {1} stuk van een bijlage kon niet worden gecontroleerd en wordt niet getoond.\n",
      "Let op: {1} stukken van bijlagen konden niet worden gecontroleerd en worden niet getoond.\n"}},
    {C::kHandoverDropped,
     {"  {1} older message does not fit and would not be passed on.\n",
      "  {1} older messages do not fit and would not be passed on.\n",
      "  {1} ouder bericht past niet en zou niet worden doorgegeven.\n",
      "  {1} oudere berichten passen niet en zouden niet worden doorgegeven.\n"}},
    {C::kRotateDropped,
     {"The conversation is too long to move completely: the oldest message is left out of the copy\n"
      "for the new code (your advisers still have it).\n",
      "The conversation is too long to move completely: the {1} oldest messages are left out of the copy\n"
      "for the new code (your advisers still have them).\n",
      "Het gesprek is te lang om helemaal te verhuizen: het oudste bericht komt niet mee naar de\n"
      "nieuwe code (je adviseurs hebben het nog wel).\n",
      "Het gesprek is te lang om helemaal te verhuizen: de {1} oudste berichten komen niet mee naar de\n"
      "nieuwe code (je adviseurs hebben ze nog wel).\n"}},
};

static_assert(std::size(kCounts) == static_cast<std::size_t>(Counted::kCount), "every Counted needs one row");

constexpr bool counts_in_order() {
  for (std::size_t i = 0; i < std::size(kCounts); ++i) {
    if (static_cast<std::size_t>(kCounts[i].key) != i) return false;
  }
  return true;
}
static_assert(counts_in_order(), "the count table must list the keys in Counted order");

}  // namespace

const CountEntry* count_table(std::size_t& count) {
  count = std::size(kCounts);
  return kCounts;
}

std::string count_text(Lang lang, Counted key, std::uint64_t n, std::initializer_list<std::string_view> more) {
  return cli::count_text(lang, kCounts[static_cast<std::size_t>(key)].forms, n, more);
}

}  // namespace meldpunt::reporter
