// RecordChecker: checks one JSON record against a stream's rules in a single simdjson
// On-Demand pass, and pulls out what the profiler needs (device, event time, sensor type,
// value) on the way. Both the ingest paths (Validator) and the profiler (Monitor) use it,
// so "invalid" means the same thing in both places.
//
// No heap allocation per record once warm: the padded copy of the record and the cell
// vector are reused; strings are formatted only when a record fails (Reason()).
//
// Thread-safety: a RecordChecker and its RecordView belong to one thread at a time (ingest
// threads keep a thread_local one). StreamRules are shared, read-only.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "quality/rules.h"

namespace fluxgate::quality {

// What was wrong with a record: the first rule it broke (the scan goes on to fill the
// cells, so the profiler still counts the other fields).
enum class Problem : uint8_t {
  kNone,
  kMalformed,        // not JSON
  kNotObject,        // JSON, but not an object
  kMissing,          // a required field is absent
  kNull,             // a non-nullable field is null
  kType,             // wrong JSON type for the declared type
  kBelowMinimum,     // JSON Schema "minimum"
  kAboveMaximum,     // JSON Schema "maximum"
  kNotInEnum,        // JSON Schema "enum"
  kBadTimestamp,     // a TIMESTAMP string that does not parse
  kUnexpectedField,  // additionalProperties: false
  kOutOfRange,       // value outside its sensor type's range (only with range_on_ingest)
};
// Short stable name for metrics and JSON ("missing", "type", ...).
const char* ProblemName(Problem p);

enum class Cell : uint8_t { kMissing, kNull, kValue, kInvalid };

struct RecordView {
  std::vector<Cell> cells;  // one per rules.columns()
  Problem problem = Problem::kNone;
  int problem_column = -1;
  // Details for Reason(): what was found (static text), the number involved, and for
  // kUnexpectedField / kMalformed the name or message (filled only on failure).
  const char* found = nullptr;
  double number = 0;
  std::string detail;

  // Views into the checker's buffers: valid until its next Check().
  std::string_view device;       // device_field as text (a number's digits), empty if absent
  std::string_view sensor_type;  // sensor_type_field, empty if absent
  bool has_timestamp = false;
  int64_t timestamp_ms = 0;  // event time, epoch milliseconds
  bool has_value = false;
  double value = 0;
  // value outside the configured range of sensor_type (set whatever range_on_ingest says).
  bool out_of_range = false;
  bool sensor_has_range = false;

  bool ok() const { return problem == Problem::kNone; }
  // "field 'value': expected a number, got string" and the like. Allocates.
  std::string Reason(const StreamRules& rules) const;
  // The field named by the problem, empty for whole-record problems.
  std::string_view ProblemField(const StreamRules& rules) const;
};

class RecordChecker {
 public:
  RecordChecker() = default;
  RecordChecker(const RecordChecker&) = delete;
  RecordChecker& operator=(const RecordChecker&) = delete;

  // Fills *view (reusing its storage). Returns view->ok().
  bool Check(const StreamRules& rules, std::string_view data, RecordView* view);

 private:
  simdjson::ondemand::parser parser_;
  std::string buffer_;  // the record plus SIMDJSON_PADDING bytes
};

}  // namespace fluxgate::quality
