// `ecgad train`: a model from a CSV file. Its model options are not written here: every kind declares its own
// (model_kind.h), and this file turns those declarations into flags, checks and refusals.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli.h"
#include "ecgad/blocks.h"
#include "ecgad/detector.h"
#include "ecgad/model_kind.h"
#include "ecgad/normalize.h"
#include "ecgad/output.h"
#include "ecgad/progress_text.h"
#include "ecgad/text.h"
#include "inputs.h"
#include "progress.h"

namespace ecgad {
namespace {

// A flag that some kind declares (--latent), as the user gave it.
struct KindFlag {
  ValueSpec value;                  // what any kind that declares it accepts (words: all of them)
  std::optional<std::string> text;  // a single value, as given
  std::vector<std::string> texts;   // a list's values (--layers 32,16,8)
  bool given() const { return text.has_value() || !texts.empty(); }
  std::vector<std::string> values() const { return text ? std::vector<std::string>{*text} : texts; }
};

struct TrainArgs {
  std::string data, output, threshold_data, validation, normalize = "none";
  std::optional<std::string> preset, model, threshold;
  std::optional<int> epochs, batch_size;
  std::optional<double> learning_rate, clip_norm;
  std::uint64_t seed = 0;
  bool per_column = false, no_labels = false, quiet = false;
  std::map<std::string, KindFlag> kind_flags;  // by flag
  CsvArgs csv;
  ReadArgs read;
};

// The kinds that declare `flag`, for a refusal's "(an option of ...)".
std::string kinds_with(const std::string& flag, const std::vector<ModelKind>& kinds) {
  std::string names;
  for (const ModelKind& kind : kinds) {
    if (kind.option_by_flag(flag)) names += (names.empty() ? "" : ", ") + kind.name;
  }
  return names;
}

// The chosen kind's options from the flags given, each checked by that kind's own declaration. A flag that only
// other kinds declare is refused by name.
void apply_kind_flags(const TrainArgs& args, const ModelKind& kind, const std::vector<ModelKind>& kinds,
                      DetectorConfig& config) {
  for (const auto& [flag, given] : args.kind_flags) {
    if (!given.given()) continue;
    const KindOption* option = kind.option_by_flag(flag);
    if (option == nullptr) {
      throw Error(flag + " does not apply to " + kind.name + " models: it is an option of " + kinds_with(flag, kinds) +
                  " models (see 'ecgad train --help')");
    }
    std::vector<std::string> values = given.values();
    for (std::string& text : values) {
      std::string why = check_text(option->value, text);
      if (!why.empty()) {
        throw Error(fmt::format("{}: {} for {} models (see 'ecgad train --help')", flag, why, kind.name));
      }
    }
    config.options[option->key] = to_json(option->value, values);
  }
}

// The preset, then the kind's flags, then the training flags over it.
DetectorConfig configuration(const TrainArgs& args, const std::vector<ModelKind>& kinds) {
  std::string preset =
      args.preset ? *args.preset : default_preset(args.model ? *args.model : kinds.front().name, kinds);
  DetectorConfig config = preset_config(preset, kinds);
  if (args.model && *args.model != config.kind) {
    throw Error("--preset " + preset + " trains " + config.kind + " models, not " + *args.model +
                " models (see 'ecgad train --help')");
  }
  apply_kind_flags(args, find_kind(config.kind, kinds), kinds, config);
  if (args.epochs) config.train.epochs = *args.epochs;
  if (args.batch_size) config.train.batch_size = *args.batch_size;
  if (args.learning_rate) config.train.adam.learning_rate = *args.learning_rate;
  if (args.clip_norm) config.train.clip_norm = *args.clip_norm;
  if (args.threshold) {
    config.threshold = parse_threshold_strategy(*args.threshold);
    config.fallback_threshold.reset();  // asked for by name: no silent substitute
  }
  config.seed = args.seed;
  config.normalize = parse_beat_normalization(args.normalize);
  config.per_column_scaling = config.per_column_scaling || args.per_column;
  return config;
}

// DATA, read once and hashed as it is read (a gzip file's inflated bytes: `zcat FILE | sha256sum`): a pipe
// cannot be read twice.
Dataset training_data(const TrainArgs& args, bool labelled, Progress& progress) {
  LabelSpec labels = label_spec(args.csv);
  RowLayout layout{0, labelled ? RowLayout::Labels::required : RowLayout::Labels::none, labels,
                   column_layout(args.csv)};
  CsvOptions csv = csv_options(args.csv);
  csv.hash = true;
  Dataset data = read_all_blocks(args.data, csv, layout, "training", block_options(args.read));
  if (!labelled && last_column_looks_like_labels(data, labels)) {
    progress.warning("the last column of " + data.name + " holds only the labels " +
                     fmt::format("{:g} and {:g}", labels.normal, labels.abnormal) +
                     ": if it is a label column, drop --no-labels");
  }
  return data;
}

// --threshold-data: labelled rows of both classes when a best-* strategy chooses on them.
Dataset threshold_data(const TrainArgs& args, const DetectorConfig& config) {
  RowLayout layout{0, RowLayout::Labels::required, label_spec(args.csv), column_layout(args.csv)};
  Dataset data = read_all_blocks(args.threshold_data, csv_options(args.csv), layout, "training", BlockOptions{});
  std::size_t normal = 0;
  for (std::uint8_t n : data.normal) normal += n;
  using Kind = ThresholdStrategy::Kind;
  bool best = config.threshold.kind == Kind::best_f1 || config.threshold.kind == Kind::best_accuracy;
  if (best && (normal == 0 || normal == data.rows())) {
    throw Error("--threshold-data '" + data.name + "' holds only " + (normal == 0 ? "abnormal" : "normal") +
                " rows: " + to_string(config.threshold) + " needs both classes to choose on");
  }
  return data;
}

// One line per epoch that stays; on a terminal, a line within the epoch overprinted at most 10 times a second.
struct TrainingProgress {
  Progress& progress;
  int epochs;
  StatusThrottle throttle{std::chrono::milliseconds(100)};

