// The ecgad binary as users and scripts meet it: exit codes, stdout/stderr, files complete or absent.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "ecgad/exact_gemm.h"
#include "test_util.h"

namespace {

using ecgad::test::exists;
using ecgad::test::slurp;
using ecgad::test::temp_dir;
using Result = ecgad::test::RunResult;

std::string path(const std::string& name) { return ecgad::test::temp_path(name); }

void write(const std::string& file, const std::string& text) { ecgad::test::write_file(file, text); }

// Runs `ecgad ARGS` through the shell (so ARGS may redirect stdin), capturing stdout, stderr and the exit code.
Result ecgad(const std::string& args) { return ecgad::test::run_ecgad(args); }

// A labelled toy ECG set: normal beats are one smooth bump with a little variation, abnormal beats are
// inverted or flat. Width 24. Deterministic.
std::string toy_csv(int normal, int abnormal, bool labels = true, unsigned salt = 0) {
  std::string text;
  char buf[32];
  for (int r = 0; r < normal + abnormal; ++r) {
    bool is_normal = r < normal;
    double phase = 0.3 * std::sin(1.7 * (r + salt)), height = 1.0 + 0.1 * std::cos(2.3 * (r + salt));
    for (int i = 0; i < 24; ++i) {
      double t = i / 24.0;
      double v = height * std::exp(-40 * (t - 0.4 - 0.05 * phase) * (t - 0.4 - 0.05 * phase));
      if (!is_normal) v = (r % 2) ? -v + 0.5 : 0.2 + 0.6 * t;
      std::snprintf(buf, sizeof buf, "%s%.6f", i ? "," : "", v);
      text += buf;
    }
    if (labels) text += is_normal ? ",1" : ",0";
    text += "\n";
  }
  return text;
}

class Cli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    write(path("toy_train.csv"), toy_csv(150, 40));
    write(path("toy_test.csv"), toy_csv(60, 40, true, 7));
    Result r = ecgad("train '" + path("toy_train.csv") + "' -o '" + path("toy.ecgad") +
                     "' --preset tutorial --epochs 60 --batch-size 32 --layers 8,4 --seed 1 -q");
    ASSERT_EQ(r.status, 0) << r.err;
  }
  std::string model() { return "'" + path("toy.ecgad") + "'"; }
};

