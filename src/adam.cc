#include "ecgad/adam.h"

#include <cmath>

namespace ecgad {

Adam::Adam(std::size_t parameter_count, AdamOptions adam_options)
    : options(adam_options), m(parameter_count, 0.0f), v(parameter_count, 0.0f) {}

void Adam::step(AlignedVector<float>& params, const AlignedVector<float>& grads) {
  ++steps;
  double t = static_cast<double>(steps);
  double lr_t =
      options.learning_rate * std::sqrt(1.0 - std::pow(options.beta2, t)) / (1.0 - std::pow(options.beta1, t));
  // The complements are taken in double: 1 - 0.999f in float is off by 5e-5 relative.
  const float b1 = static_cast<float>(options.beta1), b2 = static_cast<float>(options.beta2);
  const float c1 = static_cast<float>(1.0 - options.beta1), c2 = static_cast<float>(1.0 - options.beta2);
  const float lr = static_cast<float>(lr_t), eps = static_cast<float>(options.epsilon);
  const std::size_t n = params.size();
  float* p = params.data();
  float* mp = m.data();
  float* vp = v.data();
  const float* g = grads.data();
  for (std::size_t i = 0; i < n; ++i) {
    mp[i] = b1 * mp[i] + c1 * g[i];
    vp[i] = b2 * vp[i] + c2 * g[i] * g[i];
    p[i] -= lr * mp[i] / (std::sqrt(vp[i]) + eps);
  }
}

}  // namespace ecgad
