// ecgad: the command-line front end. It parses flags and calls the library; the work lives in src/.
// Exit codes: 0 ok, 1 "found something" (an anomaly with --fail-on-anomaly, a failed gate), 2 error.
#include <CLI/CLI.hpp>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "beats.h"
#include "commands.h"
#include "completion.h"
#include "ecgad/detector.h"
#include "ecgad/error.h"
#include "ecgad/exact_gemm.h"
#include "ecgad/model.h"
#include "ecgad/model_file.h"
#include "ecgad/threshold.h"
#include "ecgad/version.h"
#include "suggest.h"

namespace {

constexpr const char* kDescription =
    "ecgad learns what normal heartbeats look like and flags the abnormal ones.\n"
    "A dense autoencoder is trained on normal beats; a beat whose reconstruction error is at or\n"
    "above the model's threshold is an anomaly.\n\n"
    "Typical use (the TensorFlow autoencoder tutorial on ECG5000):\n"
    "  ecgad split data/ecg.csv --train-out train.csv --test-out test.csv\n"
    "  ecgad train train.csv -o model.ecgad\n"
    "  ecgad score -m model.ecgad test.csv > scores.csv\n"
    "  ecgad evaluate -m model.ecgad test.csv\n\n"
    "Input: CSV of numbers (gzip-compressed too), one beat per row, no header (--header skips one),\n"
    "optionally a label in the last column (1 = normal, 0 = abnormal by default; --label-column and\n"
    "--id-column say where the label and id columns are). '-' reads standard input.\n"
    "Exit codes: 0 ok, 1 found something (anomaly with --fail-on-anomaly, failed gate), 2 error.";

// Option values are checked by these validators, in ecgad's words, before CLI11 converts them: whatever they
// accept converts, so CLI11's own "Could not convert: --x = y" never shows. Each message completes
// "ecgad: error: --NAME: ...". The numeric ones hand CLI11 the number in plain decimal, so they are added
// with ->transform (->check would discard the rewritten text).

// `text` without one leading '+', which from_chars refuses and CLI11's conversion accepts.
std::string_view unsigned_text(const std::string& text) {
  std::string_view view = text;
  if (!view.empty() && view[0] == '+') view.remove_prefix(1);
  return view;
}

// A whole number in [low, high], refused (not clamped or wrapped) outside it: CLI11 alone would wrap "-1"
// around to 2^64 - 1 and clamp 2^64 to 2^64 - 1. `say_high` = false for a bound that is only the type's.
CLI::Validator whole_number(std::uint64_t low, std::uint64_t high, const char* name, bool say_high = true) {
  std::string range = " from " + std::to_string(low) + " to " + std::to_string(high);
  std::string at_least = say_high ? range : " of at least " + std::to_string(low);
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        std::string_view digits = unsigned_text(text);
        const bool negative = !digits.empty() && digits[0] == '-' && text[0] != '+';
        if (negative) digits.remove_prefix(1);
        std::uint64_t value = 0;
        auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        bool whole = !digits.empty() && digits[0] != '-' && digits[0] != '+' &&
                     parsed.ptr == digits.data() + digits.size() &&
                     (parsed.ec == std::errc() || parsed.ec == std::errc::result_out_of_range);
        if (!whole) return "expected a whole number" + (say_high ? range : "") + ", got '" + text + "'";
        bool too_large = parsed.ec != std::errc() || value > high;
        if (negative || too_large || value < low) {
          return "expected a whole number" + (too_large ? range : at_least) + ", got '" + text + "'";
        }
        text = std::to_string(value);  // in decimal for CLI11, which reads "010" as octal and "08" not at all
        return {};
      },
      name);
}
// A count held in an int: 1 .. 2147483647.
const CLI::Validator kCount = whole_number(1, 2147483647, "POSITIVE", false);
const CLI::Validator kSize = whole_number(1, 18446744073709551615u, "POSITIVE", false);
const CLI::Validator kSeed32 = whole_number(0, 4294967295u, "SEED");
const CLI::Validator kSeed64 = whole_number(0, 18446744073709551615u, "SEED");
// Enough rows per batch to keep the matrix products efficient, few enough that a batch stays small.
constexpr std::uint64_t kMaxBatchRows = 1000000;
const CLI::Validator kBatchRows = whole_number(1, kMaxBatchRows, "ROWS");
const CLI::Validator kColumnNumber = whole_number(1, 1000000, "N");

