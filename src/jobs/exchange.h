// Outputs that connect a job's operators: DirectOutput (same task), FanOut (one result
// to several consumers) and ExchangeOutput (into a later stage, routed by key hash or
// forwarded to the same partition). Exchange buffers are written by producer partition
// `src` during one phase and drained by consumer partition `dest` in a later phase, so
// each slot has one writer and one reader, never at the same time: no locks needed.
#pragma once

#include <memory>
#include <vector>

#include "jobs/aggregate_calls.h"
#include "jobs/operator.h"

namespace fluxgate::jobs {

struct ExchangeBuffer {
  int consumer = -1;  // node id
  int port = 0;
  // chunks[dest][src]
  std::vector<std::vector<std::vector<Chunk>>> chunks;
};

class DirectOutput final : public Output {
 public:
  DirectOutput(Operator* op, int port) : op_(op), port_(port) {}
  Status Emit(Chunk chunk) override { return op_->Push(port_, std::move(chunk)); }

 private:
  Operator* op_;
  int port_;
};

class FanOut final : public Output {
 public:
  void Add(Output* target) { targets_.push_back(target); }
  bool empty() const { return targets_.empty(); }
  Status Emit(Chunk chunk) override;

 private:
  std::vector<Output*> targets_;  // not owned
};

class ExchangeOutput final : public Output {
 public:
  // `keys`: evaluated per batch to route rows; nullptr for a forward exchange.
  ExchangeOutput(ExchangeBuffer* buffer, int src, std::unique_ptr<CompiledKeys> keys)
      : buffer_(buffer), src_(src), keys_(std::move(keys)) {}
  Status Emit(Chunk chunk) override;

 private:
  ExchangeBuffer* buffer_;
  int src_;
  std::unique_ptr<CompiledKeys> keys_;
  std::vector<std::vector<uint32_t>> selections_;
  std::string scratch_;
};

}  // namespace fluxgate::jobs
