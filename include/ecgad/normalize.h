// Min-max scaling to [0, 1], fitted on training rows. Data outside the fitted range is not clipped
// (as the TensorFlow tutorial): a test value above the training maximum scales above 1.
#pragma once

#include <cstddef>
#include <vector>

namespace ecgad {

struct MinMaxScaler {
  bool per_column = false;       // false: one min and max over every value (the tutorial's tf.reduce_min)
  std::vector<double> min, max;  // one entry, or one per column

  // Fits on rows x width values (row-major). Throws ecgad::Error on an empty input or a zero range.
  static MinMaxScaler fit(const double* values, std::size_t rows, std::size_t width, bool per_column);

  // out[i] = float((x - min) / (max - min)), computed in double as the tutorial does before its cast.
  void transform(const double* values, std::size_t rows, std::size_t width, float* out) const;

  std::size_t width() const { return per_column ? min.size() : 0; }  // 0: fits any width
};

}  // namespace ecgad
