// The training loop, shared by every model: shuffle, batch, loss and gradients, Adam step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "ecgad/adam.h"
#include "ecgad/layers.h"
#include "ecgad/network.h"
#include "ecgad/random.h"

namespace ecgad {

// Per-beat anomaly score of an autoencoder network: the mean absolute reconstruction error of each column.
Eigen::VectorXd autoencoder_scores(Network<float>& network, const Mat<float>& data);

// What the loop needs of a model. A new model (a VAE, an LSTM classifier) implements this and reuses the
// loop, Adam and the flat-buffer model file unchanged.
class Trainable {
 public:
  virtual ~Trainable() = default;
  virtual AlignedVector<float>& parameters() = 0;
  virtual const AlignedVector<float>& gradients() const = 0;
  // Forward and backward on one batch (samples as columns): the model sees `input` and is measured
  // against `target` (the same matrix, or the clean beats of a noisy input). Returns the batch's mean loss.
  virtual double loss_and_gradients(const Mat<float>& input, const Mat<float>& target) = 0;
  // Mean loss over data without touching the gradients (validation).
  virtual double loss(const Mat<float>& data) = 0;
};

// Training loss of a reconstruction: mean absolute error (the tutorial's) or mean squared error.
enum class Loss { mae, mse };
std::string to_string(Loss loss);
Loss parse_loss(const std::string& name);  // "mae" or "mse"; throws ecgad::Error otherwise

// A dense autoencoder trained on its reconstruction error.
class Autoencoder : public Trainable {
 public:
  explicit Autoencoder(Network<float> net, Loss loss = Loss::mae) : network(std::move(net)), loss_kind(loss) {}
  Network<float> network;
  Loss loss_kind;

  AlignedVector<float>& parameters() override { return network.params; }
  const AlignedVector<float>& gradients() const override { return network.grads; }
  double loss_and_gradients(const Mat<float>& input, const Mat<float>& target) override;
  double loss(const Mat<float>& data) override;
  Eigen::VectorXd score(const Mat<float>& data) { return autoencoder_scores(network, data); }

 private:
  Mat<float> dprediction_;
};

struct TrainOptions {
  int epochs = 20;
  int batch_size = 512;
  AdamOptions adam;
  // Denoising: each batch's input gets Gaussian noise of this standard deviation (in scaled units), drawn
  // from the training Rng; the target stays the clean beat. 0 trains a plain autoencoder.
  double input_noise = 0;
};

struct EpochStats {
  int epoch = 0;          // 1-based
  double loss = 0;        // mean training loss over the epoch's batches, weighted by batch size (as Keras)
  double val_loss = 0;    // NaN without validation data
  double seconds = 0;     // since training started
};

using EpochCallback = std::function<void(const EpochStats&)>;

// Trains on the columns of `data`, reshuffled every epoch with `rng`; the last batch may be partial.
// `validation` may be null. Throws ecgad::Error on bad options or when the loss stops being finite.
std::vector<EpochStats> train(Trainable& model, const Mat<float>& data, const Mat<float>* validation,
                              const TrainOptions& options, Rng& rng, const EpochCallback& on_epoch = {});

}  // namespace ecgad
