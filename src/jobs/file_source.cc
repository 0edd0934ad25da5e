#include "jobs/file_source.h"

#include <algorithm>
#include <map>

#include "common/ascii.h"
#include "jobs/file_source_codec.h"
#include "jobs/schema_util.h"
#include "parquet/reader.h"
#include "runtime/expr_program.h"
#include "runtime/json_decoder.h"
#include "runtime/json_format.h"
#include "store/object_store.h"
#include "store/sink_location.h"

namespace fluxgate::jobs {

Result<OpenedTableStore> OpenLocalTableStore(const sql::SinkPath& path,
                                             const std::string& data_dir) {
  store::SinkLocation loc;
  std::string display;
  if (path.kind == sql::SinkPath::Kind::kLocal) {
    loc.kind = store::SinkLocation::Kind::kLocal;
    loc.local_dir = path.local_dir;
    display = path.local_dir;
  } else {
    loc.kind = store::SinkLocation::Kind::kObjectStore;
    loc.bucket = path.bucket;
    loc.prefix = path.prefix;
    display = "s3://" + path.bucket + "/" + path.prefix;
  }
  FG_ASSIGN_OR_RETURN(store::LocalSinkTarget target, store::ResolveLocalSink(loc, data_dir));
  OpenedTableStore out;
  out.store = std::make_unique<store::LocalObjectStore>(target.root);
  out.location.store = out.store.get();
  out.location.bucket = target.bucket;
  out.location.prefix = target.prefix.empty() ? "" : target.prefix + "/";
  out.location.display = display;
  return out;
}

namespace {

// `s` with `context` in front of its message, keeping its code.
Status WithContext(const Status& s, const std::string& context) { return s.WithPrefix(context); }

}  // namespace

std::string UnescapePathName(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::optional<std::vector<std::optional<std::string>>> ParsePartitionPath(
    std::string_view relative_key, const std::vector<std::string>& partition_columns,
    std::string_view default_name) {
  std::vector<std::optional<std::string>> values(partition_columns.size());
  size_t start = 0;
  for (;;) {
    const size_t slash = relative_key.find('/', start);
    std::string_view segment = relative_key.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment.empty() || segment.front() == '.' || segment.front() == '_') return std::nullopt;
    if (slash == std::string_view::npos) break;  // the file name
    const size_t eq = segment.find('=');
    if (eq != std::string_view::npos) {
      const std::string name = UnescapePathName(segment.substr(0, eq));
      for (size_t i = 0; i < partition_columns.size(); ++i) {
        if (partition_columns[i] != name) continue;
        std::string value = UnescapePathName(segment.substr(eq + 1));
        if (value == default_name) {
          values[i].reset();
        } else {
          values[i] = std::move(value);
        }
      }
    }
    start = slash + 1;
  }
  return values;
}

// Everything that holds run-time state: decoders, programs, the current object.
struct FileSource::Impl {
  uint32_t batch_rows = 4096;
  bool raw = false;
  bool ignore_parse_errors = false;
  std::vector<std::string> partition_names;
  std::vector<int> partition_columns;  // table column of each partition column
  std::vector<int> data_index;         // per table column: index in data schema, or -1
  std::vector<int> partition_index;    // per table column: index in partition_names, or -1
  std::vector<int> computed;           // table columns computed by expression
  std::string default_partition;

  std::shared_ptr<const runtime::Schema> data_schema;
  std::unique_ptr<runtime::JsonDecoder> decoder;
  std::unique_ptr<runtime::RecordBatchBuilder> builder;
  std::vector<std::unique_ptr<runtime::ExprProgram>> computed_programs;

  // Partition values -> typed: decoded through a JSON decoder over the partition columns'
  // types, so text converts exactly as a JSON string field would (numbers, booleans,
  // timestamps).
  std::shared_ptr<const runtime::Schema> partition_schema;
  std::unique_ptr<runtime::JsonDecoder> partition_decoder;

