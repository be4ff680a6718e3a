#include "ecgad/split.h"

#include <cmath>
#include <string>
#include <utility>

#include "ecgad/error.h"

namespace ecgad {

std::uint64_t NumpyRandomState::random_interval(std::uint64_t max) {
  if (max == 0) return 0;
  std::uint64_t mask = max;
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  mask |= mask >> 32;
  std::uint64_t value;
  if (max <= 0xffffffffULL) {
    while ((value = (next_uint32() & mask)) > max) {
    }
  } else {
    // numpy's mt19937 next_uint64: two 32-bit draws, the first as the high word.
    do {
      std::uint64_t high = next_uint32();
      value = ((high << 32) | next_uint32()) & mask;
    } while (value > max);
  }
  return value;
}

std::vector<std::size_t> NumpyRandomState::permutation(std::size_t n) {
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  for (std::size_t i = n; i-- > 1;) {
    std::size_t j = static_cast<std::size_t>(random_interval(i));
    std::swap(order[i], order[j]);
  }
  return order;
}

std::size_t test_count(std::size_t n, double test_size) {
  double count;
  if (test_size > 0 && test_size < 1) {
    count = std::ceil(test_size * static_cast<double>(n));
  } else if (test_size >= 1 && std::floor(test_size) == test_size) {
    count = test_size;
  } else {
    throw Error("test size " + std::to_string(test_size) +
                " must be a fraction between 0 and 1 or a whole number of rows");
  }
  if (count >= static_cast<double>(n)) {
    throw Error("test size leaves no training rows (" + std::to_string(n) + " rows in all)");
  }
  return static_cast<std::size_t>(count);
}

SplitIndices train_test_split(std::size_t n, double test_size, std::uint32_t seed) {
  std::size_t n_test = test_count(n, test_size);
  std::vector<std::size_t> order = NumpyRandomState(seed).permutation(n);
  SplitIndices split;
  split.test.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_test));
  split.train.assign(order.begin() + static_cast<std::ptrdiff_t>(n_test), order.end());
  return split;
}

}  // namespace ecgad
