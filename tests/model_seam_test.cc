// The model seam, proven with a toy model that exists only here: a linear autoencoder (W -> k -> W, no
// activations, MAE loss) trains, saves, loads, scores and appears in a report through the Model interface and
// a list of kinds alone; no line of ecgad knows it.
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

namespace ecgad {
namespace {

class LinearAutoencoder : public Model {
 public:
  explicit LinearAutoencoder(const nlohmann::json& a)
      : width_(a.at("input_width").get<std::size_t>()), code_(a.value("code", std::size_t{2})) {
    add_tensor("encode", {code_, width_});
    add_tensor("decode", {width_, code_});
  }
  std::string kind() const override { return "linear"; }
  nlohmann::json architecture() const override { return {{"input_width", width_}, {"code", code_}}; }
  int input_width() const override { return static_cast<int>(width_); }
  void init(Rng& rng) override {
    for (float& p : parameters) p = static_cast<float>(0.2 * (rng.uniform01() - 0.5));
  }
  struct Scratch : Workspace {
    Mat<float> code, output, doutput, dcode;
  };
  std::unique_ptr<Workspace> new_workspace() const override { return std::make_unique<Scratch>(); }
  BatchLoss loss_and_gradients(const Batch& batch, Rng&, Workspace& workspace) override {
    auto& s = static_cast<Scratch&>(workspace);
    MatMap<float> E = view("encode", parameters), D = view("decode", parameters);
    MatMap<float> dE = view("encode", gradients), dD = view("decode", gradients);
    s.code.noalias() = E * batch.beats;
    s.output.noalias() = D * s.code;
    BatchLoss loss{mae_forward(s.output, batch.beats), {}};
    mae_backward(s.doutput, s.output, batch.beats);
    dD.noalias() += s.doutput * s.code.transpose();
    s.dcode.noalias() = D.transpose() * s.doutput;
    dE.noalias() += s.dcode * batch.beats.transpose();
    return loss;
  }
  BatchLoss loss(const Batch& batch, Workspace& workspace) const override {
    Eigen::VectorXd scores;
    score(batch.beats, workspace, scores);
    return {scores.mean(), {}};
  }
  std::string loss_name() const override { return "mae"; }
  void score(const Mat<float>& beats, Workspace& workspace, Eigen::VectorXd& scores) const override {
    auto& s = static_cast<Scratch&>(workspace);
    reconstruct(beats, workspace, s.output);
    scores = mae_per_column(s.output, beats);
  }
  bool reconstruct(const Mat<float>& beats, Workspace&, Mat<float>& output) const override {
    // Column by column: the same arithmetic for a beat whatever the batch (batch-invariant).
    auto* self = const_cast<LinearAutoencoder*>(this);
    MatMap<float> E = self->view("encode", self->parameters), D = self->view("decode", self->parameters);
    output.resize(beats.rows(), beats.cols());
    for (Eigen::Index j = 0; j < beats.cols(); ++j) {
      Vec<float> code = Vec<float>::Zero(E.rows());
      for (Eigen::Index k = 0; k < E.cols(); ++k) code += E.col(k) * beats(k, j);
      Vec<float> out = Vec<float>::Zero(D.rows());
      for (Eigen::Index k = 0; k < D.cols(); ++k) out += D.col(k) * code(k);
      output.col(j) = out;
    }
    return true;
  }
  std::string score_name() const override { return "error"; }
  std::string score_description() const override { return "mean absolute error of a linear reconstruction"; }
  std::string summary() const override {
    return "linear " + std::to_string(width_) + " \u2192 " + std::to_string(code_) + " \u2192 " +
           std::to_string(width_);
  }

 private:
  std::size_t width_, code_;
};

std::vector<ModelKind> kinds_with_linear() {
  std::vector<ModelKind> kinds = builtin_model_kinds();
  kinds.push_back({"linear", build_model<LinearAutoencoder>});
  return kinds;
}

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
  const std::vector<ModelKind> kinds = kinds_with_linear();
  Dataset data = subspace_data(400, 24);
  DetectorConfig config;
  config.kind = "linear";
  config.options = {{"code", 2}};
  config.kinds = &kinds;
  config.train.epochs = 60;
  config.train.batch_size = 32;
  config.train.adam.learning_rate = 1e-2;
  config.threshold = {ThresholdStrategy::Kind::best_accuracy, 0};
  config.preset = "toy";
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
