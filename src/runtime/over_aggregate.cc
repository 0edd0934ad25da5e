#include "runtime/over_aggregate.h"

#include <algorithm>
#include <cassert>

#include "runtime/agg_common.h"
#include "runtime/timestamp_text.h"

namespace fluxgate::runtime {
namespace {

constexpr uint8_t kOverSnapshotVersion = 1;
// Compaction copies the live rows, so it waits until dead rows are at least this many and
// at least as many as the live ones: amortised O(1) copies per row.
constexpr size_t kMinCompactRows = 4096;
// Erasing a frame's processed prefix likewise waits for it to dominate.
constexpr size_t kMinFrameErase = 32;

template <class T>
void CopyTyped(const Column& src, const uint32_t* rows, size_t n, Column& dst) {
  for (size_t i = 0; i < n; ++i) {
    if (src.IsNull(rows[i])) {
      dst.AppendNull();
    } else {
      agg::AppendValue(dst, ColumnValue<T>(src, rows[i]));
    }
  }
}

// Appends src's rows[0..n) to dst (same physical type); one switch per column.
void CopyRows(const Column& src, const uint32_t* rows, size_t n, Column& dst) {
  switch (src.physical()) {
    case PhysicalType::kBool:
      return CopyTyped<bool>(src, rows, n, dst);
    case PhysicalType::kInt64:
      return CopyTyped<int64_t>(src, rows, n, dst);
    case PhysicalType::kDouble:
      return CopyTyped<double>(src, rows, n, dst);
    case PhysicalType::kDecimal:
      return CopyTyped<int128>(src, rows, n, dst);
    case PhysicalType::kString:
      return CopyTyped<std::string_view>(src, rows, n, dst);
  }
}

// Checkpointed value: a validity byte, then the value in its physical encoding.
void PutValue(const Column& c, size_t row, std::string& out) {
  if (c.IsNull(row)) {
    agg::Put<uint8_t>(out, 0);
    return;
  }
  agg::Put<uint8_t>(out, 1);
  switch (c.physical()) {
    case PhysicalType::kBool:
      agg::Put<uint8_t>(out, c.Bool(row) ? 1 : 0);
      break;
    case PhysicalType::kInt64:
      agg::Put(out, c.Int64(row));
      break;
    case PhysicalType::kDouble:
      agg::Put(out, c.Double(row));
      break;
    case PhysicalType::kDecimal:
      agg::Put(out, c.Decimal(row));
      break;
    case PhysicalType::kString:
      agg::PutString(out, c.String(row));
      break;
  }
}

bool GetValue(std::string_view& in, Column& c) {
  uint8_t valid;
  if (!agg::Get(in, &valid)) return false;
  if (valid == 0) {
    c.AppendNull();
    return true;
  }
  switch (c.physical()) {
    case PhysicalType::kBool: {
      uint8_t v;
      if (!agg::Get(in, &v)) return false;
      c.AppendBool(v != 0);
      return true;
    }
    case PhysicalType::kInt64: {
      int64_t v;
      if (!agg::Get(in, &v)) return false;
      c.AppendInt64(v);
      return true;
    }
    case PhysicalType::kDouble: {
      double v;
      if (!agg::Get(in, &v)) return false;
      c.AppendDouble(v);
      return true;
    }
    case PhysicalType::kDecimal: {
      int128 v;
      if (!agg::Get(in, &v)) return false;
      c.AppendDecimal(v);
      return true;
    }
    case PhysicalType::kString: {
      uint32_t n;
      if (!agg::Get(in, &n) || in.size() < n) return false;
      c.AppendString(in.substr(0, n));
      in.remove_prefix(n);
      return true;
    }
  }
  return false;
}

std::string FrameText(const OverFrameSpec& f) {
  std::string s = f.rows ? "ROWS " : "RANGE ";
  if (f.unbounded) return s + "UNBOUNDED PRECEDING";
  return s + std::to_string(f.preceding) + (f.rows ? " PRECEDING" : " ms PRECEDING");
}

Status Truncated() { return Status::Corruption("over state checkpoint is truncated"); }

}  // namespace

std::string OverLateRecord::Reason() const {
  switch (kind) {
    case OverLateKind::kNotAfterWatermark:
      return "late record: event time " + FormatTimestampMillis(event_time) +
             " is not after the watermark " + FormatTimestampMillis(bound) +
             " (OVER window rows run when the watermark passes them)";
    case OverLateKind::kNotAfterLastFired:
      return "late record: event time " + FormatTimestampMillis(event_time) + " is not after " +
             FormatTimestampMillis(bound) +
             ", the last time already processed for its key (bounded OVER frame)";
    case OverLateKind::kNullTime:
      return "record has a NULL rowtime: an event-time OVER window cannot order it";
  }
  return "late record";
}

Result<std::unique_ptr<OverAggregateOperator>> OverAggregateOperator::Make(
    std::shared_ptr<const Schema> input, OverFrameSpec frame,
    std::vector<std::unique_ptr<AggregateFunction>> aggregates, std::vector<int> arg_columns,
    std::vector<std::string> output_names, int64_t state_retention_ms) {
  if (input == nullptr) return Status::InvalidArgument("OVER aggregation needs an input schema");
  if (!frame.unbounded && frame.preceding < 0) {
    return Status::InvalidArgument("OVER window PRECEDING bound must be >= 0");
  }
  if (state_retention_ms < 0) return Status::InvalidArgument("state retention must be >= 0");
  if (aggregates.size() != arg_columns.size()) {
    return Status::InvalidArgument("OVER aggregation: " + std::to_string(aggregates.size()) +
                                   " aggregates but " + std::to_string(arg_columns.size()) +
                                   " argument columns");
  }
  if (output_names.size() > aggregates.size()) {
    return Status::InvalidArgument("OVER aggregation: more output names than aggregates");
  }
  for (size_t i = 0; i < aggregates.size(); ++i) {
    const AggregateFunction& f = *aggregates[i];
    const int col = arg_columns[i];
    if (f.kind() == AggKind::kCountStar) {
      if (col != -1) return Status::InvalidArgument("COUNT(*) takes no argument column (use -1)");
      continue;
    }
    if (col < 0 || static_cast<size_t>(col) >= input->size()) {
      return Status::InvalidArgument(f.Name() + ": argument column " + std::to_string(col) +
                                     " is not in the input " + input->ToString());
    }
    const sql::DataType& t = input->field(col).type;
    if (t.kind != f.input_type().kind || t.scale != f.input_type().scale) {
      return Status::InvalidArgument(f.Name() + ": argument column '" + input->field(col).name +
                                     "' has type " + t.ToString());
    }
  }
  return std::unique_ptr<OverAggregateOperator>(new OverAggregateOperator(
      std::move(input), frame, std::move(aggregates), std::move(arg_columns),
      std::move(output_names), state_retention_ms));
}

OverAggregateOperator::OverAggregateOperator(
    std::shared_ptr<const Schema> input, OverFrameSpec frame,
    std::vector<std::unique_ptr<AggregateFunction>> aggregates, std::vector<int> arg_columns,
    std::vector<std::string> names, int64_t retention)
    : input_(std::move(input)),
      frame_(frame),
      layout_(std::move(aggregates), names),
      args_(std::move(arg_columns)),
      retention_(retention) {
  std::vector<Field> fields = input_->fields();
  for (size_t i = 0; i < layout_.size(); ++i) {
    fields.push_back(
        {i < names.size() ? names[i] : layout_.agg(i).Name(), layout_.agg(i).result_type()});
  }
  output_ = std::make_shared<Schema>(std::move(fields));
}

std::unique_ptr<OverAggregateState> OverAggregateOperator::NewState() const {
  return std::unique_ptr<OverAggregateState>(new OverAggregateState(this));
}

OverAggregateState::OverAggregateState(const OverAggregateOperator* op)
    : op_(op),
      buffer_(op->input_),
      spare_(op->input_),
      arena_(op->layout_.block_size()),
      scratch_block_(arena_.Allocate()) {}

OverAggregateState::~OverAggregateState() { Clear(); }

void OverAggregateState::Clear() {
  for (KeyState& k : keys_) {
    if (k.acc != nullptr) {
      op_->layout_.Destroy(k.acc);
      arena_.Free(k.acc);
    }
  }
  keys_.clear();
  pending_keys_.clear();
  row_keys_.clear();
  buffer_.Truncate(0);
  dead_rows_ = 0;
  pending_rows_ = 0;
  min_pending_ = INT64_MAX;
  next_expiry_check_ = INT64_MIN;
}

OverAggregateState::KeyState& OverAggregateState::Key(uint32_t key) {
  if (key >= keys_.size()) keys_.resize(static_cast<size_t>(key) + 1);
  return keys_[key];
}

void OverAggregateState::ListPending(uint32_t key) {
  if (!keys_[key].pending_listed) {
    keys_[key].pending_listed = true;
    pending_keys_.push_back(key);
  }
}

void OverAggregateState::ListRows(uint32_t key) {
  if (!keys_[key].rows_listed) {
    keys_[key].rows_listed = true;
    row_keys_.push_back(key);
  }
}

size_t OverAggregateState::keys() const {
  size_t n = 0;
  for (const KeyState& k : keys_) {
    n += k.acc != nullptr || !k.pending.empty() || k.frame.size() > k.frame_head ||
         k.last_fired != kNone;
  }
  return n;
}

size_t OverAggregateState::MemoryUsage() const {
  size_t n = buffer_.batch().MemoryUsage() + spare_.batch().MemoryUsage() +
             keys_.capacity() * sizeof(KeyState) + arena_.MemoryUsage() +
             (pending_keys_.capacity() + row_keys_.capacity() + emit_rows_.capacity() +
              rows_.capacity() + remap_.capacity()) *
                 sizeof(uint32_t) +
             ready_.capacity() * sizeof(Ready) + groups_.capacity() * sizeof(void*);
  for (const KeyState& k : keys_) {
    n += (k.pending.capacity() + k.frame.capacity()) * sizeof(Entry);
    if (k.acc != nullptr) n += op_->layout_.MemoryUsage(k.acc) - op_->layout_.block_size();
  }
  return n;
}

void OverAggregateOperator::ProcessBatch(OverAggregateState& st, const RecordBatch& batch,
                                         const uint32_t* key_ids, const int64_t* event_time,
                                         std::vector<OverLateRecord>* late,
                                         const uint64_t* event_time_validity) const {
  assert(batch.num_columns() == input_->size());
  st.rows_.clear();  // accepted input rows
  const size_t base = st.buffer_.num_rows();
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    const uint32_t key = key_ids[r];
    if (event_time_validity && ((event_time_validity[r >> 6] >> (r & 63)) & 1) == 0) {
      ++st.late_records_;
      if (late) late->push_back({static_cast<uint32_t>(r), key, 0, OverLateKind::kNullTime, 0});
      continue;
    }
    const int64_t ts = event_time[r];
    OverAggregateState::KeyState& k = st.Key(key);
    // UNBOUNDED frames compare with the watermark; bounded ones with the key's last
    // processed time, 0 before any (Flink's lastTriggeringTs default).
    const int64_t bound = frame_.unbounded ? st.watermark_ : std::max<int64_t>(k.last_fired, 0);
    if (ts <= bound) {
      ++st.late_records_;
      if (late) {
        late->push_back(
            {static_cast<uint32_t>(r), key, ts,
             frame_.unbounded ? OverLateKind::kNotAfterWatermark : OverLateKind::kNotAfterLastFired,
             bound});
      }
      continue;
    }
    k.pending.push_back({ts, static_cast<uint32_t>(base + st.rows_.size())});
    st.rows_.push_back(static_cast<uint32_t>(r));
    st.ListPending(key);
    st.ListRows(key);
    st.min_pending_ = std::min(st.min_pending_, ts);
  }
  const size_t n = st.rows_.size();
  if (n == 0) return;
  for (size_t c = 0; c < input_->size(); ++c) {
    CopyRows(batch.column(c), st.rows_.data(), n, st.buffer_.column(c));
  }
  for (size_t i = 0; i < n; ++i) st.buffer_.CommitRow();
  st.pending_rows_ += n;
}

