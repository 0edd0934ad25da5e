// Stream metadata (StreamMeta) on disk: a small line-oriented text file per stream,
// "stream.meta", replaced atomically (temp file, fsync, rename, fsync directory) so a
// crash leaves either the old or the new version, never a mix. A trailing CRC32C line
// catches damage. Format: docs/formats/log.md. Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "log/env.h"
#include "log/types.h"

namespace fluxgate::log {

inline constexpr const char* kStreamMetaFile = "stream.meta";

std::string EncodeStreamMeta(const StreamMeta& meta);
Result<StreamMeta> DecodeStreamMeta(std::string_view text);

Status WriteStreamMeta(Env* env, const std::string& stream_dir, const StreamMeta& meta);
Result<StreamMeta> ReadStreamMeta(Env* env, const std::string& stream_dir);

}  // namespace fluxgate::log
