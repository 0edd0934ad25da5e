#include "log/segment.h"

#include <cstdio>
#include <limits>
#include <vector>

#include "log/frame.h"

namespace fluxgate::log {
namespace {
constexpr uint32_t kSegmentMagic = 0x47534746;  // "FGSG" little-endian
constexpr uint32_t kSegmentVersion = 1;

std::string Header(ShardOffset base) {
  std::string h(kSegmentHeaderBytes, '\0');
  PutU32(h.data(), kSegmentMagic);
  PutU32(h.data() + 4, kSegmentVersion);
  PutU64(h.data() + 8, base);
  return h;
}

std::string BaseName(const std::string& dir, ShardOffset base, const char* ext) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "/%020llu%s", static_cast<unsigned long long>(base), ext);
  return dir + buf;
}
}  // namespace

std::string Segment::SegmentPath(const std::string& dir, ShardOffset base) {
  return BaseName(dir, base, ".seg");
}
std::string Segment::IndexPath(const std::string& dir, ShardOffset base) {
  return BaseName(dir, base, ".idx");
}

bool Segment::ParseSegmentName(const std::string& name, ShardOffset* base) {
  if (name.size() != 24 || name.compare(20, 4, ".seg") != 0) return false;
  uint64_t v = 0;
  for (int i = 0; i < 20; ++i) {
    char c = name[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *base = v;
  return true;
}

Result<std::unique_ptr<Segment>> Segment::Create(Env* env, const std::string& dir,
                                                 ShardOffset base) {
  const std::string path = SegmentPath(dir, base);
  FG_ASSIGN_OR_RETURN(auto file, env->OpenFile(path, /*create=*/true));
  FG_RETURN_IF_ERROR(file->Truncate(0));  // a leftover from a failed attempt starts over
  FG_RETURN_IF_ERROR(file->Append(Header(base)));
  // The header reaches disk with the first commit's fdatasync; the directory entry must
  // be made durable here or a crash could lose the whole file.
  FG_RETURN_IF_ERROR(env->SyncDir(dir));
  return std::unique_ptr<Segment>(new Segment(dir, base, std::move(file)));
}

Result<std::unique_ptr<Segment>> Segment::OpenExisting(Env* env, const std::string& dir,
                                                       ShardOffset base) {
  FG_ASSIGN_OR_RETURN(auto file, env->OpenFile(SegmentPath(dir, base), /*create=*/false));
  return std::unique_ptr<Segment>(new Segment(dir, base, std::move(file)));
}

Status Segment::LoadIndex(Env* env) {
  std::string bytes;
  FG_RETURN_IF_ERROR(env->ReadFile(IndexPath(dir_, base_), &bytes));
  SegmentSummary s;
  SparseIndex idx;
  FG_RETURN_IF_ERROR(SparseIndex::Decode(bytes, &s, &idx));
  FG_ASSIGN_OR_RETURN(uint64_t file_size, file_->Size());
  if (s.base_offset != base_) return Status::Corruption("index is for another segment");
  if (s.size_bytes != file_size) {
    return Status::Corruption("index covers " + std::to_string(s.size_bytes) +
                              " bytes but the segment has " + std::to_string(file_size));
  }
  if (s.end_offset < base_) return Status::Corruption("index end offset before base");
  size = s.size_bytes;
  end_offset = s.end_offset;
  max_arrival_ms = s.max_arrival_ms;
  index = std::move(idx);
  return Status::Ok();
}

Status Segment::ScanAndRepair(uint32_t index_interval_bytes, ScanStats* stats) {
  *stats = ScanStats{};
  FG_ASSIGN_OR_RETURN(uint64_t file_size, file_->Size());
  index.Clear();
  end_offset = base_;
  max_arrival_ms = 0;

  auto truncate_at = [&](uint64_t pos, std::string why) -> Status {
    stats->bytes_truncated = file_size - pos;
    stats->bad_position = pos;
    stats->reason = std::move(why);
    if (pos < kSegmentHeaderBytes) {
      // Not even a valid header: start the file over as an empty segment.
      FG_RETURN_IF_ERROR(file_->Truncate(0));
      FG_RETURN_IF_ERROR(file_->Append(Header(base_)));
      pos = kSegmentHeaderBytes;
    } else {
      FG_RETURN_IF_ERROR(file_->Truncate(pos));
    }
    FG_RETURN_IF_ERROR(file_->Sync());
    size = pos;
    return Status::Ok();
  };

  char header[kSegmentHeaderBytes];
  size_t got = 0;
  FG_RETURN_IF_ERROR(file_->ReadAt(0, sizeof(header), header, &got));
  if (got < sizeof(header)) return truncate_at(0, "segment header is incomplete");
  if (GetU32(header) != kSegmentMagic || GetU32(header + 4) != kSegmentVersion ||
      GetU64(header + 8) != base_) {
    return truncate_at(0, "segment header is invalid");
  }

  std::vector<char> buf(1 << 20);
  uint64_t buf_pos = kSegmentHeaderBytes;  // file position of buf[0]
  size_t buf_len = 0;
  uint64_t pos = kSegmentHeaderBytes;  // next frame
  uint64_t last_index_pos = 0;
  bool first = true;
  while (pos < file_size) {
    size_t in_buf = static_cast<size_t>(buf_pos + buf_len - pos);
    FrameView f;
    FrameStatus st = DecodeFrame(buf.data() + (pos - buf_pos), in_buf, &f);
    if (st == FrameStatus::kIncomplete) {
      // Refill from `pos`, growing the buffer if one frame is larger than it.
      if (in_buf >= kFrameHeaderBytes) {
        size_t need = kFrameHeaderBytes + GetU32(buf.data() + (pos - buf_pos) + 4);
        if (need > buf.size()) buf.resize(need);
      }
      size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), file_size - pos));
      if (in_buf == want) return truncate_at(pos, "torn frame at end of segment");
      FG_RETURN_IF_ERROR(file_->ReadAt(pos, want, buf.data(), &buf_len));
      buf_pos = pos;
      continue;
    }
    if (st == FrameStatus::kCorrupt) return truncate_at(pos, "frame checksum or length mismatch");
    if (f.offset != end_offset) {
      return truncate_at(pos, "frame offset " + std::to_string(f.offset) + " where " +
                                  std::to_string(end_offset) + " was expected");
    }
    // end_offset (one past the last record) must stay representable: a record at the
    // largest offset would wrap it to 0, below base, which LoadIndex then rejects.
    if (f.offset == std::numeric_limits<ShardOffset>::max()) {
      return truncate_at(pos, "frame offset " + std::to_string(f.offset) + " is out of range");
    }
    if (first || pos - last_index_pos >= index_interval_bytes) {
      index.Add({f.offset, f.arrival_ms, pos});
      last_index_pos = pos;
      first = false;
    }
    end_offset = f.offset + 1;
    if (f.arrival_ms > max_arrival_ms) max_arrival_ms = f.arrival_ms;
    ++stats->records;
    pos += f.frame_bytes;
  }
  size = pos;
  return Status::Ok();
}

Status Segment::WriteIndex(Env* env) const {
  SegmentSummary s{base_, end_offset, size, max_arrival_ms};
  return env->WriteFileAtomic(IndexPath(dir_, base_), index.Encode(s));
}

Status Segment::DeleteFiles(Env* env) const {
  Status st = env->DeleteFile(IndexPath(dir_, base_));
  if (!st.ok() && !st.IsNotFound()) return st;
  return env->DeleteFile(SegmentPath(dir_, base_));
}

}  // namespace fluxgate::log
