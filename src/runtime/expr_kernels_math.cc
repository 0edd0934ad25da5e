// The math functions beyond the core set (expr_kernels_scalar.cc): SIGN, TRUNCATE, EXP,
// LN, LOG10, LOG2, LOG(base, x), SIN, COS, TAN, RAND, GREATEST, LEAST. DOUBLE functions
// follow java.lang.Math (NaN / -Infinity outside the domain, no error).
#include <charconv>
#include <cmath>
#include <cstring>
#include <random>

#include "runtime/decimal.h"
#include "runtime/expr_kernels.h"

namespace fluxgate::runtime {
namespace {

// java.util.Random's 48-bit linear congruential generator, so RAND(seed) yields the same
// sequence as Flink's `new java.util.Random(seed).nextDouble()`.
class JavaRandom {
 public:
  explicit JavaRandom(int64_t seed) : seed_((static_cast<uint64_t>(seed) ^ kMultiplier) & kMask) {}
  double NextDouble() {
    const uint64_t hi = static_cast<uint64_t>(Next(26));
    const uint64_t lo = static_cast<uint64_t>(Next(27));
    return static_cast<double>((hi << 27) + lo) * 0x1.0p-53;
  }

 private:
  static constexpr uint64_t kMultiplier = 0x5DEECE66DULL;
  static constexpr uint64_t kMask = (uint64_t{1} << 48) - 1;
  uint32_t Next(int bits) {
    seed_ = (seed_ * kMultiplier + 0xB) & kMask;
    return static_cast<uint32_t>(seed_ >> (48 - bits));
  }
  uint64_t seed_;
};

struct RandState final : ExprState {
  explicit RandState(int64_t seed) : rng(seed) {}
  JavaRandom rng;
};

// Flink's truncate(double, n): BigDecimal.valueOf(x) (the shortest decimal text) cut to n
// fractional digits (n < 0: zeroes n integer digits), toward zero.
double TruncateDouble(double v, int64_t digits) {
  if (!std::isfinite(v)) return v;
  char b[400];
  auto res = std::to_chars(b, b + sizeof(b) - 1, v, std::chars_format::fixed);
  if (res.ec != std::errc()) return v;
  size_t len = static_cast<size_t>(res.ptr - b);
  const char* dot = static_cast<const char*>(std::memchr(b, '.', len));
  const size_t int_end = dot != nullptr ? static_cast<size_t>(dot - b) : len;
  if (digits >= 0) {
    if (dot != nullptr) len = std::min(len, int_end + (digits == 0 ? 0 : 1 + digits));
  } else {
    len = int_end;
    const size_t first_digit = b[0] == '-' ? 1 : 0;
    for (int64_t k = 0; k < -digits && len - k > first_digit; ++k) b[len - 1 - k] = '0';
  }
  double r = 0;
  std::from_chars(b, b + len, r);
  return r;
}

template <class T>
size_t Extreme(const ExprInstr& ins, const std::vector<const Column*>& regs, Column& out, size_t n,
               bool greatest) {
  for (size_t i = 0; i < n; ++i) {
    bool null = false;
    T best{};
    for (size_t j = 0; j < ins.in.size(); ++j) {
      const Column& c = *regs[ins.in[j]];
      if (c.IsNull(i)) {  // Flink: NULL if any argument is NULL
        null = true;
        break;
      }
      const T v = ColumnValue<T>(c, i);
      if (j == 0 || (greatest ? best < v : v < best)) best = v;
    }
    if (null) {
      out.AppendNull();
    } else {
      Put(out, best);
    }
  }
  return kNoError;
}

}  // namespace

std::unique_ptr<ExprState> MakeRandState(bool has_seed, int64_t seed) {
  if (!has_seed) {
    std::random_device rd;
    seed = static_cast<int64_t>((static_cast<uint64_t>(rd()) << 32) | rd());
  }
  return std::make_unique<RandState>(seed);
}

size_t RunMathKernel2(const ExprInstr& ins, const std::vector<const Column*>& regs, Column& out,
                      size_t n, const uint8_t* guard) {
  auto dbl = [&](double (*f)(double)) {
    return UnaryKernel<double, double>(*regs[ins.in[0]], out, n, guard, [f](double v, double* r) {
      *r = f(v);
      return Rc::kOk;
    });
  };
  switch (ins.sub) {
    case kRand: {
      if (ins.in.empty()) {  // constant (or no) seed: one generator for the program
        auto& st = *static_cast<RandState*>(ins.state.get());
        for (size_t i = 0; i < n; ++i) out.AppendDouble(st.rng.NextDouble());
        return kNoError;
      }
      // A per-row seed: a fresh java.util.Random(seed) per row, as Flink generates.
      return UnaryKernel<int64_t, double>(*regs[ins.in[0]], out, n, guard,
                                          [](int64_t seed, double* r) {
                                            *r = JavaRandom(seed).NextDouble();
                                            return Rc::kOk;
                                          });
    }
    case kGreatest:
    case kLeast: {
      const bool g = ins.sub == kGreatest;
      switch (out.physical()) {
        case PhysicalType::kBool:
          return Extreme<bool>(ins, regs, out, n, g);
        case PhysicalType::kInt64:
          return Extreme<int64_t>(ins, regs, out, n, g);
        case PhysicalType::kDouble:
          return Extreme<double>(ins, regs, out, n, g);
        case PhysicalType::kDecimal:
          return Extreme<int128>(ins, regs, out, n, g);
        case PhysicalType::kString:
          return Extreme<std::string_view>(ins, regs, out, n, g);
      }
      return kNoError;
    }
    case kExp:
      return dbl([](double v) { return std::exp(v); });
    case kLn:
      return dbl([](double v) { return std::log(v); });
    case kLog10:
      return dbl([](double v) { return std::log10(v); });
    case kLog2:
      return dbl([](double v) { return std::log(v) / std::log(2.0); });
    case kSin:
      return dbl([](double v) { return std::sin(v); });
    case kCos:
      return dbl([](double v) { return std::cos(v); });
    case kTan:
      return dbl([](double v) { return std::tan(v); });
    case kLogBase:
      return BinaryKernel<double, double, double>(*regs[ins.in[0]], *regs[ins.in[1]], out, n, guard,
                                                  [](double base, double x, double* r) {
                                                    *r = std::log(x) / std::log(base);
                                                    return Rc::kOk;
                                                  });
    default:
      break;
  }
  const Column& a = *regs[ins.in[0]];
  const int scale = ins.a;  // DECIMAL scale of input and result
  if (ins.sub == kSign) {
    switch (a.physical()) {
      case PhysicalType::kDouble:
        return UnaryKernel<double, double>(a, out, n, guard, [](double v, double* r) {
          *r = v > 0 ? 1.0 : (v < 0 ? -1.0 : v);  // Math.signum: keeps 0.0, -0.0 and NaN
          return Rc::kOk;
        });
      case PhysicalType::kDecimal: {
        const int128 one = Pow10(scale);
        return UnaryKernel<int128, int128>(a, out, n, guard, [=](int128 v, int128* r) {
          *r = v > 0 ? one : (v < 0 ? -one : 0);
          return Rc::kOk;
        });
      }
      default:
        return UnaryKernel<int64_t, int64_t>(a, out, n, guard, [](int64_t v, int64_t* r) {
          *r = v > 0 ? 1 : (v < 0 ? -1 : 0);
          return Rc::kOk;
        });
    }
  }
  // kTruncate
  const int64_t digits = ins.factor;
  switch (a.physical()) {
    case PhysicalType::kDouble:
      return UnaryKernel<double, double>(a, out, n, guard, [=](double v, double* r) {
        *r = TruncateDouble(v, digits);
        return Rc::kOk;
      });
    case PhysicalType::kDecimal: {
      const int64_t drop = scale - digits;
      return UnaryKernel<int128, int128>(a, out, n, guard, [=](int128 v, int128* r) {
        if (drop <= 0) {
          *r = v;
        } else if (drop > 38) {
          *r = 0;
        } else {
          *r = v - v % Pow10(static_cast<int>(drop));  // % truncates toward zero
        }
        return Rc::kOk;
      });
    }
    default:
      return UnaryKernel<int64_t, int64_t>(a, out, n, guard, [=](int64_t v, int64_t* r) {
        if (digits >= 0) {
          *r = v;
        } else if (digits < -18) {
          *r = 0;
        } else {
          int64_t m = 1;
          for (int64_t k = 0; k < -digits; ++k) m *= 10;
          *r = v - v % m;
        }
        return Rc::kOk;
      });
  }
}

}  // namespace fluxgate::runtime
