// Small POSIX I/O helpers shared by the log's and the object store's file layers: whole
// writes that retry EINTR and short writes, and fdatasync, each failing with a Status that
// names the call and the path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace fluxgate {

Status WriteFully(int fd, std::string_view data, const std::string& path);
Status DataSync(int fd, const std::string& path);
Status TruncateFile(int fd, uint64_t size, const std::string& path);
Result<uint64_t> FileSizeOf(int fd, const std::string& path);

}  // namespace fluxgate
