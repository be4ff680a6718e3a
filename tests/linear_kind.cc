#include "linear_kind.h"

#include <memory>
#include <string>

#include "ecgad/layers.h"
#include "ecgad/model.h"

namespace ecgad::test {
namespace {

struct LinearScratch {
  Mat<float> code, output, doutput, dcode;
};

class LinearAutoencoder : public ModelWith<LinearScratch> {
 public:
  explicit LinearAutoencoder(const nlohmann::json& a)
      : ModelWith(linear_kind()),
        width_(a.at("input_width").get<std::size_t>()),
        code_(a.at("code").get<std::size_t>()) {
    add_tensor("encode", {code_, width_});
    add_tensor("decode", {width_, code_});
  }
  nlohmann::json architecture() const override { return {{"input_width", width_}, {"code", code_}}; }
  int input_width() const override { return static_cast<int>(width_); }
  void init(Rng& rng) override {
    for (float& p : parameters) p = static_cast<float>(0.2 * (rng.uniform01() - 0.5));
  }
  std::string loss_name() const override { return "mae"; }
  std::string score_name() const override { return "error"; }
  std::string score_description() const override { return "mean absolute error of a linear reconstruction"; }
  std::string summary() const override {
    return "linear " + std::to_string(width_) + " \u2192 " + std::to_string(code_) + " \u2192 " +
           std::to_string(width_);
  }

 protected:
  BatchLoss loss_and_gradients_with(const Batch& batch, Rng&, LinearScratch& s) override {
    auto E = view("encode", parameters), D = view("decode", parameters);
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
  BatchLoss loss_with(const Batch& batch, LinearScratch& s) const override {
    Eigen::VectorXd scores;
    score_with(batch.beats, s, scores);
    return {scores.mean(), {}};
  }
  void score_with(const Mat<float>& beats, LinearScratch& s, Eigen::VectorXd& scores) const override {
    reconstruct_with(beats, s, s.output);
    scores = mae_per_column(s.output, beats);
  }
  bool reconstruct_with(const Mat<float>& beats, LinearScratch&, Mat<float>& output) const override {
    // Column by column: the same arithmetic for a beat whatever the batch (batch-invariant).
    auto E = view("encode", parameters), D = view("decode", parameters);
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

 private:
  std::size_t width_, code_;
};

KindPreset linear_preset() {
  KindPreset p;
  p.name = "linear";
  p.title = "the tests' linear autoencoder";
  p.options = {{"code", 2}};
  p.train.epochs = 60;
  p.train.batch_size = 32;
  p.train.adam.learning_rate = 1e-2;
  p.threshold = {ThresholdStrategy::Kind::best_accuracy, 0};
  p.kind_default = true;
  return p;
}

}  // namespace

const ModelKind& linear_kind() {
  static const ModelKind kind = {
      "linear",
      "a linear autoencoder (a toy kind of the tests)",
      build_model<LinearAutoencoder>,
      false,
      {{"error", "the mean absolute error of a linear reconstruction"}},
      {{"code", "--code", whole(1, 64), 2, "size of the linear code"}},
      {linear_preset()},
  };
  return kind;
}

const std::vector<ModelKind>& kinds_with_linear() {
  static const std::vector<ModelKind> kinds = [] {
    std::vector<ModelKind> all = builtin_model_kinds();
    all.push_back(linear_kind());
    return all;
  }();
  return kinds;
}

}  // namespace ecgad::test
