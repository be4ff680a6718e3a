#include "ecgad/vae.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "ecgad/autoencoder.h"
#include "ecgad/error.h"
#include "ecgad/float_math.h"
#include "ecgad/model_kind.h"

namespace ecgad {

std::string to_string(VaeReconstruction loss) {
  switch (loss) {
    case VaeReconstruction::bce: return "bce";
    case VaeReconstruction::mae: return "mae";
    case VaeReconstruction::mse: return "mse";
  }
  return "?";
}

VaeReconstruction parse_vae_reconstruction(const std::string& name) {
  if (name == "bce") return VaeReconstruction::bce;
  if (name == "mae") return VaeReconstruction::mae;
  if (name == "mse") return VaeReconstruction::mse;
  throw Error("unknown VAE reconstruction loss '" + name + "' (expected bce, mae or mse)");
}

std::string to_string(VaeScore score) { return score == VaeScore::elbo ? "elbo" : "mae"; }

VaeScore parse_vae_score(const std::string& name) {
  if (name == "mae") return VaeScore::mae;
  if (name == "elbo") return VaeScore::elbo;
  throw Error("unknown VAE score '" + name + "' (expected mae or elbo)");
}

// ---- sampling, KL and binary cross-entropy: forward and backward side by side ----------------------------------
// Elementwise loops over float_math's functions and sums in a fixed order (include/ecgad/float_math.h): the same
// bits in every build and on every CPU.

template <typename T>
void sampling_forward(Mat<T>& z, const Mat<T>& mean, const Mat<T>& log_var, const Mat<T>& eps) {
  z.resize(mean.rows(), mean.cols());
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    z.data()[i] = mean.data()[i] + float_math::exp(T(0.5) * log_var.data()[i]) * eps.data()[i];
  }
}

template <typename T>
void sampling_backward(Mat<T>& dmean, Mat<T>& dlog_var, const Mat<T>& dz, const Mat<T>& log_var, const Mat<T>& eps) {
  dmean = dz;
  dlog_var.resize(dz.rows(), dz.cols());
  for (Eigen::Index i = 0; i < dz.size(); ++i) {
    dlog_var.data()[i] = dz.data()[i] * T(0.5) * float_math::exp(T(0.5) * log_var.data()[i]) * eps.data()[i];
  }
}

// -0.5 (1 + lv - m^2 - e^lv) = 0.5 (m^2 + (e^lv - 1) - lv): with expm1, a small lv keeps its lv^2 / 2 (1 + lv -
// e^lv in float loses it to the rounding of 1 + lv).
template <typename T>
T kl_forward(const Mat<T>& mean, const Mat<T>& log_var) {
  const T* m = mean.data();
  const T* lv = log_var.data();
  const double sum = float_math::ordered_sum(
      mean.size(), [&](Eigen::Index i) { return T(0.5) * (m[i] * m[i] + (float_math::expm1(lv[i]) - lv[i])); });
  return static_cast<T>(sum / static_cast<double>(mean.size()));
}

template <typename T>
void kl_backward(Mat<T>& dmean, Mat<T>& dlog_var, const Mat<T>& mean, const Mat<T>& log_var, T scale) {
  const T s = scale / static_cast<T>(mean.size());
  for (Eigen::Index i = 0; i < mean.size(); ++i) {
    dmean.data()[i] += s * mean.data()[i];
    dlog_var.data()[i] += s * T(0.5) * float_math::expm1(log_var.data()[i]);
  }
}

template <typename T>
static constexpr T kClipLow = T(1e-7);
template <typename T>
static constexpr T kClipHigh = T(1) - T(1e-7);

template <typename T>
T bce_forward(const Mat<T>& prediction, const Mat<T>& target) {
  const T* pp = prediction.data();
  const T* tp = target.data();
  const double sum = float_math::ordered_sum(prediction.size(), [&](Eigen::Index i) {
    const T p = pp[i] < kClipLow<T> ? kClipLow<T> : (pp[i] > kClipHigh<T> ? kClipHigh<T> : pp[i]);
    return -(tp[i] * float_math::log(p) + (T(1) - tp[i]) * float_math::log(T(1) - p));
  });
  return static_cast<T>(sum / static_cast<double>(prediction.size()));
}

template <typename T>
void bce_backward(Mat<T>& dprediction, const Mat<T>& prediction, const Mat<T>& target) {
  const T scale = T(1) / static_cast<T>(prediction.size());
  dprediction.resize(prediction.rows(), prediction.cols());
  const T* p = prediction.data();
  const T* t = target.data();
  T* d = dprediction.data();
  for (Eigen::Index i = 0, n = prediction.size(); i < n; ++i) {
    bool clipped = p[i] < kClipLow<T> || p[i] > kClipHigh<T>;  // the clip's gradient is 0 there
    d[i] = clipped ? T(0) : scale * (p[i] - t[i]) / (p[i] * (T(1) - p[i]));
  }
}

