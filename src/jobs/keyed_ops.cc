// GROUP BY without a window (an updating result) and event-time OVER aggregations.
//
// GroupAggregateOp keeps one block of aggregate states per key. Per batch it retracts the
// previous result of every key the batch touches (-U), folds the rows in, and emits the
// new result (+U, or +I the first time) — Flink's mini-batch changelog.
//
// OverAggregateOp buffers rows per key until the watermark reaches their rowtime, then
// processes them in time order (arrival order among equal times). UNBOUNDED frames keep a
// running state; bounded frames keep the rows inside the frame (their argument values)
// and recompute the frame's aggregates for each row. RANGE gives rows with the same time
// the same result; ROWS takes them one by one. Rows that arrive with a time at or below
// the watermark already processed are late: written to the side output, counted.
#include <algorithm>
#include <deque>
#include <unordered_set>

#include "jobs/aggregate_calls.h"
#include "jobs/key_interner.h"
#include "jobs/make_operator.h"
#include "jobs/wire.h"
#include "runtime/agg_layout.h"
#include "runtime/json_encoder.h"
#include "runtime/state_arena.h"

namespace fluxgate::jobs {

namespace {

using runtime::Column;
using runtime::RowKind;

// ---- GROUP BY ------------------------------------------------------------------

class GroupAggregateOp final : public Operator {
 public:
  Status Init(const PhysicalNode& node) {
    const auto& plan = node.plan->As<sql::AggregateNode>();
    output_ = node.schema;
    FG_ASSIGN_OR_RETURN(keys_, CompileKeys(plan.keys, *node.input_schema));
    FG_ASSIGN_OR_RETURN(aggs_, CompileAggregates(plan.aggregates, *node.input_schema));
    layout_ = std::make_unique<runtime::AggregateLayout>(std::move(aggs_.functions));
    arena_ = std::make_unique<runtime::StateArena>(layout_->block_size());
    interner_ = std::make_unique<KeyInterner>(keys_.types);
    return Status::Ok();
  }

  ~GroupAggregateOp() override {
    for (std::byte* b : blocks_) {
      if (b) layout_->Destroy(b);
    }
  }

  Status Push(int, Chunk chunk) override {
    const runtime::RecordBatch& batch = chunk.batch;
    const size_t n = batch.num_rows();
    if (n == 0) return Status::Ok();
    for (size_t r = 0; r < n; ++r) {
      if (chunk.kind(r) != RowKind::kInsert) {
        return Status::InvalidArgument(
            "GROUP BY over an updating input (an aggregate of an aggregate) is not supported");
      }
    }
    FG_RETURN_IF_ERROR(keys_.Evaluate(batch));
    interner_->Intern(keys_.columns, n, &ids_);
    FG_RETURN_IF_ERROR(aggs_.Evaluate(batch));
    if (blocks_.size() < interner_->size()) blocks_.resize(interner_->size(), nullptr);
    touched_.clear();
    seen_.clear();
    for (uint32_t id : ids_) {
      if (seen_.insert(id).second) touched_.push_back(id);
    }
    runtime::RecordBatchBuilder out(output_);
    std::vector<RowKind> kinds;
    for (uint32_t id : touched_) {  // retract what changes
      if (blocks_[id]) AppendResult(id, out, kinds, RowKind::kUpdateBefore);
    }
    groups_.resize(n);
    rows_.resize(n);
    for (size_t r = 0; r < n; ++r) {
      std::byte*& block = blocks_[ids_[r]];
      if (block == nullptr) {
        block = arena_->Allocate();
        layout_->Init(block);
        fresh_.insert(ids_[r]);
      }
      groups_[r] = block;
      rows_[r] = static_cast<uint32_t>(r);
    }
    for (size_t a = 0; a < layout_->size(); ++a) {
      layout_->agg(a).Update(groups_.data(), layout_->offset(a), aggs_.arg_columns[a], rows_.data(),
                             n);
    }
    for (uint32_t id : touched_) {
      const bool first = fresh_.erase(id) > 0;
      AppendResult(id, out, kinds, first ? RowKind::kInsert : RowKind::kUpdateAfter);
    }
    Chunk result;
    result.batch = out.Finish();
    result.kinds = std::move(kinds);
    return Emit(std::move(result));
  }

