#include "runtime/window_table.h"

namespace fluxgate::runtime {

WindowTable::WindowTable() { Rehash(1024); }

void WindowTable::Rehash(size_t capacity) {
  std::vector<Entry> old = std::move(slots_);
  slots_.assign(capacity, Entry{nullptr, 0, 0, 0, 0, 0, 0});
  mask_ = capacity - 1;
  dead_ = 0;
  for (const Entry& e : old) {
    if (e.block == nullptr) continue;
    size_t i = Hash(e.key, e.end) & mask_;
    while (slots_[i].block != nullptr) i = (i + 1) & mask_;
    slots_[i] = e;
  }
}

WindowTable::Entry* WindowTable::Find(uint32_t key, int64_t end) {
  for (size_t i = Hash(key, end) & mask_;; i = (i + 1) & mask_) {
    Entry& e = slots_[i];
    if (e.block == nullptr) {
      if (!e.dead) return nullptr;
    } else if (e.key == key && e.end == end) {
      return &e;
    }
  }
}

WindowTable::Entry* WindowTable::FindOrInsert(uint32_t key, int64_t start, int64_t end,
                                              bool* inserted) {
  Entry* tomb = nullptr;
  for (size_t i = Hash(key, end) & mask_;; i = (i + 1) & mask_) {
    Entry& e = slots_[i];
    if (e.block == nullptr) {
      if (e.dead) {
        if (tomb == nullptr) tomb = &e;
        continue;
      }
      if ((size_ + dead_ + 1) * 2 > slots_.size()) {
        Rehash(size_ * 4 > slots_.size() ? slots_.size() * 2 : slots_.size());
        return FindOrInsert(key, start, end, inserted);
      }
      Entry* slot = tomb ? tomb : &e;
      if (tomb) --dead_;
      *slot = Entry{nullptr, start, end, key, 0, 0, 0};
      ++size_;
      *inserted = true;
      return slot;
    }
    if (e.key == key && e.end == end) {
      *inserted = false;
      return &e;
    }
  }
}

void WindowTable::Erase(Entry* e) {
  e->block = nullptr;
  e->dead = 1;
  --size_;
  ++dead_;
}

}  // namespace fluxgate::runtime
