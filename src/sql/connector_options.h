// Connector configuration from a CREATE TABLE's WITH options, validated against the option
// tables in connector_options.cc (one table per connector, easy to extend).
//
// Options fall in three groups: used (typed into ConnectorConfig), accepted-but-ignored
// (options a Flink user brings that don't apply here, e.g. AWS credentials or
// 'sink.parallelism'; each yields a Notice), and unknown (an error naming the option).
// Values are plain data; thread-safe as values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sql/bind_error.h"

namespace fluxgate::sql {

struct TableOption;

enum class ConnectorKind : uint8_t {
  kStream,      // 'kinesis' or 'stream': a fluxgate stream (source and sink)
  kFilesystem,  // 'filesystem' or 's3' (sink)
  kAlert,       // 'alert' (sink)
  kPrint,       // 'print' (sink)
};
const char* ConnectorKindName(ConnectorKind kind);  // "stream", "filesystem", ...

enum class StartPosition : uint8_t { kLatest, kTrimHorizon, kAtTimestamp };

struct JsonFormatOptions {
  bool fail_on_missing_field = false;
  bool ignore_parse_errors = false;
  std::string timestamp_standard = "SQL";  // SQL | ISO-8601 | ISO-8601-WITH-OFFSET
  std::string map_null_key_mode = "FAIL";
  std::string map_null_key_literal = "null";
  bool encode_decimal_as_plain_number = false;
  bool encode_ignore_null_fields = false;
};

// Where a filesystem sink writes: a local directory, or BUCKET/prefix in the object store
// (the embedded one under <data-dir>/objects/ when none is configured).
struct SinkPath {
  enum class Kind : uint8_t { kLocal, kObjectStore } kind = Kind::kLocal;
  std::string local_dir;  // kLocal: without the file:// scheme
  std::string bucket;     // kObjectStore
  std::string prefix;     // kObjectStore, without leading '/', as written otherwise
};

struct ConnectorConfig {
  ConnectorKind kind = ConnectorKind::kStream;
  std::string connector;                       // as written: 'kinesis', 's3', ...
  std::map<std::string, std::string> options;  // every option as written, ignored ones too

  // 'format': 'json', or 'raw' (one STRING column holding each record's bytes as they are,
  // Flink's raw format: a source keeps records that do not parse, a sink writes lines), or
  // for filesystem sinks 'parquet' (a bulk format: files roll on every checkpoint)
  std::string format = "json";
  JsonFormatOptions json;

  // kStream
  std::string stream;  // 'stream', or the name in 'stream.arn'
  std::string region;  // 'aws.region' (recorded, not used)
  StartPosition start_position = StartPosition::kLatest;
  std::string start_timestamp;             // 'scan.stream.initpos-timestamp' as written
  int shards = 2;                          // 'shards': shard count when the stream is created
  std::optional<int64_t> idle_timeout_ms;  // 'scan.watermark.idle-timeout'

  // kFilesystem
  SinkPath path;
  int64_t rolling_file_size = 128ll << 20;         // sink.rolling-policy.file-size
  int64_t rolling_rollover_interval_ms = 1800000;  // sink.rolling-policy.rollover-interval
  int64_t rolling_check_interval_ms = 60000;       // sink.rolling-policy.check-interval
  std::optional<int64_t> rolling_inactivity_interval_ms;
  std::string partition_default_name = "__DEFAULT_PARTITION__";
  std::string partition_commit_trigger = "process-time";
  int64_t partition_commit_delay_ms = 0;
  std::string partition_commit_policy;  // '' | success-file
  std::string success_file_name = "_SUCCESS";
  std::string time_extractor_pattern;  // partition.time-extractor.timestamp-pattern
  // 'compression' (a fluxgate extension) for 'json' and 'raw' files: none | gzip | zstd;
  // a gzip member / zstd frame ends at every checkpoint (files are valid concatenations)
  std::string compression = "none";
  // 'format' = 'parquet': 'parquet.compression' (none|snappy|gzip|zstd, as parquet-mr's
  // key; lower case here) and 'parquet.block.size' (the row-group byte target)
  std::string parquet_compression = "snappy";
  int64_t parquet_row_group_bytes = 128ll << 20;

  // kAlert
  std::string topic;
  std::string message_template;  // 'message.template': text with {column} placeholders

  // kPrint
  std::string print_identifier;
  bool print_standard_error = false;
};

// Validates `options` (the WITH clause) and fills a ConnectorConfig; ignored options add
// to `notices`. `table_pos` is where errors about missing options point. Throws BindError.
ConnectorConfig BindConnectorOptions(const std::vector<TableOption>& options, SourcePos table_pos,
                                     std::vector<Notice>* notices);

// '2s', '10 s', '1 min', '500ms', '1 h', '2 minutes', '100' (ms) to milliseconds;
// nullopt when malformed.
std::optional<int64_t> ParseDuration(const std::string& text);
// '128MB', '1 gb', '64kb', '1024' (bytes); nullopt when malformed.
std::optional<int64_t> ParseMemorySize(const std::string& text);

}  // namespace fluxgate::sql
