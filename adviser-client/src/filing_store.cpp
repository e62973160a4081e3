// The case store's filings table (declared in case_store.hpp, whose header
// comment gives the record format): the group and kind an adviser files a
// case under, counted by `stats`.
#include "case_store.hpp"

namespace meldpunt::adviser {
namespace {

namespace lmdb = store::lmdb;

constexpr std::string_view kFilingsTable = "filings";
constexpr std::uint8_t kFilingRecordVersion = 1;

Error damaged() { return Error{ErrorCode::kMalformed, "case store: damaged filing record"}; }

bool id_acceptable(const std::string& id) { return id.empty() || crypto::category_id_valid(id); }

Status check_filing(const Filing& f) {
  if (f.group.empty() && f.kind.empty()) return Status(ErrorCode::kMalformed, "give a group, a kind or both");
  if (!id_acceptable(f.group) || !id_acceptable(f.kind)) {
    return Status(ErrorCode::kMalformed,
                  "a group or kind id is 1 to 32 of a-z, 0-9 and '-' (the ids of the directory's signpost)");
  }
  return Status::success();
}

bool take_id(ByteReader& r, std::string& id) {
  std::uint8_t len = 0;
  ByteView v;
  if (!r.take_u8(len) || len > crypto::kMaxCategoryIdBytes || !r.take(len, v)) return false;
  id.assign(reinterpret_cast<const char*>(v.data()), v.size());
  return true;
}

}  // namespace

Bytes encode_filing(const Filing& f) {
  Bytes out;
  append_u8(out, kFilingRecordVersion);
  append_u8(out, static_cast<std::uint8_t>(f.group.size()));
  append(out, as_bytes(f.group));
  append_u8(out, static_cast<std::uint8_t>(f.kind.size()));
  append(out, as_bytes(f.kind));
  return out;
}

Result<Filing> decode_filing(ByteView bytes) {
  ByteReader r(bytes);
  std::uint8_t version = 0;
  Filing f;
  if (!r.take_u8(version)) return damaged();
  if (version != kFilingRecordVersion) return Error{ErrorCode::kUnsupportedVersion, "case store: unknown filing version"};
  if (!take_id(r, f.group) || !take_id(r, f.kind) || !r.at_end() || !check_filing(f)) return damaged();
  return f;
}

Status CaseStore::set_filing(const CaseKey& key, const Filing& filing) {
  if (Status s = check_filing(filing); !s) return s;
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
