// The subcommands that score a labelled file with a model and keep only what they need of it: `evaluate`
// (metrics, gates, JUnit, report), `threshold` (a new threshold), `report` (the HTML report); and `info`.
#include <fmt/core.h>

#include <cmath>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli.h"
#include "ecgad/blocks.h"
#include "ecgad/detector.h"
#include "ecgad/error.h"
#include "ecgad/html_report.h"
#include "ecgad/junit.h"
#include "ecgad/model_file.h"
#include "ecgad/output.h"
#include "ecgad/report.h"
#include "ecgad/text.h"
#include "inputs.h"
#include "progress.h"

namespace ecgad {
namespace {

// Labelled beats for a model and their scores, read on `read.threads` threads (memory stays flat in the input's
// length: only the scores and labels are kept, and the beats for a report). A read error anywhere comes before
// a beat that cannot be scored, as one thread reading everything and then scoring would have it.
std::pair<Dataset, std::vector<double>> scored_labelled(const TrainedModel& model, const std::string& path,
                                                        const CsvArgs& csv, const ReadArgs& read, const char* command,
                                                        bool keep_values, bool quiet) {
  const std::size_t threads = thread_count(read);
  RowLayout layout{static_cast<std::size_t>(model.input_width()), RowLayout::Labels::required, model.labels,
                   column_layout(csv, model.columns)};
  BlockReader reader(path, csv_options(csv), layout, command, block_options(read));
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

struct EvaluateArgs {
  std::string data, model, positive = "anomaly", format = "text", report, junit;
  std::optional<double> min_accuracy, min_precision, min_recall, min_f1, min_auc;
  bool quiet = false;
  CsvArgs csv;
  ReadArgs read;

  std::vector<std::pair<std::string, double>> gates() const {
    std::vector<std::pair<std::string, double>> list;
    for (auto [name, minimum] :
         {std::pair{"accuracy", &min_accuracy}, std::pair{"precision", &min_precision},
          std::pair{"recall", &min_recall}, std::pair{"f1", &min_f1}, std::pair{"auc", &min_auc}}) {
      if (*minimum) list.emplace_back(name, **minimum);
    }
    return list;
  }
};

int run_evaluate(const EvaluateArgs& args, const std::vector<ModelKind>& kinds) {
  TrainedModel model = load_model(args.model, kinds);
  auto [data, errors] =
      scored_labelled(model, args.data, args.csv, args.read, "evaluate", !args.report.empty(), args.quiet);
  PositiveClass positive = args.positive == "normal" ? PositiveClass::normal : PositiveClass::anomaly;
  Evaluation evaluation = evaluate(errors, data.normal, model.threshold.value, positive);
  evaluation.data_name = data.name;
  evaluation.threshold_strategy = model.threshold.strategy;
  evaluation.score_name = model.model->score_name();
  evaluation.threshold_details = model.threshold.details;
  std::vector<Gate> gates = check_gates(evaluation, args.gates());
  // --report and --junit: both files or neither.
  std::optional<AtomicOutput> report, junit;
  if (!args.report.empty()) report.emplace(args.report).write(html_report(model, data, errors));
  if (!args.junit.empty()) junit.emplace(args.junit).write(junit_xml(evaluation, gates));
  if (report && junit) {
    commit_together({&*report, &*junit});
  } else if (report || junit) {
    (report ? *report : *junit).commit();
  }
  std::string output =
      args.format == "json" ? json_dump(to_json(evaluation, gates), 2) + "\n" : format_text(evaluation, gates);
  AtomicOutput out("-");
  out.write(output);
  out.commit();
  bool passed = true;
  for (const Gate& g : gates) {
    if (g.passed) continue;
    fmt::print(stderr, "ecgad: gate failed: {} {} < {}\n", g.metric, fixed4(g.actual), fixed4(g.minimum));
    passed = false;
  }
  return passed ? 0 : 1;
}

struct ThresholdArgs {
  std::string data, model, strategy, output;
  bool quiet = false;
  CsvArgs csv;
  ReadArgs read;
};

int run_threshold(const ThresholdArgs& args, const std::vector<ModelKind>& kinds) {
  ThresholdStrategy strategy = parse_threshold_strategy(args.strategy);
  TrainedModel model = load_model(args.model, kinds);
  auto [data, errors] = scored_labelled(model, args.data, args.csv, args.read, "threshold", false, args.quiet);
  std::vector<double> normal_errors;
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (data.normal[i]) normal_errors.push_back(errors[i]);
  }
  model.threshold = choose_threshold(strategy, normal_errors, errors, data.normal);
  model.threshold.details["file"] = data.name;
  save_model(args.output, model, kinds);
  Progress(args.quiet)
      .message(fmt::format("ecgad: wrote {}: threshold {:.6g} ({} on {})", args.output, model.threshold.value,
                           model.threshold.strategy, data.name));
  return 0;
}

struct ReportArgs {
  std::string data, model, output;
  bool quiet = false;
  CsvArgs csv;
  ReadArgs read;
};

int run_report(const ReportArgs& args, const std::vector<ModelKind>& kinds) {
  TrainedModel model = load_model(args.model, kinds);
  auto [data, errors] = scored_labelled(model, args.data, args.csv, args.read, "report", true, args.quiet);
  write_html_report(args.output, model, data, errors);
  return 0;
}

int run_info(const std::string& model_path, const std::vector<ModelKind>& kinds) {
  TrainedModel model = load_model(model_path, kinds);
  AtomicOutput out("-");
  out.write(json_dump(model_info(model), 2) + "\n");
  out.commit();
  return 0;
}

}  // namespace

Runner declare_evaluate(Command& cmd, const Context& context) {
  auto args = std::make_shared<EvaluateArgs>();
  cmd.input("DATA", args->data, "Labelled CSV file, or - for standard input")->required();
  cmd.input("-m,--model", args->model, "Model file from 'ecgad train'")->required();
  cmd.value("--positive", args->positive, one_of({"anomaly", "normal"}),
            "Positive class for precision/recall/F1: anomaly, or normal (as the tutorial prints)")
      ->capture_default_str();
  cmd.value("--format", args->format, one_of({"text", "json"}), "text or json")->capture_default_str();
  const ValueSpec fraction = number_range(0, 1, false, "a number from 0 to 1 (a metric's range)");
  const ValueSpec gate = named(fraction, "0..1");
  cmd.value("--min-accuracy", args->min_accuracy, gate, "Gate: exit 1 when accuracy is lower");
  cmd.value("--min-precision", args->min_precision, gate, "Gate: exit 1 when precision is lower");
  cmd.value("--min-recall", args->min_recall, gate, "Gate: exit 1 when recall is lower");
  cmd.value("--min-f1", args->min_f1, gate, "Gate: exit 1 when F1 is lower");
  cmd.value("--min-auc", args->min_auc, gate, "Gate: exit 1 when ROC AUC is lower");
  cmd.output("--junit", args->junit, "Also write the metrics and gates as JUnit XML test cases (for CI test reports)");
  cmd.output("--report", args->report, "Also write an HTML report with plots to this file");
  cmd.flag("-q,--quiet", args->quiet, "Print no progress");
  add_read_options(cmd, args->read);
  add_csv_options(cmd, args->csv, false);
  cmd.app()->footer(
      "Labels are read with the model's label values. Gates print their verdict; output is printed either way.\n"
      "Example: ecgad evaluate -m model.ecgad test.csv --positive normal --min-recall 0.9");
  const std::vector<ModelKind>& kinds = context.kinds;
  return [args, &kinds] { return run_evaluate(*args, kinds); };
}

Runner declare_threshold(Command& cmd, const Context& context) {
  auto args = std::make_shared<ThresholdArgs>();
  cmd.input("DATA", args->data, "Labelled CSV: its normal rows for mean-std/percentile, all rows for best-*")
      ->required();
  cmd.input("-m,--model", args->model, "Model file to start from")->required();
  cmd.value("--threshold", args->strategy, threshold_strategy_spec(),
            "mean-std:K, percentile:P, fixed:V, best-f1 or best-accuracy")
      ->required();
  cmd.output_replacing("-o,--output", args->output, "-m", "Model file to write (may be the same as -m)")->required();
  cmd.flag("-q,--quiet", args->quiet, "Print nothing on standard error");
  add_read_options(cmd, args->read);
  add_csv_options(cmd, args->csv, false);
  cmd.app()->footer("Example: ecgad threshold -m model.ecgad train.csv --threshold best-f1 -o tuned.ecgad");
  const std::vector<ModelKind>& kinds = context.kinds;
  return [args, &kinds] { return run_threshold(*args, kinds); };
}

Runner declare_report(Command& cmd, const Context& context) {
  auto args = std::make_shared<ReportArgs>();
  cmd.input("DATA", args->data, "Labelled CSV file, or - for standard input")->required();
  cmd.input("-m,--model", args->model, "Model file from 'ecgad train'")->required();
  cmd.output("-o,--output", args->output, "HTML file to write")->required();
  cmd.flag("-q,--quiet", args->quiet, "Print no progress");
  add_read_options(cmd, args->read);
  add_csv_options(cmd, args->csv, false);
  cmd.app()->footer("Example: ecgad report -m model.ecgad test.csv -o report.html");
  const std::vector<ModelKind>& kinds = context.kinds;
  return [args, &kinds] { return run_report(*args, kinds); };
}

Runner declare_info(Command& cmd, const Context& context) {
  auto model = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);  // info prints nothing on standard error anyway; -q for every one
  cmd.input("MODEL", *model, "Model file")->required();
  cmd.flag("-q,--quiet", *quiet, "Print nothing on standard error");
  cmd.app()->footer("Example: ecgad info model.ecgad > model.json");
  const std::vector<ModelKind>& kinds = context.kinds;
  return [model, &kinds] { return run_info(*model, kinds); };
}

}  // namespace ecgad
