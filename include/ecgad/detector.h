// The anomaly detector end to end: fit the scaler, train the autoencoder on normal beats, choose the
// threshold; then score beats as reconstruction errors. What `ecgad train` and `ecgad score` call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ecgad/csv.h"
#include "ecgad/model_file.h"
#include "ecgad/threshold.h"
#include "ecgad/train.h"

namespace ecgad {

struct DetectorConfig {
  std::vector<int> encoder = {32, 16, 8};
  TrainOptions train;
  std::uint64_t seed = 0;
  bool per_column_scaling = false;
  Loss loss = Loss::mae;  // the autoencoder's training loss; beats are always scored by their MAE
  ThresholdStrategy threshold{ThresholdStrategy::Kind::mean_std, 1.0};
  // Used instead of a best-* threshold when the training data holds no abnormal rows to choose on.
  std::optional<ThresholdStrategy> fallback_threshold;
  std::string preset = "tutorial";
};

// Named starting configurations: "tutorial" (the TensorFlow tutorial exactly) and "default" (ecgad's own).
DetectorConfig preset_config(const std::string& name);  // throws ecgad::Error on an unknown name

// Trains on `data`: the scaler is fitted on all its rows (as the tutorial), the network on its normal rows
// (every row when unlabelled). `validation` (may be null) is only reported. `threshold_data` holds the
// labelled rows best-f1 / best-accuracy choose on (null: all labelled rows of `data`).
TrainedModel train_detector(const Dataset& data, const DetectorConfig& config, const Dataset* validation,
                            const Dataset* threshold_data, const EpochCallback& on_epoch = {});

// Scales raw beats (rows x width, row-major) into the network's input: (width, rows).
Mat<float> scaled_input(const TrainedModel& model, const double* values, std::size_t rows);

// Reconstruction error (MAE over the scaled beat) of each row. `scratch` (optional) keeps the scaled input
// between calls, so that scoring a stream batch by batch does not allocate per batch.
Eigen::VectorXd reconstruction_errors(TrainedModel& model, const double* values, std::size_t rows,
                                      Mat<float>* scratch = nullptr);

// Throws "NAME:LINE:1: ..." for the first row whose error is not finite: its values lie so far outside the
// range the model was fitted on that float arithmetic overflows. lines[i] is row i's source line.
void check_errors_finite(const Eigen::VectorXd& errors, const std::vector<std::size_t>& lines, const std::string& name,
                         const TrainedModel& model);

// Reads beats for a trained model: rows of its input width, or input width + 1 with a label in the last column
// (read with the model's label values). With `require_labels`, rows without a label are refused.
Dataset load_for_model(const std::string& path, const TrainedModel& model, const CsvOptions& csv,
                       bool require_labels, const char* purpose);

// Chooses a threshold on a trained model. `normal_errors`: errors of the normal training rows;
// `labelled_errors`/`is_normal`: rows the best-* strategies choose on (may be empty for the others).
ThresholdChoice choose_threshold(const ThresholdStrategy& strategy, const std::vector<double>& normal_errors,
                                 const std::vector<double>& labelled_errors,
                                 const std::vector<std::uint8_t>& is_normal);

}  // namespace ecgad
