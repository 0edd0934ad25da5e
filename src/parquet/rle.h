// The RLE / bit-packed hybrid encoding (Parquet Encodings.md): definition levels and
// dictionary indices. Values are unsigned and fit in `bit_width` bits (0..32).
// Pure functions and a decoder over a caller-owned buffer; not thread-safe per decoder.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace fluxgate::parquet {

// Appends the hybrid runs for `values` (no length prefix) to *out. Runs of 8 or more equal
// values become RLE runs; the rest are bit-packed in groups of 8 (the last group of the
// input zero-padded).
void RleEncode(const uint32_t* values, size_t n, int bit_width, std::string* out);

// Smallest width that holds `max_value` (0 for 0).
int BitWidth(uint64_t max_value);

class RleDecoder {
 public:
  // `data` (runs, no length prefix) must outlive the decoder.
  RleDecoder(std::string_view data, int bit_width) : data_(data), bit_width_(bit_width) {}

  // Decodes exactly n values into out; Corruption if the runs end early or are malformed.
  Status Decode(uint32_t* out, size_t n);

 private:
  Status NextRun();

  std::string_view data_;
  size_t pos_ = 0;
  int bit_width_;
  // Current run: either `rle_left` copies of `rle_value`, or `packed_left` values of a
  // bit-packed run starting at bit `packed_bit` of data_.
  uint64_t rle_left_ = 0;
  uint32_t rle_value_ = 0;
  uint64_t packed_left_ = 0;
  uint64_t packed_bit_ = 0;
};

}  // namespace fluxgate::parquet
