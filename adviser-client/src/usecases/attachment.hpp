// `attachment CASE N [--save FOLDER]`: one attachment of a case in detail,
// and saved on request as a new file (never replacing one) with mode 0600,
// its name sanitised. Nothing is ever opened or run.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>

#include "case_store.hpp"

namespace meldpunt::adviser::usecase {

struct FoundAttachment {
  CaseRecord record;
  AttachmentRecord attachment;
  std::size_t number = 0;  // from 1, as `read` numbers them
};

// The case's attachment `number`. kNotFound for an unknown or ambiguous
// case id, a case without attachments, or a number outside 1..count (the
// message says the range).
Result<FoundAttachment> find_attachment(const CaseStore& store, std::string_view case_id, std::size_t number);

// Writes the attachment into `folder` (client::save_attachment: checksum
// verified, incomplete or damaged files refused, a free name chosen).
// Returns the name it was saved under.
Result<crypto::SecretBuffer> save_attachment(const CaseStore& store, const FoundAttachment& found,
                                             const std::filesystem::path& folder);

}  // namespace meldpunt::adviser::usecase
