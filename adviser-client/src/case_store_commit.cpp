// How the case store's writes reach LMDB (declared in case_store.hpp): each
// in a commit of its own, or many in one commit (in_one_commit), which is
// how an inbox run stores all the letters it opened with one disk sync
// instead of one per letter.
#include "case_store.hpp"

namespace meldpunt::adviser {

namespace lmdb = store::lmdb;

Status CaseStore::write(const std::function<Status(lmdb::WriteTxn&)>& body) {
  if (batch_ == nullptr) return env_.write(body);
  // Inside in_one_commit: the transaction may now hold half of what body
  // meant to write, so a failure here fails the whole commit, whatever the
  // caller does with the error.
  Status s = body(*batch_);
  if (!s && !batch_failure_) batch_failure_ = s.error();
  return s;
}

Status CaseStore::in_one_commit(const std::function<Status()>& body) {
  if (batch_ != nullptr) return Status(ErrorCode::kInternal, "case store: in_one_commit inside in_one_commit");
  return env_.write([&](lmdb::WriteTxn& txn) -> Status {
    // Set on every run: write() runs this again after growing the map.
    batch_ = &txn;
    batch_failure_.reset();
    struct Close {
      CaseStore& store;
      ~Close() { store.batch_ = nullptr; }
    } close{*this};
    Status s = body();
    if (s && batch_failure_) return Status(*batch_failure_);
    return s;
  });
}

std::uint64_t CaseStore::last_commit_id() const { return env_.last_txn_id(); }

}  // namespace meldpunt::adviser
