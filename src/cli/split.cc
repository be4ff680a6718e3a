// `ecgad split`: rows into a training and a test file, exactly as scikit-learn's train_test_split.
#include "ecgad/split.h"

#include <fmt/core.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cli.h"
#include "ecgad/csv.h"
#include "ecgad/dataset.h"
#include "ecgad/output.h"
#include "inputs.h"
#include "progress.h"

namespace ecgad {
namespace {

struct SplitArgs {
  std::string data, train_out, test_out;
  double test_size = 0.2;
  std::uint32_t seed = 21;
  bool no_labels = false, quiet = false;
  CsvArgs csv;
};

std::string stem(const std::string& path) {
  if (path == "-") return "stdin";
  std::string name = path.substr(path.find_last_of('/') + 1);
  std::size_t dot = name.rfind('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

// --train-out or --test-out as given, or NAME_train.csv / NAME_test.csv.
std::string part_path(const std::string& given, const std::string& data, const char* part) {
  return given.empty() ? stem(data) + "_" + part + ".csv" : given;
}

int run_split(const SplitArgs& args) {
  Progress progress(args.quiet);
  const std::string train_path = part_path(args.train_out, args.data, "train");
  const std::string test_path = part_path(args.test_out, args.data, "test");
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
    progress.warning("the last column of " + reader.name() + " holds only the labels " +
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

}  // namespace

Runner declare_split(Command& cmd, const Context&) {
  auto args = std::make_shared<SplitArgs>();
  cmd.input("DATA", args->data, "Input CSV file, or - for standard input")->required();
  cmd.value("--test-size", args->test_size, positive(),
            "Fraction of rows for the test part (0 < T < 1), or a whole number of rows")
      ->capture_default_str();
  cmd.value("--seed", args->seed, named(whole(0, 4294967295u), "SEED"),
            "random_state of train_test_split (0 .. 4294967295)")
      ->capture_default_str();
  cmd.output("--train-out", args->train_out, "Training rows go here (default: NAME_train.csv)");
  cmd.output("--test-out", args->test_out, "Test rows go here (default: NAME_test.csv)");
  cmd.flag("--no-labels", args->no_labels, "Rows carry no label column (do not check labels)");
  cmd.flag("-q,--quiet", args->quiet, "Print nothing on standard error");
  add_csv_options(cmd, args->csv, true);
  cmd.app()->footer(
      "Rows are written verbatim (line endings become \\n), test rows in sklearn's order.\n"
      "Example: ecgad split data/ecg.csv --test-size 0.2 --seed 21 --train-out train.csv --test-out test.csv");
  cmd.files([args](std::vector<NamedPath>&, std::vector<NamedPath>& outputs) {  // the default names are outputs too
    if (args->train_out.empty()) outputs.push_back({"--train-out", part_path("", args->data, "train")});
    if (args->test_out.empty()) outputs.push_back({"--test-out", part_path("", args->data, "test")});
  });
  return [args] { return run_split(*args); };
}

}  // namespace ecgad
