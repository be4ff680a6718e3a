#include "ecgad/train.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "ecgad/error.h"

namespace ecgad {

std::string to_string(Loss loss) { return loss == Loss::mse ? "mse" : "mae"; }

Loss parse_loss(const std::string& name) {
  if (name == "mae") return Loss::mae;
  if (name == "mse") return Loss::mse;
  throw Error("unknown loss '" + name + "' (expected mae or mse)");
}

double Autoencoder::loss_and_gradients(const Mat<float>& input, const Mat<float>& target) {
  const Mat<float>& reconstruction = network.forward(input);
  double batch_loss = 0;
  if (loss_kind == Loss::mse) {
    batch_loss = mse_forward(reconstruction, target);
    mse_backward(dprediction_, reconstruction, target);
  } else {
    batch_loss = mae_forward(reconstruction, target);
    mae_backward(dprediction_, reconstruction, target);
  }
  network.backward(input, dprediction_);
  return batch_loss;
}

double Autoencoder::loss(const Mat<float>& data) { return score(data).mean(); }

Eigen::VectorXd autoencoder_scores(Network<float>& network, const Mat<float>& data) {
  // In chunks, so that scoring a large file does not hold every layer's output for every row at once.
  constexpr Eigen::Index kChunk = 4096;
  if (data.cols() <= kChunk) return mae_per_column(network.infer(data), data);
  Eigen::VectorXd scores(data.cols());
  Mat<float> chunk;
  for (Eigen::Index start = 0; start < data.cols(); start += kChunk) {
    Eigen::Index count = std::min(kChunk, data.cols() - start);
    chunk = data.middleCols(start, count);
    scores.segment(start, count) = mae_per_column(network.infer(chunk), chunk);
  }
  return scores;
}

std::vector<EpochStats> train(Trainable& model, const Mat<float>& data, const Mat<float>* validation,
                              const TrainOptions& options, Rng& rng, const EpochCallback& on_epoch) {
  if (options.epochs < 1) throw Error("--epochs must be at least 1");
  if (options.batch_size < 1) throw Error("--batch-size must be at least 1");
  if (!(options.adam.learning_rate > 0) || !std::isfinite(options.adam.learning_rate)) {
    throw Error("--lr must be a positive number");
  }
  if (!(options.input_noise >= 0) || !std::isfinite(options.input_noise)) {
    throw Error("--noise must be a non-negative number");
  }
  if (data.cols() == 0) throw Error("no rows to train on");
  auto start = std::chrono::steady_clock::now();
  Adam adam(model.parameters().size(), options.adam);
  std::vector<Eigen::Index> order(static_cast<std::size_t>(data.cols()));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::vector<EpochStats> history;
  Mat<float> batch, noisy;
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    rng.shuffle(order);
    double loss_sum = 0;
    for (std::size_t first = 0; first < order.size(); first += static_cast<std::size_t>(options.batch_size)) {
      std::size_t count = std::min(order.size() - first, static_cast<std::size_t>(options.batch_size));
      batch.resize(data.rows(), static_cast<Eigen::Index>(count));
      for (std::size_t j = 0; j < count; ++j) batch.col(static_cast<Eigen::Index>(j)) = data.col(order[first + j]);
      if (options.input_noise > 0) {
        noisy.resize(batch.rows(), batch.cols());
        for (Eigen::Index i = 0; i < batch.size(); ++i) {
          noisy.data()[i] = batch.data()[i] + static_cast<float>(options.input_noise * rng.gaussian());
        }
      }
      const Mat<float>& input = options.input_noise > 0 ? noisy : batch;
      loss_sum += model.loss_and_gradients(input, batch) * static_cast<double>(count);
      adam.step(model.parameters(), model.gradients());
    }
    EpochStats stats;
    stats.epoch = epoch;
    stats.loss = loss_sum / static_cast<double>(order.size());
    stats.val_loss = validation ? model.loss(*validation) : std::numeric_limits<double>::quiet_NaN();
    stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!std::isfinite(stats.loss)) {
      throw Error("training diverged at epoch " + std::to_string(epoch) + " (loss is not finite); try a smaller --lr");
    }
    history.push_back(stats);
    if (on_epoch) on_epoch(stats);
  }
  return history;
}

}  // namespace ecgad
