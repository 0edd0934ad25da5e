#include "log/crc32c.h"

#include <nmmintrin.h>

#include <array>
#include <cstring>

namespace fluxgate::log {
namespace {

constexpr uint32_t kPoly = 0x82F63B78;  // reflected Castagnoli polynomial

constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kTable = MakeTable();

__attribute__((target("sse4.2"))) uint32_t Crc32cHardware(uint32_t crc, const void* data,
                                                          size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t c = ~crc;
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);  // unaligned-safe load
    c = _mm_crc32_u64(c, w);
    p += 8;
    n -= 8;
  }
  auto c32 = static_cast<uint32_t>(c);
  while (n > 0) {
    c32 = _mm_crc32_u8(c32, *p++);
    --n;
  }
  return ~c32;
}

// Decided once: __builtin_cpu_supports reads cpuid data cached by libgcc.
const bool kHaveHw = __builtin_cpu_supports("sse4.2");

}  // namespace

uint32_t Crc32cSoftware(uint32_t crc, const void* data, size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint32_t c = ~crc;
  for (size_t i = 0; i < n; ++i) c = kTable[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return ~c;
}

bool Crc32cHardwareAvailable() { return kHaveHw; }

uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n) {
  return kHaveHw ? Crc32cHardware(crc, data, n) : Crc32cSoftware(crc, data, n);
}

}  // namespace fluxgate::log
