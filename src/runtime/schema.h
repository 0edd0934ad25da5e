// Schema: the ordered, named, typed columns of a RecordBatch.
//
// Immutable once built and shared by every batch, decoder and operator of one table
// (they hold it through std::shared_ptr<const Schema>), so it is safe to read from any
// thread. Field names are matched case-sensitively, as Flink SQL does.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/types.h"

namespace fluxgate::runtime {

struct Field {
  std::string name;
  sql::DataType type;
};

class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<Field> fields) : fields_(std::move(fields)) {}

  size_t size() const { return fields_.size(); }
  const Field& field(size_t i) const { return fields_[i]; }
  const std::vector<Field>& fields() const { return fields_; }
  // Index of the field named exactly `name`, if any.
  std::optional<size_t> Find(std::string_view name) const;
  // "(device_id STRING, ts TIMESTAMP(3))"
  std::string ToString() const;

 private:
  std::vector<Field> fields_;
};

}  // namespace fluxgate::runtime
