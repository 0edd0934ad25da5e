// MergeFiles: compaction of small Parquet files into one without decoding.
//
// The column-chunk bytes of every row group are copied as they are (pages stay
// compressed) and a new footer is written with offsets rebased to the new file. Row groups
// are not combined, so merging many tiny files gives a file with many small row groups; it
// still saves the per-object cost of listing and opening them. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parquet/byte_sink.h"

namespace fluxgate::parquet {

struct MergeStats {
  int64_t rows = 0;
  int64_t row_groups = 0;
  int64_t bytes_written = 0;
};

// Writes to `sink` one file holding every row group of `files` (complete Parquet files, in
// order). InvalidArgument if there are no files or their schemas differ (names, types,
// nullability, annotations); Corruption (naming the file index) if one is malformed.
// Nothing is written to the sink before all inputs have been validated. Column and offset
// indexes and bloom filters of the inputs are not carried over.
Result<MergeStats> MergeFiles(const std::vector<std::string_view>& files, ByteSink* sink);

}  // namespace fluxgate::parquet
