// `ecgad score`: one line per beat with its score and verdict, streamed: for one file or many, to standard output,
// a file, or a folder.
#include "ecgad/score.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli.h"
#include "ecgad/blocks.h"
#include "ecgad/error.h"
#include "ecgad/input_check.h"
#include "ecgad/model_file.h"
#include "ecgad/output.h"
#include "inputs.h"
#include "progress.h"

namespace ecgad {
namespace {

// Enough rows per batch to keep the matrix products efficient, few enough that a batch stays small.
constexpr std::uint64_t kMaxBatchRows = 1000000;
// Row numbers stay exact as JSON numbers (2^53) and never wrap, however long the file after the first row.
constexpr std::uint64_t kMaxFirstRow = std::uint64_t{1} << 53;

struct ScoreArgs {
  std::vector<std::string> data;
  std::string model, output = "-", format = "csv";
  bool only_anomalies = false, fail_on_anomaly = false, no_header = false, quiet = false, no_input_check = false;
  std::size_t batch_rows = 4096, first_row = 1;
  CsvArgs csv;
  ReadArgs read;
};

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
  RowLayout layout{static_cast<std::size_t>(model.input_width()), RowLayout::Labels::optional, model.labels,
                   column_layout(args.csv, model.columns)};
  if (layout.columns.ids != model.columns.ids) layout.columns.trained = std::make_shared<ColumnLayout>(model.columns);
  RowProgress progress(args.quiet, "scored");
  options.on_rows = [&](std::size_t rows) { progress(rows); };
  BlockReader reader(path, csv_options(args.csv), layout, "score", block_options(args.read));
  AtomicOutput out(output);
  ScoreSummary summary = score_blocks(model, reader, options, [&](std::string_view text) { out.write(text); });
  out.commit();
  progress.done();
  return summary;
}

// DIR/<name> for every input, refused when two inputs would share one (the output check, check_declared_files,
// compares them with the inputs through the hook in declare_score).
std::vector<std::string> folder_target_paths(const ScoreArgs& args) {
  std::vector<std::string> targets;
  for (const std::string& path : args.data) {
    std::string target = args.output + (args.output.back() == '/' ? "" : "/") + base_name(path);
    if (std::find(targets.begin(), targets.end(), target) != targets.end()) {
      throw Error("two inputs would both be written to '" + target + "'");
    }
    targets.push_back(target);
  }
  return targets;
}

std::vector<std::string> folder_targets(const ScoreArgs& args) {
  std::vector<std::string> targets = folder_target_paths(args);
  std::error_code error;
  std::filesystem::create_directories(args.output, error);
  if (error) throw Error("cannot make the folder '" + args.output + "' for -o: " + error.message());
  return targets;
}

// Several inputs: each scored as on its own, to DIR/<name> or to standard output under one header with a file
// column. A failed input is named and the others are still scored.
int score_many(const TrainedModel& model, const ScoreArgs& args, ScoreOptions options, bool folder) {
  std::vector<std::string> targets = folder ? folder_targets(args) : std::vector<std::string>{};
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
      if (!folder) {
        each.file = args.data[i];
        std::fflush(out->stream());
      }
      ScoreSummary summary = score_file(model, args.data[i], folder ? targets[i] : "-", args, each);
      anomalous += summary.anomalies > 0;
    } catch (const Error& e) {
      ++failed;
      print_error(e.what());
    }
  }
  if (out) out->commit();
  if (failed > 0) {
    print_error(std::to_string(failed) + " of " + std::to_string(args.data.size()) + " inputs failed");
    return 2;
  }
  return args.fail_on_anomaly && anomalous > 0 ? 1 : 0;
}