  // Partition filters, compiled over the table's columns, evaluated on a one-row batch.
  std::vector<std::unique_ptr<runtime::ExprProgram>> filters;
  std::map<std::vector<std::optional<std::string>>, bool> filter_cache;

  // The object being read: text lines, or a Parquet file's row groups.
  std::unique_ptr<parquet::FileReader> parquet;
  std::vector<int> parquet_columns;  // per data column: its column in the file, or -1
  size_t row_group = 0;
  std::string object_name;
  size_t next_object = 0;
  bool have_object = false;
  std::string text;  // decompressed
  size_t pos = 0;
  uint64_t line = 0;
  runtime::RecordBatch partition_row;  // the current object's partition values, typed
};

FileSource::~FileSource() = default;

Result<std::unique_ptr<FileSource>> FileSource::Make(
    const sql::SourceNode& node, FileTableLocation location,
    std::vector<sql::BoundExprPtr> partition_filters, const runtime::Clock* clock,
    uint32_t batch_rows) {
  const sql::TableDef& table = *node.table;
  if (table.connector.kind != sql::ConnectorKind::kFilesystem) {
    return Status::InvalidArgument("table '" + table.name + "' is not a file table");
  }
  if (location.store == nullptr) return Status::InvalidArgument("FileSource: no object store");
  auto src = std::unique_ptr<FileSource>(new FileSource());
  src->node_ = &node;
  src->location_ = std::move(location);
  src->output_ = ToRuntimeSchema(node.schema);
  src->impl_ = std::make_unique<Impl>();
  Impl& im = *src->impl_;
  im.batch_rows = std::max<uint32_t>(1, batch_rows);
  im.raw = AsciiToLower(table.connector.format) == "raw";
  im.default_partition = table.connector.partition_default_name;
  im.partition_names = table.partitioned_by;

  std::vector<runtime::Field> data_fields, partition_fields(table.partitioned_by.size());
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const sql::TableColumn& c = table.columns[i];
    int data = -1, part = -1;
    for (size_t p = 0; p < table.partitioned_by.size(); ++p) {
      if (table.partitioned_by[p] == c.name) part = static_cast<int>(p);
    }
    switch (c.kind) {
      case sql::TableColumn::Kind::kPhysical:
        if (part >= 0) {
          partition_fields[part] = {c.name, c.type};
        } else {
          data = static_cast<int>(data_fields.size());
          data_fields.push_back({c.name, c.type});
        }
        break;
      case sql::TableColumn::Kind::kMetadata:
        return Status::InvalidArgument("table '" + table.name + "': metadata column '" + c.name +
                                       "' FROM '" + c.metadata_key + "' cannot be read from files");
      case sql::TableColumn::Kind::kComputed:
        im.computed.push_back(static_cast<int>(i));
        break;
    }
    im.data_index.push_back(data);
    im.partition_index.push_back(c.kind == sql::TableColumn::Kind::kPhysical ? part : -1);
  }
  for (size_t p = 0; p < partition_fields.size(); ++p) {
    if (partition_fields[p].name.empty()) {
      return Status::InvalidArgument("table '" + table.name + "': partition column '" +
                                     table.partitioned_by[p] + "' is not a physical column");
    }
  }
  if (im.raw && (data_fields.size() != 1 || data_fields[0].type.kind != sql::TypeKind::kString)) {
    return Status::InvalidArgument("table '" + table.name +
                                   "': 'format' = 'raw' needs exactly one physical column of "
                                   "type STRING besides the partition columns");
  }
  const std::string format = AsciiToLower(table.connector.format);
  if (format != "json" && format != "raw" && format != "parquet") {
    return Status::InvalidArgument("table '" + table.name + "': reading 'format' = '" + format +
                                   "' is not supported; 'json', 'raw' and 'parquet' are");
  }
  im.data_schema = std::make_shared<const runtime::Schema>(std::move(data_fields));
  FG_ASSIGN_OR_RETURN(runtime::JsonFormatOptions json,
                      runtime::JsonFormatOptions::FromProperties(table.connector.options));
  im.ignore_parse_errors = table.connector.json.ignore_parse_errors;
  if (!im.raw) im.decoder = std::make_unique<runtime::JsonDecoder>(im.data_schema, json);
  im.builder = std::make_unique<runtime::RecordBatchBuilder>(im.data_schema);
  im.partition_schema = std::make_shared<const runtime::Schema>(std::move(partition_fields));
  im.partition_decoder =
      std::make_unique<runtime::JsonDecoder>(im.partition_schema, runtime::JsonFormatOptions{});
  for (int c : im.computed) {
    FG_ASSIGN_OR_RETURN(auto program,
                        runtime::ExprProgram::Compile(*table.columns[c].expr, *src->output_,
                                                      runtime::CompileOptions{clock, nullptr}));
    im.computed_programs.push_back(std::move(program));
  }
  for (const auto& f : partition_filters) {
    FG_ASSIGN_OR_RETURN(
        auto program,
        runtime::ExprProgram::Compile(*f, *src->output_, runtime::CompileOptions{clock, nullptr}));
    im.filters.push_back(std::move(program));
  }
  return src;
}

