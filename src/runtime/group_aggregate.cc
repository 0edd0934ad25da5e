#include "runtime/group_aggregate.h"

#include <algorithm>
#include <cstring>

#include "runtime/agg_common.h"

namespace fluxgate::runtime {
namespace {

constexpr uint8_t kGroupSnapshotVersion = 1;
constexpr size_t kChunk = 1024;  // rows per Update call

// Appends src[row] to dst (same physical type).
void AppendFrom(const Column& src, size_t row, Column& dst) {
  if (src.IsNull(row)) {
    dst.AppendNull();
    return;
  }
  switch (src.physical()) {
    case PhysicalType::kBool:
      return dst.AppendBool(src.Bool(row));
    case PhysicalType::kInt64:
      return dst.AppendInt64(src.Int64(row));
    case PhysicalType::kDouble:
      return dst.AppendDouble(src.Double(row));
    case PhysicalType::kDecimal:
      return dst.AppendDecimal(src.Decimal(row));
    case PhysicalType::kString:
      return dst.AppendString(src.String(row));
  }
}

// Exact equality, NULL equal to NULL; DOUBLE bitwise like Flink's binary-row equaliser.
bool SameValue(const Column& a, size_t i, const Column& b, size_t j) {
  if (a.IsNull(i) || b.IsNull(j)) return a.IsNull(i) && b.IsNull(j);
  switch (a.physical()) {
    case PhysicalType::kBool:
      return a.Bool(i) == b.Bool(j);
    case PhysicalType::kInt64:
      return a.Int64(i) == b.Int64(j);
    case PhysicalType::kDouble: {
      const double x = a.Double(i), y = b.Double(j);
      return std::memcmp(&x, &y, sizeof x) == 0;
    }
    case PhysicalType::kDecimal:
      return a.Decimal(i) == b.Decimal(j);
    case PhysicalType::kString:
      return a.String(i) == b.String(j);
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<GroupAggregateOperator>> GroupAggregateOperator::Make(
    std::vector<std::unique_ptr<AggregateFunction>> aggregates,
    std::vector<std::string> output_names, bool emit_update_before) {
  if (output_names.size() > aggregates.size()) {
    return Status::InvalidArgument("GROUP BY aggregation: more output names than aggregates");
  }
  return std::unique_ptr<GroupAggregateOperator>(new GroupAggregateOperator(
      std::move(aggregates), std::move(output_names), emit_update_before));
}

GroupAggregateOperator::GroupAggregateOperator(
    std::vector<std::unique_ptr<AggregateFunction>> aggregates, std::vector<std::string> names,
    bool emit_update_before)
    : layout_(std::move(aggregates), names), emit_update_before_(emit_update_before) {
  std::vector<Field> values;
  for (size_t i = 0; i < layout_.size(); ++i) {
    values.push_back(
        {i < names.size() ? names[i] : layout_.agg(i).Name(), layout_.agg(i).result_type()});
  }
  std::vector<Field> fields = {{"key_id", sql::DataType{sql::TypeKind::kBigInt, 0, 0, false}}};
  fields.insert(fields.end(), values.begin(), values.end());
  output_ = std::make_shared<Schema>(std::move(fields));
  values_ = std::make_shared<Schema>(std::move(values));
}

std::unique_ptr<GroupAggregateState> GroupAggregateOperator::NewState() const {
  return std::unique_ptr<GroupAggregateState>(new GroupAggregateState(this));
}

GroupAggregateState::GroupAggregateState(const GroupAggregateOperator* op)
    : op_(op), arena_(op->layout_.block_size()), before_(op->values_), after_(op->values_) {}

GroupAggregateState::~GroupAggregateState() { Clear(); }

void GroupAggregateState::Clear() {
  for (std::byte*& b : blocks_) {
    if (b == nullptr) continue;
    op_->layout_.Destroy(b);
    arena_.Free(b);
    b = nullptr;
  }
  groups_ = 0;
}

void GroupAggregateState::Reserve(uint32_t key) {
  if (key >= blocks_.size()) {
    blocks_.resize(static_cast<size_t>(key) + 1, nullptr);
    touched_at_.resize(static_cast<size_t>(key) + 1, kUntouched);
  }
}

size_t GroupAggregateState::MemoryUsage() const {
  size_t n = arena_.MemoryUsage() + blocks_.capacity() * sizeof(void*) +
             touched_at_.capacity() * sizeof(uint32_t) + touched_.capacity() * sizeof(Touched) +
             before_.batch().MemoryUsage() + after_.batch().MemoryUsage() +
             chunk_groups_.capacity() * sizeof(void*) + chunk_rows_.capacity() * sizeof(uint32_t);
  for (const std::byte* b : blocks_) {
    if (b != nullptr) n += op_->layout_.MemoryUsage(b) - op_->layout_.block_size();
  }
  return n;
}

void GroupAggregateOperator::Flush(GroupAggregateState& st, const GroupAggInput& in,
                                   size_t n) const {
  for (size_t a = 0; a < layout_.size(); ++a) {
    layout_.agg(a).Update(st.chunk_groups_.data(), layout_.offset(a), in.args[a],
                          st.chunk_rows_.data(), n);
  }
}

void GroupAggregateOperator::ProcessBatch(GroupAggregateState& st, const GroupAggInput& in,
                                          RecordBatchBuilder& out,
                                          std::vector<RowKind>* kinds) const {
  using Touched = GroupAggregateState::Touched;
  const size_t naggs = layout_.size();
  st.touched_.clear();
  st.before_.Truncate(0);
  st.after_.Truncate(0);
  if (st.chunk_groups_.size() < kChunk) {
    st.chunk_groups_.resize(kChunk);
    st.chunk_rows_.resize(kChunk);
  }
  size_t n = 0;
  for (size_t r = 0; r < in.num_rows; ++r) {
    const uint32_t key = in.key_ids[r];
    st.Reserve(key);
    std::byte*& block = st.blocks_[key];
    if (st.touched_at_[key] == GroupAggregateState::kUntouched) {
      // First row of this key in the batch: remember what was last emitted for it (its
      // values before the batch) so the batch can retract them.
      st.touched_at_[key] = static_cast<uint32_t>(st.touched_.size());
      Touched t{key, GroupAggregateState::kUntouched};
      if (block == nullptr) {
        block = st.arena_.Allocate();
        layout_.Init(block);
        ++st.groups_;
      } else {
        t.before = static_cast<uint32_t>(st.before_.num_rows());
        for (size_t a = 0; a < naggs; ++a) {
          layout_.agg(a).Finalize(block + layout_.offset(a), st.before_.column(a));
        }
        st.before_.CommitRow();
      }
      st.touched_.push_back(t);
    }
    st.chunk_groups_[n] = block;
    st.chunk_rows_[n] = static_cast<uint32_t>(r);
    if (++n == kChunk) {
      Flush(st, in, n);
      n = 0;
    }
  }
  if (n > 0) Flush(st, in, n);

  std::sort(st.touched_.begin(), st.touched_.end(),
            [](const Touched& a, const Touched& b) { return a.key < b.key; });
  for (const Touched& t : st.touched_) {
    const std::byte* block = st.blocks_[t.key];
    for (size_t a = 0; a < naggs; ++a) {
      layout_.agg(a).Finalize(block + layout_.offset(a), st.after_.column(a));
    }
    st.after_.CommitRow();
    st.touched_at_[t.key] = GroupAggregateState::kUntouched;
  }

  const RecordBatch& before = st.before_.batch();
  const RecordBatch& after = st.after_.batch();
  auto emit = [&](uint32_t key, const RecordBatch& values, size_t row, RowKind kind) {
    out.column(0).AppendInt64(key);
    for (size_t a = 0; a < naggs; ++a) AppendFrom(values.column(a), row, out.column(1 + a));
    out.CommitRow();
    if (kinds) kinds->push_back(kind);
  };
  for (size_t i = 0; i < st.touched_.size(); ++i) {
    const Touched& t = st.touched_[i];
    if (t.before == GroupAggregateState::kUntouched) {
      emit(t.key, after, i, RowKind::kInsert);
      continue;
    }
    bool same = true;
    for (size_t a = 0; a < naggs && same; ++a) {
      same = SameValue(before.column(a), t.before, after.column(a), i);
    }
    if (same) continue;
    if (emit_update_before_) emit(t.key, before, t.before, RowKind::kUpdateBefore);
    emit(t.key, after, i, RowKind::kUpdateAfter);
  }
}

void GroupAggregateOperator::Snapshot(const GroupAggregateState& st, std::string& out) const {
  agg::Put<uint8_t>(out, kGroupSnapshotVersion);
  agg::Put<uint32_t>(out, static_cast<uint32_t>(layout_.size()));
  agg::Put<uint64_t>(out, st.groups_);
  for (uint32_t key = 0; key < st.blocks_.size(); ++key) {
    if (st.blocks_[key] == nullptr) continue;
    agg::Put(out, key);
    layout_.Serialize(st.blocks_[key], out);
  }
}

Status GroupAggregateOperator::Restore(GroupAggregateState& st, std::string_view in) const {
  const Status truncated = Status::Corruption("group aggregate checkpoint is truncated");
  uint8_t version;
  uint32_t aggs;
  uint64_t groups;
  if (!agg::Get(in, &version)) return truncated;
  if (version != kGroupSnapshotVersion) {
    return Status::Corruption("group aggregate checkpoint has version " + std::to_string(version) +
                              ", this build reads version " +
                              std::to_string(kGroupSnapshotVersion));
  }
  if (!agg::Get(in, &aggs) || !agg::Get(in, &groups)) return truncated;
  if (aggs != layout_.size()) {
    return Status::InvalidArgument("group aggregate checkpoint has " + std::to_string(aggs) +
                                   " aggregates, the plan has " + std::to_string(layout_.size()));
  }
  st.Clear();
  for (uint64_t i = 0; i < groups; ++i) {
    uint32_t key;
    if (!agg::Get(in, &key)) return truncated;
    st.Reserve(key);
    if (st.blocks_[key] != nullptr) {
      return Status::Corruption("group aggregate checkpoint repeats key " + std::to_string(key));
    }
    std::byte* block = st.arena_.Allocate();
    layout_.Init(block);
    st.blocks_[key] = block;
    ++st.groups_;
    FG_RETURN_IF_ERROR(layout_.Restore(in, block));
  }
  if (!in.empty()) return Status::Corruption("group aggregate checkpoint has trailing bytes");
  return Status::Ok();
}

}  // namespace fluxgate::runtime