int run_score(const ScoreArgs& args, const std::vector<ModelKind>& kinds) {
  if (args.data.empty()) throw Error("score needs at least one input file");
  const bool folder = is_folder_output(args.output, args.data.size());
  TrainedModel model = load_model(args.model, kinds);
  ScoreOptions options;
  options.format = parse_score_format(args.format);
  options.only_anomalies = args.only_anomalies;
  options.batch_rows = args.batch_rows;
  options.first_row = args.first_row;
  options.header = !args.no_header;
  InputCheck check;
  if (!args.no_input_check) options.check = &check;
  int code = 0;
  if (args.data.size() == 1 && !folder) {
    ScoreSummary summary = score_file(model, args.data[0], args.output, args, options);
    code = args.fail_on_anomaly && summary.anomalies > 0 ? 1 : 0;
  } else if (!folder && args.output != "-") {
    throw Error("several inputs go to a folder (-o DIR/) or to standard output, not to one file '" + args.output + "'");
  } else {
    code = score_many(model, args, options, folder);
  }
  // Once, over every input, whatever -q says: a model scoring beats unlike its own flags them all.
  const std::string warning = input_mismatch_warning(model, check, args.model);
  if (!warning.empty()) print_warning(warning + " (--no-input-check silences this)");
  return code;
}

// The score columns every kind may write, for the footer: "autoencoder: error; vae: error or neg_elbo; ...".
std::string score_columns(const std::vector<ModelKind>& kinds) {
  std::string text;
  for (const ModelKind& kind : kinds) {
    text += "  " + kind.name + ": ";
    for (std::size_t i = 0; i < kind.score_columns.size(); ++i) {
      text += (i == 0 ? "" : "; or ") + kind.score_columns[i].name + ", " + kind.score_columns[i].meaning;
    }
    text += "\n";
  }
  return text;
}

}  // namespace

Runner declare_score(Command& cmd, const Context& context) {
  auto args = std::make_shared<ScoreArgs>();
  cmd.inputs("DATA", args->data,
             "CSV files to score, or - for standard input; several go to -o DIR/ (DIR/<name> each) "
             "or to standard output with a file column")
      ->required();
  cmd.input("-m,--model", args->model, "Model file from 'ecgad train'")->required();
  cmd.output("-o,--output", args->output, "Write here instead of standard output (atomically)");
  cmd.value("--format", args->format, one_of({"csv", "jsonl"}), "csv (with a header) or jsonl")->capture_default_str();
  cmd.flag("--only-anomalies", args->only_anomalies, "Write only the rows judged anomalies");
  cmd.flag("--fail-on-anomaly", args->fail_on_anomaly,
           "Exit with 1 when any row is an anomaly (0 when none, 2 on an error)");
  cmd.value("--batch-rows", args->batch_rows, named(whole(1, kMaxBatchRows), "ROWS"),
            "Rows scored at a time, 1 .. 1000000 (memory stays bounded)")
      ->capture_default_str();
  cmd.value("--first-row", args->first_row, named(whole(1, kMaxFirstRow), "ROW"),
            "The number the first row gets (to join chunks of one file scored apart)")
      ->capture_default_str();
  cmd.flag("--no-header", args->no_header, "Write no CSV header line");
  cmd.flag("--no-input-check", args->no_input_check,
           "Do not warn when the beats plainly do not match what the model learned");
  cmd.flag("-q,--quiet", args->quiet, "Print no progress (the input check's warning is still printed)");
  add_read_options(cmd, args->read);
  add_csv_options(cmd, args->csv, false, true);
  cmd.app()->footer(
      "Rows may carry a label column (width + 1 columns) or not (width columns).\n"
      "Columns: row (1-based data row), the model's score, verdict (normal|anomaly: anomaly when the score is at\n"
      "least the threshold), label (normal|anomaly, if the input has labels: the same words, so scripts can\n"
      "compare them). The score's column is named by the model's kind:\n" +
      score_columns(context.kinds) +
      "Example: ecgad score -m model.ecgad new_beats.csv --only-anomalies --fail-on-anomaly");
  cmd.files([args](std::vector<NamedPath>&, std::vector<NamedPath>& outputs) {  // -o DIR/: each DIR/<name>
    if (args->data.empty() || !is_folder_output(args->output, args->data.size())) return;
    outputs.erase(std::remove_if(outputs.begin(), outputs.end(), [](const NamedPath& p) { return p.what == "-o"; }),
                  outputs.end());
    for (const std::string& target : folder_target_paths(*args)) outputs.push_back({"-o", target});
  });
  const std::vector<ModelKind>& kinds = context.kinds;
  return [args, &kinds] { return run_score(*args, kinds); };
}

}  // namespace ecgad