  Status Snapshot(uint64_t, std::string& out) override {
    std::string keys;
    interner_->Snapshot(keys);
    PutBytes(out, keys);
    PutU64(out, blocks_.size());
    std::string state;
    for (std::byte* b : blocks_) {
      state.clear();
      if (b) layout_->Serialize(b, state);
      PutU32(out, b ? 1 : 0);
      PutBytes(out, state);
    }
    return Status::Ok();
  }

  Status Restore(std::string_view in) override {
    Reader r(in);
    FG_RETURN_IF_ERROR(interner_->Restore(r.Bytes()));
    uint64_t n = r.U64();
    if (!r.ok() || n != interner_->size())
      return Status::Corruption("GROUP BY state: bad key count");
    blocks_.assign(n, nullptr);
    for (uint64_t i = 0; i < n; ++i) {
      bool present = r.U32() != 0;
      std::string_view state = r.Bytes();
      if (!r.ok()) return Status::Corruption("GROUP BY state truncated");
      if (!present) continue;
      blocks_[i] = arena_->Allocate();
      layout_->Init(blocks_[i]);
      FG_RETURN_IF_ERROR(layout_->Restore(state, blocks_[i]));
    }
    return Status::Ok();
  }

  size_t MemoryUsage() const override {
    size_t n = interner_->MemoryUsage() + arena_->MemoryUsage() + blocks_.capacity() * 8;
    return n;
  }

 private:
  void AppendResult(uint32_t id, runtime::RecordBatchBuilder& out, std::vector<RowKind>& kinds,
                    RowKind kind) {
    const size_t num_keys = keys_.types.size();
    std::vector<Column*> key_cols;
    for (size_t k = 0; k < num_keys; ++k) key_cols.push_back(&out.column(k));
    interner_->AppendKey(id, key_cols);
    for (size_t a = 0; a < layout_->size(); ++a) {
      layout_->agg(a).Finalize(blocks_[id] + layout_->offset(a), out.column(num_keys + a));
    }
    out.CommitRow();
    kinds.push_back(kind);
  }

  std::shared_ptr<const runtime::Schema> output_;
  CompiledKeys keys_;
  CompiledAggregates aggs_;
  std::unique_ptr<runtime::AggregateLayout> layout_;
  std::unique_ptr<runtime::StateArena> arena_;
  std::unique_ptr<KeyInterner> interner_;
  std::vector<std::byte*> blocks_;  // by key id; nullptr: no row yet
  std::unordered_set<uint32_t> fresh_;
  std::vector<uint32_t> ids_, touched_, rows_;
  std::unordered_set<uint32_t> seen_;
  std::vector<std::byte*> groups_;
};

// ---- OVER ----------------------------------------------------------------------

class OverAggregateOp final : public Operator {
 public:
  Status Init(const PhysicalNode& node, SideOutput* side) {
    const auto& plan = node.plan->As<sql::OverAggregateNode>();
    side_ = side;
    label_ = node.label;
    input_ = node.input_schema;
    output_ = node.schema;
    frame_ = plan.frame;
    time_column_ = plan.order_column;
    time_micros_ = input_->field(time_column_).type.precision > 3;
    FG_ASSIGN_OR_RETURN(keys_, CompileKeys(plan.partition_by, *input_));
    FG_ASSIGN_OR_RETURN(aggs_, CompileAggregates(plan.aggregates, *input_));
    layout_ = std::make_unique<runtime::AggregateLayout>(std::move(aggs_.functions));
    interner_ = std::make_unique<KeyInterner>(keys_.types);
    // Kept rows: the whole input row (to emit it) and each aggregate's argument.
    std::vector<runtime::Field> fields = input_->fields();
    for (size_t a = 0; a < layout_->size(); ++a) {
      fields.push_back({"__arg" + std::to_string(a), layout_->agg(a).input_type()});
    }
    store_schema_ = std::make_shared<const runtime::Schema>(std::move(fields));
    store_ = std::make_unique<runtime::RecordBatchBuilder>(store_schema_);
    late_encoder_ = std::make_unique<runtime::JsonRowEncoder>(input_, runtime::JsonFormatOptions{});
    scratch_ = std::make_unique<std::byte[]>(layout_->block_size() + 16);
    return Status::Ok();
  }

