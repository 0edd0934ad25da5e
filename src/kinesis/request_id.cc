#include "kinesis/request_id.h"

#include <openssl/rand.h>

#include <chrono>
#include <cstdint>
#include <thread>

namespace fluxgate::kinesis {
namespace {

// splitmix64: tiny, fast, good enough for unique ids.
uint64_t Next(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t Seed() {
  uint64_t s = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&s), sizeof(s)) != 1) {
    s = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
        std::hash<std::thread::id>()(std::this_thread::get_id());
  }
  return s;
}

}  // namespace

std::string NewRequestId() {
  thread_local uint64_t state = Seed();
  uint64_t hi = Next(state), lo = Next(state);
  hi = (hi & ~0xf000ull) | 0x4000ull;                  // version 4
  lo = (lo & ~(0xc000ull << 48)) | (0x8000ull << 48);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(36, '-');
  int pos = 0;
  auto put = [&](uint64_t v, int nibbles_from, int count) {
    for (int i = 0; i < count; ++i) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
      s[pos++] = kHex[(v >> (4 * (nibbles_from - 1 - i))) & 0xf];
    }
  };
  put(hi, 16, 16);
  put(lo, 16, 16);
  return s;
}

}  // namespace fluxgate::kinesis
