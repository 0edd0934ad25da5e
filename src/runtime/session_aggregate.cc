#include "runtime/session_aggregate.h"

#include <algorithm>

#include "runtime/agg_common.h"
#include "runtime/window_snapshot.h"

namespace fluxgate::runtime {
namespace {
constexpr size_t kChunk = 1024;
}  // namespace

Result<std::unique_ptr<SessionAggregateOperator>> SessionAggregateOperator::Make(
    int64_t gap_ms, std::vector<std::unique_ptr<AggregateFunction>> aggregates,
    int64_t allowed_lateness_ms, std::vector<std::string> output_names) {
  if (gap_ms <= 0) return Status::InvalidArgument("SESSION gap must be positive");
  if (allowed_lateness_ms < 0) return Status::InvalidArgument("allowed lateness must be >= 0");
  return std::unique_ptr<SessionAggregateOperator>(new SessionAggregateOperator(
      gap_ms, std::move(aggregates), allowed_lateness_ms, std::move(output_names)));
}

std::unique_ptr<SessionAggregateState> SessionAggregateOperator::NewState() const {
  return std::unique_ptr<SessionAggregateState>(new SessionAggregateState(this));
}

SessionAggregateState::~SessionAggregateState() { Clear(); }

void SessionAggregateState::Clear() {
  for (auto& sessions : by_key_) {
    for (Session& s : sessions) {
      op_->layout_.Destroy(s.block);
      arena_.Free(s.block);
    }
    sessions.clear();
  }
}

size_t SessionAggregateState::open_sessions() const {
  size_t n = 0;
  for (const auto& s : by_key_) n += s.size();
  return n;
}

size_t SessionAggregateState::MemoryUsage() const {
  size_t n = arena_.MemoryUsage() + by_key_.capacity() * sizeof(by_key_[0]);
  for (const auto& sessions : by_key_) {
    n += sessions.capacity() * sizeof(Session);
    for (const Session& s : sessions) {
      n += op_->layout_.MemoryUsage(s.block) - op_->layout_.block_size();
    }
  }
  return n;
}

void SessionAggregateOperator::Flush(SessionAggregateState& st, const WindowAggInput& in) const {
  if (st.groups_.empty()) return;
  for (size_t a = 0; a < layout_.size(); ++a) {
    layout_.agg(a).Update(st.groups_.data(), layout_.offset(a), in.args[a], st.rows_.data(),
                          st.groups_.size());
  }
  st.groups_.clear();
  st.rows_.clear();
}

void SessionAggregateOperator::ProcessBatch(SessionAggregateState& st, const WindowAggInput& in,
                                            std::vector<LateRecord>* late) const {
  using Session = SessionAggregateState::Session;
  const int64_t wm = st.watermark_;
  for (size_t r = 0; r < in.num_rows; ++r) {
    if (in.event_time_validity && ((in.event_time_validity[r >> 6] >> (r & 63)) & 1) == 0) {
      continue;
    }
    const int64_t ts = in.event_time[r];
    const uint32_t key = in.key_ids[r];
    if (key >= st.by_key_.size()) st.by_key_.resize(key + 1);
    std::vector<Session>& sessions = st.by_key_[key];
    Session w{ts, ts + gap_, nullptr, false, false};
    // Sessions intersecting [ts, ts + gap], touching included; sorted by start and
    // disjoint, so they are contiguous.
    size_t first = 0;
    while (first < sessions.size() && sessions[first].end < w.start) ++first;
    size_t last = first;
    while (last < sessions.size() && sessions[last].start <= w.end) ++last;
    if (first == last) {
      if (IsWindowExpired(w.end, allowed_lateness_, wm)) {
        ++st.late_records_;
        if (late) {
          late->push_back(LateRecord{static_cast<uint32_t>(r), key, ts, Window{w.start, w.end}, wm,
                                     allowed_lateness_});
        }
        continue;
      }
      w.block = st.arena_.Allocate();
      layout_.Init(w.block);
      sessions.insert(sessions.begin() + static_cast<ptrdiff_t>(first), w);
      st.min_unfired_end_ = std::min(st.min_unfired_end_, w.end);
    } else {
      Session& s = sessions[first];
      if (last - first > 1) {
        // Merging frees blocks that pending updates may point at: apply those first.
        Flush(st, in);
        for (size_t j = first + 1; j < last; ++j) {
          layout_.Merge(s.block, sessions[j].block);
          layout_.Destroy(sessions[j].block);
          st.arena_.Free(sessions[j].block);
          s.end = std::max(s.end, sessions[j].end);
          s.fired |= sessions[j].fired;
        }
        sessions.erase(sessions.begin() + static_cast<ptrdiff_t>(first + 1),
                       sessions.begin() + static_cast<ptrdiff_t>(last));
      }
      s.start = std::min(s.start, w.start);
      s.end = std::max(s.end, w.end);
      if (s.fired) {
        s.dirty = true;
        st.any_dirty_ = true;
      }
    }
    st.groups_.push_back(sessions[first].block);
    st.rows_.push_back(static_cast<uint32_t>(r));
    if (st.groups_.size() >= kChunk) Flush(st, in);
  }
  Flush(st, in);
}

void SessionAggregateOperator::OnWatermark(SessionAggregateState& st, int64_t watermark,
                                           RecordBatchBuilder& out,
                                           std::vector<RowKind>* kinds) const {
  using Session = SessionAggregateState::Session;
  if (watermark <= st.watermark_) return;
  st.watermark_ = watermark;
  if (!IsWindowFired(st.min_unfired_end_, watermark) && !st.any_dirty_ &&
      !IsWindowExpired(st.min_fired_end_, allowed_lateness_, watermark)) {
    return;
  }
  struct Fire {
    int64_t end;
    uint32_t key;
    size_t index;
  };
  std::vector<Fire> fire;
  int64_t min_unfired = INT64_MAX;
  for (uint32_t key = 0; key < st.by_key_.size(); ++key) {
    std::vector<Session>& sessions = st.by_key_[key];
    for (size_t i = 0; i < sessions.size(); ++i) {
      const Session& s = sessions[i];
      if (!s.fired ? IsWindowFired(s.end, watermark) : s.dirty) {
        fire.push_back({s.end, key, i});
      } else if (!s.fired) {
        min_unfired = std::min(min_unfired, s.end);
      }
    }
  }
  std::sort(fire.begin(), fire.end(), [](const Fire& a, const Fire& b) {
    return a.end != b.end ? a.end < b.end : a.key < b.key;
  });
  for (const Fire& f : fire) {
    Session& s = st.by_key_[f.key][f.index];
    layout_.Emit(f.key, Window{s.start, s.end}, s.block, out);
    if (kinds) kinds->push_back(s.fired ? RowKind::kUpdateAfter : RowKind::kInsert);
    s.fired = true;
    s.dirty = false;
  }
  st.any_dirty_ = false;
  st.min_unfired_end_ = min_unfired;
  int64_t min_fired = INT64_MAX;
  for (auto& sessions : st.by_key_) {
    auto keep = std::remove_if(sessions.begin(), sessions.end(), [&](const Session& s) {
      if (!s.fired) return false;
      if (!IsWindowExpired(s.end, allowed_lateness_, watermark)) {
        min_fired = std::min(min_fired, s.end);
        return false;
      }
      layout_.Destroy(s.block);
      st.arena_.Free(s.block);
      return true;
    });
    sessions.erase(keep, sessions.end());
  }
  st.min_fired_end_ = min_fired;
}

void SessionAggregateOperator::Snapshot(const SessionAggregateState& st, std::string& out) const {
  PutWindowSnapshotHeader(out, {static_cast<uint32_t>(layout_.size()), st.watermark_,
                                st.late_records_, st.open_sessions()});
  for (uint32_t key = 0; key < st.by_key_.size(); ++key) {
    for (const auto& s : st.by_key_[key]) {
      PutWindowSnapshotEntry(out, {key, s.start, s.end, s.fired, s.dirty});
      layout_.Serialize(s.block, out);
    }
  }
}

Status SessionAggregateOperator::Restore(SessionAggregateState& st, std::string_view in) const {
  constexpr const char* kWhat = "session state";
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
    SessionAggregateState::Session s{};
    s.start = w.start;
    s.end = w.end;
    s.fired = w.fired;
    s.dirty = w.dirty;
    if (s.fired) st.min_fired_end_ = std::min(st.min_fired_end_, s.end);
    s.block = st.arena_.Allocate();
    layout_.Init(s.block);
    if (w.key >= st.by_key_.size()) st.by_key_.resize(w.key + 1);
    st.by_key_[w.key].push_back(s);  // snapshot order is start order per key
    st.any_dirty_ |= s.dirty;
    if (!s.fired) st.min_unfired_end_ = std::min(st.min_unfired_end_, s.end);
    FG_RETURN_IF_ERROR(layout_.Restore(in, s.block));
  }
  if (!in.empty()) return Status::Corruption("session state checkpoint has trailing bytes");
  return Status::Ok();
}

}  // namespace fluxgate::runtime
