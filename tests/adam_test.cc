#include "ecgad/adam.h"

#include <gtest/gtest.h>

namespace ecgad {
namespace {

// Two Adam steps worked by hand (Keras' formula, in double with Python's math module):
// t=1, g=(0.5, -0.1): m=(0.05, -0.01), v=(2.5e-4, 1e-5), lr_t = 0.1*sqrt(0.001)/0.1,
//   p = (0.9000006324515321, -1.9000031621776634)
// t=2, g=(-0.2, 0.3): m=(0.025, 0.021), v=(2.8975e-4, 9.999e-5),
//   p = (0.8654402506933558, -1.9494216512977696)
TEST(Adam, TwoStepsMatchHandComputedNumbers) {
  AdamOptions options;
  options.learning_rate = 0.1;
  Adam adam(2, options);
  AlignedVector<float> params = {1.0f, -2.0f};
  adam.step(params, AlignedVector<float>{0.5f, -0.1f});
  EXPECT_NEAR(adam.m[0], 0.05, 1e-8);
  EXPECT_NEAR(adam.v[1], 1e-5, 1e-11);
  EXPECT_NEAR(params[0], 0.9000006324515321, 1e-6);
  EXPECT_NEAR(params[1], -1.9000031621776634, 1e-6);
  adam.step(params, AlignedVector<float>{-0.2f, 0.3f});
  EXPECT_NEAR(adam.m[1], 0.021, 1e-8);
  EXPECT_NEAR(adam.v[0], 2.8975e-4, 1e-10);
  EXPECT_NEAR(params[0], 0.8654402506933558, 1e-6);
  EXPECT_NEAR(params[1], -1.9494216512977696, 1e-6);
  EXPECT_EQ(adam.steps, 2);
}

TEST(Adam, EpsilonMattersForTinyGradients) {
  // Keras adds epsilon to sqrt(v) before bias correction: the first step with g = 1e-7 moves by
  // lr_t * m / (sqrt(v) + eps) = 3.0653e-5 (by hand, in Python). PyTorch's placement (eps added to the
  // bias-corrected root) would move by lr / 2 = 5e-4.
  AdamOptions options;
  options.learning_rate = 1e-3;
  Adam adam(1, options);
  AlignedVector<float> params = {0.0f};
  adam.step(params, AlignedVector<float>{1e-7f});
  EXPECT_NEAR(params[0], -3.0653430031715125e-05, 1e-10);
}

TEST(Adam, ZeroGradientLeavesParametersAlone) {
  Adam adam(3, AdamOptions{});
  AlignedVector<float> params = {1.0f, 2.0f, 3.0f};
  adam.step(params, AlignedVector<float>{0.0f, 0.0f, 0.0f});
  EXPECT_EQ(params, (AlignedVector<float>{1.0f, 2.0f, 3.0f}));
}

}  // namespace
}  // namespace ecgad
