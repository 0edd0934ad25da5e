// Fuzzes the log's recovery path: Segment::ScanAndRepair over arbitrary segment file bytes
// (what a crash, a torn write or a flipped bit leaves behind), frame decoding, and the
// .idx codec with LoadIndex, all on an in-memory Env.
//
// Each input is tried twice: as it is, and with every frame's CRC (and the index's
// trailing CRC) recomputed, so that mutations of lengths, offsets and key lengths get past
// the checksum instead of all ending as "checksum mismatch". The segment's base offset is
// taken from the input's header, so a valid header always matches the file name.
//
// Invariants: no crash or sanitizer report; after a repair the file is exactly `size`
// bytes of header plus frames that decode back to back with offsets base, base+1, ...;
// the records and end offset agree; a second scan finds nothing to repair and the same
// state; index entries are ordered and point at frame starts; an index the segment wrote
// loads back.
#include <set>
#include <string>

#include "fuzz_util.h"
#include "log/crc32c.h"
#include "log/frame.h"
#include "log/segment.h"
#include "log/sparse_index.h"
#include "mem_env.h"

namespace fluxgate::log {
namespace {

constexpr char kDir[] = "/fuzz/shard-0";

// Rewrites each frame's CRC, following the declared lengths while they stay in bounds.
std::string FixFrameCrcs(std::string bytes) {
  size_t pos = kSegmentHeaderBytes;
  while (pos + kFrameHeaderBytes <= bytes.size()) {
    const uint32_t payload = GetU32(bytes.data() + pos + 4);
    if (payload > bytes.size() - pos - kFrameHeaderBytes) break;
    PutU32(bytes.data() + pos, Crc32c(bytes.data() + pos + 4, 4 + payload));
    pos += kFrameHeaderBytes + payload;
  }
  return bytes;
}

void ScanSegment(const std::string& bytes) {
  const ShardOffset base =
      bytes.size() >= kSegmentHeaderBytes ? GetU64(bytes.data() + 8) : ShardOffset{0};
  fuzz::MemEnv env;
  const std::string path = Segment::SegmentPath(kDir, base);
  env.Put(path, bytes);
  auto seg = Segment::OpenExisting(&env, kDir, base);
  FUZZ_CHECK(seg.ok());
  ScanStats stats;
  const Status st = (*seg)->ScanAndRepair(/*index_interval_bytes=*/64, &stats);
  FUZZ_CHECK(st.ok());  // the in-memory env never fails, so neither may the scan

  const std::string& after = *env.Get(path);
  Segment& s = **seg;
  FUZZ_CHECK(s.size == after.size());
  FUZZ_CHECK(s.size >= kSegmentHeaderBytes);
  FUZZ_CHECK(s.end_offset - base == stats.records);
  if (stats.bytes_truncated == 0) {
    // Nothing cut off; only an empty file gets a fresh header.
    FUZZ_CHECK(after == bytes || bytes.empty());
  } else {
    FUZZ_CHECK(!stats.reason.empty());
    FUZZ_CHECK(stats.bad_position <= bytes.size());
  }

  // The repaired file is header + frames, back to back, offsets dense from base.
  std::set<uint64_t> frame_starts;
  uint64_t pos = kSegmentHeaderBytes;
  ShardOffset next = base;
  int64_t max_arrival = 0;
  while (pos < after.size()) {
    FrameView f;
    FUZZ_CHECK(DecodeFrame(after.data() + pos, after.size() - pos, &f) == FrameStatus::kOk);
    FUZZ_CHECK(f.offset == next);
    frame_starts.insert(pos);
    if (f.arrival_ms > max_arrival) max_arrival = f.arrival_ms;
    ++next;
    pos += f.frame_bytes;
  }
  FUZZ_CHECK(pos == after.size());
  FUZZ_CHECK(next == s.end_offset);
  FUZZ_CHECK(max_arrival == s.max_arrival_ms);
  const auto& entries = s.index.entries();
  for (size_t i = 0; i < entries.size(); ++i) {
    FUZZ_CHECK(frame_starts.count(entries[i].position) == 1);
    if (i > 0) FUZZ_CHECK(entries[i].offset > entries[i - 1].offset);
  }

  // Recovery is idempotent.
  const ShardOffset end = s.end_offset;
  const auto entry_count = entries.size();
  ScanStats again;
  FUZZ_CHECK(s.ScanAndRepair(64, &again).ok());
  FUZZ_CHECK(again.bytes_truncated == 0);
  FUZZ_CHECK(again.records == stats.records);
  FUZZ_CHECK(s.end_offset == end && s.index.entries().size() == entry_count);

  // The index it writes loads back onto the same segment.
  FUZZ_CHECK(s.WriteIndex(&env).ok());
  auto reopened = Segment::OpenExisting(&env, kDir, base);
  FUZZ_CHECK(reopened.ok());
  const Status loaded = (*reopened)->LoadIndex(&env);
  FUZZ_CHECK(loaded.ok());
  FUZZ_CHECK((*reopened)->end_offset == end && (*reopened)->size == s.size);
}

void DecodeIndex(std::string bytes, bool fix_crc) {
  if (fix_crc && bytes.size() >= 4)
    PutU32(bytes.data() + bytes.size() - 4, Crc32c(bytes.data(), bytes.size() - 4));
  SegmentSummary summary;
  SparseIndex index;
  if (!SparseIndex::Decode(bytes, &summary, &index).ok()) return;
  FUZZ_CHECK(index.Encode(summary) == bytes);
  (void)index.PositionForOffset(summary.base_offset, 0);
  (void)index.PositionForTime(summary.max_arrival_ms, 0);
}

}  // namespace
}  // namespace fluxgate::log

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fluxgate::log;
  if (size > (1 << 20)) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  ScanSegment(bytes);
  const std::string fixed = FixFrameCrcs(bytes);
  if (fixed != bytes) ScanSegment(fixed);
  DecodeIndex(bytes, false);
  DecodeIndex(bytes, true);
  return 0;
}
