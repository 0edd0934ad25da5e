// AggregateLayout: several aggregates' states packed into one block per group.
//
// Immutable; shared by window operators. Offsets respect each state's alignment; the
// block size is what StateArena hands out. Also owns the output schema of a window
// aggregation: key_id BIGINT, window_start TIMESTAMP(3), window_end TIMESTAMP(3), then one
// column per aggregate (the planner joins the key columns back by key id and computes
// window_time = window_end - 1 ms).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/aggregate.h"
#include "runtime/record_batch.h"
#include "runtime/window.h"

namespace fluxgate::runtime {

// How an emitted window row relates to earlier output for the same key and window.
enum class RowKind : uint8_t {
  kInsert,        // first (normally only) result of the window
  kUpdateAfter,   // re-fired within allowed lateness: replaces the earlier row
  kUpdateBefore,  // an updating result's previous row, retracted (non-windowed GROUP BY)
  kDelete,
};
// Flink's changelog notation: "+I", "+U", "-U", "-D".
const char* RowKindText(RowKind kind);

// A record that arrived after its window(s) closed for good. Kept small; the reason text
// is built only when asked for (late data is reported, never silently dropped).
struct LateRecord {
  uint32_t row;        // index in the input batch
  uint32_t key;        // key id
  int64_t event_time;  // epoch ms
  Window window;       // the (latest) window it belonged to
  int64_t watermark;   // operator watermark when it arrived
  int64_t allowed_lateness;
  std::string Reason() const;
};

class AggregateLayout {
 public:
  explicit AggregateLayout(std::vector<std::unique_ptr<AggregateFunction>> aggregates,
                           std::vector<std::string> names = {});

  size_t size() const { return aggs_.size(); }
  const AggregateFunction& agg(size_t i) const { return *aggs_[i]; }
  size_t offset(size_t i) const { return offsets_[i]; }
  size_t block_size() const { return block_size_; }
  const std::shared_ptr<const Schema>& output_schema() const { return output_schema_; }

  void Init(std::byte* block) const;
  void Destroy(std::byte* block) const;
  void Merge(std::byte* dst, const std::byte* src) const;
  size_t MemoryUsage(const std::byte* block) const;
  // Appends one output row: key id, window bounds, each aggregate's result.
  void Emit(uint32_t key, Window w, const std::byte* block, RecordBatchBuilder& out) const;
  void Serialize(const std::byte* block, std::string& out) const;
  Status Restore(std::string_view& in, std::byte* block) const;

 private:
  std::vector<std::unique_ptr<AggregateFunction>> aggs_;
  std::vector<size_t> offsets_;
  size_t block_size_ = 0;
  std::shared_ptr<const Schema> output_schema_;
};

}  // namespace fluxgate::runtime
