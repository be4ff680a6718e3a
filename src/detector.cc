#include "ecgad/detector.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "ecgad/error.h"
#include "ecgad/model.h"
#include "ecgad/model_kind.h"
#include "ecgad/value_spec.h"

namespace ecgad {

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
  std::string text = p.title + (p.kind_default ? " (the default of --model " + kind.name + ")" : "") + ": --model " +
                     kind.name;
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

static std::vector<double> to_vector(const Eigen::VectorXd& v) {
  return std::vector<double>(v.data(), v.data() + v.size());
}

// The rows of `data` at `indices`, scaled, as a batch with their labels (when `data` has them).
static Batch gather(const TrainedModel& model, const Dataset& data, const std::vector<std::size_t>& indices) {
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

TrainedModel train_detector(const Dataset& data, const DetectorConfig& config, const Dataset* validation,
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
                     {}};
  Model& net = *model.model;

  using Kind = ThresholdStrategy::Kind;
  ThresholdStrategy strategy = config.threshold;
  bool needs_labels = strategy.kind == Kind::best_f1 || strategy.kind == Kind::best_accuracy;
  std::size_t abnormal_rows = 0;
  for (std::uint8_t n : data.normal) abnormal_rows += n ? 0 : 1;
  std::string fallback_reason;
  if (needs_labels && !threshold_data && abnormal_rows == 0 && config.fallback_threshold) {
    fallback_reason = "no abnormal rows in the training data to choose " + to_string(strategy) + " on";
    strategy = *config.fallback_threshold;
    needs_labels = false;
  }

  // A detector of anomalies learns what normal looks like: only normal rows, unless the file has no labels.
  // A supervised model (a classifier) learns from every labelled row and needs both classes.
  std::vector<std::size_t> train_indices;
  if (net.supervised()) {
    if (!data.labelled()) {
      throw Error("a " + net.kind() + " model learns from labelled rows: '" + data.name + "' has no label column");
    }
    if (abnormal_rows == 0 || abnormal_rows == data.rows()) {
      throw Error("a " + net.kind() + " model needs both normal and abnormal rows: '" + data.name + "' has only " +
                  (abnormal_rows == 0 ? "normal" : "abnormal") + " ones");
    }
    for (std::size_t r = 0; r < data.rows(); ++r) train_indices.push_back(r);
  } else {
    for (std::size_t r = 0; r < data.rows(); ++r) {
      if (!data.labelled() || data.normal[r]) train_indices.push_back(r);
    }
    if (train_indices.empty()) throw Error("'" + data.name + "' has no normal rows to train on");
  }
  Batch train_batch = gather(model, data, train_indices);

  Batch validation_batch;
  if (validation) {
    if (validation->width != data.width) {
      throw Error("validation file '" + validation->name + "' has " + std::to_string(validation->width) +
                  " samples per row, the training data " + std::to_string(data.width));
    }
    validation_batch.beats = scaled_input(model, validation->values.data(), validation->rows());
    validation_batch.normal = validation->normal;
    if (net.supervised() && !validation_batch.labelled()) {
      throw Error("validation file '" + validation->name + "' needs labels for a " + net.kind() + " model");
    }
  }

  Rng rng(config.seed);
  net.init(rng);
  std::vector<EpochStats> history =
      train(net, train_batch, validation ? &validation_batch : nullptr, config.train, rng, on_epoch, on_batch);

  std::unique_ptr<Workspace> workspace = net.new_workspace();
  // The scores of the normal rows the model saw (mean-std, percentile).
  std::vector<double> normal_scores;
  {
    Eigen::VectorXd scores = score_beats(net, train_batch.beats, *workspace);
    for (std::size_t i = 0; i < train_indices.size(); ++i) {
      if (!train_batch.labelled() || train_batch.normal[i])
        normal_scores.push_back(scores(static_cast<Eigen::Index>(i)));
    }
  }
  std::vector<double> labelled_scores;
  std::vector<std::uint8_t> is_normal;
  std::string threshold_source;
  if (needs_labels && threshold_data) {
    if (!threshold_data->labelled()) throw Error("threshold " + to_string(strategy) + " needs labelled rows");
    if (threshold_data->width != data.width) {
      throw Error("'" + threshold_data->name + "' has another row width than the training data");
    }
    labelled_scores = to_vector(anomaly_scores(model, *threshold_data, *workspace));
    is_normal = threshold_data->normal;
    threshold_source = threshold_data->name;
  } else if (needs_labels) {
    if (!data.labelled()) throw Error("threshold " + to_string(strategy) + " needs labelled rows");
    // Every labelled row: the abnormal beats the tutorial throws away and the normal ones trained on.
    labelled_scores = to_vector(anomaly_scores(model, data, *workspace));
    is_normal = data.normal;
    threshold_source = data.name;
  }
  model.threshold = choose_threshold(strategy, normal_scores, labelled_scores, is_normal);
  if (needs_labels) model.threshold.details["file"] = threshold_source;
  if (!fallback_reason.empty()) model.threshold.details["fallback"] = fallback_reason;

  const std::vector<std::string> part_names = net.loss_parts();
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
  model.training = {
      {"preset", config.preset},
      {"epochs", config.train.epochs},
      {"batch_size", config.train.batch_size},
      {"optimizer",
       {{"name", "adam"},
        {"learning_rate", config.train.adam.learning_rate},
        {"beta1", config.train.adam.beta1},
        {"beta2", config.train.adam.beta2},
        {"epsilon", config.train.adam.epsilon}}},
      {"seed", config.seed},
      {"per_column_scaling", config.per_column_scaling},
      {"data", {{"name", data.name}, {"rows", data.rows()}, {"width", data.width}, {"labelled", data.labelled()}}},
      {"trained_on_rows", train_indices.size()},
      {"validation", validation ? nlohmann::json(validation->name) : nlohmann::json(nullptr)},
      {"history", epochs},
  };
  if (config.train.clip_norm > 0) model.training["clip_norm"] = config.train.clip_norm;
  for (auto it = config.options.begin(); it != config.options.end(); ++it) model.training[it.key()] = it.value();
  return model;
}

}  // namespace ecgad
