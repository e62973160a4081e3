#include "clue_index.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace meldpunt::store {

std::size_t ClueIndex::home(const MessageId& id) const {
  // Ids are random bytes chosen by the relay; a multiplicative mix spreads
  // them anyway, so ids altered on disk cannot cluster beyond a slow-down.
  std::uint64_t h = 0;
  std::memcpy(&h, id.data(), sizeof h);
  h *= 0x9E3779B97F4A7C15ull;
  return static_cast<std::size_t>(h >> 32) & (slots_.size() - 1);
}

std::size_t ClueIndex::find_slot(const MessageId& id) const {
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = home(id);
  while (slots_[i] != kEmpty && records_[slots_[i] - 1].id != id) i = (i + 1) & mask;
  return i;
}

void ClueIndex::rehash(std::size_t slot_count) {
  slots_.assign(slot_count, kEmpty);
  for (std::size_t pos = 0; pos < records_.size(); ++pos) {
    slots_[find_slot(records_[pos].id)] = static_cast<std::uint32_t>(pos + 1);
  }
}

bool ClueIndex::insert(const ClueRecord& record) {
  if (records_.size() >= kMaxRecords) throw std::length_error("clue index is full");
  // At most half full, so probe sequences stay short.
  if (2 * (records_.size() + 1) > slots_.size()) rehash(std::max<std::size_t>(64, 2 * slots_.size()));
  const std::size_t slot = find_slot(record.id);
  if (slots_[slot] != kEmpty) return false;
  records_.push_back(record);
  slots_[slot] = static_cast<std::uint32_t>(records_.size());
  return true;
}

bool ClueIndex::erase(const MessageId& id) {
  if (records_.empty()) return false;
  const std::size_t mask = slots_.size() - 1;
  std::size_t hole = find_slot(id);
  if (slots_[hole] == kEmpty) return false;
  const std::size_t pos = slots_[hole] - 1;

  // Backward-shift deletion (no tombstones): pull later entries of the
  // probe run into the hole unless their home lies cyclically in (hole, j].
  for (std::size_t j = (hole + 1) & mask; slots_[j] != kEmpty; j = (j + 1) & mask) {
    const std::size_t h = home(records_[slots_[j] - 1].id);
    const bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
    if (!stays) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = kEmpty;

  // The last record fills the gap in the dense vector; its slot follows it.
  const std::size_t last = records_.size() - 1;
  if (pos != last) {
    records_[pos] = records_[last];
    slots_[find_slot(records_[pos].id)] = static_cast<std::uint32_t>(pos + 1);
  }
  records_.pop_back();
  // Give memory back after a large purge (a quarter full at most).
  if (slots_.size() > 64 && 8 * records_.size() < slots_.size()) {
    records_.shrink_to_fit();
    rehash(slots_.size() / 4);
  }
  return true;
}

void ClueIndex::reserve(std::size_t n) {
  if (n > kMaxRecords) throw std::length_error("clue index is full");
  records_.reserve(n);
  std::size_t slots = 64;
  while (slots < 2 * n) slots *= 2;
  if (slots > slots_.size()) rehash(slots);
}

void ClueIndex::clear() {
  records_.clear();
  records_.shrink_to_fit();
  slots_.clear();
}

}  // namespace meldpunt::store
