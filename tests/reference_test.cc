// End to end against an independent implementation, in llm.c's manner: the tutorial network with fixed
// weights, ten Adam steps over fixed batches, compared with PyTorch in float64
// (tests/fixtures/torch_reference.json, written by scripts/make_torch_reference.py).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "ecgad/adam.h"
#include "ecgad/model.h"

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

}  // namespace
}  // namespace ecgad