void OverAggregateOperator::OnWatermark(OverAggregateState& st, int64_t watermark,
                                        RecordBatchBuilder& out) const {
  if (watermark <= st.watermark_) return;
  st.watermark_ = watermark;
  if (st.min_pending_ <= watermark) Fire(st, out);
  if (retention_ > 0 && watermark >= st.next_expiry_check_) ExpireIdleKeys(st);
  const size_t total = st.buffer_.num_rows();
  if (st.dead_rows_ > 0 && st.dead_rows_ * 2 >= total &&
      (st.dead_rows_ >= kMinCompactRows || st.dead_rows_ == total)) {
    Compact(st);
  }
}

void OverAggregateOperator::Fire(OverAggregateState& st, RecordBatchBuilder& out) const {
  using Entry = OverAggregateState::Entry;
  using Ready = OverAggregateState::Ready;
  const int64_t wm = st.watermark_;
  // Take every ready row out of the pending lists (stable: arrival order is kept).
  st.ready_.clear();
  int64_t min_pending = INT64_MAX;
  size_t listed = 0;
  for (uint32_t key : st.pending_keys_) {
    OverAggregateState::KeyState& k = st.keys_[key];
    size_t keep = 0;
    for (const Entry& e : k.pending) {
      if (e.ts <= wm) {
        st.ready_.push_back({e.ts, key, e.row});
      } else {
        k.pending[keep++] = e;
        min_pending = std::min(min_pending, e.ts);
      }
    }
    k.pending.resize(keep);
    if (keep > 0) {
      st.pending_keys_[listed++] = key;
    } else {
      k.pending_listed = false;
    }
  }
  st.pending_keys_.resize(listed);
  st.min_pending_ = min_pending;
  st.pending_rows_ -= st.ready_.size();
  // Buffer rows grow in arrival order, so row breaks timestamp ties by arrival.
  std::sort(st.ready_.begin(), st.ready_.end(), [](const Ready& a, const Ready& b) {
    if (a.ts != b.ts) return a.ts < b.ts;
    if (a.key != b.key) return a.key < b.key;
    return a.row < b.row;
  });

  const RecordBatch& buf = st.buffer_.batch();
  const size_t nin = input_->size();
  auto accumulate = [&](std::byte* block, const uint32_t* rows, size_t n) {
    st.groups_.assign(n, block);
    for (size_t a = 0; a < layout_.size(); ++a) {
      const Column* arg = args_[a] < 0 ? nullptr : &buf.column(static_cast<size_t>(args_[a]));
      layout_.agg(a).Update(st.groups_.data(), layout_.offset(a), arg, rows, n);
    }
  };
  auto emit = [&](const std::byte* block, size_t times) {
    for (size_t a = 0; a < layout_.size(); ++a) {
      Column& col = out.column(nin + a);
      for (size_t t = 0; t < times; ++t) layout_.agg(a).Finalize(block + layout_.offset(a), col);
    }
  };
  // Bounded frames: aggregate the kept frame rows afresh into the scratch block.
  auto recompute = [&](const OverAggregateState::KeyState& k, size_t times) {
    st.rows_.clear();
    for (size_t i = k.frame_head; i < k.frame.size(); ++i) st.rows_.push_back(k.frame[i].row);
    layout_.Init(st.scratch_block_);
    accumulate(st.scratch_block_, st.rows_.data(), st.rows_.size());
    emit(st.scratch_block_, times);
    layout_.Destroy(st.scratch_block_);
  };

  st.emit_rows_.clear();
  const size_t n = st.ready_.size();
  for (size_t i = 0; i < n;) {
    const int64_t ts = st.ready_[i].ts;
    const uint32_t key = st.ready_[i].key;
    size_t j = i + 1;  // [i, j): the key's peers at ts
    while (j < n && st.ready_[j].key == key && st.ready_[j].ts == ts) ++j;
    OverAggregateState::KeyState& k = st.keys_[key];
    if (frame_.unbounded) {
      if (k.acc == nullptr) {
        k.acc = st.arena_.Allocate();
        layout_.Init(k.acc);
      }
      if (frame_.rows) {
        for (size_t p = i; p < j; ++p) {
          accumulate(k.acc, &st.ready_[p].row, 1);
          emit(k.acc, 1);
          st.emit_rows_.push_back(st.ready_[p].row);
        }
      } else {
        st.rows_.clear();
        for (size_t p = i; p < j; ++p) st.rows_.push_back(st.ready_[p].row);
        accumulate(k.acc, st.rows_.data(), st.rows_.size());
        emit(k.acc, j - i);
        st.emit_rows_.insert(st.emit_rows_.end(), st.rows_.begin(), st.rows_.end());
      }
      st.dead_rows_ += j - i;  // UNBOUNDED keeps only the accumulators
    } else if (frame_.rows) {
      const size_t limit = static_cast<size_t>(std::min<int64_t>(frame_.preceding, INT32_MAX)) + 1;
      for (size_t p = i; p < j; ++p) {
        k.frame.push_back({ts, st.ready_[p].row});
        while (k.frame.size() - k.frame_head > limit) {
          ++k.frame_head;
          ++st.dead_rows_;
        }
        recompute(k, 1);
        st.emit_rows_.push_back(st.ready_[p].row);
      }
    } else {
      for (size_t p = i; p < j; ++p) k.frame.push_back({ts, st.ready_[p].row});
      // ts > 0 here (bounded frames reject ts <= 0), so this does not overflow. Rows
      // exactly `preceding` ms old stay: the bound is inclusive.
      const int64_t lo = ts - frame_.preceding;
      while (k.frame[k.frame_head].ts < lo) {
        ++k.frame_head;
        ++st.dead_rows_;
      }
      recompute(k, j - i);
      for (size_t p = i; p < j; ++p) st.emit_rows_.push_back(st.ready_[p].row);
    }
    if (k.frame_head >= kMinFrameErase && k.frame_head * 2 >= k.frame.size()) {
      k.frame.erase(k.frame.begin(), k.frame.begin() + static_cast<ptrdiff_t>(k.frame_head));
      k.frame_head = 0;
    }
    k.last_fired = ts;
    i = j;
  }
  // The input columns of the emitted rows, in the order their aggregates were appended.
  for (size_t c = 0; c < nin; ++c) {
    CopyRows(buf.column(c), st.emit_rows_.data(), st.emit_rows_.size(), out.column(c));
  }
  for (size_t i = 0; i < st.emit_rows_.size(); ++i) out.CommitRow();
}

