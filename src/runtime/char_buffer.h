// CharBuffer: the character arena of a STRING column, and SmallCopy, the inline copy it
// appends with. Most values are a few bytes (ids, units, partition texts): a call into
// libc's memcpy plus std::string's bookkeeping cost more than the copy itself, so short
// values are moved with fixed-size loads and stores the compiler inlines.
//
// A copy holds only the bytes in use, not the spare capacity (columns are copied when a
// stream feeds several operators). Not thread-safe.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <utility>

namespace fluxgate::runtime {

// Copies n bytes from s to d (not overlapping): fixed-size moves for short values,
// overlapping where n is not a multiple of the move; memcpy beyond 32 bytes.
inline void SmallCopy(char* d, const char* s, size_t n) {
  if (n > 32) {
    std::memcpy(d, s, n);
  } else if (n >= 16) {
    std::memcpy(d, s, 16);
    std::memcpy(d + n - 16, s + n - 16, 16);
  } else if (n >= 8) {
    std::memcpy(d, s, 8);
    std::memcpy(d + n - 8, s + n - 8, 8);
  } else if (n >= 4) {
    std::memcpy(d, s, 4);
    std::memcpy(d + n - 4, s + n - 4, 4);
  } else {
    for (size_t i = 0; i < n; ++i) d[i] = s[i];
  }
}

class CharBuffer {
 public:
  CharBuffer() = default;
  CharBuffer(const CharBuffer& o) : size_(o.size_), capacity_(o.size_) {
    if (size_ > 0) {
      data_.reset(new char[size_]);
      std::memcpy(data_.get(), o.data_.get(), size_);
    }
  }
  CharBuffer(CharBuffer&& o) noexcept
      : data_(std::move(o.data_)),
        size_(std::exchange(o.size_, 0)),
        capacity_(std::exchange(o.capacity_, 0)) {}
  CharBuffer& operator=(const CharBuffer& o) {
    if (this != &o) *this = CharBuffer(o);
    return *this;
  }
  CharBuffer& operator=(CharBuffer&& o) noexcept {
    data_ = std::move(o.data_);
    size_ = std::exchange(o.size_, 0);
    capacity_ = std::exchange(o.capacity_, 0);
    return *this;
  }

  // Never null (as std::string's): views of empty values are passed on to C APIs that
  // declare their pointer non-null even for zero bytes.
  const char* data() const { return data_ ? data_.get() : ""; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }

  void append(const char* s, size_t n) {
    if (n == 0) return;
    if (size_ + n > capacity_) Grow(size_ + n);
    SmallCopy(data_.get() + size_, s, n);
    size_ += n;
  }
  // Shrinks (never grows) the bytes in use; the capacity stays.
  void truncate(size_t n) {
    if (n < size_) size_ = n;
  }
  void reserve(size_t n) {
    if (n > capacity_) Grow(n);
  }

 private:
  void Grow(size_t need) {
    size_t cap = capacity_ < 64 ? 64 : capacity_ * 2;
    if (cap < need) cap = need;
    std::unique_ptr<char[]> bigger(new char[cap]);
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = cap;
  }

  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace fluxgate::runtime