// ---- the network ------------------------------------------------------------------------------------------------

template <typename T>
VaeNetwork<T>::VaeNetwork(int width, const std::vector<int>& encoder_sizes, int latent,
                          const std::vector<int>& decoder_sizes, Activation output_activation, VaeReconstruction loss,
                          double kl_weight)
    : output(output_activation), reconstruction(loss), beta(kl_weight) {
  if (width < 1) throw Error("the input width must be at least 1");
  if (encoder_sizes.empty()) throw Error("the VAE's encoder needs at least one layer size, e.g. --layers 32,16,8");
  if (latent < 1 || latent > 65536) throw Error("the latent size must be in 1..65536");
  auto chain = [](int from, const std::vector<int>& sizes, int to, Activation last) {
    std::vector<DenseSpec> specs;
    int in = from;
    for (int size : sizes) {
      if (size < 1 || size > 65536) throw Error("layer size " + std::to_string(size) + " is not in 1..65536");
      specs.push_back({in, size, Activation::relu});
      in = size;
    }
    if (to > 0) specs.push_back({in, to, last});
    return specs;
  };
  encoder = DenseStack<T>(chain(width, encoder_sizes, 0, Activation::relu), 0);
  const int hidden = encoder.output_width();
  mean_head = DenseStack<T>({{hidden, latent, Activation::linear}}, encoder.offset + encoder.parameter_count());
  log_var_head = DenseStack<T>({{hidden, latent, Activation::linear}}, mean_head.offset + mean_head.parameter_count());
  // A sigmoid output is applied here, not by the decoder stack, so that its logits are at hand (decode()).
  decoder =
      DenseStack<T>(chain(latent, decoder_sizes, width, output == Activation::sigmoid ? Activation::linear : output),
                    log_var_head.offset + log_var_head.parameter_count());
}

template <typename T>
void VaeNetwork<T>::init_glorot_uniform(T* params, Rng& rng) const {
  for (const DenseStack<T>* stack : {&encoder, &mean_head, &log_var_head, &decoder}) {
    stack->init_glorot_uniform(params, rng);
  }
}

template <typename T>
const Mat<T>& VaeNetwork<T>::decode(const T* params, const Mat<T>& z, VaeCache<T>& cache) const {
  const Mat<T>& last = decoder.forward(params, z, cache.decoder);
  if (output != Activation::sigmoid) return last;
  sigmoid_forward(cache.probabilities, last);
  return cache.probabilities;
}

template <typename T>
VaeLoss VaeNetwork<T>::forward(const T* params, const Mat<T>& x, const Mat<T>& eps, VaeCache<T>& cache) const {
  const Mat<T>& h = encoder.forward(params, x, cache.encoder);
  const Mat<T>& mean = mean_head.forward(params, h, cache.mean);
  const Mat<T>& log_var = log_var_head.forward(params, h, cache.log_var);
  sampling_forward(cache.z, mean, log_var, eps);
  const Mat<T>& prediction = decode(params, cache.z, cache);
  VaeLoss loss;
  switch (reconstruction) {
    case VaeReconstruction::bce:
      loss.reconstruction = static_cast<double>(output == Activation::sigmoid ? bce_logits_forward(logits(cache), x)
                                                                              : bce_forward(prediction, x));
      break;
    case VaeReconstruction::mae: loss.reconstruction = static_cast<double>(mae_forward(prediction, x)); break;
    case VaeReconstruction::mse: loss.reconstruction = static_cast<double>(mse_forward(prediction, x)); break;
  }
  loss.kl = static_cast<double>(kl_forward(mean, log_var));
  loss.total = loss.reconstruction + beta * loss.kl;
  return loss;
}

