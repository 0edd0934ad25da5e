// The job driver: builds the tasks of a PhysicalPlan and runs them in steps.
//
// One step: (1) every partition reads a batch from each of its shards and pushes it
// through stage 0; (2) the driver folds the shards' largest rowtimes into each scan's
// watermark generator; (3) stage by stage, every partition drains the exchange buffers
// addressed to it and passes the watermark to its operators, which fire windows. After
// a step nothing is in flight, so a checkpoint is just the read positions, the watermark
// generators and each operator's state, and sinks publish what the checkpoint covers
// once it is durable.
#include "jobs/job.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "common/logging.h"
#include "jobs/checkpoint_store.h"
#include "jobs/exchange.h"
#include "jobs/make_operator.h"
#include "jobs/physical_plan.h"
#include "jobs/side_output.h"
#include "jobs/source_scan.h"
#include "jobs/task_pool.h"
#include "log/log_manager.h"
#include "runtime/clock.h"
#include "runtime/timestamp_text.h"
#include "runtime/watermark_generator.h"

namespace fluxgate::jobs {

const char* JobStateName(JobState state) {
  switch (state) {
    case JobState::kCreated:
      return "CREATED";
    case JobState::kRunning:
      return "RUNNING";
    case JobState::kStopping:
      return "STOPPING";
    case JobState::kStopped:
      return "STOPPED";
    case JobState::kFailed:
      return "FAILED";
  }
  return "?";
}

namespace {

constexpr int64_t kIdlePollMs = 50;
constexpr int64_t kDiscoverEveryMs = 2000;

const runtime::Clock* DefaultClock() {
  static runtime::SystemClock clock;
  return &clock;
}

// Milliseconds since the epoch from 'scan.stream.initpos-timestamp': ISO 8601 / SQL text
// or (fractional) epoch seconds, as the Kinesis connector accepts.
Result<int64_t> ParseStartTimestamp(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("0123456789.") == std::string::npos) {
    return static_cast<int64_t>(std::stod(text) * 1000);
  }
  runtime::ParsedTimestamp ts;
  if (const char* err = runtime::ParseTimestamp(text, &ts)) {
    return Status::InvalidArgument("'scan.stream.initpos-timestamp' = '" + text + "': " + err);
  }
  return ts.epoch_micros / 1000;
}

class JobImpl final : public Job {
 public:
  JobImpl(std::string name, std::string sql, sql::JobSettings settings, PhysicalPlan plan,
          JobContext ctx, bool is_query, RowTextSink query_rows)
      : name_(std::move(name)),
        sql_(std::move(sql)),
        settings_(std::move(settings)),
        plan_(std::move(plan)),
        ctx_(std::move(ctx)),
        is_query_(is_query),
        query_rows_(std::move(query_rows)) {
    if (ctx_.clock == nullptr) ctx_.clock = DefaultClock();
    job_dir_ = ctx_.data_dir + "/jobs/" + name_;
    if (is_query_) job_dir_ = ctx_.data_dir + "/queries/" + name_;
    side_ = std::make_unique<SideOutput>(job_dir_);
    status_.name = name_;
    status_.sql = sql_;
    status_.max_state_bytes = ctx_.max_state_bytes;
  }

  ~JobImpl() override { Abort(); }

  const std::string& name() const override { return name_; }

