// float_math's functions against the standard library in double (their accuracy), against themselves one value
// at a time (a vectorized loop and a scalar call give the same bits), and at the edges of their ranges.
#include "ecgad/float_math.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace ecgad {
namespace {

// Units in the last place of float between a float result and the exact value (a double).
double ulps(float got, double exact) {
  const double ulp = std::ldexp(1.0, std::ilogb(static_cast<float>(exact)) - 23);
  return std::abs(static_cast<double>(got) - exact) / ulp;
}

// Inputs spread over [lo, hi], the ends included.
std::vector<float> grid(float lo, float hi, int n) {
  std::vector<float> x(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    x[static_cast<std::size_t>(i)] = lo + (hi - lo) * static_cast<float>(i) / static_cast<float>(n - 1);
  return x;
}

// One value at a time, kept out of any vectorized loop.
template <float (*F)(float)>
[[gnu::noinline]] float one(float x) {
  return F(x);
}

float f_exp(float x) { return float_math::exp(x); }
float f_expm1(float x) { return float_math::expm1(x); }
float f_log(float x) { return float_math::log(x); }
float f_log1p(float x) { return float_math::log1p(x); }
float f_sigmoid(float x) { return float_math::sigmoid(x); }
float f_softplus(float x) { return float_math::softplus(x); }

// The loop over the whole array (vectorized where the compiler can) gives the bits of one call per value.
template <float (*F)(float)>
void expect_loop_matches_calls(const std::vector<float>& x) {
  std::vector<float> y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = F(x[i]);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float single = one<F>(x[i]);
    ASSERT_EQ(std::memcmp(&y[i], &single, sizeof single), 0) << "x = " << x[i];
  }
}

TEST(FloatMath, ExpWithinTwoUlpsAndSaturatesInsteadOfOverflowing) {
  double worst = 0;
  for (float x : grid(-87.0f, 88.0f, 200001)) worst = std::max(worst, ulps(float_math::exp(x), std::exp(double(x))));
  EXPECT_LE(worst, 2.0);
  EXPECT_EQ(float_math::exp(0.0f), 1.0f);
  EXPECT_FLOAT_EQ(float_math::exp(1000.0f), float_math::exp(88.3f));
  EXPECT_TRUE(std::isfinite(float_math::exp(1000.0f)));
  EXPECT_GT(float_math::exp(-1000.0f), 0.0f);
  EXPECT_TRUE(std::isnan(float_math::exp(std::numeric_limits<float>::quiet_NaN())));
  expect_loop_matches_calls<f_exp>(grid(-100.0f, 100.0f, 4099));
}

TEST(FloatMath, Expm1KeepsSmallArguments) {
  double worst = 0;
  for (float x : grid(-10.0f, 10.0f, 100001))
    worst = std::max(worst, ulps(float_math::expm1(x), std::expm1(double(x))));
  EXPECT_LE(worst, 3.0);
  // Where e^x - 1 in float would give 0 or a few bits, expm1 keeps x to the last bit.
  for (float x : {1e-10f, -3e-8f, 2e-6f}) EXPECT_LE(ulps(float_math::expm1(x), std::expm1(double(x))), 1.0) << x;
  expect_loop_matches_calls<f_expm1>(grid(-2.0f, 2.0f, 4099));
}

TEST(FloatMath, LogOverEveryBinade) {
  double worst = 0;
  for (float e = -126; e <= 127; e += 1) {
    for (float m : grid(1.0f, 1.99f, 1001)) {
      const float x = std::ldexp(m, static_cast<int>(e));
      worst = std::max(worst, std::abs(double(float_math::log(x)) - std::log(double(x))) /
                                  std::max(1.0, std::abs(std::log(double(x)))) / 0x1p-23);
    }
  }
  EXPECT_LE(worst, 2.0);  // ulps of the result, or of 1 near x = 1 where the result crosses 0
  EXPECT_EQ(float_math::log(1.0f), 0.0f);
  expect_loop_matches_calls<f_log>(grid(1e-7f, 3.0f, 4099));
}

TEST(FloatMath, Log1pAndSoftplus) {
  double worst = 0;
  for (float x : grid(0.0f, 1.0f, 100001)) worst = std::max(worst, ulps(float_math::log1p(x), std::log1p(double(x))));
  EXPECT_LE(worst, 3.0);
  EXPECT_EQ(float_math::log1p(1e-30f), 1e-30f);  // not 0, as log(1 + x) would give
  for (float x : grid(-50.0f, 50.0f, 10001)) {
    const double exact = std::max(double(x), 0.0) + std::log1p(std::exp(-std::abs(double(x))));
    EXPECT_LE(ulps(float_math::softplus(x), exact), 3.0) << x;
  }
  EXPECT_EQ(float_math::softplus(1e30f), 1e30f);  // no overflow
  expect_loop_matches_calls<f_log1p>(grid(0.0f, 1.0f, 4099));
  expect_loop_matches_calls<f_softplus>(grid(-30.0f, 30.0f, 4099));
}

TEST(FloatMath, SigmoidAccurateSymmetricAndBounded) {
  double worst = 0;
  for (float x : grid(-80.0f, 80.0f, 200001)) {
    worst = std::max(worst, ulps(float_math::sigmoid(x), 1.0 / (1.0 + std::exp(-double(x)))));
    EXPECT_NEAR(float_math::sigmoid(x) + float_math::sigmoid(-x), 1.0f, 1.2e-7f) << x;
  }
  EXPECT_LE(worst, 3.0);
  EXPECT_EQ(float_math::sigmoid(0.0f), 0.5f);
  EXPECT_EQ(float_math::sigmoid(1e30f), 1.0f);
  EXPECT_GE(float_math::sigmoid(-1e30f), 0.0f);
  EXPECT_TRUE(std::isnan(float_math::sigmoid(std::numeric_limits<float>::quiet_NaN())));
  expect_loop_matches_calls<f_sigmoid>(grid(-40.0f, 40.0f, 4099));
}

TEST(FloatMath, OrderedSumAddsInItsDocumentedOrder) {
  // Hand-made terms whose float sum depends on the order: 1e16 then 1 then -1e16 ... The documented order:
  // 16 running sums, lane l taking i = l, l + 16, ...; the lanes added in order; then the tail in order.
  std::vector<double> terms(37);
  for (std::size_t i = 0; i < terms.size(); ++i) {
    terms[i] = (i % 3 == 0 ? 1e16 : 1.0) * (i % 2 == 0 ? 1 : -1) + static_cast<double>(i);
  }
  double lanes[16] = {};
  for (std::size_t i = 0; i < 32; ++i) lanes[i % 16] += terms[i];
  double expected = 0;
  for (double lane : lanes) expected += lane;
  for (std::size_t i = 32; i < terms.size(); ++i) expected += terms[i];
  const double got = float_math::ordered_sum(37, [&](std::ptrdiff_t i) { return terms[static_cast<std::size_t>(i)]; });
  EXPECT_EQ(got, expected);
  EXPECT_EQ(float_math::ordered_sum(0, [](std::ptrdiff_t) { return 1.0; }), 0.0);
  EXPECT_EQ(float_math::ordered_sum(5, [](std::ptrdiff_t i) { return float(i); }), 10.0);
  EXPECT_EQ(float_math::ordered_mean(std::vector<double>{1, 2, 6}), 3.0);
}

}  // namespace
}  // namespace ecgad