template <typename T>
void VaeNetwork<T>::backward(const T* params, T* grads, const Mat<T>& x, const Mat<T>& eps, VaeCache<T>& cache) const {
  // cache.dprediction: d loss / d the decoder stack's output (the logits, with a sigmoid output).
  const bool sigmoid = output == Activation::sigmoid;
  const Mat<T>& prediction = sigmoid ? cache.probabilities : cache.decoder.outputs.back();
  if (sigmoid && reconstruction == VaeReconstruction::bce) {
    bce_logits_backward(cache.dprediction, logits(cache), x);
  } else {
    switch (reconstruction) {
      case VaeReconstruction::bce: bce_backward(cache.dprediction, prediction, x); break;
      case VaeReconstruction::mae: mae_backward(cache.dprediction, prediction, x); break;
      case VaeReconstruction::mse: mse_backward(cache.dprediction, prediction, x); break;
    }
    if (sigmoid) sigmoid_backward(cache.dprediction, cache.dprediction, prediction);
  }
  decoder.backward(params, grads, cache.z, cache.dprediction, cache.decoder, &cache.dz);
  const Mat<T>& mean = cache.mean.outputs.back();
  const Mat<T>& log_var = cache.log_var.outputs.back();
  sampling_backward(cache.dmean, cache.dlog_var, cache.dz, log_var, eps);
  kl_backward(cache.dmean, cache.dlog_var, mean, log_var, static_cast<T>(beta));
  const Mat<T>& h = cache.encoder.outputs.back();
  mean_head.backward(params, grads, h, cache.dmean, cache.mean, &cache.dh);
  log_var_head.backward(params, grads, h, cache.dlog_var, cache.log_var, &cache.dh_log_var);
  cache.dh += cache.dh_log_var;  // the trunk feeds both heads
  encoder.backward(params, grads, x, cache.dh, cache.encoder);
}

template <typename T>
const Mat<T>& VaeNetwork<T>::infer(const T* params, const Mat<T>& x, VaeCache<T>& cache) const {
  const Mat<T>& h = encoder.forward(params, x, cache.encoder);
  log_var_head.forward(params, h, cache.log_var);
  return decode(params, mean_head.forward(params, h, cache.mean), cache);
}

template struct VaeNetwork<float>;
template struct VaeNetwork<double>;

#define ECGAD_INSTANTIATE_VAE_LAYERS(T)                                                              \
  template void sampling_forward<T>(Mat<T>&, const Mat<T>&, const Mat<T>&, const Mat<T>&);           \
  template void sampling_backward<T>(Mat<T>&, Mat<T>&, const Mat<T>&, const Mat<T>&, const Mat<T>&); \
  template T kl_forward<T>(const Mat<T>&, const Mat<T>&);                                            \
  template void kl_backward<T>(Mat<T>&, Mat<T>&, const Mat<T>&, const Mat<T>&, T);                   \
  template T bce_forward<T>(const Mat<T>&, const Mat<T>&);                                           \
  template void bce_backward<T>(Mat<T>&, const Mat<T>&, const Mat<T>&);

ECGAD_INSTANTIATE_VAE_LAYERS(float)
ECGAD_INSTANTIATE_VAE_LAYERS(double)

// ---- the model ----------------------------------------------------------------------------------------------------

namespace {

// The course exercise's VAE, exactly: encoder 32-16-8 ReLU, latent 8, decoder 16-32-W with a ReLU output,
// Keras' binary cross-entropy + KL, 80 epochs, batch 128, lr 1e-3, mean + 1 std of the normal training MAEs.
KindPreset exercise_preset() {
  KindPreset p;
  p.name = "exercise-vae";
  p.title = "the Keras exercise's VAE";
  p.options = {{"encoder", {32, 16, 8}}, {"latent", 8}, {"output_activation", "relu"}, {"loss", "bce"}};
  p.train.epochs = 80;
  p.train.batch_size = 128;
  p.train.adam.learning_rate = 1e-3;
  p.threshold = {ThresholdStrategy::Kind::mean_std, 1.0};
  return p;
}

// ecgad's VAE, chosen on the ECG5000 training split only (docs/vae.md). The exercise's VAE collapses: with the
// KL at weight 1 (and its last ReLU layer feeding the heads) z_mean is nearly the same for every beat, so the
// decoder draws the average normal beat. A KL weight of 1e-4, heads on the 16-unit layer, a sigmoid output and
// the negative-ELBO score rank beats better (ROC AUC 0.994 on the validation part, the exercise's 0.947).
KindPreset default_preset() {
  KindPreset p = exercise_preset();
  p.name = "vae";
  p.title = "ecgad's VAE";
  p.options = {{"encoder", {32, 16}}, {"latent", 8},  {"output_activation", "sigmoid"},
               {"loss", "bce"},       {"beta", 1e-4}, {"score", "elbo"}};
  p.train.epochs = 30;
  p.train.batch_size = 32;
  p.train.adam.learning_rate = 3e-3;
  p.threshold = {ThresholdStrategy::Kind::best_accuracy, 0};
  p.fallback_threshold = ThresholdStrategy{ThresholdStrategy::Kind::mean_std, 1.0};
  p.kind_default = true;
  return p;
}

}  // namespace

