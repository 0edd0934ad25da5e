// Frame: the on-disk encoding of one record inside a segment (docs/formats/log.md).
//
//   u32 crc32c      over bytes [4, 8 + payload_len): the length field and the payload
//   u32 payload_len
//   payload: u64 offset | i64 arrival_ms | u16 key_len | key | data
//
// All integers little-endian. The CRC covers the length so a torn or flipped length is
// caught instead of sending the scanner off into garbage. Stateless functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "log/types.h"

namespace fluxgate::log {

inline constexpr size_t kFrameHeaderBytes = 8;    // crc + payload_len
inline constexpr size_t kFrameFixedPayload = 18;  // offset + arrival + key_len
inline constexpr size_t kFrameOverhead = kFrameHeaderBytes + kFrameFixedPayload;
// Any payload longer than this is corruption (records are at most 10 MiB + 256 B key).
inline constexpr uint32_t kMaxFramePayload = (16u << 20);

inline size_t FrameSize(size_t key_len, size_t data_len) {
  return kFrameOverhead + key_len + data_len;
}

// Appends one frame to `out` (no allocation when out has capacity).
void EncodeFrame(ShardOffset offset, int64_t arrival_ms, std::string_view key,
                 std::string_view data, std::string& out);

struct FrameView {
  ShardOffset offset = 0;
  int64_t arrival_ms = 0;
  std::string_view key;   // points into the decoded buffer
  std::string_view data;  // points into the decoded buffer
  size_t frame_bytes = 0;
};

enum class FrameStatus {
  kOk,
  kIncomplete,  // fewer bytes than the header or the declared length: need more (or torn)
  kCorrupt,     // bad length or CRC mismatch
};

// Decodes the frame at the start of [p, p + n).
FrameStatus DecodeFrame(const char* p, size_t n, FrameView* out);

// Little-endian helpers shared by the log's codecs.
inline void PutU16(char* p, uint16_t v) {
  p[0] = static_cast<char>(v);
  p[1] = static_cast<char>(v >> 8);
}
inline void PutU32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
inline void PutU64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
inline uint16_t GetU16(const char* p) {
  return static_cast<uint16_t>(static_cast<unsigned char>(p[0]) |
                               (static_cast<unsigned char>(p[1]) << 8));
}
inline uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
inline uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

}  // namespace fluxgate::log
