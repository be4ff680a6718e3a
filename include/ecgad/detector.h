// The anomaly detector end to end, for any model kind: fit the scaler, train the model (on the normal rows,
// or on every labelled row for a supervised model), choose the threshold; then score beats. What `ecgad train`,
// `score`, `evaluate` and `threshold` call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ecgad/dataset.h"
#include "ecgad/error.h"
#include "ecgad/input_check.h"
#include "ecgad/model_file.h"
#include "ecgad/model_kind.h"
#include "ecgad/threshold.h"
#include "ecgad/train.h"

namespace ecgad {

// What train_detector() does. The defaults are the "tutorial" preset's; preset_config() gives any preset's.
struct DetectorConfig {
  std::string kind = "autoencoder";  // a make_model() kind
  // The kind's options as a user gives them (the autoencoder's "encoder", "loss", "input_noise"; a VAE's
  // "latent"...); the input width is added from the data. Recorded in the model's training section.
  nlohmann::json options = {{"encoder", {32, 16, 8}}, {"input_noise", 0.0}};
  TrainOptions train;
  std::uint64_t seed = 0;
  bool per_column_scaling = false;
  ThresholdStrategy threshold{ThresholdStrategy::Kind::mean_std, 1.0};
  // Used instead of a best-* threshold when the training data holds no abnormal rows to choose on.
  std::optional<ThresholdStrategy> fallback_threshold;
  std::string preset = "tutorial";
  // Each beat normalised on its own before anything else (normalize.h), recorded in the model: train_detector applies
  // it to the rows it reads, and apply_beat_normalization() to beats to be scored.
  BeatNormalization normalize = BeatNormalization::none;
  const std::vector<ModelKind>* kinds = nullptr;  // the kinds `kind` is looked up in; null: this ecgad's
};

// The presets every kind declares (model_kind.h), as configurations; throws ecgad::Error on an unknown name.
DetectorConfig preset_config(const std::string& name, const std::vector<ModelKind>& kinds = builtin_model_kinds());
// Every preset's name and what it sets, as flags, for --help: "the TensorFlow tutorial's autoencoder: --model
// autoencoder --layers 32,16,8 --noise 0 --epochs 20 --batch-size 512 --lr 0.001 --threshold mean-std:1".
struct PresetInfo {
  std::string name, description;
};
std::vector<PresetInfo> presets(const std::vector<ModelKind>& kinds = builtin_model_kinds());
// The preset `ecgad train --model KIND` starts from when no --preset is given.
std::string default_preset(const std::string& kind, const std::vector<ModelKind>& kinds = builtin_model_kinds());

// Trains on `data`: the scaler is fitted on all its rows (as the tutorial), the model on its normal rows
// (every row when unlabelled), or on every labelled row for a supervised model. `validation` (may be null,
// labelled or not) is only reported. `threshold_data` holds the labelled rows best-f1 / best-accuracy choose on
// (null: all labelled rows of `data`). `on_epoch` and `on_batch` are train()'s.
TrainedModel train_detector(const Dataset& data, const DetectorConfig& config, const Dataset* validation,
                            const Dataset* threshold_data, const EpochCallback& on_epoch = {},
                            const BatchCallback& on_batch = {});

// Applies the model's per-beat normalisation (TrainedModel::beat_normalization) to beats read for it, in place.
void apply_beat_normalization(const TrainedModel& model, Dataset& beats);

// Scales raw beats (rows x width, row-major) into the model's input: (width, rows).
Mat<float> scaled_input(const TrainedModel& model, const double* values, std::size_t rows);

// The model's anomaly score of each row (a reconstruction error, a probability: Model::score_name()).
// `scratch` (optional) keeps the scaled input between calls, so that a stream scored batch by batch does not
// allocate per batch. Throws "NAME:LINE:1: ..." for the first row whose score is not finite (its values lie so
// far outside the range the model was fitted on that float arithmetic overflows); lines[i] is row i's line.
Eigen::VectorXd anomaly_scores(const TrainedModel& model, const Dataset& beats, Workspace& workspace,
                               Mat<float>* scratch = nullptr);
// The same without the check: a score may be NaN or infinite (callers that decide later which error comes
// first, as scoring on several threads does). unscorable() is the error anomaly_scores throws for `row`.
Eigen::VectorXd raw_scores(const TrainedModel& model, const Dataset& beats, Workspace& workspace,
                           Mat<float>* scratch = nullptr);
Error unscorable(const TrainedModel& model, const Dataset& beats, std::size_t row);
// What score, evaluate, threshold and report do with each block of beats read for a model: tally the rows as read in
// `check` (if not null), apply the model's per-beat normalisation in place, then raw_scores; the rows scored at or
// above the threshold are `check`'s flagged ones.
Eigen::VectorXd block_scores(const TrainedModel& model, Dataset& beats, Workspace& workspace, Mat<float>* scratch,
                             InputCheck* check);

// Reads beats for a trained model: rows of its input width, or input width + 1 with a label in the last column
// (read with the model's label values). With `require_labels`, rows without a label are refused.
Dataset load_for_model(const std::string& path, const TrainedModel& model, const CsvOptions& csv, bool require_labels,
                       const char* purpose);

}  // namespace ecgad
