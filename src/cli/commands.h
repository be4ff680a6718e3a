// One function per subcommand: argument structs filled by CLI11 in main.cc, work done by the library.
// Each returns the exit code (0 ok, 1 found something); errors are thrown as ecgad::Error (exit 2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ecgad {

// How rows are laid out (the options every subcommand that reads beats takes). Unset: the model's layout
// (score, evaluate, threshold, report), else the defaults (label last, no id columns, labels 1 and 0).
struct CsvArgs {
  bool header = false;
  bool no_header = false;  // the first line is data, even when it looks like a header of column numbers
  std::optional<double> normal_label;
  std::optional<std::string> abnormal_label;  // a number, or "any": every value but the normal label
  std::optional<std::string> label_column;    // first, last, N (1-based) or none
  std::vector<std::size_t> id_columns;        // 1-based
};

// How an input is read: --threads (0: the CPUs this process may use; 1: one thread, no pipeline) and the
// hidden --block-bytes (small blocks let the tests cut small files into many).
struct ReadArgs {
  std::size_t threads = 0;
  std::size_t block_bytes = std::size_t{1} << 20;
};

struct SplitArgs {
  std::string data, train_out, test_out;
  double test_size = 0.2;
  std::uint32_t seed = 21;
  bool no_labels = false, quiet = false;
  CsvArgs csv;
};

struct TrainArgs {
  std::string data, output, threshold_data, validation;
  std::optional<std::string> preset, model;
  std::vector<int> layers;
  std::optional<int> epochs, batch_size;
  std::optional<double> learning_rate, noise, dropout, clip_norm;
  std::optional<int> hidden;
  std::optional<std::string> threshold, loss;
  std::optional<int> latent;                            // a VAE's code size
  std::optional<double> beta;                           // a VAE's KL weight
  std::optional<std::string> output_activation, score;  // a VAE's output layer and anomaly score
  std::uint64_t seed = 0;
  bool per_column = false, no_labels = false, quiet = false;
  CsvArgs csv;
  ReadArgs read;
};

struct ScoreArgs {
  std::vector<std::string> data;
  std::string model, output = "-", format = "csv";
  bool only_anomalies = false, fail_on_anomaly = false, no_header = false, quiet = false;
  std::size_t batch_rows = 4096, first_row = 1;
  CsvArgs csv;
  ReadArgs read;
};

struct EvaluateArgs {
  std::string data, model, positive = "anomaly", format = "text", report, junit;
  std::optional<double> min_accuracy, min_precision, min_recall, min_f1, min_auc;
  bool quiet = false;
  CsvArgs csv;
  ReadArgs read;
};

struct ThresholdArgs {
  std::string data, model, strategy, output;
  bool quiet = false;
  CsvArgs csv;
  ReadArgs read;
};

struct ReportArgs {
  std::string data, model, output;
  bool quiet = false;
  CsvArgs csv;
  ReadArgs read;
};

int run_split(const SplitArgs& args);
int run_train(const TrainArgs& args);
int run_score(const ScoreArgs& args);
int run_evaluate(const EvaluateArgs& args, const std::vector<std::pair<std::string, double>>& gates);
int run_threshold(const ThresholdArgs& args);
int run_info(const std::string& model_path);
int run_report(const ReportArgs& args);

}  // namespace ecgad

// The whole front end (src/cli/main.cc): parses argv, runs the subcommand, returns the exit code. With
// parse_only it returns after parsing (for the command-line fuzzer).
int ecgad_main(int argc, char** argv, bool parse_only);
