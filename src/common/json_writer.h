// JsonWriter: appends compact JSON to a caller-owned std::string.
//
// Built for response bodies on the hot path: no allocation beyond the output string's
// growth (callers reserve), no intermediate DOM. Strings are escaped per RFC 8259: quote,
// backslash and control characters; bytes >= 0x80 pass through unchanged (UTF-8 in, UTF-8
// out). The caller is responsible for well-formed nesting; commas are placed automatically.
// Not thread-safe; one writer per output string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fluxgate {

class JsonWriter {
 public:
  // `out` must outlive the writer; output is appended to whatever it already holds.
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // Object member name; the next call writes its value.
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view s);
  JsonWriter& Int(int64_t v);
  JsonWriter& Uint(uint64_t v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // Epoch milliseconds as a JSON number of seconds with a 3-digit fraction
  // ("1441215410.867"), the Kinesis JSON timestamp form.
  JsonWriter& TimestampMs(int64_t ms);
  // Pre-encoded JSON value (caller guarantees validity).
  JsonWriter& Raw(std::string_view json);
  // Base64 of `bytes` as a JSON string (base64 never needs escaping).
  JsonWriter& Base64(std::string_view bytes);

  std::string& out() { return out_; }

 private:
  void Separate() {
    if (need_comma_) out_.push_back(',');
    need_comma_ = true;
  }
  std::string& out_;
  bool need_comma_ = false;
};

// Appends `s` escaped (without surrounding quotes).
void AppendJsonEscaped(std::string_view s, std::string& out);
// Writes `s` escaped at `dst`, which must have room for 6 * s.size() bytes (the longest
// escape, \u00XX); returns the bytes written. For encoders that fill a buffer directly.
size_t WriteJsonEscaped(std::string_view s, char* dst);
// Appends the decimal form of v; no allocation.
void AppendUint(uint64_t v, std::string& out);
void AppendInt(int64_t v, std::string& out);

}  // namespace fluxgate
