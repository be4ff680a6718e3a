// Adam as Keras implements it: at step t, lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t) and
// theta -= lr_t * m / (sqrt(v) + epsilon), with epsilon outside the bias correction.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ecgad/layers.h"

namespace ecgad {

struct AdamOptions {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-7;
};

struct Adam {
  AdamOptions options;
  AlignedVector<float> m, v;  // first and second moment, one per parameter
  std::int64_t steps = 0;

  Adam(std::size_t parameter_count, AdamOptions adam_options);
  void step(AlignedVector<float>& params, const AlignedVector<float>& grads);
};

}  // namespace ecgad
