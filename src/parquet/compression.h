// Page compression for the codecs fluxgate writes and reads: UNCOMPRESSED, SNAPPY (raw
// block), GZIP (a gzip member) and ZSTD (a standard frame). Stateless functions;
// thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "parquet/format.h"

namespace fluxgate::parquet {

// "uncompressed", "snappy", "gzip", "zstd" (case-insensitive; "none" = uncompressed).
Result<Codec> ParseCodec(std::string_view name);
const char* CodecName(Codec codec);

// Replaces *out with `in` compressed. `level` applies to ZSTD (1..22) and GZIP (1..9);
// 0 picks the library default.
Status Compress(Codec codec, std::string_view in, int level, std::string* out);
// Replaces *out with `in` decompressed; the result must be exactly `uncompressed_size`
// bytes (the page header's), which also bounds the work a hostile page can cause.
Status Decompress(Codec codec, std::string_view in, size_t uncompressed_size, std::string* out);

}  // namespace fluxgate::parquet
