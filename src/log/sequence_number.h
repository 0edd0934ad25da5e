// Kinesis sequence numbers <-> (shard, offset, time).
//
// Layout (the one Kinesis emulators use, so tools that decode them keep working): the
// decimal value of the hex string
//   '2' + shard_create_secs(9 hex) + (shard_index & 0xf)(1 hex) + offset(16 hex) + '00'
//   + record_secs(9 hex) + shard_index(8 hex) + '2'
// Numbers are strictly increasing with the offset within a shard, unique per stream,
// and derivable from stored data, so they are stable across restarts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "log/types.h"

namespace fluxgate::log {

struct SequenceParts {
  int64_t shard_create_secs = 0;
  uint32_t shard_index = 0;
  ShardOffset offset = 0;
  int64_t record_secs = 0;
};

std::string EncodeSequenceNumber(const SequenceParts& parts);
// Appends the encoding to `out` without allocating when out has capacity (hot path).
void AppendSequenceNumber(const SequenceParts& parts, std::string& out);
// nullopt for anything that is not a sequence number in this layout.
std::optional<SequenceParts> DecodeSequenceNumber(std::string_view decimal);

}  // namespace fluxgate::log