void OverAggregateOperator::ExpireIdleKeys(OverAggregateState& st) const {
  const int64_t wm = st.watermark_;
  const int64_t step = std::max<int64_t>(retention_ / 2, 1);
  st.next_expiry_check_ = wm > INT64_MAX - step ? INT64_MAX : wm + step;
  if (wm < INT64_MIN + retention_) return;
  const int64_t cutoff = wm - retention_;  // keys last processed at or before it go
  for (OverAggregateState::KeyState& k : st.keys_) {
    if (!k.pending.empty() || k.last_fired == OverAggregateState::kNone || k.last_fired > cutoff) {
      continue;
    }
    if (k.acc != nullptr) {
      layout_.Destroy(k.acc);
      st.arena_.Free(k.acc);
      k.acc = nullptr;
    }
    st.dead_rows_ += k.frame.size() - k.frame_head;
    std::vector<OverAggregateState::Entry>().swap(k.frame);
    std::vector<OverAggregateState::Entry>().swap(k.pending);
    k.frame_head = 0;
    k.last_fired = OverAggregateState::kNone;
  }
}

void OverAggregateOperator::Compact(OverAggregateState& st) const {
  // Live rows in buffer order, so ties keep breaking by arrival after the move.
  st.rows_.clear();
  size_t listed = 0;
  for (uint32_t key : st.row_keys_) {
    OverAggregateState::KeyState& k = st.keys_[key];
    const size_t before = st.rows_.size();
    for (const auto& e : k.pending) st.rows_.push_back(e.row);
    for (size_t i = k.frame_head; i < k.frame.size(); ++i) st.rows_.push_back(k.frame[i].row);
    if (st.rows_.size() > before) {
      st.row_keys_[listed++] = key;
    } else {
      k.rows_listed = false;
    }
  }
  st.row_keys_.resize(listed);
  const size_t live = st.rows_.size();
  if (live == 0) {
    st.buffer_.Truncate(0);
    st.dead_rows_ = 0;
    return;
  }
  std::sort(st.rows_.begin(), st.rows_.end());
  st.remap_.assign(st.buffer_.num_rows(), UINT32_MAX);
  for (size_t i = 0; i < live; ++i) st.remap_[st.rows_[i]] = static_cast<uint32_t>(i);
  st.spare_.Truncate(0);
  for (size_t c = 0; c < input_->size(); ++c) {
    CopyRows(st.buffer_.batch().column(c), st.rows_.data(), live, st.spare_.column(c));
  }
  for (size_t i = 0; i < live; ++i) st.spare_.CommitRow();
  std::swap(st.buffer_, st.spare_);
  st.spare_.Truncate(0);
  for (uint32_t key : st.row_keys_) {
    OverAggregateState::KeyState& k = st.keys_[key];
    for (auto& e : k.pending) e.row = st.remap_[e.row];
    k.frame.erase(k.frame.begin(), k.frame.begin() + static_cast<ptrdiff_t>(k.frame_head));
    k.frame_head = 0;
    for (auto& e : k.frame) e.row = st.remap_[e.row];
  }
  st.dead_rows_ = 0;
}

