#include "log/sparse_index.h"

#include <algorithm>

#include "log/crc32c.h"
#include "log/frame.h"

namespace fluxgate::log {
namespace {
constexpr uint32_t kIndexMagic = 0x58494746;  // "FGIX" little-endian
constexpr uint32_t kIndexVersion = 1;
constexpr size_t kHeaderBytes = 4 + 4 + 8 + 8 + 8 + 8 + 4;  // magic..count
constexpr size_t kEntryBytes = 24;
}  // namespace

uint64_t SparseIndex::PositionForOffset(ShardOffset offset, uint64_t fallback) const {
  auto it = std::upper_bound(entries_.begin(), entries_.end(), offset,
                             [](ShardOffset o, const IndexEntry& e) { return o < e.offset; });
  if (it == entries_.begin()) return fallback;
  return std::prev(it)->position;
}

uint64_t SparseIndex::PositionForTime(int64_t ts_ms, uint64_t fallback) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), ts_ms,
                             [](const IndexEntry& e, int64_t t) { return e.arrival_ms < t; });
  if (it == entries_.begin()) return fallback;
  return std::prev(it)->position;
}

std::string SparseIndex::Encode(const SegmentSummary& s) const {
  std::string out(kHeaderBytes + entries_.size() * kEntryBytes + 4, '\0');
  char* p = out.data();
  PutU32(p, kIndexMagic);
  PutU32(p + 4, kIndexVersion);
  PutU64(p + 8, s.base_offset);
  PutU64(p + 16, s.end_offset);
  PutU64(p + 24, s.size_bytes);
  PutU64(p + 32, static_cast<uint64_t>(s.max_arrival_ms));
  PutU32(p + 40, static_cast<uint32_t>(entries_.size()));
  p += kHeaderBytes;
  for (const IndexEntry& e : entries_) {
    PutU64(p, e.offset);
    PutU64(p + 8, static_cast<uint64_t>(e.arrival_ms));
    PutU64(p + 16, e.position);
    p += kEntryBytes;
  }
  PutU32(p, Crc32c(out.data(), out.size() - 4));
  return out;
}

Status SparseIndex::Decode(std::string_view b, SegmentSummary* s, SparseIndex* index) {
  if (b.size() < kHeaderBytes + 4) return Status::Corruption("index too short");
  const char* p = b.data();
  if (GetU32(p + b.size() - 4) != Crc32c(p, b.size() - 4)) {
    return Status::Corruption("index checksum mismatch");
  }
  if (GetU32(p) != kIndexMagic || GetU32(p + 4) != kIndexVersion) {
    return Status::Corruption("index magic/version mismatch");
  }
  const uint32_t count = GetU32(p + 40);
  if (b.size() != kHeaderBytes + size_t{count} * kEntryBytes + 4) {
    return Status::Corruption("index length mismatch");
  }
  s->base_offset = GetU64(p + 8);
  s->end_offset = GetU64(p + 16);
  s->size_bytes = GetU64(p + 24);
  s->max_arrival_ms = static_cast<int64_t>(GetU64(p + 32));
  index->entries_.clear();
  index->entries_.reserve(count);
  p += kHeaderBytes;
  for (uint32_t i = 0; i < count; ++i, p += kEntryBytes) {
    IndexEntry e{GetU64(p), static_cast<int64_t>(GetU64(p + 8)), GetU64(p + 16)};
    if (!index->entries_.empty() && e.offset <= index->entries_.back().offset) {
      return Status::Corruption("index entries out of order");
    }
    index->entries_.push_back(e);
  }
  return Status::Ok();
}

}  // namespace fluxgate::log
