// How a file table's object is stored, recognised by its first bytes (not its name, so a
// renamed or compacted file still reads): gzip (1f 8b), zstd (28 b5 2f fd), Parquet
// ("PAR1"), else plain text. Used by FileSource. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace fluxgate::jobs {

enum class ObjectEncoding : uint8_t { kPlain, kGzip, kZstd, kParquet };

ObjectEncoding DetectObjectEncoding(std::string_view bytes);

// The decompressed bytes of a gzip (several concatenated members allowed) or zstd (several
// frames allowed) object; a plain one is returned as it is. Corruption for damaged or
// truncated data, LimitExceeded past `max_bytes` of output; `name` appears in messages.
Result<std::string> DecodeObjectBytes(std::string bytes, std::string_view name, uint64_t max_bytes);

}  // namespace fluxgate::jobs
