// CBOR (RFC 8949): a writer that appends encoded items to a string, and a strict
// streaming decoder that reports items to a visitor.
//
// Used by the Kinesis API for `application/x-amz-cbor-1.1` (cbor_json.h); nothing in here
// knows about Kinesis, so it can move to common/ once another subsystem needs it.
//
// The decoder checks well-formedness (RFC 8949 §3, Appendix F) and the validity rules a
// generic decoder can check: reserved additional-information values, a break outside an
// indefinite-length item, indefinite-length string chunks of the wrong type, odd
// indefinite-length maps, two-byte simple values below 32, text that is not UTF-8,
// trailing bytes after the item, lengths larger than the input, and nesting deeper than
// DecodeLimits::max_depth. Errors are InvalidArgument statuses naming the byte offset.
// Definite-length strings are handed to the visitor as views into the input; chunks of an
// indefinite-length string are joined into one value first.
//
// Stateless functions and single-use objects; thread-safe as long as each Writer and
// Visitor is used by one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace fluxgate::cbor {

enum class Major : uint8_t {
  kUnsigned = 0,
  kNegative = 1,
  kBytes = 2,
  kText = 3,
  kArray = 4,
  kMap = 5,
  kTag = 6,
  kSimple = 7,  // also floats and the break code
};

// Tag numbers the Kinesis protocol mapping cares about.
inline constexpr uint64_t kTagDateTimeString = 0;
inline constexpr uint64_t kTagEpochTime = 1;

// Appends CBOR to a caller-owned string. Integers and lengths use the shortest argument
// form (preferred serialization, RFC 8949 §4.1). The caller keeps nesting well formed:
// a definite container must be followed by exactly the announced number of items.
class Writer {
 public:
  // `out` must outlive the writer; output is appended.
  explicit Writer(std::string& out) : out_(out) {}

  Writer& Uint(uint64_t v) { return Head(Major::kUnsigned, v); }
  Writer& Int(int64_t v);
  // The negative integer -1 - n (covers -2^64 .. -1).
  Writer& NegativeMinusOne(uint64_t n) { return Head(Major::kNegative, n); }
  Writer& Bytes(std::string_view bytes);
  Writer& Text(std::string_view utf8);
  Writer& BeginArray(uint64_t items) { return Head(Major::kArray, items); }
  Writer& BeginMap(uint64_t pairs) { return Head(Major::kMap, pairs); }
  Writer& BeginIndefinite(Major type);  // kBytes, kText, kArray or kMap
  Writer& Break();
  Writer& Tag(uint64_t tag) { return Head(Major::kTag, tag); }
  Writer& Bool(bool v);
  Writer& Null();
  Writer& Undefined();
  Writer& Simple(uint8_t v);  // 0..19 or 32..255 (20..31 are reserved or floats)
  // The shortest of half, single and double precision that holds `v` exactly (NaN is
  // written as the half-precision quiet NaN f97e00).
  Writer& Double(double v);
  // Always 8 bytes (major 7, additional information 27).
  Writer& Float64(double v);

  std::string& out() { return out_; }

 private:
  Writer& Head(Major type, uint64_t arg);
  std::string& out_;
};

// Receives the items of a CBOR data item in order. Returning a non-OK status stops the
// decode, and Decode returns that status unchanged.
class Visitor {
 public:
  virtual ~Visitor() = default;
  virtual Status Uint(uint64_t v) = 0;
  // The negative integer -1 - n.
  virtual Status NegativeMinusOne(uint64_t n) = 0;
  virtual Status Bytes(std::string_view bytes) = 0;
  virtual Status Text(std::string_view utf8) = 0;
  // `items` / `pairs` is nullopt for an indefinite-length container.
  virtual Status BeginArray(std::optional<uint64_t> items) = 0;
  virtual Status EndArray() = 0;
  virtual Status BeginMap(std::optional<uint64_t> pairs) = 0;
  virtual Status EndMap() = 0;
  // Precedes the tagged item.
  virtual Status Tag(uint64_t tag) = 0;
  virtual Status Bool(bool v) = 0;
  virtual Status Null() = 0;
  virtual Status Undefined() = 0;
  virtual Status Simple(uint8_t v) = 0;  // unassigned simple values
  virtual Status Float(double v) = 0;    // half, single and double, widened
};

struct DecodeLimits {
  // Arrays, maps and tags each add a level; the top-level item is level 1.
  uint32_t max_depth = 64;
};

// Decodes exactly one data item spanning all of `in`.
Status Decode(std::string_view in, Visitor& visitor, const DecodeLimits& limits = {});

// The item in diagnostic notation (RFC 8949 §8), for tests and log lines: 1, -1, 1.5,
// h'0102', "text", [1, 2], {"a": 1}, [_ 1], {_ "a": 1}, 1(1363896240), true, null,
// undefined, simple(16). Indefinite-length strings show their joined value.
Result<std::string> ToDiagnostic(std::string_view in, const DecodeLimits& limits = {});

// IEEE 754 half precision bits to double (subnormals, infinities and NaN included).
double HalfToDouble(uint16_t half);

}  // namespace fluxgate::cbor
