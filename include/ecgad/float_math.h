// The elementary functions the models train with, in float, written as plain sequences of IEEE operations: no
// fused multiply-add (the library is built with -ffp-contract=off), no library call, no table. A loop over them
// gives the same bits scalar or vectorized, with SSE, AVX2 or AVX-512, in every build and on every CPU, which
// Eigen's exp and glibc's expf do not promise (their polynomials fuse where the instruction set has FMA). The
// double overloads are the standard library's: they serve the finite-difference checks, not training.
// Accuracy: within 2 to 3 ulp of the exact value over each function's stated domain (tests/float_math_test.cc
// measures it against double).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ecgad {
namespace float_math {

// e^x. Below -87.3 it gives e^-87.3 (1.2e-38) and above 88.3 e^88.3 (2.1e38): the range where 2^n, built from
// its exponent bits, stays a normal float.
// A NaN gives NaN.
inline float exp(float x) {
  const float xc = x > -87.3f ? (x < 88.3f ? x : 88.3f) : -87.3f;  // NaN too goes to -87.3: n stays a number
  const float n = std::floor(xc * 1.44269504088896341f + 0.5f);    // x / ln 2, to the nearest whole number
  // x - n ln 2 in two steps: n * 0.693359375 is exact (9 bits by at most 8), the rest of ln 2 comes after.
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  // Cephes' expf polynomial on |r| <= ln 2 / 2.
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e_r = p * (r * r) + r + 1.0f;
  const std::int32_t bits = (static_cast<std::int32_t>(n) + 127) << 23;  // 2^n, n in -126..127
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return x == x ? e_r * scale : x;
}

// e^x - 1, accurate near 0 (where e^x - 1 would cancel): a series below |x| = 0.5, exp beyond.
inline float expm1(float x) {
  float s = 1.0f / 40320;  // x + x^2/2! + ... + x^8/8!, Horner's form; the next term is below 2e-9 relative
  s = s * x + 1.0f / 5040;
  s = s * x + 1.0f / 720;
  s = s * x + 1.0f / 120;
  s = s * x + 1.0f / 24;
  s = s * x + 1.0f / 6;
  s = s * x + 0.5f;
  const float series = s * (x * x) + x;
  const float big = exp(x) - 1.0f;
  return std::fabs(x) < 0.5f ? series : big;
}

// log x for a positive normal x (callers keep x there; 0, a subnormal, inf or NaN give no meaningful value).
// Cephes' logf: x = m 2^k with m in [sqrt(1/2), sqrt(2)), a polynomial in m - 1, then k ln 2 in two parts.
inline float log(float x) {
  std::int32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  std::int32_t k = ((bits >> 23) & 0xff) - 127;
  std::int32_t mantissa_bits = (bits & 0x007fffff) | 0x3f800000;  // m in [1, 2)
  float m;
  std::memcpy(&m, &mantissa_bits, sizeof m);
  const bool halve = m > 1.41421356f;
  m = halve ? m * 0.5f : m;  // exact
  k = halve ? k + 1 : k;
  const float f = m - 1.0f;  // exact (Sterbenz)
  const float kf = static_cast<float>(k);
  const float f2 = f * f;
  float p = 7.0376836292e-2f;
  p = p * f - 1.1514610310e-1f;
  p = p * f + 1.1676998740e-1f;
  p = p * f - 1.2420140846e-1f;
  p = p * f + 1.4249322787e-1f;
  p = p * f - 1.6668057665e-1f;
  p = p * f + 2.0000714765e-1f;
  p = p * f - 2.4999993993e-1f;
  p = p * f + 3.3333331174e-1f;
  float y = p * f * f2;
  y = y + kf * -2.12194440e-4f;
  y = y - 0.5f * f2;
  return (f + y) + kf * 0.693359375f;
}

// log(1 + x) for x >= 0: log of 1 + x, corrected by x / ((1 + x) - 1) for the rounding of 1 + x (so that a
// tiny x gives x, not 0).
inline float log1p(float x) {
  const float u = 1.0f + x;
  const float rounded = u - 1.0f;
  return rounded == 0.0f ? x : log(u) * (x / rounded);
}

// 1 / (1 + e^-x), from e^-|x| so that nothing overflows: exactly symmetric, sigmoid(-x) = 1 - sigmoid(x) up to
// the last rounding.
inline float sigmoid(float x) {
  const float e = exp(-std::fabs(x));
  const float one_over = 1.0f / (1.0f + e);
  return x >= 0.0f ? one_over : e * one_over;
}

// log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|).
inline float softplus(float x) { return (x > 0.0f ? x : 0.0f) + log1p(exp(-std::fabs(x))); }

// The sum of term(i) for i = 0 .. n-1, in double, in an order the code fixes and that still vectorizes on any
// instruction set: 16 running sums, the l-th taking i = l, l + 16, l + 32, ..., added in order at the end, then
// the last n % 16 terms in order. (A plain loop would not vectorize; Eigen's sum() orders by the vector width.)
template <class Term>
double ordered_sum(std::ptrdiff_t n, Term term) {
  constexpr std::ptrdiff_t kLanes = 16;
  double lanes[kLanes] = {};
  std::ptrdiff_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (std::ptrdiff_t l = 0; l < kLanes; ++l) lanes[l] += static_cast<double>(term(i + l));
  }
  double sum = 0;
  for (double lane : lanes) sum += lane;
  for (; i < n; ++i) sum += static_cast<double>(term(i));
  return sum;
}

// The mean of a vector (anything with data() and size()), summed as ordered_sum sums.
template <class Vector>
double ordered_mean(const Vector& v) {
  const auto n = static_cast<std::ptrdiff_t>(v.size());
  if (n == 0) return 0;
  return ordered_sum(n, [&](std::ptrdiff_t i) { return v.data()[i]; }) / static_cast<double>(n);
}

inline double exp(double x) { return std::exp(x); }
inline double expm1(double x) { return std::expm1(x); }
inline double log(double x) { return std::log(x); }
inline double log1p(double x) { return std::log1p(x); }
inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
inline double softplus(double x) { return std::fmax(x, 0.0) + std::log1p(std::exp(-std::fabs(x))); }

}  // namespace float_math
}  // namespace ecgad