const ModelKind& vae_kind() {
  static const ModelKind kind = {
      "vae",
      "a variational autoencoder, trained on normal beats",
      build_model<Vae>,
      false,
      {{"error", "the mean absolute error of the scaled beat's reconstruction at z = z_mean (--score mae)"},
       {"neg_elbo", "the negative ELBO at z = z_mean (--score elbo): the reconstruction loss + beta * the KL"}},
      {
          {"encoder",
           "--layers",
           list_of(whole(1, 65536)),
           {32, 16, 8},
           "encoder layer sizes; the z_mean and z_log_var heads read the last"},
          {"latent", "--latent", whole(1, 65536), 8, "size of the code z (z_mean, z_log_var)"},
          {"decoder", "", list_of(whole(1, 65536)), nullptr, "decoder layer sizes before the output layer"},
          {"output_activation", "--output-activation", one_of({"relu", "sigmoid"}), "relu",
           "the decoder's output layer, relu (the exercise's) or sigmoid"},
          {"loss", "--loss", one_of({"bce", "mae", "mse"}), "bce",
           "reconstruction term, bce (the exercise's), mae or mse"},
          {"beta", "--beta", non_negative(), 1.0, "weight of the KL term (the exercise's: 1)"},
          {"score", "--score", one_of({"mae", "elbo"}), "mae",
           "a beat's score, mae (of the reconstruction at z = z_mean) or elbo (negative ELBO there)"},
      },
      {exercise_preset(), default_preset()},
  };
  return kind;
}

Vae::Vae(const nlohmann::json& a) : ModelWith(vae_kind()) {
  encoder_sizes = a.at("encoder").get<std::vector<int>>();
  if (encoder_sizes.empty()) throw Error("the VAE's encoder needs at least one layer size, e.g. --layers 32,16,8");
  std::vector<int> mirrored(encoder_sizes.rbegin() + 1, encoder_sizes.rend());
  decoder_sizes = a.contains("decoder") ? a.at("decoder").get<std::vector<int>>() : mirrored;
  Activation output = parse_activation(a.at("output_activation").get<std::string>());
  double beta = a.at("beta").get<double>();
  score_kind = parse_vae_score(a.at("score").get<std::string>());
  network = VaeNetwork<float>(a.at("input_width").get<int>(), encoder_sizes, a.at("latent").get<int>(), decoder_sizes,
                              output, parse_vae_reconstruction(a.at("loss").get<std::string>()), beta);
  auto add_stack = [&](const std::string& name, const DenseStack<float>& stack, bool numbered) {
    for (std::size_t i = 0; i < stack.layers.size(); ++i) {
      const std::string prefix = numbered ? name + "." + std::to_string(i) : name;
      const DenseSpec& s = stack.layers[i];
      add_tensor(prefix + ".weight", {static_cast<std::size_t>(s.outputs), static_cast<std::size_t>(s.inputs)});
      add_tensor(prefix + ".bias", {static_cast<std::size_t>(s.outputs)});
    }
  };
  add_stack("encoder", network.encoder, true);
  add_stack("z_mean", network.mean_head, false);
  add_stack("z_log_var", network.log_var_head, false);
  add_stack("decoder", network.decoder, true);
  if (parameter_count() != network.parameter_count()) throw Error("internal: the VAE's tensor table is not its layout");
}

nlohmann::json Vae::architecture() const {
  return {{"input_width", input_width()},
          {"encoder", encoder_sizes},
          {"latent", network.latent()},
          {"decoder", decoder_sizes},
          {"output_activation", to_string(network.output)},
          {"loss", to_string(network.reconstruction)},
          {"beta", network.beta},
          {"score", to_string(score_kind)}};
}

std::string Vae::loss_name() const {
  char beta[32];
  std::snprintf(beta, sizeof beta, "%g", network.beta);
  return to_string(network.reconstruction) + (network.beta == 1 ? "+kl" : std::string("+") + beta + "*kl");
}

BatchLoss Vae::loss_and_gradients_with(const Batch& batch, Rng& rng, VaeScratch& ws) {
  ws.eps.resize(network.latent(), batch.beats.cols());
  for (Eigen::Index i = 0; i < ws.eps.size(); ++i) ws.eps.data()[i] = static_cast<float>(rng.gaussian());
  VaeLoss loss = network.forward(parameters.data(), batch.beats, ws.eps, ws.cache);
  network.backward(parameters.data(), gradients.data(), batch.beats, ws.eps, ws.cache);
  return {loss.total, {loss.reconstruction, loss.kl}};
}

