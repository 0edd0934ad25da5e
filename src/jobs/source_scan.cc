#include "jobs/source_scan.h"

#include <algorithm>

#include "common/ascii.h"
#include "jobs/schema_util.h"
#include "log/sequence_number.h"
#include "log/types.h"

namespace fluxgate::jobs {

namespace {

Result<MetadataKind> MetadataFor(const sql::TableColumn& c, const std::string& table) {
  const std::string key = AsciiToLower(c.metadata_key);
  auto type_error = [&](const char* want) {
    return Status::InvalidArgument("table '" + table + "': metadata column '" + c.name +
                                   "' FROM '" + c.metadata_key + "' must be " + want);
  };
  if (key == "timestamp" || key == "arrival-time" || key == "approximate-arrival-timestamp") {
    if (c.type.kind != sql::TypeKind::kTimestampLtz && c.type.kind != sql::TypeKind::kTimestamp) {
      return type_error("TIMESTAMP_LTZ(3) or TIMESTAMP(3)");
    }
    return MetadataKind::kArrivalTime;
  }
  MetadataKind kind = key == "shard-id"          ? MetadataKind::kShardId
                      : key == "sequence-number" ? MetadataKind::kSequenceNumber
                      : key == "partition-key"   ? MetadataKind::kPartitionKey
                                                 : MetadataKind::kNone;
  if (kind == MetadataKind::kNone) {
    return Status::InvalidArgument("table '" + table + "': unknown metadata key '" +
                                   c.metadata_key + "' for column '" + c.name +
                                   "'; a stream offers 'timestamp', 'shard-id', "
                                   "'sequence-number' and 'partition-key'");
  }
  if (c.type.kind != sql::TypeKind::kString) return type_error("STRING");
  return kind;
}

}  // namespace

Result<std::shared_ptr<const ScanDef>> ScanDef::Make(int id, const sql::SourceNode& node) {
  auto def = std::make_shared<ScanDef>();
  const sql::TableDef& table = *node.table;
  def->id = id;
  def->node = &node;
  def->table = table.name;
  def->stream = table.connector.stream;
  def->raw_format = AsciiToLower(table.connector.format) == "raw";
  std::vector<runtime::Field> physical;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const sql::TableColumn& c = table.columns[i];
    MetadataKind meta = MetadataKind::kNone;
    int phys = -1;
    switch (c.kind) {
      case sql::TableColumn::Kind::kPhysical:
        phys = static_cast<int>(physical.size());
        physical.push_back({c.name, c.type});
        break;
      case sql::TableColumn::Kind::kMetadata: {
        FG_ASSIGN_OR_RETURN(meta, MetadataFor(c, table.name));
        break;
      }
      case sql::TableColumn::Kind::kComputed:
        def->computed.push_back(static_cast<int>(i));
        break;
    }
    def->physical_index.push_back(phys);
    def->metadata.push_back(meta);
    // Per-row provenance is kept only for the metadata columns that use it: copying every
    // record's partition key costs ~1-2% of a scan that never reads it (bench/pipeline).
    def->needs_arrival |=
        meta == MetadataKind::kArrivalTime || meta == MetadataKind::kSequenceNumber;
    def->needs_offsets |= meta == MetadataKind::kSequenceNumber;
    def->needs_partition_keys |= meta == MetadataKind::kPartitionKey;
  }
  // A file table's partition columns live in its directory names, not in the lines
  // (batch mode, jobs/file_source.h).
  const bool files = table.connector.kind == sql::ConnectorKind::kFilesystem;
  size_t raw_columns = 0;
  const runtime::Field* raw_field = nullptr;
  for (const runtime::Field& f : physical) {
    if (files && std::find(table.partitioned_by.begin(), table.partitioned_by.end(), f.name) !=
                     table.partitioned_by.end()) {
      continue;
    }
    ++raw_columns;
    raw_field = &f;
  }
  if (def->raw_format && (raw_columns != 1 || raw_field->type.kind != sql::TypeKind::kString)) {
    return Status::InvalidArgument("table '" + table.name +
                                   "': 'format' = 'raw' needs exactly one physical column of "
                                   "type STRING (metadata and computed columns may be added)");
  }
  def->physical = std::make_shared<const runtime::Schema>(std::move(physical));
  def->output = ToRuntimeSchema(node.schema);
  FG_ASSIGN_OR_RETURN(def->json,
                      runtime::JsonFormatOptions::FromProperties(table.connector.options));
  if (table.watermark) {
    def->rowtime_column = table.watermark->column;
    def->watermark_delay_ms = table.watermark->delay_ms;
  }
  return std::shared_ptr<const ScanDef>(std::move(def));
}

