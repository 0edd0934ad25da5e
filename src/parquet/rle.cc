#include "parquet/rle.h"

#include <cstring>

namespace fluxgate::parquet {

namespace {

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Length of the run of values equal to values[i] starting at i, capped at `cap`.
size_t RunLength(const uint32_t* values, size_t n, size_t i, size_t cap) {
  size_t j = i + 1;
  while (j < n && j - i < cap && values[j] == values[i]) ++j;
  return j - i;
}

void BitPack(const uint32_t* values, size_t count, size_t groups, int w, std::string* out) {
  size_t bytes = groups * static_cast<size_t>(w);
  size_t base = out->size();
  out->resize(base + bytes, '\0');
  auto* dst = reinterpret_cast<uint8_t*>(out->data() + base);
  uint64_t bit = 0;
  for (size_t k = 0; k < count; ++k, bit += w) {
    uint64_t v = values[k];
    for (int b = 0; b < w; b += 8 - static_cast<int>((bit + b) & 7)) {
      uint64_t pos = bit + b;
      dst[pos >> 3] |= static_cast<uint8_t>((v >> b) << (pos & 7));
    }
  }
}

}  // namespace

int BitWidth(uint64_t max_value) {
  int w = 0;
  while (max_value != 0) {
    ++w;
    max_value >>= 1;
  }
  return w;
}

void RleEncode(const uint32_t* values, size_t n, int bit_width, std::string* out) {
  const size_t value_bytes = (static_cast<size_t>(bit_width) + 7) / 8;
  size_t i = 0;
  while (i < n) {
    size_t run = RunLength(values, n, i, size_t{1} << 30);
    if (run >= 8) {
      PutVarint(static_cast<uint64_t>(run) << 1, out);
      uint32_t v = values[i];
      for (size_t b = 0; b < value_bytes; ++b) out->push_back(static_cast<char>(v >> (8 * b)));
      i += run;
      continue;
    }
    // Bit-packed: whole groups of 8 until a run of 8 starts at a group boundary (or the end).
    size_t start = i;
    size_t groups = 0;
    while (i < n && groups < (size_t{1} << 20)) {
      i = std::min(n, i + 8);
      ++groups;
      if (i < n && RunLength(values, n, i, 8) >= 8) break;
    }
    size_t count = i - start;
    PutVarint((static_cast<uint64_t>(groups) << 1) | 1, out);
    BitPack(values + start, count, groups, bit_width, out);
  }
}

Status RleDecoder::NextRun() {
  uint64_t header = 0;
  for (int shift = 0;; shift += 7) {
    if (shift > 35) return Status::Corruption("rle: run header varint too long");
    if (pos_ >= data_.size()) return Status::Corruption("rle: runs end before all values");
    uint8_t b = static_cast<uint8_t>(data_[pos_++]);
    header |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) break;
  }
  if (header & 1) {
    uint64_t groups = header >> 1;
    uint64_t bytes = groups * static_cast<uint64_t>(bit_width_);
    if (groups == 0) return Status::Corruption("rle: empty bit-packed run");
    // A final run may be cut short by writers that omit padding: allow a partial tail.
    uint64_t avail = data_.size() - pos_;
    uint64_t values = groups * 8;
    if (bytes > avail) {
      if (bit_width_ == 0) return Status::Corruption("rle: bad run");
      values = avail * 8 / static_cast<uint64_t>(bit_width_);
      bytes = avail;
    }
    packed_left_ = values;
    packed_bit_ = static_cast<uint64_t>(pos_) * 8;
    pos_ += bytes;
  } else {
    rle_left_ = header >> 1;
    if (rle_left_ == 0) return Status::Corruption("rle: empty run");
    size_t value_bytes = (static_cast<size_t>(bit_width_) + 7) / 8;
    if (data_.size() - pos_ < value_bytes) return Status::Corruption("rle: truncated run value");
    uint32_t v = 0;
    for (size_t b = 0; b < value_bytes; ++b) {
      v |= static_cast<uint32_t>(static_cast<uint8_t>(data_[pos_ + b])) << (8 * b);
    }
    pos_ += value_bytes;
    if (bit_width_ < 32 && (v >> bit_width_) != 0) {
      return Status::Corruption("rle: run value wider than the bit width");
    }
    rle_value_ = v;
  }
  return Status::Ok();
}

Status RleDecoder::Decode(uint32_t* out, size_t n) {
  if (bit_width_ < 0 || bit_width_ > 32) return Status::Corruption("rle: bit width over 32");
  if (bit_width_ == 0) {  // every value is 0 and takes no bits
    std::memset(out, 0, n * sizeof(uint32_t));
    return Status::Ok();
  }
  const auto* bytes = reinterpret_cast<const uint8_t*>(data_.data());
  const uint64_t mask = (uint64_t{1} << bit_width_) - 1;
  size_t k = 0;
  while (k < n) {
    if (rle_left_ == 0 && packed_left_ == 0) FG_RETURN_IF_ERROR(NextRun());
    if (rle_left_ > 0) {
      size_t take = static_cast<size_t>(std::min<uint64_t>(rle_left_, n - k));
      for (size_t i = 0; i < take; ++i) out[k + i] = rle_value_;
      k += take;
      rle_left_ -= take;
    } else {
      size_t take = static_cast<size_t>(std::min<uint64_t>(packed_left_, n - k));
      for (size_t i = 0; i < take; ++i) {
        uint64_t bit = packed_bit_;
        uint64_t byte = bit >> 3;
        // Gather up to 5 bytes (a 32-bit value at any bit offset) without reading past the end.
        uint64_t word = 0;
        size_t need = ((bit & 7) + bit_width_ + 7) / 8;
        for (size_t b = 0; b < need; ++b) word |= static_cast<uint64_t>(bytes[byte + b]) << (8 * b);
        out[k + i] = static_cast<uint32_t>((word >> (bit & 7)) & mask);
        packed_bit_ += bit_width_;
      }
      k += take;
      packed_left_ -= take;
    }
  }
  return Status::Ok();
}

}  // namespace fluxgate::parquet
