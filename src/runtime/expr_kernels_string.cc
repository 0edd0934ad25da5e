// The string functions beyond the core set (expr_kernels_scalar.cc): INITCAP, REVERSE,
// LEFT, RIGHT, REPEAT, LPAD, RPAD, REPLACE, CONCAT_WS, LOCATE, INSTR, SPLIT_INDEX, MD5,
// TO_BASE64, UUID, JSON_QUOTE. Semantics follow Flink's SqlFunctionUtils; positions and
// lengths count Unicode code points (Java counts UTF-16 units, which differs only for
// characters outside the Basic Multilingual Plane).
#include <cmath>
#include <cstring>
#include <random>

#include "runtime/expr_kernels.h"

namespace fluxgate::runtime {
namespace {

using SV = std::string_view;

// A result longer than this is NULL instead of exhausting memory (REPEAT, LPAD, RPAD).
constexpr int64_t kMaxResultBytes = int64_t{1} << 28;

// 1-based code-point position of the first `needle` in `hay`, 0 if absent.
int64_t Position(SV hay, SV needle) {
  size_t at = hay.find(needle);
  if (at == SV::npos) return 0;
  return static_cast<int64_t>(CodePoints(hay.substr(0, at))) + 1;
}

// Appends code points of `pad` cyclically until `count` code points were written.
void AppendPadding(SV pad, int64_t count, std::string& out) {
  size_t i = 0;
  while (count > 0) {
    if (i >= pad.size()) i = 0;
    size_t len = std::min(Utf8Len(static_cast<unsigned char>(pad[i])), pad.size() - i);
    out.append(pad.substr(i, len));
    i += len;
    --count;
  }
}

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Token `index` of Commons Lang's splitByWholeSeparatorPreserveAllTokens(s, sep): empty
// tokens are kept; an empty separator splits at every whitespace character; an empty
// string has no tokens.
bool SplitToken(SV s, SV sep, int64_t index, SV* out) {
  if (s.empty() || index < 0) return false;
  size_t start = 0;
  int64_t k = 0;
  for (;;) {
    size_t end, next;
    if (sep.empty()) {
      end = start;
      while (end < s.size() && !IsAsciiSpace(s[end])) ++end;
      next = end + 1;
    } else {
      end = s.find(sep, start);
      if (end == SV::npos) end = s.size();
      next = end + sep.size();
    }
    if (k == index) {
      *out = s.substr(start, end - start);
      return true;
    }
    if (end >= s.size()) return false;
    start = next;
    ++k;
  }
}

// ---- MD5 (RFC 1321) ----------------------------------------------------------------

struct Md5Table {
  uint32_t k[64];
  Md5Table() {
    for (int i = 0; i < 64; ++i) {
      k[i] = static_cast<uint32_t>(std::floor(std::fabs(std::sin(i + 1.0)) * 4294967296.0));
    }
  }
};

uint32_t Rotl(uint32_t x, int c) { return (x << c) | (x >> (32 - c)); }

void Md5Block(const unsigned char* p, uint32_t h[4]) {
  static const Md5Table table;
  static constexpr int kShift[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                     5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                                     4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                     6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
  uint32_t m[16];
  for (int i = 0; i < 16; ++i) {
    m[i] = static_cast<uint32_t>(p[i * 4]) | static_cast<uint32_t>(p[i * 4 + 1]) << 8 |
           static_cast<uint32_t>(p[i * 4 + 2]) << 16 | static_cast<uint32_t>(p[i * 4 + 3]) << 24;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
  for (int i = 0; i < 64; ++i) {
    uint32_t f;
    int g;
    if (i < 16) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) % 16;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) % 16;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) % 16;
    }
    f = f + a + table.k[i] + m[g];
    a = d;
    d = c;
    c = b;
    b = b + Rotl(f, kShift[i]);
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
}

// Appends the lower-case hex MD5 digest of `s`.
void AppendMd5Hex(SV s, std::string& out) {
  uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  size_t i = 0;
  for (; i + 64 <= s.size(); i += 64)
    Md5Block(reinterpret_cast<const unsigned char*>(s.data() + i), h);
  unsigned char tail[128] = {};
  const size_t rest = s.size() - i;
  std::memcpy(tail, s.data() + i, rest);
  tail[rest] = 0x80;
  const size_t tail_len = rest + 1 + 8 <= 64 ? 64 : 128;
  const uint64_t bits = static_cast<uint64_t>(s.size()) * 8;
  for (int b = 0; b < 8; ++b) tail[tail_len - 8 + b] = static_cast<unsigned char>(bits >> (8 * b));
  Md5Block(tail, h);
  if (tail_len == 128) Md5Block(tail + 64, h);
  static constexpr char kHex[] = "0123456789abcdef";
  for (uint32_t w : h) {
    for (int b = 0; b < 4; ++b) {
      const unsigned v = (w >> (8 * b)) & 0xff;
      out += kHex[v >> 4];
      out += kHex[v & 15];
    }
  }
}

void AppendBase64(SV s, std::string& out) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[k])); };
  for (; i + 3 <= s.size(); i += 3) {
    const uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (s.size() - i == 1) {
    const uint32_t v = byte(i) << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (s.size() - i == 2) {
    const uint32_t v = byte(i) << 16 | byte(i + 1) << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
}

// JSON_QUOTE: a JSON string literal; '"', '\' and '/' are escaped as Flink's docs say,
// control characters as \uXXXX; other characters are kept as they are.
void AppendJsonQuoted(SV s, std::string& out) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '/':
        out += "\\/";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[(c >> 4) & 15];
          out += kHex[c & 15];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

struct UuidState final : ExprState {
  std::mt19937_64 rng{std::random_device{}()};
};

void AppendUuid(std::mt19937_64& rng, std::string& out) {
  uint64_t hi = rng(), lo = rng();
  hi = (hi & ~uint64_t{0xF000}) | 0x4000;                      // version 4
  lo = (lo & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);  // IETF variant
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out += kHex[(hi >> (i * 4)) & 15];
    if (i == 8 || i == 4) out += '-';
  }
  out += '-';
  for (int i = 15; i >= 0; --i) {
    out += kHex[(lo >> (i * 4)) & 15];
    if (i == 12) out += '-';
  }
}

}  // namespace

