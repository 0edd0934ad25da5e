// 'filesystem' / 's3' connector: rows in part files under Hive-style partition directories,
// published exactly once through the store's PartFileWriter two-phase commit. The file
// format ('json', 'raw', 'parquet', compression) is jobs/file_format.h's.
//
// As in Flink, PARTITIONED BY columns name the directories (`year=2026/month=11/...`) and
// are not repeated inside the files; a NULL or empty value becomes 'partition.default-name'.
// Values are escaped as Hive does (%XX for '/', '=', ':' and the like). Files are named
// part-<uuid>-<task>-<counter><suffix> (.json, .json.gz, .json.zst, .parquet), where the
// uuid is derived from the job and the sink, so a restart without a checkpoint can find and
// remove what an earlier run left staged.
#include <map>

#include "common/logging.h"
#include "jobs/file_format.h"
#include "jobs/key_interner.h"
#include "jobs/sinks.h"
#include "sql/logical_plan.h"
#include "store/object_store.h"
#include "store/open_store.h"
#include "store/part_file_name.h"
#include "store/part_file_writer.h"
#include "store/sink_location.h"

namespace fluxgate::jobs {

namespace {

// Hive's FileUtils.escapePathName set.
bool NeedsEscape(unsigned char c) {
  return c < 0x20 || c == 0x7f || c == '"' || c == '#' || c == '%' || c == '\'' || c == '*' ||
         c == '/' || c == ':' || c == '=' || c == '?' || c == '\\' || c == '{' || c == '[' ||
         c == ']' || c == '^';
}

void AppendEscaped(std::string_view v, std::string& out) {
  static const char* kHex = "0123456789ABCDEF";
  for (unsigned char c : v) {
    if (NeedsEscape(c)) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
}

// A uuid derived from the job's and the sink's names, so it is the same after a restart
// (StartFresh finds what an earlier run of this sink left staged by it).
std::string StableUuid(const std::string& job, const std::string& label) {
  return store::FormatUuid(HashKey(job + '\0' + label), HashKey(label + '\0' + job));
}

class FileSinkOp final : public Operator {
 public:
  Status Init(const sql::SinkNode& node, const std::string& label, int partition,
              const SinkEnv& env) {
    const sql::TableDef& table = *node.table;
    const sql::ConnectorConfig& c = table.connector;
    table_ = table.name;
    clock_ = env.clock;
    default_partition_ = c.partition_default_name;
    success_file_ = c.partition_commit_policy == "success-file";
    commit_delay_ms_ = c.partition_commit_delay_ms;

    store::SinkLocation loc;
    if (c.path.kind == sql::SinkPath::Kind::kLocal) {
      loc.kind = store::SinkLocation::Kind::kLocal;
      loc.local_dir = c.path.local_dir;
    } else {
      loc.kind = store::SinkLocation::Kind::kObjectStore;
      loc.bucket = c.path.bucket;
      loc.prefix = c.path.prefix;
    }
    // [store.s3] set: s3:// paths go to S3; otherwise to the embedded local store.
    store::SinkStore target;
    if (env.stores != nullptr) {
      FG_ASSIGN_OR_RETURN(target, env.stores->Open(loc));
    } else {
      FG_ASSIGN_OR_RETURN(
          target, store::OpenSinkStore(loc, env.data_dir, env.store ? *env.store : StoreConfig{}));
    }
    store_ = std::move(target.store);

    std::vector<runtime::Field> data_fields;
    for (size_t i = 0; i < node.schema.size(); ++i) {
      const auto& col = node.schema[i];
      bool is_partition = false;
      for (const auto& p : table.partitioned_by) is_partition |= p == col.name;
      if (is_partition) {
        partition_columns_.push_back(static_cast<int>(i));
        partition_names_.push_back(col.name);
      } else {
        data_columns_.push_back(static_cast<int>(i));
        data_fields.push_back({col.name, col.type});
      }
    }
    data_schema_ = std::make_shared<const runtime::Schema>(std::move(data_fields));
    FG_ASSIGN_OR_RETURN(format_, MakeFileFormat(table_, c, data_schema_, data_columns_));

    store::PartFileWriterOptions o;
    o.uuid = StableUuid(env.job, label);
    o.task = static_cast<uint32_t>(partition);
    o.suffix = format_->suffix();
    o.encoder = format_->encoder();
    o.roll_on_checkpoint = format_->roll_on_checkpoint();
    o.max_file_bytes = static_cast<uint64_t>(c.rolling_file_size);
    o.rollover_interval_ms = c.rolling_rollover_interval_ms;
    o.inactivity_interval_ms = c.rolling_inactivity_interval_ms.value_or(0);
    o.success_file_name = c.success_file_name;
    FG_ASSIGN_OR_RETURN(writer_,
                        store::PartFileWriter::Create(store_.get(), target.bucket, target.prefix, o,
                                                      clock_->NowMillis()));
    return Status::Ok();
  }

  Status Push(int, Chunk chunk) override {
    const runtime::RecordBatch& b = chunk.batch;
    const size_t n = b.num_rows();
    if (n == 0) return Status::Ok();
    // Rows of a step mostly share their partition: the directory text is only built
    // again when a partition column differs from the row before, and each run of rows
    // of one partition is written in one call.
    size_t run = 0;
    partition_.clear();
    PartitionOf(b, 0, partition_);
    for (size_t r = 1; r < n; ++r) {
      if (SamePartition(b, r - 1, r)) continue;
      FG_RETURN_IF_ERROR(WriteRun(b, run, r));
      run = r;
      partition_.clear();
      PartitionOf(b, r, partition_);
    }
    FG_RETURN_IF_ERROR(WriteRun(b, run, n));
    counters_.records_out += n;
    return Status::Ok();
  }

  Status OnTime(int64_t now_ms) override { return writer_->OnTime(now_ms); }
  Status OnStop() override { return writer_->CloseAll(); }

  Status Snapshot(uint64_t checkpoint_id, std::string& out) override {
    FG_ASSIGN_OR_RETURN(out, writer_->PrepareCommit(checkpoint_id));
    return Status::Ok();
  }

  Status Commit(uint64_t checkpoint_id) override {
    FG_RETURN_IF_ERROR(writer_->Commit(checkpoint_id));
    if (!success_file_) return Status::Ok();
    // 'sink.partition-commit.policy.kind' = 'success-file' with the process-time trigger:
    // a partition is marked once files were published to it and the delay has passed
    // since it was first written; a later file marks it again (Flink may commit a
    // partition more than once too).
    const int64_t now = clock_->NowMillis();
    for (auto it = partitions_.begin(); it != partitions_.end();) {
      if (now - it->second >= commit_delay_ms_) {
        FG_RETURN_IF_ERROR(writer_->WriteSuccessFile(it->first));
        it = partitions_.erase(it);
      } else {
        ++it;
      }
    }
    return Status::Ok();
  }

  Status Restore(std::string_view state) override { return writer_->Restore(state); }
  Status StartFresh() override { return writer_->StartFresh(); }

 private:
  bool SamePartition(const runtime::RecordBatch& b, size_t a, size_t r) const {
    for (int c : partition_columns_) {
      const runtime::Column& col = b.column(c);
      const bool null_a = col.IsNull(a);
      if (null_a != col.IsNull(r)) return false;
      if (null_a) continue;
      switch (col.physical()) {
        case runtime::PhysicalType::kString: {
          // Partition texts are a few bytes: compared inline rather than through memcmp.
          const std::string_view x = col.String(a), y = col.String(r);
          if (x.size() != y.size()) return false;
          for (size_t i = 0; i < x.size(); ++i) {
            if (x[i] != y[i]) return false;
          }
          break;
        }
        case runtime::PhysicalType::kInt64:
          if (col.Int64(a) != col.Int64(r)) return false;
          break;
        case runtime::PhysicalType::kBool:
          if (col.Bool(a) != col.Bool(r)) return false;
          break;
        default:  // doubles and decimals: compare their text, as the directory name does
          if (b.ValueToString(c, a) != b.ValueToString(c, r)) return false;
          break;
      }
    }
    return true;
  }

  void PartitionOf(const runtime::RecordBatch& b, size_t row, std::string& out) const {
    for (size_t k = 0; k < partition_columns_.size(); ++k) {
      if (k > 0) out += '/';
      out += partition_names_[k];
      out += '=';
      const runtime::Column& col = b.column(partition_columns_[k]);
      std::string v = col.IsNull(row) ? std::string() : b.ValueToString(partition_columns_[k], row);
      AppendEscaped(v.empty() ? default_partition_ : v, out);
    }
  }

  Status WriteRun(const runtime::RecordBatch& b, size_t begin, size_t end) {
    Status s = format_->Write(*writer_, partition_, b, begin, end);
    if (success_file_ && s.ok()) partitions_.emplace(partition_, clock_->NowMillis());
    return s;
  }

  std::string table_;
  const runtime::Clock* clock_ = nullptr;
  std::string default_partition_;
  bool success_file_ = false;
  int64_t commit_delay_ms_ = 0;
  std::shared_ptr<store::ObjectStore> store_;  // shared: one S3 store serves every sink
  std::unique_ptr<store::PartFileWriter> writer_;
  std::vector<int> partition_columns_;
  std::vector<std::string> partition_names_;
  std::vector<int> data_columns_;
  std::shared_ptr<const runtime::Schema> data_schema_;
  std::unique_ptr<FileFormat> format_;
  std::string partition_;                      // of the run of rows being written
  std::map<std::string, int64_t> partitions_;  // success-file: partition -> first write
};

}  // namespace

Result<std::unique_ptr<Operator>> MakeFileSink(const sql::SinkNode& node, const std::string& label,
                                               int partition, const SinkEnv& env) {
  auto op = std::make_unique<FileSinkOp>();
  FG_RETURN_IF_ERROR(op->Init(node, label, partition, env));
  return std::unique_ptr<Operator>(std::move(op));
}

}  // namespace fluxgate::jobs