Result<std::unique_ptr<ScanTask>> ScanTask::Make(std::shared_ptr<const ScanDef> def,
                                                 log::LogManager* log, SideOutput* side,
                                                 const runtime::Clock* clock) {
  auto task = std::unique_ptr<ScanTask>(new ScanTask());
  task->def_ = def;
  task->log_ = log;
  task->side_ = side;
  if (!def->raw_format)
    task->decoder_ = std::make_unique<runtime::JsonDecoder>(def->physical, def->json);
  task->builder_ = std::make_unique<runtime::RecordBatchBuilder>(def->physical);
  const sql::TableDef& table = *def->node->table;
  for (int c : def->computed) {
    FG_ASSIGN_OR_RETURN(auto program,
                        runtime::ExprProgram::Compile(*table.columns[c].expr, *def->output,
                                                      runtime::CompileOptions{clock, nullptr}));
    task->computed_.push_back(std::move(program));
  }
  return task;
}

void ReadCache::NewStep() {
  for (auto& e : entries_) e->valid = false;
}

Result<const log::ReadResult*> ReadCache::Read(log::LogManager* log, const std::string& stream,
                                               uint32_t shard, uint64_t offset,
                                               uint32_t max_records, uint64_t max_bytes) {
  Entry* entry = nullptr;
  for (auto& e : entries_) {
    if (e->shard == shard && e->stream == stream) {
      entry = e.get();
      break;
    }
  }
  if (entry == nullptr) {
    entries_.push_back(std::make_unique<Entry>());
    entry = entries_.back().get();
    entry->stream = stream;
    entry->shard = shard;
  } else if (entry->valid && entry->offset == offset && entry->max_records == max_records &&
             entry->max_bytes == max_bytes) {
    ++hits_;
    return &entry->result;
  }
  entry->valid = false;
  FG_RETURN_IF_ERROR(log->ReadInto(stream, shard, offset, max_records, max_bytes, &entry->result));
  entry->offset = offset;
  entry->max_records = max_records;
  entry->max_bytes = max_bytes;
  entry->valid = true;
  return &entry->result;
}

void ScanTask::AddShard(const ShardPosition& position) { shards_.push_back(position); }

Status ScanTask::Step(uint32_t max_records, StepResult* result) {
  constexpr uint64_t kMaxReadBytes = 8ull << 20;
  for (ShardPosition& pos : shards_) {
    const log::ReadResult* read_ptr = &read_;
    if (cache_ != nullptr) {
      FG_ASSIGN_OR_RETURN(read_ptr, cache_->Read(log_, def_->stream, pos.shard, pos.next_offset,
                                                 max_records, kMaxReadBytes));
    } else {
      FG_RETURN_IF_ERROR(log_->ReadInto(def_->stream, pos.shard, pos.next_offset, max_records,
                                        kMaxReadBytes, &read_));
    }
    const log::ReadResult& read = *read_ptr;
    if (read.records.empty()) {
      pos.next_offset = std::max<uint64_t>(pos.next_offset, read.next_offset);
      continue;
    }
    arrival_.clear();
    offsets_.clear();
    partition_keys_.clear();
    runtime::DeadLetter dead;
    for (const log::StoredRecord& rec : read.records) {
      size_t before = builder_->num_rows();
      if (def_->raw_format) {
        builder_->column(0).AppendString(rec.data);
        builder_->CommitRow();
      } else {
        // The log leaves kRecordReadPadding bytes of capacity after every record.
        runtime::DecodeOutcome outcome =
            decoder_->Decode(rec.data, *builder_, &dead, rec.data.capacity());
        if (outcome != runtime::DecodeOutcome::kRows) {
          seq_.clear();
          log::AppendSequenceNumber(
              {pos.shard_created_ms / 1000, pos.shard, rec.offset, rec.arrival_ms / 1000}, seq_);
          side_->DeadLetter(def_->stream, pos.shard, seq_, dead.reason, rec.data);
          continue;
        }
      }
      for (size_t r = before; r < builder_->num_rows(); ++r) {
        if (def_->needs_arrival) arrival_.push_back(rec.arrival_ms);
        if (def_->needs_offsets) offsets_.push_back(rec.offset);
        if (def_->needs_partition_keys) partition_keys_.push_back(rec.partition_key);
      }
    }
    result->records += read.records.size();
    pos.next_offset = read.next_offset;
    if (builder_->num_rows() > 0) FG_RETURN_IF_ERROR(EmitRows(pos, pos.shard, 0, result));
  }
  return Status::Ok();
}

