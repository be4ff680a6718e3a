#include "ecgad/normalize.h"

#include <gtest/gtest.h>

#include "ecgad/error.h"

namespace ecgad {
namespace {

TEST(Normalize, GlobalMinMaxOnHandWorkedNumbers) {
  // rows {-2, 0, 6} and {1, 2, 4}: global min -2, max 6, range 8.
  std::vector<double> x = {-2, 0, 6, 1, 2, 4};
  MinMaxScaler s = MinMaxScaler::fit(x.data(), 2, 3, false);
  ASSERT_EQ(s.min.size(), 1u);
  EXPECT_EQ(s.min[0], -2);
  EXPECT_EQ(s.max[0], 6);
  std::vector<float> out(6);
  s.transform(x.data(), 2, 3, out.data());
  std::vector<float> expected = {0.0f, 0.25f, 1.0f, 0.375f, 0.5f, 0.75f};
  EXPECT_EQ(out, expected);
}

TEST(Normalize, PerColumnOnHandWorkedNumbers) {
  std::vector<double> x = {0, 10, 4, 30};  // columns {0, 4} and {10, 30}
  MinMaxScaler s = MinMaxScaler::fit(x.data(), 2, 2, true);
  EXPECT_EQ(s.min, (std::vector<double>{0, 10}));
  EXPECT_EQ(s.max, (std::vector<double>{4, 30}));
  std::vector<double> later = {2, 20, 8, 0};
  std::vector<float> out(4);
  s.transform(later.data(), 2, 2, out.data());
  // Outside the fitted range is not clipped: 8 -> 2.0, 0 -> -0.5.
  EXPECT_EQ(out, (std::vector<float>{0.5f, 0.5f, 2.0f, -0.5f}));
}

TEST(Normalize, ComputesInDoubleThenRoundsToFloat) {
  // (0.1 - 0) / (0.3 - 0) in double is 0.33333333333333337; as float that is 0.333333343f.
  std::vector<double> x = {0.0, 0.1, 0.3};
  MinMaxScaler s = MinMaxScaler::fit(x.data(), 1, 3, false);
  std::vector<float> out(3);
  s.transform(x.data(), 1, 3, out.data());
  EXPECT_EQ(out[1], static_cast<float>(0.1 / 0.3));
}

TEST(Normalize, ZeroRangeIsAClearError) {
  std::vector<double> flat = {5, 5, 5, 5};
  EXPECT_THROW(MinMaxScaler::fit(flat.data(), 2, 2, false), Error);
  std::vector<double> one_flat_column = {1, 5, 2, 5};
  try {
    MinMaxScaler::fit(one_flat_column.data(), 2, 2, true);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("column 2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(MinMaxScaler::fit(flat.data(), 0, 2, false), Error);
}

TEST(Normalize, PerColumnRefusesOtherWidth) {
  std::vector<double> x = {0, 1, 2, 3};
  MinMaxScaler s = MinMaxScaler::fit(x.data(), 2, 2, true);
  std::vector<float> out(3);
  EXPECT_THROW(s.transform(x.data(), 1, 3, out.data()), Error);
}

}  // namespace
}  // namespace ecgad
