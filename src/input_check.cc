#include "ecgad/input_check.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "ecgad/text.h"

namespace ecgad {
namespace {

constexpr std::size_t kMinimumBeats = 20;

// Whether a row looks like one `how` made: mean 0 and sample standard deviation 1 (zscore), or min 0 and max 1.
bool looks_normalized(const double* x, std::size_t width, BeatNormalization how) {
  if (how == BeatNormalization::none || width < 2) return true;
  const auto [low, high] = std::minmax_element(x, x + width);
  if (how == BeatNormalization::minmax) return std::fabs(*low) < 1e-6 && std::fabs(*high - 1) < 1e-6;
  double mean = 0, squares = 0;
  for (std::size_t k = 0; k < width; ++k) mean += x[k];
  mean /= static_cast<double>(width);
  for (std::size_t k = 0; k < width; ++k) squares += (x[k] - mean) * (x[k] - mean);
  const double s = std::sqrt(squares / static_cast<double>(width - 1));
  return std::fabs(mean) < 1e-3 && (std::fabs(s - 1) < 1e-3 || s == 0);
}

}  // namespace

void InputCheck::add(const TrainedModel& model, const double* x, std::size_t rows, std::size_t width,
                     std::size_t flagged_rows) {
  beats += rows;
  flagged += flagged_rows;
  const double low = *std::min_element(model.scaler.min.begin(), model.scaler.min.end());
  const double high = *std::max_element(model.scaler.max.begin(), model.scaler.max.end());
  const double margin = 0.25 * (high - low);
  std::vector<double> row(width);
  for (std::size_t r = 0; r < rows; ++r) {
    row.assign(x + r * width, x + (r + 1) * width);
    if (!looks_normalized(row.data(), width, model.beat_normalization)) ++rows_not_normalized;
    normalize_beats(row.data(), 1, width, model.beat_normalization);
    for (double v : row) outside += (v < low - margin || v > high + margin) ? 1 : 0;
    values += width;
  }
}

InputCheck& InputCheck::operator+=(const InputCheck& other) {
  beats += other.beats;
  flagged += other.flagged;
  values += other.values;
  outside += other.outside;
  rows_not_normalized += other.rows_not_normalized;
  return *this;
}

std::string input_mismatch_warning(const TrainedModel& model, const InputCheck& check, const std::string& model_name) {
  if (check.beats < kMinimumBeats) return "";
  std::vector<std::string> signs;
  if (2 * check.flagged > check.beats) {
    signs.push_back(fmt::format("{} of {} beats ({:.1f}%) are flagged", check.flagged, check.beats,
                                100.0 * static_cast<double>(check.flagged) / static_cast<double>(check.beats)));
  }
  if (20 * check.outside > check.values) {
    const double low = *std::min_element(model.scaler.min.begin(), model.scaler.min.end());
    const double high = *std::max_element(model.scaler.max.begin(), model.scaler.max.end());
    signs.push_back(fmt::format("{:.1f}% of the sample values lie far outside the range it was trained on ({} .. {})",
                                100.0 * static_cast<double>(check.outside) / static_cast<double>(check.values),
                                general(low, 4), general(high, 4)));
  }
  // Rows not normalised as the model's were are no sign: score and evaluate apply its normalisation to every beat.
  if (signs.empty()) return "";
  std::string text = "these beats do not look like the ones " + model_name + " learned: ";
  for (std::size_t k = 0; k < signs.size(); ++k) text += (k ? "; " : "") + signs[k];
  text +=
      ". Likely causes: another patient, lead, sampling rate, beat window or scaling than its training beats (a "
      "model learned on ECG5000 does not score other patients' beats). What works: learn each patient's normal beats "
      "from the recording itself (ecgad evaluate --learn 5m RECORD --annotations atr), or train on beats cut from "
      "recordings the same way (ecgad beats --normalize ...).";
  return text;
}

}  // namespace ecgad
