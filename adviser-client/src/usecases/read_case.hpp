// `read CASE`: a case's conversation, attachments and private notes, after
// which the case counts as read.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "case_store.hpp"

namespace meldpunt::adviser::usecase {

struct CaseView {
  CaseRecord record;
  Settings settings;  // for the header's deadline
  std::vector<MessageRecord> messages;
  std::vector<NoteRecord> notes;
  std::vector<AttachmentRecord> attachments;
  std::optional<crypto::SecretBuffer> label;  // the adviser's private label
};

// Everything `read` shows; changes nothing. kNotFound for an unknown or
// ambiguous case id.
Result<CaseView> read_case(const CaseStore& store, std::string_view case_id);

// Marks the case read (no unread messages), once it was shown.
Status mark_read(CaseStore& store, const CaseRecord& record);

}  // namespace meldpunt::adviser::usecase
