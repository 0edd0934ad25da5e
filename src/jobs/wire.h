// Little-endian framing helpers for checkpoint data: fixed-width integers and
// length-prefixed byte strings, and a bounds-checked reader that turns any truncation into
// a failed state instead of reading past the end.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace fluxgate::jobs {

inline void PutU32(std::string& out, uint32_t v) { out.append(reinterpret_cast<char*>(&v), 4); }
inline void PutU64(std::string& out, uint64_t v) { out.append(reinterpret_cast<char*>(&v), 8); }
inline void PutI64(std::string& out, int64_t v) { PutU64(out, static_cast<uint64_t>(v)); }
inline void PutBytes(std::string& out, std::string_view b) {
  PutU64(out, b.size());
  out.append(b);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  uint32_t U32() { return Fixed<uint32_t>(); }
  uint64_t U64() { return Fixed<uint64_t>(); }
  int64_t I64() { return static_cast<int64_t>(U64()); }
  std::string_view Bytes() {
    uint64_t n = U64();
    if (!ok_ || n > in_.size()) {
      ok_ = false;
      return {};
    }
    std::string_view b = in_.substr(0, n);
    in_.remove_prefix(n);
    return b;
  }
  bool ok() const { return ok_; }
  bool done() const { return in_.empty(); }

 private:
  template <class T>
  T Fixed() {
    T v{};
    if (in_.size() < sizeof v) {
      ok_ = false;
      return v;
    }
    std::memcpy(&v, in_.data(), sizeof v);
    in_.remove_prefix(sizeof v);
    return v;
  }
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace fluxgate::jobs
