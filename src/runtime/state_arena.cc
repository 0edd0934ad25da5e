#include "runtime/state_arena.h"

#include <algorithm>

namespace fluxgate::runtime {

StateArena::StateArena(size_t block_size)
    : block_size_(std::max<size_t>(16, (block_size + 15) / 16 * 16)),
      chunk_bytes_(std::max<size_t>(block_size_, 64 * 1024) / block_size_ * block_size_) {
  used_in_last_ = chunk_bytes_;  // no chunk yet
}

std::byte* StateArena::Allocate() {
  if (!free_.empty()) {
    std::byte* b = free_.back();
    free_.pop_back();
    return b;
  }
  if (used_in_last_ + block_size_ > chunk_bytes_) {
    // operator new[] of std::byte is aligned to __STDCPP_DEFAULT_NEW_ALIGNMENT__ (16).
    chunks_.push_back(std::make_unique<std::byte[]>(chunk_bytes_));
    used_in_last_ = 0;
  }
  std::byte* b = chunks_.back().get() + used_in_last_;
  used_in_last_ += block_size_;
  ++allocated_;
  return b;
}

}  // namespace fluxgate::runtime
