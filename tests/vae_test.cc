// The variational autoencoder: its loss and gradient against independent computations, and the model's way
// through training, the model file, scoring, the CLI and the report.
#include "ecgad/vae.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>

#include "ecgad/detector.h"
#include "ecgad/error.h"
#include "ecgad/html_report.h"
#include "ecgad/model_file.h"
#include "ecgad/sha256.h"
#include "test_util.h"

namespace ecgad {
namespace {

// ---- the math -------------------------------------------------------------------------------------------------

// KL on 2 latent dims x 2 beats, by hand. Each entry's 1 + log_var - mean^2 - exp(log_var):
//   mean 0,   log_var 0:     1 + 0 - 0    - 1 =  0
//   mean 1,   log_var 0:     1 + 0 - 1    - 1 = -1
//   mean 0.5, log_var 0:     1 + 0 - 0.25 - 1 = -0.25
//   mean 0,   log_var ln 2:  1 + ln 2 - 0 - 2 = ln 2 - 1
// sum = ln 2 - 2.25; KL = -0.5 * sum / 4 = (2.25 - ln 2) / 8 = 0.19460660243...
// d KL / d mean = mean / 4; d KL / d log_var = 0.5 (exp(log_var) - 1) / 4: 0 except 0.125 at the ln 2 entry.
TEST(Vae, KlOnATwoByTwoCaseByHand) {
  Mat<double> mean(2, 2), log_var(2, 2);
  mean << 0, 1, 0.5, 0;
  log_var << 0, 0, 0, std::log(2.0);
  EXPECT_NEAR(kl_forward(mean, log_var), 0.19460660243000683, 1e-15);
  Mat<double> dmean = Mat<double>::Zero(2, 2), dlog_var = Mat<double>::Zero(2, 2);
  kl_backward(dmean, dlog_var, mean, log_var, 1.0);
  Mat<double> expected_dmean(2, 2), expected_dlog_var(2, 2);
  expected_dmean << 0, 0.25, 0.125, 0;
  expected_dlog_var << 0, 0, 0, 0.125;
  EXPECT_TRUE(dmean.isApprox(expected_dmean, 1e-15)) << dmean;
  EXPECT_NEAR((dlog_var - expected_dlog_var).cwiseAbs().maxCoeff(), 0, 1e-15) << dlog_var;
  // kl_backward adds, scaled: a second call with scale 2 makes three times the gradient.
  kl_backward(dmean, dlog_var, mean, log_var, 2.0);
  EXPECT_TRUE(dmean.isApprox(3 * expected_dmean, 1e-15));
}

// Clipped binary cross-entropy on 2 samples x 2 beats, by hand (p clipped to [1e-7, 1 - 1e-7]):
//   p 0.5, t 1:                 -ln 0.5                              = 0.69314718056
//   p 0 -> 1e-7, t 1:           -ln 1e-7                             = 16.1180956510
//   p 1 -> 1 - 1e-7, t 0.5:     -(0.5 ln(1 - 1e-7) + 0.5 ln 1e-7)   = 8.05904787574
//   p 0.8, t 0:                 -ln 0.2                              = 1.60943791243
// mean = 26.4797286197 / 4 = 6.61993215492. The gradient (p - t) / (p (1 - p)) / 4 is -0.5 at p 0.5,
// 0.8 / 0.16 / 4 = 1.25 at p 0.8, and 0 where the clip holds p.
TEST(Vae, ClippedBinaryCrossEntropyOnATwoByTwoCaseByHand) {
  Mat<double> p(2, 2), t(2, 2);
  p << 0.5, 0.0, 1.0, 0.8;
  t << 1.0, 1.0, 0.5, 0.0;
  EXPECT_NEAR(bce_forward(p, t), 6.619932154923676, 1e-12);
  Mat<double> d;
  bce_backward(d, p, t);
  Mat<double> expected(2, 2);
  expected << -0.5, 0, 0, 1.25;
  EXPECT_NEAR((d - expected).cwiseAbs().maxCoeff(), 0, 1e-12) << d;
  // In float, as training computes it, 1 - 1e-7 rounds to 1 - 2^-23, so the third entry is
  // 0.5 * 23 ln 2 + 0.5 * 2^-23 = 7.97119264 and the mean 26.3918734 / 4 = 6.59796834 (float32 Keras alike).
  EXPECT_NEAR(bce_forward<float>(p.cast<float>(), t.cast<float>()), 6.59796834, 2e-6);
}

// Central differences of the whole loss (encoder, both heads, sampling with a fixed eps, KL, decoder,
// reconstruction) against backward, for every parameter, in double.
void check_gradient(Activation output, VaeReconstruction loss, double beta) {
  SCOPED_TRACE(std::string(to_string(output)) + " " + to_string(loss));
  const int width = 7, batch = 5;
  VaeNetwork<double> net(width, {6, 4}, 3, {5}, output, loss, beta);
  std::vector<double> params(net.parameter_count()), grads(net.parameter_count(), 0.0);
  Rng rng(11);
  net.init_glorot_uniform(params.data(), rng);
  for (std::size_t i = 0; i < params.size(); ++i) params[i] += 0.05 * (rng.uniform01() - 0.5);  // non-zero biases
  for (std::size_t layer = 0; layer < net.encoder.layers.size(); ++layer) {
    net.encoder.bias(layer, params.data()).array() += 0.5;  // no dead ReLU layer: every block gets a gradient
  }
  // Push some outputs past both ends of the clip, so that the clipped entries are checked too.
  VecMap<double> last_bias = net.decoder.bias(net.decoder.layers.size() - 1, params.data());
  const double far = output == Activation::sigmoid ? 20 : 4;
  last_bias(0) = -far;
  last_bias(1) = far;
  Mat<double> x(width, batch), eps(3, batch);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform01();
  for (Eigen::Index i = 0; i < eps.size(); ++i) eps.data()[i] = rng.gaussian();
  VaeCache<double> cache;
  VaeLoss base = net.forward(params.data(), x, eps, cache);
  EXPECT_NEAR(base.total, base.reconstruction + beta * base.kl, 1e-15);
  EXPECT_GT(base.kl, 0);
  const Mat<double>& prediction = output == Activation::sigmoid ? cache.probabilities : cache.decoder.outputs.back();
  if (loss == VaeReconstruction::bce) {
    EXPECT_TRUE((prediction.row(0).array() < 1e-7).all()) << prediction;
    EXPECT_TRUE((prediction.row(1).array() > 1 - 1e-7).all()) << prediction;
  }
  net.backward(params.data(), grads.data(), x, eps, cache);
  if (loss == VaeReconstruction::bce && output == Activation::sigmoid) {
    // From the logits, as Keras computes it: outputs saturated past where the clip would hold them still teach
    // (d loss / d bias: the sum of sigmoid - target over its 5 entries over 35, about -0.07 and +0.07 here).
    const VecMap<double> g = net.decoder.bias(net.decoder.layers.size() - 1, grads.data());
    EXPECT_LT(g(0), -0.01);
    EXPECT_GT(g(1), 0.01);
  }
  const double h = 1e-5;
  for (std::size_t i = 0; i < params.size(); ++i) {
    double keep = params[i];
    params[i] = keep + h;
    double up = net.forward(params.data(), x, eps, cache).total;
    params[i] = keep - h;
    double down = net.forward(params.data(), x, eps, cache).total;
    params[i] = keep;
    double numeric = (up - down) / (2 * h);
    // Relative, with a floor for gradients near 0, where the differences' rounding (~1e-10) dominates.
    double error = std::abs(numeric - grads[i]) / (1e-4 + std::abs(numeric) + std::abs(grads[i]));
    EXPECT_LT(error, 1e-5) << "parameter " << i << ": backward " << grads[i] << ", finite difference " << numeric;
  }
  // Every block of the buffer gets a gradient (the heads and the trunk under them included).
  for (const DenseStack<double>* stack : {&net.encoder, &net.mean_head, &net.log_var_head, &net.decoder}) {
    double norm = 0;
    for (std::size_t i = stack->offset; i < stack->offset + stack->parameter_count(); ++i) norm += std::abs(grads[i]);
    EXPECT_GT(norm, 0);
  }
}

TEST(Vae, GradientMatchesFiniteDifferencesWithTheExercisesLoss) {
  check_gradient(Activation::relu, VaeReconstruction::bce, 1.0);
  check_gradient(Activation::sigmoid, VaeReconstruction::bce, 1.0);
}

TEST(Vae, GradientMatchesFiniteDifferencesWithMseAndAnotherKlWeight) {
  check_gradient(Activation::sigmoid, VaeReconstruction::mse, 0.3);
}

// The model's backward adds to the gradients (the loop zeroes them once per step).
TEST(Vae, GradientsAccumulate) {
  std::unique_ptr<Model> model = make_model("vae", {{"input_width", 6}, {"encoder", {4, 2}}, {"latent", 2}});
  Rng init(1);
  model->init(init);
  Batch batch{Mat<float>::Constant(6, 3, 0.4f), {}};
  std::unique_ptr<Workspace> ws = model->new_workspace();
  Rng a(5), b(5);
  model->loss_and_gradients(batch, a, *ws);
  AlignedVector<float> once = model->gradients;
  model->loss_and_gradients(batch, b, *ws);  // the same eps
  for (std::size_t i = 0; i < once.size(); ++i) EXPECT_FLOAT_EQ(model->gradients[i], 2 * once[i]);
}

// ---- the model ------------------------------------------------------------------------------------------------

TEST(Vae, ArchitectureDefaultsAndTensorTable) {
  std::unique_ptr<Model> model = make_model("vae", {{"input_width", 140}});
  EXPECT_EQ(model->kind(), "vae");
  nlohmann::json a = model->architecture();
  EXPECT_EQ(a["encoder"], nlohmann::json({32, 16, 8}));
  EXPECT_EQ(a["latent"], 8);
  EXPECT_EQ(a["decoder"], nlohmann::json({16, 32}));
  EXPECT_EQ(a["output_activation"], "relu");
  EXPECT_EQ(a["loss"], "bce");
  // 140*32+32 + 32*16+16 + 16*8+8 | 2 * (8*8+8) | 8*16+16 + 16*32+32 + 32*140+140
  EXPECT_EQ(model->parameter_count(), 4512u + 528 + 136 + 2 * 72 + 144 + 544 + 4620);
  std::vector<std::string> names;
  for (const Tensor& t : model->tensors) names.push_back(t.name);
  const std::vector<std::string> expected = {
      "encoder.0.weight", "encoder.0.bias", "encoder.1.weight", "encoder.1.bias", "encoder.2.weight", "encoder.2.bias",
      "z_mean.weight",    "z_mean.bias",    "z_log_var.weight", "z_log_var.bias", "decoder.0.weight", "decoder.0.bias",
      "decoder.1.weight", "decoder.1.bias", "decoder.2.weight", "decoder.2.bias"};
  EXPECT_EQ(names, expected);
  EXPECT_EQ(model->tensor("z_mean.weight").shape, (std::vector<std::size_t>{8, 8}));
  EXPECT_EQ(model->tensor("decoder.2.weight").shape, (std::vector<std::size_t>{140, 32}));
  EXPECT_EQ(model->loss_parts(), (std::vector<std::string>{"reconstruction", "kl"}));
  EXPECT_EQ(model->loss_name(), "bce+kl");
}

TEST(Vae, BadArchitecturesAreRefused) {
  for (const nlohmann::json& a :
       {nlohmann::json{{"input_width", 8}, {"latent", 0}}, nlohmann::json{{"input_width", 8}, {"latent", "eight"}},
        nlohmann::json{{"input_width", 8}, {"encoder", nlohmann::json::array()}},
        nlohmann::json{{"input_width", 8}, {"output_activation", "linear"}},
        nlohmann::json{{"input_width", 8}, {"output_activation", "tanh"}},
        nlohmann::json{{"input_width", 8}, {"loss", "huber"}}, nlohmann::json{{"input_width", 8}, {"beta", -1}},
        nlohmann::json{{"input_width", 8}, {"score", "likelihood"}},
        nlohmann::json{{"input_width", 8}, {"input_noise", 0.1}}, nlohmann::json{{"input_width", 0}}}) {
    EXPECT_THROW(make_model("vae", a), Error) << a;
  }
  // And an autoencoder refuses a VAE's option rather than ignoring it.
  EXPECT_THROW(make_model("autoencoder", {{"input_width", 8}, {"latent", 4}}), Error);
}

// Toy beats: normal ones are a bump, abnormal ones inverted or a ramp. Width 24, deterministic.
Dataset toy_data(int normal, int abnormal, unsigned salt = 0) {
  Dataset data;
  data.name = "toy";
  data.width = 24;
  for (int r = 0; r < normal + abnormal; ++r) {
    bool is_normal = r < normal;
    double phase = 0.3 * std::sin(1.7 * (r + salt)), height = 1.0 + 0.1 * std::cos(2.3 * (r + salt));
    for (int i = 0; i < 24; ++i) {
      double t = i / 24.0;
      double v = height * std::exp(-40 * (t - 0.4 - 0.05 * phase) * (t - 0.4 - 0.05 * phase));
      if (!is_normal) v = (r % 2) ? -v + 0.5 : 0.2 + 0.6 * t;
      data.values.push_back(v);
    }
    data.normal.push_back(is_normal ? 1 : 0);
    data.lines.push_back(static_cast<std::size_t>(r) + 1);
  }
  return data;
}

DetectorConfig small_config(const std::string& preset, std::uint64_t seed) {
  DetectorConfig config = preset_config(preset);
  config.options["encoder"] = {12, 6};
  config.options["latent"] = 3;
  config.options.erase("decoder");
  config.train.epochs = 40;
  config.train.batch_size = 16;
  config.train.adam.learning_rate = 3e-3;
  config.seed = seed;
  return config;
}

TEST(Vae, PresetsAreTheExerciseAndEcgadsDefault) {
  DetectorConfig exercise = preset_config("exercise-vae");
  EXPECT_EQ(exercise.kind, "vae");
  EXPECT_EQ(exercise.options["encoder"], nlohmann::json({32, 16, 8}));
  EXPECT_EQ(exercise.options["latent"], 8);
  EXPECT_EQ(exercise.options["output_activation"], "relu");
  EXPECT_EQ(exercise.options["loss"], "bce");
  EXPECT_EQ(exercise.train.epochs, 80);
  EXPECT_EQ(exercise.train.batch_size, 128);
  EXPECT_EQ(exercise.train.adam.learning_rate, 1e-3);
  EXPECT_EQ(to_string(exercise.threshold), "mean-std:1");
  EXPECT_EQ(default_preset("vae"), "vae");
  DetectorConfig own = preset_config("vae");
  EXPECT_EQ(own.kind, "vae");
  EXPECT_EQ(own.options["encoder"], nlohmann::json({32, 16}));
  EXPECT_EQ(own.options["beta"], 1e-4);
  EXPECT_EQ(own.options["score"], "elbo");
  EXPECT_EQ(to_string(own.threshold), "best-accuracy");
  EXPECT_EQ(default_preset("autoencoder"), "default");
}

TEST(Vae, TrainsAndTellsAbnormalBeatsApart) {
  Dataset train_data = toy_data(150, 40), test = toy_data(60, 40, 7);
  for (const char* preset : {"exercise-vae", "vae"}) {
    TrainedModel model = train_detector(train_data, small_config(preset, 1), &test, nullptr);
    const nlohmann::json& history = model.training["history"];
    ASSERT_EQ(history.size(), 40u);
    EXPECT_LT(history.back()["loss"].get<double>(), history.front()["loss"].get<double>()) << preset;
    // Each epoch records the parts, and they add up to the loss.
    for (const char* key : {"loss_reconstruction", "loss_kl", "val_loss_reconstruction", "val_loss_kl"}) {
      ASSERT_TRUE(history.back().contains(key)) << key;
    }
    const double beta = model.model->architecture()["beta"].get<double>();
    EXPECT_NEAR(history.back()["loss"].get<double>(),
                history.back()["loss_reconstruction"].get<double>() + beta * history.back()["loss_kl"].get<double>(),
                1e-9);
    // The exercise's ReLU output layer loses units on this toy for good (an output unit below 0 for every beat
    // gets no gradient through the ReLU nor the clip), so only ecgad's sigmoid output is held to telling the
    // toy's abnormal beats apart. On ECG5000 both do (docs/vae.md).
    if (std::string(preset) != "vae") continue;
    std::unique_ptr<Workspace> ws = model.model->new_workspace();
    Eigen::VectorXd scores = anomaly_scores(model, test, *ws);
    // Nearly every abnormal beat scores above nearly every normal one (ROC AUC by counting pairs).
    double ordered = 0;
    for (Eigen::Index a = 60; a < 100; ++a) {
      for (Eigen::Index n = 0; n < 60; ++n) ordered += scores(a) > scores(n) ? 1 : 0;
    }
    EXPECT_GT(ordered / (40 * 60), 0.95) << preset;
  }
}

TEST(Vae, SameSeedGivesAByteIdenticalModelFile) {
  Dataset data = toy_data(100, 20);
  auto file = [&](std::uint64_t seed) {
    return serialize_model(train_detector(data, small_config("exercise-vae", seed), nullptr, nullptr));
  };
  std::string a = file(3);
  EXPECT_EQ(a, file(3));
  EXPECT_NE(a, file(4));
}

// A beat's score does not depend on the beats scored with it, for both scores, and the validation loss
// (eps = 0) is the same number twice.
TEST(Vae, ScoresAreIndependentOfBatchComposition) {
  Dataset data = toy_data(150, 40);
  for (const char* score : {"mae", "elbo"}) {
    DetectorConfig config = small_config("vae", 2);
    config.options["score"] = score;
    TrainedModel model = train_detector(data, config, nullptr, nullptr);
    Mat<float> x = scaled_input(model, data.values.data(), data.rows());
    std::unique_ptr<Workspace> ws = model.model->new_workspace();
    Eigen::VectorXd all = score_beats(*model.model, x, *ws);
    for (Eigen::Index size : {1, 3, 7, 64}) {
      for (Eigen::Index start = 0; start + size <= x.cols(); start += 29) {
        Mat<float> part = x.middleCols(start, size);
        Eigen::VectorXd some = score_beats(*model.model, part, *ws);
        for (Eigen::Index j = 0; j < size; ++j) ASSERT_EQ(some(j), all(start + j)) << score << " beat " << start + j;
      }
    }
    Batch batch{x, {}};
    EXPECT_EQ(model.model->loss(batch, *ws).total, model.model->loss(batch, *ws).total);
    Mat<float> rebuilt;
    ASSERT_TRUE(model.model->reconstruct(x.leftCols(5), *ws, rebuilt));
    EXPECT_EQ(rebuilt.rows(), 24);
    if (std::string(score) == "mae") {
      EXPECT_NEAR(mae_per_column(rebuilt, Mat<float>(x.leftCols(5)))(2), all(2), 1e-12);
    }
  }
}

std::string expect_refused(const std::string& bytes) {
  try {
    parse_model(bytes, "m.ecgad");
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "a damaged model was accepted";
  return "";
}

TEST(Vae, ModelFileRoundTripsAndDamageIsRefused) {
  Dataset data = toy_data(100, 20);
  DetectorConfig config = small_config("vae", 5);
  config.options["beta"] = 0.5;
  config.options["score"] = "elbo";
  TrainedModel model = train_detector(data, config, nullptr, nullptr);
  std::string bytes = serialize_model(model);
  TrainedModel back = parse_model(bytes, "m.ecgad");
  EXPECT_EQ(back.model->kind(), "vae");
  EXPECT_EQ(back.model->architecture(), model.model->architecture());
  EXPECT_EQ(back.model->parameters, model.model->parameters);
  EXPECT_EQ(back.model->score_name(), "neg_elbo");
  EXPECT_EQ(serialize_model(back), bytes);
  std::unique_ptr<Workspace> ws = model.model->new_workspace();
  EXPECT_EQ(anomaly_scores(back, data, *ws), anomaly_scores(model, data, *ws));

  std::string flipped = bytes;
  flipped[bytes.size() - 300] = static_cast<char>(flipped[bytes.size() - 300] ^ 0x10);
  EXPECT_NE(expect_refused(flipped).find("corrupted"), std::string::npos);
  EXPECT_NE(expect_refused(bytes.substr(0, bytes.size() - 40)).find("truncated"), std::string::npos);
  // A valid checksum over a table that is not the architecture's (one head renamed; another latent size).
  auto rewritten = [&](const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json info = model_info(model);
    edit(info["model"]);
    std::string out = "ecgad-model 2\n" + info.dump() + "\n";
    for (float p : model.model->parameters) out.append(reinterpret_cast<const char*>(&p), 4);  // x86: little-endian
    return out + "sha256 " + sha256_hex(out) + "\n";
  };
  EXPECT_NO_THROW(parse_model(rewritten([](nlohmann::json&) {}), "m.ecgad"));
  EXPECT_NE(
      expect_refused(rewritten([](nlohmann::json& m) { m["tensors"][7]["name"] = "z_mu.bias"; })).find("tensor table"),
      std::string::npos);
  EXPECT_NE(expect_refused(rewritten([](nlohmann::json& m) { m["latent"] = 4; })).find("m.ecgad"), std::string::npos);
  EXPECT_NE(expect_refused(rewritten([](nlohmann::json& m) { m["score"] = "vibes"; })).find("score"),
            std::string::npos);
}

TEST(Vae, ReportDrawsReconstructionsAndTheLossParts) {
  Dataset data = toy_data(100, 20);
  TrainedModel model = train_detector(data, small_config("vae", 1), nullptr, nullptr);
  std::unique_ptr<Workspace> ws = model.model->new_workspace();
  Eigen::VectorXd scores = anomaly_scores(model, data, *ws);
  std::string html = html_report(model, data, std::vector<double>(scores.data(), scores.data() + scores.size()));
  EXPECT_NE(html.find("training reconstruction"), std::string::npos);
  EXPECT_NE(html.find("training kl"), std::string::npos);
  EXPECT_NE(html.find("loss (" + model.model->loss_name() + ")"), std::string::npos);
  EXPECT_EQ(model.model->loss_name(), "bce+0.0001*kl");
  EXPECT_NE(html.find("scaled beat and its reconstruction"), std::string::npos);
  EXPECT_NE(html.find("z_mean"), std::string::npos);  // the summary of the layers
}

// ---- the binary -----------------------------------------------------------------------------------------------

using CliRun = test::RunResult;
using test::slurp;

std::string temp_path(const std::string& name) {
  static const std::string dir = test::temp_subdir("vae");
  return dir + "/" + name;
}

CliRun ecgad(const std::string& args) { return test::run_ecgad(args); }

void write_csv(const std::string& file, const Dataset& data) {
  std::ofstream out(file);
  char buf[32];
  for (std::size_t r = 0; r < data.rows(); ++r) {
    for (std::size_t i = 0; i < data.width; ++i) {
      std::snprintf(buf, sizeof buf, "%.6f,", data.values[r * data.width + i]);
      out << buf;
    }
    out << (data.normal[r] ? "1\n" : "0\n");
  }
}

TEST(Vae, TrainSaveLoadScoreEvaluateReportThroughTheCli) {
  write_csv(temp_path("train.csv"), toy_data(150, 40));
  write_csv(temp_path("test.csv"), toy_data(60, 40, 7));
  const std::string model = "'" + temp_path("vae.ecgad") + "'";
  CliRun r = ecgad("train '" + temp_path("train.csv") + "' -o " + model +
                   " --model vae --layers 12,6 --latent 3 --epochs 40 --batch-size 16 --seed 1 -q");
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json info = nlohmann::json::parse(ecgad("info " + model).out);
  EXPECT_EQ(info["model"]["kind"], "vae");
  EXPECT_EQ(info["model"]["latent"], 3);
  EXPECT_EQ(info["model"]["output_activation"], "sigmoid");  // the vae preset's
  EXPECT_EQ(info["training"]["preset"], "vae");
  EXPECT_TRUE(info["training"]["history"][0].contains("loss_kl"));

  r = ecgad("score -m " + model + " '" + temp_path("test.csv") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("row,neg_elbo,verdict,label\n", 0), 0u) << r.out.substr(0, 80);  // the vae preset's score
  r = ecgad("evaluate -m " + model + " '" + temp_path("test.csv") + "' --format json");
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json evaluation = nlohmann::json::parse(r.out);
  EXPECT_GT(evaluation["roc_auc"].get<double>(), 0.9) << r.out;
  r = ecgad("report -m " + model + " '" + temp_path("test.csv") + "' -o '" + temp_path("report.html") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(slurp(temp_path("report.html")).find("training kl"), std::string::npos);

  // The exercise preset and its options from flags; a VAE-only flag on an autoencoder is an error.
  r = ecgad("train '" + temp_path("train.csv") + "' -o '" + temp_path("ex.ecgad") +
            "' --preset exercise-vae --layers 12,6 --latent 2 --output-activation sigmoid --loss mae --score elbo "
            "--beta 0.5 "
            "--epochs 3 -q");
  ASSERT_EQ(r.status, 0) << r.err;
  info = nlohmann::json::parse(ecgad("info '" + temp_path("ex.ecgad") + "'").out);
  EXPECT_EQ(info["model"]["loss"], "mae");
  EXPECT_EQ(info["model"]["score"], "elbo");
  EXPECT_EQ(info["model"]["beta"], 0.5);
  EXPECT_EQ(info["threshold"]["strategy"], "mean-std:1");
  r = ecgad("train '" + temp_path("train.csv") + "' -o '" + temp_path("ae.ecgad") + "' --latent 4 --epochs 1 -q");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--latent does not apply to autoencoder models"), std::string::npos) << r.err;
  r = ecgad("train '" + temp_path("train.csv") + "' -o '" + temp_path("ae.ecgad") +
            "' --model vae --preset default -q");
  EXPECT_EQ(r.status, 2);
}

}  // namespace
}  // namespace ecgad
