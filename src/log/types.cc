#include "log/types.h"

#include <cstdio>

namespace fluxgate::log {

std::string ShardIdFor(uint32_t index) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "shardId-%012u", index);
  return buf;
}

std::optional<uint32_t> ParseShardId(std::string_view shard_id) {
  constexpr std::string_view kPrefix = "shardId-";
  if (shard_id.substr(0, kPrefix.size()) == kPrefix) shard_id.remove_prefix(kPrefix.size());
  if (shard_id.empty() || shard_id.size() > 20) return std::nullopt;
  uint64_t v = 0;
  for (char c : shard_id) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > UINT32_MAX) return std::nullopt;
  }
  return static_cast<uint32_t>(v);
}

std::string U128ToString(u128 v) {
  char buf[40];
  int i = sizeof(buf);
  do {
    buf[--i] = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  } while (v != 0);
  return std::string(buf + i, sizeof(buf) - i);
}

std::optional<u128> ParseU128(std::string_view s) {
  if (s.empty() || s.size() > 39) return std::nullopt;
  u128 v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    u128 d = static_cast<u128>(c - '0');
    if (v > (kMaxHashKey - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

}  // namespace fluxgate::log
