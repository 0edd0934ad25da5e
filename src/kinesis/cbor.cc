#include "kinesis/cbor.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <vector>

namespace fluxgate::cbor {
namespace {

constexpr uint8_t kBreak = 0xff;

// Additional information values of the initial byte.
constexpr uint8_t kAi1Byte = 24, kAi2Bytes = 25, kAi4Bytes = 26, kAi8Bytes = 27;
constexpr uint8_t kAiIndefinite = 31;

// Half-precision bits of `f` if it is exactly representable there.
std::optional<uint16_t> ExactHalf(float f) {
  const uint32_t bits = std::bit_cast<uint32_t>(f);
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  const int exp = static_cast<int>((bits >> 23) & 0xff);
  const uint32_t mant = bits & 0x7fffff;
  if (exp == 0xff) return static_cast<uint16_t>(sign | 0x7c00 | (mant ? 0x200 : 0));
  if (exp == 0) {
    if (mant == 0) return sign;  // ±0; single subnormals are far below half's range
    return std::nullopt;
  }
  const int e = exp - 127;
  if (e >= -14 && e <= 15) {
    if (mant & 0x1fff) return std::nullopt;
    return static_cast<uint16_t>(sign | ((e + 15) << 10) | (mant >> 13));
  }
  if (e >= -24 && e < -14) {
    // Half subnormal: value = m * 2^-24 with m = (1.mant) * 2^(e+24), m < 1024.
    const uint32_t full = 0x800000 | mant;
    const int shift = -(e + 1);  // 14..23
    if (full & ((1u << shift) - 1)) return std::nullopt;
    return static_cast<uint16_t>(sign | (full >> shift));
  }
  return std::nullopt;
}

class Decoder {
 public:
  Decoder(std::string_view in, Visitor& v, const DecodeLimits& limits)
      : p_(reinterpret_cast<const uint8_t*>(in.data())),
        begin_(p_),
        end_(p_ + in.size()),
        v_(v),
        limits_(limits) {}

  Status Run() {
    if (p_ == end_) return Error("empty input");
    FG_RETURN_IF_ERROR(Item(1));
    if (p_ != end_) return Error(fmt::format("{} trailing byte(s) after the data item", end_ - p_));
    return Status::Ok();
  }

 private:
  size_t Offset() const { return static_cast<size_t>(p_ - begin_); }
  Status Error(std::string_view what) const {
    return Status::InvalidArgument(fmt::format("CBOR: {} at byte {}", what, Offset()));
  }
  size_t Remaining() const { return static_cast<size_t>(end_ - p_); }

  // Reads the argument following an initial byte with additional information `ai` (<= 27).
  Status Argument(uint8_t ai, uint64_t* out) {
    if (ai < kAi1Byte) {
      *out = ai;
      return Status::Ok();
    }
    const size_t n = size_t{1} << (ai - kAi1Byte);
    if (Remaining() < n) return Error("truncated argument");
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | p_[i];
    p_ += n;
    *out = v;
    return Status::Ok();
  }

  Status StringBody(uint64_t len, std::string_view* out) {
    if (len > Remaining()) return Error(fmt::format("string of {} bytes exceeds the input", len));
    *out = std::string_view(reinterpret_cast<const char*>(p_), len);
    p_ += len;
    return Status::Ok();
  }

  Status CheckUtf8(std::string_view s, size_t at) const {
    // Keys and partition keys are short and ASCII; a plain loop beats the SIMD
    // validator's dispatch for them.
    if (s.size() <= 64) {
      unsigned char any = 0;
      for (char c : s) any |= static_cast<unsigned char>(c);
      if (any < 0x80) return Status::Ok();
    }
    if (simdjson::validate_utf8(s.data(), s.size())) return Status::Ok();
    return Status::InvalidArgument(
        fmt::format("CBOR: text string is not valid UTF-8 at byte {}", at));
  }

  // An indefinite-length byte or text string: definite chunks of the same type until break.
  Status IndefiniteString(Major type) {
    std::string joined;
    while (true) {
      if (p_ == end_) return Error("truncated indefinite-length string (no break)");
      const uint8_t ib = *p_;
      if (ib == kBreak) {
        ++p_;
        break;
      }
      const size_t chunk_at = Offset();
      if (static_cast<Major>(ib >> 5) != type)
        return Error("chunk of an indefinite-length string has another major type");
      const uint8_t ai = ib & 0x1f;
      if (ai == kAiIndefinite) return Error("nested indefinite-length string chunk");
      if (ai > kAi8Bytes) return Error("reserved additional information value");
      ++p_;
      uint64_t len = 0;
      FG_RETURN_IF_ERROR(Argument(ai, &len));
      std::string_view chunk;
      FG_RETURN_IF_ERROR(StringBody(len, &chunk));
      // Each chunk must be valid UTF-8 on its own (RFC 8949 §3.2.3).
      if (type == Major::kText) FG_RETURN_IF_ERROR(CheckUtf8(chunk, chunk_at));
      joined.append(chunk);
    }
    return type == Major::kText ? v_.Text(joined) : v_.Bytes(joined);
  }

