#include "ecgad/train.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>

#include "ecgad/error.h"

namespace ecgad {
namespace {

// Toy data: noisy-free mixtures of two fixed shapes in [0, 1]; an autoencoder with a 2-unit bottleneck
// can reconstruct them almost perfectly.
Mat<float> two_shape_data(int width, int rows, std::uint64_t seed) {
  Rng rng(seed);
  Mat<float> x(width, rows);
  for (int j = 0; j < rows; ++j) {
    double a = rng.uniform01(), b = rng.uniform01();
    for (int i = 0; i < width; ++i) {
      double t = double(i) / width;
      x(i, j) = static_cast<float>(0.5 + 0.25 * a * std::sin(6.28 * t) + 0.2 * b * std::cos(3.14 * t));
    }
  }
  return x;
}

TEST(Train, TinyNetLearnsAToyProblem) {
  Mat<float> data = two_shape_data(16, 256, 1);
  Network<float> net(autoencoder_layers(16, {12, 6}));
  // Some seeds kill the ReLU bottleneck at the start (a property of ReLU nets, not a bug); this one does not.
  Rng rng(6);
  net.init_glorot_uniform(rng);
  Autoencoder model(std::move(net));
  double before = model.loss(data);
  TrainOptions options;
  options.epochs = 200;
  options.batch_size = 32;
  options.adam.learning_rate = 3e-3;
  std::vector<EpochStats> history = train(model, data, &data, options, rng);
  ASSERT_EQ(history.size(), 200u);
  EXPECT_GT(before, 0.05);
  EXPECT_LT(history.back().loss, 0.02) << "before training: " << before;
  EXPECT_LT(history.back().val_loss, before / 4);
  // A beat unlike the training shapes scores worse than the training beats.
  Mat<float> odd = Mat<float>::Constant(16, 1, 0.05f);
  EXPECT_GT(model.score(odd)(0), 3 * model.score(data).mean());
}

// The MSE and denoising variants learn the same toy problem, and the noise is drawn from the seed.
TEST(Train, MseLossAndDenoisingAlsoLearnReproducibly) {
  Mat<float> data = two_shape_data(16, 256, 1);
  auto run = [&](Loss loss, double noise, std::uint64_t seed) {
    Network<float> net(autoencoder_layers(16, {12, 6}));
    Rng rng(seed);
    net.init_glorot_uniform(rng);
    Autoencoder model(std::move(net), loss);
    double before = model.loss(data);
    TrainOptions options;
    options.epochs = 200;
    options.batch_size = 32;
    options.adam.learning_rate = 3e-3;
    options.input_noise = noise;
    train(model, data, nullptr, options, rng);
    EXPECT_LT(model.loss(data), before / 4) << to_string(loss) << " noise " << noise;  // the MAE score
    return model.network.params;
  };
  auto mse = run(Loss::mse, 0, 6);
  auto noisy = run(Loss::mae, 0.02, 6);
  EXPECT_EQ(noisy, run(Loss::mae, 0.02, 6));
  EXPECT_NE(noisy, run(Loss::mae, 0, 6));  // the noise reached the inputs
  EXPECT_NE(mse, run(Loss::mae, 0, 6));
  EXPECT_EQ(parse_loss("mse"), Loss::mse);
  EXPECT_EQ(to_string(parse_loss("mae")), "mae");
  EXPECT_THROW(parse_loss("huber"), Error);
}

TEST(Train, SameSeedGivesIdenticalParametersAndHistory) {
  Mat<float> data = two_shape_data(12, 100, 2);
  auto run = [&](std::uint64_t seed) {
    Network<float> net(autoencoder_layers(12, {6, 3}));
    Rng rng(seed);
    net.init_glorot_uniform(rng);
    Autoencoder model(std::move(net));
    TrainOptions options;
    options.epochs = 5;
    options.batch_size = 30;  // last batch partial: 100 = 3 * 30 + 10
    std::vector<EpochStats> history = train(model, data, nullptr, options, rng);
    EXPECT_TRUE(std::isnan(history.back().val_loss));
    return std::make_pair(model.network.params, history.back().loss);
  };
  auto a = run(9), b = run(9), c = run(10);
  EXPECT_EQ(a.first, b.first);
  EXPECT_EQ(a.second, b.second);
  EXPECT_NE(a.first, c.first);
}

TEST(Train, EpochLossIsTheBatchSizeWeightedMean) {
  // With lr tiny the parameters barely move, so the epoch loss equals the loss of the data set.
  Mat<float> data = two_shape_data(8, 50, 3);
  Network<float> net(autoencoder_layers(8, {4}));
  Rng rng(1);
  net.init_glorot_uniform(rng);
  Autoencoder model(std::move(net));
  double full = model.loss(data);
  TrainOptions options;
  options.epochs = 1;
  options.batch_size = 16;  // 16 + 16 + 16 + 2
  options.adam.learning_rate = 1e-12;
  std::vector<EpochStats> history = train(model, data, nullptr, options, rng);
  EXPECT_NEAR(history[0].loss, full, 1e-6);
}

TEST(Train, RefusesBadOptions) {
  Mat<float> data = two_shape_data(8, 10, 4);
  Network<float> net(autoencoder_layers(8, {4}));
  Autoencoder model(std::move(net));
  Rng rng(1);
  TrainOptions options;
  options.epochs = 0;
  EXPECT_THROW(train(model, data, nullptr, options, rng), Error);
  options.epochs = 1;
  options.batch_size = 0;
  EXPECT_THROW(train(model, data, nullptr, options, rng), Error);
  options.batch_size = 4;
  options.adam.learning_rate = -1;
  EXPECT_THROW(train(model, data, nullptr, options, rng), Error);
  options.adam.learning_rate = 1e-3;
  EXPECT_THROW(train(model, Mat<float>(8, 0), nullptr, options, rng), Error);
  for (double noise : {-0.1, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    options.input_noise = noise;
    EXPECT_THROW(train(model, data, nullptr, options, rng), Error) << noise;
  }
}

}  // namespace
}  // namespace ecgad

namespace ecgad {
namespace {

// The same seed must give the same parameters whatever the heap looks like: buffers at other addresses
// (other alignments) must not change how Eigen rounds.
TEST(Train, SameSeedSameParametersWhereverTheBuffersLand) {
  Mat<float> data = two_shape_data(140, 300, 8);
  std::vector<std::vector<float>> runs;
  std::vector<std::unique_ptr<Autoencoder>> kept;  // kept alive, so that each run's buffers land elsewhere
  std::vector<std::unique_ptr<char[]>> clutter;
  for (int attempt = 0; attempt < 8; ++attempt) {
    clutter.emplace_back(new char[static_cast<std::size_t>(8 + 16 * attempt)]);  // shifts later allocations
    Network<float> net(autoencoder_layers(140, {32, 16, 8}));
    Rng rng(5);
    net.init_glorot_uniform(rng);
    kept.push_back(std::make_unique<Autoencoder>(std::move(net)));
    TrainOptions options;
    options.epochs = 3;
    options.batch_size = 32;
    train(*kept.back(), data, nullptr, options, rng);
    runs.emplace_back(kept.back()->network.params.begin(), kept.back()->network.params.end());
  }
  for (std::size_t i = 1; i < runs.size(); ++i) EXPECT_EQ(runs[i], runs[0]) << "attempt " << i;
}

}  // namespace
}  // namespace ecgad
