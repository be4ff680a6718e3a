#include "ecgad/split.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "ecgad/error.h"
#include "test_util.h"

namespace ecgad {
namespace {

struct Fixture {
  std::vector<std::size_t> test, train;
};

// Fixture layout: two comment lines, then test indices, then train indices (space separated).
bool read_fixture(const std::string& name, Fixture& out) {
  std::ifstream in(test::fixture_path(name));
  if (!in) return false;
  std::string line;
  std::vector<std::vector<std::size_t>*> targets = {&out.test, &out.train};
  std::size_t target = 0;
  while (std::getline(in, line) && target < targets.size()) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::size_t index;
    while (fields >> index) targets[target]->push_back(index);
    ++target;
  }
  return target == targets.size();
}

void expect_matches_fixture(const std::string& name, std::size_t n, double test_size, std::uint32_t seed) {
  Fixture expected;
  ASSERT_TRUE(read_fixture(name, expected))
      << "fixture " << name << " not found in " ECGAD_SOURCE_DIR "/tests/fixtures";
  SplitIndices split = train_test_split(n, test_size, seed);
  EXPECT_EQ(split.test, expected.test);
  EXPECT_EQ(split.train, expected.train);
}

TEST(Split, MatchesSklearnOnTenRows) { expect_matches_fixture("split_n10_test0.3_seed0.txt", 10, 0.3, 0); }

TEST(Split, MatchesSklearnOnThousandRows) {
  expect_matches_fixture("split_n1000_test0.25_seed12345.txt", 1000, 0.25, 12345);
}

TEST(Split, MatchesSklearnOnEcg5000TutorialSplit) {
  expect_matches_fixture("ecg5000_split_test0.2_seed21.txt", 4998, 0.2, 21);
  SplitIndices split = train_test_split(4998, 0.2, 21);
  ASSERT_EQ(split.test.size(), 1000u);
  EXPECT_EQ(split.test.front(), 106u);  // stated in the tutorial issue
  EXPECT_EQ(split.train.size(), 3998u);
}

TEST(Split, NumpyRandomStateFirstDrawsMatchNumpy) {
  // numpy: np.random.RandomState(0).randint(0, 2**32, size=3, dtype=np.uint64) draws raw 32-bit words:
  // 2357136044, 2546248239, 3071714933 (also std::mt19937(0)'s first outputs).
  NumpyRandomState rng(0);
  EXPECT_EQ(rng.next_uint32(), 2357136044u);
  EXPECT_EQ(rng.next_uint32(), 2546248239u);
  EXPECT_EQ(rng.next_uint32(), 3071714933u);
}

TEST(Split, RandomIntervalStaysInRange) {
  NumpyRandomState rng(7);
  for (std::uint64_t max : {1ull, 2ull, 5ull, 1000ull, 0xffffffffull, 0x1ffffffffull}) {
    for (int i = 0; i < 200; ++i) EXPECT_LE(rng.random_interval(max), max);
  }
  EXPECT_EQ(rng.random_interval(0), 0u);
}

TEST(Split, TestCountFollowsSklearn) {
  EXPECT_EQ(test_count(4998, 0.2), 1000u);  // ceil(999.6)
  EXPECT_EQ(test_count(10, 0.3), 3u);
  EXPECT_EQ(test_count(10, 0.25), 3u);  // ceil(2.5)
  EXPECT_EQ(test_count(10, 4.0), 4u);   // a whole number is a row count
  EXPECT_THROW(test_count(10, 0.0), Error);
  EXPECT_THROW(test_count(10, 1.5), Error);
  EXPECT_THROW(test_count(10, 10.0), Error);
  EXPECT_THROW(test_count(10, -0.2), Error);
  EXPECT_THROW(test_count(1, 0.5), Error);  // ceil(0.5) = 1 leaves no training row
}

}  // namespace
}  // namespace ecgad
