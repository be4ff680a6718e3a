#include "ecgad/lstm_model.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "ecgad/error.h"
#include "ecgad/model_kind.h"

namespace ecgad {
namespace {

// The course exercise's supervised LSTM: Keras' LSTM(100) -> Dropout(0.25) -> Dense(1, sigmoid), 20 epochs of
// batch 256 at Adam's 1e-3 on every labelled training row; "normal" when the output rounds to 1, that is anomaly
// when the probability of abnormal is at least 0.5.
KindPreset exercise_preset() {
  KindPreset p;
  p.name = "exercise-lstm";
  p.title = "the Keras exercise's LSTM classifier";
  p.options = {{"hidden", 100}, {"dropout", 0.25}};
  p.train.epochs = 20;
  p.train.batch_size = 256;
  p.train.adam.learning_rate = 1e-3;
  p.threshold = {ThresholdStrategy::Kind::fixed, 0.5};
  p.kind_default = true;
  return p;
}

void labels_of(const Batch& batch, Mat<float>& labels, const char* purpose) {
  if (!batch.labelled()) throw Error(std::string("the lstm model needs labelled beats for its ") + purpose);
  labels.resize(1, static_cast<Eigen::Index>(batch.size()));
  for (std::size_t j = 0; j < batch.size(); ++j)
    labels(0, static_cast<Eigen::Index>(j)) = batch.normal[j] ? 0.0f : 1.0f;
}

}  // namespace

const ModelKind& lstm_kind() {
  static const ModelKind kind = {
      "lstm",
      "an LSTM classifier, trained on labelled beats of both classes",
      build_model<LstmModel>,
      true,
      {{"probability", "the probability that the beat is abnormal (the classifier's sigmoid output)"}},
      {
          {"features", "", whole(1, 65536), 1, "samples per step (the input width is steps x features)"},
          {"hidden", "--hidden", whole(1, 4096), 100, "hidden units of the LSTM layer"},
          {"dropout", "--dropout", named(number_range(0, 1, true, "a number from 0 to below 1"), "RATE"), 0.25,
           "dropout rate on its last hidden state while training"},
      },
      {exercise_preset()},
  };
  return kind;
}

LstmModel::LstmModel(const nlohmann::json& a) : ModelWith(lstm_kind()) {
  const int width = a.at("input_width").get<int>();
  shape.features = a.at("features").get<int>();
  shape.hidden = a.at("hidden").get<int>();
  if (width % shape.features != 0) {
    throw Error("the lstm model's input width " + std::to_string(width) + " is not a whole number of steps of " +
                std::to_string(shape.features) + " features");
  }
  shape.steps = width / shape.features;
  dropout = a.at("dropout").get<double>();
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

BatchLoss LstmModel::loss_and_gradients_with(const Batch& batch, Rng& rng, LstmScratch& ws) {
  labels_of(batch, ws.labels, "training");
  dropout_mask(ws.mask, shape.hidden, batch.beats.cols(), dropout, rng);
  BatchLoss result;
  result.total = lstm_classifier_loss_and_gradients(shape, parameters.data(), gradients.data(), batch.beats, ws.labels,
                                                    ws.mask, ws.cache);
  return result;
}

// Binary cross-entropy from the logits, as in training, without dropout (batch-invariant).
BatchLoss LstmModel::loss_with(const Batch& batch, LstmScratch& ws) const {
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

void LstmModel::score_with(const Mat<float>& beats, LstmScratch& ws, Eigen::VectorXd& scores) const {
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
