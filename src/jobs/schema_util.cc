#include "jobs/schema_util.h"

namespace fluxgate::jobs {

std::shared_ptr<const runtime::Schema> ToRuntimeSchema(const sql::Schema& schema) {
  std::vector<runtime::Field> fields;
  fields.reserve(schema.size());
  for (const auto& c : schema) fields.push_back({c.name, c.type});
  return std::make_shared<const runtime::Schema>(std::move(fields));
}

runtime::WindowAssigner MakeAssigner(const sql::WindowDef& w) {
  switch (w.kind) {
    case sql::WindowKind::kHop:
      return runtime::HoppingAssigner{w.slide_ms, w.size_ms, w.offset_ms};
    case sql::WindowKind::kCumulate:
      return runtime::CumulatingAssigner{w.step_ms, w.size_ms, w.offset_ms};
    default:
      return runtime::TumblingAssigner{w.size_ms, w.offset_ms};
  }
}

}  // namespace fluxgate::jobs
