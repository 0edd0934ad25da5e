// The process_* metrics every Prometheus client exposes, read from /proc/self at scrape
// time: process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds,
// process_start_time_seconds. Linux only; a file that cannot be read leaves its metric out.
//
// Thread-safety: may be called from any thread.
#pragma once

#include "metrics/registry.h"

namespace fluxgate::metrics {

void CollectProcessMetrics(FamilySink& out);

}  // namespace fluxgate::metrics
