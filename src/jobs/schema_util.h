// Conversions between the planner's schemas (sql::Schema) and the runtime's, and the
// window assigners a plan's WindowDef describes.
#pragma once

#include <memory>

#include "runtime/schema.h"
#include "runtime/window_aggregate.h"
#include "sql/logical_plan.h"

namespace fluxgate::jobs {

std::shared_ptr<const runtime::Schema> ToRuntimeSchema(const sql::Schema& schema);

// TUMBLE / HOP / CUMULATE (not SESSION) as a runtime assigner.
runtime::WindowAssigner MakeAssigner(const sql::WindowDef& window);

}  // namespace fluxgate::jobs