TEST_F(Cli, HelpTeachesAndExitsZero) {
  Result r = ecgad("--help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("ecgad train train.csv -o model.ecgad"), std::string::npos);
  for (const char* sub : {"split", "train", "score", "evaluate", "threshold", "info", "report"}) {
    EXPECT_NE(r.out.find(sub), std::string::npos) << sub;
  }
  r = ecgad("score --help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("--fail-on-anomaly"), std::string::npos);
}

TEST_F(Cli, UsageErrorsExitTwoWithAHint) {
  Result r = ecgad("train");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("ecgad: error:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ecgad train --help"), std::string::npos) << r.err;
  EXPECT_EQ(ecgad("frobnicate").status, 2);
  EXPECT_EQ(ecgad("").status, 2);
  EXPECT_EQ(ecgad("evaluate -m " + model() + " x.csv --positive maybe").status, 2);
  for (const char* bad : {"--lr abc", "--lr -1", "--epochs 0", "--batch-size -3", "--layers 32,x", "--seed -1",
                          "--noise -0.1", "--noise nan", "--loss huber"}) {
    Result bad_run = ecgad("train '" + path("toy_train.csv") + "' -o '" + path("never.ecgad") + "' " + bad);
    EXPECT_EQ(bad_run.status, 2) << bad;
    EXPECT_NE(bad_run.err.find("ecgad: error:"), std::string::npos) << bad << ": " << bad_run.err;
  }
  EXPECT_FALSE(exists(path("never.ecgad")));
}

TEST_F(Cli, SplitMatchesTheTutorialSplit) {
  std::string data = std::string(ECGAD_SOURCE_DIR) + "/data/ecg.csv";
  Result r =
      ecgad("split '" + data + "' --seed 21 --train-out '" + path("tr.csv") + "' --test-out '" + path("te.csv") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  std::vector<std::string> input;
  std::istringstream all(slurp(data));
  for (std::string line; std::getline(all, line);) input.push_back(line);
  std::istringstream test(slurp(path("te.csv")));
  std::string first;
  std::getline(test, first);
  EXPECT_EQ(first, input[106]);  // the first test row of sklearn's split is input row 106
  std::size_t test_rows = 1, train_rows = 0;
  for (std::string line; std::getline(test, line);) ++test_rows;
  std::istringstream train(slurp(path("tr.csv")));
  for (std::string line; std::getline(train, line);) ++train_rows;
  EXPECT_EQ(test_rows, 1000u);
  EXPECT_EQ(train_rows, 3998u);
}

TEST_F(Cli, SplitDefaultsWriteBesideTheWorkingDirectory) {
  write(path("beats.csv"), toy_csv(7, 3));
  std::string cmd = "cd '" + temp_dir() + "' && '" + ECGAD_BINARY + "' split beats.csv --test-size 0.3 --seed 0 -q";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  // sklearn, n=10, test 0.3, seed 0: test rows 2 8 4.
  std::istringstream in(toy_csv(7, 3));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  EXPECT_EQ(slurp(path("beats_test.csv")), lines[2] + "\n" + lines[8] + "\n" + lines[4] + "\n");
  EXPECT_TRUE(exists(path("beats_train.csv")));
}

TEST_F(Cli, SplitKeepsTheHeaderOnBothPartsEvenFromStandardInput) {
  write(path("with_header.csv"),
        "\xEF\xBB\xBF"
        "a,b,label\r\n1,2,1\r\n3,4,0\r\n5,6,1\r\n");
  Result r = ecgad("split - --header --test-size 1 --seed 0 --train-out '" + path("h_tr.csv") + "' --test-out '" +
                   path("h_te.csv") + "' < '" + path("with_header.csv") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(slurp(path("h_tr.csv")).rfind("a,b,label\n", 0), 0u) << slurp(path("h_tr.csv"));
  EXPECT_EQ(slurp(path("h_te.csv")).rfind("a,b,label\n", 0), 0u) << slurp(path("h_te.csv"));
  EXPECT_EQ(slurp(path("h_tr.csv")).size() + slurp(path("h_te.csv")).size(), 2 * 10 + 3 * 6u);
}

TEST_F(Cli, MalformedInputExitsTwoWithLocationAndWritesNothing) {
  write(path("bad.csv"), "1,2,3,1\n4,x,6,0\n");
  Result r = ecgad("split '" + path("bad.csv") + "' --train-out '" + path("bad_tr.csv") + "' --test-out '" +
                   path("bad_te.csv") + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(path("bad.csv") + ":2:3: "), std::string::npos) << r.err;
  EXPECT_FALSE(exists(path("bad_tr.csv")));
  EXPECT_FALSE(exists(path("bad_te.csv")));
  r = ecgad("train '" + path("bad.csv") + "' -o '" + path("bad.ecgad") + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_FALSE(exists(path("bad.ecgad")));
}

TEST_F(Cli, SameSeedGivesAByteIdenticalModel) {
  std::string common = "train '" + path("toy_train.csv") + "' --epochs 5 --batch-size 16 --layers 6,3 -q ";
  ASSERT_EQ(ecgad(common + "--seed 3 -o '" + path("a.ecgad") + "'").status, 0);
  ASSERT_EQ(ecgad(common + "--seed 3 -o '" + path("b.ecgad") + "'").status, 0);
  ASSERT_EQ(ecgad(common + "--seed 4 -o '" + path("c.ecgad") + "'").status, 0);
  EXPECT_EQ(slurp(path("a.ecgad")), slurp(path("b.ecgad")));
  EXPECT_NE(slurp(path("a.ecgad")), slurp(path("c.ecgad")));
}

TEST_F(Cli, TrainReadsStandardInput) {
  Result r = ecgad("train - -o '" + path("stdin.ecgad") + "' --epochs 2 -q < '" + path("toy_train.csv") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json info = nlohmann::json::parse(ecgad("info '" + path("stdin.ecgad") + "'").out);
  EXPECT_EQ(info["training"]["data"]["name"], "<stdin>");
  EXPECT_EQ(info["training"]["data"]["rows"], 190);
}

TEST_F(Cli, TrainProgressGoesToStderrOnly) {
  Result r = ecgad("train '" + path("toy_train.csv") + "' -o '" + path("p.ecgad") + "' --epochs 3");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("epoch 3/3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("threshold"), std::string::npos) << r.err;
}

TEST_F(Cli, ScoreWritesOneLinePerRowWithLabelsWhenPresent) {
  Result r = ecgad("score -m " + model() + " '" + path("toy_test.csv") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  std::istringstream lines(r.out);
  std::string header, line;
  std::getline(lines, header);
  EXPECT_EQ(header, "row,error,verdict,label");
  std::size_t rows = 0, anomalies_among_abnormal = 0;
  while (std::getline(lines, line)) {
    ++rows;
    EXPECT_EQ(line.rfind(std::to_string(rows) + ",", 0), 0u) << line;
    if (line.find(",anomaly,anomaly") != std::string::npos) ++anomalies_among_abnormal;
  }
  EXPECT_EQ(rows, 100u);
  EXPECT_GE(anomalies_among_abnormal, 36u);  // the toy anomalies are gross: nearly all are caught

  write(path("unlabelled.csv"), toy_csv(5, 0, false));
  r = ecgad("score -m " + model() + " - < '" + path("unlabelled.csv") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\n1,"), std::string::npos);
  EXPECT_EQ(r.out.find("normal\n1"), std::string::npos);
  EXPECT_NE(r.out.find(",\n"), std::string::npos);  // empty label column
}

TEST_F(Cli, ScoreStreamsInBatchesWithTheSameResult) {
  // 100 rows in batches of 7 (the last one partial) and of 1, from a file and from standard input.
  Result whole = ecgad("score -m " + model() + " '" + path("toy_test.csv") + "'");
  ASSERT_EQ(whole.status, 0) << whole.err;
  Result batched = ecgad("score -m " + model() + " '" + path("toy_test.csv") + "' --batch-rows 7");
  Result single = ecgad("score -m " + model() + " - --batch-rows 1 < '" + path("toy_test.csv") + "'");
  EXPECT_EQ(batched.out, whole.out);
  EXPECT_EQ(single.out, whole.out);
  EXPECT_EQ(ecgad("score -m " + model() + " '" + path("toy_test.csv") + "' --batch-rows 0").status, 2);
}

TEST_F(Cli, ScoreJsonlOnlyAnomaliesAndFailOnAnomaly) {
  Result r = ecgad("score -m " + model() + " '" + path("toy_test.csv") +
                   "' --format jsonl --only-anomalies --fail-on-anomaly");
  EXPECT_EQ(r.status, 1) << r.err;  // anomalies found
  std::istringstream lines(r.out);
  std::size_t count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    nlohmann::json row = nlohmann::json::parse(line);
    EXPECT_EQ(row["verdict"], "anomaly");
    EXPECT_TRUE(row.contains("label"));
  }
  EXPECT_GE(count, 36u);

  // A model whose threshold nobody reaches finds nothing: exit 0.
  ASSERT_EQ(ecgad("threshold -m " + model() + " '" + path("toy_train.csv") + "' --threshold fixed:1000 -o '" +
                  path("lax.ecgad") + "'")
                .status,
            0);
  r = ecgad("score -m '" + path("lax.ecgad") + "' '" + path("toy_test.csv") + "' --fail-on-anomaly -o '" +
            path("lax.csv") + "'");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(slurp(path("lax.csv")).find("row,error,verdict,label\n1,"), std::string::npos);
}

// score --id-column 1 on a file without an id column (24 samples and a label, as the model was trained) would
// take the first sample as an id and score the label as a sample: refused, at the input's first row, whatever the
// threads. The user may insist (--label-column none); a file that has an id and no label scores as before.
TEST_F(Cli, IdColumnThatTakesTheLabelsPlaceIsRefused) {
  const std::string data = "'" + path("toy_test.csv") + "'";
  for (const char* threads : {"1", "3 --block-bytes 4096"}) {
    Result r = ecgad("score -m " + model() + " " + data + " --id-column 1 --threads " + threads);
    EXPECT_EQ(r.status, 2) << threads;
    EXPECT_TRUE(r.out.empty()) << r.out.substr(0, 80);
    EXPECT_NE(r.err.find("toy_test.csv:1:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("a label value (1) where the model's label was"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--label-column none"), std::string::npos) << r.err;
  }
  Result insisted = ecgad("score -m " + model() + " " + data + " --id-column 1 --label-column none");
  EXPECT_EQ(insisted.status, 0) << insisted.err;
  // An id and 24 samples, no label: the documented use (beats --peak-id | score --id-column 1).
  std::string with_ids;
  std::istringstream rows(toy_csv(20, 5, false, 3));
  int id = 100;
  for (std::string line; std::getline(rows, line);) with_ids += std::to_string(id++) + "," + line + "\n";
  write(path("with_ids.csv"), with_ids);
  Result ids = ecgad("score -m " + model() + " '" + path("with_ids.csv") + "' --id-column 1");
  EXPECT_EQ(ids.status, 0) << ids.err;
  EXPECT_EQ(ids.out.rfind("row,id,error,verdict,label\n1,100,", 0), 0u) << ids.out.substr(0, 80);
}

// A folder for several inputs' scores that cannot be made: said in ecgad's words, not libstdc++'s
// "filesystem error: cannot create directories: ... [PATH]".
TEST_F(Cli, AnOutputFolderThatCannotBeMadeIsNamed) {
  const std::string data = "'" + path("toy_test.csv") + "' '" + path("toy_train.csv") + "'";
  Result r = ecgad("score -m " + model() + " " + data + " -o '" + path("toy_test.csv") + "/scores/'");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err.find("filesystem error"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("cannot make the folder '" + path("toy_test.csv") + "/scores/' for -o: Not a directory"),
            std::string::npos)
      << r.err;
}

// A folder its user may write in but not read (0333): the output is renamed into place whole, and only the sync
// of the folder cannot be forced, which is no failure (exit 0, not 2 after a complete write). Run as a user other
// than root (setpriv, as nobody, when the tests run as root: root reads any folder).
TEST_F(Cli, AFolderThatCannotBeOpenedToSyncIsNoFailure) {
  std::string as_user;
  if (::geteuid() == 0) {
    ASSERT_TRUE(ecgad::test::have_program("setpriv")) << "setpriv (util-linux) runs the test as nobody";
    as_user = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
    ASSERT_EQ(::chmod(temp_dir().c_str(), 0711), 0);
  }
  const std::string folder = path("write_only");
  ASSERT_EQ(::mkdir(folder.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(folder.c_str(), 0333), 0);
  Result r = ecgad::test::run_command(as_user + "'" + ECGAD_BINARY + "' score -m " + model() + " '" +
                                      path("toy_test.csv") + "' -o '" + folder + "/scores.csv'");
  ::chmod(folder.c_str(), 0700);
  if (::geteuid() == 0) ::chmod(temp_dir().c_str(), 0700);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(slurp(folder + "/scores.csv").rfind("row,error,verdict,label\n1,", 0), 0u);
}

TEST_F(Cli, OutputToDevStdoutIsWrittenNotReplaced) {
  struct stat before, after;
  ASSERT_EQ(::lstat("/dev/stdout", &before), 0);
  Result r = ecgad("score -m " + model() + " '" + path("toy_test.csv") + "' -o /dev/stdout");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("row,error,verdict,label\n1,", 0), 0u) << r.out.substr(0, 80);
  ASSERT_EQ(::lstat("/dev/stdout", &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);  // still the system's entry, not a file renamed over it
  EXPECT_EQ(after.st_mode, before.st_mode);
  EXPECT_EQ(ecgad("score -m " + model() + " '" + path("toy_test.csv") + "' -o '" + temp_dir() + "'").status, 2);
}

TEST_F(Cli, OutputThroughASymbolicLinkKeepsTheLink) {
  write(path("real_scores.csv"), "old\n");
  ::unlink(path("link_scores.csv").c_str());
  ASSERT_EQ(::symlink(path("real_scores.csv").c_str(), path("link_scores.csv").c_str()), 0);
  Result r = ecgad("score -m " + model() + " '" + path("toy_test.csv") + "' -o '" + path("link_scores.csv") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  struct stat info;
  ASSERT_EQ(::lstat(path("link_scores.csv").c_str(), &info), 0);
  EXPECT_TRUE(S_ISLNK(info.st_mode));
  EXPECT_EQ(slurp(path("real_scores.csv")).rfind("row,error,verdict,label\n", 0), 0u);
}

TEST_F(Cli, ScoreRefusesAnotherWidthAndBadRows) {
  write(path("narrow.csv"), "1,2,3\n");
  Result r = ecgad("score -m " + model() + " '" + path("narrow.csv") + "' -o '" + path("narrow_out.csv") + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(":1:1: row has 3 columns, but the model takes 24 samples (or 25 with a label)"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(exists(path("narrow_out.csv")));
  r = ecgad("score -m " + model() + " '" + path("narrow.csv") + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;  // refused at its first row: not even the header

  std::string text = toy_csv(3, 0);
  text += "1,2\n";
  write(path("short_row.csv"), text);
  r = ecgad("score -m " + model() + " '" + path("short_row.csv") + "' -o '" + path("short_out.csv") + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(path("short_row.csv") + ":4:"), std::string::npos) << r.err;
  EXPECT_FALSE(exists(path("short_out.csv")));
}

TEST_F(Cli, EvaluateTextJsonAndGates) {
  Result r = ecgad("evaluate -m " + model() + " '" + path("toy_test.csv") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* word : {"accuracy", "precision", "recall", "f1", "roc_auc", "average_precision",
                           "positive    anomaly", "confusion matrix", "support"}) {
    EXPECT_NE(r.out.find(word), std::string::npos) << word;
  }
  r = ecgad("evaluate -m " + model() + " '" + path("toy_test.csv") + "' --format json --positive normal");
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["positive_class"], "normal");
  EXPECT_EQ(j["rows"], 100);
  auto counts = j["confusion_matrix"]["counts"];
  EXPECT_EQ(counts[0][0].get<int>() + counts[0][1].get<int>(), 60);
  EXPECT_EQ(counts[1][0].get<int>() + counts[1][1].get<int>(), 40);
  double accuracy = (counts[0][0].get<double>() + counts[1][1].get<double>()) / 100;
  EXPECT_DOUBLE_EQ(j["accuracy"].get<double>(), accuracy);

  // A gate no metric can pass is a typo, refused before any work.
  r = ecgad("evaluate -m " + model() + " '" + path("toy_test.csv") + "' --min-auc 1.01");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--min-auc: expected a number from 0 to 1 (a metric's range), got '1.01'"), std::string::npos)
      << r.err;
  // A gate just above the model's accuracy fails (the toy model is not perfect).
  ASSERT_LT(accuracy, 1.0);
  r = ecgad("evaluate -m " + model() + " '" + path("toy_test.csv") + "' --min-accuracy " +
            std::to_string(std::min(1.0, accuracy + 0.005)) + " --min-auc 0.5 --format json");
  EXPECT_EQ(r.status, 1);
  j = nlohmann::json::parse(r.out);  // output still printed
  EXPECT_EQ(j["passed"], false);
  EXPECT_EQ(j["gates"][0]["metric"], "accuracy");
  EXPECT_EQ(j["gates"][0]["passed"], false);
  EXPECT_EQ(j["gates"][1]["metric"], "auc");
  EXPECT_EQ(j["gates"][1]["passed"], true);
  EXPECT_NE(r.err.find("gate failed: accuracy"), std::string::npos) << r.err;
}

TEST_F(Cli, BeatsFarOutsideTheTrainingRangeAreAnErrorNotANan) {
  // A model fitted on values within [0, 0.001] cannot score 3e38 in float arithmetic.
  std::string tiny;
  for (int r = 0; r < 30; ++r) {
    for (int i = 0; i < 8; ++i) tiny += std::to_string(0.0001 * ((r * 7 + i * 3) % 10)) + ",";
    tiny += "1\n";
  }
  write(path("tiny.csv"), tiny);
  ASSERT_EQ(ecgad("train '" + path("tiny.csv") + "' -o '" + path("tiny.ecgad") + "' --epochs 2 -q").status, 0);
  write(path("huge.csv"), "0.0005,0.0005,0.0005,0.0005,0.0005,0.0005,0.0005,0.0005,1\n3e38,0,0,0,0,0,0,0,1\n");
  for (const char* command : {"score", "evaluate"}) {
    Result r = ecgad(std::string(command) + " -m '" + path("tiny.ecgad") + "' '" + path("huge.csv") + "'");
    EXPECT_EQ(r.status, 2) << command;
    EXPECT_NE(r.err.find(path("huge.csv") + ":2:1: this beat cannot be scored"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("nan"), std::string::npos) << r.out;
  }
}

TEST_F(Cli, EvaluateNeedsLabels) {
  write(path("nolabels.csv"), toy_csv(4, 0, false));
  Result r = ecgad("evaluate -m " + model() + " '" + path("nolabels.csv") + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(":1:1: evaluate needs labelled rows: this row has the model's 24 samples but no label column"),
            std::string::npos)
      << r.err;
}

TEST_F(Cli, InfoPrintsJsonWithoutWeights) {
  Result r = ecgad("info " + model());
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json info = nlohmann::json::parse(r.out);
  EXPECT_EQ(info["model"]["input_width"], 24);
  EXPECT_EQ(info["threshold"]["strategy"], "mean-std:1");
  EXPECT_EQ(info["training"]["history"].size(), 60u);
  EXPECT_EQ(info["training"]["data"]["sha256"].get<std::string>().size(), 64u);
  EXPECT_LT(r.out.size(), 20000u);
}

TEST_F(Cli, DamagedModelsExitTwo) {
  std::string bytes = slurp(path("toy.ecgad"));
  write(path("cut.ecgad"), bytes.substr(0, bytes.size() / 2));
  Result r = ecgad("score -m '" + path("cut.ecgad") + "' '" + path("toy_test.csv") + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("truncated"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
  r = ecgad("info '" + path("toy_test.csv") + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("not an ecgad model file"), std::string::npos) << r.err;
  r = ecgad("info '" + path("missing.ecgad") + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("cannot open"), std::string::npos) << r.err;
}

TEST_F(Cli, ThresholdStrategiesAreRecorded) {
  for (const char* strategy : {"best-f1", "best-accuracy", "percentile:95", "mean-std:2"}) {
    Result r = ecgad("threshold -m " + model() + " '" + path("toy_train.csv") + "' --threshold " + strategy + " -o '" +
                     path("t.ecgad") + "'");
    ASSERT_EQ(r.status, 0) << r.err;
    nlohmann::json info = nlohmann::json::parse(ecgad("info '" + path("t.ecgad") + "'").out);
    EXPECT_EQ(info["threshold"]["strategy"], strategy);
  }
  Result r = ecgad("threshold -m " + model() + " '" + path("toy_train.csv") + "' --threshold best-guess -o '" +
                   path("t2.ecgad") + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_FALSE(exists(path("t2.ecgad")));
}

// The LSTM classifier end to end: it learns from normal and abnormal rows, every subcommand works on it, and the
// output names its score (a probability) for what it is.
TEST_F(Cli, LstmTrainsAndEverySubcommandWorksOnIt) {
  const std::string lstm = "'" + path("lstm.ecgad") + "'";
  Result r = ecgad("train '" + path("toy_train.csv") + "' -o " + lstm +
                   " --model lstm --hidden 6 --dropout 0.1 --epochs 15 --batch-size 32 --lr 0.01 --seed 2 -q");
  ASSERT_EQ(r.status, 0) << r.err;
  r = ecgad("info " + lstm);
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json info = nlohmann::json::parse(r.out);
  EXPECT_EQ(info["model"]["kind"], "lstm");
  EXPECT_EQ(info["model"]["hidden"], 6);
  EXPECT_EQ(info["training"]["preset"], "exercise-lstm");
  EXPECT_EQ(info["training"]["trained_on_rows"], 190);  // every labelled row, abnormal ones too
  EXPECT_EQ(info["threshold"]["value"], 0.5);
  r = ecgad("score -m " + lstm + " '" + path("toy_test.csv") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "row,probability,verdict,label");
  r = ecgad("evaluate -m " + lstm + " '" + path("toy_test.csv") + "' --positive normal --min-accuracy 0.9");
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("anomaly when probability >= threshold"), std::string::npos) << r.out;
  r = ecgad("threshold -m " + lstm + " '" + path("toy_train.csv") + "' --threshold best-accuracy -o '" +
            path("lstm2.ecgad") + "'");
  EXPECT_EQ(r.status, 0) << r.err;
  r = ecgad("report -m " + lstm + " '" + path("toy_test.csv") + "' -o '" + path("lstm.html") + "'");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(slurp(path("lstm.html")).find("Histogram of probabilities"), std::string::npos);
}

TEST_F(Cli, LstmRefusesWhatItCannotLearnFrom) {
  write(path("unlabelled.csv"), toy_csv(20, 5, false));
  write(path("only_normal.csv"), toy_csv(20, 0));
  Result r =
      ecgad("train '" + path("unlabelled.csv") + "' -o '" + path("never.ecgad") + "' --model lstm --no-labels -q");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("learns from labelled rows"), std::string::npos) << r.err;
  r = ecgad("train '" + path("only_normal.csv") + "' -o '" + path("never.ecgad") + "' --model lstm -q");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("needs both normal and abnormal rows"), std::string::npos) << r.err;
  for (const char* bad : {"--model lstm --layers 8,4", "--model lstm --noise 0.1", "--model lstm --latent 4",
                          "--hidden 8", "--dropout 0.2", "--model vae --hidden 8", "--model lstm --dropout 1",
                          "--model lstm --hidden 0", "--preset exercise-lstm --model autoencoder"}) {
    r = ecgad("train '" + path("toy_train.csv") + "' -o '" + path("never.ecgad") + "' " + bad + " -q");
    EXPECT_EQ(r.status, 2) << bad;
    EXPECT_NE(r.err.find("ecgad: error:"), std::string::npos) << bad << ": " << r.err;
  }
  EXPECT_FALSE(exists(path("never.ecgad")));
}

}  // namespace

namespace {

// Help that catches mistakes: a short usage alone, help as a subcommand, the nearest name for a typo.
TEST(CliHelp, UsageHelpAndDidYouMean) {
  Result alone = ecgad("");
  EXPECT_EQ(alone.status, 2);
  EXPECT_NE(alone.err.find("usage: ecgad SUBCOMMAND"), std::string::npos) << alone.err;
  EXPECT_EQ(alone.err.find("A subcommand is required"), std::string::npos);

  Result typo = ecgad("scroe x.csv");
  EXPECT_EQ(typo.status, 2);
  EXPECT_EQ(typo.err, "ecgad: error: unknown subcommand 'scroe'; did you mean 'score'?\n");
  Result far = ecgad("frobnicate");
  EXPECT_EQ(far.status, 2);
  EXPECT_NE(far.err.find("unknown subcommand 'frobnicate' (see 'ecgad --help')"), std::string::npos) << far.err;

  Result option = ecgad("train x.csv -o m.ecgad --thresold best-f1");
  EXPECT_EQ(option.status, 2);
  EXPECT_NE(option.err.find("did you mean '--threshold'?"), std::string::npos) << option.err;

  Result help = ecgad("help score");
  EXPECT_EQ(help.status, 0);
  EXPECT_EQ(help.out, ecgad("score --help").out);
  EXPECT_NE(help.out.find("--only-anomalies"), std::string::npos);
  EXPECT_EQ(ecgad("help scroe").status, 2);

  Result version = ecgad("-V");
  EXPECT_EQ(version.status, 0);
  EXPECT_EQ(version.out.rfind("ecgad ", 0), 0u);
  EXPECT_NE(version.out.find("model files of format versions 1 and 2"), std::string::npos) << version.out;
  // the kernels this CPU runs, as the library picks them
  EXPECT_NE(version.out.find(std::string("matrix kernels on this CPU: ") +
                             ecgad::gemm_kernel_name(ecgad::best_gemm_kernel())),
            std::string::npos)
      << version.out;
}

TEST(CliHelp, CompletionScriptsComeFromTheCommandLine) {
  Result bash = ecgad("completion bash");
  EXPECT_EQ(bash.status, 0);
  EXPECT_NE(bash.out.find("complete -o filenames -F _ecgad ecgad"), std::string::npos);
  // Every long option of every subcommand's --help is offered.
  for (const char* sub : {"split", "train", "score", "evaluate", "threshold", "report"}) {
    std::string help = ecgad(std::string(sub) + " --help").out;
    for (std::size_t at = help.find("  --"); at != std::string::npos; at = help.find("  --", at + 1)) {
      std::string option = help.substr(at + 2, help.find_first_of(" ,=\n", at + 2) - at - 2);
      EXPECT_NE(bash.out.find(option), std::string::npos) << sub << " " << option;
    }
  }
  Result zsh = ecgad("completion zsh");
  EXPECT_EQ(zsh.out.rfind("#compdef ecgad\n", 0), 0u);
  EXPECT_EQ(ecgad("completion fish").status, 2);
}

}  // namespace

namespace {

// The commands of the README's GitLab CI job and GitHub Actions steps, on a small labelled file.
TEST(CliJunit, TheCiJobsCommands) {
  std::string data = path("ci_data.csv"), train_csv = path("ci_train.csv"), test_csv = path("ci_test.csv");
  write(data, toy_csv(120, 40));
  ASSERT_EQ(ecgad("split '" + data + "' --train-out '" + train_csv + "' --test-out '" + test_csv + "' -q").status, 0);
  std::string model = path("ci_model.ecgad"), junit = path("ci_junit.xml"), report = path("ci_report.html");
  ASSERT_EQ(ecgad("train '" + train_csv + "' -o '" + model + "' --seed 0 -q --epochs 30").status, 0);
  Result pass = ecgad("evaluate -m '" + model + "' '" + test_csv + "' --min-auc 0.5 --junit '" + junit +
                      "' --report '" + report + "'");
  EXPECT_EQ(pass.status, 0) << pass.err;
  std::string xml = slurp(junit);
  EXPECT_NE(xml.find("<testsuites tests=\"7\" failures=\"0\">"), std::string::npos) << xml;
  EXPECT_TRUE(exists(report));
  ECGAD_EXPECT_WELL_FORMED(xml, "ci_junit");
  // A model that flags every beat (threshold 0) fails an accuracy gate.
  std::string flag_all = path("ci_flag_all.ecgad");
  ASSERT_EQ(ecgad("threshold -m '" + model + "' '" + train_csv + "' --threshold fixed:0 -o '" + flag_all + "'").status,
            0);
  Result fail = ecgad("evaluate -m '" + flag_all + "' '" + test_csv + "' --min-accuracy 0.9 --junit '" + junit + "'");
  EXPECT_EQ(fail.status, 1) << fail.err;
  xml = slurp(junit);
  EXPECT_NE(xml.find("<failure message=\"accuracy "), std::string::npos) << xml;
  ECGAD_EXPECT_WELL_FORMED(xml, "ci_junit_failed");
}

}  // namespace

namespace {

// Options that cannot work are refused before any work starts (training can take minutes).
TEST(CliUpFront, ImpossibleOutputsAndThresholdDataAreRefusedBeforeTraining) {
  std::string data = path("upfront.csv");
  write(data, toy_csv(40, 10));
  Result missing = ecgad("train '" + data + "' -o '" + path("no/such/folder/m.ecgad") + "'");
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos) << missing.err;
  EXPECT_EQ(missing.err.find("training on"), std::string::npos) << "it trained first: " << missing.err;
  Result folder = ecgad("train '" + data + "' -o '" + temp_dir() + "'");
  EXPECT_EQ(folder.status, 2);
  EXPECT_NE(folder.err.find("it is a directory"), std::string::npos) << folder.err;

  std::string normal_only = path("upfront_normal.csv");
  write(normal_only, toy_csv(20, 0));
  Result one_class =
      ecgad("train '" + data + "' -o '" + path("upfront.ecgad") + "' --threshold-data '" + normal_only + "'");
  EXPECT_EQ(one_class.status, 2);
  EXPECT_NE(one_class.err.find("holds only normal rows: best-accuracy needs both classes"), std::string::npos)
      << one_class.err;
  EXPECT_FALSE(exists(path("upfront.ecgad")));
}

}  // namespace

namespace {

// A file without labels read as labelled names --no-labels; --no-labels on a file whose last column holds only
// labels warns.
TEST(CliLabels, MissingOrSuperfluousNoLabelsIsPointedOut) {
  std::string unlabelled = path("labels_none.csv"), labelled = path("labels_yes.csv");
  write(unlabelled, toy_csv(30, 0, false));
  write(labelled, toy_csv(30, 10));
  Result missing = ecgad("train '" + unlabelled + "' -o '" + path("labels.ecgad") + "' -q");
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(
      missing.err.find("(if the rows have no label column, pass --no-labels; if it is elsewhere, --label-column)"),
      std::string::npos)
      << missing.err;
  Result superfluous = ecgad("train '" + labelled + "' -o '" + path("labels.ecgad") + "' --no-labels --epochs 1");
  EXPECT_EQ(superfluous.status, 0) << superfluous.err;
  EXPECT_NE(superfluous.err.find("warning: the last column of"), std::string::npos) << superfluous.err;
  EXPECT_NE(superfluous.err.find("drop --no-labels"), std::string::npos) << superfluous.err;
  Result fine = ecgad("train '" + unlabelled + "' -o '" + path("labels.ecgad") + "' --no-labels --epochs 1");
  EXPECT_EQ(fine.status, 0) << fine.err;
  EXPECT_EQ(fine.err.find("warning"), std::string::npos) << fine.err;
}

}  // namespace
