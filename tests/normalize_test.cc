#include "ecgad/normalize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

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

namespace ecgad {
namespace {

// Rows of 4: [1, 2, 3, 6] has mean 3 and sample variance (4 + 1 + 0 + 9) / 3 = 14/3.
TEST(BeatNormalization, ZscoreUsesTheSampleStandardDeviationAsUcr) {
  std::vector<double> v = {1, 2, 3, 6, 5, 5, 5, 5};
  normalize_beats(v.data(), 2, 4, BeatNormalization::zscore);
  const double s = std::sqrt(14.0 / 3);
  EXPECT_DOUBLE_EQ(v[0], -2 / s);
  EXPECT_DOUBLE_EQ(v[1], -1 / s);
  EXPECT_DOUBLE_EQ(v[2], 0.0);
  EXPECT_DOUBLE_EQ(v[3], 3 / s);
  EXPECT_EQ(std::vector<double>(v.begin() + 4, v.end()), std::vector<double>(4, 0.0));  // a flat row
  std::vector<double> again = v;
  normalize_beats(again.data(), 2, 4, BeatNormalization::zscore);
  for (std::size_t i = 0; i < v.size(); ++i) EXPECT_NEAR(again[i], v[i], 1e-15);  // idempotent
}

TEST(BeatNormalization, MinmaxAndNoneAndNames) {
  std::vector<double> v = {1, 2, 3, 6, -1, -1, -1, -1};
  normalize_beats(v.data(), 2, 4, BeatNormalization::minmax);
  EXPECT_EQ(v, (std::vector<double>{0, 0.2, 0.4, 1, 0, 0, 0, 0}));
  std::vector<double> w = {1, 2};
  normalize_beats(w.data(), 1, 2, BeatNormalization::none);
  EXPECT_EQ(w, (std::vector<double>{1, 2}));
  for (const char* name : {"none", "zscore", "minmax"}) {
    EXPECT_STREQ(to_string(parse_beat_normalization(name)), name);
  }
  try {
    parse_beat_normalization("z");
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "unknown beat normalisation 'z' (expected none, zscore or minmax)");
  }
}

// The first row of ECG5000 (data/ecg.csv, last column the label) is already z-normalised: zscore keeps it.
TEST(BeatNormalization, Ecg5000RowsAreAlreadyZscored) {
  std::ifstream in(ECGAD_SOURCE_DIR "/data/ecg.csv");
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  std::vector<double> row;
  std::stringstream fields(line);
  for (std::string f; std::getline(fields, f, ',');) row.push_back(std::stod(f));
  row.pop_back();
  std::vector<double> z = row;
  normalize_beats(z.data(), 1, z.size(), BeatNormalization::zscore);
  for (std::size_t i = 0; i < row.size(); ++i) EXPECT_NEAR(z[i], row[i], 1e-6) << i;
}

}  // namespace
}  // namespace ecgad
