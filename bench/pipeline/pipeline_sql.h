// PipelineSql: the shipped pipeline file (pipelines/iot-analytics.sql) cut into its
// statements and put back together with the changes a benchmark run needs, so the bench
// measures the shipped SQL rather than a private copy that could drift from it:
//
//  - every 'kinesis' source table gets 'scan.stream.initpos' = 'TRIM_HORIZON' (replay the
//    log from its start);
//  - file sinks ('s3' / 'filesystem') are kept, or replaced by 'print' sinks whose
//    'print-identifier' is the table's name (so a RowTextSink callback can count each
//    sink's rows);
//  - only the chosen INSERTs of the statement set are kept.
//
// The cutting is textual (comments outside quotes removed, statements split at ';'
// outside quotes and parentheses): enough for the shipped file, not a SQL parser; the
// result goes through the real binder, which reports anything it got wrong.
// Thread-safety: plain values.
#pragma once

#include <string>
#include <vector>

namespace fluxgate::bench {

struct SqlTable {
  std::string name;
  std::string connector;  // the 'connector' option, lower case
  std::string text;       // the CREATE TABLE statement, without ';'
};

struct SqlInsert {
  std::string target;  // the INSERT's table
  std::string text;    // without ';'
};

struct PipelineSql {
  std::vector<std::string> settings;  // SET statements, in order
  std::vector<SqlTable> tables;
  std::vector<SqlInsert> inserts;  // the statement set's INSERTs (or top-level ones)

  const SqlTable* FindTable(const std::string& name) const;
};

// Splits `text`; false with *error when a statement it needs cannot be recognised.
bool ParsePipelineSql(const std::string& text, PipelineSql* out, std::string* error);

enum class SinkMode { kReal, kPrint };

// One script: the settings, every table (rewritten as described above) and a statement
// set with the INSERTs into `targets` (all when empty).
std::string BuildPipelineScript(const PipelineSql& sql, const std::vector<std::string>& targets,
                                SinkMode sinks);

// The value of option `key` in a CREATE TABLE's WITH clause; empty when absent.
std::string TableOption(const std::string& create_table, const std::string& key);

}  // namespace fluxgate::bench
