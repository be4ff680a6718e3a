// Bad option values on the command line: refused before any work in ecgad's own words ("--x: expected ...,
// got 'y'"), never CLI11's ("Could not convert: --x = y"), with exit status 2 and where to look for help.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

namespace {

using ecgad::test::exists;
using ecgad::test::run_ecgad;

struct Case {
  std::string args;     // after `ecgad`; the files named need not exist: the values are checked first
  std::string message;  // the whole of standard error
};

TEST(CliOptions, BadValuesAreRefusedInOurWords) {
  const std::string out = ecgad::test::temp_path("never.ecgad");
  const std::string train = "train x.csv -o '" + out + "' ";
  const std::vector<Case> cases = {
      {train + "--epochs abc", "--epochs: expected a whole number, got 'abc' (see 'ecgad train --help')"},
      {train + "--epochs 1.5", "--epochs: expected a whole number, got '1.5' (see 'ecgad train --help')"},
      {train + "--epochs 0", "--epochs: expected a whole number of at least 1, got '0' (see 'ecgad train --help')"},
      {train + "--epochs 2147483648",
       "--epochs: expected a whole number from 1 to 2147483647, got '2147483648' (see 'ecgad train --help')"},
      {train + "--batch-size 0",
       "--batch-size: expected a whole number of at least 1, got '0' (see 'ecgad train --help')"},
      {train + "--lr x", "--lr: expected a positive number, got 'x' (see 'ecgad train --help')"},
      {train + "--lr -0.1", "--lr: expected a positive number, got '-0.1' (see 'ecgad train --help')"},
      {train + "--lr nan", "--lr: expected a positive number, got 'nan' (see 'ecgad train --help')"},
      {train + "--threads -1",
       "--threads: expected a whole number from 1 to 1024, got '-1' (see 'ecgad train --help')"},
      {train + "--threads 1.5",
       "--threads: expected a whole number from 1 to 1024, got '1.5' (see 'ecgad train --help')"},
      {train + "--seed 1.5",
       "--seed: expected a whole number from 0 to 18446744073709551615, got '1.5' (see 'ecgad train --help')"},
      {train + "--seed -1",
       "--seed: expected a whole number from 0 to 18446744073709551615, got '-1' (see 'ecgad train --help')"},
      {train + "--layers 32,x",
       "--layers: expected a whole number from 1 to 65536, got 'x' (see 'ecgad train --help')"},
      {train + "--layers 32,70000",
       "--layers: expected a whole number from 1 to 65536, got '70000' (see 'ecgad train --help')"},
      {train + "--hidden 4",
       "--hidden does not apply to autoencoder models: it is an option of lstm models (see 'ecgad train --help')"},
      {train + "--model lstm --layers 8",
       "--layers does not apply to lstm models: it is an option of autoencoder, vae models (see 'ecgad train "
       "--help')"},
      {train + "--loss bce",
       "--loss: expected mae or mse, got 'bce' for autoencoder models (see 'ecgad train --help')"},
      {train + "--preset tutorial --model vae",
       "--preset tutorial trains autoencoder models, not vae models (see 'ecgad train --help')"},
      {train + "--dropout 1", "--dropout: expected a number from 0 to below 1, got '1' (see 'ecgad train --help')"},
      {train + "--beta -1", "--beta: expected a number of at least 0, got '-1' (see 'ecgad train --help')"},
      {train + "--normal-label one", "--normal-label: expected a number, got 'one' (see 'ecgad train --help')"},
      {train + "--model cnn", "--model: expected autoencoder, vae or lstm, got 'cnn' (see 'ecgad train --help')"},
      {train + "--loss l1", "--loss: expected mae, mse or bce, got 'l1' (see 'ecgad train --help')"},
      {train + "--threshold bogus",
       "--threshold: bad threshold strategy 'bogus': unknown strategy; valid forms: mean-std[:K] (K >= 0, default "
       "1), percentile:P (0 <= P <= 100), fixed:V, best-f1, best-accuracy (see 'ecgad train --help')"},
      {train + "--epochs", "--epochs: the value is missing (see 'ecgad train --help')"},
      {train + "--epochs 1 --epochs 2", "--epochs: given 2 times; give it once (see 'ecgad train --help')"},
      {train + "--quiet=maybe", "--quiet is a flag: it takes no value, got 'maybe' (see 'ecgad train --help')"},
      {train + "--frobnicate 3", "unknown option '--frobnicate' (see 'ecgad train --help')"},
      {"train x.csv y.csv -o '" + out + "'", "unexpected argument 'y.csv' (see 'ecgad train --help')"},
      {"split x.csv --seed 4294967296",
       "--seed: expected a whole number from 0 to 4294967295, got '4294967296' (see 'ecgad split --help')"},
      {"split x.csv --test-size abc", "--test-size: expected a positive number, got 'abc' (see 'ecgad split --help')"},
      {"score -m m.ecgad x.csv --format xml", "--format: expected csv or jsonl, got 'xml' (see 'ecgad score --help')"},
      {"score -m m.ecgad x.csv --batch-rows 0",
       "--batch-rows: expected a whole number from 1 to 1000000, got '0' (see 'ecgad score --help')"},
      {"evaluate -m m.ecgad x.csv --min-recall 1.5",
       "--min-recall: expected a number from 0 to 1 (a metric's range), got '1.5' (see 'ecgad evaluate --help')"},
      {"evaluate -m m.ecgad x.csv --format xml",
       "--format: expected text or json, got 'xml' (see 'ecgad evaluate --help')"},
      {"threshold -m m.ecgad x.csv -o '" + out + "' --threshold percentile:101",
       "--threshold: bad threshold strategy 'percentile:101': P must be between 0 and 100; valid forms: "
       "mean-std[:K] (K >= 0, default 1), percentile:P (0 <= P <= 100), fixed:V, best-f1, best-accuracy (see "
       "'ecgad threshold --help')"},
      {"score -m m.ecgad x.csv --block-bytes 1.5",  // hidden, for tests, named all the same
       "--block-bytes: expected a whole number, got '1.5' (see 'ecgad score --help')"},
      {"beats x.hea --fs abc", "--fs: expected a positive number, got 'abc' (see 'ecgad beats --help')"},
      {"beats x.hea --width 10 -m m.ecgad", "--width and --model cannot be given together (see 'ecgad beats --help')"},
      {"completion fish", "SHELL: expected bash or zsh, got 'fish' (see 'ecgad completion --help')"},
  };
  for (const Case& c : cases) {
    ecgad::test::RunResult r = run_ecgad(c.args);
    EXPECT_EQ(r.status, 2) << c.args;
    EXPECT_EQ(r.err, "ecgad: error: " + c.message + "\n") << c.args;
    EXPECT_EQ(r.out, "") << c.args;
    EXPECT_EQ(r.err.find("Could not convert"), std::string::npos) << c.args;
  }
  EXPECT_FALSE(exists(out));
}

// Whole numbers are decimal whatever their leading zeros (CLI11 alone reads "010" as octal 8 and refuses "08"),
// and a '+' sign is read as CLI11 reads it.
TEST(CliOptions, NumbersAreReadAsWritten) {
  std::istringstream ecg(ecgad::test::slurp(ECGAD_SOURCE_DIR "/data/ecg.csv"));
  std::string rows;
  int count = 0;
  for (std::string line; count < 20 && std::getline(ecg, line); ++count) rows += line + "\n";
  const std::string data = ecgad::test::temp_path("decimal.csv"), model = ecgad::test::temp_path("decimal.ecgad");
  ecgad::test::write_file(data, rows);
  ecgad::test::RunResult r =
      run_ecgad("train '" + data + "' -o '" + model + "' --epochs 010 --batch-size 08 --lr +0.001 --seed 007");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("\nepoch 10/10  loss "), std::string::npos) << r.err;
  r = run_ecgad("evaluate -m '" + model + "' '" + data + "' --min-recall +0.5 --threads +02 --format json");
  EXPECT_NE(r.status, 2) << r.err;
  EXPECT_EQ(r.err.find("--min-recall"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("--threads"), std::string::npos) << r.err;
  r = run_ecgad("train '" + data + "' -o '" + model + "' --lr +-0.001");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "ecgad: error: --lr: expected a positive number, got '+-0.001' (see 'ecgad train --help')\n");
}

