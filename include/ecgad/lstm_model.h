// The LSTM classifier as a Model (kind "lstm"): Keras' Sequential([LSTM(H), Dropout(rate), Dense(1, sigmoid)])
// over each beat as a sequence of samples, trained with binary cross-entropy on every labelled row, normal and
// abnormal (a supervised model). The math is in lstm.h. Its sigmoid is trained to say "abnormal", so a beat's
// score is the probability that it is abnormal, and 0.5 is the natural threshold.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ecgad/lstm.h"
#include "ecgad/model.h"

namespace ecgad {

// The kind's declaration (src/lstm_model.cc): its options, its preset ("exercise-lstm"), supervised.
const ModelKind& lstm_kind();

// Per-call scratch of the classifier.
struct LstmScratch {
  LstmClassifierCache<float> cache;
  Mat<float> labels;     // (1, B): 1 abnormal, 0 normal
  Mat<float> mask;       // (H, B) dropout
  Mat<float> h_scratch;  // (H, B) scoring
  Eigen::VectorXd logits;
};

class LstmModel : public ModelWith<LstmScratch> {
 public:
  // Architecture keys (declared in lstm_kind(); make_model() checks them and fills in the fallbacks):
  // "input_width" (samples per beat: steps x features); "features" (per step); "hidden" (H); "dropout" (rate
  // on the last hidden state while training). Throws ecgad::Error when the width is not whole steps.
  explicit LstmModel(const nlohmann::json& architecture);

  LstmShape shape;
  double dropout = 0.25;

  nlohmann::json architecture() const override;
  int input_width() const override { return shape.features * shape.steps; }
  void init(Rng& rng) override;
  std::string loss_name() const override { return "bce"; }
  std::string score_name() const override { return "probability"; }
  std::string score_description() const override {
    return "probability that the beat is abnormal (the LSTM classifier's sigmoid output)";
  }
  std::string summary() const override;

 protected:
  BatchLoss loss_and_gradients_with(const Batch& batch, Rng& rng, LstmScratch& ws) override;
  BatchLoss loss_with(const Batch& batch, LstmScratch& ws) const override;
  void score_with(const Mat<float>& beats, LstmScratch& ws, Eigen::VectorXd& scores) const override;
};

}  // namespace ecgad
