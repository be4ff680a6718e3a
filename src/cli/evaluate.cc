// The subcommands that score a labelled file with a model and keep only what they need of it: `evaluate`
// (metrics, gates, JUnit, report), `threshold` (a new threshold), `report` (the HTML report); and `info`.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli.h"
#include "ecgad/beats.h"
#include "ecgad/blocks.h"
#include "ecgad/detector.h"
#include "ecgad/ec57.h"
#include "ecgad/ec57_report.h"
#include "ecgad/error.h"
#include "ecgad/html_report.h"
#include "ecgad/input_check.h"
#include "ecgad/junit.h"
#include "ecgad/model_file.h"
#include "ecgad/normalize.h"
#include "ecgad/output.h"
#include "ecgad/protocol.h"
#include "ecgad/recordings.h"
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
                                                        bool keep_values, bool quiet, InputCheck* check = nullptr) {
  const std::size_t threads = thread_count(read);
  RowLayout layout{static_cast<std::size_t>(model.input_width()), RowLayout::Labels::required, model.labels,
                   column_layout(csv, model.columns)};
  BlockReader reader(path, csv_options(csv), layout, command, block_options(read));
  std::vector<std::unique_ptr<Workspace>> workspaces;
  for (std::size_t i = 0; i < threads; ++i) workspaces.push_back(model.model->new_workspace());
  std::vector<Mat<float>> scratch(threads);  // each worker's scaled input, kept from block to block
  std::vector<InputCheck> checks(threads);   // one per worker, summed at the end
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
        Eigen::VectorXd e =
            block_scores(model, beats, *workspaces[worker], &scratch[worker], check ? &checks[worker] : nullptr);
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
  if (check) {
    for (const InputCheck& c : checks) *check += c;
  }
  std::vector<double> errors(scores_so_far.begin(), scores_so_far.end());
  scores_so_far.clear();
  data.normal.assign(normal_so_far.begin(), normal_so_far.end());
  return {std::move(data), std::move(errors)};
}

struct EvaluateArgs {
  std::vector<std::string> data;
  std::string model, positive = "anomaly", format = "text", report, junit;
  std::optional<double> min_accuracy, min_precision, min_recall, min_f1, min_auc;
  bool quiet = false, no_input_check = false;
  CsvArgs csv;
  ReadArgs read;
  // Recordings (EC57): reference annotations, the lead, the per-record protocol and the EC57 gates.
  std::string annotations, channel, learn, normalize = "none";
  std::optional<std::string> preset;
  std::uint64_t seed = 0;
  std::map<std::string, std::optional<double>> ec57_minimums;  // by metric: "veb-se"

  std::vector<std::pair<std::string, double>> gates() const {
    std::vector<std::pair<std::string, double>> list;
    for (auto [name, minimum] :
         {std::pair{"accuracy", &min_accuracy}, std::pair{"precision", &min_precision},
          std::pair{"recall", &min_recall}, std::pair{"f1", &min_f1}, std::pair{"auc", &min_auc}}) {
      if (*minimum) list.emplace_back(name, **minimum);
    }
    return list;
  }
  std::vector<std::pair<std::string, double>> ec57_gates() const {
    std::vector<std::pair<std::string, double>> list;
    for (const std::string& metric : ec57_gate_metrics()) {  // in the declared order
      const std::optional<double>& minimum = ec57_minimums.at(metric);
      if (minimum) list.emplace_back(metric, *minimum);
    }
    return list;
  }
};

// "ecgad: warning: ..." once, whatever -q says: the beats do not look like those the model learned.
void warn_on_mismatch(const TrainedModel& model, const InputCheck& check, const std::string& model_path) {
  const std::string text = input_mismatch_warning(model, check, model_path);
  if (!text.empty()) print_warning(text + " (--no-input-check silences this)");
}

// Gate verdicts on standard error; whether every gate passed.
bool report_gates(const std::vector<Gate>& gates) {
  bool passed = true;
  for (const Gate& g : gates) {
    if (g.passed) continue;
    const std::string actual = std::isfinite(g.actual) ? fixed4(g.actual) : std::string("undefined");
    fmt::print(stderr, "ecgad: gate failed: {} {} < {}\n", g.metric, actual, fixed4(g.minimum));
    passed = false;
  }
  return passed;
}

void write_stdout(const std::string& text) {
  AtomicOutput out("-");
  out.write(text);
  out.commit();
}