  Status Start() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (status_.state == JobState::kRunning) return Status::Ok();
      if (thread_.joinable()) {
        return Status::InvalidArgument("job '" + name_ + "' was already run; create a new Job");
      }
    }
    Status s = Prepare();
    std::lock_guard<std::mutex> lock(mu_);
    if (!s.ok()) {
      status_.state = JobState::kFailed;
      status_.error = s.ToString();
      return s;
    }
    status_.state = JobState::kRunning;
    status_.started_at_ms = ctx_.clock->NowMillis();
    status_.parallelism = parallelism_;
    thread_ = std::thread([this] { Run(); });
    return Status::Ok();
  }

  Status Stop() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (status_.state == JobState::kRunning) status_.state = JobState::kStopping;
      stop_ = true;
    }
    cv_.notify_all();
    ctx_.log->append_signal().Notify();  // an idle job waits there
    if (thread_.joinable()) thread_.join();
    std::lock_guard<std::mutex> lock(mu_);
    if (status_.state == JobState::kFailed) return Status::Internal(status_.error);
    return Status::Ok();
  }

  void Abort() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
      abort_ = true;
    }
    cv_.notify_all();
    ctx_.log->append_signal().Notify();
    if (thread_.joinable()) thread_.join();
  }

  JobStatus status() const override {
    std::lock_guard<std::mutex> lock(mu_);
    JobStatus s = status_;
    s.dead_letters = side_->dead_letters();
    s.late_records = side_->late_records();
    return s;
  }

 private:
  // --- set-up --------------------------------------------------------------------

  Status Prepare() {
    std::error_code ec;
    std::filesystem::create_directories(job_dir_, ec);
    if (ec) return Status::IOError("cannot create " + job_dir_ + ": " + ec.message());
    FG_RETURN_IF_ERROR(EnsureStreams());
    std::optional<CheckpointData> checkpoint;
    if (!is_query_) {
      store_ = std::make_unique<CheckpointStore>(job_dir_ + "/checkpoints");
      FG_ASSIGN_OR_RETURN(checkpoint, store_->LoadLatest());
      if (checkpoint && checkpoint->fingerprint != plan_.fingerprint) {
        return Status::InvalidArgument(
            "job '" + name_ + "': the pipeline's plan differs from the one its last checkpoint (" +
            std::to_string(checkpoint->id) +
            ") was taken with, so its state cannot be restored. Give the changed pipeline a "
            "new 'pipeline.name', or remove " +
            job_dir_ + " to start this job over.");
      }
    }
    int max_shards = 1;
    for (const auto& scan : plan_.scans) {
      FG_ASSIGN_OR_RETURN(log::StreamMeta meta, ctx_.log->DescribeStream(scan->stream));
      max_shards = std::max<int>(max_shards, static_cast<int>(meta.shards.size()));
    }
    parallelism_ = checkpoint ? static_cast<int>(checkpoint->parallelism)
                              : std::clamp(max_shards, 1, std::max(1, ctx_.worker_threads));
    pool_ = std::make_unique<TaskPool>(parallelism_ - 1);
    FG_RETURN_IF_ERROR(BuildTasks());
    FG_RETURN_IF_ERROR(AssignShards(checkpoint ? &*checkpoint : nullptr));
    if (checkpoint) {
      FG_RETURN_IF_ERROR(RestoreFrom(*checkpoint));
      next_checkpoint_id_ = checkpoint->id + 1;
      GetLogger("jobs")->info("job '{}' resumed from checkpoint {} (parallelism {})", name_,
                              checkpoint->id, parallelism_);
    } else {
      for (auto& per_node : ops_) {
        for (auto& op : per_node) {
          if (op) FG_RETURN_IF_ERROR(op->StartFresh());
        }
      }
      GetLogger("jobs")->info("job '{}' started with parallelism {}", name_, parallelism_);
    }
    return Status::Ok();
  }

  Status EnsureStreams() {
    for (const auto& scan : plan_.scans) {
      if (ctx_.log->DescribeStream(scan->stream).ok()) continue;
      const int shards = scan->node->table->connector.shards;
      Status s = ctx_.log->CreateStream(scan->stream, static_cast<uint32_t>(shards),
                                        log::StreamMode::kProvisioned, {});
      if (s.ok()) {
        GetLogger("jobs")->info(
            "job '{}': source stream '{}' (table '{}') did not exist; created it with {} shards "
            "and reading it",
            name_, scan->stream, scan->table, shards);
      } else if (s.code() != Status::Code::kAlreadyExists) {
        return s;
      }
    }
    return Status::Ok();
  }

  Status BuildTasks() {
    const int p = parallelism_;
    const size_t n = plan_.nodes.size();
    ops_.clear();
    ops_.resize(n);
    outputs_.clear();
    outputs_.resize(n);
    OperatorEnv env;
    env.allowed_lateness_ms = settings_.allowed_lateness_ms;
    env.side = side_.get();
    env.sinks.job = name_;
    env.sinks.job_dir = job_dir_;
    env.sinks.data_dir = ctx_.data_dir;
    env.sinks.store = &ctx_.store;
    env.sinks.stores = ctx_.stores.get();
    env.sinks.log = ctx_.log;
    env.sinks.alerts = ctx_.alerts;
    env.sinks.clock = ctx_.clock;
    env.sinks.print = ctx_.print;
    for (size_t id = 0; id < n; ++id) {
      for (int j = 0; j < p; ++j) {
        FG_ASSIGN_OR_RETURN(auto op, MakeOperator(plan_.nodes[id], j, env));
        ops_[id].push_back(std::move(op));
      }
    }
    // Exchanges, then each node's fan-out to its consumers.
    for (size_t id = 0; id < n; ++id) {
      const PhysicalNode& node = plan_.nodes[id];
      for (int j = 0; j < p; ++j) {
        auto fan = std::make_unique<FanOut>();
        for (const auto& c : node.consumers) {
          if (!c.exchange) {
            owned_outputs_.push_back(std::make_unique<DirectOutput>(ops_[c.node][j].get(), c.port));
            fan->Add(owned_outputs_.back().get());
            continue;
          }
          ExchangeBuffer* buf = ExchangeFor(c.node, c.port);
          const PhysicalNode& consumer = plan_.nodes[c.node];
          std::unique_ptr<CompiledKeys> keys;
          if (consumer.keyed) {
            FG_ASSIGN_OR_RETURN(CompiledKeys k, CompileKeys(consumer.partition_keys, *node.schema));
            keys = std::make_unique<CompiledKeys>(std::move(k));
          }
          owned_outputs_.push_back(std::make_unique<ExchangeOutput>(buf, j, std::move(keys)));
          fan->Add(owned_outputs_.back().get());
        }
        if (is_query_ && id + 1 == n) {
          query_ops_.push_back(MakeQueryPrintOperator(name_, query_rows_));
          owned_outputs_.push_back(std::make_unique<DirectOutput>(query_ops_.back().get(), 0));
          fan->Add(owned_outputs_.back().get());
        }
        outputs_[id].push_back(std::move(fan));
        if (ops_[id][j]) ops_[id][j]->set_output(outputs_[id][j].get());
      }
    }
    // Scans feed their Source node's fan-out.
    scan_tasks_.clear();
    scan_tasks_.resize(plan_.scans.size());
    generators_.clear();
    for (const auto& scan : plan_.scans) {
      runtime::WatermarkOptions wo;
      wo.out_of_orderness_ms = scan->watermark_delay_ms;
      wo.idle_timeout_ms = settings_.idle_timeout_ms;
      if (auto t = scan->node->table->connector.idle_timeout_ms) wo.idle_timeout_ms = *t;
      generators_.push_back(std::make_unique<runtime::WatermarkGenerator>(wo, ctx_.clock));
      input_of_.emplace_back();
    }
    // Scans of one stream share their reads (see ReadCache) when there is more than one.
    std::map<std::string, int> scans_of_stream;
    for (const auto& scan : plan_.scans) ++scans_of_stream[scan->stream];
    read_caches_.clear();
    for (int j = 0; j < p; ++j) read_caches_.push_back(std::make_unique<ReadCache>());
    for (size_t id = 0; id < n; ++id) {
      const PhysicalNode& node = plan_.nodes[id];
      if (node.scan < 0) continue;
      for (int j = 0; j < p; ++j) {
        FG_ASSIGN_OR_RETURN(
            auto task, ScanTask::Make(plan_.scans[node.scan], ctx_.log, side_.get(), ctx_.clock));
        task->set_output(outputs_[id][j].get());
        if (scans_of_stream[plan_.scans[node.scan]->stream] > 1) {
          task->set_read_cache(read_caches_[j].get());
        }
        scan_tasks_[node.scan].push_back(std::move(task));
      }
    }
    step_results_.assign(p, {});
    return Status::Ok();
  }

  ExchangeBuffer* ExchangeFor(int consumer, int port) {
    for (auto& ex : exchanges_) {
      if (ex->consumer == consumer && ex->port == port) return ex.get();
    }
    auto ex = std::make_unique<ExchangeBuffer>();
    ex->consumer = consumer;
    ex->port = port;
    ex->chunks.assign(parallelism_, std::vector<std::vector<Chunk>>(parallelism_));
    exchanges_.push_back(std::move(ex));
    return exchanges_.back().get();
  }

  // Gives every shard of every scanned stream to a partition (by its position among the
  // stream's shards), starting from the checkpoint's offset, or the table's start position.
  Status AssignShards(const CheckpointData* checkpoint) {
    for (size_t s = 0; s < plan_.scans.size(); ++s) {
      FG_RETURN_IF_ERROR(DiscoverShards(s, checkpoint, /*initial=*/true));
    }
    last_discover_ms_ = ctx_.clock->NowMillis();
    return Status::Ok();
  }

  Status DiscoverShards(size_t s, const CheckpointData* checkpoint, bool initial) {
    const ScanDef& scan = *plan_.scans[s];
    FG_ASSIGN_OR_RETURN(log::StreamMeta meta, ctx_.log->DescribeStream(scan.stream));
    const auto& conn = scan.node->table->connector;
    std::map<uint32_t, uint64_t> const* offsets = nullptr;
    if (checkpoint) {
      auto it = checkpoint->scans.find(scan.table);
      if (it != checkpoint->scans.end()) offsets = &it->second.offsets;
    }
    for (const log::ShardMeta& shard : meta.shards) {
      if (input_of_[s].count(shard.index)) continue;
      ShardPosition pos;
      pos.shard = shard.index;
      pos.shard_created_ms = shard.created_ms;
      if (offsets) {
        auto it = offsets->find(shard.index);
        pos.next_offset = it != offsets->end() ? it->second : 0;
      } else if (initial && !is_resumed_) {
        switch (conn.start_position) {
          case sql::StartPosition::kLatest: {
            // Every table reading this stream from LATEST starts at the same offset, so
            // their reads can be shared (ReadCache) even while records arrive.
            auto key = std::make_pair(scan.stream, shard.index);
            auto it = latest_at_start_.find(key);
            if (it == latest_at_start_.end()) {
              FG_ASSIGN_OR_RETURN(auto bounds, ctx_.log->ShardBounds(scan.stream, shard.index));
              it = latest_at_start_.emplace(key, bounds.second).first;
            }
            pos.next_offset = it->second;
            break;
          }
          case sql::StartPosition::kTrimHorizon:
            pos.next_offset = 0;
            break;
          case sql::StartPosition::kAtTimestamp: {
            FG_ASSIGN_OR_RETURN(int64_t ts, ParseStartTimestamp(conn.start_timestamp));
            FG_ASSIGN_OR_RETURN(pos.next_offset,
                                ctx_.log->OffsetForTime(scan.stream, shard.index, ts));
            break;
          }
        }
      }  // else: a shard created while the job ran (resharding) is read from its start
      size_t input = generators_[s]->AddInput();
      input_of_[s][shard.index] = input;
      const size_t task = (input_of_[s].size() - 1) % parallelism_;
      scan_tasks_[s][task]->AddShard(pos);
    }
    return Status::Ok();
  }

  Status RestoreFrom(const CheckpointData& chk) {
    for (size_t s = 0; s < plan_.scans.size(); ++s) {
      auto it = chk.scans.find(plan_.scans[s]->table);
      if (it != chk.scans.end() && !it->second.watermarks.empty()) {
        FG_RETURN_IF_ERROR(generators_[s]->Restore(it->second.watermarks));
      }
    }
    for (size_t id = 0; id < ops_.size(); ++id) {
      for (int j = 0; j < parallelism_; ++j) {
        Operator* op = ops_[id][j].get();
        if (!op) continue;
        auto it = chk.operators.find(StateKey(id, j));
        if (it == chk.operators.end()) {
          FG_RETURN_IF_ERROR(op->StartFresh());
          continue;
        }
        Status s = op->Restore(it->second);
        if (!s.ok()) {
          return Status::InvalidArgument("job '" + name_ + "': restoring " + StateKey(id, j) +
                                         " from checkpoint " + std::to_string(chk.id) + ": " +
                                         s.ToString());
        }
      }
    }
    is_resumed_ = true;
    return Status::Ok();
  }

  std::string StateKey(size_t id, int partition) const {
    return plan_.nodes[id].label + "/" + std::to_string(partition);
  }

  // --- running -------------------------------------------------------------------

  void Run() {
    Status s = Loop();
    bool aborted;
    {
      std::lock_guard<std::mutex> lock(mu_);
      aborted = abort_;
    }
    if (s.ok() && !aborted && !is_query_) {
      for (auto& per_node : ops_) {
        for (auto& op : per_node) {
          if (op && s.ok()) s = op->OnStop();
        }
      }
      if (s.ok()) s = Checkpoint();  // the final one
    }
    for (auto& per_node : ops_) {
      for (auto& op : per_node) {
        if (op && !aborted) {
          Status c = op->Close();
          if (s.ok() && !c.ok()) s = c;
        }
      }
    }
    side_->Flush();
    std::lock_guard<std::mutex> lock(mu_);
    if (!s.ok()) {
      status_.state = JobState::kFailed;
      status_.error = s.ToString();
      GetLogger("jobs")->error("job '{}' failed: {}", name_, s.ToString());
    } else {
      status_.state = JobState::kStopped;
      GetLogger("jobs")->info("job '{}' stopped{}", name_,
                              aborted ? " without a final checkpoint" : "");
    }
  }

  Status Loop() {
    last_checkpoint_ms_ = ctx_.clock->NowMillis();
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stop_) return Status::Ok();
      }
      // Taken before reading, so records made readable during the step wake the wait.
      const uint64_t appended = ctx_.log->append_signal().sequence();
      uint64_t records = 0;
      FG_RETURN_IF_ERROR(Step(&records));
      const int64_t now = ctx_.clock->NowMillis();
      if (!is_query_ && now - last_checkpoint_ms_ >= settings_.checkpoint_interval_ms) {
        FG_RETURN_IF_ERROR(Checkpoint());
      }
      if (now - last_discover_ms_ >= kDiscoverEveryMs) {
        last_discover_ms_ = now;
        for (size_t s = 0; s < plan_.scans.size(); ++s) {
          FG_RETURN_IF_ERROR(DiscoverShards(s, nullptr, /*initial=*/false));
        }
      }
      if (records == 0) {
        // Nothing read: sleep until the log has new records (or the poll interval passes,
        // for timers and idle-source watermarks); Stop and Abort notify the signal too.
        ctx_.log->append_signal().WaitFor(appended, std::chrono::milliseconds(kIdlePollMs));
      }
    }
  }

  Status Step(uint64_t* records) {
    const int p = parallelism_;
    for (auto& r : step_results_) r.clear();
    // Phase 1: read and run stage 0.
    FG_RETURN_IF_ERROR(pool_->Run(p, [&](int j) -> Status {
      auto& results = step_results_[j];
      results.resize(scan_tasks_.size());
      read_caches_[j]->NewStep();
      for (size_t s = 0; s < scan_tasks_.size(); ++s) {
        FG_RETURN_IF_ERROR(scan_tasks_[s][j]->Step(ctx_.read_batch_records, &results[s]));
      }
      return Status::Ok();
    }));
    // Watermarks.
    uint64_t read = 0;
    for (const auto& results : step_results_) {
      for (size_t s = 0; s < results.size(); ++s) {
        read += results[s].records;
        for (const auto& [shard, max] : results[s].max_rowtime) {
          generators_[s]->ObserveMax(input_of_[s][shard], max);
        }
      }
    }
    scan_watermarks_.resize(plan_.scans.size());
    int64_t job_watermark = INT64_MAX;
    for (size_t s = 0; s < plan_.scans.size(); ++s) {
      scan_watermarks_[s] =
          plan_.scans[s]->rowtime_column >= 0 ? generators_[s]->Current() : INT64_MIN;
      if (plan_.scans[s]->rowtime_column >= 0) {
        job_watermark = std::min(job_watermark, scan_watermarks_[s]);
      }
    }
    if (job_watermark == INT64_MAX) job_watermark = INT64_MIN;
    const int64_t now = ctx_.clock->NowMillis();
    // Phase 2: stage by stage, drain exchanges and advance watermarks.
    for (int stage = 0; stage < plan_.num_stages; ++stage) {
      FG_RETURN_IF_ERROR(pool_->Run(p, [&](int j) -> Status {
        for (auto& ex : exchanges_) {
          if (plan_.nodes[ex->consumer].stage != stage) continue;
          Operator* op = ops_[ex->consumer][j].get();
          for (auto& from_src : ex->chunks[j]) {
            for (Chunk& chunk : from_src) FG_RETURN_IF_ERROR(op->Push(ex->port, std::move(chunk)));
            from_src.clear();
          }
        }
        for (const PhysicalNode& node : plan_.nodes) {
          if (node.stage != stage) continue;
          Operator* op = ops_[node.id][j].get();
          if (!op) continue;
          FG_RETURN_IF_ERROR(op->OnWatermark(NodeWatermark(node)));
          FG_RETURN_IF_ERROR(op->OnTime(now));
        }
        return Status::Ok();
      }));
    }
    side_->Flush();
    *records = read;
    UpdateStatus(read, job_watermark, now);
    return CheckStateLimit();
  }

  int64_t NodeWatermark(const PhysicalNode& node) const {
    int64_t wm = INT64_MAX;
    for (int s : node.scans) {
      if (plan_.scans[s]->rowtime_column >= 0) wm = std::min(wm, scan_watermarks_[s]);
    }
    return wm == INT64_MAX ? INT64_MIN : wm;
  }

  void UpdateStatus(uint64_t read, int64_t watermark, int64_t now) {
    uint64_t out = 0;
    for (int id : plan_.sinks) {
      for (const auto& op : ops_[id]) out += op->counters().records_out;
    }
    for (const auto& op : query_ops_) out += op->counters().records_out;
    if (now - last_state_measure_ms_ >= 1000) {
      last_state_measure_ms_ = now;
      size_t bytes = 0;
      for (const auto& per_node : ops_) {
        for (const auto& op : per_node) {
          if (op) bytes += op->MemoryUsage();
        }
      }
      state_bytes_ = bytes;
    }
    std::lock_guard<std::mutex> lock(mu_);
    status_.records_in += read;
    status_.records_out = out;
    status_.watermark_ms = watermark;
    status_.state_bytes = state_bytes_;
  }

  Status CheckStateLimit() {
    if (state_bytes_ <= ctx_.max_state_bytes) return Status::Ok();
    return Status::LimitExceeded(
        "job '" + name_ + "': keyed state holds " + std::to_string(state_bytes_) +
        " bytes, above the limit of " + std::to_string(ctx_.max_state_bytes) +
        " bytes; reduce the number of keys or windows kept (allowed lateness), or raise the "
        "limit ([jobs] max_state_bytes)");
  }

  Status Checkpoint() {
    const int64_t started = ctx_.clock->NowMillis();
    CheckpointData data;
    data.id = next_checkpoint_id_;
    data.taken_at_ms = started;
    data.job = name_;
    data.fingerprint = plan_.fingerprint;
    data.parallelism = static_cast<uint32_t>(parallelism_);
    for (size_t s = 0; s < plan_.scans.size(); ++s) {
      CheckpointData::Scan& scan = data.scans[plan_.scans[s]->table];
      for (const auto& task : scan_tasks_[s]) {
        for (const ShardPosition& pos : task->shards()) scan.offsets[pos.shard] = pos.next_offset;
      }
      generators_[s]->Snapshot(scan.watermarks);
    }
    // Operator states (sinks flush and stage their files here), partitions in parallel.
    std::vector<std::map<std::string, std::string>> states(parallelism_);
    FG_RETURN_IF_ERROR(pool_->Run(parallelism_, [&](int j) -> Status {
      for (size_t id = 0; id < ops_.size(); ++id) {
        Operator* op = ops_[id][j].get();
        if (!op) continue;
        std::string state;
        FG_RETURN_IF_ERROR(op->Snapshot(data.id, state));
        states[j][StateKey(id, j)] = std::move(state);
      }
      return Status::Ok();
    }));
    for (auto& m : states) data.operators.merge(m);
    FG_ASSIGN_OR_RETURN(uint64_t bytes, store_->Write(data));
    // Durable: publish what it covers.
    FG_RETURN_IF_ERROR(pool_->Run(parallelism_, [&](int j) -> Status {
      for (size_t id = 0; id < ops_.size(); ++id) {
        if (Operator* op = ops_[id][j].get()) FG_RETURN_IF_ERROR(op->Commit(data.id));
      }
      return Status::Ok();
    }));
    ++next_checkpoint_id_;
    const int64_t done = ctx_.clock->NowMillis();
    last_checkpoint_ms_ = done;
    std::lock_guard<std::mutex> lock(mu_);
    status_.last_checkpoint_id = data.id;
    status_.last_checkpoint_at_ms = done;
    status_.last_checkpoint_duration_ms = done - started;
    status_.last_checkpoint_bytes = bytes;
    return Status::Ok();
  }

  const std::string name_;
  const std::string sql_;
  const sql::JobSettings settings_;
  const PhysicalPlan plan_;
  JobContext ctx_;
  const bool is_query_;
  RowTextSink query_rows_;
  std::string job_dir_;

  // Driver-thread state (set up in Prepare, then only the driver touches it).
  int parallelism_ = 1;
  std::unique_ptr<TaskPool> pool_;
  std::unique_ptr<SideOutput> side_;  // thread-safe
  std::unique_ptr<CheckpointStore> store_;
  std::vector<std::vector<std::unique_ptr<Operator>>> ops_;    // [node][partition]
  std::vector<std::vector<std::unique_ptr<FanOut>>> outputs_;  // [node][partition]
  std::vector<std::unique_ptr<Output>> owned_outputs_;
  std::vector<std::unique_ptr<Operator>> query_ops_;
  std::vector<std::unique_ptr<ExchangeBuffer>> exchanges_;
  std::vector<std::vector<std::unique_ptr<ScanTask>>> scan_tasks_;        // [scan][partition]
  std::vector<std::unique_ptr<ReadCache>> read_caches_;                   // [partition]
  std::vector<std::unique_ptr<runtime::WatermarkGenerator>> generators_;  // [scan]
  std::vector<std::map<uint32_t, size_t>> input_of_;  // [scan]: shard -> generator input
  // LATEST resolved once per (stream, shard) when the job first starts.
  std::map<std::pair<std::string, uint32_t>, uint64_t> latest_at_start_;
  std::vector<std::vector<ScanTask::StepResult>> step_results_;  // [partition][scan]
  std::vector<int64_t> scan_watermarks_;
  uint64_t next_checkpoint_id_ = 1;
  int64_t last_checkpoint_ms_ = 0;
  int64_t last_discover_ms_ = 0;
  int64_t last_state_measure_ms_ = 0;
  size_t state_bytes_ = 0;
  bool is_resumed_ = false;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;   // GUARDED_BY(mu_)
  bool abort_ = false;  // GUARDED_BY(mu_)
  JobStatus status_;    // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<Job>> Job::Create(const sql::Pipeline& pipeline, JobContext context) {
  if (context.log == nullptr) return Status::InvalidArgument("Job::Create: no log");
  if (pipeline.name.empty()) return Status::InvalidArgument("a job needs a name");
  std::vector<sql::PlanPtr> roots(pipeline.sinks.begin(), pipeline.sinks.end());
  FG_ASSIGN_OR_RETURN(PhysicalPlan plan, PhysicalPlan::Build(roots));
  for (int id : plan.sinks) {
    const auto& sink = plan.nodes[id].plan->As<sql::SinkNode>();
    if (sink.table->connector.kind == sql::ConnectorKind::kAlert && context.alerts == nullptr) {
      return Status::InvalidArgument("job '" + pipeline.name + "' writes to alert table '" +
                                     sink.table->name + "' but this server has no alert hub");
    }
  }
  return std::unique_ptr<Job>(new JobImpl(pipeline.name, pipeline.sql, pipeline.settings,
                                          std::move(plan), std::move(context), false, nullptr));
}

Result<std::unique_ptr<Job>> CreateQueryJob(const sql::PlanPtr& plan, const std::string& name,
                                            const std::string& sql, JobContext context,
                                            RowTextSink rows) {
  if (context.log == nullptr) return Status::InvalidArgument("CreateQueryJob: no log");
  FG_ASSIGN_OR_RETURN(PhysicalPlan physical, PhysicalPlan::Build({plan}));
  sql::JobSettings settings;
  return std::unique_ptr<Job>(new JobImpl(name, sql, settings, std::move(physical),
                                          std::move(context), true, std::move(rows)));
}

}  // namespace fluxgate::jobs
