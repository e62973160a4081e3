#include "usecases/attachment.hpp"

#include <string>

#include "meldpunt/client/attachment.hpp"

namespace meldpunt::adviser::usecase {

Result<FoundAttachment> find_attachment(const CaseStore& store, std::string_view case_id, std::size_t number) {
  auto record = store.find_case(case_id);
  if (!record) return record.error();
  auto files = store.attachments(record->key);
  if (!files) return files.error();
  if (files->empty()) {
    return Error{ErrorCode::kNotFound, "case " + record->id() + " has no attachments", false,
                 ErrorSubject::kAttachmentNumber};
  }
  if (number < 1 || number > files->size()) {
    return Error{ErrorCode::kNotFound,
                 "case " + record->id() + " has " + std::to_string(files->size()) + " attachment(s); N is 1 to " +
                     std::to_string(files->size()) + " as `adviser-client read " + record->id() + "` numbers them",
                 false, ErrorSubject::kAttachmentNumber};
  }
  AttachmentRecord attachment = std::move((*files)[number - 1]);
  return FoundAttachment{std::move(record).value(), std::move(attachment), number};
}

Result<crypto::SecretBuffer> save_attachment(const CaseStore& store, const FoundAttachment& found,
                                             const std::filesystem::path& folder) {
  auto content = store.attachment_content(found.record.key, found.attachment.sequence);
  if (!content) return content.error();
  return client::save_attachment(folder, found.attachment.name.view(), content->view());
}

}  // namespace meldpunt::adviser::usecase
