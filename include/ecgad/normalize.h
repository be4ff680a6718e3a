// Min-max scaling to [0, 1], fitted on training rows. Data outside the fitted range is not clipped
// (as the TensorFlow tutorial): a test value above the training maximum scales above 1.
#pragma once

#include <cstddef>
#include <string>
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

// Per-beat normalisation, each row on its own, before any scaler (`beats --normalize`, and recorded in a model):
//   none    the values as they are (a recording's millivolts)
//   zscore  (x - mean) / s, s the sample standard deviation (n - 1) of the row, as the UCR archive normalised
//           ECG5000's beats (its rows have mean 0 and s 1); a flat row becomes zeros
//   minmax  (x - min) / (max - min), each row to [0, 1]; a flat row becomes zeros
// Both are idempotent up to rounding: normalising normalised beats again changes them by a few ulps at most.
enum class BeatNormalization { none, zscore, minmax };
BeatNormalization parse_beat_normalization(const std::string& text);  // throws ecgad::Error naming the choices
const char* to_string(BeatNormalization how);
void normalize_beats(double* values, std::size_t rows, std::size_t width, BeatNormalization how);

}  // namespace ecgad
