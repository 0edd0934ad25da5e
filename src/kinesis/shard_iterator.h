// Shard iterators: opaque, tamper-proof, expiring read positions.
//
// Wire form (base64, standard alphabet, at most 236 characters for a 128-byte name):
//   u8  version (=1)
//   u8  stream name length, then the name bytes
//   i64 stream creation time, ms (a re-created stream has a new one: old iterators die)
//   u32 shard index
//   u64 shard offset to read next
//   i64 issue time, ms (expiry is measured from it)
//   16  bytes: HMAC-SHA256 of everything above, truncated (forgery and corruption check)
// Integers are little-endian. The format is private to this process family: iterators are
// only as durable as the key (random per process unless configured).
// Thread-safety: an IteratorCodec is immutable after construction; use from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kinesis/errors.h"
#include "log/types.h"

namespace fluxgate::kinesis {

struct IteratorPosition {
  std::string stream;
  int64_t stream_created_ms = 0;
  uint32_t shard = 0;
  log::ShardOffset offset = 0;
  int64_t issued_ms = 0;
};

class IteratorCodec {
 public:
  // An empty secret is replaced by 32 random bytes.
  IteratorCodec(std::string secret, int64_t ttl_ms);

  std::string Encode(const IteratorPosition& pos) const;
  // InvalidArgumentException "Invalid ShardIterator." for anything malformed or forged;
  // ExpiredIteratorException (AWS's text) once now_ms - issued_ms exceeds the TTL.
  ApiResult<IteratorPosition> Decode(std::string_view iterator, int64_t now_ms) const;

  int64_t ttl_ms() const { return ttl_ms_; }

 private:
  void Mac(const unsigned char* data, size_t n, unsigned char out[32]) const;
  std::string secret_;
  int64_t ttl_ms_;
};

// "Tue Nov 25 19:56:16 UTC 2026", the Java Date format AWS uses in expiry messages.
std::string JavaDateString(int64_t ms);

}  // namespace fluxgate::kinesis