  ~OverAggregateOp() override {
    for (auto& k : keys_state_) {
      if (k.running) layout_->Destroy(k.running);
    }
  }

  Status Push(int, Chunk chunk) override {
    const runtime::RecordBatch& batch = chunk.batch;
    const size_t n = batch.num_rows();
    if (n == 0) return Status::Ok();
    FG_RETURN_IF_ERROR(keys_.Evaluate(batch));
    interner_->Intern(keys_.columns, n, &ids_);
    FG_RETURN_IF_ERROR(aggs_.Evaluate(batch));
    if (keys_state_.size() < interner_->size()) keys_state_.resize(interner_->size());
    const Column& ts = batch.column(time_column_);
    std::string row;
    for (size_t r = 0; r < n; ++r) {
      if (ts.IsNull(r)) continue;  // no time, no place in the order
      int64_t t = ts.Int64(r);
      if (time_micros_) t /= 1000;
      if (t <= watermark_) {
        row.clear();
        late_encoder_->AppendRow(batch, r, row);
        side_->Late(label_, row,
                    "rowtime " + std::to_string(t) + " is not after the watermark " +
                        std::to_string(watermark_) + " the OVER aggregation already processed");
        ++counters_.late_records;
        continue;
      }
      const uint32_t index = static_cast<uint32_t>(store_->num_rows());
      for (size_t c = 0; c < batch.num_columns(); ++c) {
        runtime::AppendValueFrom(batch.column(c), r, store_->column(c));
      }
      for (size_t a = 0; a < layout_->size(); ++a) {
        Column& dst = store_->column(batch.num_columns() + a);
        if (aggs_.arg_columns[a]) {
          runtime::AppendValueFrom(*aggs_.arg_columns[a], r, dst);
        } else {
          dst.AppendInt64(1);  // COUNT(*): any non-NULL value
        }
      }
      store_->CommitRow();
      keys_state_[ids_[r]].pending.push_back({t, seq_++, index});
      pending_keys_.insert(ids_[r]);
    }
    return Status::Ok();
  }

  Status OnWatermark(int64_t watermark) override {
    if (watermark <= watermark_) return Status::Ok();
    watermark_ = watermark;
    runtime::RecordBatchBuilder out(output_);
    std::vector<uint32_t> done;
    for (uint32_t id : pending_keys_) {
      KeyState& k = keys_state_[id];
      auto ready_end = std::partition(k.pending.begin(), k.pending.end(),
                                      [&](const Pending& p) { return p.time <= watermark; });
      if (ready_end == k.pending.begin()) continue;
      std::vector<Pending> ready(k.pending.begin(), ready_end);
      k.pending.erase(k.pending.begin(), ready_end);
      std::sort(ready.begin(), ready.end(), [](const Pending& a, const Pending& b) {
        return a.time != b.time ? a.time < b.time : a.seq < b.seq;
      });
      Process(k, ready, out);
      if (k.pending.empty()) done.push_back(id);
    }
    for (uint32_t id : done) pending_keys_.erase(id);
    MaybeCompact();
    if (out.num_rows() == 0) return Status::Ok();
    Chunk chunk;
    chunk.batch = out.Finish();
    return Emit(std::move(chunk));
  }

  Status Snapshot(uint64_t, std::string& out) override {
    std::string keys;
    interner_->Snapshot(keys);
    PutBytes(out, keys);
    PutI64(out, watermark_);
    PutU64(out, seq_);
    PutU64(out, keys_state_.size());
    const runtime::RecordBatch& rows = store_->batch();
    std::vector<const Column*> all;
    for (size_t c = 0; c < rows.num_columns(); ++c) all.push_back(&rows.column(c));
    std::string enc, state;
    for (const KeyState& k : keys_state_) {
      PutU64(out, k.pending.size());
      for (const Pending& p : k.pending) {
        PutI64(out, p.time);
        PutU64(out, p.seq);
        enc.clear();
        EncodeKey(all, p.index, enc);
        PutBytes(out, enc);
      }
      PutU64(out, k.frame.size());
      for (const Pending& p : k.frame) {
        PutI64(out, p.time);
        enc.clear();
        EncodeKey(all, p.index, enc);
        PutBytes(out, enc);
      }
      state.clear();
      if (k.running) layout_->Serialize(k.running, state);
      PutU32(out, k.running ? 1 : 0);
      PutBytes(out, state);
    }
    return Status::Ok();
  }