void Vae::per_beat_loss(const Mat<float>& beats, const VaeCache<float>& cache, bool excess,
                        Eigen::VectorXd& reconstruction, Eigen::VectorXd& kl) const {
  const Mat<float>& mean = cache.mean.outputs.back();
  const Mat<float>& log_var = cache.log_var.outputs.back();
  // With a sigmoid output the decoder stack gives logits, and the BCE is taken from them, as in training.
  const bool from_logits = network.output == Activation::sigmoid && network.reconstruction == VaeReconstruction::bce;
  const Mat<float>& output =
      network.output == Activation::sigmoid && !from_logits ? cache.probabilities : cache.decoder.outputs.back();
  auto clip = [](double p) { return std::min(std::max(p, 1e-7), 1 - 1e-7); };
  auto bce = [&](double t, double p) {
    p = clip(p);
    return -(t * std::log(p) + (1 - t) * std::log1p(-p));
  };
  auto bce_logits = [](double t, double a) { return std::max(a, 0.0) + std::log1p(std::exp(-std::abs(a))) - t * a; };
  const Eigen::Index width = beats.rows(), latent = mean.rows(), count = beats.cols();
  reconstruction.resize(count);
  kl.resize(count);
  for (Eigen::Index j = 0; j < count; ++j) {
    double sum = 0;
    for (Eigen::Index i = 0; i < width; ++i) {
      const double t = beats(i, j), y = output(i, j);
      switch (network.reconstruction) {
        case VaeReconstruction::bce: {
          // The excess is what the decoder could still remove: BCE(t, p) is smallest at p = t (within the
          // clip), where it is t's own entropy, which a flat beat of 0.5s has more of than a spiky one.
          const double p_best = clip(t);
          if (from_logits) {
            sum += bce_logits(t, y) - (excess ? bce_logits(t, std::log(p_best / (1 - p_best))) : 0.0);
          } else {
            sum += bce(t, y) - (excess ? bce(t, p_best) : 0.0);
          }
          break;
        }
        case VaeReconstruction::mae: sum += std::abs(y - t); break;
        case VaeReconstruction::mse: sum += (y - t) * (y - t); break;
      }
    }
    reconstruction(j) = sum / static_cast<double>(width);
    double k = 0;
    for (Eigen::Index i = 0; i < latent; ++i) {
      const double m = mean(i, j), v = log_var(i, j);
      k += m * m + (std::expm1(v) - v);
    }
    kl(j) = 0.5 * k / static_cast<double>(latent);
  }
}

BatchLoss Vae::loss_with(const Batch& batch, VaeScratch& ws) const {
  BatchLoss result;
  result.parts = {0.0, 0.0};
  if (batch.size() == 0) return result;
  network.infer(parameters.data(), batch.beats, ws.cache);
  per_beat_loss(batch.beats, ws.cache, false, ws.reconstruction, ws.kl);
  result.parts = {float_math::ordered_mean(ws.reconstruction), float_math::ordered_mean(ws.kl)};
  result.total = result.parts[0] + network.beta * result.parts[1];
  return result;
}

void Vae::score_with(const Mat<float>& beats, VaeScratch& ws, Eigen::VectorXd& scores) const {
  const Mat<float>& output = network.infer(parameters.data(), beats, ws.cache);
  if (score_kind == VaeScore::mae) {
    scores = mae_per_column(output, beats);
    return;
  }
  per_beat_loss(beats, ws.cache, true, ws.reconstruction, ws.kl);
  scores = ws.reconstruction + network.beta * ws.kl;
}

std::string Vae::score_description() const {
  if (score_kind == VaeScore::mae) {
    return "mean absolute error of the scaled beat's reconstruction at z = z_mean";
  }
  if (network.reconstruction == VaeReconstruction::bce) {
    return "negative ELBO at z = z_mean less the beat's own entropy: its binary cross-entropy above the least "
           "possible for that beat + beta * its KL divergence";
  }
  return "negative ELBO at z = z_mean: the beat's " + to_string(network.reconstruction) +
         " reconstruction loss + beta * its KL divergence";
}

bool Vae::reconstruct_with(const Mat<float>& beats, VaeScratch& ws, Mat<float>& output) const {
  output = network.infer(parameters.data(), beats, ws.cache);
  return true;
}

std::string Vae::summary() const {
  char beta[32];
  std::snprintf(beta, sizeof beta, "%g", network.beta);
  return "vae: encoder " + dense_summary(network.encoder.layers) + "; z_mean, z_log_var " +
         std::to_string(network.latent()) + " (linear); decoder " + dense_summary(network.decoder.layers) + "; loss " +
         to_string(network.reconstruction) + " + " + beta + " * KL";
}

}  // namespace ecgad