namespace {

void AppendJsonString(std::string_view v, std::string& out) {
  static const char* kHex = "0123456789abcdef";
  out += '"';
  for (unsigned char c : v) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

}  // namespace

Status FileSource::Open() {
  Impl& im = *impl_;
  const std::string& table = node_->table->name;
  auto listed = location_.store->List(location_.bucket, location_.prefix);
  if (!listed.ok()) {
    return WithContext(listed.status(),
                       "table '" + table + "': cannot list " + location_.display + ": ");
  }
  objects_.clear();
  for (store::ObjectInfo& info : *listed) {
    std::string_view rel(info.key);
    if (rel.substr(0, location_.prefix.size()) != location_.prefix) continue;
    rel.remove_prefix(location_.prefix.size());
    auto values = ParsePartitionPath(rel, im.partition_names, im.default_partition);
    if (!values) continue;
    ++stats_.objects_listed;
    FileObject obj{std::move(info.key), info.size, std::move(*values)};
    FG_ASSIGN_OR_RETURN(bool keep, KeepObject(obj));
    if (!keep) {
      ++stats_.objects_pruned;
      continue;
    }
    objects_.push_back(std::move(obj));
  }
  im.next_object = 0;
  im.have_object = false;
  return Status::Ok();
}

// The typed partition values of `values` as a one-row batch of the partition schema.
static Result<runtime::RecordBatch> TypedPartitionRow(
    runtime::JsonDecoder& decoder, const std::shared_ptr<const runtime::Schema>& schema,
    const std::vector<std::optional<std::string>>& values, const std::string& key) {
  std::string json = "{";
  for (size_t p = 0; p < values.size(); ++p) {
    if (p) json += ',';
    AppendJsonString(schema->field(p).name, json);
    json += ':';
    if (values[p]) {
      AppendJsonString(*values[p], json);
    } else {
      json += "null";
    }
  }
  json += '}';
  runtime::RecordBatchBuilder builder(schema);
  runtime::DeadLetter dead;
  if (decoder.Decode(json, builder, &dead) != runtime::DecodeOutcome::kRows ||
      builder.num_rows() != 1) {
    return Status::InvalidArgument("object '" + key +
                                   "': partition value does not fit: " + dead.reason);
  }
  return builder.Finish();
}

Result<bool> FileSource::KeepObject(const FileObject& object) {
  Impl& im = *impl_;
  if (im.filters.empty()) return true;
  auto cached = im.filter_cache.find(object.partition_values);
  if (cached != im.filter_cache.end()) return cached->second;
  FG_ASSIGN_OR_RETURN(runtime::RecordBatch part,
                      TypedPartitionRow(*im.partition_decoder, im.partition_schema,
                                        object.partition_values, object.key));
  // One row of the table's schema: partition columns set, every other column NULL (the
  // filters read partition columns only).
  std::vector<runtime::Column> columns;
  for (size_t i = 0; i < output_->size(); ++i) {
    runtime::Column col(output_->field(i).type);
    const int p = im.partition_index[i];
    if (p >= 0 && part.column(p).IsValid(0)) {
      col = part.column(p);
    } else {
      col.AppendNull();
    }
    columns.push_back(std::move(col));
  }
  runtime::RecordBatch row = runtime::RecordBatch::FromColumns(output_, std::move(columns), 1);
  bool keep = true;
  for (auto& program : im.filters) {
    auto result = program->Evaluate(row);
    if (!result.ok()) continue;  // cannot decide here: read the object and let WHERE decide
    const runtime::Column& c = **result;
    if (c.IsNull(0) || !c.Bool(0)) {
      keep = false;
      break;
    }
  }
  im.filter_cache.emplace(object.partition_values, keep);
  return keep;
}

Status FileSource::LoadObject(size_t index) {
  Impl& im = *impl_;
  const FileObject& obj = objects_[index];
  const std::string name = location_.bucket.empty() ? obj.key : location_.bucket + "/" + obj.key;
  auto bytes = location_.store->Get(location_.bucket, obj.key);
  if (!bytes.ok()) {
    return WithContext(bytes.status(),
                       "table '" + node_->table->name + "': cannot read '" + name + "': ");
  }
  stats_.bytes_read += bytes->size();
  ++stats_.objects_read;
  im.object_name = name;
  im.parquet.reset();
  if (DetectObjectEncoding(*bytes) == ObjectEncoding::kParquet) {
    if (im.raw) {
      return Status::InvalidArgument("table '" + node_->table->name + "': object '" + name +
                                     "' is a Parquet file, but the table's 'format' is 'raw'");
    }
    auto reader = parquet::FileReader::OpenOwned(std::move(*bytes));
    if (!reader.ok()) {
      return WithContext(reader.status(),
                         "table '" + node_->table->name + "': object '" + name + "': ");
    }
    im.parquet = std::move(*reader);
    // Columns by name; one the file lacks reads as NULL (a column added to the table later).
    im.parquet_columns.assign(im.data_schema->size(), -1);
    const auto& specs = im.parquet->columns();
    for (size_t c = 0; c < im.data_schema->size(); ++c) {
      for (size_t k = 0; k < specs.size(); ++k) {
        if (specs[k].name == im.data_schema->field(c).name)
          im.parquet_columns[c] = static_cast<int>(k);
      }
    }
    im.row_group = 0;
  } else {
    auto text = DecodeObjectBytes(std::move(*bytes), name, kMaxObjectBytes);
    if (!text.ok()) {
      return WithContext(text.status(), "table '" + node_->table->name + "': ");
    }
    im.text = std::move(*text);
    // simdjson reads past the end of a record when it can (Decode's `readable`): padding.
    im.text.reserve(im.text.size() + 64);
    im.pos = 0;
    im.line = 0;
  }
  FG_ASSIGN_OR_RETURN(
      im.partition_row,
      TypedPartitionRow(*im.partition_decoder, im.partition_schema, obj.partition_values, name));
  im.have_object = true;
  return Status::Ok();
}

Result<bool> FileSource::Next(runtime::RecordBatch* out) {
  Impl& im = *impl_;
  for (;;) {
    if (!im.have_object) {
      if (im.next_object >= objects_.size()) return false;
      FG_RETURN_IF_ERROR(LoadObject(im.next_object++));
    }
    if (im.parquet) {
      if (im.row_group >= im.parquet->num_row_groups()) {
        im.parquet.reset();
        im.have_object = false;
        continue;
      }
      FG_ASSIGN_OR_RETURN(runtime::RecordBatch decoded, ReadParquetRowGroup(im.row_group++));
      if (decoded.num_rows() == 0) continue;
      FG_RETURN_IF_ERROR(FinishBatch(std::move(decoded), out));
      return true;
    }
    const FileObject& obj = objects_[im.next_object - 1];
    runtime::DeadLetter dead;
    while (im.pos < im.text.size() && im.builder->num_rows() < im.batch_rows) {
      size_t end = im.text.find('\n', im.pos);
      if (end == std::string::npos) end = im.text.size();
      std::string_view line(im.text.data() + im.pos, end - im.pos);
      const size_t readable = im.text.capacity() - im.pos;
      im.pos = end + 1;
      ++im.line;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (im.raw) {
        im.builder->column(0).AppendString(line);
        im.builder->CommitRow();
        continue;
      }
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank line
      runtime::DecodeOutcome outcome = im.decoder->Decode(line, *im.builder, &dead, readable);
      if (outcome == runtime::DecodeOutcome::kSkipped) {
        ++stats_.skipped_lines;
      } else if (outcome == runtime::DecodeOutcome::kDeadLetter) {
        const std::string name =
            location_.bucket.empty() ? obj.key : location_.bucket + "/" + obj.key;
        return Status::InvalidArgument("table '" + node_->table->name + "': object '" + name +
                                       "', line " + std::to_string(im.line) + ": " + dead.reason);
      }
    }
    if (im.pos >= im.text.size()) {
      im.have_object = false;
      im.text.clear();
    }
    if (im.builder->num_rows() >= im.batch_rows ||
        (im.builder->num_rows() > 0 && !im.have_object)) {
      FG_RETURN_IF_ERROR(FinishBatch(im.builder->Finish(), out));
      return true;
    }
  }
}

namespace {

// `in` as a column of type `want`: moved when the representation is the same, converted
// for widening conversions (integers to DOUBLE or BIGINT, timestamp units), else an error.
Result<runtime::Column> Conform(runtime::Column in, const sql::DataType& want,
                                const std::string& what) {
  const sql::DataType& have = in.type();
  const bool both_ts =
      (have.kind == sql::TypeKind::kTimestamp || have.kind == sql::TypeKind::kTimestampLtz) &&
      (want.kind == sql::TypeKind::kTimestamp || want.kind == sql::TypeKind::kTimestampLtz);
  if (have.kind == want.kind || both_ts) {
    if (both_ts && runtime::TimestampUnitPerSecond(have) != runtime::TimestampUnitPerSecond(want)) {
      const int64_t from = runtime::TimestampUnitPerSecond(have);
      const int64_t to = runtime::TimestampUnitPerSecond(want);
      runtime::Column out(want);
      out.Reserve(in.size());
      for (size_t r = 0; r < in.size(); ++r) {
        if (in.IsNull(r)) {
          out.AppendNull();
        } else if (from > to) {
          const int64_t f = from / to, v = in.Int64(r);
          out.AppendInt64(v >= 0 ? v / f : -((-v + f - 1) / f));  // floor
        } else {
          out.AppendInt64(in.Int64(r) * (to / from));
        }
      }
      return out;
    }
    if (have.kind != sql::TypeKind::kDecimal ||
        (have.precision == want.precision && have.scale == want.scale)) {
      return in;
    }
  }
  const bool int_in = have.kind == sql::TypeKind::kInt || have.kind == sql::TypeKind::kBigInt;
  if (int_in && (want.kind == sql::TypeKind::kDouble || want.kind == sql::TypeKind::kBigInt ||
                 want.kind == sql::TypeKind::kInt)) {
    runtime::Column out(want);
    out.Reserve(in.size());
    for (size_t r = 0; r < in.size(); ++r) {
      if (in.IsNull(r)) {
        out.AppendNull();
      } else if (want.kind == sql::TypeKind::kDouble) {
        out.AppendDouble(static_cast<double>(in.Int64(r)));
      } else {
        out.AppendInt64(in.Int64(r));
      }
    }
    return out;
  }
  return Status::InvalidArgument(what + " is " + have.ToString() + " in the file, but " +
                                 want.ToString() + " in the table");
}

}  // namespace

Result<runtime::RecordBatch> FileSource::ReadParquetRowGroup(size_t index) {
  Impl& im = *impl_;
  std::vector<size_t> wanted;
  for (int c : im.parquet_columns) {
    if (c >= 0) wanted.push_back(static_cast<size_t>(c));
  }
  const size_t n = static_cast<size_t>(im.parquet->row_group(index).num_rows);
  runtime::RecordBatch group;
  if (!wanted.empty()) {
    auto read = im.parquet->ReadRowGroup(index, wanted);
    if (!read.ok()) {
      return WithContext(read.status(), "table '" + node_->table->name + "': object '" +
                                            im.object_name + "', row group " +
                                            std::to_string(index) + ": ");
    }
    group = std::move(*read);
  }
  const size_t rows = wanted.empty() ? n : group.num_rows();
  std::vector<runtime::Column> columns;
  size_t next = 0;
  for (size_t c = 0; c < im.data_schema->size(); ++c) {
    const runtime::Field& f = im.data_schema->field(c);
    if (im.parquet_columns[c] < 0) {
      runtime::Column col(f.type);
      for (size_t r = 0; r < rows; ++r) col.AppendNull();
      columns.push_back(std::move(col));
      continue;
    }
    FG_ASSIGN_OR_RETURN(runtime::Column col,
                        Conform(std::move(group.mutable_column(next++)), f.type,
                                "table '" + node_->table->name + "': object '" + im.object_name +
                                    "': column '" + f.name + "'"));
    columns.push_back(std::move(col));
  }
  return runtime::RecordBatch::FromColumns(im.data_schema, std::move(columns), rows);
}

Status FileSource::FinishBatch(runtime::RecordBatch decoded, runtime::RecordBatch* out) {
  Impl& im = *impl_;
  const size_t n = decoded.num_rows();
  std::vector<runtime::Column> columns;
  columns.reserve(output_->size());
  for (size_t i = 0; i < output_->size(); ++i) {
    if (im.data_index[i] >= 0) {
      columns.push_back(std::move(decoded.mutable_column(im.data_index[i])));
      continue;
    }
    runtime::Column col(output_->field(i).type);
    col.Reserve(n);
    const int p = im.partition_index[i];
    if (p >= 0 && im.partition_row.column(p).IsValid(0)) {
      // Every row of a batch comes from one object, so one partition value.
      const runtime::Column& v = im.partition_row.column(p);
      for (size_t r = 0; r < n; ++r) {
        switch (v.physical()) {
          case runtime::PhysicalType::kBool:
            col.AppendBool(v.Bool(0));
            break;
          case runtime::PhysicalType::kInt64:
            col.AppendInt64(v.Int64(0));
            break;
          case runtime::PhysicalType::kDouble:
            col.AppendDouble(v.Double(0));
            break;
          case runtime::PhysicalType::kDecimal:
            col.AppendDecimal(v.Decimal(0));
            break;
          case runtime::PhysicalType::kString:
            col.AppendString(v.String(0));
            break;
          default:
            col.AppendNull();
            break;
        }
      }
    } else {
      for (size_t r = 0; r < n; ++r) col.AppendNull();  // NULL partition; computed: below
    }
    columns.push_back(std::move(col));
  }
  runtime::RecordBatch table = runtime::RecordBatch::FromColumns(output_, std::move(columns), n);
  for (size_t k = 0; k < im.computed_programs.size(); ++k) {
    FG_ASSIGN_OR_RETURN(const runtime::Column* value, im.computed_programs[k]->Evaluate(table));
    table.mutable_column(im.computed[k]) = *value;
  }
  stats_.rows += n;
  *out = std::move(table);
  return Status::Ok();
}

}  // namespace fluxgate::jobs
