// The connector option tables. To support a new option, add a row to the connector's table
// (and a field to ConnectorConfig if the runtime needs it); to accept-and-ignore one a
// Flink user brings, add a row with kIgnored and the reason shown in the notice.
#include "sql/connector_options.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string_view>

#include "common/ascii.h"
#include "sql/ast_statement.h"

namespace fluxgate::sql {

const char* ConnectorKindName(ConnectorKind kind) {
  switch (kind) {
    case ConnectorKind::kStream:
      return "stream";
    case ConnectorKind::kFilesystem:
      return "filesystem";
    case ConnectorKind::kAlert:
      return "alert";
    case ConnectorKind::kPrint:
      return "print";
  }
  return "?";
}

namespace {

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// Splits "10 s" / "10s" / "1.5min" into a number and a lower-case unit.
bool SplitNumberUnit(const std::string& text, double* number, std::string* unit) {
  std::string t = Trim(text);
  size_t i = 0;
  while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.')) ++i;
  if (i == 0) return false;
  char* end = nullptr;
  std::string digits = t.substr(0, i);
  *number = std::strtod(digits.c_str(), &end);
  if (end != digits.c_str() + digits.size()) return false;
  *unit = AsciiToLower(Trim(t.substr(i)));
  return true;
}

}  // namespace

std::optional<int64_t> ParseDuration(const std::string& text) {
  double n;
  std::string unit;
  if (!SplitNumberUnit(text, &n, &unit)) return std::nullopt;
  static const std::pair<std::vector<std::string_view>, double> kUnits[] = {
      {{"", "ms", "milli", "millis", "millisecond", "milliseconds"}, 1},
      {{"s", "sec", "secs", "second", "seconds"}, 1000},
      {{"m", "min", "mins", "minute", "minutes"}, 60000},
      {{"h", "hour", "hours"}, 3600000},
      {{"d", "day", "days"}, 86400000},
  };
  for (const auto& [names, factor] : kUnits) {
    if (std::find(names.begin(), names.end(), unit) != names.end()) {
      return static_cast<int64_t>(n * factor + 0.5);
    }
  }
  return std::nullopt;
}

std::optional<int64_t> ParseMemorySize(const std::string& text) {
  double n;
  std::string unit;
  if (!SplitNumberUnit(text, &n, &unit)) return std::nullopt;
  static const std::pair<std::vector<std::string_view>, double> kUnits[] = {
      {{"", "b", "bytes"}, 1},
      {{"k", "kb", "kib", "kibibytes"}, 1024.0},
      {{"m", "mb", "mib", "mebibytes"}, 1024.0 * 1024},
      {{"g", "gb", "gib", "gibibytes"}, 1024.0 * 1024 * 1024},
  };
  for (const auto& [names, factor] : kUnits) {
    if (std::find(names.begin(), names.end(), unit) != names.end()) {
      return static_cast<int64_t>(n * factor);
    }
  }
  return std::nullopt;
}

namespace {

enum class Value : uint8_t { kAny, kNonEmpty, kEnum, kDuration, kMemorySize, kPositiveInt, kBool };
enum class Use : uint8_t { kUsed, kIgnored };

using Apply = void (*)(ConnectorConfig&, const std::string&);

struct OptionSpec {
  const char* key;  // a trailing '*' matches any suffix
  Use use;
  Value value;
  const char* choices;  // kEnum: "A|B|C" (case-insensitive, stored upper or as listed)
  Apply apply;          // kUsed: stores the validated value
  const char* reason;   // kIgnored: why, shown in the notice
};

bool Bool(const std::string& v) { return AsciiToLower(v) == "true"; }
int64_t Ms(const std::string& v) { return *ParseDuration(v); }

// 'scan.stream.initpos' and its alias 'source.init.position' (already checked against
// LATEST|TRIM_HORIZON|AT_TIMESTAMP, case-insensitively).
void SetStartPosition(ConnectorConfig& c, const std::string& v) {
  const std::string u = AsciiToUpper(v);
  c.start_position = u == "LATEST"         ? StartPosition::kLatest
                     : u == "TRIM_HORIZON" ? StartPosition::kTrimHorizon
                                           : StartPosition::kAtTimestamp;
}

// ---- options shared by every connector that reads or writes JSON ----
const OptionSpec kFormatOptions[] = {
    {"format", Use::kUsed, Value::kEnum, "json|raw|parquet",
     [](auto& c, auto& v) { c.format = AsciiToLower(v); }, nullptr},
    {"json.fail-on-missing-field", Use::kUsed, Value::kBool, nullptr,
     [](auto& c, auto& v) { c.json.fail_on_missing_field = Bool(v); }, nullptr},
    {"json.ignore-parse-errors", Use::kUsed, Value::kBool, nullptr,
     [](auto& c, auto& v) { c.json.ignore_parse_errors = Bool(v); }, nullptr},
    {"json.timestamp-format.standard", Use::kUsed, Value::kEnum,
     "SQL|ISO-8601|ISO-8601-WITH-OFFSET", [](auto& c, auto& v) { c.json.timestamp_standard = v; },
     nullptr},
    {"json.map-null-key.mode", Use::kUsed, Value::kEnum, "FAIL|DROP|LITERAL",
     [](auto& c, auto& v) { c.json.map_null_key_mode = v; }, nullptr},
    {"json.map-null-key.literal", Use::kUsed, Value::kAny, nullptr,
     [](auto& c, auto& v) { c.json.map_null_key_literal = v; }, nullptr},
    {"json.encode.decimal-as-plain-number", Use::kUsed, Value::kBool, nullptr,
     [](auto& c, auto& v) { c.json.encode_decimal_as_plain_number = Bool(v); }, nullptr},
    {"json.encode.ignore-null-fields", Use::kUsed, Value::kBool, nullptr,
     [](auto& c, auto& v) { c.json.encode_ignore_null_fields = Bool(v); }, nullptr},
    {"sink.parallelism", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "fluxgate sizes a job's parallelism from the source's shards"},
};

// ---- 'kinesis' / 'stream' ----
const OptionSpec kStreamOptions[] = {
    {"stream", Use::kUsed, Value::kNonEmpty, nullptr, [](auto& c, auto& v) { c.stream = v; },
     nullptr},
    {"stream.arn", Use::kUsed, Value::kNonEmpty, nullptr,
     [](auto& c, auto& v) {
       size_t slash = v.rfind('/');
       c.stream = slash == std::string::npos ? v : v.substr(slash + 1);
     },
     nullptr},
    {"aws.region", Use::kUsed, Value::kAny, nullptr, [](auto& c, auto& v) { c.region = v; },
     nullptr},
    {"scan.stream.initpos", Use::kUsed, Value::kEnum, "LATEST|TRIM_HORIZON|AT_TIMESTAMP",
     SetStartPosition, nullptr},
    {"source.init.position", Use::kUsed, Value::kEnum, "LATEST|TRIM_HORIZON|AT_TIMESTAMP",
     SetStartPosition, nullptr},
    {"scan.stream.initpos-timestamp", Use::kUsed, Value::kNonEmpty, nullptr,
     [](auto& c, auto& v) { c.start_timestamp = v; }, nullptr},
    {"source.init.timestamp", Use::kUsed, Value::kNonEmpty, nullptr,
     [](auto& c, auto& v) { c.start_timestamp = v; }, nullptr},
    {"scan.stream.initpos-timestamp-format", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "the timestamp is read as ISO 8601, SQL form or epoch seconds"},
    {"shards", Use::kUsed, Value::kPositiveInt, nullptr,
     [](auto& c, auto& v) { c.shards = std::atoi(v.c_str()); }, nullptr},
    {"scan.watermark.idle-timeout", Use::kUsed, Value::kDuration, nullptr,
     [](auto& c, auto& v) { c.idle_timeout_ms = Ms(v); }, nullptr},
    {"aws.endpoint", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "fluxgate reads and writes its own log"},
    {"aws.credentials.*", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "fluxgate reads and writes its own log, so AWS credentials are not needed"},
    {"aws.trust.all.certificates", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "fluxgate reads and writes its own log"},
    {"scan.shard.*", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "shards are read from the local log, not polled over the network"},
    {"scan.stream.describe.*", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "shards are read from the local log, not polled over the network"},
    {"scan.stream.efo.*", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "shards are read from the local log, not polled over the network"},
    {"scan.stream.recordpublisher", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "shards are read from the local log, not polled over the network"},
    {"scan.watermark.emit.strategy", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "watermarks are emitted per batch"},
    {"sink.partitioner", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "records are spread over shards by a hash of the whole row"},
    {"sink.partitioner-field-delimiter", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "records are spread over shards by a hash of the whole row"},
    {"sink.batch.max-size", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "records are appended to the local log directly"},
    {"sink.fail-on-error", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "records are appended to the local log directly"},
    {"sink.producer.*", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "records are appended to the local log directly"},
    {"sink.flush-buffer.*", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "records are appended to the local log directly"},
};

// ---- 'filesystem' / 's3' ----
const OptionSpec kFilesystemOptions[] = {
    {"path", Use::kUsed, Value::kNonEmpty, nullptr, nullptr, nullptr},  // parsed below
    {"compression", Use::kUsed, Value::kEnum, "none|gzip|zstd",
     [](auto& c, auto& v) { c.compression = AsciiToLower(v); }, nullptr},
    {"parquet.compression", Use::kUsed, Value::kEnum, "none|uncompressed|snappy|gzip|zstd",
     [](auto& c, auto& v) {
       c.parquet_compression = AsciiToLower(v) == "uncompressed" ? "none" : AsciiToLower(v);
     },
     nullptr},
    {"parquet.block.size", Use::kUsed, Value::kMemorySize, nullptr,
     [](auto& c, auto& v) { c.parquet_row_group_bytes = *ParseMemorySize(v); }, nullptr},
    {"parquet.*", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "fluxgate's Parquet writer takes only 'parquet.compression' and 'parquet.block.size'"},
    {"sink.rolling-policy.file-size", Use::kUsed, Value::kMemorySize, nullptr,
     [](auto& c, auto& v) { c.rolling_file_size = *ParseMemorySize(v); }, nullptr},
    {"sink.rolling-policy.rollover-interval", Use::kUsed, Value::kDuration, nullptr,
     [](auto& c, auto& v) { c.rolling_rollover_interval_ms = Ms(v); }, nullptr},
    {"sink.rolling-policy.check-interval", Use::kUsed, Value::kDuration, nullptr,
     [](auto& c, auto& v) { c.rolling_check_interval_ms = Ms(v); }, nullptr},
    {"sink.rolling-policy.inactivity-interval", Use::kUsed, Value::kDuration, nullptr,
     [](auto& c, auto& v) { c.rolling_inactivity_interval_ms = Ms(v); }, nullptr},
    {"partition.default-name", Use::kUsed, Value::kNonEmpty, nullptr,
     [](auto& c, auto& v) { c.partition_default_name = v; }, nullptr},
    {"partition.time-extractor.timestamp-pattern", Use::kUsed, Value::kNonEmpty, nullptr,
     [](auto& c, auto& v) { c.time_extractor_pattern = v; }, nullptr},
    {"partition.time-extractor.kind", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "only the default extractor is supported"},
    {"partition.time-extractor.class", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "only the default extractor is supported"},
    {"partition.time-extractor.timestamp-formatter", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "only the default extractor is supported"},
    {"sink.partition-commit.trigger", Use::kUsed, Value::kEnum, "process-time|partition-time",
     [](auto& c, auto& v) { c.partition_commit_trigger = AsciiToLower(v); }, nullptr},
    {"sink.partition-commit.delay", Use::kUsed, Value::kDuration, nullptr,
     [](auto& c, auto& v) { c.partition_commit_delay_ms = Ms(v); }, nullptr},
    {"sink.partition-commit.policy.kind", Use::kUsed, Value::kEnum, "success-file",
     [](auto& c, auto& v) { c.partition_commit_policy = AsciiToLower(v); }, nullptr},
    {"sink.partition-commit.success-file.name", Use::kUsed, Value::kNonEmpty, nullptr,
     [](auto& c, auto& v) { c.success_file_name = v; }, nullptr},
    {"sink.partition-commit.watermark-time-zone", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "partition times are UTC"},
    {"auto-compaction", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "files are rolled by size and time instead"},
    {"compaction.file-size", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "files are rolled by size and time instead"},
    {"sink.shuffle-by-partition.enable", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "partitions are written by the job's own workers"},
    {"s3.*", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "the object store is configured in the server's TOML config"},
    {"fs.*", Use::kIgnored, Value::kAny, nullptr, nullptr,
     "the object store is configured in the server's TOML config"},
};

// ---- 'alert' ----
const OptionSpec kAlertOptions[] = {
    {"topic", Use::kUsed, Value::kNonEmpty, nullptr, [](auto& c, auto& v) { c.topic = v; },
     nullptr},
    {"message.template", Use::kUsed, Value::kNonEmpty, nullptr,
     [](auto& c, auto& v) { c.message_template = v; }, nullptr},
};

// ---- 'print' ----
const OptionSpec kPrintOptions[] = {
    {"print-identifier", Use::kUsed, Value::kAny, nullptr,
     [](auto& c, auto& v) { c.print_identifier = v; }, nullptr},
    {"standard-error", Use::kUsed, Value::kBool, nullptr,
     [](auto& c, auto& v) { c.print_standard_error = Bool(v); }, nullptr},
};

struct ConnectorSpec {
  std::vector<std::string_view> names;  // as written in 'connector'
  ConnectorKind kind;
  std::vector<const OptionSpec*> options;
  std::vector<std::string_view> required;
};

template <size_t N>
std::vector<const OptionSpec*> Rows(const OptionSpec (&table)[N], bool with_format) {
  std::vector<const OptionSpec*> out;
  for (const OptionSpec& o : table) out.push_back(&o);
  for (const OptionSpec& o : kFormatOptions) {
    if (with_format || std::string_view(o.key) == "sink.parallelism") out.push_back(&o);
  }
  return out;
}

const std::vector<ConnectorSpec>& Connectors() {
  static const std::vector<ConnectorSpec> kConnectors = {
      {{"kinesis", "stream"}, ConnectorKind::kStream, Rows(kStreamOptions, true), {}},
      {{"filesystem", "s3"}, ConnectorKind::kFilesystem, Rows(kFilesystemOptions, true), {"path"}},
      {{"alert"}, ConnectorKind::kAlert, Rows(kAlertOptions, true), {"topic"}},
      {{"print"}, ConnectorKind::kPrint, Rows(kPrintOptions, false), {}},
  };
  return kConnectors;
}

bool KeyMatches(std::string_view pattern, const std::string& key) {
  if (!pattern.empty() && pattern.back() == '*') {
    pattern.remove_suffix(1);
    return key.size() > pattern.size() && key.compare(0, pattern.size(), pattern) == 0;
  }
  return key == pattern;
}

std::string ChoicesText(const char* choices) {
  std::string out;
  std::string_view c(choices);
  size_t start = 0;
  while (start <= c.size()) {
    size_t bar = c.find('|', start);
    if (bar == std::string_view::npos) bar = c.size();
    if (!out.empty()) out += ", ";
    out += "'" + std::string(c.substr(start, bar - start)) + "'";
    start = bar + 1;
  }
  return out;
}

bool InChoices(const char* choices, const std::string& value) {
  std::string_view c(choices);
  size_t start = 0;
  const std::string lower = AsciiToLower(value);
  while (start <= c.size()) {
    size_t bar = c.find('|', start);
    if (bar == std::string_view::npos) bar = c.size();
    if (AsciiToLower(std::string(c.substr(start, bar - start))) == lower) return true;
    start = bar + 1;
  }
  return false;
}

void CheckValue(const OptionSpec& spec, const TableOption& opt) {
  const std::string& v = opt.value;
  auto fail = [&](const std::string& what) {
    ThrowBindError(opt.value_pos,
                   "invalid value '" + v + "' for option '" + opt.key + "': " + what);
  };
  switch (spec.value) {
    case Value::kAny:
      break;
    case Value::kNonEmpty:
      if (Trim(v).empty()) fail("expected a non-empty value");
      break;
    case Value::kEnum:
      if (!InChoices(spec.choices, v)) {
        fail("expected one of " + ChoicesText(spec.choices));
      }
      break;
    case Value::kDuration:
      if (!ParseDuration(v)) fail("expected a duration such as '10 s', '2min' or '500 ms'");
      break;
    case Value::kMemorySize:
      if (!ParseMemorySize(v)) fail("expected a size such as '128MB' or '1 gb'");
      break;
    case Value::kPositiveInt: {
      std::string t = Trim(v);
      bool digits = !t.empty() && t.size() <= 6 &&
                    std::all_of(t.begin(), t.end(), [](char c) { return std::isdigit(c); });
      if (!digits || std::atoi(t.c_str()) < 1) fail("expected a positive integer");
      break;
    }
    case Value::kBool:
      if (AsciiToLower(v) != "true" && AsciiToLower(v) != "false")
        fail("expected 'true' or 'false'");
      break;
  }
}

SinkPath ParsePath(const TableOption& opt) {
  SinkPath p;
  const std::string& v = opt.value;
  auto starts = [&](std::string_view prefix) { return v.compare(0, prefix.size(), prefix) == 0; };
  if (starts("s3://") || starts("s3a://") || starts("s3n://")) {
    std::string rest = v.substr(v.find("://") + 3);
    size_t slash = rest.find('/');
    p.kind = SinkPath::Kind::kObjectStore;
    p.bucket = rest.substr(0, slash);
    p.prefix = slash == std::string::npos ? "" : rest.substr(slash + 1);
    if (p.bucket.empty()) {
      ThrowBindError(opt.value_pos,
                     "invalid value '" + v + "' for option 'path': expected s3://BUCKET/prefix");
    }
    return p;
  }
  if (starts("file://")) {
    p.local_dir = v.substr(7);
  } else if (v.find("://") != std::string::npos) {
    ThrowBindError(opt.value_pos, "invalid value '" + v +
                                      "' for option 'path': expected a local directory, "
                                      "file://DIR or s3://BUCKET/prefix");
  } else {
    p.local_dir = v;
  }
  if (p.local_dir.empty()) {
    ThrowBindError(opt.value_pos, "invalid value '" + v + "' for option 'path': empty path");
  }
  return p;
}

// Options that only make sense with some formats or connectors.
void CheckFormatOptions(const ConnectorConfig& config, const std::vector<TableOption>& options) {
  const bool parquet = config.format == "parquet";
  for (const TableOption& opt : options) {
    if (opt.key == "format" && parquet && config.kind != ConnectorKind::kFilesystem) {
      ThrowBindError(opt.value_pos, "invalid value '" + opt.value +
                                        "' for option 'format': 'parquet' is a file format, "
                                        "only for the 'filesystem' and 's3' connectors");
    }
    if (opt.key == "compression" && parquet) {
      ThrowBindError(opt.pos,
                     "option 'compression' applies to 'json' and 'raw' files; Parquet files "
                     "compress their pages: use 'parquet.compression'");
    }
    if (opt.key.starts_with("parquet.") && !parquet) {
      ThrowBindError(opt.pos, "option '" + opt.key + "' applies to 'format' = 'parquet', not '" +
                                  config.format + "'");
    }
    if (opt.key == "parquet.block.size" && config.parquet_row_group_bytes < 1024) {
      ThrowBindError(opt.value_pos, "invalid value '" + opt.value +
                                        "' for option 'parquet.block.size': at least 1kb");
    }
  }
}

}  // namespace

ConnectorConfig BindConnectorOptions(const std::vector<TableOption>& options, SourcePos table_pos,
                                     std::vector<Notice>* notices) {
  const TableOption* connector_opt = nullptr;
  for (const TableOption& o : options) {
    if (o.key == "connector") connector_opt = &o;
  }
  if (connector_opt == nullptr) {
    ThrowBindError(table_pos,
                   "table has no 'connector' option; add WITH ('connector' = 'kinesis' | "
                   "'stream' | 'filesystem' | 's3' | 'alert' | 'print', ...)");
  }
  const ConnectorSpec* spec = nullptr;
  for (const ConnectorSpec& c : Connectors()) {
    for (std::string_view n : c.names) {
      if (n == AsciiToLower(connector_opt->value)) spec = &c;
    }
  }
  if (spec == nullptr) {
    ThrowBindError(connector_opt->value_pos,
                   "unknown connector '" + connector_opt->value +
                       "'; known connectors: 'kinesis', 'stream', 'filesystem', 's3', 'alert', "
                       "'print'");
  }

  ConnectorConfig config;
  config.kind = spec->kind;
  config.connector = connector_opt->value;
  for (const TableOption& opt : options) {
    if (config.options.count(opt.key)) {
      ThrowBindError(opt.pos, "option '" + opt.key + "' is set twice");
    }
    config.options[opt.key] = opt.value;
    if (opt.key == "connector") continue;
    const OptionSpec* row = nullptr;
    for (const OptionSpec* o : spec->options) {
      if (KeyMatches(o->key, opt.key)) {
        row = o;
        break;
      }
    }
    if (row == nullptr) {
      std::vector<std::string> known;
      for (const OptionSpec* o : spec->options) {
        if (o->use == Use::kUsed) known.push_back(o->key);
      }
      std::string hint = ClosestName(opt.key, known);
      std::string message =
          "unknown option '" + opt.key + "' for connector '" + config.connector + "'";
      if (!hint.empty()) {
        message += "; did you mean '" + hint + "'?";
      } else {
        message += "; known options: ";
        for (size_t i = 0; i < known.size(); ++i) message += (i ? ", '" : "'") + known[i] + "'";
      }
      ThrowBindError(opt.pos, message);
    }
    if (row->use == Use::kIgnored) {
      notices->push_back(
          {opt.pos, "option '" + opt.key + "' is accepted but ignored: " + row->reason});
      continue;
    }
    CheckValue(*row, opt);
    if (row->apply) row->apply(config, opt.value);
    if (opt.key == "path") config.path = ParsePath(opt);
  }

  CheckFormatOptions(config, options);

  for (std::string_view key : spec->required) {
    if (!config.options.count(std::string(key))) {
      ThrowBindError(table_pos, "connector '" + config.connector + "' requires the option '" +
                                    std::string(key) + "'");
    }
  }
  if (config.kind == ConnectorKind::kStream && config.stream.empty()) {
    ThrowBindError(table_pos, "connector '" + config.connector +
                                  "' requires the option 'stream' (the stream's name)");
  }
  if (config.start_position == StartPosition::kAtTimestamp && config.start_timestamp.empty()) {
    ThrowBindError(table_pos,
                   "'scan.stream.initpos' = 'AT_TIMESTAMP' requires "
                   "'scan.stream.initpos-timestamp'");
  }
  if (config.json.fail_on_missing_field && config.json.ignore_parse_errors) {
    ThrowBindError(table_pos,
                   "'json.fail-on-missing-field' and 'json.ignore-parse-errors' cannot both be "
                   "true");
  }
  return config;
}

}  // namespace fluxgate::sql