  Status Item(uint32_t depth) {
    if (p_ == end_) return Error("truncated input (data item expected)");
    const size_t at = Offset();
    const uint8_t ib = *p_++;
    const Major type = static_cast<Major>(ib >> 5);
    const uint8_t ai = ib & 0x1f;
    if (ai >= 28 && ai <= 30) {
      --p_;
      return Error(fmt::format("reserved additional information value {}", ai));
    }
    if (ai == kAiIndefinite) {
      switch (type) {
        case Major::kUnsigned:
        case Major::kNegative:
        case Major::kTag:
          --p_;
          return Error("indefinite length is not allowed for this major type");
        case Major::kSimple:
          --p_;
          return Error("break outside an indefinite-length item");
        case Major::kBytes:
        case Major::kText:
          return IndefiniteString(type);
        case Major::kArray:
        case Major::kMap:
          return IndefiniteContainer(type, depth);
      }
    }
    if (type == Major::kSimple) return SimpleOrFloat(ai);
    uint64_t arg = 0;
    FG_RETURN_IF_ERROR(Argument(ai, &arg));
    switch (type) {
      case Major::kUnsigned:
        return v_.Uint(arg);
      case Major::kNegative:
        return v_.NegativeMinusOne(arg);
      case Major::kBytes: {
        std::string_view s;
        FG_RETURN_IF_ERROR(StringBody(arg, &s));
        return v_.Bytes(s);
      }
      case Major::kText: {
        std::string_view s;
        FG_RETURN_IF_ERROR(StringBody(arg, &s));
        FG_RETURN_IF_ERROR(CheckUtf8(s, at));
        return v_.Text(s);
      }
      case Major::kArray:
      case Major::kMap: {
        if (depth > limits_.max_depth) return Error("nesting deeper than the limit");
        const bool map = type == Major::kMap;
        // Every item takes at least one byte: a count beyond the input is malformed, and
        // checking it first keeps a forged huge count from looping.
        const uint64_t items = map ? arg * 2 : arg;
        if (arg > Remaining() || items > Remaining())
          return Error(fmt::format("{} of {} items exceeds the input", map ? "map" : "array", arg));
        FG_RETURN_IF_ERROR(map ? v_.BeginMap(arg) : v_.BeginArray(arg));
        for (uint64_t i = 0; i < items; ++i) FG_RETURN_IF_ERROR(Item(depth + 1));
        return map ? v_.EndMap() : v_.EndArray();
      }
      case Major::kTag: {
        if (depth > limits_.max_depth) return Error("nesting deeper than the limit");
        FG_RETURN_IF_ERROR(v_.Tag(arg));
        if (p_ != end_ && *p_ == kBreak) return Error("tag without a tagged item");
        return Item(depth + 1);
      }
      default:
        return Error("unreachable major type");
    }
  }

  Status IndefiniteContainer(Major type, uint32_t depth) {
    if (depth > limits_.max_depth) return Error("nesting deeper than the limit");
    const bool map = type == Major::kMap;
    FG_RETURN_IF_ERROR(map ? v_.BeginMap(std::nullopt) : v_.BeginArray(std::nullopt));
    uint64_t n = 0;
    while (true) {
      if (p_ == end_) return Error("truncated indefinite-length container (no break)");
      if (*p_ == kBreak) {
        if (map && n % 2 != 0) return Error("indefinite-length map has a key without a value");
        ++p_;
        break;
      }
      FG_RETURN_IF_ERROR(Item(depth + 1));
      ++n;
    }
    return map ? v_.EndMap() : v_.EndArray();
  }

  Status SimpleOrFloat(uint8_t ai) {
    if (ai < 20) return v_.Simple(ai);
    switch (ai) {
      case 20:
        return v_.Bool(false);
      case 21:
        return v_.Bool(true);
      case 22:
        return v_.Null();
      case 23:
        return v_.Undefined();
      case kAi1Byte: {
        if (p_ == end_) return Error("truncated simple value");
        const uint8_t s = *p_;
        if (s < 32) return Error("two-byte simple value below 32");
        ++p_;
        return v_.Simple(s);
      }
      case kAi2Bytes:
      case kAi4Bytes:
      case kAi8Bytes: {
        uint64_t bits = 0;
        FG_RETURN_IF_ERROR(Argument(ai, &bits));
        double d;
        if (ai == kAi2Bytes)
          d = HalfToDouble(static_cast<uint16_t>(bits));
        else if (ai == kAi4Bytes)
          d = std::bit_cast<float>(static_cast<uint32_t>(bits));
        else
          d = std::bit_cast<double>(bits);
        return v_.Float(d);
      }
      default:
        return Error("reserved additional information value");
    }
  }

