#include "log/sequence_number.h"

#include <cstdio>

namespace fluxgate::log {
namespace {

// The encoding is 47 hex digits (188 bits), so values live in three 64-bit limbs,
// least significant first. Fixed-size, on the stack: the hot path must not allocate.
struct U192 {
  uint64_t w[3] = {0, 0, 0};

  // this = this * 16^digits + v; v must fit in 4*digits bits, digits <= 16.
  void PushHex(uint64_t v, int digits) {
    const int bits = digits * 4;
    if (bits == 64) {
      w[2] = w[1];
      w[1] = w[0];
      w[0] = v;
      return;
    }
    w[2] = (w[2] << bits) | (w[1] >> (64 - bits));
    w[1] = (w[1] << bits) | (w[0] >> (64 - bits));
    w[0] = (w[0] << bits) | v;
  }
  // Returns the low `digits` hex digits and shifts them out.
  uint64_t PopHex(int digits) {
    const int bits = digits * 4;
    if (bits == 64) {
      uint64_t v = w[0];
      w[0] = w[1];
      w[1] = w[2];
      w[2] = 0;
      return v;
    }
    uint64_t v = w[0] & ((uint64_t{1} << bits) - 1);
    w[0] = (w[0] >> bits) | (w[1] << (64 - bits));
    w[1] = (w[1] >> bits) | (w[2] << (64 - bits));
    w[2] >>= bits;
    return v;
  }
  bool IsZero() const { return (w[0] | w[1] | w[2]) == 0; }
  // this /= d; returns the remainder.
  uint64_t DivMod(uint64_t d) {
    unsigned __int128 rem = 0;
    for (int i = 2; i >= 0; --i) {
      unsigned __int128 cur = (rem << 64) | w[i];
      w[i] = static_cast<uint64_t>(cur / d);
      rem = cur % d;
    }
    return static_cast<uint64_t>(rem);
  }
  // this = this * m + a; false on overflow past 192 bits.
  bool MulAdd(uint64_t m, uint64_t a) {
    unsigned __int128 carry = a;
    for (uint64_t& limb : w) {
      unsigned __int128 cur = static_cast<unsigned __int128>(limb) * m + carry;
      limb = static_cast<uint64_t>(cur);
      carry = cur >> 64;
    }
    return carry == 0;
  }
};

constexpr uint64_t kPow10_19 = 10'000'000'000'000'000'000ull;
constexpr uint64_t kMask36 = (uint64_t{1} << 36) - 1;  // 9 hex digits

U192 Pack(const SequenceParts& p) {
  U192 v;
  v.PushHex(2, 1);
  v.PushHex(static_cast<uint64_t>(p.shard_create_secs) & kMask36, 9);
  v.PushHex(p.shard_index & 0xf, 1);
  v.PushHex(p.offset, 16);
  v.PushHex(0, 2);
  v.PushHex(static_cast<uint64_t>(p.record_secs) & kMask36, 9);
  v.PushHex(p.shard_index, 8);
  v.PushHex(2, 1);
  return v;
}

}  // namespace

void AppendSequenceNumber(const SequenceParts& parts, std::string& out) {
  U192 v = Pack(parts);
  // Peel 19 decimal digits at a time; 188 bits need at most 57 digits (4 chunks).
  uint64_t chunks[4];
  int n = 0;
  do {
    chunks[n++] = v.DivMod(kPow10_19);
  } while (!v.IsZero());
  // Digits by hand: snprintf was a quarter of the PutRecords path's per-record cost.
  char buf[80];
  int len = 0;
  char tmp[20];
  int t = 0;
  for (uint64_t top = chunks[n - 1]; top != 0 || t == 0; top /= 10) tmp[t++] = '0' + top % 10;
  while (t > 0) buf[len++] = tmp[--t];
  for (int i = n - 2; i >= 0; --i) {
    uint64_t c = chunks[i];
    for (int d = 18; d >= 0; --d) {
      buf[len + d] = static_cast<char>('0' + c % 10);
      c /= 10;
    }
    len += 19;
  }
  out.append(buf, static_cast<size_t>(len));
}

std::string EncodeSequenceNumber(const SequenceParts& parts) {
  std::string s;
  s.reserve(64);
  AppendSequenceNumber(parts, s);
  return s;
}

std::optional<SequenceParts> DecodeSequenceNumber(std::string_view decimal) {
  if (decimal.empty() || decimal.size() > 60) return std::nullopt;
  if (decimal.size() > 1 && decimal[0] == '0') return std::nullopt;  // no leading zeros
  U192 v;
  for (char c : decimal) {
    if (c < '0' || c > '9') return std::nullopt;
    if (!v.MulAdd(10, static_cast<uint64_t>(c - '0'))) return std::nullopt;
  }
  // Exactly 47 hex digits: bits 184..187 hold the leading '2', nothing above.
  if ((v.w[2] >> 56) != 0x2) return std::nullopt;
  if (v.PopHex(1) != 2) return std::nullopt;
  SequenceParts p;
  p.shard_index = static_cast<uint32_t>(v.PopHex(8));
  p.record_secs = static_cast<int64_t>(v.PopHex(9));
  if (v.PopHex(2) != 0) return std::nullopt;
  p.offset = v.PopHex(16);
  if (v.PopHex(1) != (p.shard_index & 0xf)) return std::nullopt;
  p.shard_create_secs = static_cast<int64_t>(v.PopHex(9));
  if (v.PopHex(1) != 2 || !v.IsZero()) return std::nullopt;
  return p;
}

}  // namespace fluxgate::log
