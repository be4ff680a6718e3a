// The course exercise's variational autoencoder as a Model.
//
//   x (W, B) -> encoder: dense W -> 32 -> 16 -> 8, ReLU            h (8, B)
//            -> two linear heads                                   z_mean, z_log_var (L, B)
//            -> sampling: z = z_mean + exp(0.5 z_log_var) * eps    z (L, B), eps ~ N(0, 1) from the Rng
//            -> decoder: dense L -> 16 -> 32 -> W, ReLU, the last    reconstruction (W, B)
//               layer ReLU (the exercise's) or sigmoid
//   loss = reconstruction (Keras' binary_crossentropy, or MAE / MSE) + beta * KL, where, as in Keras, the
//   binary cross-entropy of a sigmoid output is taken from its logits and that of a ReLU output from the
//   clipped output, and
//   KL = -0.5 * mean over batch and latent dims of (1 + z_log_var - z_mean^2 - exp(z_log_var)).
//
// The math is a template (VaeNetwork<T>) so that the test checks the whole loss's gradient in double;
// the model trains the float instantiation over its flat buffer.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ecgad/model.h"
#include "ecgad/network.h"

namespace ecgad {

// The reconstruction term of the loss.
enum class VaeReconstruction { bce, mae, mse };
std::string to_string(VaeReconstruction loss);
VaeReconstruction parse_vae_reconstruction(const std::string& name);  // "bce", "mae", "mse"; throws ecgad::Error

// A beat's anomaly score: the MAE of the decoder's output at z = z_mean (the exercise's), or the negative
// ELBO at eps = 0 (that beat's reconstruction loss + beta * its KL). Both deterministic. With the BCE loss the
// ELBO score leaves out the beat's own entropy (the BCE of a perfect reconstruction), which says how close
// the beat's samples are to 0.5, not how well it was rebuilt: with it, the score ranked beats worse than
// chance on 70-sample beats (docs/vae.md).
enum class VaeScore { mae, elbo };
std::string to_string(VaeScore score);
VaeScore parse_vae_score(const std::string& name);  // "mae" or "elbo"; throws ecgad::Error

// ---- the layers the VAE adds to layers.h, forward and backward side by side ----------------------------------

// Reparameterisation: z = mean + exp(0.5 log_var) * eps. mean, log_var, eps, z: (L, B).
template <typename T>
void sampling_forward(Mat<T>& z, const Mat<T>& mean, const Mat<T>& log_var, const Mat<T>& eps);
// dmean = dz; dlog_var = dz * 0.5 * exp(0.5 log_var) * eps (written, not added).
template <typename T>
void sampling_backward(Mat<T>& dmean, Mat<T>& dlog_var, const Mat<T>& dz, const Mat<T>& log_var, const Mat<T>& eps);

// KL(N(mean, exp(log_var)) || N(0, 1)) as the exercise reduces it: -0.5 * mean over all L * B entries of
// (1 + log_var - mean^2 - exp(log_var)), computed as 0.5 (mean^2 + expm1(log_var) - log_var).
template <typename T>
T kl_forward(const Mat<T>& mean, const Mat<T>& log_var);
// ADDS scale * d KL / d mean = scale * mean / (L B) and
//      scale * d KL / d log_var = scale * 0.5 (exp(log_var) - 1) / (L B).
template <typename T>
void kl_backward(Mat<T>& dmean, Mat<T>& dlog_var, const Mat<T>& mean, const Mat<T>& log_var, T scale);

// Keras' binary_crossentropy averaged over the batch: the mean over all W * B entries of
// -(t log p + (1 - t) log(1 - p)), with p clipped to [1e-7, 1 - 1e-7] (Keras 3 and the PyTorch peer clip
// only; tf.keras 2 also added 1e-7 inside the logs, a difference below 1e-6 in the loss).
template <typename T>
T bce_forward(const Mat<T>& prediction, const Mat<T>& target);
// d loss / d prediction = (p - t) / (p (1 - p)) / (W B) inside the clip range, 0 where the clip holds p.
template <typename T>
void bce_backward(Mat<T>& dprediction, const Mat<T>& prediction, const Mat<T>& target);

// ---- the network ------------------------------------------------------------------------------------------------

// Scratch of one pass.
template <typename T>
struct VaeCache {
  DenseCache<T> encoder, mean, log_var, decoder;
  Mat<T> z;                    // (L, B) the sampled code
  Mat<T> dz, dmean, dlog_var;  // (L, B)
  Mat<T> dh, dh_log_var;       // (H, B) d loss / d encoder output, from each head
  Mat<T> probabilities;        // (W, B) the sigmoid of the decoder stack's output, with a sigmoid output
  Mat<T> dprediction;          // (W, B) d loss / d the decoder stack's output
};

struct VaeLoss {
  double total = 0, reconstruction = 0, kl = 0;
};

// Four dense stacks placed one after the other in one flat buffer: encoder, z_mean head, z_log_var head, decoder.
template <typename T>
struct VaeNetwork {
  DenseStack<T> encoder, mean_head, log_var_head, decoder;  // a sigmoid output: the decoder's last layer is linear
  Activation output = Activation::relu;                      // applied to the decoder's last layer
  VaeReconstruction reconstruction = VaeReconstruction::bce;
  double beta = 1;  // the weight of the KL term (the exercise's: 1)

