#include "log/hash_key.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace fluxgate::log {
namespace {

// Fetched once: EVP_MD_fetch does a provider lookup we must not repeat per record.
const EVP_MD* Md5() {
  static const EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "MD5", nullptr);
    if (m == nullptr)
      std::abort();  // MD5 is in OpenSSL's default provider; absent = broken install
    return m;
  }();
  return md;
}

struct ThreadCtx {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~ThreadCtx() { EVP_MD_CTX_free(ctx); }
};

}  // namespace

u128 HashPartitionKey(std::string_view partition_key) {
  thread_local ThreadCtx tc;
  unsigned char digest[16];
  unsigned int len = 0;
  EVP_DigestInit_ex2(tc.ctx, Md5(), nullptr);
  EVP_DigestUpdate(tc.ctx, partition_key.data(), partition_key.size());
  EVP_DigestFinal_ex(tc.ctx, digest, &len);
  u128 v = 0;
  for (unsigned char b : digest) v = (v << 8) | b;  // big-endian
  return v;
}

std::vector<std::pair<u128, u128>> UniformHashRanges(uint32_t n) {
  std::vector<std::pair<u128, u128>> out;
  if (n == 0) return out;
  if (n == 1) return {{0, kMaxHashKey}};  // w would be 2^128, which u128 cannot hold
  // floor(2^128 / n) without 129-bit arithmetic: (2^128 - 1) / n, plus one when n divides
  // 2^128 exactly (n a power of two), detected by the remainder being n - 1.
  u128 w = kMaxHashKey / n;
  if (kMaxHashKey % n == n - 1) ++w;
  for (uint32_t i = 0; i < n; ++i) {
    u128 start = w * i;
    u128 end = (i + 1 == n) ? kMaxHashKey : w * (i + 1) - 1;
    out.emplace_back(start, end);
  }
  return out;
}

}  // namespace fluxgate::log
