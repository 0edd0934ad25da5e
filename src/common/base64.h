// Base64 (RFC 4648 standard alphabet, '=' padding) for Kinesis blobs.
//
// Encoding appends to a caller-owned string; decoding writes into caller-provided memory
// so PutRecords can decode a whole batch into one arena. Decoding is strict: the length
// must be a multiple of 4, padding only at the end, no whitespace, and the unused bits of
// the last symbol must be zero (so every accepted input has exactly one encoding).
// Stateless; safe from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace fluxgate {

inline size_t Base64EncodedSize(size_t n) { return (n + 2) / 3 * 4; }
// Upper bound of the decoded size of `n` base64 characters.
inline size_t Base64MaxDecodedSize(size_t n) { return n / 4 * 3; }

void Base64Encode(std::string_view bytes, std::string& out);
std::string Base64Encode(std::string_view bytes);

// Decodes `in` into `out` (which must hold Base64MaxDecodedSize(in.size()) bytes) and
// returns the decoded length, or nullopt if `in` is not valid padded base64.
std::optional<size_t> Base64Decode(std::string_view in, char* out);
std::optional<std::string> Base64Decode(std::string_view in);

}  // namespace fluxgate