// A recording rather than a CSV of beats: a WFDB header or record name, or an EDF/BDF file.
bool is_recording(const std::string& path) { return recording_format(path) != RecordingFormat::csv; }

// The flags that only one of the two evaluations takes, refused by name in the other.
void refuse_other_modes_flags(const EvaluateArgs& args, bool recordings) {
  auto refuse = [](const std::string& flag, const std::string& why) {
    throw Error(flag + " " + why + " (see 'ecgad evaluate --help')");
  };
  if (recordings) {
    if (!args.gates().empty()) {
      refuse("--min-" + args.gates().front().first, "gates a CSV's evaluation; recordings take the EC57 gates");
    }
    if (!args.report.empty()) refuse("--report", "is for a CSV of beats, not recordings");
    if (args.positive != "anomaly") refuse("--positive", "is for a CSV of beats, not recordings");
    return;
  }
  if (!args.ec57_gates().empty()) {
    refuse("--min-" + args.ec57_gates().front().first, "gates an evaluation on recordings, not on a CSV");
  }
  if (!args.annotations.empty()) refuse("--annotations", "is for recordings, not a CSV of beats");
  if (!args.learn.empty()) refuse("--learn", "is for recordings, not a CSV of beats");
  if (!args.channel.empty()) refuse("--channel", "is for recordings, not a CSV of beats");
  if (args.preset) refuse("--preset", "applies with --learn, to recordings");
  if (args.normalize != "none") refuse("--normalize", "applies with --learn, to recordings");
  if (args.data.size() != 1) throw Error("evaluate reads one CSV file (or recordings: WFDB headers, EDF files)");
}

// The detector each record learns with --learn: the preset, or the kind's default preset (--model KIND).
DetectorConfig learning_config(const EvaluateArgs& args, const std::vector<ModelKind>& kinds) {
  std::optional<std::string> kind;
  if (!args.model.empty()) {
    const std::vector<std::string> names = model_kinds(kinds);
    if (std::find(names.begin(), names.end(), args.model) == names.end()) {
      std::string list;
      for (const std::string& name : names) list += (list.empty() ? "" : ", ") + name;
      throw Error("--model with --learn names a model kind (" + list + "), not '" + args.model +
                  "'; without --learn it names a model file");
    }
    kind = args.model;
  }
  const std::string preset = args.preset ? *args.preset : default_preset(kind ? *kind : kinds.front().name, kinds);
  DetectorConfig config = preset_config(preset, kinds);
  if (kind && *kind != config.kind) {
    throw Error("--preset " + preset + " trains " + config.kind + " models, not " + *kind + " models");
  }
  config.seed = args.seed;
  config.normalize = parse_beat_normalization(args.normalize);
  config.kinds = &kinds;
  return config;
}

// evaluate on recordings: each record's beats cut, scored by the model (or by its own model with --learn) and
// compared beat by beat with its reference annotations, as EC57 does.
int run_evaluate_recordings(const EvaluateArgs& args, const std::vector<ModelKind>& kinds) {
  refuse_other_modes_flags(args, true);
  if (args.annotations.empty()) {
    throw Error("evaluating recordings needs their reference beats: --annotations atr (or an annotation file)");
  }
  RecordBeatsOptions options;
  options.recording.channel = args.channel;
  options.annotations = args.annotations;
  Ec57Protocol protocol;
  if (!args.learn.empty()) protocol.learn_seconds = parse_learn_duration(args.learn);
  Progress progress(args.quiet);
  const RecordDone done = [&](const RecordBeats& beats, const Ec57Record& record) {
    const Ec57Stats s = ec57_stats(record.counts);
    progress.message(fmt::format("ecgad: evaluate: {} ({}, {:g} Hz): {} beats cut; {} reference beats after {:g} s",
                                 beats.record, beats.channel, beats.fs, beats.beats.rows(), s.qrs.tp + s.qrs.fn,
                                 protocol.learn_seconds));
  };
  std::vector<Ec57Record> records;
  if (!args.learn.empty()) {
    records = patient_specific_recordings(args.data, options, learning_config(args, kinds), protocol, done);
  } else {
    if (args.model.empty()) throw Error("evaluate needs a model: -m MODEL, or --learn 5m to learn one per record");
    if (args.preset) throw Error("--preset applies with --learn (a model per record); -m gives the model itself");
    if (args.normalize != "none") throw Error("--normalize applies with --learn; -m's model carries its own");
    TrainedModel model = load_model(args.model, kinds);
    InputCheck check;
    records = evaluate_recordings(model, args.data, options, protocol, &check, done);
    if (!args.no_input_check) warn_on_mismatch(model, check, args.model);
  }
  const Ec57Setting setting{protocol.window_seconds, protocol.learn_seconds, "verdicts"};
  const std::vector<Gate> gates = check_ec57_gates(gross_counts(records), args.ec57_gates());
  if (!args.junit.empty()) {
    AtomicOutput junit(args.junit);
    junit.write(ec57_junit_xml(records, gates, "ecgad evaluate"));
    junit.commit();
  }
  write_stdout(args.format == "json" ? json_dump(ec57_json(records, setting, gates), 2) + "\n"
                                     : ec57_text(records, setting, gates));
  return report_gates(gates) ? 0 : 1;
}