  EpochCallback on_epoch() {
    return [this](const EpochStats& s) {
      std::string line =
          "epoch " + std::to_string(s.epoch) + "/" + std::to_string(epochs) + "  loss " + fmt::format("{:.5f}", s.loss);
      if (!std::isnan(s.val_loss)) line += "  val_loss " + fmt::format("{:.5f}", s.val_loss);
      line += "  " + fmt::format("{:.2f}s", s.seconds);
      progress.clear();
      progress.message(line);
    };
  }
  BatchCallback on_batch() {
    if (!progress.overprints()) return {};
    return [this](const BatchProgress& b) {
      if (throttle.due()) progress.status(training_progress_line(b));
    };
  }
};

int run_train(const TrainArgs& args, const std::vector<ModelKind>& kinds) {
  DetectorConfig config = configuration(args, kinds);  // the options first: they are refused before any file
  check_can_write(args.output, "-o");                  // before minutes of training, not after
  Progress progress(args.quiet);
  auto start = std::chrono::steady_clock::now();
  const bool labelled = has_labels(args.csv, args.no_labels);
  Dataset data = training_data(args, labelled, progress);
  std::optional<Dataset> validation, extra;
  if (!args.validation.empty()) {  // rows of the training width, with or without a label column
    RowLayout layout{data.width, RowLayout::Labels::optional, label_spec(args.csv), column_layout(args.csv)};
    validation = read_all_blocks(args.validation, csv_options(args.csv), layout, "validation", BlockOptions{});
  }
  if (!args.threshold_data.empty()) extra = threshold_data(args, config);

  progress.message("ecgad: training on " + data.name + " (" + std::to_string(data.rows()) + " rows of " +
                   std::to_string(data.width) + " samples), preset " + config.preset);
  TrainingProgress shown{progress, config.train.epochs};
  TrainedModel model = train_detector(data, config, validation ? &*validation : nullptr, extra ? &*extra : nullptr,
                                      shown.on_epoch(), shown.on_batch());
  model.labels = label_spec(args.csv);
  model.columns = column_layout(args.csv);
  progress.done();
  model.training["data"]["sha256"] = data.sha256;
  save_model(args.output, model, kinds);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.message("ecgad: wrote " + args.output + ": threshold " + general(model.threshold.value, 6) + " (" +
                   model.threshold.strategy + "), trained on " +
                   std::to_string(model.training["trained_on_rows"].get<std::size_t>()) + " rows in " +
                   fmt::format("{:.2f}s", seconds));
  return 0;
}

// Every flag some kind declares, once, with what any of them accepts; in the order the kinds declare them.
void declare_kind_flags(Command& cmd, TrainArgs& args, const std::vector<ModelKind>& kinds) {
  std::vector<std::string> order;
  std::map<std::string, std::string> help;
  for (const ModelKind& kind : kinds) {
    for (const KindOption& option : kind.options) {
      if (option.flag.empty()) continue;
      auto [it, first] = args.kind_flags.try_emplace(option.flag, KindFlag{option.value, {}, {}});
      if (first) order.push_back(option.flag);
      for (const std::string& word : option.value.words) {
        std::vector<std::string>& words = it->second.value.words;
        if (std::find(words.begin(), words.end(), word) == words.end()) words.push_back(word);
      }
      help[option.flag] += (help[option.flag].empty() ? "" : "; ") + kind.name + ": " + option.help;
    }
  }
  for (const std::string& flag : order) {
    KindFlag& given = args.kind_flags.at(flag);
    if (given.value.type == ValueSpec::Type::word) given.value = one_of(given.value.words);
    const char* type = given.value.type == ValueSpec::Type::whole    ? "INT"
                       : given.value.type == ValueSpec::Type::number ? "FLOAT"
                                                                     : "TEXT";
    CLI::Option* option = given.value.list ? cmd.value(flag, given.texts, given.value, help[flag])
                                           : cmd.value(flag, given.text, given.value, help[flag]);
    option->type_name(type)->group("Options of the model kinds (each applies to the kinds named)");
  }
}

std::string kind_list(const std::vector<ModelKind>& kinds) {
  std::string text;
  for (const ModelKind& kind : kinds) {
    text += (text.empty() ? "" : ", ") + kind.name + " (" + kind.summary + (text.empty() ? "; the default)" : ")");
  }
  return text;
}

}  // namespace

Runner declare_train(Command& cmd, const Context& context) {
  auto args = std::make_shared<TrainArgs>();
  const std::vector<ModelKind>& kinds = context.kinds;
  cmd.input("DATA", args->data, "Training CSV file, or - for standard input")->required();
  cmd.output("-o,--output", args->output, "Model file to write")->required();
  cmd.value("--model", args->model, one_of(model_kinds(kinds)), "Model kind: " + kind_list(kinds));
  std::vector<std::string> preset_names;
  for (const PresetInfo& p : presets(kinds)) preset_names.push_back(p.name);
  cmd.value("--preset", args->preset, one_of(preset_names),
            "Starting configuration (see the list below; default: the model kind's own default)");
  const ValueSpec positive_count = count(1, 2147483647);
  cmd.value("--epochs", args->epochs, positive_count, "Passes over the training beats");
  cmd.value("--batch-size", args->batch_size, positive_count, "Beats per Adam step");
  cmd.value("--lr", args->learning_rate, positive(), "Adam learning rate");
  cmd.value("--clip-norm", args->clip_norm, non_negative(),
            "Scale each step's gradient down to this L2 norm when it is larger (0: off; a guard against "
            "the LSTM's exploding gradients)");
  cmd.value("--seed", args->seed, named(whole(0, 18446744073709551615u), "SEED"),
            "Seed for weights and shuffling (0 .. 18446744073709551615); same seed, same model")
      ->capture_default_str();
  cmd.value("--threshold", args->threshold, threshold_strategy_spec(),
            "How to choose the threshold: mean-std:K, percentile:P, fixed:V, best-f1, best-accuracy");
  cmd.input("--threshold-data", args->threshold_data,
            "Labelled file that best-f1/best-accuracy choose on (default: DATA's labelled rows)");
  cmd.input("--validation", args->validation, "Labelled or unlabelled CSV whose loss is reported per epoch");
  cmd.flag("--per-column", args->per_column, "Scale each sample position on its own min and max");
  cmd.value("--normalize", args->normalize, one_of({"none", "zscore", "minmax"}),
            "Normalise each beat on its own first (zscore as UCR's ECG5000, minmax to 0..1), recorded in the model: "
            "score and evaluate do the same to their beats")
      ->capture_default_str();
  cmd.flag("--no-labels", args->no_labels, "DATA has no label column: train on every row");
  cmd.flag("-q,--quiet", args->quiet, "Print no progress");
  add_read_options(cmd, args->read);
  add_csv_options(cmd, args->csv, true);
  declare_kind_flags(cmd, *args, kinds);
  std::string presets_text = "Presets (flags given override them):\n";
  for (const PresetInfo& p : presets(kinds)) presets_text += "  " + p.name + ": " + p.description + "\n";
  cmd.app()->footer(presets_text +
                    "The min-max scaler is fitted on all rows of DATA; an anomaly detector on its normal rows only, "
                    "a classifier on all labelled rows.\n"
                    "Example: ecgad train train.csv -o model.ecgad --seed 0");
  return [args, &kinds] { return run_train(*args, kinds); };
}

}  // namespace ecgad
