// WindowTable: open-addressing hash table from (key id, window end) to a group's state.
//
// Keys are pre-interned to dense uint32 ids upstream, so an entry is 32 bytes and a probe
// touches one cache line in the common case. (key, end) identifies a TUMBLE, HOP or
// CUMULATE window uniquely (for CUMULATE all windows of a key share a start but not an
// end); the start is stored alongside. Linear probing with tombstones; the table doubles
// when live + dead entries pass half the capacity. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fluxgate::runtime {

class WindowTable {
 public:
  struct Entry {
    std::byte* block;  // nullptr: empty slot (or tombstone if dead)
    int64_t start;
    int64_t end;
    uint32_t key;
    uint8_t dead;   // tombstone
    uint8_t fired;  // emitted at least once (kept only for allowed lateness)
    uint8_t dirty;  // updated since it last fired: fire again as an update
  };

  WindowTable();

  // The entry for (key, end); *inserted says whether it was created (block == nullptr,
  // to be filled by the caller). Pointers stay valid until the next Insert or Erase.
  Entry* FindOrInsert(uint32_t key, int64_t start, int64_t end, bool* inserted);
  Entry* Find(uint32_t key, int64_t end);
  void Erase(Entry* e);

  size_t size() const { return size_; }
  size_t capacity() const { return slots_.size(); }
  // Iterate live entries: for (auto& e : table.slots()) if (e.block) ...
  std::vector<Entry>& slots() { return slots_; }
  const std::vector<Entry>& slots() const { return slots_; }
  size_t MemoryUsage() const { return slots_.capacity() * sizeof(Entry); }

 private:
  static uint64_t Hash(uint32_t key, int64_t end) {
    uint64_t h = (uint64_t{key} + 1) * 0x9E3779B97F4A7C15ull ^
                 static_cast<uint64_t>(end) * 0xC2B2AE3D27D4EB4Full;
    return h ^ (h >> 29);
  }
  void Rehash(size_t capacity);

  std::vector<Entry> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;  // live entries
  size_t dead_ = 0;  // tombstones
};

}  // namespace fluxgate::runtime
