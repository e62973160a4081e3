#include "raw_lmdb.hpp"

#include <lmdb.h>

#include <cstring>
#include <stdexcept>
#include <string>

namespace meldpunt::bench {
namespace {

void check(int rc, const char* what) {
  if (rc != MDB_SUCCESS) throw std::runtime_error(std::string("lmdb ") + what + ": " + mdb_strerror(rc));
}

MDB_val val(ByteView v) { return MDB_val{v.size(), const_cast<std::uint8_t*>(v.data())}; }

}  // namespace

struct RawLmdb::Impl {
  MDB_env* env = nullptr;
  MDB_dbi messages = 0;
  MDB_dbi clues = 0;
};

RawLmdb::RawLmdb(const std::filesystem::path& folder, bool durable, std::uint64_t map_bytes)
    : impl_(std::make_unique<Impl>()) {
  check(mdb_env_create(&impl_->env), "env_create");
  check(mdb_env_set_maxdbs(impl_->env, 8), "set_maxdbs");
  check(mdb_env_set_mapsize(impl_->env, map_bytes), "set_mapsize");
  const unsigned flags = MDB_NOTLS | (durable ? 0u : static_cast<unsigned>(MDB_NOSYNC | MDB_NOMETASYNC));
  check(mdb_env_open(impl_->env, folder.c_str(), flags, 0600), "env_open");
  MDB_txn* txn = nullptr;
  check(mdb_txn_begin(impl_->env, nullptr, 0, &txn), "txn_begin");
  check(mdb_dbi_open(txn, "messages", MDB_CREATE, &impl_->messages), "dbi_open");
  check(mdb_dbi_open(txn, "clues", MDB_CREATE, &impl_->clues), "dbi_open");
  check(mdb_txn_commit(txn), "txn_commit");
}

RawLmdb::~RawLmdb() {
  if (impl_ && impl_->env) mdb_env_close(impl_->env);
}

void RawLmdb::commit(std::span<const RawDeposit> deposits) {
  MDB_txn* txn = nullptr;
  check(mdb_txn_begin(impl_->env, nullptr, 0, &txn), "txn_begin");
  for (const RawDeposit& d : deposits) {
    MDB_val key = val(d.id);
    // MDB_RESERVE: LMDB hands out the space and we fill it, one copy only.
    MDB_val value{4 + d.verifier.size() + d.envelope.size(), nullptr};
    int rc = mdb_put(txn, impl_->messages, &key, &value, MDB_NOOVERWRITE | MDB_RESERVE);
    if (rc != MDB_SUCCESS) {
      mdb_txn_abort(txn);
      check(rc, "put message");
    }
    auto* out = static_cast<std::uint8_t*>(value.mv_data);
    for (int i = 0; i < 4; ++i) out[i] = static_cast<std::uint8_t>(d.expiry_day >> (8 * i));
    std::memcpy(out + 4, d.verifier.data(), d.verifier.size());
    if (!d.envelope.empty()) std::memcpy(out + 4 + d.verifier.size(), d.envelope.data(), d.envelope.size());
    MDB_val clue = val(d.clue);
    rc = mdb_put(txn, impl_->clues, &key, &clue, MDB_NOOVERWRITE);
    if (rc != MDB_SUCCESS) {
      mdb_txn_abort(txn);
      check(rc, "put clue");
    }
  }
  check(mdb_txn_commit(txn), "txn_commit");
}

}  // namespace meldpunt::bench
