// `export CASE --out FILE [--plain]` and `export-open FILE`: a case
// (conversation, notes, history, the list of its attachments) written to a
// file, encrypted under a passphrase of its own unless plain text is asked
// for explicitly; and such a file opened again.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "case_store.hpp"
#include "key_file.hpp"
#include "meldpunt/crypto/passphrase_box.hpp"
#include "usecases/inputs.hpp"

namespace meldpunt::adviser::usecase {

// kIo "FILE already exists; choose another file name" (also when it cannot
// be told): an export or a backup is a record and never replaces a file.
Status require_new_file(const std::string& path);

struct ExportRequest {
  std::string case_id;
  std::string out_file;  // must not exist; written atomically with mode 0600
  bool plain = false;    // plain text (the adviser asked explicitly)
};

// Writes the export and records it in the case's history. Unless plain,
// `passphrase` is asked once the document is ready (kNotFound for an
// unknown or ambiguous case id comes first) and the file sealed under it
// with `params`. Returns the case.
Result<CaseRecord> export_case(CaseStore& store, const AdviserProfile& profile, const ExportRequest& request,
                               const SecretSource& passphrase, const crypto::KdfParams& params, std::uint64_t now);

// The document in an encrypted export: the file is read (at most
// crypto::kBoxMaxFileBytes) before `passphrase` is asked. kUnauthorised for
// a wrong passphrase or a changed file.
Result<crypto::SecretBuffer> open_case_export(const std::string& file, const SecretSource& passphrase);

}  // namespace meldpunt::adviser::usecase
