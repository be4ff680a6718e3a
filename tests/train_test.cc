#include "ecgad/train.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "ecgad/autoencoder.h"
#include "ecgad/error.h"
#include "ecgad/model.h"

namespace ecgad {
namespace {

std::unique_ptr<Model> autoencoder(int width, std::vector<int> encoder, const std::string& loss = "mae",
                                   double noise = 0) {
  return make_model("autoencoder",
                    {{"input_width", width}, {"encoder", encoder}, {"loss", loss}, {"input_noise", noise}});
}

// Mean over the beats of their scores (the MAE of each reconstruction).
double mean_score(const Model& model, const Mat<float>& data) {
  std::unique_ptr<Workspace> workspace = model.new_workspace();
  return score_beats(model, data, *workspace).mean();
}
double loss_of(const Model& model, const Batch& data) {
  std::unique_ptr<Workspace> workspace = model.new_workspace();
  return model.loss(data, *workspace).total;
}

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
  Batch data{two_shape_data(16, 256, 1), {}};
  std::unique_ptr<Model> net = autoencoder(16, {12, 6});
  Model& model = *net;
  // Some seeds kill the ReLU bottleneck at the start (a property of ReLU nets, not a bug); this one does not.
  Rng rng(6);
  model.init(rng);
  double before = loss_of(model, data);
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
  EXPECT_GT(mean_score(model, odd), 3 * mean_score(model, data.beats));
}

// The MSE and denoising variants learn the same toy problem, and the noise is drawn from the seed.
TEST(Train, MseLossAndDenoisingAlsoLearnReproducibly) {
  Batch data{two_shape_data(16, 256, 1), {}};
  auto run = [&](const std::string& loss, double noise, std::uint64_t seed) {
    std::unique_ptr<Model> model = autoencoder(16, {12, 6}, loss, noise);
    Rng rng(seed);
    model->init(rng);
    double before = mean_score(*model, data.beats);
    TrainOptions options;
    options.epochs = 200;
    options.batch_size = 32;
    options.adam.learning_rate = 3e-3;
    train(*model, data, nullptr, options, rng);
    EXPECT_LT(mean_score(*model, data.beats), before / 4) << loss << " noise " << noise;  // the MAE score
    return model->parameters;
  };
  auto mse = run("mse", 0, 6);
  auto noisy = run("mae", 0.02, 6);
  EXPECT_EQ(noisy, run("mae", 0.02, 6));
  EXPECT_NE(noisy, run("mae", 0, 6));  // the noise reached the inputs
  EXPECT_NE(mse, run("mae", 0, 6));
  EXPECT_EQ(parse_loss("mse"), Loss::mse);
  EXPECT_EQ(to_string(parse_loss("mae")), "mae");
  EXPECT_THROW(parse_loss("huber"), Error);
}

TEST(Train, SameSeedGivesIdenticalParametersAndHistory) {
  Batch data{two_shape_data(12, 100, 2), {}};
  auto run = [&](std::uint64_t seed) {
    std::unique_ptr<Model> model = autoencoder(12, {6, 3});
    Rng rng(seed);
    model->init(rng);
    TrainOptions options;
    options.epochs = 5;
    options.batch_size = 30;  // last batch partial: 100 = 3 * 30 + 10
    std::vector<EpochStats> history = train(*model, data, nullptr, options, rng);
    EXPECT_TRUE(std::isnan(history.back().val_loss));
    return std::make_pair(model->parameters, history.back().loss);
  };
  auto a = run(9), b = run(9), c = run(10);
  EXPECT_EQ(a.first, b.first);
  EXPECT_EQ(a.second, b.second);
  EXPECT_NE(a.first, c.first);
}

TEST(Train, EpochLossIsTheBatchSizeWeightedMean) {
  // With lr tiny the parameters barely move, so the epoch loss equals the loss of the data set.
  Batch data{two_shape_data(8, 50, 3), {}};
  for (const char* loss : {"mae", "mse"}) {
    std::unique_ptr<Model> model = autoencoder(8, {4}, loss);
    Rng rng(1);
    model->init(rng);
    double full = loss_of(*model, data);
    TrainOptions options;
    options.epochs = 1;
    options.batch_size = 16;  // 16 + 16 + 16 + 2
    options.adam.learning_rate = 1e-12;
    std::vector<EpochStats> history = train(*model, data, &data, options, rng);
    EXPECT_NEAR(history[0].loss, full, 1e-6) << loss;
    // The validation loss is the configured loss too (it used to be the MAE score whatever the training loss).
    EXPECT_NEAR(history[0].val_loss, full, 1e-6) << loss;
  }
}

// The training and validation loss of an MSE model are squared errors: far below the MAE on errors < 1.
TEST(Train, MseModelReportsMseNotMae) {
  Batch data{two_shape_data(8, 50, 3), {}};
  std::unique_ptr<Model> model = autoencoder(8, {4}, "mse");
  Rng rng(1);
  model->init(rng);
  const Mat<float>& x = data.beats;
  std::unique_ptr<Workspace> workspace = model->new_workspace();
  Mat<float> y;
  ASSERT_TRUE(model->reconstruct(x, *workspace, y));
  double mse = (y - x).cast<double>().squaredNorm() / static_cast<double>(x.size());
  double mae = (y - x).cast<double>().cwiseAbs().sum() / static_cast<double>(x.size());
  EXPECT_NEAR(loss_of(*model, data), mse, 1e-6);
  EXPECT_GT(mae, 2 * mse);
  EXPECT_EQ(model->loss_name(), "mse");
}

// Gradients accumulate: two passes over the same batch give twice the gradient of one (the loop zeroes them).
TEST(Train, LossAndGradientsAccumulate) {
  Batch data{two_shape_data(8, 20, 3), {}};
  std::unique_ptr<Model> model = autoencoder(8, {4});
  Rng rng(2);
  model->init(rng);
  std::unique_ptr<Workspace> workspace = model->new_workspace();
  model->loss_and_gradients(data, rng, *workspace);
  AlignedVector<float> once = model->gradients;
  model->loss_and_gradients(data, rng, *workspace);
  double norm = 0;
  for (std::size_t i = 0; i < once.size(); ++i) {
    EXPECT_FLOAT_EQ(model->gradients[i], 2 * once[i]) << i;
    norm += std::abs(once[i]);
  }
  EXPECT_GT(norm, 0);
}

TEST(Train, ClipGradientNormScalesDownOnlyAboveTheLimit) {
  // Hand-worked: (3, 4) has norm 5; clipped to 1 it is (0.6, 0.8). (0.3, 0.4), norm 0.5, stays as it is.
  AlignedVector<float> g = {3.0f, 4.0f};
  clip_gradient_norm(g, 1.0);
  EXPECT_FLOAT_EQ(g[0], 0.6f);
  EXPECT_FLOAT_EQ(g[1], 0.8f);
  AlignedVector<float> small = {0.3f, 0.4f};
  clip_gradient_norm(small, 1.0);
  EXPECT_EQ(small[0], 0.3f);
  EXPECT_EQ(small[1], 0.4f);
  // In training: a limit far below every gradient's norm changes the result, one far above changes nothing.
  Batch data{two_shape_data(8, 40, 4), {}};
  TrainOptions options;
  options.epochs = 2;
  options.batch_size = 8;
  auto run = [&](double clip) {
    std::unique_ptr<Model> net = autoencoder(8, {4});
    Rng init(3), rng(4);
    net->init(init);
    options.clip_norm = clip;
    train(*net, data, nullptr, options, rng);
    return net->parameters;
  };
  EXPECT_EQ(run(0), run(1e30));
  EXPECT_NE(run(0), run(1e-6));
  options.clip_norm = -1;
  std::unique_ptr<Model> net = autoencoder(8, {4});
  Rng rng(1);
  EXPECT_THROW(train(*net, data, nullptr, options, rng), Error);
}

TEST(Train, RefusesBadOptions) {
  Batch data{two_shape_data(8, 10, 4), {}};
  std::unique_ptr<Model> net = autoencoder(8, {4});
  Model& model = *net;
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
  EXPECT_THROW(train(model, Batch{Mat<float>(8, 0), {}}, nullptr, options, rng), Error);
  for (double noise : {-0.1, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    nlohmann::json architecture = {{"input_width", 8}, {"encoder", {4}}, {"input_noise", noise}};
    EXPECT_THROW(make_model("autoencoder", architecture), Error) << noise;
  }
  EXPECT_THROW(make_model("autoencoder", {{"input_width", 8}, {"loss", "huber"}}), Error);
}

// A batch whose loss or gradient is not finite stops training there, before the optimizer spreads it into the
// parameters (a VAE's exp(log_var) can overflow in one step; the epoch's mean would only say so at its end).
TEST(Train, DivergenceStopsAtTheBatchWhereItHappens) {
  Batch data{two_shape_data(8, 12, 4), {}};
  data.beats(3, 7) = std::numeric_limits<float>::infinity();
  std::unique_ptr<Model> net = autoencoder(8, {4});
  Rng rng(1);
  net->init(rng);
  TrainOptions options;
  options.epochs = 3;
  options.batch_size = 4;
  try {
    train(*net, data, nullptr, options, rng);
    FAIL() << "trained on an infinite sample";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("diverged at epoch 1, batch "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("is not finite"), std::string::npos) << e.what();
  }
  for (float p : net->parameters) ASSERT_TRUE(std::isfinite(p));
}

}  // namespace
}  // namespace ecgad

namespace ecgad {
namespace {

// The same seed must give the same parameters whatever the heap looks like: buffers at other addresses
// (other alignments) must not change how Eigen rounds.
TEST(Train, SameSeedSameParametersWhereverTheBuffersLand) {
  Batch data{two_shape_data(140, 300, 8), {}};
  std::vector<std::vector<float>> runs;
  std::vector<std::unique_ptr<Model>> kept;  // kept alive, so that each run's buffers land elsewhere
  std::vector<std::unique_ptr<char[]>> clutter;
  for (int attempt = 0; attempt < 8; ++attempt) {
    clutter.emplace_back(new char[static_cast<std::size_t>(8 + 16 * attempt)]);  // shifts later allocations
    Rng rng(5);
    kept.push_back(autoencoder(140, {32, 16, 8}));
    kept.back()->init(rng);
    TrainOptions options;
    options.epochs = 3;
    options.batch_size = 32;
    train(*kept.back(), data, nullptr, options, rng);
    runs.emplace_back(kept.back()->parameters.begin(), kept.back()->parameters.end());
  }
  for (std::size_t i = 1; i < runs.size(); ++i) EXPECT_EQ(runs[i], runs[0]) << "attempt " << i;
}

}  // namespace
}  // namespace ecgad
