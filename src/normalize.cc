#include "ecgad/normalize.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "ecgad/error.h"

namespace ecgad {

MinMaxScaler MinMaxScaler::fit(const double* values, std::size_t rows, std::size_t width, bool per_column) {
  if (rows == 0 || width == 0) throw Error("cannot fit the min-max scaler on no data");
  MinMaxScaler scaler;
  scaler.per_column = per_column;
  std::size_t columns = per_column ? width : 1;
  scaler.min.assign(values, values + columns);
  scaler.max.assign(values, values + columns);
  for (std::size_t r = 0; r < rows; ++r) {
    const double* row = values + r * width;
    for (std::size_t c = 0; c < width; ++c) {
      std::size_t k = per_column ? c : 0;
      scaler.min[k] = std::min(scaler.min[k], row[c]);
      scaler.max[k] = std::max(scaler.max[k], row[c]);
    }
  }
  for (std::size_t k = 0; k < columns; ++k) {
    if (!(scaler.max[k] > scaler.min[k])) {
      std::string where = per_column ? "column " + std::to_string(k + 1) : "the training data";
      throw Error("cannot scale: every value of " + where + " is " + std::to_string(scaler.min[k]) + " (zero range)");
    }
  }
  return scaler;
}

void MinMaxScaler::transform(const double* values, std::size_t rows, std::size_t width, float* out) const {
  if (per_column && width != min.size()) {
    throw Error("the scaler was fitted on " + std::to_string(min.size()) + " columns, not " + std::to_string(width));
  }
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < width; ++c) {
      std::size_t k = per_column ? c : 0;
      std::size_t i = r * width + c;
      out[i] = static_cast<float>((values[i] - min[k]) / (max[k] - min[k]));
    }
  }
}

BeatNormalization parse_beat_normalization(const std::string& text) {
  if (text == "none") return BeatNormalization::none;
  if (text == "zscore") return BeatNormalization::zscore;
  if (text == "minmax") return BeatNormalization::minmax;
  throw Error("unknown beat normalisation '" + text + "' (expected none, zscore or minmax)");
}

const char* to_string(BeatNormalization how) {
  switch (how) {
    case BeatNormalization::zscore: return "zscore";
    case BeatNormalization::minmax: return "minmax";
    default: return "none";
  }
}

namespace {

void zscore_row(double* x, std::size_t width) {
  double mean = 0;
  for (std::size_t k = 0; k < width; ++k) mean += x[k];
  mean /= static_cast<double>(width);
  double squares = 0;
  for (std::size_t k = 0; k < width; ++k) squares += (x[k] - mean) * (x[k] - mean);
  const double s = width > 1 ? std::sqrt(squares / static_cast<double>(width - 1)) : 0.0;
  for (std::size_t k = 0; k < width; ++k) x[k] = s > 0 ? (x[k] - mean) / s : 0.0;
}

void minmax_row(double* x, std::size_t width) {
  const auto [low, high] = std::minmax_element(x, x + width);
  const double lo = *low, range = *high - *low;
  for (std::size_t k = 0; k < width; ++k) x[k] = range > 0 ? (x[k] - lo) / range : 0.0;
}

}  // namespace

void normalize_beats(double* values, std::size_t rows, std::size_t width, BeatNormalization how) {
  if (how == BeatNormalization::none || width == 0) return;
  for (std::size_t r = 0; r < rows; ++r) {
    double* row = values + r * width;
    if (how == BeatNormalization::zscore) {
      zscore_row(row, width);
    } else {
      minmax_row(row, width);
    }
  }
}

}  // namespace ecgad
