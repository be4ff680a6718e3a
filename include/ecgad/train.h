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
  // Forward and backward on one batch (samples as columns); returns the batch's mean loss.
  virtual double loss_and_gradients(const Mat<float>& batch) = 0;
  // Mean loss over data without touching the gradients (validation).
  virtual double loss(const Mat<float>& data) = 0;
};

// A dense autoencoder trained on the mean absolute reconstruction error.
class Autoencoder : public Trainable {
 public:
  explicit Autoencoder(Network<float> net) : network(std::move(net)) {}
  Network<float> network;

  AlignedVector<float>& parameters() override { return network.params; }
  const AlignedVector<float>& gradients() const override { return network.grads; }
  double loss_and_gradients(const Mat<float>& batch) override;
  double loss(const Mat<float>& data) override;
  Eigen::VectorXd score(const Mat<float>& data) { return autoencoder_scores(network, data); }

 private:
  Mat<float> dprediction_;
};

struct TrainOptions {
  int epochs = 20;
  int batch_size = 512;
  AdamOptions adam;
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
