// Rng: a small, portable pseudo-random generator for the simulator.
//
// std::normal_distribution and friends are implementation-defined, so the same seed would
// give different telemetry on libstdc++ and libc++. This generator (SplitMix64 seeding
// xoshiro256**) and its own uniform/normal transforms produce identical sequences on every
// platform, which is what makes `--seed` runs reproducible.
//
// Thread-safety: none; one Rng per user.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>

namespace fluxgate::sim {

// One SplitMix64 step: a good 64-bit mixer, also used to derive independent sub-seeds.
inline uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& w : s_) w = SplitMix64(&seed);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 bits of precision.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n); the modulo bias is negligible for the small n used here.
  uint64_t Below(uint64_t n) { return Next() % n; }

  // Standard normal via Box-Muller; always consumes exactly two draws so that callers'
  // draw counts, and therefore their sequences, stay fixed.
  double Normal() {
    double u1 = 1.0 - Uniform();  // (0, 1]: log(0) is impossible
    double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace fluxgate::sim
