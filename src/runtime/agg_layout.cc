#include "runtime/agg_layout.h"

#include "runtime/timestamp_text.h"

namespace fluxgate::runtime {

const char* RowKindText(RowKind kind) {
  switch (kind) {
    case RowKind::kInsert:
      return "+I";
    case RowKind::kUpdateAfter:
      return "+U";
    case RowKind::kUpdateBefore:
      return "-U";
    case RowKind::kDelete:
      return "-D";
  }
  return "?";
}

std::string LateRecord::Reason() const {
  return "late record: event time " + FormatTimestampMillis(event_time) + " belongs to window [" +
         FormatTimestampMillis(window.start) + ", " + FormatTimestampMillis(window.end) +
         ") which closed at watermark " + FormatTimestampMillis(watermark) + " (allowed lateness " +
         std::to_string(allowed_lateness) + " ms)";
}

AggregateLayout::AggregateLayout(std::vector<std::unique_ptr<AggregateFunction>> aggregates,
                                 std::vector<std::string> names)
    : aggs_(std::move(aggregates)) {
  size_t off = 0;
  std::vector<Field> fields = {
      {"key_id", sql::DataType{sql::TypeKind::kBigInt, 0, 0, false}},
      {"window_start", sql::DataType{sql::TypeKind::kTimestamp, 3, 0, false}},
      {"window_end", sql::DataType{sql::TypeKind::kTimestamp, 3, 0, false}}};
  for (size_t i = 0; i < aggs_.size(); ++i) {
    size_t a = aggs_[i]->state_align();
    off = (off + a - 1) / a * a;
    offsets_.push_back(off);
    off += aggs_[i]->state_size();
    fields.push_back({i < names.size() ? names[i] : aggs_[i]->Name(), aggs_[i]->result_type()});
  }
  block_size_ = off == 0 ? 16 : (off + 15) / 16 * 16;
  output_schema_ = std::make_shared<Schema>(std::move(fields));
}

void AggregateLayout::Init(std::byte* block) const {
  for (size_t i = 0; i < aggs_.size(); ++i) aggs_[i]->Init(block + offsets_[i]);
}

void AggregateLayout::Destroy(std::byte* block) const {
  for (size_t i = 0; i < aggs_.size(); ++i) aggs_[i]->Destroy(block + offsets_[i]);
}

void AggregateLayout::Merge(std::byte* dst, const std::byte* src) const {
  for (size_t i = 0; i < aggs_.size(); ++i) aggs_[i]->Merge(dst + offsets_[i], src + offsets_[i]);
}

size_t AggregateLayout::MemoryUsage(const std::byte* block) const {
  size_t n = block_size_;
  for (size_t i = 0; i < aggs_.size(); ++i) {
    n += aggs_[i]->MemoryUsage(block + offsets_[i]) - aggs_[i]->state_size();
  }
  return n;
}

void AggregateLayout::Emit(uint32_t key, Window w, const std::byte* block,
                           RecordBatchBuilder& out) const {
  out.column(0).AppendInt64(key);
  out.column(1).AppendInt64(w.start);
  out.column(2).AppendInt64(w.end);
  for (size_t i = 0; i < aggs_.size(); ++i) {
    aggs_[i]->Finalize(block + offsets_[i], out.column(3 + i));
  }
  out.CommitRow();
}

void AggregateLayout::Serialize(const std::byte* block, std::string& out) const {
  for (size_t i = 0; i < aggs_.size(); ++i) aggs_[i]->Serialize(block + offsets_[i], out);
}

Status AggregateLayout::Restore(std::string_view& in, std::byte* block) const {
  for (size_t i = 0; i < aggs_.size(); ++i) {
    FG_RETURN_IF_ERROR(aggs_[i]->Restore(in, block + offsets_[i]));
  }
  return Status::Ok();
}

}  // namespace fluxgate::runtime
