// The model seam, proven with a toy kind that exists only in the tests (linear_kind.h): a linear autoencoder
// trains, saves, loads, scores and appears in a report through the Model interface and a list of kinds alone,
// and the command line (run in-process with that list) gives it its flags, preset, completion and help, and
// runs train, score, evaluate, threshold, info and report on it. No line of ecgad knows it.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli.h"
#include "ecgad/dataset.h"
#include "ecgad/detector.h"
#include "ecgad/error.h"
#include "ecgad/html_report.h"
#include "ecgad/layers.h"
#include "ecgad/model.h"
#include "ecgad/model_file.h"
#include "linear_kind.h"
#include "test_util.h"

namespace ecgad {
namespace {

// Normal beats lie in a 2-dimensional subspace (two fixed shapes mixed); abnormal ones add a third shape.
Dataset subspace_data(std::size_t rows, std::size_t width) {
  Dataset data;
  data.name = "subspace.csv";
  data.width = width;
  Rng rng(17);
  for (std::size_t r = 0; r < rows; ++r) {
    bool normal = r % 4 != 0;
    double a = rng.uniform01(), b = rng.uniform01();
    for (std::size_t i = 0; i < width; ++i) {
      double t = static_cast<double>(i) / static_cast<double>(width);
      double value = a * std::sin(6.28 * t) + b * std::cos(6.28 * t);
      if (!normal) value += 0.8 * std::sin(18.8 * t);
      data.values.push_back(value);
    }
    data.normal.push_back(normal ? 1 : 0);
    data.lines.push_back(r + 1);
  }
  return data;
}

TEST(ModelSeam, AToyModelTrainsSavesLoadsScoresAndReportsThroughTheInterfaceAlone) {
  const std::vector<ModelKind>& kinds = test::kinds_with_linear();
  Dataset data = subspace_data(400, 24);
  DetectorConfig config = preset_config("linear", kinds);  // the toy kind's own preset
  EXPECT_EQ(config.kind, "linear");
  TrainedModel model = train_detector(data, config, nullptr, nullptr);
  EXPECT_EQ(model.training["trained_on_rows"], 300);  // the normal rows only: Model::supervised() is false

  // Saved and loaded through the file's tensor table, with the toy kind known to the loader only.
  std::string bytes = serialize_model(model);
  EXPECT_NE(bytes.find("\"kind\":\"linear\""), std::string::npos);
  EXPECT_NE(bytes.find("\"name\":\"encode\""), std::string::npos);
  TrainedModel back = parse_model(bytes, "toy.ecgad", kinds);
  EXPECT_EQ(back.model->parameters, model.model->parameters);
  EXPECT_THROW(parse_model(bytes, "toy.ecgad"), Error);  // this ecgad's own kinds do not include it

  // It learnt the normal subspace: the abnormal beats score far higher, and the threshold separates them.
  std::unique_ptr<Workspace> workspace = back.model->new_workspace();
  Eigen::VectorXd scores = anomaly_scores(back, data, *workspace);
  std::size_t right = 0;
  for (std::size_t i = 0; i < data.rows(); ++i) {
    bool anomaly = scores(static_cast<Eigen::Index>(i)) >= back.threshold.value;
    right += anomaly == !data.normal[i];
  }
  EXPECT_GE(right, data.rows() * 95 / 100);

  // And the report draws it, with its own summary and reconstructions.
  std::vector<double> score_list(scores.data(), scores.data() + scores.size());
  std::string html = html_report(back, data, score_list);
  EXPECT_NE(html.find("linear 24 &#8594; 2 &#8594; 24"), std::string::npos);
  EXPECT_NE(html.find("reconstruction"), std::string::npos);
}

TEST(ModelSeam, UnknownKindsAndOversizedArchitecturesAreRefusedBeforeAllocation) {
  EXPECT_THROW(make_model("linear", {{"input_width", 4}}), Error);
  try {
    make_model("autoencoder", {{"input_width", 140}, {"encoder", {4096, 4096}}}, 1000);
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("more than the 1000 allowed"), std::string::npos) << e.what();
  }
}

// `ecgad ARGS` run in-process with this ecgad's kinds and the toy one, ARGS split at spaces.
test::RunResult cli(const std::string& args) {
  std::vector<std::string> words = {"ecgad"};
  std::istringstream in(args);
  for (std::string word; in >> word;) words.push_back(word);
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  test::RunResult result;
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  result.status = ecgad_main(static_cast<int>(words.size()), argv.data(), false, test::kinds_with_linear());
  std::fflush(stdout);
  std::fflush(stderr);
  result.out = ::testing::internal::GetCapturedStdout();
  result.err = ::testing::internal::GetCapturedStderr();
  return result;
}

std::string csv_of(const Dataset& data) {
  std::string text;
  for (std::size_t r = 0; r < data.rows(); ++r) {
    for (std::size_t i = 0; i < data.width; ++i) text += fmt::format("{}", data.values[r * data.width + i]) + ",";
    text += data.normal[r] ? "1\n" : "0\n";
  }
  return text;
}

TEST(ModelSeam, AToyKindGetsItsFlagsPresetCompletionAndEveryCommandThroughTheCommandLine) {
  const std::string dir = test::temp_subdir("seam_cli");
  const std::string data = dir + "/subspace.csv", model = dir + "/linear.ecgad";
  test::write_file(data, csv_of(subspace_data(400, 24)));

  // Its declaration became flags, a preset, help and completion words.
  test::RunResult help = cli("train --help");
  ASSERT_EQ(help.status, 0) << help.err;
  EXPECT_NE(help.out.find("--code INT:1..64"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("linear: size of the linear code"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("  linear: the tests' linear autoencoder (the default of --model linear): --model linear "
                          "--code 2 --epochs 60"),
            std::string::npos)
      << help.out;
  EXPECT_NE(cli("score --help").out.find("linear: error, the mean absolute error of a linear reconstruction"),
            std::string::npos);
  test::RunResult completion = cli("completion bash");
  EXPECT_NE(completion.out.find("'train --code') COMPREPLY=()"), std::string::npos);
  EXPECT_NE(completion.out.find("'train --model') COMPREPLY=($(compgen -W 'autoencoder vae lstm linear'"),
            std::string::npos);
  EXPECT_NE(cli("--version").out.find("model kinds: autoencoder vae lstm linear"), std::string::npos);

  // Its options are checked and refused in the declarations' words.
  test::RunResult bad = cli("train " + data + " -o " + model + " --model linear --code 65");
  EXPECT_EQ(bad.status, 2);
  EXPECT_EQ(bad.err,
            "ecgad: error: --code: expected a whole number from 1 to 64, got '65' (see 'ecgad train --help')\n");
  bad = cli("train " + data + " -o " + model + " --model linear --latent 4");
  EXPECT_EQ(bad.err,
            "ecgad: error: --latent does not apply to linear models: it is an option of vae models (see "
            "'ecgad train --help')\n");
  EXPECT_EQ(cli("train " + data + " -o " + model + " --code 3").status, 2);  // the autoencoder has no --code

  // train -> score -> evaluate -> threshold -> info -> report.
  test::RunResult train = cli("train " + data + " -o " + model + " --model linear --code 3 -q");
  ASSERT_EQ(train.status, 0) << train.err;
  test::RunResult score = cli("score -m " + model + " " + data + " --threads 2");
  ASSERT_EQ(score.status, 0) << score.err;
  EXPECT_EQ(score.out.substr(0, score.out.find('\n')), "row,error,verdict,label");
  test::RunResult evaluate = cli("evaluate -m " + model + " " + data + " --format json --min-accuracy 0.9");
  ASSERT_EQ(evaluate.status, 0) << evaluate.err;
  EXPECT_GE(nlohmann::json::parse(evaluate.out)["accuracy"].get<double>(), 0.95);
  ASSERT_EQ(cli("threshold -m " + model + " " + data + " --threshold best-f1 -o " + model + " -q").status, 0);
  test::RunResult info = cli("info " + model);
  ASSERT_EQ(info.status, 0) << info.err;
  nlohmann::json described = nlohmann::json::parse(info.out);
  EXPECT_EQ(described["model"]["kind"], "linear");
  EXPECT_EQ(described["model"]["code"], 3);
  EXPECT_EQ(described["training"]["preset"], "linear");
  EXPECT_EQ(described["threshold"]["strategy"], "best-f1");
  ASSERT_EQ(cli("report -m " + model + " " + data + " -o " + dir + "/report.html").status, 0);
  EXPECT_NE(test::slurp(dir + "/report.html").find("linear 24 &#8594; 3 &#8594; 24"), std::string::npos);

  // The ecgad binary itself knows no such kind.
  test::RunResult real = test::run_ecgad("info '" + model + "'");
  EXPECT_EQ(real.status, 2);
  EXPECT_NE(real.err.find("model kind 'linear' is not known to this ecgad"), std::string::npos) << real.err;
}

}  // namespace
}  // namespace ecgad
