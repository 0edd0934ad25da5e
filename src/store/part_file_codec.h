// Compressed line part files: gzip or zstd encoders for PartFileWriter.
//
// A line file (JSON Lines, raw lines) may be compressed as a whole stream. Every
// checkpoint's Persist may be the end of the file a crash leaves, and a resumed file
// continues with a fresh encoder, so Sync ends the current gzip member (RFC 1952) or zstd
// frame (RFC 8878) and the next bytes start a new one: the file is a concatenation of
// members / frames, which gzip, zcat, zstd and DuckDB read as one stream. An empty
// interval writes nothing (no empty members).
// Thread-safety: an encoder belongs to one thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/part_file_writer.h"

namespace fluxgate::store {

enum class LineCompression { kNone, kGzip, kZstd };

// "none" | "gzip" | "zstd" (case-insensitive); InvalidArgument otherwise.
Result<LineCompression> ParseLineCompression(std::string_view name);
// "" | ".gz" | ".zst": appended to the format's suffix (".json.gz").
std::string_view CompressionSuffix(LineCompression c);

// A new encoder for one file. `level` 0 uses the codec's default (gzip 6, zstd 3).
// kNone: bytes pass through unchanged.
Result<std::unique_ptr<PartFileEncoder>> NewLineEncoder(LineCompression c, int level = 0);

// Decompresses a whole file of concatenated gzip members or zstd frames (for tests,
// compaction checks and tools). Corruption on malformed or truncated input.
Result<std::string> DecompressAll(LineCompression c, std::string_view data);

}  // namespace fluxgate::store
