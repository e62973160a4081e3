// The relay's clues held in memory: every record (message id, clue, expiry
// day) of the clues table, so that a fetch reads neither the LMDB map nor
// the disk, and a purge finds the expired messages without reading either.
//
// Why: clue records are 84 bytes and sit in data.mdb among the envelopes'
// overflow pages (a deposit writes both in one commit). A fetch that scanned
// the table touched ~3,200 scattered leaf pages per 100k messages, and the
// kernel mapped the cached envelope pages around each of them as well
// (fault-around): ~215 MiB counted resident for 13 MiB read. In memory the
// same clues take 84 bytes per message plus an index of 8-16 bytes.
//
// Records sit in one dense vector (a fetch copies it in one go); an
// open-addressing table of positions finds a record by id for deletion,
// which moves the last record into the hole. Not thread-safe: RelayStore
// guards it.
#pragma once

#include <cstdint>
#include <vector>

#include "meldpunt/store/relay_store.hpp"

namespace meldpunt::store {

class ClueIndex {
 public:
  // Most records the index holds: positions are 32-bit. A fetch answer of
  // this many entries (64 bytes each) is far beyond what clients accept.
  static constexpr std::size_t kMaxRecords = 1u << 30;

  // Adds a record; false (nothing changed) if the id is already present.
  // Throws std::length_error beyond kMaxRecords.
  bool insert(const ClueRecord& record);
  // Removes the record with this id; false if absent. Changes the order of
  // records (the last one takes the removed one's place).
  bool erase(const MessageId& id);
  void clear();
  // Room for n records without reallocation (a load of a known count).
  void reserve(std::size_t n);
  std::size_t size() const { return records_.size(); }
  // Every record, in no particular order.
  const std::vector<ClueRecord>& records() const { return records_; }

 private:
  static constexpr std::uint32_t kEmpty = 0;  // slot value; otherwise position + 1
  std::size_t home(const MessageId& id) const;
  // The slot holding id, or the empty slot where it would go.
  std::size_t find_slot(const MessageId& id) const;
  void rehash(std::size_t slot_count);

  std::vector<ClueRecord> records_;
  std::vector<std::uint32_t> slots_;  // size a power of two, at most half full
};

}  // namespace meldpunt::store