void OverAggregateOperator::Snapshot(const OverAggregateState& st, std::string& out) const {
  agg::Put<uint8_t>(out, kOverSnapshotVersion);
  agg::Put<uint8_t>(out, frame_.rows ? 1 : 0);
  agg::Put<uint8_t>(out, frame_.unbounded ? 1 : 0);
  agg::Put<int64_t>(out, frame_.preceding);
  agg::Put<uint32_t>(out, static_cast<uint32_t>(layout_.size()));
  agg::Put<uint32_t>(out, static_cast<uint32_t>(input_->size()));
  for (const Field& f : input_->fields()) {
    agg::Put<uint8_t>(out, static_cast<uint8_t>(f.type.kind));
    agg::Put<int32_t>(out, f.type.precision);
    agg::Put<int32_t>(out, f.type.scale);
  }
  agg::Put(out, st.watermark_);
  agg::Put(out, st.late_records_);
  agg::Put<uint64_t>(out, st.keys());
  const RecordBatch& buf = st.buffer_.batch();
  auto put_entry = [&](const OverAggregateState::Entry& e) {
    agg::Put(out, e.ts);
    for (size_t c = 0; c < buf.num_columns(); ++c) PutValue(buf.column(c), e.row, out);
  };
  for (uint32_t key = 0; key < st.keys_.size(); ++key) {
    const OverAggregateState::KeyState& k = st.keys_[key];
    if (k.acc == nullptr && k.pending.empty() && k.frame.size() == k.frame_head &&
        k.last_fired == OverAggregateState::kNone) {
      continue;
    }
    agg::Put(out, key);
    agg::Put(out, k.last_fired);
    agg::Put<uint8_t>(out, k.acc != nullptr ? 1 : 0);
    if (k.acc != nullptr) layout_.Serialize(k.acc, out);
    agg::Put<uint32_t>(out, static_cast<uint32_t>(k.frame.size() - k.frame_head));
    agg::Put<uint32_t>(out, static_cast<uint32_t>(k.pending.size()));
    for (size_t i = k.frame_head; i < k.frame.size(); ++i) put_entry(k.frame[i]);
    for (const auto& e : k.pending) put_entry(e);
  }
}