  const uint8_t* p_;
  const uint8_t* const begin_;
  const uint8_t* const end_;
  Visitor& v_;
  const DecodeLimits& limits_;
};

// Builds diagnostic notation. Containers remember whether they are maps (to place ": "
// between key and value) and how many items they have seen.
class DiagnosticVisitor : public Visitor {
 public:
  std::string out;

  Status Uint(uint64_t v) override {
    Before();
    out += std::to_string(v);
    return After();
  }
  Status NegativeMinusOne(uint64_t n) override {
    Before();
    const unsigned __int128 magnitude = static_cast<unsigned __int128>(n) + 1;
    if (magnitude >> 64) {
      out += "-18446744073709551616";
    } else {
      out += "-" + std::to_string(static_cast<uint64_t>(magnitude));
    }
    return After();
  }
  Status Bytes(std::string_view b) override {
    Before();
    static constexpr char kHex[] = "0123456789abcdef";
    out += "h'";
    for (unsigned char c : b) {
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
    out += "'";
    return After();
  }
  Status Text(std::string_view s) override {
    Before();
    out.push_back('"');
    for (char c : s) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
    return After();
  }
  Status BeginArray(std::optional<uint64_t> items) override {
    Before();
    out += items ? "[" : "[_ ";
    stack_.push_back({false, 0});
    return Status::Ok();
  }
  Status EndArray() override {
    stack_.pop_back();
    out += "]";
    return After();
  }
  Status BeginMap(std::optional<uint64_t> pairs) override {
    Before();
    out += pairs ? "{" : "{_ ";
    stack_.push_back({true, 0});
    return Status::Ok();
  }
  Status EndMap() override {
    stack_.pop_back();
    out += "}";
    return After();
  }
  Status Tag(uint64_t tag) override {
    Before();
    out += std::to_string(tag) + "(";
    tag_close_.push_back(stack_.size());
    just_tagged_ = true;  // the tagged item follows without a separator
    return Status::Ok();
  }
  Status Bool(bool v) override {
    Before();
    out += v ? "true" : "false";
    return After();
  }
  Status Null() override {
    Before();
    out += "null";
    return After();
  }
  Status Undefined() override {
    Before();
    out += "undefined";
    return After();
  }
  Status Simple(uint8_t v) override {
    Before();
    out += "simple(" + std::to_string(v) + ")";
    return After();
  }
  Status Float(double d) override {
    Before();
    if (std::isnan(d)) {
      out += "NaN";
    } else if (std::isinf(d)) {
      out += d > 0 ? "Infinity" : "-Infinity";
    } else {
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof(buf), d);
      std::string s(buf, r.ptr);
      // Diagnostic notation marks floats: 1.0 rather than 1, 1.0e+300 rather than 1e+300.
      const size_t e = s.find('e');
      const std::string mantissa = s.substr(0, e);
      if (mantissa.find('.') == std::string::npos)
        s.insert(e == std::string::npos ? s.size() : e, ".0");
      out += s;
    }
    return After();
  }

 private:
  struct Level {
    bool map;
    uint64_t seen;
  };
  // Separator before an item, unless a tag just opened (its item follows directly).
  void Before() {
    if (just_tagged_) {
      just_tagged_ = false;
      return;
    }
    if (stack_.empty()) return;
    Level& l = stack_.back();
    if (l.seen > 0) out += (l.map && l.seen % 2 == 1) ? ": " : ", ";
  }
  // Closes tags whose item just ended, then counts the item in its container.
  Status After() {
    while (!tag_close_.empty() && tag_close_.back() == stack_.size()) {
      tag_close_.pop_back();
      out += ")";
    }
    if (!stack_.empty()) ++stack_.back().seen;
    return Status::Ok();
  }

