// CheckpointStore: a job's checkpoints under <job dir>/checkpoints/, one file each.
//
// A checkpoint is written whole and atomically (temp file, fsync, rename, fsync dir), so
// after a crash the directory holds only complete checkpoints; each ends with a CRC32C of
// its contents, so a damaged one is detected and skipped for the one before it. The
// newest `retain` checkpoints are kept. Format in docs/formats/checkpoint.md.
// Thread-safety: one job's driver thread uses it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace fluxgate::jobs {

struct CheckpointData {
  uint64_t id = 0;
  int64_t taken_at_ms = 0;
  std::string job;
  std::string fingerprint;  // the plan the state belongs to
  uint32_t parallelism = 0;
  // Per scan (by table name): shard -> next offset, and the watermark generator's state.
  struct Scan {
    std::map<uint32_t, uint64_t> offsets;
    std::string watermarks;
  };
  std::map<std::string, Scan> scans;
  // Operator state by "<node label>/<partition>".
  std::map<std::string, std::string> operators;
};

class CheckpointStore {
 public:
  explicit CheckpointStore(std::string dir, int retain = 3)
      : dir_(std::move(dir)), retain_(retain) {}

  // Writes checkpoint `data.id` durably and deletes the oldest beyond `retain`. Returns
  // the file's size.
  Result<uint64_t> Write(const CheckpointData& data);
  // The newest checkpoint that reads back intact; nullopt when there is none. Damaged
  // ones are logged and skipped.
  Result<std::optional<CheckpointData>> LoadLatest();
  const std::string& dir() const { return dir_; }

  static std::string Encode(const CheckpointData& data);
  static Result<CheckpointData> Decode(std::string_view bytes);

 private:
  std::vector<uint64_t> ListIds();
  std::string PathFor(uint64_t id) const;

  std::string dir_;
  int retain_;
};

}  // namespace fluxgate::jobs