// A finite number that `in_range` accepts; `range` says which, as in "expected a positive number".
CLI::Validator real_number(bool (*in_range)(double), const std::string& range, const char* name) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        std::string_view digits = unsigned_text(text);
        double value = 0;
        auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        bool signed_twice = digits.size() < text.size() && !digits.empty() && digits[0] == '-';
        if (digits.empty() || signed_twice || parsed.ec != std::errc() || parsed.ptr != digits.data() + digits.size() ||
            !std::isfinite(value)) {
          return "expected " + (range.empty() ? std::string("a number") : range) + ", got '" + text + "'";
        }
        if (!in_range(value)) return "expected " + range + ", got '" + text + "'";
        text = std::string(digits);
        return {};
      },
      name);
}
const CLI::Validator kNumber = real_number([](double) { return true; }, "", "X");
const CLI::Validator kPositive = real_number([](double x) { return x > 0; }, "a positive number", "POSITIVE");
const CLI::Validator kNonNegative =
    real_number([](double x) { return x >= 0; }, "a number of at least 0", "NON-NEGATIVE");
// A gate's minimum: a metric lies in [0, 1], so a minimum of 1.5 can never pass: a typo.
const CLI::Validator kFraction =
    real_number([](double x) { return x >= 0 && x <= 1; }, "a number from 0 to 1 (a metric's range)", "0..1");
// A rate in [0, 1) (dropout).
const CLI::Validator kRate =
    real_number([](double x) { return x >= 0 && x < 1; }, "a number from 0 to below 1", "RATE");

// CLI11 names a hidden option "" in its messages (": expected ..."): this validator names `flag` itself.
CLI::Validator naming(const CLI::Validator& inner, const std::string& flag) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        std::string why = inner(text);
        return why.empty() ? why : flag + ": " + why;
      },
      inner.get_description());
}

// One of `words`: "expected csv or jsonl, got 'xml'".
CLI::Validator one_of(const std::vector<std::string>& words) {
  std::string list, names;
  for (std::size_t i = 0; i < words.size(); ++i) {
    list += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + words[i];
    names += (i == 0 ? "" : "|") + words[i];
  }
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        for (const std::string& word : words) {
          if (text == word) return {};
        }
        return "expected " + list + ", got '" + text + "'";
      },
      names);
}

// A threshold strategy, checked by the library's own parser.
const CLI::Validator kStrategy(
    [](std::string& text) -> std::string {
      try {
        ecgad::parse_threshold_strategy(text);
      } catch (const ecgad::Error& e) {
        return e.what();
      }
      return {};
    },
    "STRATEGY");

// What CLI11 says of the mistakes no validator sees (a missing value, an unknown option, a flag given a
// value, two options that exclude each other), in ecgad's words; other messages pass unchanged.
std::string parse_error_text(const CLI::ParseError& e, const CLI::App& parsed) {
  std::string what = e.what();
  auto starts = [&](const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; };
  if (starts(what, ": ")) return what.substr(2);  // a hidden option's, which names itself (naming() above)
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    // "The following argument(s) was/were not expected: C B A", in reverse order.
    std::vector<std::string> args;
    std::string list = what.substr(what.find(": ") + 2);
    for (std::size_t at = 0; at < list.size();) {
      std::size_t space = std::min(list.find(' ', at), list.size());
      if (space > at) args.insert(args.begin(), list.substr(at, space - at));
      at = space + 1;
    }
    for (const std::string& arg : args) {
      if (arg.size() > 1 && arg[0] == '-') return "unknown option '" + arg.substr(0, arg.find('=')) + "'";
    }
    return args.empty() ? what : "unexpected argument '" + args.front() + "'";
  }
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr) {
    std::string name = what.substr(0, what.find_first_of(": "));
    std::string rest = what.substr(std::min(what.size(), name.size() + 2));
    if (rest.find(" missing") != std::string::npos) return name + ": the value is missing";
    if (starts(rest, "At Most 1 required but received ")) {
      return name + ": given " + rest.substr(rest.rfind(' ') + 1) + " times; give it once";
    }
    if (what.find("disallowed flag override") != std::string::npos) return name + " is a flag: it takes no value";
    return what;
  }
  if (dynamic_cast<const CLI::ExcludesError*>(&e) != nullptr) {
    std::size_t at = what.find(" excludes ");
    return what.substr(0, at) + " and " + what.substr(at + 10) + " cannot be given together";
  }
  if (dynamic_cast<const CLI::ConversionError*>(&e) != nullptr && starts(what, "Could not convert: ")) {
    // Every option that takes a value has a validator, so what is left is a flag given a value (--quiet=maybe).
    std::string rest = what.substr(19);
    std::size_t equals = rest.find(" = ");
    std::string name = rest.substr(0, equals), value = equals == std::string::npos ? "" : rest.substr(equals + 3);
    const CLI::Option* option = parsed.get_option_no_throw(name);
    if (option != nullptr && option->get_expected_max() == 0) {
      return name + " is a flag: it takes no value, got '" + value + "'";
    }
    return name + ": cannot read '" + value + "'";
  }
  return what;
}

