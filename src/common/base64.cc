#include "common/base64.h"

#include <array>
#include <cstdint>

namespace fluxgate {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr uint32_t kBad = 0xffffffffu;  // has the top bit set; valid entries never do
constexpr uint32_t kBadBit = 0x80000000u;

// Four tables, one per position in a quantum, each holding the symbol's 6 bits already
// shifted into place, so a quantum decodes with four loads and three ORs. Invalid symbols
// map to kBad, which survives the OR and is detected with one compare per quantum.
struct DecodeTables {
  std::array<uint32_t, 256> t[4];
};
constexpr DecodeTables MakeDecodeTables() {
  DecodeTables d{};
  for (int pos = 0; pos < 4; ++pos)
    for (int c = 0; c < 256; ++c) d.t[pos][c] = kBad;
  for (uint32_t i = 0; i < 64; ++i) {
    const auto c = static_cast<unsigned char>(kAlphabet[i]);
    d.t[0][c] = i << 18;
    d.t[1][c] = i << 12;
    d.t[2][c] = i << 6;
    d.t[3][c] = i;
  }
  return d;
}
constexpr DecodeTables kDecode = MakeDecodeTables();

}  // namespace

void Base64Encode(std::string_view bytes, std::string& out) {
  const size_t start = out.size();
  out.resize(start + Base64EncodedSize(bytes.size()));
  char* o = out.data() + start;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  for (; n >= 3; n -= 3, p += 3, o += 4) {
    const uint32_t v = (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
    o[0] = kAlphabet[v >> 18];
    o[1] = kAlphabet[(v >> 12) & 63];
    o[2] = kAlphabet[(v >> 6) & 63];
    o[3] = kAlphabet[v & 63];
  }
  if (n == 1) {
    const uint32_t v = uint32_t{p[0]} << 16;
    o[0] = kAlphabet[v >> 18];
    o[1] = kAlphabet[(v >> 12) & 63];
    o[2] = '=';
    o[3] = '=';
  } else if (n == 2) {
    const uint32_t v = (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8);
    o[0] = kAlphabet[v >> 18];
    o[1] = kAlphabet[(v >> 12) & 63];
    o[2] = kAlphabet[(v >> 6) & 63];
    o[3] = '=';
  }
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  Base64Encode(bytes, out);
  return out;
}

std::optional<size_t> Base64Decode(std::string_view in, char* out) {
  const size_t n = in.size();
  if (n % 4 != 0) return std::nullopt;
  if (n == 0) return 0;
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  auto* o = reinterpret_cast<unsigned char*>(out);
  // All quanta but the last can't contain padding. Two quanta per step share one
  // validity branch (a bad symbol sets the top bit, which survives the OR).
  const size_t full = n / 4 - 1;
  size_t q = 0;
  for (; q + 2 <= full; q += 2, p += 8, o += 6) {
    const uint32_t v =
        kDecode.t[0][p[0]] | kDecode.t[1][p[1]] | kDecode.t[2][p[2]] | kDecode.t[3][p[3]];
    const uint32_t w =
        kDecode.t[0][p[4]] | kDecode.t[1][p[5]] | kDecode.t[2][p[6]] | kDecode.t[3][p[7]];
    if ((v | w) & kBadBit) return std::nullopt;
    o[0] = static_cast<unsigned char>(v >> 16);
    o[1] = static_cast<unsigned char>(v >> 8);
    o[2] = static_cast<unsigned char>(v);
    o[3] = static_cast<unsigned char>(w >> 16);
    o[4] = static_cast<unsigned char>(w >> 8);
    o[5] = static_cast<unsigned char>(w);
  }
  for (; q < full; ++q, p += 4, o += 3) {
    const uint32_t v =
        kDecode.t[0][p[0]] | kDecode.t[1][p[1]] | kDecode.t[2][p[2]] | kDecode.t[3][p[3]];
    if (v == kBad || (v >> 24) != 0) return std::nullopt;
    o[0] = static_cast<unsigned char>(v >> 16);
    o[1] = static_cast<unsigned char>(v >> 8);
    o[2] = static_cast<unsigned char>(v);
  }
  // Last quantum: "xxxx", "xxx=" or "xx==".
  const uint32_t a = kDecode.t[0][p[0]], b = kDecode.t[1][p[1]];
  if ((a | b) == kBad || ((a | b) >> 24) != 0) return std::nullopt;
  size_t written = full * 3;
  if (p[2] == '=') {
    if (p[3] != '=') return std::nullopt;
    const uint32_t v = a | b;
    if (v & 0xffff) return std::nullopt;  // non-zero unused bits
    o[0] = static_cast<unsigned char>(v >> 16);
    return written + 1;
  }
  const uint32_t c = kDecode.t[2][p[2]];
  if (c == kBad) return std::nullopt;
  if (p[3] == '=') {
    const uint32_t v = a | b | c;
    if (v & 0xff) return std::nullopt;
    o[0] = static_cast<unsigned char>(v >> 16);
    o[1] = static_cast<unsigned char>(v >> 8);
    return written + 2;
  }
  const uint32_t d = kDecode.t[3][p[3]];
  if (d == kBad) return std::nullopt;
  const uint32_t v = a | b | c | d;
  o[0] = static_cast<unsigned char>(v >> 16);
  o[1] = static_cast<unsigned char>(v >> 8);
  o[2] = static_cast<unsigned char>(v);
  return written + 3;
}

std::optional<std::string> Base64Decode(std::string_view in) {
  std::string out(Base64MaxDecodedSize(in.size()), '\0');
  auto n = Base64Decode(in, out.data());
  if (!n) return std::nullopt;
  out.resize(*n);
  return out;
}

}  // namespace fluxgate
