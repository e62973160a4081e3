// The case store's filings table (declared in case_store.hpp, whose header
// comment gives the record format): the group and kind an adviser files a
// case under, counted by `stats`.
#include "case_store.hpp"
#include "store_records.hpp"

namespace meldpunt::adviser {

namespace lmdb = store::lmdb;

Status CaseStore::set_filing(const CaseKey& key, const Filing& filing) {
  if (Status s = validate_filing(filing); !s) return s;
  return write([&](lmdb::WriteTxn& txn) -> Status {
    if (auto existing = load_existing_case(txn, key); !existing) return existing.error();
    return tables_.filings.put(txn, key, encode_filing(filing));
  });
}

Status CaseStore::clear_filing(const CaseKey& key) {
  return write([&](lmdb::WriteTxn& txn) -> Status {
    if (!tables_.filings.contains(txn, key)) return Status::success();
    return tables_.filings.del(txn, key);
  });
}

Result<std::optional<Filing>> CaseStore::filing(const CaseKey& key) const {
  const Reading txn = reading();
  auto plain = tables_.filings.get(txn, key);
  if (!plain) return plain.error();
  if (!*plain) return std::optional<Filing>{};
  auto f = decode_filing((*plain)->view());
  if (!f) return f.error();
  return std::optional<Filing>(std::move(f).value());
}

Result<std::map<CaseKey, Filing>> CaseStore::filings() const {
  const Reading txn = reading();
  std::map<CaseKey, Filing> out;
  Status s = tables_.filings.for_each(txn, {}, kCaseKeyBytes, [&](ByteView key, ByteView plain) -> Status {
    auto f = decode_filing(plain);
    if (!f) return f.error();
    CaseKey case_key{};
    std::copy(key.begin(), key.end(), case_key.begin());
    out.emplace(case_key, std::move(f).value());
    return Status::success();
  });
  if (!s) return s.error();
  return out;
}

}  // namespace meldpunt::adviser