  std::vector<Level> stack_;
  std::vector<size_t> tag_close_;  // container depth at which each open tag was written
  bool just_tagged_ = false;
};

}  // namespace

double HalfToDouble(uint16_t half) {
  const int exp = (half >> 10) & 0x1f;
  const int mant = half & 0x3ff;
  double v;
  if (exp == 0)
    v = std::ldexp(mant, -24);
  else if (exp != 31)
    v = std::ldexp(mant + 1024, exp - 25);
  else
    v = mant == 0 ? INFINITY : NAN;
  return (half & 0x8000) ? -v : v;
}

Writer& Writer::Head(Major type, uint64_t arg) {
  const uint8_t mt = static_cast<uint8_t>(static_cast<uint8_t>(type) << 5);
  if (arg < kAi1Byte) {
    out_.push_back(static_cast<char>(mt | arg));
  } else if (arg <= 0xff) {
    const char b[2] = {static_cast<char>(mt | kAi1Byte), static_cast<char>(arg)};
    out_.append(b, 2);
  } else if (arg <= 0xffff) {
    const char b[3] = {static_cast<char>(mt | kAi2Bytes), static_cast<char>(arg >> 8),
                       static_cast<char>(arg)};
    out_.append(b, 3);
  } else if (arg <= 0xffffffff) {
    const char b[5] = {static_cast<char>(mt | kAi4Bytes), static_cast<char>(arg >> 24),
                       static_cast<char>(arg >> 16), static_cast<char>(arg >> 8),
                       static_cast<char>(arg)};
    out_.append(b, 5);
  } else {
    char b[9];
    b[0] = static_cast<char>(mt | kAi8Bytes);
    for (int i = 0; i < 8; ++i) b[1 + i] = static_cast<char>(arg >> (56 - 8 * i));
    out_.append(b, 9);
  }
  return *this;
}

Writer& Writer::Int(int64_t v) {
  if (v >= 0) return Head(Major::kUnsigned, static_cast<uint64_t>(v));
  // -1 - v without overflow for INT64_MIN: ~v as unsigned.
  return Head(Major::kNegative, ~static_cast<uint64_t>(v));
}

Writer& Writer::Bytes(std::string_view bytes) {
  Head(Major::kBytes, bytes.size());
  out_.append(bytes);
  return *this;
}

Writer& Writer::Text(std::string_view utf8) {
  Head(Major::kText, utf8.size());
  out_.append(utf8);
  return *this;
}

Writer& Writer::BeginIndefinite(Major type) {
  out_.push_back(static_cast<char>((static_cast<uint8_t>(type) << 5) | kAiIndefinite));
  return *this;
}

Writer& Writer::Break() {
  out_.push_back(static_cast<char>(kBreak));
  return *this;
}

Writer& Writer::Bool(bool v) {
  out_.push_back(static_cast<char>(v ? 0xf5 : 0xf4));
  return *this;
}

Writer& Writer::Null() {
  out_.push_back(static_cast<char>(0xf6));
  return *this;
}

Writer& Writer::Undefined() {
  out_.push_back(static_cast<char>(0xf7));
  return *this;
}

Writer& Writer::Simple(uint8_t v) {
  if (v < 24) {
    out_.push_back(static_cast<char>(0xe0 | v));
  } else {
    const char b[2] = {static_cast<char>(0xf8), static_cast<char>(v)};
    out_.append(b, 2);
  }
  return *this;
}

Writer& Writer::Double(double v) {
  if (std::isnan(v)) {
    const char b[3] = {static_cast<char>(0xf9), 0x7e, 0x00};
    out_.append(b, 3);
    return *this;
  }
  const float f = static_cast<float>(v);
  if (static_cast<double>(f) != v) return Float64(v);
  if (auto h = ExactHalf(f)) {
    const char b[3] = {static_cast<char>(0xf9), static_cast<char>(*h >> 8), static_cast<char>(*h)};
    out_.append(b, 3);
    return *this;
  }
  const uint32_t bits = std::bit_cast<uint32_t>(f);
  const char b[5] = {static_cast<char>(0xfa), static_cast<char>(bits >> 24),
                     static_cast<char>(bits >> 16), static_cast<char>(bits >> 8),
                     static_cast<char>(bits)};
  out_.append(b, 5);
  return *this;
}

Writer& Writer::Float64(double v) {
  const uint64_t bits = std::bit_cast<uint64_t>(v);
  char b[9];
  b[0] = static_cast<char>(0xfb);
  for (int i = 0; i < 8; ++i) b[1 + i] = static_cast<char>(bits >> (56 - 8 * i));
  out_.append(b, 9);
  return *this;
}

Status Decode(std::string_view in, Visitor& visitor, const DecodeLimits& limits) {
  return Decoder(in, visitor, limits).Run();
}

Result<std::string> ToDiagnostic(std::string_view in, const DecodeLimits& limits) {
  DiagnosticVisitor v;
  FG_RETURN_IF_ERROR(Decode(in, v, limits));
  return std::move(v.out);
}

}  // namespace fluxgate::cbor
