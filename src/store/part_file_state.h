// The checkpointed state of one PartFileWriter, and its binary codec. Format:
// docs/formats/store.md. The checkpoint file around it carries the CRC; Decode still
// checks magic, version and every length, and fails with Corruption on any mismatch.
// Thread-safety: plain data and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/object_store.h"

namespace fluxgate::store {

struct PartFileWriterState {
  static constexpr uint32_t kVersion = 1;

  uint64_t checkpoint_id = 0;
  std::string uuid;
  uint32_t task = 0;
  std::string suffix;
  uint64_t next_counter = 0;

  struct InProgress {
    std::string partition;
    uint64_t counter = 0;
    int64_t opened_at_ms = 0;
    StagedObject handle;  // handle.length: the durable, valid length
  };
  std::vector<InProgress> in_progress;

  struct Pending {
    uint64_t checkpoint_id = 0;  // the checkpoint that first covered it
    std::string partition;
    uint64_t counter = 0;
    StagedObject handle;
  };
  std::vector<Pending> pending;
};

std::string EncodePartFileWriterState(const PartFileWriterState& state);
Result<PartFileWriterState> DecodePartFileWriterState(std::string_view bytes);

}  // namespace fluxgate::store