// ECGAD_KERNEL names a matrix kernel (include/ecgad/exact_gemm.h) that this CPU runs, or is unset: else what is wrong.
std::string kernel_request_problem() {
  const char* name = std::getenv("ECGAD_KERNEL");
  ecgad::GemmKernel kernel = ecgad::GemmKernel::automatic;
  if (name == nullptr) return "";
  if (!ecgad::parse_gemm_kernel(name, kernel)) {
    return "ECGAD_KERNEL is '" + std::string(name) + "': expected portable, avx2, avx512 or automatic (or unset)";
  }
  if (!ecgad::gemm_kernel_supported(kernel)) {
    return "ECGAD_KERNEL is '" + std::string(name) + "', which this CPU cannot run (it runs " +
           ecgad::gemm_kernel_name(ecgad::best_gemm_kernel()) + "); unset it or name another";
  }
  return "";
}

// `ecgad --version`: what a bug report needs to know about this build.
std::string version_text() {
  std::string text = std::string("ecgad ") + ecgad::version();
  if (*ecgad::git_commit()) text += " (git " + std::string(ecgad::git_commit()) + ")";
  text += "\nbuilt with " + std::string(ecgad::compiler()) + ", -march=" + ecgad::march() + ", " + ecgad::build_type();
  text += "\nmatrix kernels on this CPU: " + std::string(ecgad::gemm_kernel_name(ecgad::best_gemm_kernel())) +
          (std::getenv("ECGAD_KERNEL") && *std::getenv("ECGAD_KERNEL") ? " (ECGAD_KERNEL)" : " (chosen at run time)") +
          "; every kernel gives the same bits";
  text += "\nreads model files of format versions 1 and " + std::to_string(ecgad::kModelFormatVersion) +
          ", writes version " + std::to_string(ecgad::kModelFormatVersion);
  text += "\nmodel kinds:";
  for (const std::string& kind : ecgad::model_kinds()) text += " " + kind;
  return text;
}

// The values the completion offers for options that take words, not files.
ecgad::CompletionValues completion_values() {
  std::vector<std::string> presets, strategies = {"mean-std:1", "percentile:95", "fixed:", "best-f1", "best-accuracy"};
  for (const ecgad::PresetInfo& p : ecgad::presets()) presets.push_back(p.name);
  ecgad::CompletionValues values = {
      {"train --model", ecgad::model_kinds()}, {"train --preset", presets},
      {"train --loss", {"mae", "mse"}},        {"train --threshold", strategies},
      {"threshold --threshold", strategies},   {"score --format", {"csv", "jsonl"}},
      {"evaluate --format", {"text", "json"}}, {"evaluate --positive", {"anomaly", "normal"}},
      {"completion SHELL", {"bash", "zsh"}}};
  for (const char* sub : {"split", "train", "score", "evaluate", "threshold", "report"}) {
    values[std::string(sub) + " --label-column"] = {"first", "last", "none"};
  }
  values["split --abnormal-label"] = {"any"};
  values["train --abnormal-label"] = {"any"};
  return values;
}

std::vector<std::pair<std::string, double>> gate_list(const ecgad::EvaluateArgs& a) {
  std::vector<std::pair<std::string, double>> gates;
  if (a.min_accuracy) gates.emplace_back("accuracy", *a.min_accuracy);
  if (a.min_precision) gates.emplace_back("precision", *a.min_precision);
  if (a.min_recall) gates.emplace_back("recall", *a.min_recall);
  if (a.min_f1) gates.emplace_back("f1", *a.min_f1);
  if (a.min_auc) gates.emplace_back("auc", *a.min_auc);
  return gates;
}

// --threads, and the hidden --block-bytes that lets tests cut small files into many blocks.
void add_read_options(CLI::App* cmd, ecgad::ReadArgs& read) {
  cmd->add_option("--threads", read.threads,
                  "Threads reading and scoring (default: the CPUs this process may use; 1: no pipeline)")
      ->transform(kSize);
  cmd->add_option("--block-bytes", read.block_bytes, "Bytes per block read (testing)")
      ->transform(naming(kSize, "--block-bytes"))
      ->group("");
}