int run_evaluate(const EvaluateArgs& args, const std::vector<ModelKind>& kinds) {
  if (args.data.empty()) throw Error("evaluate needs a labelled CSV file or recordings");
  if (is_recording(args.data.front())) return run_evaluate_recordings(args, kinds);
  refuse_other_modes_flags(args, false);
  if (args.model.empty()) throw Error("evaluate needs a model: -m MODEL");
  const std::string& data_path = args.data.front();
  TrainedModel model = load_model(args.model, kinds);
  InputCheck check;
  auto [data, errors] = scored_labelled(model, data_path, args.csv, args.read, "evaluate", !args.report.empty(),
                                        args.quiet, args.no_input_check ? nullptr : &check);
  if (!args.no_input_check) warn_on_mismatch(model, check, args.model);
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
  write_stdout(args.format == "json" ? json_dump(to_json(evaluation, gates), 2) + "\n"
                                     : format_text(evaluation, gates));
  return report_gates(gates) ? 0 : 1;
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
  const std::vector<ModelKind>& kinds = context.kinds;
  cmd.inputs("DATA", args->data,
             "Labelled CSV file (or - for standard input), or recordings: WFDB headers (.hea) or EDF files")
      ->required();
  std::string kind_names;
  for (const std::string& name : model_kinds(kinds)) kind_names += (kind_names.empty() ? "" : ", ") + name;
  cmd.input("-m,--model", args->model,
            "Model file from 'ecgad train' (with --learn: a model kind, " + kind_names + ")");
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
  cmd.flag("--no-input-check", args->no_input_check,
           "Do not warn when the beats plainly do not match what the model learned");
  cmd.flag("-q,--quiet", args->quiet, "Print no progress (the input check's warning is still printed)");
  add_read_options(cmd, args->read);
  add_csv_options(cmd, args->csv, false);
  const std::string recordings = "Recordings (EC57: QRS, VEB and SVEB Se/+P per record and gross)";
  cmd.input("--annotations", args->annotations,
            "Reference beats: 'atr' (RECORD.atr), another annotator's extension or a file, or 'edf' (EDF+'s own)")
      ->group(recordings);
  cmd.value("--channel", args->channel, ValueSpec{},
            "Lead: a signal name or 0-based number (default: the best ECG lead)")
      ->group(recordings);
  cmd.value("--learn", args->learn, named(ValueSpec{}, "DURATION"),
            "Train a model per record on the normal beats of its first DURATION (5m, 300s: EC57's learning period) "
            "and evaluate it on the rest; without --learn the first 5 minutes are left out all the same")
      ->group(recordings);
  std::vector<std::string> preset_names;
  for (const PresetInfo& p : presets(kinds)) preset_names.push_back(p.name);
  cmd.value("--preset", args->preset, one_of(preset_names), "With --learn: the preset each record's model starts from")
      ->group(recordings);
  cmd.value("--seed", args->seed, named(whole(0, 18446744073709551615u), "SEED"),
            "With --learn: the seed of every record's model; same seed, same tables")
      ->group(recordings);
  cmd.value("--normalize", args->normalize, one_of({"none", "zscore", "minmax"}),
            "With --learn: each beat normalised on its own first")
      ->group(recordings);
  for (const std::string& metric : ec57_gate_metrics()) {
    cmd.value("--min-" + metric, args->ec57_minimums[metric], gate,
              "Gate: exit 1 when the gross " + metric + " is lower")
        ->group(recordings);
  }
  cmd.app()->footer(
      "Labels are read with the model's label values. Gates print their verdict; output is printed either way.\n"
      "Example: ecgad evaluate -m model.ecgad test.csv --positive normal --min-recall 0.9\n"
      "         ecgad evaluate --learn 5m data/mitdb/100.hea --annotations atr --min-veb-se 0.9");
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
