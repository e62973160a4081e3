// A test seam for storage failures: tests make the store fail on demand, at
// the boundary to LMDB, so that everything above it (the wrapper's mapping of
// return codes, the relay store, the relay's request handling) runs exactly
// as it would on a broken or full disk. The programs never set it; there is
// no switch for it outside code.
#pragma once

#include <functional>

namespace meldpunt::store {

// Where a storage call can be made to fail.
enum class FaultPoint {
  kBeginRead,  // mdb_txn_begin of a read transaction
  kCommit,     // mdb_txn_commit of a write transaction
};

// Called before the LMDB call at each point (from whichever thread makes
// it); 0 lets the call go ahead, anything else is taken as that call's
// return code (an LMDB code such as MDB_MAP_FULL, or an errno such as EIO
// or ENOSPC) without making it. A failed commit leaves nothing written, as
// a real one does.
using FaultHook = std::function<int(FaultPoint)>;

}  // namespace meldpunt::store