// How rows are laid out. `label_values`: the subcommand says which values are labels (split, train); the
// others take the model's. `output_header`: the subcommand's --no-header is about its output (score), so the
// input's is --no-input-header.
void add_csv_options(CLI::App* cmd, ecgad::CsvArgs& csv, bool label_values, bool output_header = false) {
  cmd->add_flag("--header", csv.header, "Skip the first line of each input file (a header)");
  cmd->add_flag(output_header ? "--no-input-header" : "--no-header", csv.no_header,
                "Read the first line as data even if it looks like a header of column numbers (0,1,2,...)");
  cmd->add_option("--label-column", csv.label_column,
                  std::string("Where the label is: first, last (the default), N (1-based column number) or none") +
                      (label_values ? "" : "; default: as the model was trained"));
  cmd->add_option("--id-column", csv.id_columns,
                  "Columns (1-based, repeatable or a comma list) that are no samples: ids carried to score's output")
      ->delimiter(',')
      ->check(kColumnNumber);
  if (label_values) {
    cmd->add_option("--normal-label", csv.normal_label, "Label value of a normal beat (default 1)")->transform(kNumber);
    cmd->add_option("--abnormal-label", csv.abnormal_label,
                    "Label value of an abnormal beat (default 0), or 'any': every value but the normal label "
                    "(the default when only --normal-label is given)");
  }
}

}  // namespace

