#include "log/frame.h"

#include <cstring>

#include "log/crc32c.h"

namespace fluxgate::log {

void EncodeFrame(ShardOffset offset, int64_t arrival_ms, std::string_view key,
                 std::string_view data, std::string& out) {
  const size_t payload = kFrameFixedPayload + key.size() + data.size();
  const size_t start = out.size();
  out.resize(start + kFrameHeaderBytes + payload);
  char* p = out.data() + start;
  PutU32(p + 4, static_cast<uint32_t>(payload));
  PutU64(p + 8, offset);
  PutU64(p + 16, static_cast<uint64_t>(arrival_ms));
  PutU16(p + 24, static_cast<uint16_t>(key.size()));
  if (!key.empty()) std::memcpy(p + 26, key.data(), key.size());
  if (!data.empty()) std::memcpy(p + 26 + key.size(), data.data(), data.size());
  PutU32(p, Crc32c(p + 4, 4 + payload));
}

FrameStatus DecodeFrame(const char* p, size_t n, FrameView* out) {
  if (n < kFrameHeaderBytes) return FrameStatus::kIncomplete;
  const uint32_t payload = GetU32(p + 4);
  if (payload < kFrameFixedPayload || payload > kMaxFramePayload) return FrameStatus::kCorrupt;
  if (n < kFrameHeaderBytes + payload) return FrameStatus::kIncomplete;
  if (GetU32(p) != Crc32c(p + 4, 4 + payload)) return FrameStatus::kCorrupt;
  const uint16_t key_len = GetU16(p + 24);
  if (kFrameFixedPayload + key_len > payload) return FrameStatus::kCorrupt;
  out->offset = GetU64(p + 8);
  out->arrival_ms = static_cast<int64_t>(GetU64(p + 16));
  out->key = std::string_view(p + 26, key_len);
  out->data = std::string_view(p + 26 + key_len, payload - kFrameFixedPayload - key_len);
  out->frame_bytes = kFrameHeaderBytes + payload;
  return FrameStatus::kOk;
}

}  // namespace fluxgate::log
