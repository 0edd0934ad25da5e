#include "runtime/window_aggregate.h"

#include <algorithm>

#include "runtime/agg_common.h"
#include "runtime/window_snapshot.h"

namespace fluxgate::runtime {
namespace {

constexpr size_t kChunk = 1024;  // rows per scratch flush

}  // namespace

Result<std::unique_ptr<WindowAggregateOperator>> WindowAggregateOperator::Make(
    WindowAssigner assigner, std::vector<std::unique_ptr<AggregateFunction>> aggregates,
    int64_t allowed_lateness_ms, std::vector<std::string> output_names) {
  if (allowed_lateness_ms < 0) return Status::InvalidArgument("allowed lateness must be >= 0");
  if (auto* t = std::get_if<TumblingAssigner>(&assigner); t && t->size <= 0) {
    return Status::InvalidArgument("TUMBLE size must be positive");
  }
  if (auto* h = std::get_if<HoppingAssigner>(&assigner)) {
    if (h->slide <= 0 || h->size <= 0) {
      return Status::InvalidArgument("HOP slide and size must be positive");
    }
    if (h->size % h->slide != 0) {
      return Status::InvalidArgument(
          "HOP window aggregation requires size must be an integral multiple of slide");
    }
  }
  if (auto* c = std::get_if<CumulatingAssigner>(&assigner)) {
    if (c->step <= 0 || c->size <= 0 || c->size % c->step != 0) {
      return Status::InvalidArgument(
          "CUMULATE requires a positive step and a size that is an integral multiple of it");
    }
  }
  return std::unique_ptr<WindowAggregateOperator>(new WindowAggregateOperator(
      assigner, std::move(aggregates), allowed_lateness_ms, std::move(output_names)));
}

WindowAggregateOperator::WindowAggregateOperator(
    WindowAssigner assigner, std::vector<std::unique_ptr<AggregateFunction>> aggregates,
    int64_t allowed_lateness_ms, std::vector<std::string> names)
    : assigner_(assigner),
      layout_(std::move(aggregates), std::move(names)),
      allowed_lateness_(allowed_lateness_ms) {
  max_windows_ = std::visit([](const auto& a) { return a.max_windows(); }, assigner_);
}

std::unique_ptr<WindowAggregateState> WindowAggregateOperator::NewState() const {
  return std::unique_ptr<WindowAggregateState>(new WindowAggregateState(this));
}

WindowAggregateState::WindowAggregateState(const WindowAggregateOperator* op)
    : op_(op), arena_(op->layout().block_size()) {}

WindowAggregateState::~WindowAggregateState() { Clear(); }

void WindowAggregateState::Clear() {
  for (auto& e : table_.slots()) {
    if (e.block == nullptr) continue;
    op_->layout().Destroy(e.block);
    arena_.Free(e.block);
    table_.Erase(&e);
  }
}

size_t WindowAggregateState::MemoryUsage() const {
  size_t n = table_.MemoryUsage() + arena_.MemoryUsage() + groups_.capacity() * sizeof(void*) +
             rows_.capacity() * 4;
  for (const auto& e : table_.slots()) {
    if (e.block) n += op_->layout().MemoryUsage(e.block) - op_->layout().block_size();
  }
  return n;
}

void WindowAggregateOperator::Flush(WindowAggregateState& st, const WindowAggInput& in,
                                    size_t n) const {
  for (size_t a = 0; a < layout_.size(); ++a) {
    layout_.agg(a).Update(st.groups_.data(), layout_.offset(a), in.args[a], st.rows_.data(), n);
  }
}

template <class Assigner>
void WindowAggregateOperator::Process(const Assigner& assigner, WindowAggregateState& st,
                                      const WindowAggInput& in,
                                      std::vector<LateRecord>* late) const {
  const size_t cap = kChunk * static_cast<size_t>(max_windows_);
  if (st.groups_.size() < cap) {
    st.groups_.resize(cap);
    st.rows_.resize(cap);
  }
  const int64_t wm = st.watermark_;
  Window windows[64];
  Window* w = max_windows_ <= 64 ? windows : nullptr;
  std::vector<Window> big;  // only for > 64 windows per record (unusual HOP/CUMULATE)
  if (w == nullptr) {
    big.resize(max_windows_);
    w = big.data();
  }
  size_t n = 0;
  for (size_t r = 0; r < in.num_rows; ++r) {
    if (in.event_time_validity && ((in.event_time_validity[r >> 6] >> (r & 63)) & 1) == 0) {
      continue;  // NULL rowtime: belongs to no window (Flink drops such rows too)
    }
    const int64_t ts = in.event_time[r];
    const uint32_t key = in.key_ids[r];
    const int k = assigner.Assign(ts, w);
    bool kept = false;
    for (int j = 0; j < k; ++j) {
      if (IsWindowExpired(w[j].end, allowed_lateness_, wm)) continue;
      kept = true;
      bool inserted;
      WindowTable::Entry* e = st.table_.FindOrInsert(key, w[j].start, w[j].end, &inserted);
      if (inserted) {
        e->block = st.arena_.Allocate();
        layout_.Init(e->block);
        if (w[j].end < st.min_unfired_end_) st.min_unfired_end_ = w[j].end;
      } else if (e->fired) {
        e->dirty = 1;
        st.any_dirty_ = true;
      }
      st.groups_[n] = e->block;
      st.rows_[n] = static_cast<uint32_t>(r);
      ++n;
    }
    if (!kept) {
      ++st.late_records_;
      if (late) {
        late->push_back(LateRecord{static_cast<uint32_t>(r), key, ts, w[0], wm, allowed_lateness_});
      }
    }
    if (n + static_cast<size_t>(max_windows_) > cap) {
      Flush(st, in, n);
      n = 0;
    }
  }
  if (n > 0) Flush(st, in, n);
}

void WindowAggregateOperator::ProcessBatch(WindowAggregateState& state, const WindowAggInput& input,
                                           std::vector<LateRecord>* late) const {
  std::visit([&](const auto& a) { Process(a, state, input, late); }, assigner_);
}

void WindowAggregateOperator::OnWatermark(WindowAggregateState& st, int64_t watermark,
                                          RecordBatchBuilder& out,
                                          std::vector<RowKind>* kinds) const {
  if (watermark <= st.watermark_) return;
  st.watermark_ = watermark;
  if (!IsWindowFired(st.min_unfired_end_, watermark) && !st.any_dirty_ &&
      !IsWindowExpired(st.min_fired_end_, allowed_lateness_, watermark)) {
    return;
  }
  // Collect what fires, in (end, key) order.
  struct Fire {
    int64_t end;
    uint32_t key;
    WindowTable::Entry* e;
  };
  std::vector<Fire> fire;
  int64_t min_unfired = INT64_MAX;
  for (auto& e : st.table_.slots()) {
    if (e.block == nullptr) continue;
    if (!e.fired ? IsWindowFired(e.end, watermark) : e.dirty) {
      fire.push_back({e.end, e.key, &e});
    } else if (!e.fired) {
      min_unfired = std::min(min_unfired, e.end);
    }
  }
  std::sort(fire.begin(), fire.end(), [](const Fire& a, const Fire& b) {
    return a.end != b.end ? a.end < b.end : a.key < b.key;
  });
  for (const Fire& f : fire) {
    WindowTable::Entry& e = *f.e;
    layout_.Emit(e.key, Window{e.start, e.end}, e.block, out);
    if (kinds) kinds->push_back(e.fired ? RowKind::kUpdateAfter : RowKind::kInsert);
    e.fired = 1;
    e.dirty = 0;
  }
  st.any_dirty_ = false;
  st.min_unfired_end_ = min_unfired;
  int64_t min_fired = INT64_MAX;
  // Purge windows past their allowed lateness.
  for (auto& e : st.table_.slots()) {
    if (e.block == nullptr || !e.fired) continue;
    if (IsWindowExpired(e.end, allowed_lateness_, watermark)) {
      layout_.Destroy(e.block);
      st.arena_.Free(e.block);
      st.table_.Erase(&e);
    } else {
      min_fired = std::min(min_fired, e.end);
    }
  }
  st.min_fired_end_ = min_fired;
}

void WindowAggregateOperator::Snapshot(const WindowAggregateState& st, std::string& out) const {
  PutWindowSnapshotHeader(out, {static_cast<uint32_t>(layout_.size()), st.watermark_,
                                st.late_records_, st.table_.size()});
  for (const auto& e : st.table_.slots()) {
    if (e.block == nullptr) continue;
    PutWindowSnapshotEntry(out, {e.key, e.start, e.end, e.fired != 0, e.dirty != 0});
    layout_.Serialize(e.block, out);
  }
}

Status WindowAggregateOperator::Restore(WindowAggregateState& st, std::string_view in) const {
  constexpr const char* kWhat = "window state";
  WindowSnapshotHeader h;
  FG_RETURN_IF_ERROR(GetWindowSnapshotHeader(in, kWhat, static_cast<uint32_t>(layout_.size()), &h));
  st.Clear();
  st.watermark_ = h.watermark;
  st.late_records_ = h.late_records;
  st.min_unfired_end_ = INT64_MAX;
  st.min_fired_end_ = INT64_MAX;
  st.any_dirty_ = false;
  for (uint64_t i = 0; i < h.windows; ++i) {
    WindowSnapshotEntry w;
    FG_RETURN_IF_ERROR(GetWindowSnapshotEntry(in, kWhat, &w));
    bool inserted;
    WindowTable::Entry* e = st.table_.FindOrInsert(w.key, w.start, w.end, &inserted);
    if (!inserted) return Status::Corruption("window state checkpoint repeats a window");
    e->block = st.arena_.Allocate();
    layout_.Init(e->block);
    e->fired = w.fired;
    e->dirty = w.dirty;
    if (e->fired) st.min_fired_end_ = std::min(st.min_fired_end_, w.end);
    st.any_dirty_ |= e->dirty;
    if (!e->fired) st.min_unfired_end_ = std::min(st.min_unfired_end_, w.end);
    FG_RETURN_IF_ERROR(layout_.Restore(in, e->block));
  }
  if (!in.empty()) return Status::Corruption("window state checkpoint has trailing bytes");
  return Status::Ok();
}

}  // namespace fluxgate::runtime
