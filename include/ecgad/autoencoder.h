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

// The kind's declaration (src/autoencoder.cc): its options, presets ("tutorial", "default") and score column.
const ModelKind& autoencoder_kind();

// Per-call scratch of an autoencoder.
struct AutoencoderScratch {
  DenseCache<float> cache;
  Mat<float> noisy;        // (W, B) the batch with denoising noise added
  Mat<float> dprediction;  // (W, B) d loss / d reconstruction
};

class Autoencoder : public ModelWith<AutoencoderScratch> {
 public:
  // Architecture keys (declared in autoencoder_kind(); make_model() checks them and fills in the fallbacks):
  // "input_width"; "layers" (a list of {"inputs", "outputs", "activation"}) or "encoder" (sizes, mirrored into
  // the decoder); "loss" ("mae" or "mse"); "input_noise" (denoising: Gaussian noise of this std added to each
  // training input).
  explicit Autoencoder(const nlohmann::json& architecture);

  DenseStack<float> network;
  Loss loss_kind = Loss::mae;
  double input_noise = 0;

  nlohmann::json architecture() const override;
  int input_width() const override { return network.input_width(); }
  void init(Rng& rng) override { network.init_glorot_uniform(parameters.data(), rng); }
  std::string loss_name() const override { return to_string(loss_kind); }
  std::string score_name() const override { return "error"; }
  std::string score_description() const override { return "mean absolute reconstruction error of the scaled beat"; }
  std::string summary() const override;

 protected:
  BatchLoss loss_and_gradients_with(const Batch& batch, Rng& rng, AutoencoderScratch& ws) override;
  BatchLoss loss_with(const Batch& batch, AutoencoderScratch& ws) const override;
  void score_with(const Mat<float>& beats, AutoencoderScratch& ws, Eigen::VectorXd& scores) const override;
  bool reconstruct_with(const Mat<float>& beats, AutoencoderScratch& ws, Mat<float>& output) const override;
};

// The layers of an architecture's "layers" list; throws ecgad::Error on a malformed entry.
std::vector<DenseSpec> dense_specs_from_json(const nlohmann::json& layers);
nlohmann::json dense_specs_to_json(const std::vector<DenseSpec>& layers);
// "140 → 32 (relu) → 16 (relu)": the widths of a stack for people.
std::string dense_summary(const std::vector<DenseSpec>& layers);

}  // namespace ecgad
