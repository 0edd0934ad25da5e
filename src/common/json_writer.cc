#include "common/json_writer.h"

#include <array>
#include <charconv>

#include "common/base64.h"

namespace fluxgate {
namespace {

// 1 for bytes that must be escaped inside a JSON string.
constexpr std::array<uint8_t, 256> MakeEscapeTable() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = 1;
  t['"'] = 1;
  t['\\'] = 1;
  return t;
}
constexpr auto kNeedsEscape = MakeEscapeTable();

}  // namespace

void AppendJsonEscaped(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char* p = s.data();
  const char* end = p + s.size();
  const char* run = p;  // start of the pending unescaped run, copied in one append
  for (; p < end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (!kNeedsEscape[c]) continue;
    out.append(run, p - run);
    run = p + 1;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default: {
        const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
        out.append(esc, 6);
      }
    }
  }
  out.append(run, end - run);
}

void AppendUint(uint64_t v, std::string& out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr - buf);
}

void AppendInt(int64_t v, std::string& out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr - buf);
}

JsonWriter& JsonWriter::BeginObject() {
  Separate();
  out_.push_back('{');
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::EndObject() {
  out_.push_back('}');
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::BeginArray() {
  Separate();
  out_.push_back('[');
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::EndArray() {
  out_.push_back(']');
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::Key(std::string_view key) {
  Separate();
  out_.push_back('"');
  AppendJsonEscaped(key, out_);
  out_.append("\":");
  need_comma_ = false;  // the value follows without a comma
  return *this;
}
JsonWriter& JsonWriter::String(std::string_view s) {
  Separate();
  out_.push_back('"');
  AppendJsonEscaped(s, out_);
  out_.push_back('"');
  return *this;
}
JsonWriter& JsonWriter::Int(int64_t v) {
  Separate();
  AppendInt(v, out_);
  return *this;
}
JsonWriter& JsonWriter::Uint(uint64_t v) {
  Separate();
  AppendUint(v, out_);
  return *this;
}
JsonWriter& JsonWriter::Bool(bool v) {
  Separate();
  out_.append(v ? "true" : "false");
  return *this;
}
JsonWriter& JsonWriter::Null() {
  Separate();
  out_.append("null");
  return *this;
}
JsonWriter& JsonWriter::TimestampMs(int64_t ms) {
  Separate();
  if (ms < 0) {  // not expected from the log; keep the output a valid number anyway
    out_.push_back('-');
    ms = -ms;
  }
  AppendInt(ms / 1000, out_);
  const int frac = static_cast<int>(ms % 1000);
  const char f[4] = {'.', static_cast<char>('0' + frac / 100),
                     static_cast<char>('0' + frac / 10 % 10), static_cast<char>('0' + frac % 10)};
  out_.append(f, 4);
  return *this;
}
JsonWriter& JsonWriter::Raw(std::string_view json) {
  Separate();
  out_.append(json);
  return *this;
}
JsonWriter& JsonWriter::Base64(std::string_view bytes) {
  Separate();
  out_.push_back('"');
  Base64Encode(bytes, out_);
  out_.push_back('"');
  return *this;
}

}  // namespace fluxgate
