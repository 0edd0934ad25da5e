#include "kinesis/shard_iterator.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstring>
#include <ctime>

#include "common/base64.h"

namespace fluxgate::kinesis {
namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kMacBytes = 16;
constexpr size_t kMaxBlob = 2 + 255 + 8 + 4 + 8 + 8 + kMacBytes;

template <typename T>
void Put(unsigned char*& p, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) *p++ = static_cast<unsigned char>(uint64_t(v) >> (8 * i));
}
template <typename T>
T Get(const unsigned char*& p) {
  uint64_t v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v |= uint64_t{p[i]} << (8 * i);
  p += sizeof(T);
  return static_cast<T>(v);
}

ApiError Invalid() { return ApiError::InvalidArgument("Invalid ShardIterator."); }

}  // namespace

std::string JavaDateString(int64_t ms) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const time_t t = static_cast<time_t>(ms / 1000);
  struct tm tm {};
  gmtime_r(&t, &tm);
  return fmt::format("{} {} {:02} {:02}:{:02}:{:02} UTC {}", kDays[tm.tm_wday], kMonths[tm.tm_mon],
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
}

IteratorCodec::IteratorCodec(std::string secret, int64_t ttl_ms)
    : secret_(std::move(secret)), ttl_ms_(ttl_ms) {
  if (secret_.empty()) {
    secret_.resize(32);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(secret_.data()), 32) != 1) {
      // Without randomness iterators would be forgeable by anyone who knows this code;
      // fall back to something process-unique rather than a constant.
      const auto seed = reinterpret_cast<uintptr_t>(this) ^ static_cast<uintptr_t>(time(nullptr));
      std::memcpy(secret_.data(), &seed, sizeof(seed));
    }
  }
}

void IteratorCodec::Mac(const unsigned char* data, size_t n, unsigned char out[32]) const {
  unsigned int len = 32;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()), data, n, out, &len);
}

std::string IteratorCodec::Encode(const IteratorPosition& pos) const {
  unsigned char blob[kMaxBlob];
  unsigned char* p = blob;
  const size_t name_len = std::min<size_t>(pos.stream.size(), 255);
  *p++ = kVersion;
  *p++ = static_cast<unsigned char>(name_len);
  std::memcpy(p, pos.stream.data(), name_len);
  p += name_len;
  Put<int64_t>(p, pos.stream_created_ms);
  Put<uint32_t>(p, pos.shard);
  Put<uint64_t>(p, pos.offset);
  Put<int64_t>(p, pos.issued_ms);
  unsigned char mac[32];
  Mac(blob, p - blob, mac);
  std::memcpy(p, mac, kMacBytes);
  p += kMacBytes;
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(blob), p - blob));
}

ApiResult<IteratorPosition> IteratorCodec::Decode(std::string_view iterator, int64_t now_ms) const {
  if (iterator.size() > Base64EncodedSize(kMaxBlob)) return Invalid();
  unsigned char blob[kMaxBlob];
  auto n = Base64Decode(iterator, reinterpret_cast<char*>(blob));
  if (!n || *n < 2 + 8 + 4 + 8 + 8 + kMacBytes || blob[0] != kVersion) return Invalid();
  const size_t name_len = blob[1];
  if (*n != 2 + name_len + 8 + 4 + 8 + 8 + kMacBytes) return Invalid();
  const size_t body = *n - kMacBytes;
  unsigned char mac[32];
  Mac(blob, body, mac);
  if (CRYPTO_memcmp(mac, blob + body, kMacBytes) != 0) return Invalid();

  IteratorPosition pos;
  const unsigned char* p = blob + 2;
  pos.stream.assign(reinterpret_cast<const char*>(p), name_len);
  p += name_len;
  pos.stream_created_ms = Get<int64_t>(p);
  pos.shard = Get<uint32_t>(p);
  pos.offset = Get<uint64_t>(p);
  pos.issued_ms = Get<int64_t>(p);
  if (now_ms - pos.issued_ms > ttl_ms_) {
    return ApiError::ExpiredIterator(fmt::format(
        "Iterator expired. The iterator was created at time {} while right now it is {} which "
        "is further in the future than the tolerated delay of {} milliseconds.",
        JavaDateString(pos.issued_ms), JavaDateString(now_ms), ttl_ms_));
  }
  return pos;
}

}  // namespace fluxgate::kinesis