  Status Restore(std::string_view in) override {
    Reader r(in);
    FG_RETURN_IF_ERROR(interner_->Restore(r.Bytes()));
    watermark_ = r.I64();
    seq_ = r.U64();
    uint64_t n = r.U64();
    if (!r.ok() || n != interner_->size()) return Status::Corruption("OVER state: bad key count");
    keys_state_.clear();
    keys_state_.resize(n);
    std::vector<Column*> cols;
    for (size_t c = 0; c < store_schema_->size(); ++c) cols.push_back(&store_->column(c));
    auto read_row = [&](Pending* p) {
      std::string_view enc = r.Bytes();
      p->index = static_cast<uint32_t>(store_->num_rows());
      if (r.ok()) {
        DecodeKey(enc, cols);
        store_->CommitRow();
      }
    };
    for (uint64_t i = 0; i < n && r.ok(); ++i) {
      KeyState& k = keys_state_[i];
      uint64_t pending = r.U64();
      for (uint64_t j = 0; j < pending && r.ok(); ++j) {
        Pending p;
        p.time = r.I64();
        p.seq = r.U64();
        read_row(&p);
        k.pending.push_back(p);
      }
      if (!k.pending.empty()) pending_keys_.insert(static_cast<uint32_t>(i));
      uint64_t frame = r.U64();
      for (uint64_t j = 0; j < frame && r.ok(); ++j) {
        Pending p;
        p.time = r.I64();
        read_row(&p);
        k.frame.push_back(p);
      }
      bool running = r.U32() != 0;
      std::string_view state = r.Bytes();
      if (running && r.ok()) {
        k.running = NewBlock();
        FG_RETURN_IF_ERROR(layout_->Restore(state, k.running));
      }
    }
    if (!r.ok() || !r.done()) return Status::Corruption("OVER state truncated or malformed");
    return Status::Ok();
  }

  size_t MemoryUsage() const override {
    return interner_->MemoryUsage() + store_->batch().MemoryUsage() +
           keys_state_.size() * sizeof(KeyState) + blocks_.size() * layout_->block_size();
  }

 private:
  struct Pending {
    int64_t time = 0;
    uint64_t seq = 0;
    uint32_t index = 0;  // row in store_
  };
  struct KeyState {
    std::vector<Pending> pending;  // not yet reached by the watermark
    std::deque<Pending> frame;     // bounded frames: rows inside the frame, in order
    std::byte* running = nullptr;  // unbounded frames: the accumulated state
  };

  std::byte* NewBlock() {
    blocks_.push_back(std::make_unique<std::byte[]>(layout_->block_size() + 16));
    std::byte* b = blocks_.back().get();
    layout_->Init(b);
    return b;
  }