  VaeNetwork() = default;
  // Throws ecgad::Error on sizes that cannot be built.
  VaeNetwork(int width, const std::vector<int>& encoder_sizes, int latent, const std::vector<int>& decoder_sizes,
             Activation output_activation, VaeReconstruction loss, double kl_weight);

  std::size_t parameter_count() const { return decoder.offset + decoder.parameter_count(); }
  int latent() const { return mean_head.output_width(); }
  void init_glorot_uniform(T* params, Rng& rng) const;
  // The training pass with a given eps (L, B): keeps what backward needs in `cache`.
  VaeLoss forward(const T* params, const Mat<T>& x, const Mat<T>& eps, VaeCache<T>& cache) const;
  // After forward(x, eps): ADDS d loss / d parameters to `grads`.
  void backward(const T* params, T* grads, const Mat<T>& x, const Mat<T>& eps, VaeCache<T>& cache) const;
  // Batch-invariant pass at eps = 0: z_mean and z_log_var in cache.mean / cache.log_var, the decoder's output returned.
  const Mat<T>& infer(const T* params, const Mat<T>& x, VaeCache<T>& cache) const;
  // The decoder on z: its output (after the output activation); the logits stay in logits(cache).
  const Mat<T>& decode(const T* params, const Mat<T>& z, VaeCache<T>& cache) const;
  static const Mat<T>& logits(const VaeCache<T>& cache) { return cache.decoder.outputs.back(); }
};

extern template struct VaeNetwork<float>;
extern template struct VaeNetwork<double>;

// The kind's declaration (src/vae.cc): its options, presets ("exercise-vae", "vae") and score columns.
const ModelKind& vae_kind();

// Per-call scratch of a VAE.
struct VaeScratch {
  VaeCache<float> cache;
  Mat<float> eps;  // (L, B)
  Eigen::VectorXd reconstruction, kl;
};

class Vae : public ModelWith<VaeScratch> {
 public:
  // Architecture keys (declared in vae_kind(); make_model() checks them and fills in the fallbacks):
  // "input_width"; "encoder" (sizes); "latent"; "decoder" (sizes; when left out, the encoder's reversed without
  // its last: [16, 32] for [32, 16, 8]); "output_activation" ("relu", the exercise's, or "sigmoid"); "loss"
  // ("bce", "mae" or "mse"); "beta" (KL weight); "score" ("mae" or "elbo").
  explicit Vae(const nlohmann::json& architecture);

  VaeNetwork<float> network;
  std::vector<int> encoder_sizes, decoder_sizes;
  VaeScore score_kind = VaeScore::mae;

  nlohmann::json architecture() const override;
  int input_width() const override { return network.encoder.input_width(); }
  void init(Rng& rng) override { network.init_glorot_uniform(parameters.data(), rng); }
  std::vector<std::string> loss_parts() const override { return {"reconstruction", "kl"}; }
  std::string loss_name() const override;
  std::string score_name() const override { return score_kind == VaeScore::mae ? "error" : "neg_elbo"; }
  std::string score_description() const override;
  std::string summary() const override;

 protected:
  // eps is drawn from `rng` (Rng::gaussian), one per latent unit and beat, column by column.
  BatchLoss loss_and_gradients_with(const Batch& batch, Rng& rng, VaeScratch& ws) override;
  // The loss at eps = 0 (the decoder at z = z_mean), so that validation is deterministic; batch-invariant.
  BatchLoss loss_with(const Batch& batch, VaeScratch& ws) const override;
  void score_with(const Mat<float>& beats, VaeScratch& ws, Eigen::VectorXd& scores) const override;
  bool reconstruct_with(const Mat<float>& beats, VaeScratch& ws, Mat<float>& output) const override;

 private:
  // Per beat, in double, after infer() filled `cache`: the reconstruction loss and the KL (mean over latent
  // dims). With `excess`, a BCE is taken less its least possible value for that beat, BCE(t, clip(t)), so it is
  // 0 for a perfect reconstruction whatever the beat.
  void per_beat_loss(const Mat<float>& beats, const VaeCache<float>& cache, bool excess,
                     Eigen::VectorXd& reconstruction, Eigen::VectorXd& kl) const;
};

}  // namespace ecgad
