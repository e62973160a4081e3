#include "usecases/export_case.hpp"

#include <filesystem>

#include "archive.hpp"
#include "attachments.hpp"
#include "casework.hpp"
#include "meldpunt/os/files.hpp"

namespace meldpunt::adviser::usecase {

Status require_new_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) || ec) {
    return Error{ErrorCode::kIo, path + " already exists; choose another file name", false, ErrorSubject::kFileExists};
  }
  return Status::success();
}

Result<CaseRecord> export_case(CaseStore& store, const AdviserProfile& profile, const ExportRequest& request,
                               const SecretSource& passphrase, const crypto::KdfParams& params, std::uint64_t now) {
  auto record = store.find_case(request.case_id);
  if (!record) return record.error();
  const CaseKey& key = record->key;
  auto messages = store.messages(key);
  if (!messages) return messages.error();
  auto notes = store.notes(key);
  if (!notes) return notes.error();
  auto history = store.history(key);
  if (!history) return history.error();
  auto settings = store.settings();
  if (!settings) return settings.error();
  crypto::SecretBuffer document = export_document(*record, *messages, *notes, *history, profile, *settings, now);
  // Attachments are listed (name, size, state, checksum), not embedded:
  // `adviser-client attachment CASE N --save FOLDER` writes each file.
  auto files = store.attachments(key);
  if (!files) return files.error();
  if (!files->empty()) {
    document.append(as_bytes("\n=== Attachments (listed only; save them with `adviser-client attachment " +
                             record->id() + " N --save FOLDER`) ===\n"));
    for (std::size_t i = 0; i < files->size(); ++i) {
      document.append(as_bytes(describe_attachment((*files)[i], i + 1, cli::Lang::kEn)));
    }
  }
  if (request.plain) {
    if (Status written = os::write_file_atomically(request.out_file, document.view(), 0600); !written) {
      return written.error();
    }
  } else {
    auto secret = passphrase();
    if (!secret) return secret.error();
    const crypto::PassphraseBox box = crypto::PassphraseBox::create(*secret, params);
    if (Status written = os::write_file_atomically(request.out_file, seal_export(box, document.view()), 0600);
        !written) {
      return written.error();
    }
  }
  if (Status recorded = store.record_event(key, HistoryEvent::kExported, now); !recorded) return recorded.error();
  return record;
}

Result<crypto::SecretBuffer> open_case_export(const std::string& file, const SecretSource& passphrase) {
  auto sealed = os::read_file(file, crypto::kBoxMaxFileBytes);
  if (!sealed) return sealed.error();
  auto secret = passphrase();
  if (!secret) return secret.error();
  return open_export(*sealed, *secret);
}

}  // namespace meldpunt::adviser::usecase