  // Appends the output rows of `ready` (time-ordered) for one key.
  void Process(KeyState& k, const std::vector<Pending>& ready, runtime::RecordBatchBuilder& out) {
    const runtime::RecordBatch& rows = store_->batch();
    const size_t in_cols = input_->size();
    size_t i = 0;
    while (i < ready.size()) {
      // RANGE: all rows with this time form one group of peers with one result.
      size_t j = i + 1;
      if (!frame_.rows) {
        while (j < ready.size() && ready[j].time == ready[i].time) ++j;
      }
      std::byte* result;
      if (frame_.unbounded) {
        if (!k.running) k.running = NewBlock();
        for (size_t x = i; x < j; ++x) Fold(k.running, ready[x].index);
        result = k.running;
      } else {
        for (size_t x = i; x < j; ++x) k.frame.push_back(ready[x]);
        if (frame_.rows) {
          while (k.frame.size() > static_cast<size_t>(frame_.preceding) + 1) k.frame.pop_front();
        } else {
          const int64_t lower = ready[i].time - frame_.preceding;
          while (!k.frame.empty() && k.frame.front().time < lower) k.frame.pop_front();
        }
        result = scratch_.get();
        layout_->Init(result);
        for (const Pending& p : k.frame) Fold(result, p.index);
      }
      for (size_t x = i; x < j; ++x) {
        for (size_t c = 0; c < in_cols; ++c) {
          runtime::AppendValueFrom(rows.column(c), ready[x].index, out.column(c));
        }
        for (size_t a = 0; a < layout_->size(); ++a) {
          layout_->agg(a).Finalize(result + layout_->offset(a), out.column(in_cols + a));
        }
        out.CommitRow();
      }
      if (!frame_.unbounded) layout_->Destroy(result);
      i = j;
    }
  }

  void Fold(std::byte* block, uint32_t index) {
    const runtime::RecordBatch& rows = store_->batch();
    std::byte* groups[1] = {block};
    uint32_t row[1] = {index};
    for (size_t a = 0; a < layout_->size(); ++a) {
      const Column* arg = layout_->agg(a).kind() == runtime::AggKind::kCountStar
                              ? nullptr
                              : &rows.column(input_->size() + a);
      layout_->agg(a).Update(groups, layout_->offset(a), arg, row, 1);
    }
  }

  // Rebuilds the row store with only the rows still referenced once it is mostly garbage.
  void MaybeCompact() {
    size_t live = 0;
    for (const KeyState& k : keys_state_) live += k.pending.size() + k.frame.size();
    const size_t total = store_->num_rows();
    if (total < 4096 || live * 2 > total) return;
    auto fresh = std::make_unique<runtime::RecordBatchBuilder>(store_schema_);
    const runtime::RecordBatch& rows = store_->batch();
    auto move_row = [&](Pending& p) {
      for (size_t c = 0; c < rows.num_columns(); ++c) {
        runtime::AppendValueFrom(rows.column(c), p.index, fresh->column(c));
      }
      p.index = static_cast<uint32_t>(fresh->num_rows());
      fresh->CommitRow();
    };
    for (KeyState& k : keys_state_) {
      for (Pending& p : k.pending) move_row(p);
      for (Pending& p : k.frame) move_row(p);
    }
    store_ = std::move(fresh);
  }

  SideOutput* side_ = nullptr;
  std::string label_;
  std::shared_ptr<const runtime::Schema> input_, output_, store_schema_;
  sql::OverFrame frame_;
  int time_column_ = -1;
  bool time_micros_ = false;
  CompiledKeys keys_;
  CompiledAggregates aggs_;
  std::unique_ptr<runtime::AggregateLayout> layout_;
  std::unique_ptr<KeyInterner> interner_;
  std::unique_ptr<runtime::RecordBatchBuilder> store_;
  std::unique_ptr<runtime::JsonRowEncoder> late_encoder_;
  std::unique_ptr<std::byte[]> scratch_;
  std::vector<std::unique_ptr<std::byte[]>> blocks_;  // running states
  std::vector<KeyState> keys_state_;                  // by key id
  std::unordered_set<uint32_t> pending_keys_;
  std::vector<uint32_t> ids_;
  int64_t watermark_ = INT64_MIN;
  uint64_t seq_ = 0;
};

}  // namespace

Result<std::unique_ptr<Operator>> MakeGroupAggregateOp(const PhysicalNode& node,
                                                       const OperatorEnv&) {
  auto op = std::make_unique<GroupAggregateOp>();
  FG_RETURN_IF_ERROR(op->Init(node));
  return std::unique_ptr<Operator>(std::move(op));
}

Result<std::unique_ptr<Operator>> MakeOverAggregateOp(const PhysicalNode& node,
                                                      const OperatorEnv& env) {
  auto op = std::make_unique<OverAggregateOp>();
  FG_RETURN_IF_ERROR(op->Init(node, env.side));
  return std::unique_ptr<Operator>(std::move(op));
}

}  // namespace fluxgate::jobs
