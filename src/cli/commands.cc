#include "commands.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <optional>
#include <string>

#include "ecgad/blocks.h"
#include "ecgad/csv.h"
#include "ecgad/dataset.h"
#include "ecgad/detector.h"
#include "ecgad/error.h"
#include "ecgad/html_report.h"
#include "ecgad/junit.h"
#include "ecgad/output.h"
#include "ecgad/progress_text.h"
#include "ecgad/report.h"
#include "ecgad/score.h"
#include "ecgad/split.h"
#include "ecgad/text.h"
#include "progress.h"

namespace ecgad {
namespace {

CsvOptions csv_options(const CsvArgs& csv) {
  CsvOptions options;
  options.header = csv.header;
  options.first_line_is_data = csv.no_header;
  return options;
}

// --normal-label alone: every other value is abnormal (multi-class files such as UCR ECG5000, class 1 normal).
LabelSpec label_spec(const CsvArgs& csv) {
  LabelSpec labels;
  labels.normal = csv.normal_label.value_or(1.0);
  if (!csv.abnormal_label) {
    labels.others_abnormal = csv.normal_label.has_value();
  } else if (*csv.abnormal_label == "any") {
    labels.others_abnormal = true;
  } else {
    std::size_t used = 0;
    try {
      labels.abnormal = std::stod(*csv.abnormal_label, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != csv.abnormal_label->size() || !std::isfinite(labels.abnormal)) {
      throw Error("--abnormal-label '" + *csv.abnormal_label + "' is neither a number nor 'any'");
    }
  }
  if (!labels.others_abnormal && labels.normal == labels.abnormal) {
    throw Error(fmt::format("--normal-label and --abnormal-label are both {:g}", labels.normal));
  }
  if (labels.others_abnormal && labels.abnormal == labels.normal) labels.abnormal = labels.normal == 0 ? 1 : 0;
  return labels;
}

// The label and id columns: those given, else `base` (a model's layout, or the defaults).
ColumnLayout column_layout(const CsvArgs& csv, const ColumnLayout& base = {}) {
  ColumnLayout layout = base;
  if (csv.label_column) layout.label = parse_label_column(*csv.label_column, layout.label_number);
  set_id_columns(layout, csv.id_columns.empty() ? base.ids : csv.id_columns);
  return layout;
}

LoadOptions load_options(const CsvArgs& csv, bool labelled) {
  LoadOptions options;
  options.csv = csv_options(csv);
  options.columns = column_layout(csv);
  options.labelled = labelled && options.columns.label != ColumnLayout::Label::none;
  options.labels = label_spec(csv);
  return options;
}

// --no-labels and --label-column none say the same; --no-labels with another label column contradicts itself.
bool has_labels(const CsvArgs& csv, bool no_labels) {
  if (no_labels && csv.label_column && *csv.label_column != "none") {
    throw Error("--no-labels and --label-column " + *csv.label_column + " contradict each other");
  }
  return !no_labels && column_layout(csv).label != ColumnLayout::Label::none;
}

std::string stem(const std::string& path) {
  if (path == "-") return "stdin";
  std::string name = path.substr(path.find_last_of('/') + 1);
  std::size_t dot = name.rfind('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

// The thread count to read with. (Keeping large allocations in the heap, mallopt(M_MMAP_MAX, 0), saved the
// 0.1 s of page faults of io::LineReader's 48 MB buffer per block, but let the resident memory creep up with
// the input's length as the buffers landed on fresh pages: glibc's defaults keep it flat.)
std::size_t thread_count(const ReadArgs& read) { return read.threads == 0 ? usable_cpus() : read.threads; }

// Rows done and their rate, overprinted on a terminal at most 4 times a second; silent in a pipe, under
// TERM=dumb or with -q.
class RowProgress {
 public:
  RowProgress(bool quiet, std::string verb) : progress_(quiet || !smart_terminal()), verb_(std::move(verb)) {}
  void operator()(std::size_t rows) {
    if (!throttle_.due()) return;
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    progress_.status(
        fmt::format("ecgad: {} {} rows ({})", verb_, rows, rate_text(static_cast<double>(rows), seconds, "rows")));
  }
  void done() { progress_.done(); }

 private:
  Progress progress_;
  std::string verb_;
  StatusThrottle throttle_{std::chrono::milliseconds(250)};
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Labelled beats for a model and their scores, read on `read.threads` threads. The single-threaded path
// reads everything, then scores: a read error anywhere comes before a beat that cannot be scored, so here too.
// Without `keep_values` the samples are dropped once scored (metrics need only labels and scores).
std::pair<Dataset, std::vector<double>> scored_labelled(const TrainedModel& model, const std::string& path,
                                                        const CsvArgs& csv, const ReadArgs& read, const char* command,
                                                        bool keep_values, bool quiet) {
  // Through the block reader for one thread too: only the scores and labels are kept (and the beats for a
  // report), so memory stays flat in the size of the input.
  std::size_t threads = thread_count(read);
  RowLayout layout{static_cast<std::size_t>(model.input_width()), RowLayout::Labels::required, model.labels,
                   column_layout(csv, model.columns)};
  BlockReader reader(path, csv_options(csv), layout, command, BlockOptions{threads, read.block_bytes});
  std::vector<std::unique_ptr<Workspace>> workspaces;
  for (std::size_t i = 0; i < threads; ++i) workspaces.push_back(model.model->new_workspace());
  std::vector<Mat<float>> scratch(threads);  // each worker's scaled input, kept from block to block
  Dataset data;
  data.name = reader.name();
  data.width = static_cast<std::size_t>(model.input_width());
  // Gathered in a deque, then copied once: a vector grown by doubling would leave each outgrown copy behind
  // (main() keeps freed memory in the process), about 4 times the scores' size instead of 2 at the end.
  std::deque<double> scores_so_far;
  std::deque<std::uint8_t> normal_so_far;
  std::optional<Error> unscored;
  RowProgress progress(quiet, "read");
  reader.run(
      [&](Dataset& beats, std::vector<double>& scores, std::size_t worker) {
        Eigen::VectorXd e = raw_scores(model, beats, *workspaces[worker], &scratch[worker]);
        scores.assign(e.data(), e.data() + e.size());
      },
      [&](Dataset& beats, std::vector<double>& scores) {
        for (std::size_t i = 0; i < scores.size() && !unscored; ++i) {
          if (!std::isfinite(scores[i])) unscored = unscorable(model, beats, i);
        }
        scores_so_far.insert(scores_so_far.end(), scores.begin(), scores.end());
        normal_so_far.insert(normal_so_far.end(), beats.normal.begin(), beats.normal.end());
        if (keep_values) {
          data.values.insert(data.values.end(), beats.values.begin(), beats.values.end());
          data.lines.insert(data.lines.end(), beats.lines.begin(), beats.lines.end());
        }
        progress(scores_so_far.size());
      });
  progress.done();
  if (unscored) throw *unscored;
  std::vector<double> errors(scores_so_far.begin(), scores_so_far.end());
  scores_so_far.clear();
  data.normal.assign(normal_so_far.begin(), normal_so_far.end());
  return {std::move(data), std::move(errors)};
}

// Where each input's scores go: standard output, one file, or DIR/<name of the input>.
// A folder is named with a final '/' (a single input with -o DIR, no slash, stays an error as before), or is
// an existing folder given for several inputs.
bool is_folder_output(const std::string& output, std::size_t inputs) {
  std::error_code error;
  if (output.empty() || output == "-") return false;
  return output.back() == '/' || (inputs > 1 && std::filesystem::is_directory(output, error));
}

std::string base_name(const std::string& path) {
  if (path == "-") return "stdin";
  std::string name = path;
  while (name.size() > 1 && name.back() == '/') name.pop_back();
  return name.substr(name.find_last_of('/') + 1);
}

ScoreSummary score_file(const TrainedModel& model, const std::string& path, const std::string& output,
                        const ScoreArgs& args, ScoreOptions options) {
  std::size_t threads = thread_count(args.read);
  RowLayout layout{static_cast<std::size_t>(model.input_width()), RowLayout::Labels::optional, model.labels,
                   column_layout(args.csv, model.columns)};
  RowProgress progress(args.quiet, "scored");
  options.on_rows = [&](std::size_t rows) { progress(rows); };
  ScoreSummary summary;
  if (threads == 1) {
    BeatReader reader(path, csv_options(args.csv), layout, "score");
    AtomicOutput out(output);
    summary = score_stream(model, reader, options, [&](std::string_view text) { out.write(text); });
    out.commit();
  } else {
    BlockReader reader(path, csv_options(args.csv), layout, "score", BlockOptions{threads, args.read.block_bytes});
    AtomicOutput out(output);
    summary = score_blocks(model, reader, options, [&](std::string_view text) { out.write(text); });
    out.commit();
  }
  progress.done();
  return summary;
}

}  // namespace

int run_split(const SplitArgs& args) {
  Progress progress(args.quiet);
  std::string train_path = args.train_out.empty() ? stem(args.data) + "_train.csv" : args.train_out;
  std::string test_path = args.test_out.empty() ? stem(args.data) + "_test.csv" : args.test_out;
  refuse_same_file({{"DATA", args.data}}, {{"--train-out", train_path}, {"--test-out", test_path}});
  CsvReader reader(args.data, csv_options(args.csv));
  LabelSpec labels = label_spec(args.csv);
  const bool labelled = has_labels(args.csv, args.no_labels);
  const ColumnLayout columns = column_layout(args.csv);
  std::size_t label = 0;  // its 0-based column
  std::vector<std::string> lines;
  std::vector<double> row;
  bool seen_normal = false, seen_abnormal = false, only_label_values = true;  // in the last column
  while (reader.next(row)) {
    if (lines.empty() && labelled) label = label_field(reader, columns);
    if (labelled) parse_label_with_hint(reader, row[label], labels, label, lines.empty());
    seen_normal = seen_normal || row.back() == labels.normal;
    seen_abnormal = seen_abnormal || row.back() == labels.abnormal;
    only_label_values = only_label_values && (row.back() == labels.normal || row.back() == labels.abnormal);
    lines.emplace_back(reader.line_text());
  }
  if (!labelled && only_label_values && seen_normal && seen_abnormal && reader.columns() >= 2) {
    progress.message("ecgad: warning: the last column of " + reader.name() + " holds only the labels " +
                     fmt::format("{:g} and {:g}", labels.normal, labels.abnormal) +
                     ": if it is a label column, drop --no-labels");
  }
  SplitIndices split = train_test_split(lines.size(), args.test_size, args.seed);
  const std::string& header = reader.header_line();  // without BOM and CR, as LineReader gives it
  AtomicOutput train_out(train_path), test_out(test_path);
  for (auto [out, indices] : {std::make_pair(&train_out, &split.train), std::make_pair(&test_out, &split.test)}) {
    if (!header.empty()) out->write(header + "\n");
    for (std::size_t i : *indices) {
      out->write(lines[i]);
      out->write("\n");
    }
  }
  commit_together({&train_out, &test_out});  // both parts or neither
  progress.message("ecgad: split " + std::to_string(lines.size()) + " rows: " + std::to_string(split.train.size()) +
                   " to " + train_path + ", " + std::to_string(split.test.size()) + " to " + test_path);
  return 0;
}

int run_train(const TrainArgs& args) {
  refuse_same_file({{"DATA", args.data}, {"--validation", args.validation}, {"--threshold-data", args.threshold_data}},
                   {{"-o", args.output}});
  check_can_write(args.output, "-o");  // before minutes of training, not after
  Progress progress(args.quiet);
  auto start = std::chrono::steady_clock::now();
  std::string preset = args.preset ? *args.preset : default_preset(args.model ? *args.model : "autoencoder");
  DetectorConfig config = preset_config(preset);
  if (args.model && *args.model != config.kind) {
    throw Error("--preset " + preset + " trains a " + config.kind + " model, not a " + *args.model + " model");
  }
  // Each kind's own options, refused by name for the other kinds.
  const bool lstm = config.kind == "lstm";
  auto refuse = [&](bool given, const char* flag) {
    if (given) throw Error(std::string(flag) + " does not apply to a " + config.kind + " model");
  };
  refuse(lstm && !args.layers.empty(), "--layers");
  refuse(lstm && args.loss.has_value(), "--loss");
  refuse(lstm && args.noise.has_value(), "--noise");
  refuse(lstm && args.latent.has_value(), "--latent");
  refuse(lstm && args.beta.has_value(), "--beta");
  refuse(lstm && args.output_activation.has_value(), "--output-activation");
  refuse(lstm && args.score.has_value(), "--score");
  refuse(!lstm && args.hidden.has_value(), "--hidden");
  refuse(!lstm && args.dropout.has_value(), "--dropout");
  if (args.hidden) config.options["hidden"] = *args.hidden;
  if (args.dropout) config.options["dropout"] = *args.dropout;
  if (!args.layers.empty()) config.options["encoder"] = args.layers;
  if (args.epochs) config.train.epochs = *args.epochs;
  if (args.batch_size) config.train.batch_size = *args.batch_size;
  if (args.learning_rate) config.train.adam.learning_rate = *args.learning_rate;
  if (args.clip_norm) config.train.clip_norm = *args.clip_norm;
  if (args.loss) config.options["loss"] = *args.loss;
  if (args.noise) config.options["input_noise"] = *args.noise;
  if (args.latent) config.options["latent"] = *args.latent;
  if (args.beta) config.options["beta"] = *args.beta;
  if (args.output_activation) config.options["output_activation"] = *args.output_activation;
  if (args.score) config.options["score"] = *args.score;
  if (args.threshold) {
    config.threshold = parse_threshold_strategy(*args.threshold);
    config.fallback_threshold.reset();  // asked for by name: no silent substitute
  }
  config.seed = args.seed;
  config.per_column_scaling = config.per_column_scaling || args.per_column;

  LabelSpec labels = label_spec(args.csv);
  const bool labelled = has_labels(args.csv, args.no_labels);
  Dataset data;
  // Either way the reader hashes the bytes as it reads them, a gzip file's inflated (`zcat FILE | sha256sum`):
  // one pass, and a pipe cannot be read twice.
  if (thread_count(args.read) == 1) {
    LoadOptions data_options = load_options(args.csv, labelled);
    data_options.csv.hash = true;
    data = load_dataset(args.data, data_options);
  } else {
    RowLayout layout{0, labelled ? RowLayout::Labels::required : RowLayout::Labels::none, labels,
                     column_layout(args.csv)};
    CsvOptions csv = csv_options(args.csv);
    csv.hash = true;
    data = read_all_blocks(args.data, csv, layout, "training",
                           BlockOptions{thread_count(args.read), args.read.block_bytes});
  }
  if (!labelled && last_column_looks_like_labels(data, labels)) {
    progress.message("ecgad: warning: the last column of " + data.name + " holds only the labels " +
                     fmt::format("{:g} and {:g}", labels.normal, labels.abnormal) +
                     ": if it is a label column, drop --no-labels");
  }
  std::optional<Dataset> validation, threshold_data;
  if (!args.validation.empty()) {
    // Rows of the training width, with or without a label column.
    validation = load_beats(args.validation, csv_options(args.csv), data.width, labels, false, "validation",
                            column_layout(args.csv));
  }
  if (!args.threshold_data.empty()) {
    threshold_data = load_dataset(args.threshold_data, load_options(args.csv, true));
    using Kind = ThresholdStrategy::Kind;
    std::size_t normal = 0;
    for (std::uint8_t n : threshold_data->normal) normal += n;
    bool best = config.threshold.kind == Kind::best_f1 || config.threshold.kind == Kind::best_accuracy;
    if (best && (normal == 0 || normal == threshold_data->rows())) {
      throw Error("--threshold-data '" + threshold_data->name + "' holds only " +
                  (normal == 0 ? "abnormal" : "normal") + " rows: " + to_string(config.threshold) +
                  " needs both classes to choose on");
    }
  }

  progress.message("ecgad: training on " + data.name + " (" + std::to_string(data.rows()) + " rows of " +
                   std::to_string(data.width) + " samples), preset " + config.preset);
  int epochs = config.train.epochs;
  // One line per epoch that stays; on a terminal, a line within the epoch overprinted at most 10 times a second.
  auto on_epoch = [&](const EpochStats& s) {
    std::string line =
        "epoch " + std::to_string(s.epoch) + "/" + std::to_string(epochs) + "  loss " + fmt::format("{:.5f}", s.loss);
    if (!std::isnan(s.val_loss)) line += "  val_loss " + fmt::format("{:.5f}", s.val_loss);
    line += "  " + fmt::format("{:.2f}s", s.seconds);
    progress.clear();
    progress.message(line);
  };
  StatusThrottle throttle(std::chrono::milliseconds(100));
  BatchCallback on_batch;
  if (progress.overprints()) {
    on_batch = [&](const BatchProgress& b) {
      if (throttle.due()) progress.status(training_progress_line(b));
    };
  }
  TrainedModel model = train_detector(data, config, validation ? &*validation : nullptr,
                                      threshold_data ? &*threshold_data : nullptr, on_epoch, on_batch);
  model.labels = labels;
  model.columns = column_layout(args.csv);
  progress.done();
  model.training["data"]["sha256"] = data.sha256;
  save_model(args.output, model);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.message("ecgad: wrote " + args.output + ": threshold " + general(model.threshold.value, 6) + " (" +
                   model.threshold.strategy + "), trained on " +
                   std::to_string(model.training["trained_on_rows"].get<std::size_t>()) + " rows in " +
                   fmt::format("{:.2f}s", seconds));
  return 0;
}

int run_score(const ScoreArgs& args) {
  if (args.batch_rows == 0) throw Error("--batch-rows must be at least 1");
  if (args.data.empty()) throw Error("score needs at least one input file");
  std::vector<NamedPath> inputs = {{"-m", args.model}};
  for (const std::string& path : args.data) inputs.push_back({"DATA", path});
  if (!is_folder_output(args.output, args.data.size())) refuse_same_file(inputs, {{"-o", args.output}});
  TrainedModel model = load_model(args.model);
  ScoreOptions options;
  options.format = parse_score_format(args.format);
  options.only_anomalies = args.only_anomalies;
  options.batch_rows = args.batch_rows;
  options.first_row = args.first_row;
  options.header = !args.no_header;
  const bool folder = is_folder_output(args.output, args.data.size());
  if (args.data.size() == 1 && !folder) {
    ScoreSummary summary = score_file(model, args.data[0], args.output, args, options);
    return args.fail_on_anomaly && summary.anomalies > 0 ? 1 : 0;
  }
  if (!folder && args.output != "-") {
    throw Error("several inputs go to a folder (-o DIR/) or to standard output, not to one file '" + args.output + "'");
  }
  std::vector<std::string> targets;
  for (const std::string& path : args.data) {
    if (!folder) break;
    std::string target = args.output + (args.output.back() == '/' ? "" : "/") + base_name(path);
    if (std::find(targets.begin(), targets.end(), target) != targets.end()) {
      throw Error("two inputs would both be written to '" + target + "'");
    }
    targets.push_back(target);
  }
  if (folder) {
    std::vector<NamedPath> outputs;
    outputs.reserve(targets.size());
    for (const std::string& target : targets) outputs.push_back({"-o", target});
    refuse_same_file(inputs, outputs);
    std::filesystem::create_directories(args.output);
  }
  // To standard output: one header, then every file's rows with a file column.
  std::optional<AtomicOutput> out;
  if (!folder) {
    out.emplace("-");
    options.id_names = default_id_names(column_layout(args.csv, model.columns));  // the same for every file
    if (options.header) {
      out->write(ScoreWriter(options.format, model.model->score_name(), "file", options.id_names).header());
    }
    options.header = false;
  }
  std::size_t failed = 0, anomalous = 0;
  for (std::size_t i = 0; i < args.data.size(); ++i) {
    ScoreOptions each = options;
    try {
      ScoreSummary summary;
      if (folder) {
        summary = score_file(model, args.data[i], targets[i], args, each);
      } else {
        each.file = args.data[i];
        std::fflush(out->stream());
        summary = score_file(model, args.data[i], "-", args, each);
      }
      anomalous += summary.anomalies > 0;
    } catch (const Error& e) {
      ++failed;
      std::fprintf(stderr, "ecgad: error: %s\n", e.what());
    }
  }
  if (out) out->commit();
  if (failed > 0) {
    std::fprintf(stderr, "ecgad: %zu of %zu inputs failed\n", failed, args.data.size());
    return 2;
  }
  return args.fail_on_anomaly && anomalous > 0 ? 1 : 0;
}

int run_evaluate(const EvaluateArgs& args, const std::vector<std::pair<std::string, double>>& gate_minimums) {
  if (!args.report.empty()) refuse_same_file({{"DATA", args.data}, {"-m", args.model}}, {{"--report", args.report}});
  TrainedModel model = load_model(args.model);
  auto [data, errors] =
      scored_labelled(model, args.data, args.csv, args.read, "evaluate", !args.report.empty(), args.quiet);
  PositiveClass positive = args.positive == "normal" ? PositiveClass::normal : PositiveClass::anomaly;
  Evaluation evaluation = evaluate(errors, data.normal, model.threshold.value, positive);
  evaluation.data_name = data.name;
  evaluation.threshold_strategy = model.threshold.strategy;
  evaluation.score_name = model.model->score_name();
  evaluation.threshold_details = model.threshold.details;
  std::vector<Gate> gates = check_gates(evaluation, gate_minimums);
  if (!args.report.empty()) write_html_report(args.report, model, data, errors);
  if (!args.junit.empty()) {
    AtomicOutput junit(args.junit);
    junit.write(junit_xml(evaluation, gates));
    junit.commit();
  }
  std::string output =
      args.format == "json" ? to_json(evaluation, gates).dump(2) + "\n" : format_text(evaluation, gates);
  AtomicOutput out("-");
  out.write(output);
  out.commit();
  for (const Gate& g : gates) {
    if (!g.passed) {
      fmt::print(stderr, "ecgad: gate failed: {} {} < {}\n", g.metric, fixed4(g.actual), fixed4(g.minimum));
    }
  }
  for (const Gate& g : gates) {
    if (!g.passed) return 1;
  }
  return 0;
}

int run_threshold(const ThresholdArgs& args) {
  refuse_same_file({{"DATA", args.data}}, {{"-o", args.output}});  // -o may be -m: that is the point
  ThresholdStrategy strategy = parse_threshold_strategy(args.strategy);
  TrainedModel model = load_model(args.model);
  auto [data, errors] = scored_labelled(model, args.data, args.csv, args.read, "threshold", false, args.quiet);
  std::vector<double> normal_errors;
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (data.normal[i]) normal_errors.push_back(errors[i]);
  }
  model.threshold = choose_threshold(strategy, normal_errors, errors, data.normal);
  model.threshold.details["file"] = data.name;
  save_model(args.output, model);
  if (!args.quiet) {
    fmt::print(stderr, "ecgad: wrote {}: threshold {:.6g} ({} on {})\n", args.output, model.threshold.value,
               model.threshold.strategy, data.name);
  }
  return 0;
}

int run_info(const std::string& model_path) {
  TrainedModel model = load_model(model_path);
  AtomicOutput out("-");
  out.write(model_info(model).dump(2) + "\n");
  out.commit();
  return 0;
}

int run_report(const ReportArgs& args) {
  refuse_same_file({{"DATA", args.data}, {"-m", args.model}}, {{"-o", args.output}});
  TrainedModel model = load_model(args.model);
  auto [data, errors] = scored_labelled(model, args.data, args.csv, args.read, "report", true, args.quiet);
  write_html_report(args.output, model, data, errors);
  return 0;
}

}  // namespace ecgad
