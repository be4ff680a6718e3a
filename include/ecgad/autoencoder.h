// The tutorial's dense autoencoder as a Model: a stack of dense layers that rebuilds its input, trained on
// the reconstruction's mean absolute (or squared) error; a beat's score is the mean absolute error of its
// reconstruction.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ecgad/model.h"
#include "ecgad/network.h"

namespace ecgad {

// Training loss of a reconstruction: mean absolute error (the tutorial's) or mean squared error.
enum class Loss { mae, mse };
std::string to_string(Loss loss);
Loss parse_loss(const std::string& name);  // "mae" or "mse"; throws ecgad::Error otherwise

class Autoencoder : public Model {
 public:
  // Architecture keys: "input_width"; "layers" (a list of {"inputs", "outputs", "activation"}) or
  // "encoder" (sizes, mirrored into the decoder; default [32, 16, 8]); "loss" ("mae" or "mse", default mae);
  // "input_noise" (denoising: Gaussian noise of this std added to each training input; default 0).
  explicit Autoencoder(const nlohmann::json& architecture);

  DenseStack<float> network;
  Loss loss_kind = Loss::mae;
  double input_noise = 0;

  std::string kind() const override { return "autoencoder"; }
  nlohmann::json architecture() const override;
  int input_width() const override { return network.input_width(); }
  void init(Rng& rng) override { network.init_glorot_uniform(parameters.data(), rng); }
  std::unique_ptr<Workspace> new_workspace() const override;
  BatchLoss loss_and_gradients(const Batch& batch, Rng& rng, Workspace& workspace) override;
  BatchLoss loss(const Batch& batch, Workspace& workspace) const override;
  std::string loss_name() const override { return to_string(loss_kind); }
  void score(const Mat<float>& beats, Workspace& workspace, Eigen::VectorXd& scores) const override;
  std::string score_name() const override { return "error"; }
  std::string score_description() const override { return "mean absolute reconstruction error of the scaled beat"; }
  bool reconstruct(const Mat<float>& beats, Workspace& workspace, Mat<float>& output) const override;
  std::string summary() const override;
};

// The layers of an architecture's "layers" list; throws ecgad::Error on a malformed entry.
std::vector<DenseSpec> dense_specs_from_json(const nlohmann::json& layers);
nlohmann::json dense_specs_to_json(const std::vector<DenseSpec>& layers);
// "140 → 32 (relu) → 16 (relu)": the widths of a stack for people.
std::string dense_summary(const std::vector<DenseSpec>& layers);

}  // namespace ecgad