// Scripts compare score's verdict with its label column, so both use one vocabulary; every command that prints
// JSON indents it alike (two spaces).
TEST(CliOutput, OneVocabularyAndOneJsonIndentation) {
  std::istringstream ecg(ecgad::test::slurp(ECGAD_SOURCE_DIR "/data/ecg.csv"));
  std::string rows;
  int count = 0;
  for (std::string line; count < 300 && std::getline(ecg, line); ++count) rows += line + "\n";
  const std::string data = "'" + ecgad::test::temp_path("words.csv") + "'";
  const std::string model = "'" + ecgad::test::temp_path("words.ecgad") + "'";
  ecgad::test::write_file(ecgad::test::temp_path("words.csv"), rows);
  ASSERT_EQ(run_ecgad("train " + data + " -o " + model + " --epochs 2 -q").status, 0);

  ecgad::test::RunResult score = run_ecgad("score -m " + model + " " + data);
  ASSERT_EQ(score.status, 0) << score.err;
  std::istringstream lines(score.out);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "row,error,verdict,label");
  int labels_seen = 0;
  while (std::getline(lines, line)) {
    std::string verdict = line.substr(0, line.rfind(',')), label = line.substr(line.rfind(',') + 1);
    verdict = verdict.substr(verdict.rfind(',') + 1);
    EXPECT_TRUE(verdict == "normal" || verdict == "anomaly") << line;
    EXPECT_TRUE(label == "normal" || label == "anomaly") << line;
    ++labels_seen;
  }
  EXPECT_EQ(labels_seen, 300);

  const std::string evaluate_json = "evaluate -m " + model + " " + data + " --format json";
  for (const std::string& args : {evaluate_json, "info " + model}) {
    ecgad::test::RunResult r = run_ecgad(args);
    ASSERT_EQ(r.status, 0) << args << ": " << r.err;
    EXPECT_EQ(r.out.substr(0, 5), "{\n  \"") << args;
    std::istringstream json(r.out);
    for (std::string json_line; std::getline(json, json_line);) {
      EXPECT_EQ(json_line.find_first_not_of(' ') % 2, 0u) << args << ": " << json_line;
    }
  }
}

}  // namespace

namespace {

// The README promises an example in every subcommand's --help.
TEST(CliHelp, EverySubcommandShowsAnExample) {
  for (const char* sub :
       {"split", "train", "score", "evaluate", "threshold", "info", "report", "beats", "help", "completion"}) {
    ecgad::test::RunResult r = run_ecgad(std::string(sub) + " --help");
    EXPECT_EQ(r.status, 0) << sub;
    std::size_t example = r.out.find("Example: ");
    ASSERT_NE(example, std::string::npos) << sub << ":\n" << r.out;
    std::string line = r.out.substr(example, r.out.find('\n', example) - example);
    EXPECT_NE(line.find(std::string("ecgad ") + sub), std::string::npos) << line;
  }
}

}  // namespace
