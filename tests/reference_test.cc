// Against an independent implementation, in llm.c's manner, compared with PyTorch in float64:
// - the tutorial autoencoder with fixed weights, ten Adam steps over fixed batches
//   (tests/fixtures/torch_reference.json, written by scripts/make_torch_reference.py);
// - the VAE and the LSTM classifier: fixed weights and one batch, the loss and the gradient of every tensor
//   (tests/fixtures/torch_reference_vae_lstm.json, written by scripts/make_torch_reference_vae_lstm.py, which
//   maps PyTorch's parameters to ecgad's tensor table).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ecgad/adam.h"
#include "ecgad/lstm.h"
#include "ecgad/lstm_model.h"
#include "ecgad/model.h"
#include "ecgad/vae.h"

namespace ecgad {
namespace {

nlohmann::json reference() {
  std::ifstream in(ECGAD_SOURCE_DIR "/tests/fixtures/torch_reference.json");
  return nlohmann::json::parse(in);
}

// The inputs, the same formulas as the script's.
Mat<float> beats(int width, int count) {
  Mat<float> x(width, count);
  for (int j = 0; j < count; ++j) {
    for (int i = 0; i < width; ++i) {
      x(i, j) = static_cast<float>(0.5 + 0.4 * std::sin(0.05 * i * (j % 5 + 1) + j) *
                                             std::exp(-std::pow((i - 70) / 60.0, 2)));
    }
  }
  return x;
}

void set_initial_parameters(Model& model) {
  for (const Tensor& t : model.tensors) {
    int layer = std::stoi(t.name.substr(t.name.find('.') + 1));
    MatMap<float> p = model.view(t.name, model.parameters);
    for (Eigen::Index r = 0; r < p.rows(); ++r) {
      for (Eigen::Index c = 0; c < p.cols(); ++c) {
        if (t.shape.size() == 2) {  // (outputs, inputs)
          double fan_out = static_cast<double>(t.shape[0]), fan_in = static_cast<double>(t.shape[1]);
          p(r, c) =
              static_cast<float>(std::sqrt(6.0 / (fan_in + fan_out)) *
                                 std::sin(1.3 * static_cast<double>(r) + 0.7 * static_cast<double>(c) + 2.1 * layer));
        } else {
          p(r, c) = static_cast<float>(0.02 * std::cos(static_cast<double>(r) + 3.0 * layer));
        }
      }
    }
  }
}

double sum_of(const Model& model, const AlignedVector<float>& buffer, const Tensor& t, bool absolute) {
  double sum = 0;
  for (std::size_t i = 0; i < t.size(); ++i) sum += absolute ? std::abs(buffer[t.offset + i]) : buffer[t.offset + i];
  (void)model;
  return sum;
}

TEST(Reference, TutorialNetworkMatchesPyTorchForTenAdamSteps) {
  const nlohmann::json ref = reference();
  std::unique_ptr<Model> model = make_model("autoencoder", {{"input_width", 140}, {"encoder", {32, 16, 8}}});
  ASSERT_EQ(model->tensors.size(), 12u);
  set_initial_parameters(*model);
  const int count = 32, batch_size = ref["batch"].get<int>();
  Mat<float> x = beats(140, count);
  // The inputs are the script's: their sums agree to float precision.
  EXPECT_NEAR(x.cast<double>().sum(), ref["beats_sum"].get<double>(), 1e-3);
  for (const Tensor& t : model->tensors) {
    EXPECT_NEAR(sum_of(*model, model->parameters, t, false), ref["initial_sums"][t.name].get<double>(), 1e-4) << t.name;
  }

  const nlohmann::json& adam_options = ref["adam"];
  Adam adam(model->parameters.size(), AdamOptions{adam_options["learning_rate"], adam_options["beta1"],
                                                  adam_options["beta2"], adam_options["epsilon"]});
  std::unique_ptr<Workspace> workspace = model->new_workspace();
  Rng rng(0);  // unused by a plain autoencoder
  for (int step = 1; step <= ref["steps"].get<int>(); ++step) {
    Batch batch{x.middleCols(((step - 1) * batch_size) % count, batch_size), {}};
    std::fill(model->gradients.begin(), model->gradients.end(), 0.0f);
    double loss = model->loss_and_gradients(batch, rng, *workspace).total;
    // float32 against float64: agreement to a few units in the 7th digit.
    EXPECT_NEAR(loss, ref["losses"][step - 1].get<double>(), 2e-6) << "step " << step;
    if (step == 1) {
      for (const Tensor& t : model->tensors) {
        const std::vector<double> expected = ref["first_gradients"][t.name].get<std::vector<double>>();
        ASSERT_EQ(expected.size(), t.size()) << t.name;
        double diff = 0, norm = 0;
        for (std::size_t i = 0; i < t.size(); ++i) {
          diff += std::pow(model->gradients[t.offset + i] - expected[i], 2);
          norm += expected[i] * expected[i];
        }
        EXPECT_GT(norm, 0) << t.name;
        EXPECT_LT(std::sqrt(diff / norm), 1e-5) << t.name;  // relative error of the whole tensor
      }
    }
    adam.step(model->parameters, model->gradients);
  }
  // After ten steps every tensor still agrees: its sum, to a small fraction of its size.
  for (const Tensor& t : model->tensors) {
    double scale = ref["final_abs_sums"][t.name].get<double>();
    EXPECT_NEAR(sum_of(*model, model->parameters, t, false), ref["final_sums"][t.name].get<double>(),
                1e-5 * scale + 1e-6)
        << t.name;
    EXPECT_NEAR(sum_of(*model, model->parameters, t, true), scale, 1e-5 * scale + 1e-6) << t.name;
  }
}

// ---- the VAE and the LSTM: one batch, the loss and every gradient ---------------------------------------------
//
// Tolerances. The fixture's inputs (parameters, beats, eps, dropout masks) are float32 values, so ecgad and
// PyTorch start from the same numbers and the only difference is ecgad's float32 arithmetic against PyTorch's
// float64: rounding errors of order 1e-7 relative per operation, grown by the depth of the computation and by
// the conditioning of the data. Measured: at most 5e-8 relative on the losses and parts; on a whole tensor's
// gradient (the norm of its error over its norm, and its worst entry over its largest) at most 4e-7 for the LSTM
// (12 steps, its rational tanh) and the sigmoid VAE, 7e-6 for the ReLU-output VAE, whose clipped BCE's gradient
// (p - t) / (p (1 - p)) divides by outputs p as small as 0.01 that come out of sums with cancellation. The bounds:
// 1e-6 on the losses, 3e-6 on the gradients, 5e-5 on the ReLU-output VAE's: margins of 7 or more. A wrong gate
// order, kernel layout, reduction or KL term moves a gradient tensor by 1e-3 to 1 relative.
constexpr double kLossTolerance = 1e-6, kGradientTolerance = 3e-6, kClippedBceGradientTolerance = 5e-5;

nlohmann::json vae_lstm_reference() {
  std::ifstream in(ECGAD_SOURCE_DIR "/tests/fixtures/torch_reference_vae_lstm.json");
  return nlohmann::json::parse(in);
}

// B lists of n values -> an (n, B) matrix: list j is column j.
Mat<float> columns_of(const nlohmann::json& lists) {
  const auto count = static_cast<Eigen::Index>(lists.size());
  const auto rows = static_cast<Eigen::Index>(lists.at(0).size());
  Mat<float> m(rows, count);
  for (Eigen::Index j = 0; j < count; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = lists.at(j).at(i).get<float>();
  }
  return m;
}

// The model's tensor table is the fixture's, name by name in order, and its parameters become the fixture's.
void load_parameters(Model& model, const nlohmann::json& c) {
  const std::vector<std::string> names = c.at("tensors").get<std::vector<std::string>>();
  ASSERT_EQ(model.tensors.size(), names.size());
  for (std::size_t k = 0; k < names.size(); ++k) {
    const Tensor& t = model.tensors[k];
    ASSERT_EQ(t.name, names[k]);
    const std::vector<float> values = c.at("parameters").at(t.name).get<std::vector<float>>();
    ASSERT_EQ(values.size(), t.size()) << t.name;
    std::copy(values.begin(), values.end(), model.parameters.begin() + static_cast<std::ptrdiff_t>(t.offset));
  }
}

void expect_relative_near(double actual, double expected, const std::string& what) {
  EXPECT_NEAR(actual, expected, kLossTolerance * std::abs(expected)) << what;
}

// Every tensor's gradient in `gradients` against the fixture's.
void expect_gradients(const Model& model, const AlignedVector<float>& gradients, const nlohmann::json& c,
                      double tolerance = kGradientTolerance) {
  for (const Tensor& t : model.tensors) {
    const std::vector<double> expected = c.at("gradients").at(t.name).get<std::vector<double>>();
    ASSERT_EQ(expected.size(), t.size()) << t.name;
    double diff = 0, norm = 0, largest = 0, worst = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
      const double error = std::abs(static_cast<double>(gradients[t.offset + i]) - expected[i]);
      diff += error * error;
      norm += expected[i] * expected[i];
      largest = std::max(largest, std::abs(expected[i]));
      worst = std::max(worst, error);
    }
    ASSERT_GT(norm, 0) << t.name;
    EXPECT_LT(std::sqrt(diff / norm), tolerance) << c.at("name") << ": " << t.name << " (relative error of the tensor)";
    EXPECT_LE(worst, tolerance * largest) << c.at("name") << ": " << t.name << " (largest error of an entry)";
  }
}

// ecgad's VAE in both presets' configurations (ReLU output with the clipped BCE, beta 1; sigmoid output with the
// BCE from its logits, beta 1e-4) against PyTorch, with the sampling noise eps fixed: VaeNetwork::forward and
// backward take eps as an argument (Vae::loss_and_gradients draws it from its Rng and calls them, which the
// second half checks).
TEST(Reference, VaeMatchesPyTorch) {
  const nlohmann::json ref = vae_lstm_reference();
  ASSERT_EQ(ref.at("vae").size(), 2u);
  for (const nlohmann::json& c : ref.at("vae")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    std::unique_ptr<Model> model = make_model("vae", c.at("architecture"));
    auto& vae = dynamic_cast<Vae&>(*model);
    load_parameters(*model, c);
    if (::testing::Test::HasFatalFailure()) return;
    const Mat<float> x = columns_of(c.at("x")), eps = columns_of(c.at("eps"));
    ASSERT_EQ(eps.rows(), vae.network.latent());

    VaeCache<float> cache;
    std::fill(model->gradients.begin(), model->gradients.end(), 0.0f);
    const VaeLoss loss = vae.network.forward(model->parameters.data(), x, eps, cache);
    vae.network.backward(model->parameters.data(), model->gradients.data(), x, eps, cache);
    expect_relative_near(loss.total, c.at("loss").at("total").get<double>(), "loss");
    expect_relative_near(loss.reconstruction, c.at("loss").at("reconstruction").get<double>(), "reconstruction");
    expect_relative_near(loss.kl, c.at("loss").at("kl").get<double>(), "kl");
    const bool clipped_bce = vae.network.output == Activation::relu;
    expect_gradients(*model, model->gradients, c, clipped_bce ? kClippedBceGradientTolerance : kGradientTolerance);

    // The Model's training step is this computation with eps drawn from its Rng, column by column: the same bits.
    Rng rng(17), copy = rng;
    Mat<float> drawn(eps.rows(), eps.cols());
    for (Eigen::Index i = 0; i < drawn.size(); ++i) drawn.data()[i] = static_cast<float>(copy.gaussian());
    std::fill(model->gradients.begin(), model->gradients.end(), 0.0f);
    const VaeLoss direct = vae.network.forward(model->parameters.data(), x, drawn, cache);
    vae.network.backward(model->parameters.data(), model->gradients.data(), x, drawn, cache);
    const AlignedVector<float> expected = model->gradients;
    std::fill(model->gradients.begin(), model->gradients.end(), 0.0f);
    std::unique_ptr<Workspace> workspace = model->new_workspace();
    const BatchLoss through_model = model->loss_and_gradients(Batch{x, {}}, rng, *workspace);
    EXPECT_EQ(through_model.total, direct.total);
    EXPECT_TRUE(model->gradients == expected);
  }
}

// ecgad's LSTM classifier (exercise-lstm's network, small) against torch.nn.LSTM: once with dropout off (a mask of
// ones, evaluation mode) and once in training mode with a fixed dropout mask, which lstm_classifier_loss_and_
// gradients takes as an argument (LstmModel::loss_and_gradients draws it from its Rng and calls it, which the last
// part checks). The scores (no dropout, the batch-invariant path) against PyTorch's sigmoid outputs too.
TEST(Reference, LstmMatchesPyTorch) {
  const nlohmann::json ref = vae_lstm_reference();
  ASSERT_EQ(ref.at("lstm").size(), 2u);
  for (const nlohmann::json& c : ref.at("lstm")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    std::unique_ptr<Model> model = make_model("lstm", c.at("architecture"));
    auto& lstm = dynamic_cast<LstmModel&>(*model);
    load_parameters(*model, c);
    if (::testing::Test::HasFatalFailure()) return;
    const Mat<float> x = columns_of(c.at("x")), mask = columns_of(c.at("mask"));
    const std::vector<float> label_values = c.at("labels").get<std::vector<float>>();
    Mat<float> labels(1, x.cols());
    Batch batch{x, {}};
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      labels(0, j) = label_values[static_cast<std::size_t>(j)];
      batch.normal.push_back(label_values[static_cast<std::size_t>(j)] == 0 ? 1 : 0);  // label 1: abnormal
    }
    ASSERT_EQ(mask.rows(), lstm.shape.hidden);

    LstmClassifierCache<float> cache;
    std::fill(model->gradients.begin(), model->gradients.end(), 0.0f);
    const float loss = lstm_classifier_loss_and_gradients(lstm.shape, model->parameters.data(), model->gradients.data(),
                                                          x, labels, mask, cache);
    expect_relative_near(loss, c.at("loss").at("total").get<double>(), "loss");
    expect_gradients(*model, model->gradients, c);

    std::unique_ptr<Workspace> workspace = model->new_workspace();
    Eigen::VectorXd scores;
    model->score(x, *workspace, scores);
    const std::vector<double> probabilities = c.at("probabilities").get<std::vector<double>>();
    ASSERT_EQ(static_cast<std::size_t>(scores.size()), probabilities.size());
    for (Eigen::Index j = 0; j < scores.size(); ++j) {
      expect_relative_near(scores(j), probabilities[static_cast<std::size_t>(j)], "probability");
    }

    // The Model's training step is this computation with a mask drawn from its Rng: the same bits.
    Rng rng(23), copy = rng;
    Mat<float> drawn;
    dropout_mask(drawn, lstm.shape.hidden, x.cols(), lstm.dropout, copy);
    std::fill(model->gradients.begin(), model->gradients.end(), 0.0f);
    const float direct = lstm_classifier_loss_and_gradients(lstm.shape, model->parameters.data(),
                                                            model->gradients.data(), x, labels, drawn, cache);
    const AlignedVector<float> expected = model->gradients;
    std::fill(model->gradients.begin(), model->gradients.end(), 0.0f);
    EXPECT_EQ(model->loss_and_gradients(batch, rng, *workspace).total, static_cast<double>(direct));
    EXPECT_TRUE(model->gradients == expected);
  }
}

}  // namespace
}  // namespace ecgad
