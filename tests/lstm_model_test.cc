// The LSTM classifier through the model seam: architecture and tensor table, supervised training through
// train_detector, the model file, reproducibility by seed, batch-invariant scores, the report.
#include "ecgad/lstm_model.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ecgad/detector.h"
#include "ecgad/error.h"
#include "ecgad/html_report.h"
#include "ecgad/model_file.h"

namespace ecgad {
namespace {

// Normal beats: one slow wave; abnormal ones carry a fast wave on top.
Dataset wave_data(std::size_t rows, std::size_t width, std::uint64_t seed) {
  Dataset data;
  data.name = "waves.csv";
  data.width = width;
  Rng rng(seed);
  for (std::size_t r = 0; r < rows; ++r) {
    const bool normal = r % 3 != 0;
    const double a = 0.5 + 0.5 * rng.uniform01(), phase = rng.uniform01();
    for (std::size_t i = 0; i < width; ++i) {
      const double t = static_cast<double>(i) / static_cast<double>(width);
      double value = a * std::sin(6.28 * (t + phase));
      if (!normal) value += 0.5 * std::sin(25.0 * t);
      data.values.push_back(value);
    }
    data.normal.push_back(normal ? 1 : 0);
    data.lines.push_back(r + 1);
  }
  return data;
}

DetectorConfig small_lstm() {
  DetectorConfig config = preset_config("exercise-lstm");
  config.options = {{"hidden", 8}, {"dropout", 0.1}};
  config.train.epochs = 30;
  config.train.batch_size = 32;
  config.train.adam.learning_rate = 1e-2;
  return config;
}

TEST(LstmModel, ArchitectureDefaultsAndTensorTable) {
  std::unique_ptr<Model> model = make_model("lstm", {{"input_width", 140}});
  auto& lstm = static_cast<LstmModel&>(*model);
  EXPECT_EQ(lstm.shape.hidden, 100);
  EXPECT_EQ(lstm.shape.steps, 140);
  EXPECT_EQ(lstm.shape.features, 1);
  EXPECT_EQ(lstm.dropout, 0.25);
  EXPECT_EQ(model->parameter_count(), 40901u);  // 4*100*(1 + 100 + 1) + 100 + 1, as Keras' summary counts
  EXPECT_TRUE(model->supervised());
  EXPECT_EQ(model->score_name(), "probability");
  // The table describes lstm.h's flat layout.
  LstmParams<float> P = lstm_params(lstm.shape, model->parameters.data());
  const float* base = model->parameters.data();
  EXPECT_EQ(model->tensor("lstm.input_weight").offset, static_cast<std::size_t>(P.Wx.data() - base));
  EXPECT_EQ(model->tensor("lstm.recurrent_weight").offset, static_cast<std::size_t>(P.Wh.data() - base));
  EXPECT_EQ(model->tensor("lstm.bias").offset, static_cast<std::size_t>(P.b.data() - base));
  EXPECT_EQ(model->tensor("dense.weight").offset, static_cast<std::size_t>(P.w_out.data() - base));
  EXPECT_EQ(model->tensor("dense.bias").offset, static_cast<std::size_t>(P.b_out.data() - base));
  // architecture() builds the same model back.
  std::unique_ptr<Model> again = make_model("lstm", model->architecture());
  EXPECT_EQ(again->architecture(), model->architecture());
  EXPECT_EQ(make_model("lstm", {{"input_width", 140}, {"features", 2}, {"hidden", 3}})->input_width(), 140);
}

TEST(LstmModel, RefusesBadArchitectures) {
  EXPECT_THROW(make_model("lstm", nlohmann::json::object()), Error);  // no input width
  EXPECT_THROW(make_model("lstm", {{"input_width", 140}, {"hidden", 0}}), Error);
  EXPECT_THROW(make_model("lstm", {{"input_width", 140}, {"hidden", 2.5}}), Error);
  EXPECT_THROW(make_model("lstm", {{"input_width", 140}, {"dropout", 1.0}}), Error);
  EXPECT_THROW(make_model("lstm", {{"input_width", 140}, {"dropout", -0.1}}), Error);
  EXPECT_THROW(make_model("lstm", {{"input_width", 140}, {"features", 3}}), Error);        // 140 is not 3 x steps
  EXPECT_THROW(make_model("lstm", {{"input_width", 140}, {"encoder", {32, 16}}}), Error);  // an autoencoder's key
}

TEST(LstmModel, NeedsLabelsAndBothClasses) {
  Dataset data = wave_data(30, 16, 1);
  Dataset unlabelled = data;
  unlabelled.normal.clear();
  EXPECT_THROW(train_detector(unlabelled, small_lstm(), nullptr, nullptr), Error);
  Dataset only_normal = data;
  std::fill(only_normal.normal.begin(), only_normal.normal.end(), 1);
  try {
    train_detector(only_normal, small_lstm(), nullptr, nullptr);
    FAIL() << "trained on one class";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("both normal and abnormal"), std::string::npos) << e.what();
  }
}

TEST(LstmModel, LearnsSavesLoadsAndReproducesBySeed) {
  Dataset data = wave_data(240, 24, 2);
  Dataset test = wave_data(120, 24, 3);
  DetectorConfig config = small_lstm();
  config.seed = 5;
  TrainedModel model = train_detector(data, config, &test, nullptr);
  EXPECT_EQ(model.training["trained_on_rows"], 240);  // normal and abnormal rows alike
  EXPECT_EQ(model.threshold.value, 0.5);
  const nlohmann::json& history = model.training["history"];
  EXPECT_LT(history.back()["loss"].get<double>(), 0.5 * history.front()["loss"].get<double>());
  EXPECT_TRUE(history.back()["val_loss"].is_number());

  // Saved, loaded, scored: the same probabilities, and they separate the classes of unseen beats.
  const std::string bytes = serialize_model(model);
  TrainedModel back = parse_model(bytes, "lstm.ecgad");
  EXPECT_EQ(back.model->kind(), "lstm");
  EXPECT_EQ(back.model->parameters, model.model->parameters);
  std::unique_ptr<Workspace> workspace = back.model->new_workspace();
  Eigen::VectorXd scores = anomaly_scores(back, test, *workspace);
  std::size_t right = 0;
  for (std::size_t i = 0; i < test.rows(); ++i) {
    const double p = scores(static_cast<Eigen::Index>(i));
    ASSERT_TRUE(p >= 0 && p <= 1) << p;
    right += (p >= 0.5) == !test.normal[i];
  }
  EXPECT_GE(right, test.rows() * 9 / 10);

  // The same seed gives the same file, byte for byte; another seed another model.
  EXPECT_EQ(serialize_model(train_detector(data, config, &test, nullptr)), bytes);
  config.seed = 6;
  EXPECT_NE(train_detector(data, config, &test, nullptr).model->parameters, model.model->parameters);

  // The report names the score for what it is and has no reconstruction panel.
  std::vector<double> score_list(scores.data(), scores.data() + scores.size());
  std::string html = html_report(back, test, score_list);
  EXPECT_NE(html.find("LSTM(8) over 24 steps"), std::string::npos);
  EXPECT_NE(html.find("probability that the beat is abnormal"), std::string::npos);
  EXPECT_EQ(html.find("Beats and their reconstructions"), std::string::npos);
  EXPECT_EQ(html.find("href=\"#beats\""), std::string::npos);  // no link to the section it does not have
  // It learnt from every labelled row, not from the normal ones only.
  EXPECT_NE(html.find(" labelled rows (normal and abnormal)</td>"), std::string::npos);
  EXPECT_EQ(html.find("normal rows"), std::string::npos);
  EXPECT_NE(html.find("training loss (labelled training beats)"), std::string::npos);
}

// A beat's score is bit-for-bit the same alone, in any batch, at any position, through Model::score.
TEST(LstmModel, ScoresAreBatchInvariant) {
  std::unique_ptr<Model> model = make_model("lstm", {{"input_width", 20}, {"hidden", 12}});
  Rng rng(3);
  model->init(rng);
  for (float& v : model->parameters) v += static_cast<float>(0.3 * (rng.uniform01() - 0.5));
  Mat<float> beats(20, 97);
  for (Eigen::Index i = 0; i < beats.size(); ++i) beats.data()[i] = static_cast<float>(rng.uniform01());
  std::unique_ptr<Workspace> workspace = model->new_workspace();
  Eigen::VectorXd all, part;
  model->score(beats, *workspace, all);
  for (Eigen::Index start : {0, 1, 5, 30, 64, 90}) {
    for (Eigen::Index n : {1, 2, 3, 4, 7, 65}) {
      if (start + n > beats.cols()) continue;
      model->score(beats.middleCols(start, n), *workspace, part);
      for (Eigen::Index j = 0; j < n; ++j) ASSERT_EQ(part(j), all(start + j)) << start << "+" << j << " of " << n;
    }
  }
}

// The validation loss is the clipped BCE of the scored probabilities (abnormal = 1).
TEST(LstmModel, ValidationLossIsTheBinaryCrossEntropyOfTheScores) {
  std::unique_ptr<Model> model = make_model("lstm", {{"input_width", 10}, {"hidden", 4}});
  Rng rng(4);
  model->init(rng);
  std::unique_ptr<Workspace> workspace = model->new_workspace();
  // 5 beats, and more than the 4,096 the loss takes at a time (chunks of unequal size weigh by their beats).
  for (Eigen::Index beats : {5, 5000}) {
    Batch batch;
    batch.beats = Mat<float>::Random(10, beats);
    for (Eigen::Index j = 0; j < beats; ++j) batch.normal.push_back(j % 5 == 0 || j % 5 == 3 || j % 5 == 4);
    Eigen::VectorXd p;
    model->score(batch.beats, *workspace, p);
    double expected = 0;
    for (Eigen::Index j = 0; j < beats; ++j) {
      expected -= batch.normal[static_cast<std::size_t>(j)] ? std::log(1 - p(j)) : std::log(p(j));
    }
    EXPECT_NEAR(model->loss(batch, *workspace).total, expected / static_cast<double>(beats), 1e-12) << beats;
    batch.normal.clear();
    EXPECT_THROW(model->loss(batch, *workspace), Error);
  }
}

}  // namespace
}  // namespace ecgad
