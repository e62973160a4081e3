// `note CASE` and `notes CASE`: the adviser's private notes on a case, kept
// in the encrypted store only and never sent.
#pragma once

#include <string_view>
#include <vector>

#include "case_store.hpp"
#include "usecases/inputs.hpp"

namespace meldpunt::adviser::usecase {

// Adds the note `text` gives, dated by `clock` once it is written. The case
// is looked up first: kNotFound for an unknown or ambiguous id, before
// `text` is asked. `text`'s error is returned as it is (nothing saved).
// Returns the case.
Result<CaseRecord> add_note(CaseStore& store, std::string_view case_id, const SecretSource& text,
                            const Clock& clock);

struct CaseNotes {
  CaseRecord record;
  std::vector<NoteRecord> notes;  // oldest first
};

// kNotFound for an unknown or ambiguous case id.
Result<CaseNotes> case_notes(const CaseStore& store, std::string_view case_id);

}  // namespace meldpunt::adviser::usecase
