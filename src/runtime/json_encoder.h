// JsonRowEncoder: rows of a batch -> JSON objects (JSON Lines for file and stream sinks).
//
// Output follows Flink's JSON format writer: one member per column in schema order, NULL
// as null, TIMESTAMP in the configured standard with the fraction trimmed (TimeFormats:
// "2026-11-25 19:05:00.12"), TIMESTAMP_LTZ in UTC with a 'Z', DECIMAL as an exact plain
// number, DOUBLE as Java's Double.toString writes it (shortest round-trip digits, "95.0",
// "1.0E7", "1.0E-4"; NaN/Infinity as strings, as Jackson does by default).
// Immutable after construction; AppendRow may be called from several threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/json_format.h"
#include "runtime/record_batch.h"

namespace fluxgate::runtime {

class JsonRowEncoder {
 public:
  JsonRowEncoder(std::shared_ptr<const Schema> schema, JsonFormatOptions options);

  // Appends the object for `row` (no newline).
  void AppendRow(const RecordBatch& batch, size_t row, std::string& out) const;
  // The same with the schema's field i read from batch column columns[i], so a sink can
  // encode some of a batch's columns without copying them into a batch of their own.
  void AppendRow(const RecordBatch& batch, const std::vector<int>& columns, size_t row,
                 std::string& out) const;
  // Appends every row, each followed by '\n'.
  void AppendJsonLines(const RecordBatch& batch, std::string& out) const;

 private:
  std::shared_ptr<const Schema> schema_;
  JsonFormatOptions options_;
  std::vector<std::string> member_prefixes_;  // "\"name\":" pre-escaped, with separators
  std::vector<int> identity_;                 // 0..n-1: AppendRow without a column map
};

// Appends a double as Flink's JSON writer would (see above).
void AppendJsonDouble(double v, std::string& out);

}  // namespace fluxgate::runtime
