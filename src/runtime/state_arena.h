// StateArena: fixed-size, stably addressed blocks for per-group aggregate state.
//
// Blocks live in 64 KiB chunks that never move, so aggregate states may hold C++ objects
// placed in them (COUNT DISTINCT's set) and pointers to blocks stay valid until Free().
// Freed blocks are reused first. The arena never runs destructors: the owner calls each
// AggregateFunction::Destroy before Free. Not thread-safe (one per operator state).
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace fluxgate::runtime {

class StateArena {
 public:
  // block_size is rounded up to a multiple of 16 (every state's alignment divides 16).
  explicit StateArena(size_t block_size);

  std::byte* Allocate();
  void Free(std::byte* block) { free_.push_back(block); }
  size_t block_size() const { return block_size_; }
  size_t live_blocks() const { return allocated_ - free_.size(); }
  size_t MemoryUsage() const { return chunks_.size() * chunk_bytes_ + free_.capacity() * 8; }

 private:
  size_t block_size_;
  size_t chunk_bytes_;
  std::vector<std::unique_ptr<std::byte[]>> chunks_;
  size_t used_in_last_ = 0;  // bytes handed out from chunks_.back()
  size_t allocated_ = 0;
  std::vector<std::byte*> free_;
};

}  // namespace fluxgate::runtime
