// The training loop, shared by every model: shuffle, batch, zero the gradients, loss and gradients, Adam step.
// It knows nothing of any model kind: what a model learns from a batch is the model's business.
#pragma once

#include <functional>
#include <vector>

#include "ecgad/adam.h"
#include "ecgad/model.h"
#include "ecgad/random.h"

namespace ecgad {

struct TrainOptions {
  int epochs = 20;
  int batch_size = 512;
  AdamOptions adam;
  // 0: off. Otherwise each step's gradient is scaled down, when its L2 norm over all parameters exceeds this, to
  // that norm (Keras' global_clipnorm): a guard against the exploding gradients of recurrent models.
  double clip_norm = 0;
};

struct EpochStats {
  int epoch = 0;                   // 1-based
  double loss = 0;                 // mean training loss over the epoch's batches, weighted by batch size (as Keras)
  double val_loss = 0;             // NaN without validation data
  std::vector<double> loss_parts;  // the same for each of Model::loss_parts(), when the loss has parts
  std::vector<double> val_loss_parts;
  double seconds = 0;  // since training started
};

using EpochCallback = std::function<void(const EpochStats&)>;

// Scales `gradients` by max_norm / ||gradients||_2 when that norm exceeds max_norm (the norm summed in double).
void clip_gradient_norm(AlignedVector<float>& gradients, double max_norm);

// Where training stands after each batch, for a progress line: what the caller shows is its business.
struct BatchProgress {
  int epoch = 0;              // 1-based
  int epochs = 0;             // in all
  std::size_t rows_done = 0;  // of this epoch
  std::size_t rows = 0;       // per epoch
  double loss = 0;            // mean loss of this epoch's batches so far, weighted by batch size
  double seconds = 0;         // since training started
};

using BatchCallback = std::function<void(const BatchProgress&)>;

// Trains on the columns (and labels) of `data`, reshuffled every epoch with `rng`; the last batch may be partial.
// `validation` may be null. `on_epoch` is called after each epoch, `on_batch` after each Adam step.
// Throws ecgad::Error on bad options or when the loss stops being finite.
std::vector<EpochStats> train(Model& model, const Batch& data, const Batch* validation, const TrainOptions& options,
                              Rng& rng, const EpochCallback& on_epoch = {}, const BatchCallback& on_batch = {});

}  // namespace ecgad
