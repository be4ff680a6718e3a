#include "ecgad/train.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "ecgad/error.h"

namespace ecgad {

// Whether no value is NaN or infinite: one pass that vectorizes (no early exit).
static bool all_finite(const AlignedVector<float>& values) {
  bool finite = true;
  for (float v : values) finite &= std::isfinite(v);
  return finite;
}

void clip_gradient_norm(AlignedVector<float>& gradients, double max_norm) {
  double sum_of_squares = 0;
  for (float g : gradients) sum_of_squares += static_cast<double>(g) * g;
  const double norm = std::sqrt(sum_of_squares);
  if (!(norm > max_norm)) return;
  const auto scale = static_cast<float>(max_norm / norm);
  for (float& g : gradients) g *= scale;
}

std::vector<EpochStats> train(Model& model, const Batch& data, const Batch* validation, const TrainOptions& options,
                              Rng& rng, const EpochCallback& on_epoch, const BatchCallback& on_batch) {
  if (options.epochs < 1) throw Error("the number of epochs must be at least 1");
  if (options.batch_size < 1) throw Error("the batch size must be at least 1");
  if (!(options.adam.learning_rate > 0) || !std::isfinite(options.adam.learning_rate)) {
    throw Error("the learning rate must be a positive number");
  }
  if (!(options.clip_norm >= 0) || !std::isfinite(options.clip_norm)) {
    throw Error("the gradient-norm limit must be 0 (off) or a positive number");
  }
  if (data.size() == 0) throw Error("no rows to train on");
  auto start = std::chrono::steady_clock::now();
  Adam adam(model.parameters.size(), options.adam);
  std::unique_ptr<Workspace> workspace = model.new_workspace();
  std::vector<Eigen::Index> order(data.size());
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  const std::size_t parts = model.loss_parts().size();
  std::vector<EpochStats> history;
  Batch batch;
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    rng.shuffle(order);
    EpochStats stats;
    stats.epoch = epoch;
    stats.loss_parts.assign(parts, 0.0);
    double loss_sum = 0;
    for (std::size_t first = 0; first < order.size(); first += static_cast<std::size_t>(options.batch_size)) {
      std::size_t count = std::min(order.size() - first, static_cast<std::size_t>(options.batch_size));
      batch.beats.resize(data.beats.rows(), static_cast<Eigen::Index>(count));
      batch.normal.resize(data.labelled() ? count : 0);
      for (std::size_t j = 0; j < count; ++j) {
        batch.beats.col(static_cast<Eigen::Index>(j)) = data.beats.col(order[first + j]);
        if (data.labelled()) batch.normal[j] = data.normal[static_cast<std::size_t>(order[first + j])];
      }
      std::fill(model.gradients.begin(), model.gradients.end(), 0.0f);
      BatchLoss loss = model.loss_and_gradients(batch, rng, *workspace);
      // At the batch where it happens, before Adam spreads a NaN or an infinity into every parameter (a VAE's
      // exp(log_var) can overflow in one step).
      if (!std::isfinite(loss.total) || !all_finite(model.gradients)) {
        throw Error("training diverged at epoch " + std::to_string(epoch) + ", batch " +
                    std::to_string(first / static_cast<std::size_t>(options.batch_size) + 1) + " (the " +
                    (std::isfinite(loss.total) ? "gradient" : "loss") +
                    " is not finite); try a smaller --lr or --clip-norm");
      }
      loss_sum += loss.total * static_cast<double>(count);
      for (std::size_t p = 0; p < parts && p < loss.parts.size(); ++p) {
        stats.loss_parts[p] += loss.parts[p] * static_cast<double>(count);
      }
      if (options.clip_norm > 0) clip_gradient_norm(model.gradients, options.clip_norm);
      adam.step(model.parameters, model.gradients);
      if (on_batch) {
        std::size_t done = first + count;
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        on_batch({epoch, options.epochs, done, order.size(), loss_sum / static_cast<double>(done), seconds});
      }
    }
    stats.loss = loss_sum / static_cast<double>(order.size());
    for (double& p : stats.loss_parts) p /= static_cast<double>(order.size());
    if (validation) {
      BatchLoss v = model.loss(*validation, *workspace);
      stats.val_loss = v.total;
      stats.val_loss_parts = v.parts;
    } else {
      stats.val_loss = std::numeric_limits<double>::quiet_NaN();
    }
    stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!std::isfinite(stats.loss)) {
      throw Error("training diverged at epoch " + std::to_string(epoch) + " (loss is not finite); try a smaller --lr");
    }
    history.push_back(stats);
    if (on_epoch) on_epoch(history.back());
  }
  return history;
}

}  // namespace ecgad