std::unique_ptr<ExprState> MakeUuidState() { return std::make_unique<UuidState>(); }

size_t RunStringKernel2(const ExprInstr& ins, const std::vector<const Column*>& regs, Column& out,
                        size_t n, const uint8_t* /*guard*/, std::string& buf) {
  const size_t k = ins.in.size();
  auto col = [&](size_t j) -> const Column& { return *regs[ins.in[j]]; };
  if (ins.sub == kUuid) {
    auto& st = *static_cast<UuidState*>(ins.state.get());
    for (size_t i = 0; i < n; ++i) {
      buf.clear();
      AppendUuid(st.rng, buf);
      out.AppendString(buf);
    }
    return kNoError;
  }
  for (size_t i = 0; i < n; ++i) {
    // CONCAT_WS skips NULL strings; everything else is NULL on any NULL argument.
    bool null = false;
    for (size_t j = 0; j < k && !null; ++j) {
      null = col(j).IsNull(i) && (ins.sub != kConcatWs || j == 0);
    }
    if (null) {
      out.AppendNull();
      continue;
    }
    const SV s = col(0).String(i);
    buf.clear();
    switch (ins.sub) {
      case kInitCap: {
        // Calcite/Flink initcap: ASCII letters and digits form words; the first letter of
        // a word is upper-cased, the rest lower-cased; anything else separates words.
        bool start = true;
        for (char c : s) {
          const bool digit = c >= '0' && c <= '9';
          const bool upper = c >= 'A' && c <= 'Z';
          const bool lower = c >= 'a' && c <= 'z';
          if (!digit && !upper && !lower) {
            start = true;
          } else if (start) {
            if (lower) c = static_cast<char>(c - 32);
            start = false;
          } else if (upper) {
            c = static_cast<char>(c + 32);
          }
          buf += c;
        }
        break;
      }
      case kReverse: {
        size_t end = s.size();
        while (end > 0) {
          size_t begin = end - 1;
          while (begin > 0 && (static_cast<unsigned char>(s[begin]) & 0xC0) == 0x80) --begin;
          buf.append(s.substr(begin, end - begin));
          end = begin;
        }
        break;
      }
      case kLeft:
      case kRight: {
        const int64_t len = col(1).Int64(i);
        if (len > 0) {
          const int64_t chars = static_cast<int64_t>(CodePoints(s));
          if (ins.sub == kLeft) {
            buf.append(s.substr(0, ByteOffset(s, len)));
          } else {
            buf.append(s.substr(ByteOffset(s, std::max<int64_t>(chars - len, 0))));
          }
        }
        break;
      }
      case kRepeat: {
        const int64_t times = col(1).Int64(i);
        if (times > 0 && static_cast<int64_t>(s.size()) > kMaxResultBytes / times) {
          out.AppendNull();
          continue;
        }
        for (int64_t t = 0; t < times; ++t) buf.append(s);
        break;
      }
      case kLPad:
      case kRPad: {
        // Flink: a negative length or an empty pad gives NULL; the result has exactly
        // `len` characters (the input is cut when longer).
        const int64_t len = col(1).Int64(i);
        const SV pad = col(2).String(i);
        if (len < 0 || pad.empty() || len > kMaxResultBytes) {
          out.AppendNull();
          continue;
        }
        const int64_t chars = static_cast<int64_t>(CodePoints(s));
        const int64_t fill = std::max<int64_t>(len - chars, 0);
        const SV base = s.substr(0, ByteOffset(s, std::min(chars, len)));
        if (ins.sub == kLPad) {
          AppendPadding(pad, fill, buf);
          buf.append(base);
        } else {
          buf.append(base);
          AppendPadding(pad, fill, buf);
        }
        break;
      }
      case kReplace: {
        const SV from = col(1).String(i), to = col(2).String(i);
        if (from.empty()) {  // Java: "abc".replace("", "x") == "xaxbxcx"
          buf.append(to);
          for (size_t p = 0; p < s.size();) {
            size_t len = std::min(Utf8Len(static_cast<unsigned char>(s[p])), s.size() - p);
            buf.append(s.substr(p, len));
            buf.append(to);
            p += len;
          }
          break;
        }
        size_t p = 0;
        for (size_t at; (at = s.find(from, p)) != SV::npos; p = at + from.size()) {
          buf.append(s.substr(p, at - p));
          buf.append(to);
        }
        buf.append(s.substr(p));
        break;
      }
      case kConcatWs: {
        bool first = true;
        for (size_t j = 1; j < k; ++j) {
          if (col(j).IsNull(i)) continue;
          if (!first) buf.append(s);
          buf.append(col(j).String(i));
          first = false;
        }
        break;
      }
      case kLocate:
        out.AppendInt64(Position(col(1).String(i), s));
        continue;
      case kInstr:
        out.AppendInt64(Position(s, col(1).String(i)));
        continue;
      case kSplitIndex: {
        SV token;
        if (!SplitToken(s, col(1).String(i), col(2).Int64(i), &token)) {
          out.AppendNull();
          continue;
        }
        out.AppendString(token);
        continue;
      }
      case kMd5:
        AppendMd5Hex(s, buf);
        break;
      case kToBase64:
        AppendBase64(s, buf);
        break;
      default:  // kJsonQuote
        AppendJsonQuoted(s, buf);
        break;
    }
    out.AppendString(buf);
  }
  return kNoError;
}

}  // namespace fluxgate::runtime
