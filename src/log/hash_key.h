// Partition-key hashing and hash-key ranges (Kinesis routing).
//
// HashPartitionKey (declared in types.h) is MD5 through OpenSSL's EVP interface with one
// reusable EVP_MD_CTX per thread, because it runs for every appended record and
// allocating a context each time would dominate its cost. Thread-safe.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "log/types.h"

namespace fluxgate::log {

// Inclusive [start, end] ranges for `n` uniform shards, as AWS assigns them:
// w = floor(2^128 / n); range i = [i*w, (i+1)*w - 1]; the last one ends at 2^128 - 1.
std::vector<std::pair<u128, u128>> UniformHashRanges(uint32_t n);

}  // namespace fluxgate::log
