#include "ecgad/detector.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "ecgad/error.h"
#include "ecgad/model.h"
#include "ecgad/model_kind.h"
#include "ecgad/value_spec.h"

namespace ecgad {

void apply_beat_normalization(const TrainedModel& model, Dataset& beats) {
  normalize_beats(beats.values.data(), beats.rows(), beats.width, model.beat_normalization);
}

Mat<float> scaled_input(const TrainedModel& model, const double* values, std::size_t rows) {
  Mat<float> x(model.input_width(), static_cast<Eigen::Index>(rows));
  model.scaler.transform(values, rows, static_cast<std::size_t>(model.input_width()), x.data());
  return x;
}

Eigen::VectorXd raw_scores(const TrainedModel& model, const Dataset& beats, Workspace& workspace, Mat<float>* scratch) {
  Mat<float> local;
  Mat<float>& x = scratch ? *scratch : local;
  const std::size_t rows = beats.rows();
  x.resize(model.input_width(), static_cast<Eigen::Index>(rows));
  model.scaler.transform(beats.values.data(), rows, static_cast<std::size_t>(model.input_width()), x.data());
  return score_beats(*model.model, x, workspace);
}

Eigen::VectorXd block_scores(const TrainedModel& model, Dataset& beats, Workspace& workspace, Mat<float>* scratch,
                             InputCheck* check) {
  if (check) check->add(model, beats.values.data(), beats.rows(), beats.width, 0);
  apply_beat_normalization(model, beats);
  Eigen::VectorXd scores = raw_scores(model, beats, workspace, scratch);
  if (check) {
    for (Eigen::Index i = 0; i < scores.size(); ++i) check->flagged += scores(i) >= model.threshold.value ? 1 : 0;
  }
  return scores;
}

Error unscorable(const TrainedModel& model, const Dataset& beats, std::size_t row) {
  double low = *std::min_element(model.scaler.min.begin(), model.scaler.min.end());
  double high = *std::max_element(model.scaler.max.begin(), model.scaler.max.end());
  std::string range = fmt::format("{:g} .. {:g}", low, high);
  std::size_t line = beats.lines.size() == beats.rows() ? beats.lines[row] : row + 1;
  return Error(located(beats.name, line, 1,
                       std::string("this beat cannot be scored: its values lie too far outside the range the model "
                                   "was trained on (") +
                           range + ") for 32-bit arithmetic"));
}

Eigen::VectorXd anomaly_scores(const TrainedModel& model, const Dataset& beats, Workspace& workspace,
                               Mat<float>* scratch) {
  Eigen::VectorXd scores = raw_scores(model, beats, workspace, scratch);
  for (Eigen::Index i = 0; i < scores.size(); ++i) {
    if (!std::isfinite(scores(i))) throw unscorable(model, beats, static_cast<std::size_t>(i));
  }
  return scores;
}

namespace {

std::string preset_description(const ModelKind& kind, const KindPreset& p) {
  std::string text =
      p.title + (p.kind_default ? " (the default of --model " + kind.name + ")" : "") + ": --model " + kind.name;
  for (const KindOption& option : kind.options) {
    if (!option.flag.empty() && p.options.contains(option.key)) {
      text += " " + option.flag + " " + to_text(p.options.at(option.key));
    }
  }
  text += " --epochs " + std::to_string(p.train.epochs) + " --batch-size " + std::to_string(p.train.batch_size) +
          " --lr " + to_text(p.train.adam.learning_rate);
  if (p.train.clip_norm > 0) text += " --clip-norm " + to_text(p.train.clip_norm);
  text += " --threshold " + to_string(p.threshold);
  if (p.fallback_threshold) {
    text += " (" + to_string(*p.fallback_threshold) + " when DATA has no abnormal rows to choose on)";
  }
  if (kind.supervised) text += "; learns from normal and abnormal rows";
  return text;
}

}  // namespace

DetectorConfig preset_config(const std::string& name, const std::vector<ModelKind>& kinds) {
  std::string known;
  for (const ModelKind& kind : kinds) {
    for (const KindPreset& p : kind.presets) {
      known += (known.empty() ? "" : ", ") + p.name;
      if (p.name != name) continue;
      DetectorConfig config;
      config.kind = kind.name;
      config.options = p.options;
      config.train = p.train;
      config.threshold = p.threshold;
      config.fallback_threshold = p.fallback_threshold;
      config.preset = p.name;
      config.kinds = &kinds;
      return config;
    }
  }
  throw Error("unknown preset '" + name + "' (expected one of " + known + ")");
}

std::string default_preset(const std::string& kind, const std::vector<ModelKind>& kinds) {
  for (const KindPreset& p : find_kind(kind, kinds).presets) {
    if (p.kind_default) return p.name;
  }
  throw Error("model kind '" + kind + "' declares no default preset");
}

std::vector<PresetInfo> presets(const std::vector<ModelKind>& kinds) {
  std::vector<PresetInfo> list;
  for (const ModelKind& kind : kinds) {
    for (const KindPreset& p : kind.presets) list.push_back({p.name, preset_description(kind, p)});
  }
  return list;
}

Dataset load_for_model(const std::string& path, const TrainedModel& model, const CsvOptions& csv, bool require_labels,
                       const char* purpose) {
  return load_beats(path, csv, static_cast<std::size_t>(model.input_width()), model.labels, require_labels, purpose);
}

namespace {

std::vector<double> to_vector(const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); }

// The rows of `data` at `indices`, scaled, as a batch with their labels (when `data` has them).
Batch gather(const TrainedModel& model, const Dataset& data, const std::vector<std::size_t>& indices) {
  std::vector<double> values;
  values.reserve(indices.size() * data.width);
  Batch batch;
  for (std::size_t r : indices) {
    values.insert(values.end(), data.values.begin() + static_cast<std::ptrdiff_t>(r * data.width),
                  data.values.begin() + static_cast<std::ptrdiff_t>((r + 1) * data.width));
    if (data.labelled()) batch.normal.push_back(data.normal[r]);
  }
  batch.beats = scaled_input(model, values.data(), indices.size());
  return batch;
}

std::size_t abnormal_rows(const Dataset& data) {
  std::size_t abnormal = 0;
  for (std::uint8_t n : data.normal) abnormal += n ? 0 : 1;
  return abnormal;
}

bool chooses_on_labels(const ThresholdStrategy& strategy) {
  return strategy.kind == ThresholdStrategy::Kind::best_f1 || strategy.kind == ThresholdStrategy::Kind::best_accuracy;
}

// The strategy the threshold is chosen with: the configured one, or its fallback when it needs abnormal rows
// that the training data does not have (and no --threshold-data gives them); `reason` then says so.
ThresholdStrategy threshold_strategy(const DetectorConfig& config, const Dataset& data, const Dataset* threshold_data,
                                     std::string& reason) {
  if (chooses_on_labels(config.threshold) && !threshold_data && abnormal_rows(data) == 0 && config.fallback_threshold) {
    reason = "no abnormal rows in the training data to choose " + to_string(config.threshold) + " on";
    return *config.fallback_threshold;
  }
  return config.threshold;
}

// A detector of anomalies learns what normal looks like: only normal rows, unless the file has no labels.
// A supervised model (a classifier) learns from every labelled row and needs both classes.
std::vector<std::size_t> rows_to_learn(const Model& net, const Dataset& data) {
  std::vector<std::size_t> rows;
  if (net.supervised()) {
    const std::size_t abnormal = abnormal_rows(data);
    if (!data.labelled()) {
      throw Error("a " + net.kind() + " model learns from labelled rows: '" + data.name + "' has no label column");
    }
    if (abnormal == 0 || abnormal == data.rows()) {
      throw Error("a " + net.kind() + " model needs both normal and abnormal rows: '" + data.name + "' has only " +
                  (abnormal == 0 ? "normal" : "abnormal") + " ones");
    }
    for (std::size_t r = 0; r < data.rows(); ++r) rows.push_back(r);
    return rows;
  }
  for (std::size_t r = 0; r < data.rows(); ++r) {
    if (!data.labelled() || data.normal[r]) rows.push_back(r);
  }
  if (rows.empty()) throw Error("'" + data.name + "' has no normal rows to train on");
  return rows;
}

Batch validation_batch(const TrainedModel& model, const Dataset& data, const Dataset& validation) {
  if (validation.width != data.width) {
    throw Error("validation file '" + validation.name + "' has " + std::to_string(validation.width) +
                " samples per row, the training data " + std::to_string(data.width));
  }
  Batch batch;
  batch.beats = scaled_input(model, validation.values.data(), validation.rows());
  batch.normal = validation.normal;
  if (model.model->supervised() && !batch.labelled()) {
    throw Error("validation file '" + validation.name + "' needs labels for a " + model.model->kind() + " model");
  }
  return batch;
}

// Chooses the threshold on the trained model's scores: of the normal rows it saw (mean-std, percentile), or of
// labelled rows (best-*): --threshold-data's, else every labelled row of the training data, the abnormal beats
// the tutorial throws away and the normal ones trained on.
ThresholdChoice choose_model_threshold(const TrainedModel& model, const ThresholdStrategy& strategy,
                                       const Batch& trained_on, const Dataset& data, const Dataset* threshold_data) {
  std::unique_ptr<Workspace> workspace = model.model->new_workspace();
  std::vector<double> normal_scores;
  Eigen::VectorXd scores = score_beats(*model.model, trained_on.beats, *workspace);
  for (Eigen::Index i = 0; i < scores.size(); ++i) {
    if (!trained_on.labelled() || trained_on.normal[static_cast<std::size_t>(i)]) normal_scores.push_back(scores(i));
  }
  if (!chooses_on_labels(strategy)) return choose_threshold(strategy, normal_scores, {}, {});
  const Dataset& labelled = threshold_data ? *threshold_data : data;
  if (!labelled.labelled()) throw Error("threshold " + to_string(strategy) + " needs labelled rows");
  if (threshold_data && threshold_data->width != data.width) {
    throw Error("'" + threshold_data->name + "' has another row width than the training data");
  }
  ThresholdChoice choice = choose_threshold(strategy, normal_scores,
                                            to_vector(anomaly_scores(model, labelled, *workspace)), labelled.normal);
  choice.details["file"] = labelled.name;
  return choice;
}

// What the model file keeps of the training: options, optimizer, data, and each epoch's losses.
nlohmann::json training_record(const DetectorConfig& config, const Dataset& data, const Dataset* validation,
                               std::size_t trained_on_rows, const std::vector<std::string>& part_names,
                               const std::vector<EpochStats>& history) {
  nlohmann::json epochs = nlohmann::json::array();
  for (const EpochStats& e : history) {
    nlohmann::json entry = {{"epoch", e.epoch}, {"loss", e.loss}};
    entry["val_loss"] = std::isnan(e.val_loss) ? nlohmann::json(nullptr) : nlohmann::json(e.val_loss);
    for (std::size_t p = 0; p < part_names.size() && p < e.loss_parts.size(); ++p) {
      entry["loss_" + part_names[p]] = e.loss_parts[p];
      if (p < e.val_loss_parts.size()) entry["val_loss_" + part_names[p]] = e.val_loss_parts[p];
    }
    epochs.push_back(entry);
  }
  const AdamOptions& adam = config.train.adam;
  nlohmann::json record = {
      {"preset", config.preset},
      {"epochs", config.train.epochs},
      {"batch_size", config.train.batch_size},
      {"optimizer",
       {{"name", "adam"},
        {"learning_rate", adam.learning_rate},
        {"beta1", adam.beta1},
        {"beta2", adam.beta2},
        {"epsilon", adam.epsilon}}},
      {"seed", config.seed},
      {"per_column_scaling", config.per_column_scaling},
      {"data", {{"name", data.name}, {"rows", data.rows()}, {"width", data.width}, {"labelled", data.labelled()}}},
      {"trained_on_rows", trained_on_rows},
      {"validation", validation ? nlohmann::json(validation->name) : nlohmann::json(nullptr)},
      {"history", epochs},
  };
  if (config.train.clip_norm > 0) record["clip_norm"] = config.train.clip_norm;
  for (auto it = config.options.begin(); it != config.options.end(); ++it) record[it.key()] = it.value();
  return record;
}

// train_detector on rows already normalised per beat.
TrainedModel train_normalized(const Dataset& data, const DetectorConfig& config, const Dataset* validation,
                              const Dataset* threshold_data, const EpochCallback& on_epoch,
                              const BatchCallback& on_batch) {
  if (data.rows() == 0) throw Error("'" + data.name + "' has no rows to train on");
  nlohmann::json architecture = config.options;
  architecture["input_width"] = data.width;
  TrainedModel model{make_model(config.kind, architecture, kDefaultParameterLimit,
                                config.kinds ? *config.kinds : builtin_model_kinds()),
                     MinMaxScaler::fit(data.values.data(), data.rows(), data.width, config.per_column_scaling),
                     {},
                     {},
                     {},
                     {},
                     config.normalize};
  Model& net = *model.model;
  std::string fallback_reason;
  const ThresholdStrategy strategy = threshold_strategy(config, data, threshold_data, fallback_reason);
  const std::vector<std::size_t> rows = rows_to_learn(net, data);
  Batch train_batch = gather(model, data, rows);
  Batch validation_rows;
  if (validation) validation_rows = validation_batch(model, data, *validation);

  Rng rng(config.seed);
  net.init(rng);
  std::vector<EpochStats> history =
      train(net, train_batch, validation ? &validation_rows : nullptr, config.train, rng, on_epoch, on_batch);

  model.threshold = choose_model_threshold(model, strategy, train_batch, data, threshold_data);
  if (!fallback_reason.empty()) model.threshold.details["fallback"] = fallback_reason;
  model.training = training_record(config, data, validation, rows.size(), net.loss_parts(), history);
  return model;
}

}  // namespace

TrainedModel train_detector(const Dataset& data, const DetectorConfig& config, const Dataset* validation,
                            const Dataset* threshold_data, const EpochCallback& on_epoch,
                            const BatchCallback& on_batch) {
  if (config.normalize == BeatNormalization::none) {
    return train_normalized(data, config, validation, threshold_data, on_epoch, on_batch);
  }
  auto normalized = [&](const Dataset* d) {
    std::optional<Dataset> copy;
    if (d) {
      copy = *d;
      normalize_beats(copy->values.data(), copy->rows(), copy->width, config.normalize);
    }
    return copy;
  };
  std::optional<Dataset> rows = normalized(&data), v = normalized(validation), t = normalized(threshold_data);
  TrainedModel model = train_normalized(*rows, config, v ? &*v : nullptr, t ? &*t : nullptr, on_epoch, on_batch);
  model.training["normalize"] = to_string(config.normalize);
  return model;
}

}  // namespace ecgad
