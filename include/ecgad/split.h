// Train/test split identical to scikit-learn's train_test_split(X, y, test_size=T, random_state=S)
// (shuffle=True, no stratify, integer seed): same rows, same order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace ecgad {

// numpy's legacy RandomState(seed): MT19937 seeded like std::mt19937(seed).
class NumpyRandomState {
 public:
  explicit NumpyRandomState(std::uint32_t seed) : mt_(seed) {}
  std::uint32_t next_uint32() { return static_cast<std::uint32_t>(mt_()); }
  // Uniform integer in [0, max] by masked rejection sampling (numpy's random_interval).
  std::uint64_t random_interval(std::uint64_t max);
  // numpy's RandomState.permutation(n): Fisher-Yates from the last index down.
  std::vector<std::size_t> permutation(std::size_t n);

 private:
  std::mt19937 mt_;
};

// How many rows go to the test part: ceil(test_size * n) for 0 < test_size < 1, or test_size itself when it
// is a whole number >= 1 (as sklearn). Throws ecgad::Error when either part would be empty.
std::size_t test_count(std::size_t n, double test_size);

struct SplitIndices {
  std::vector<std::size_t> train, test;  // row indices, in sklearn's order
};

SplitIndices train_test_split(std::size_t n, double test_size, std::uint32_t seed);

}  // namespace ecgad
