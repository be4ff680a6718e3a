// The one source of randomness: a seeded 64-bit Mersenne Twister passed explicitly to whoever draws.
// Draws are spelled out here (not std:: distributions) so that a seed gives the same model on every
// standard library.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace ecgad {

struct Rng {
  explicit Rng(std::uint64_t seed) : engine(seed) {}
  std::mt19937_64 engine;

  // Uniform in [0, 1) with 24 random bits: exactly representable as a float.
  double uniform01() { return static_cast<double>(engine() >> 40) * 0x1.0p-24; }
  // Standard normal by Box-Muller, from two 53-bit uniforms in (0, 1): log never sees 0.
  double gaussian() {
    double u1 = (static_cast<double>(engine() >> 11) + 0.5) * 0x1.0p-53;
    double u2 = (static_cast<double>(engine() >> 11) + 0.5) * 0x1.0p-53;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  // Uniform integer in [0, n) by rejection, no modulo bias. n > 0.
  std::size_t below(std::size_t n) {
    std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t x;
    do {
      x = engine();
    } while (x >= limit);
    return static_cast<std::size_t>(x % n);
  }
  // Fisher-Yates shuffle.
  template <typename Index>
  void shuffle(std::vector<Index>& items) {
    for (std::size_t i = items.size(); i-- > 1;) std::swap(items[i], items[below(i + 1)]);
  }
};

}  // namespace ecgad
