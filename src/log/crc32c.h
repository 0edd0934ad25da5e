// CRC32C (Castagnoli), the checksum of every log frame and index file.
//
// Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at startup) and a
// table-driven software fallback otherwise; both give identical results. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace fluxgate::log {

// Extends `crc` (the value returned for the preceding bytes, 0 to start) over `data`.
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n);
inline uint32_t Crc32c(const void* data, size_t n) { return Crc32cExtend(0, data, n); }
inline uint32_t Crc32c(std::string_view s) { return Crc32cExtend(0, s.data(), s.size()); }

// Software path only; exposed so tests can check both paths agree.
uint32_t Crc32cSoftware(uint32_t crc, const void* data, size_t n);
bool Crc32cHardwareAvailable();

}  // namespace fluxgate::log