Status OverAggregateOperator::Restore(OverAggregateState& st, std::string_view in) const {
  uint8_t version, rows, unbounded;
  int64_t preceding;
  uint32_t aggs, columns;
  if (!agg::Get(in, &version)) return Truncated();
  if (version != kOverSnapshotVersion) {
    return Status::Corruption("over state checkpoint has version " + std::to_string(version) +
                              ", this build reads version " + std::to_string(kOverSnapshotVersion));
  }
  if (!agg::Get(in, &rows) || !agg::Get(in, &unbounded) || !agg::Get(in, &preceding) ||
      !agg::Get(in, &aggs) || !agg::Get(in, &columns)) {
    return Truncated();
  }
  const OverFrameSpec saved{rows != 0, unbounded != 0, preceding};
  if (saved.rows != frame_.rows || saved.unbounded != frame_.unbounded ||
      (!saved.unbounded && saved.preceding != frame_.preceding)) {
    return Status::InvalidArgument("over state checkpoint was taken with frame " +
                                   FrameText(saved) + ", the plan has " + FrameText(frame_));
  }
  if (aggs != layout_.size()) {
    return Status::InvalidArgument("over state checkpoint has " + std::to_string(aggs) +
                                   " aggregates, the plan has " + std::to_string(layout_.size()));
  }
  if (columns != input_->size()) {
    return Status::InvalidArgument("over state checkpoint has " + std::to_string(columns) +
                                   " input columns, the plan has " +
                                   std::to_string(input_->size()));
  }
  for (const Field& f : input_->fields()) {
    uint8_t kind;
    int32_t precision, scale;
    if (!agg::Get(in, &kind) || !agg::Get(in, &precision) || !agg::Get(in, &scale)) {
      return Truncated();
    }
    sql::DataType t{static_cast<sql::TypeKind>(kind), precision, scale};
    if (t.kind != f.type.kind || precision != f.type.precision || scale != f.type.scale) {
      return Status::InvalidArgument("over state checkpoint has input column '" + f.name +
                                     "' of type " + t.ToString() + ", the plan has " +
                                     f.type.ToString());
    }
  }
  int64_t watermark;
  uint64_t late_records, nkeys;
  if (!agg::Get(in, &watermark) || !agg::Get(in, &late_records) || !agg::Get(in, &nkeys)) {
    return Truncated();
  }
  st.Clear();
  st.watermark_ = watermark;
  st.late_records_ = late_records;
  auto get_entry = [&](std::vector<OverAggregateState::Entry>& list) -> Status {
    int64_t ts;
    if (!agg::Get(in, &ts)) return Truncated();
    const size_t row = st.buffer_.num_rows();
    for (size_t c = 0; c < input_->size(); ++c) {
      if (!GetValue(in, st.buffer_.column(c))) {
        st.buffer_.Truncate(row);
        return Truncated();
      }
    }
    st.buffer_.CommitRow();
    list.push_back({ts, static_cast<uint32_t>(row)});
    return Status::Ok();
  };
  for (uint64_t i = 0; i < nkeys; ++i) {
    uint32_t key, nframe, npending;
    int64_t last_fired;
    uint8_t has_acc;
    if (!agg::Get(in, &key) || !agg::Get(in, &last_fired) || !agg::Get(in, &has_acc)) {
      return Truncated();
    }
    if (key < st.keys_.size() &&
        (st.keys_[key].last_fired != OverAggregateState::kNone || st.keys_[key].acc != nullptr ||
         !st.keys_[key].pending.empty() || !st.keys_[key].frame.empty())) {
      return Status::Corruption("over state checkpoint repeats key " + std::to_string(key));
    }
    OverAggregateState::KeyState& k = st.Key(key);
    k.last_fired = last_fired;
    if (has_acc != 0) {
      if (!frame_.unbounded)
        return Status::Corruption("over state checkpoint: unexpected accumulators");
      k.acc = st.arena_.Allocate();
      layout_.Init(k.acc);
      FG_RETURN_IF_ERROR(layout_.Restore(in, k.acc));
    }
    if (!agg::Get(in, &nframe) || !agg::Get(in, &npending)) return Truncated();
    if (frame_.unbounded && nframe != 0) {
      return Status::Corruption("over state checkpoint: frame rows for an UNBOUNDED frame");
    }
    for (uint32_t j = 0; j < nframe; ++j) FG_RETURN_IF_ERROR(get_entry(k.frame));
    for (uint32_t j = 0; j < npending; ++j) {
      FG_RETURN_IF_ERROR(get_entry(k.pending));
      st.min_pending_ = std::min(st.min_pending_, k.pending.back().ts);
    }
    st.pending_rows_ += npending;
    if (npending > 0) st.ListPending(key);
    if (nframe + npending > 0) st.ListRows(key);
  }
  if (!in.empty()) return Status::Corruption("over state checkpoint has trailing bytes");
  return Status::Ok();
}

}  // namespace fluxgate::runtime