Status ScanTask::EmitRows(const ShardPosition& pos, uint32_t shard, size_t, StepResult* result) {
  runtime::RecordBatch decoded = builder_->Finish();
  const size_t n = decoded.num_rows();
  const runtime::Schema& out_schema = *def_->output;
  std::vector<runtime::Column> columns;
  columns.reserve(out_schema.size());
  for (size_t i = 0; i < out_schema.size(); ++i) {
    const sql::DataType& type = out_schema.field(i).type;
    if (def_->physical_index[i] >= 0) {
      columns.push_back(std::move(decoded.mutable_column(def_->physical_index[i])));
      continue;
    }
    runtime::Column col(type);
    col.Reserve(n);
    switch (def_->metadata[i]) {
      case MetadataKind::kArrivalTime: {
        const int64_t per_ms = type.precision > 3 ? 1000 : 1;
        for (size_t r = 0; r < n; ++r) col.AppendInt64(arrival_[r] * per_ms);
        break;
      }
      case MetadataKind::kShardId: {
        const std::string id = log::ShardIdFor(shard);
        for (size_t r = 0; r < n; ++r) col.AppendString(id);
        break;
      }
      case MetadataKind::kSequenceNumber:
        for (size_t r = 0; r < n; ++r) {
          seq_.clear();
          log::AppendSequenceNumber(
              {pos.shard_created_ms / 1000, shard, offsets_[r], arrival_[r] / 1000}, seq_);
          col.AppendString(seq_);
        }
        break;
      case MetadataKind::kPartitionKey:
        for (size_t r = 0; r < n; ++r) col.AppendString(partition_keys_[r]);
        break;
      case MetadataKind::kNone:  // computed: filled below
        for (size_t r = 0; r < n; ++r) col.AppendNull();
        break;
    }
    columns.push_back(std::move(col));
  }
  // The decoded batch's columns were moved out; give the builder fresh ones next time.
  runtime::RecordBatch table =
      runtime::RecordBatch::FromColumns(def_->output, std::move(columns), n);
  for (size_t k = 0; k < computed_.size(); ++k) {
    FG_ASSIGN_OR_RETURN(const runtime::Column* value, computed_[k]->Evaluate(table));
    table.mutable_column(def_->computed[k]) = *value;
  }
  if (def_->rowtime_column >= 0) {
    const runtime::Column& ts = table.column(def_->rowtime_column);
    int64_t max = INT64_MIN;
    for (size_t r = 0; r < n; ++r) {
      if (ts.IsValid(r) && ts.Int64(r) > max) max = ts.Int64(r);
    }
    // Rowtimes of TIMESTAMP(p > 3) are micros; watermarks are millis.
    if (max != INT64_MIN && ts.type().precision > 3) max /= 1000;
    if (max != INT64_MIN) result->max_rowtime.emplace_back(shard, max);
  }
  if (output_ == nullptr) return Status::Ok();
  Chunk chunk;
  chunk.batch = std::move(table);
  return output_->Emit(std::move(chunk));
}

}  // namespace fluxgate::jobs