// The whole command line; main() below adds the check of standard output. With parse_only it stops after
// parsing (the command-line fuzzer, fuzz/cli_fuzz.cc, which builds this file with ECGAD_NO_MAIN).
int ecgad_main(int argc, char** argv, bool parse_only) {
  CLI::App app(kDescription, "ecgad");
  app.set_version_flag("-V,--version", version_text());
  app.require_subcommand(1);
  app.fallthrough(false);
  app.get_formatter()->column_width(34);

  // split
  ecgad::SplitArgs split;
  CLI::App* split_cmd = app.add_subcommand(
      "split", "Split a CSV file into training and test rows exactly as scikit-learn's train_test_split");
  split_cmd->add_option("DATA", split.data, "Input CSV file, or - for standard input")->required();
  split_cmd
      ->add_option("--test-size", split.test_size,
                   "Fraction of rows for the test part (0 < T < 1), or a whole number of rows")
      ->transform(kPositive)
      ->capture_default_str();
  split_cmd->add_option("--seed", split.seed, "random_state of train_test_split (0 .. 4294967295)")
      ->transform(kSeed32)
      ->capture_default_str();
  split_cmd->add_option("--train-out", split.train_out, "Training rows go here (default: NAME_train.csv)");
  split_cmd->add_option("--test-out", split.test_out, "Test rows go here (default: NAME_test.csv)");
  split_cmd->add_flag("--no-labels", split.no_labels, "Rows carry no label column (do not check labels)");
  split_cmd->add_flag("-q,--quiet", split.quiet, "Print nothing on standard error");
  add_csv_options(split_cmd, split.csv, true);
  split_cmd->footer(
      "Rows are written verbatim (line endings become \\n), test rows in sklearn's order.\n"
      "Example: ecgad split data/ecg.csv --test-size 0.2 --seed 21 --train-out train.csv --test-out test.csv");

  // train
  ecgad::TrainArgs train;
  CLI::App* train_cmd = app.add_subcommand(
      "train",
      "Train a model (an autoencoder or VAE on normal beats, an LSTM classifier on labelled beats) and save it");
  train_cmd->add_option("DATA", train.data, "Training CSV file, or - for standard input")->required();
  train_cmd->add_option("-o,--output", train.output, "Model file to write")->required();
  train_cmd->add_option("--model", train.model, "Model kind: autoencoder (the default), vae, or lstm (a classifier)")
      ->check(one_of(ecgad::model_kinds()));
  std::vector<std::string> preset_names;
  for (const ecgad::PresetInfo& p : ecgad::presets()) preset_names.push_back(p.name);
  train_cmd
      ->add_option("--preset", train.preset,
                   "Starting configuration (see the list below; default: the model kind's own default)")
      ->check(one_of(preset_names));
  train_cmd->add_option("--layers", train.layers, "Encoder layer sizes; the decoder mirrors them (e.g. 32,16,8)")
      ->delimiter(',')
      ->transform(kCount);
  train_cmd->add_option("--epochs", train.epochs, "Passes over the normal training beats")->transform(kCount);
  train_cmd->add_option("--batch-size", train.batch_size, "Beats per Adam step")->transform(kCount);
  train_cmd->add_option("--lr", train.learning_rate, "Adam learning rate")->transform(kPositive);
  train_cmd
      ->add_option("--clip-norm", train.clip_norm,
                   "scale each step's gradient down to this L2 norm when it is larger (0: off; a guard against "
                   "the LSTM's exploding gradients)")
      ->check(kNonNegative);
  train_cmd
      ->add_option("--loss", train.loss,
                   "Training loss: mae (the tutorial's) or mse; a vae's reconstruction term: bce (the "
                   "exercise's), mae or mse")
      ->check(one_of({"mae", "mse", "bce"}));
  train_cmd->add_option("--latent", train.latent, "vae: size of the code z (z_mean, z_log_var)")->transform(kCount);
  train_cmd->add_option("--beta", train.beta, "vae: weight of the KL term (the exercise's: 1)")
      ->transform(kNonNegative);
  train_cmd
      ->add_option("--output-activation", train.output_activation,
                   "vae: the decoder's output layer, relu (the exercise's) or sigmoid")
      ->check(one_of({"relu", "sigmoid"}));
  train_cmd
      ->add_option("--score", train.score,
                   "vae: a beat's score, mae (of the reconstruction at z = z_mean) or elbo (negative ELBO there)")
      ->check(one_of({"mae", "elbo"}));
  train_cmd
      ->add_option("--noise", train.noise,
                   "Denoising: Gaussian noise of this std (scaled units) added to each training input")
      ->transform(kNonNegative);
  train_cmd->add_option("--hidden", train.hidden, "lstm: hidden units of the LSTM layer")->transform(kCount);
  train_cmd
      ->add_option("--dropout", train.dropout,
                   "lstm: dropout rate on its last hidden state while training (0 <= R < 1)")
      ->transform(kRate);
  train_cmd
      ->add_option("--seed", train.seed,
                   "Seed for weights and shuffling (0 .. 18446744073709551615); same seed, same model")
      ->transform(kSeed64)
      ->capture_default_str();
  train_cmd
      ->add_option("--threshold", train.threshold,
                   "How to choose the threshold: mean-std:K, percentile:P, fixed:V, best-f1, best-accuracy")
      ->check(kStrategy);
  train_cmd->add_option("--threshold-data", train.threshold_data,
                        "Labelled file that best-f1/best-accuracy choose on (default: DATA's labelled rows)");
  train_cmd->add_option("--validation", train.validation,
                        "Labelled or unlabelled CSV whose loss is reported per epoch");
  train_cmd->add_flag("--per-column", train.per_column, "Scale each sample position on its own min and max");
  train_cmd->add_flag("--no-labels", train.no_labels, "DATA has no label column: train on every row");
  train_cmd->add_flag("-q,--quiet", train.quiet, "Print no progress");
  add_read_options(train_cmd, train.read);
  add_csv_options(train_cmd, train.csv, true);
  std::string presets_text = "Presets (flags given override them):\n";
  for (const ecgad::PresetInfo& p : ecgad::presets()) presets_text += "  " + p.name + ": " + p.description + "\n";
  train_cmd->footer(presets_text +
                    "The min-max scaler is fitted on all rows of DATA; an anomaly detector on its normal rows only.\n"
                    "Example: ecgad train train.csv -o model.ecgad --seed 0");

  // score
  ecgad::ScoreArgs score;
  CLI::App* score_cmd = app.add_subcommand("score", "Score beats: one line per row with its error and verdict");
  score_cmd
      ->add_option("DATA", score.data,
                   "CSV files to score, or - for standard input; several go to -o DIR/ (DIR/<name> each) "
                   "or to standard output with a file column")
      ->required();
  score_cmd->add_option("-m,--model", score.model, "Model file from 'ecgad train'")->required();
  score_cmd->add_option("-o,--output", score.output, "Write here instead of standard output (atomically)");
  score_cmd->add_option("--format", score.format, "csv (with a header) or jsonl")
      ->check(one_of({"csv", "jsonl"}))
      ->capture_default_str();
  score_cmd->add_flag("--only-anomalies", score.only_anomalies, "Write only the rows judged anomalies");
  score_cmd->add_flag("--fail-on-anomaly", score.fail_on_anomaly,
                      "Exit with 1 when any row is an anomaly (0 when none, 2 on an error)");
  score_cmd->add_option("--batch-rows", score.batch_rows, "Rows scored at a time, 1 .. 1000000 (memory stays bounded)")
      ->transform(kBatchRows)
      ->capture_default_str();
  score_cmd
      ->add_option("--first-row", score.first_row,
                   "The number the first row gets (to join chunks of one file scored apart)")
      ->transform(kSize)
      ->capture_default_str();
  score_cmd->add_flag("--no-header", score.no_header, "Write no CSV header line");
  score_cmd->add_flag("-q,--quiet", score.quiet, "Print no progress");
  add_read_options(score_cmd, score.read);
  add_csv_options(score_cmd, score.csv, false, true);
  score_cmd->footer(
      "Rows may carry a label column (width + 1 columns) or not (width columns).\n"
      "Columns: row (1-based data row), error (probability for a classifier), verdict (normal|anomaly),\n"
      "label (normal|anomaly, if the input has labels: the same words, so scripts can compare them).\n"
      "Example: ecgad score -m model.ecgad new_beats.csv --only-anomalies --fail-on-anomaly");

  // evaluate
  ecgad::EvaluateArgs evaluate;
  CLI::App* evaluate_cmd = app.add_subcommand(
      "evaluate", "Measure a model on labelled beats: accuracy, precision, recall, F1, ROC AUC, confusion matrix");
  evaluate_cmd->add_option("DATA", evaluate.data, "Labelled CSV file, or - for standard input")->required();
  evaluate_cmd->add_option("-m,--model", evaluate.model, "Model file from 'ecgad train'")->required();
  evaluate_cmd
      ->add_option("--positive", evaluate.positive,
                   "Positive class for precision/recall/F1: anomaly, or normal (as the tutorial prints)")
      ->check(one_of({"anomaly", "normal"}))
      ->capture_default_str();
  evaluate_cmd->add_option("--format", evaluate.format, "text or json")
      ->check(one_of({"text", "json"}))
      ->capture_default_str();
  evaluate_cmd->add_option("--min-accuracy", evaluate.min_accuracy, "Gate: exit 1 when accuracy is lower")
      ->transform(kFraction);
  evaluate_cmd->add_option("--min-precision", evaluate.min_precision, "Gate: exit 1 when precision is lower")
      ->transform(kFraction);
  evaluate_cmd->add_option("--min-recall", evaluate.min_recall, "Gate: exit 1 when recall is lower")
      ->transform(kFraction);
  evaluate_cmd->add_option("--min-f1", evaluate.min_f1, "Gate: exit 1 when F1 is lower")->transform(kFraction);
  evaluate_cmd->add_option("--min-auc", evaluate.min_auc, "Gate: exit 1 when ROC AUC is lower")->transform(kFraction);
  evaluate_cmd->add_option("--junit", evaluate.junit,
                           "Also write the metrics and gates as JUnit XML test cases (for CI test reports)");
  evaluate_cmd->add_option("--report", evaluate.report, "Also write an HTML report with plots to this file");
  evaluate_cmd->add_flag("-q,--quiet", evaluate.quiet, "Print no progress");
  add_read_options(evaluate_cmd, evaluate.read);
  add_csv_options(evaluate_cmd, evaluate.csv, false);
  evaluate_cmd->footer(
      "Labels are read with the model's label values. Gates print their verdict; output is printed either way.\n"
      "Example: ecgad evaluate -m model.ecgad test.csv --positive normal --min-recall 0.9");

  // threshold
  ecgad::ThresholdArgs threshold;
  CLI::App* threshold_cmd =
      app.add_subcommand("threshold", "Choose a model's threshold anew without retraining and save the updated model");
  threshold_cmd
      ->add_option("DATA", threshold.data, "Labelled CSV: its normal rows for mean-std/percentile, all rows for best-*")
      ->required();
  threshold_cmd->add_option("-m,--model", threshold.model, "Model file to start from")->required();
  threshold_cmd
      ->add_option("--threshold", threshold.strategy, "mean-std:K, percentile:P, fixed:V, best-f1 or best-accuracy")
      ->required()
      ->check(kStrategy);
  threshold_cmd->add_option("-o,--output", threshold.output, "Model file to write (may be the same as -m)")->required();
  threshold_cmd->add_flag("-q,--quiet", threshold.quiet, "Print nothing on standard error");
  add_read_options(threshold_cmd, threshold.read);
  add_csv_options(threshold_cmd, threshold.csv, false);
  threshold_cmd->footer("Example: ecgad threshold -m model.ecgad train.csv --threshold best-f1 -o tuned.ecgad");

  // info
  std::string info_model;
  CLI::App* info_cmd = app.add_subcommand("info", "Print a model's description (all but the weights) as JSON");
  info_cmd->add_option("MODEL", info_model, "Model file")->required();
  bool info_quiet = false;  // info prints nothing on standard error anyway; -q for every subcommand alike
  info_cmd->add_flag("-q,--quiet", info_quiet, "Print nothing on standard error");
  info_cmd->footer("Example: ecgad info model.ecgad > model.json");

  // report
  ecgad::ReportArgs report;
  CLI::App* report_cmd = app.add_subcommand("report", "Write an offline HTML report with plots for a model and data");
  report_cmd->add_option("DATA", report.data, "Labelled CSV file, or - for standard input")->required();
  report_cmd->add_option("-m,--model", report.model, "Model file from 'ecgad train'")->required();
  report_cmd->add_option("-o,--output", report.output, "HTML file to write")->required();
  report_cmd->add_flag("-q,--quiet", report.quiet, "Print no progress");
  add_read_options(report_cmd, report.read);
  add_csv_options(report_cmd, report.csv, false);
  report_cmd->footer("Example: ecgad report -m model.ecgad test.csv -o report.html");

  // beats
  ecgad::BeatsArgs beats;
  CLI::App* beats_cmd = app.add_subcommand(
      "beats",
      "Cut a raw ECG recording (WFDB record, EDF/BDF file or signal CSV) into one beat per row, ready to score");
  beats_cmd
      ->add_option("RECORD", beats.record,
                   "A WFDB header (.hea, or the record name), an EDF/EDF+/BDF file, or a signal CSV (needs --fs)")
      ->required();
  beats_cmd->add_option("-o,--output", beats.output, "Write the beats here instead of standard output (atomically)");
  beats_cmd->add_option("--channel", beats.channel,
                        "Lead: a WFDB signal name or 0-based number (default MLII, II, else the first), "
                        "or a CSV header name");
  beats_cmd->add_option("--annotations", beats.annotations,
                        "Label beats from reference annotations: 'atr' (RECORD.atr), a file, or 'edf' (an EDF+ file's "
                        "own); adds a label column");
  beats_cmd->add_option("--peaks", beats.peaks, "R peaks: detect (Pan-Tompkins) or annotations (the reference beats)")
      ->check(one_of({"detect", "annotations"}))
      ->capture_default_str();
  beats_cmd->add_option("--peaks-out", beats.peaks_out,
                        "Also write each output beat's R peak: sample index (0-based),time in seconds");
  auto* beats_width = beats_cmd->add_option("--width", beats.width, "Samples per beat (default 140)")->transform(kSize);
  beats_cmd->add_option("-m,--model", beats.model, "Take the width from this model file")->excludes(beats_width);
  beats_cmd
      ->add_option("--window", beats.window,
                   "rr (previous to next RR midpoint) or fixed (--before/--after seconds around R)")
      ->check(one_of({"rr", "fixed"}))
      ->capture_default_str();
  beats_cmd->add_option("--before", beats.before, "--window fixed: seconds before the R peak (default 0.25)")
      ->transform(kNonNegative);
  beats_cmd->add_option("--after", beats.after, "--window fixed: seconds after the R peak (default 0.45)")
      ->transform(kNonNegative);
  beats_cmd->add_option("--fs", beats.fs, "Sampling rate of a signal CSV, in Hz")->transform(kPositive);
  beats_cmd->add_option("--column", beats.column, "Column of a signal CSV holding the lead (1-based)")
      ->transform(kSize);
  beats_cmd->add_flag("--all-peaks", beats.all_peaks,
                      "--peaks-out lists every R peak found (for heart-rate variability), not one line per beat row");
  beats_cmd->add_flag("--peak-id", beats.peak_id,
                      "Start each row with its R peak's sample index (0-based): score it with --id-column 1");
  beats_cmd->add_flag("-q,--quiet", beats.quiet, "Print no summary on standard error");
  beats_cmd->footer(
      "Beats are resampled linearly to the width; values in the recording's physical units (mV).\n"
      "Example: ecgad beats data/mitdb/100.hea --annotations atr -o beats.csv --peaks-out peaks.csv\n"
      "         ecgad beats data/mitdb/100.hea | ecgad score -m model.ecgad -");

  // help [SUBCOMMAND]: the same text as --help
  std::string help_topic;
  CLI::App* help_cmd = app.add_subcommand("help", "Print the help of ecgad or of one subcommand");
  help_cmd->add_option("SUBCOMMAND", help_topic, "Subcommand to explain");
  help_cmd->footer("Example: ecgad help train   (the same as ecgad train --help)");

  // completion bash|zsh
  std::string shell;
  CLI::App* completion_cmd = app.add_subcommand("completion", "Print a shell completion script (bash or zsh)");
  completion_cmd->add_option("SHELL", shell, "bash or zsh")->required()->check(one_of({"bash", "zsh"}));
  completion_cmd->footer("Example: source <(ecgad completion bash)   (installed packages load it by themselves)");

  // `ecgad` alone: a short usage, not CLI11's "A subcommand is required".
  if (argc < 2) {
    std::fprintf(stderr, "usage: ecgad SUBCOMMAND [OPTIONS]   (subcommands:");
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
      std::fprintf(stderr, " %s", sub->get_name().c_str());
    }
    std::fprintf(stderr, ")\n       ecgad help SUBCOMMAND, ecgad --help for more\n");
    return 2;
  }
  if (std::string unknown = ecgad::unknown_subcommand_message(app, argv[1]); !unknown.empty()) {
    std::fprintf(stderr, "ecgad: error: %s\n", unknown.c_str());
    return 2;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string hint = "ecgad --help";
    const CLI::App* parsed = &app;
    for (CLI::App* sub : app.get_subcommands()) {
      hint = "ecgad " + sub->get_name() + " --help";
      parsed = sub;
    }
    std::string suggestion = ecgad::unknown_option_suggestion(*parsed, argc, argv);
    std::fprintf(stderr, "ecgad: error: %s%s (see '%s')\n", parse_error_text(e, *parsed).c_str(), suggestion.c_str(),
                 hint.c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ecgad: error: %s (see 'ecgad --help')\n", e.what());
    return 2;
  }

  if (help_cmd->parsed()) {
    if (help_topic.empty()) {
      std::fputs(app.help().c_str(), stdout);
      return 0;
    }
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->get_name() == help_topic) {
        std::fputs(sub->help("ecgad").c_str(), stdout);
        return 0;
      }
    }
    std::string unknown = ecgad::unknown_subcommand_message(app, help_topic.c_str());
    std::fprintf(stderr, "ecgad: error: %s\n", unknown.c_str());
    return 2;
  }
  if (completion_cmd->parsed()) {
    ecgad::CompletionValues values = completion_values();
    std::string script = shell == "zsh" ? ecgad::zsh_completion(app, values) : ecgad::bash_completion(app, values);
    std::fputs(script.c_str(), stdout);
    return 0;
  }

  if (parse_only) return 0;
  if (std::string problem = kernel_request_problem(); !problem.empty()) {
    std::fprintf(stderr, "ecgad: error: %s\n", problem.c_str());
    return 2;
  }
  try {
    if (split_cmd->parsed()) return ecgad::run_split(split);
    if (train_cmd->parsed()) return ecgad::run_train(train);
    if (score_cmd->parsed()) return ecgad::run_score(score);
    if (evaluate_cmd->parsed()) return ecgad::run_evaluate(evaluate, gate_list(evaluate));
    if (threshold_cmd->parsed()) return ecgad::run_threshold(threshold);
    if (info_cmd->parsed()) return ecgad::run_info(info_model);
    if (report_cmd->parsed()) return ecgad::run_report(report);
    if (beats_cmd->parsed()) return ecgad::run_beats(beats);
  } catch (const ecgad::Error& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "ecgad: error: %s\n", e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "ecgad: error: out of memory\n");
    return 2;
  } catch (const std::length_error&) {  // a container asked for more than it can ever hold ("vector::reserve")
    std::fprintf(stderr, "ecgad: error: out of memory: the input asks for more than can be held in memory\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ecgad: error: %s\n", e.what());
    return 2;
  }
  return 2;
}

