// The model seam, proven with a toy kind that exists only in the tests (linear_kind.h): a linear autoencoder
// trains, saves, loads, scores and appears in a report through the Model interface and a list of kinds alone;
// no line of ecgad knows it.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ecgad/dataset.h"
#include "ecgad/detector.h"
#include "ecgad/error.h"
#include "ecgad/html_report.h"
#include "ecgad/layers.h"
#include "ecgad/model.h"
#include "ecgad/model_file.h"
#include "linear_kind.h"

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

}  // namespace
}  // namespace ecgad
