// The case store's filings table (declared in case_store.hpp, whose header
// comment gives the record format): the group and kind an adviser files a
// case under, counted by `stats`.
#include "case_store.hpp"
#include "store_records.hpp"

namespace meldpunt::adviser {
namespace {

namespace lmdb = store::lmdb;

constexpr std::string_view kFilingsTable = "filings";

Error damaged() { return Error{ErrorCode::kMalformed, "case store: damaged filing record"}; }

}  // namespace

Status CaseStore::set_filing(const CaseKey& key, const Filing& filing) {
  if (Status s = validate_filing(filing); !s) return s;
  return env_.write([&](lmdb::WriteTxn& txn) -> Status {
    auto existing = load_case(txn, key);
    if (!existing) return existing.error();
    if (!*existing) return Status(ErrorCode::kNotFound, "no such case");
    return tables_.filings.put(txn, key, seal(kFilingsTable, key, encode_filing(filing)));
  });
}

Status CaseStore::clear_filing(const CaseKey& key) {
  return env_.write([&](lmdb::WriteTxn& txn) -> Status {
    if (!tables_.filings.get(txn, key)) return Status::success();
    return tables_.filings.del(txn, key);
  });
}

Result<std::optional<Filing>> CaseStore::filing(const CaseKey& key) const {
  lmdb::ReadTxn txn = env_.begin_read();
  std::optional<ByteView> sealed = tables_.filings.get(txn, key);
  if (!sealed) return std::optional<Filing>{};
  auto plain = open_record(kFilingsTable, key, *sealed);
  if (!plain) return plain.error();
  auto f = decode_filing(plain->view());
  if (!f) return f.error();
  return std::optional<Filing>(std::move(f).value());
}

Result<std::map<CaseKey, Filing>> CaseStore::filings() const {
  lmdb::ReadTxn txn = env_.begin_read();
  std::map<CaseKey, Filing> out;
  Status failure;
  tables_.filings.for_each(txn, [&](ByteView key, ByteView sealed) {
    if (key.size() != kCaseKeyBytes) {
      failure = damaged();
      return false;
    }
    auto plain = open_record(kFilingsTable, key, sealed);
    auto f = plain ? decode_filing(plain->view()) : Result<Filing>(plain.error());
    if (!f) {
      failure = f.error();
      return false;
    }
    CaseKey case_key{};
    std::copy(key.begin(), key.end(), case_key.begin());
    out.emplace(case_key, std::move(f).value());
    return true;
  });
  if (!failure) return failure.error();
  return out;
}

}  // namespace meldpunt::adviser
