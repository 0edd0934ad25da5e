// Small helpers shared by the libFuzzer harnesses (fuzz/*_fuzzer.cc).
//
// A harness reports a broken invariant with FUZZ_CHECK, which prints the condition and
// aborts so libFuzzer saves the input as a crash. Header-only; no state.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(cond)                                                                     \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)

namespace fluxgate::fuzz {

inline std::string_view AsView(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits `in` at the first `sep`: returns the part before it and leaves the rest in `in`
// (all of `in`, and `in` empty, when there is no separator).
inline std::string_view TakeUntil(std::string_view& in, char sep) {
  size_t at = in.find(sep);
  std::string_view head = in.substr(0, at);
  in = at == std::string_view::npos ? std::string_view() : in.substr(at + 1);
  return head;
}

}  // namespace fluxgate::fuzz
