// The one source of randomness: a seeded 64-bit Mersenne Twister passed explicitly to whoever draws.
// Draws are spelled out here (not std:: distributions) so that a seed gives the same model on every
// standard library.
#pragma once

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
