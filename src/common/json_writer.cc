#include "common/json_writer.h"

#include <array>
#include <charconv>
#include <cstring>

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

// True when one of the 8 bytes of `w` is < 0x20, '"' or '\\' (the classic SWAR
// "has byte less than / equal to" tests): lets clean text be skipped a word at a time.
inline bool WordNeedsEscape(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  const uint64_t below_space = (w - kOnes * 0x20) & ~w & kHigh;
  const uint64_t q = w ^ (kOnes * '"'), b = w ^ (kOnes * '\\');
  const uint64_t quote = (q - kOnes) & ~q & kHigh;
  const uint64_t backslash = (b - kOnes) & ~b & kHigh;
  return (below_space | quote | backslash) != 0;
}

// Appends the escape sequence of one byte that kNeedsEscape marks.
void AppendEscape(unsigned char c, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
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

}  // namespace

void AppendJsonEscaped(std::string_view s, std::string& out) {
  const char* p = s.data();
  const char* end = p + s.size();
  const char* run = p;  // start of the pending unescaped run, copied in one append
  for (;;) {
    while (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      if (WordNeedsEscape(w)) break;
      p += 8;
    }
    if (p >= end) break;
    // A word with something to escape, or the last few bytes: one byte at a time.
    const char* stop = end - p >= 8 ? p + 8 : end;
    for (; p < stop; ++p) {
      const auto c = static_cast<unsigned char>(*p);
      if (!kNeedsEscape[c]) continue;
      out.append(run, p - run);
      run = p + 1;
      AppendEscape(c, out);
    }
  }
  out.append(run, end - run);
}

size_t WriteJsonEscaped(std::string_view s, char* dst) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char* p = s.data();
  const char* end = p + s.size();
  char* d = dst;
  while (p < end) {
    if (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      if (!WordNeedsEscape(w)) {
        std::memcpy(d, &w, 8);
        p += 8;
        d += 8;
        continue;
      }
    }
    const char* stop = end - p >= 8 ? p + 8 : end;
    for (; p < stop; ++p) {
      const auto c = static_cast<unsigned char>(*p);
      if (!kNeedsEscape[c]) {
        *d++ = static_cast<char>(c);
        continue;
      }
      *d++ = '\\';
      switch (c) {
        case '"':
        case '\\':
          *d++ = static_cast<char>(c);
          break;
        case '\n':
          *d++ = 'n';
          break;
        case '\r':
          *d++ = 'r';
          break;
        case '\t':
          *d++ = 't';
          break;
        case '\b':
          *d++ = 'b';
          break;
        case '\f':
          *d++ = 'f';
          break;
        default:
          *d++ = 'u';
          *d++ = '0';
          *d++ = '0';
          *d++ = kHex[c >> 4];
          *d++ = kHex[c & 0xf];
      }
    }
  }
  return static_cast<size_t>(d - dst);
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
