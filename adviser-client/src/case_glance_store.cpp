// The case store's labels table (declared in case_store.hpp, whose header
// comment gives the record format) and the first message of a case alone:
// what `cases` shows of each case beside its status, so a list of many cases
// reads without opening every conversation.
#include "case_store.hpp"
#include "store_records.hpp"

namespace meldpunt::adviser {

namespace lmdb = store::lmdb;

Status CaseStore::set_label(const CaseKey& key, ByteView text) {
  if (Status s = validate_case_label(text); !s) return s;
  const crypto::SecretBuffer label = crypto::SecretBuffer::copy_of(text);
  return write([&](lmdb::WriteTxn& txn) -> Status {
    if (auto existing = load_existing_case(txn, key); !existing) return existing.error();
    return tables_.labels.put(txn, key, encode_label(label).view());
  });
}

Result<bool> CaseStore::clear_label(const CaseKey& key) {
  bool had = false;
  Status s = write([&](lmdb::WriteTxn& txn) -> Status {
    if (auto existing = load_existing_case(txn, key); !existing) return existing.error();
    had = tables_.labels.contains(txn, key);
    if (!had) return Status::success();
    return tables_.labels.del(txn, key);
  });
  if (!s) return s.error();
  return had;
}

Result<std::optional<crypto::SecretBuffer>> CaseStore::label(const CaseKey& key) const {
  const Reading txn = reading();
  auto plain = tables_.labels.get(txn, key);
  if (!plain) return plain.error();
  if (!*plain) return std::optional<crypto::SecretBuffer>{};
  auto text = decode_label((*plain)->view());
  if (!text) return text.error();
  return std::optional<crypto::SecretBuffer>(std::move(text).value());
}

Result<std::map<CaseKey, crypto::SecretBuffer>> CaseStore::labels() const {
  const Reading txn = reading();
  std::map<CaseKey, crypto::SecretBuffer> out;
  Status s = tables_.labels.for_each(txn, {}, kCaseKeyBytes, [&](ByteView key, ByteView plain) -> Status {
    auto text = decode_label(plain);
    if (!text) return text.error();
    CaseKey case_key{};
    std::copy(key.begin(), key.end(), case_key.begin());
    out.emplace(case_key, std::move(text).value());
    return Status::success();
  });
  if (!s) return s.error();
  return out;
}

Result<std::optional<MessageRecord>> CaseStore::first_message(const CaseKey& key) const {
  const Reading txn = reading();
  const auto record_key = case_sequence_key(key, 0);
  auto plain = tables_.messages.get(txn, record_key);
  if (!plain) return plain.error();
  if (!*plain) return std::optional<MessageRecord>{};
  auto message = decode_message((*plain)->view());
  if (!message) return message.error();
  message->sequence = 0;
  return std::optional<MessageRecord>(std::move(message).value());
}

}  // namespace meldpunt::adviser
