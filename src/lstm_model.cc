#include "ecgad/lstm_model.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "ecgad/error.h"

namespace ecgad {
namespace {

struct LstmWorkspace : Workspace {
  LstmClassifierCache<float> cache;
  Mat<float> labels;     // (1, B): 1 abnormal, 0 normal
  Mat<float> mask;       // (H, B) dropout
  Mat<float> h_scratch;  // (H, B) scoring
  Eigen::VectorXd logits;
};

int whole_number(const nlohmann::json& a, const char* key, int fallback, int lo, int hi) {
  if (!a.contains(key)) return fallback;
  const nlohmann::json& v = a.at(key);
  if (!v.is_number_integer() || v.get<long long>() < lo || v.get<long long>() > hi) {
    throw Error(std::string("the lstm model's '") + key + "' must be a whole number in " + std::to_string(lo) + ".." +
                std::to_string(hi));
  }
  return v.get<int>();
}

void labels_of(const Batch& batch, Mat<float>& labels, const char* purpose) {
  if (!batch.labelled()) throw Error(std::string("the lstm model needs labelled beats for its ") + purpose);
  labels.resize(1, static_cast<Eigen::Index>(batch.size()));
  for (std::size_t j = 0; j < batch.size(); ++j)
    labels(0, static_cast<Eigen::Index>(j)) = batch.normal[j] ? 0.0f : 1.0f;
}

}  // namespace

LstmModel::LstmModel(const nlohmann::json& a) {
  for (auto it = a.begin(); it != a.end(); ++it) {
    const std::string& key = it.key();
    if (key != "input_width" && key != "features" && key != "hidden" && key != "dropout") {
      throw Error("the lstm model has no option '" + key + "' (it takes hidden, dropout, features)");
    }
  }
  const int width = whole_number(a, "input_width", 0, 1, 1 << 20);
  if (width == 0) throw Error("the lstm architecture has no input_width");
  shape.features = whole_number(a, "features", 1, 1, width);
  shape.hidden = whole_number(a, "hidden", 100, 1, 4096);
  if (width % shape.features != 0) {
    throw Error("the lstm model's input width " + std::to_string(width) + " is not a whole number of steps of " +
                std::to_string(shape.features) + " features");
  }
  shape.steps = width / shape.features;
  if (a.contains("dropout")) {
    const nlohmann::json& d = a.at("dropout");
    if (!d.is_number() || !(d.get<double>() >= 0 && d.get<double>() < 1)) {
      throw Error("the lstm model's dropout must be a number in [0, 1)");
    }
    dropout = d.get<double>();
  }
  // The order of lstm.h's flat buffer; shapes as stored, column-major: (4H, F) is Keras' kernel transposed.
  const auto F = static_cast<std::size_t>(shape.features), H = static_cast<std::size_t>(shape.hidden);
  add_tensor("lstm.input_weight", {4 * H, F});
  add_tensor("lstm.recurrent_weight", {4 * H, H});
  add_tensor("lstm.bias", {4 * H});
  add_tensor("dense.weight", {1, H});
  add_tensor("dense.bias", {1});
}

nlohmann::json LstmModel::architecture() const {
  return {{"input_width", input_width()}, {"features", shape.features}, {"hidden", shape.hidden}, {"dropout", dropout}};
}

void LstmModel::init(Rng& rng) {
  LstmParams<float> P = lstm_params(shape, parameters.data());
  lstm_init_keras(P, shape, rng);
}

std::unique_ptr<Workspace> LstmModel::new_workspace() const { return std::make_unique<LstmWorkspace>(); }

BatchLoss LstmModel::loss_and_gradients(const Batch& batch, Rng& rng, Workspace& workspace) {
  auto& ws = static_cast<LstmWorkspace&>(workspace);
  labels_of(batch, ws.labels, "training");
  dropout_mask(ws.mask, shape.hidden, batch.beats.cols(), dropout, rng);
  BatchLoss result;
  result.total = lstm_classifier_loss_and_gradients(shape, parameters.data(), gradients.data(), batch.beats, ws.labels,
                                                    ws.mask, ws.cache);
  return result;
}

// Binary cross-entropy from the logits, as in training, without dropout (batch-invariant).
BatchLoss LstmModel::loss(const Batch& batch, Workspace& workspace) const {
  auto& ws = static_cast<LstmWorkspace&>(workspace);
  BatchLoss result;
  if (batch.size() == 0) return result;
  labels_of(batch, ws.labels, "validation loss");
  // In chunks, as score_beats() scores, so that a large validation file does not hold every beat's state at once.
  constexpr Eigen::Index kChunk = 4096;
  double sum = 0;
  for (Eigen::Index start = 0; start < batch.beats.cols(); start += kChunk) {
    const Eigen::Index count = std::min(kChunk, batch.beats.cols() - start);
    lstm_classifier_logits(shape, parameters.data(), Mat<float>(batch.beats.middleCols(start, count)), ws.logits,
                           ws.h_scratch);
    sum += bce_logits_forward(Eigen::MatrixXd(ws.logits.transpose()),
                              Eigen::MatrixXd(ws.labels.middleCols(start, count).cast<double>())) *
           static_cast<double>(count);
  }
  result.total = sum / static_cast<double>(batch.size());
  return result;
}

void LstmModel::score(const Mat<float>& beats, Workspace& workspace, Eigen::VectorXd& scores) const {
  auto& ws = static_cast<LstmWorkspace&>(workspace);
  lstm_classifier_probabilities(shape, parameters.data(), beats, scores, ws.h_scratch);
}

std::string LstmModel::summary() const {
  std::string text = "LSTM(" + std::to_string(shape.hidden) + ") over " + std::to_string(shape.steps) + " steps";
  if (shape.features > 1) text += " of " + std::to_string(shape.features) + " samples";
  char rate[32];
  std::snprintf(rate, sizeof rate, "%g", dropout);
  return text + " \u2192 dropout " + rate + " \u2192 1 (sigmoid)";
}

}  // namespace ecgad
