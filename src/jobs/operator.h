// The physical operators a job's plan compiles to. Each instance belongs to one parallel
// task (a stage partition) and is driven by that task's thread only; the definition-level
// parts they share (compiled schemas, aggregate definitions) are immutable.
//
// An operator receives chunks on numbered input ports, and once per step the watermark of
// the sources that feed it; it hands its results to its Output, which forwards them to
// the next operators of the same task or into an exchange towards the next stage.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "jobs/chunk.h"

namespace fluxgate::jobs {

class Output {
 public:
  virtual ~Output() = default;
  virtual Status Emit(Chunk chunk) = 0;
};

// Counters an operator instance reports (summed over instances in JobStatus).
struct OperatorCounters {
  uint64_t late_records = 0;
  uint64_t records_out = 0;  // sinks: rows written
};

class Operator {
 public:
  virtual ~Operator() = default;
  void set_output(Output* output) { output_ = output; }  // not owned; outlives the operator

  virtual Status Push(int port, Chunk chunk) = 0;
  // Called once per step after all input of the step, with the watermark of the sources
  // that feed this operator (INT64_MIN while unknown). Monotonic.
  virtual Status OnWatermark(int64_t /*watermark*/) { return Status::Ok(); }
  // Wall-clock tick (rolling files by time, processing-time behaviour).
  virtual Status OnTime(int64_t /*now_ms*/) { return Status::Ok(); }

  // Checkpointing: state captured between steps, when nothing is in flight.
  virtual Status Snapshot(uint64_t /*checkpoint_id*/, std::string& /*out*/) { return Status::Ok(); }
  virtual Status Restore(std::string_view /*in*/) { return Status::Ok(); }
  // Two-phase commit for sinks: PrepareCommit is part of Snapshot's step; Commit runs once
  // the checkpoint holding that snapshot is durable.
  virtual Status Commit(uint64_t /*checkpoint_id*/) { return Status::Ok(); }
  // A graceful stop, before the final checkpoint: file sinks close their open files so
  // that checkpoint publishes them.
  virtual Status OnStop() { return Status::Ok(); }
  // A fresh start with no checkpoint: sinks discard what an earlier run left staged.
  virtual Status StartFresh() { return Status::Ok(); }
  virtual Status Close() { return Status::Ok(); }

  virtual size_t MemoryUsage() const { return 0; }
  const OperatorCounters& counters() const { return counters_; }

 protected:
  Status Emit(Chunk chunk) { return output_ ? output_->Emit(std::move(chunk)) : Status::Ok(); }
  Output* output_ = nullptr;
  OperatorCounters counters_;
};

}  // namespace fluxgate::jobs
