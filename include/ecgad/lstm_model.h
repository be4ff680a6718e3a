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

class LstmModel : public Model {
 public:
  // Architecture keys: "input_width" (samples per beat: steps x features); "features" (per step, default 1);
  // "hidden" (H, default 100); "dropout" (rate on the last hidden state while training, default 0.25).
  // Throws ecgad::Error on anything else or on values out of range.
  explicit LstmModel(const nlohmann::json& architecture);

  LstmShape shape;
  double dropout = 0.25;

  std::string kind() const override { return "lstm"; }
  nlohmann::json architecture() const override;
  int input_width() const override { return shape.features * shape.steps; }
  void init(Rng& rng) override;
  std::unique_ptr<Workspace> new_workspace() const override;
  bool supervised() const override { return true; }
  BatchLoss loss_and_gradients(const Batch& batch, Rng& rng, Workspace& workspace) override;
  BatchLoss loss(const Batch& batch, Workspace& workspace) const override;
  std::string loss_name() const override { return "bce"; }
  void score(const Mat<float>& beats, Workspace& workspace, Eigen::VectorXd& scores) const override;
  std::string score_name() const override { return "probability"; }
  std::string score_description() const override {
    return "probability that the beat is abnormal (the LSTM classifier's sigmoid output)";
  }
  std::string summary() const override;
};

}  // namespace ecgad
