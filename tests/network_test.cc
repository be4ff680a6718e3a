#include "ecgad/network.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ecgad/error.h"

namespace ecgad {
namespace {

TEST(Network, AutoencoderLayersMirrorTheEncoder) {
  std::vector<DenseSpec> specs = autoencoder_layers(140, {32, 16, 8});
  ASSERT_EQ(specs.size(), 6u);
  std::vector<int> sizes;
  for (const DenseSpec& s : specs) sizes.push_back(s.inputs);
  sizes.push_back(specs.back().outputs);
  EXPECT_EQ(sizes, (std::vector<int>{140, 32, 16, 8, 16, 32, 140}));
  for (std::size_t i = 0; i + 1 < specs.size(); ++i) EXPECT_EQ(specs[i].activation, Activation::relu);
  EXPECT_EQ(specs.back().activation, Activation::sigmoid);
  EXPECT_THROW(autoencoder_layers(140, {}), Error);
  EXPECT_THROW(autoencoder_layers(140, {32, 0}), Error);
}

TEST(Network, ParameterCountAndLayout) {
  Network<float> net(autoencoder_layers(140, {32, 16, 8}));
  // 140*32+32 + 32*16+16 + 16*8+8 + 8*16+16 + 16*32+32 + 32*140+140
  EXPECT_EQ(net.params.size(), 4512u + 528u + 136u + 144u + 544u + 4620u);
  EXPECT_EQ(net.weight_offset(1), 4512u);
  EXPECT_EQ(net.bias_offset(0), 4480u);
}

TEST(Network, GlorotUniformWithinLimitsAndZeroBias) {
  Network<float> net(autoencoder_layers(140, {32, 16, 8}));
  Rng rng(3);
  net.init_glorot_uniform(rng);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    double limit = std::sqrt(6.0 / (net.layers[i].inputs + net.layers[i].outputs));
    MatMap<float> W = net.weight(i, net.params);
    EXPECT_LE(W.cwiseAbs().maxCoeff(), limit);
    // Uniform on [-limit, limit]: the largest of >= 128 draws comes close to the limit, the mean near 0.
    EXPECT_GT(W.cwiseAbs().maxCoeff(), 0.9 * limit);
    EXPECT_LT(std::abs(W.mean()), 0.25 * limit);
    EXPECT_EQ(net.bias(i, net.params).cwiseAbs().maxCoeff(), 0.0f);
  }
}

TEST(Network, SameSeedSameWeightsOtherSeedOtherWeights) {
  Network<float> a(autoencoder_layers(20, {4})), b(autoencoder_layers(20, {4})), c(autoencoder_layers(20, {4}));
  Rng ra(7), rb(7), rc(8);
  a.init_glorot_uniform(ra);
  b.init_glorot_uniform(rb);
  c.init_glorot_uniform(rc);
  EXPECT_EQ(a.params, b.params);
  EXPECT_NE(a.params, c.params);
}

// The whole network's gradient against central finite differences, in double precision, with the MAE of
// the reconstruction as the loss.
TEST(Network, BackwardMatchesFiniteDifferencesOnASmallRandomNet) {
  Network<double> net(autoencoder_layers(7, {5, 3}));
  Rng rng(11);
  net.init_glorot_uniform(rng);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    // Non-zero biases, so that their gradients are exercised away from the initial point.
    VecMap<double> b = net.bias(i, net.params);
    for (Eigen::Index k = 0; k < b.size(); ++k) b(k) = 0.1 * std::sin(double(k + 3 * i) + 0.5);
  }
  Mat<double> x(7, 6);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = 0.5 + 0.45 * std::sin(1.7 * double(i));
  auto loss = [&] { return mae_forward(net.forward(x), x); };
  Mat<double> dprediction;
  const Mat<double>& y = net.forward(x);
  mae_backward(dprediction, y, x);
  net.backward(x, dprediction);
  std::vector<double> analytic(net.grads.begin(), net.grads.end());

  const double h = 1e-6;
  std::vector<double> numeric(net.params.size());
  for (std::size_t i = 0; i < net.params.size(); ++i) {
    double saved = net.params[i];
    net.params[i] = saved + h;
    double up = loss();
    net.params[i] = saved - h;
    double down = loss();
    net.params[i] = saved;
    numeric[i] = (up - down) / (2 * h);
  }
  Eigen::Map<Eigen::VectorXd> a(analytic.data(), analytic.size()), n(numeric.data(), numeric.size());
  EXPECT_GT(a.norm(), 1e-3);  // the check means something only if the gradient is not all zero
  EXPECT_LT((a - n).norm() / std::max(a.norm(), n.norm()), 1e-6);
}

TEST(Network, ForwardGivesEachBeatTheSameBitsInAnyBatch) {
  Network<float> net(autoencoder_layers(140, {32, 16, 8}));
  Rng rng(4);
  net.init_glorot_uniform(rng);
  Mat<float> x(140, 37);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.uniform01());
  Mat<float> whole = net.forward(x);
  for (Eigen::Index first : {Eigen::Index{0}, Eigen::Index{3}, Eigen::Index{30}}) {
    for (Eigen::Index count : {Eigen::Index{1}, Eigen::Index{2}, Eigen::Index{7}}) {
      Mat<float> part = x.middleCols(first, count);
      Mat<float> out = net.forward(part);
      EXPECT_EQ(out, whole.middleCols(first, count)) << "columns " << first << ".." << first + count - 1;
    }
  }
  // And the same bits in the other order of the beats.
  Mat<float> reversed = x.rowwise().reverse();
  EXPECT_EQ(Mat<float>(net.forward(reversed).rowwise().reverse()), whole);
}

TEST(Network, RefusesInputOfOtherWidth) {
  Network<float> net(autoencoder_layers(10, {3}));
  Mat<float> x = Mat<float>::Zero(9, 2);
  EXPECT_THROW(net.forward(x), Error);
}

TEST(Network, ActivationNamesRoundTrip) {
  for (Activation a : {Activation::relu, Activation::sigmoid, Activation::linear}) {
    EXPECT_EQ(parse_activation(to_string(a)), a);
  }
  EXPECT_THROW(parse_activation("tanh"), Error);
}

}  // namespace
}  // namespace ecgad