#ifndef ECGAD_NO_MAIN
// Every block of a threaded read (src/blocks.cc) gets its own io::LineReader, whose buffer is 48 MB. glibc serves
// anything over 32 MB with a fresh mmap and unmaps it on free, and unmaps a thread's heap once it is empty, so
// each block's bytes landed on new pages: a page fault every 4 KB, a quarter of `score --threads 2`'s CPU time.
// Kept on the heaps instead (no mmap; 64 MB of top padding keeps an emptied heap; trimming only past 512 MB),
// the next block's buffer reuses the pages the last one touched: 5,900 faults instead of 57,000 for 151 MB.
// Resident memory stays flat: only the touched pages count, and they are the same ones (docs/scale.md).
static void keep_freed_memory_for_reuse() {
#ifdef __GLIBC__
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TOP_PAD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}

int main(int argc, char** argv) {
  keep_freed_memory_for_reuse();
  int code = ecgad_main(argc, argv, false);
  // What went to standard output (results, --help, --version) must have arrived: `ecgad --help > /dev/full`
  // is an error, not a success. Exit code 2 has already said why.
  std::cout.flush();
  errno = 0;
  bool written = std::fflush(stdout) == 0 && !std::ferror(stdout) && std::cout.good();
  if (!written && code != 2) {
    // errno is only known when this last flush failed; an earlier one set the stream's error flag only.
    std::fprintf(stderr, "ecgad: error: cannot write to standard output%s%s\n", errno ? ": " : "",
                 errno ? std::strerror(errno) : "");
    return 2;
  }
  return code;
}
#endif
