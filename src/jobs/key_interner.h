// Keys of keyed operators (GROUP BY / PARTITION BY tuples) as dense uint32 ids.
//
// A key tuple is encoded into bytes (a null flag per column, then fixed-width numbers or
// length-prefixed strings); the encoding's hash also picks the stage partition a row goes
// to, so producer and consumer agree on it. The interner owns one partition's keys: it
// hands out ids in first-seen order and can append a key's values back to output
// columns. Ids are never reused (state keyed by id may outlive a quiet key), so its memory
// grows with the number of distinct keys; it is counted in the job's state bytes.
// Single-threaded (one per task).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "jobs/chunk.h"
#include "runtime/column.h"

namespace fluxgate::jobs {

// Appends the encoding of row `row` of `keys` to `out`.
void EncodeKey(const std::vector<const runtime::Column*>& keys, size_t row, std::string& out);
uint64_t HashKey(std::string_view encoded);
// Appends the values EncodeKey wrote (one per column of `out`) to out[0..]; returns the
// bytes consumed. The encoding doubles as a row codec for operator checkpoints.
size_t DecodeKey(std::string_view encoded, const std::vector<runtime::Column*>& out);

class KeyInterner {
 public:
  explicit KeyInterner(std::vector<sql::DataType> types) : types_(std::move(types)) {}

  // ids[r] := the id of row r's key, for r in [0, n).
  void Intern(const std::vector<const runtime::Column*>& keys, size_t n,
              std::vector<uint32_t>* ids);
  // The same for keys an exchange already encoded and hashed.
  void InternEncoded(const EncodedKeys& keys, std::vector<uint32_t>* ids);
  // Appends key `id`'s values, one per key column, to out[0..].
  void AppendKey(uint32_t id, const std::vector<runtime::Column*>& out) const;
  size_t size() const { return keys_.size(); }
  size_t MemoryUsage() const {
    return bytes_ + keys_.size() * sizeof(std::string) + slots_.size() * sizeof(Slot);
  }

  void Snapshot(std::string& out) const;
  Status Restore(std::string_view in);

  // For keyed operators, whose runtime operators emit a BIGINT key-id column: the key
  // columns (types as given at construction) of those rows.
  std::vector<runtime::Column> KeyColumns(const runtime::Column& key_ids) const;
  // A keyed operator's checkpoint: these keys, then the operator's own state bytes.
  void SnapshotWith(std::string_view operator_state, std::string& out) const;
  // Restores the keys and returns the operator's state bytes (a view into `in`).
  Result<std::string_view> RestoreWith(std::string_view in);

 private:
  // Open addressing with linear probing over (hash, id): one cache line per probe instead
  // of a node walk; the key bytes are compared only when the full hash matches.
  struct Slot {
    uint64_t hash = 0;
    uint32_t id = kEmpty;
  };
  static constexpr uint32_t kEmpty = UINT32_MAX;
  uint32_t FindOrAdd(std::string_view key, uint64_t hash);
  void Grow();

  std::vector<sql::DataType> types_;
  std::vector<std::string> keys_;  // by id
  std::vector<uint64_t> hashes_;   // by id
  std::vector<Slot> slots_;        // size a power of two, at most half full
  size_t bytes_ = 0;
  std::string scratch_;
};

}  // namespace fluxgate::jobs
