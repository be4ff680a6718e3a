// The detector end to end on toy data: which rows it trains on, how it chooses its threshold, how it scores.
#include "ecgad/detector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ecgad/error.h"
#include "ecgad/random.h"

namespace ecgad {
namespace {

constexpr std::size_t kWidth = 8;

// Normal beats are a bump with values in [0.1, 0.9], abnormal ones a dip; row 0 holds the extremes 0 and 1 so
// that the global min-max scaler does not depend on the abnormal rows. Every third row (from 2) is abnormal.
Dataset toy(std::size_t rows, bool labelled = true) {
  Dataset data;
  data.name = "toy.csv";
  data.width = kWidth;
  Rng rng(5);
  for (std::size_t r = 0; r < rows; ++r) {
    bool normal = r % 3 != 2;
    for (std::size_t s = 0; s < kWidth; ++s) {
      double t = std::sin(3.14159 * static_cast<double>(s) / kWidth);
      double v = normal ? 0.1 + 0.7 * t + 0.1 * rng.uniform01() : 0.9 - 0.7 * t - 0.1 * rng.uniform01();
      data.values.push_back(r == 0 && s < 2 ? static_cast<double>(s) : v);
    }
    if (labelled) data.normal.push_back(normal ? 1 : 0);
    data.lines.push_back(r + 1);
  }
  return data;
}

DetectorConfig small_config(const std::string& preset = "tutorial") {
  DetectorConfig config = preset_config(preset);
  config.options["encoder"] = {4};
  config.train.epochs = 3;
  config.train.batch_size = 8;
  return config;
}

std::vector<double> scores_of(const TrainedModel& model, const Dataset& data) {
  std::unique_ptr<Workspace> workspace = model.model->new_workspace();
  Eigen::VectorXd s = anomaly_scores(model, data, *workspace);
  return std::vector<double>(s.data(), s.data() + s.size());
}

TEST(Detector, TrainsOnNormalRowsOnly) {
  Dataset data = toy(30);
  TrainedModel model = train_detector(data, small_config(), nullptr, nullptr);
  EXPECT_EQ(model.training["trained_on_rows"], 20);
  EXPECT_EQ(model.training["data"]["rows"], 30);
  // Other abnormal beats (inside the same value range, so the scaler is unchanged) give the very same model.
  Dataset other = data;
  for (std::size_t r = 2; r < other.rows(); r += 3) {
    for (std::size_t s = 0; s < kWidth; ++s) other.values[r * kWidth + s] = 0.5;
  }
  TrainedModel same = train_detector(other, small_config(), nullptr, nullptr);
  EXPECT_EQ(same.model->parameters, model.model->parameters);
  EXPECT_EQ(same.threshold.value, model.threshold.value);
  // mean-std:1 is computed on the normal rows' scores.
  std::vector<double> scores = scores_of(model, data), normal;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (data.normal[i]) normal.push_back(scores[i]);
  }
  EXPECT_DOUBLE_EQ(model.threshold.value,
                   choose_threshold({ThresholdStrategy::Kind::mean_std, 1}, normal, {}, {}).value);
}

// A detector trained with per-beat normalisation records it, and learns from the normalised rows: the same as a plain
// detector trained on rows normalised beforehand.
TEST(Detector, BeatNormalizationIsAppliedAndRecorded) {
  Dataset data = toy(30);
  DetectorConfig config = small_config();
  config.normalize = BeatNormalization::zscore;
  TrainedModel model = train_detector(data, config, nullptr, nullptr);
  EXPECT_EQ(model.beat_normalization, BeatNormalization::zscore);
  EXPECT_EQ(model.training["normalize"], "zscore");
  Dataset normalized = data;
  normalize_beats(normalized.values.data(), normalized.rows(), normalized.width, BeatNormalization::zscore);
  TrainedModel plain = train_detector(normalized, small_config(), nullptr, nullptr);
  EXPECT_EQ(plain.beat_normalization, BeatNormalization::none);
  EXPECT_EQ(plain.model->parameters, model.model->parameters);
  EXPECT_EQ(plain.threshold.value, model.threshold.value);
  Dataset scored = data;
  apply_beat_normalization(model, scored);
  EXPECT_EQ(scores_of(model, scored), scores_of(plain, normalized));
}

TEST(Detector, UnlabelledTrainsOnEveryRow) {
  TrainedModel model = train_detector(toy(30, false), small_config(), nullptr, nullptr);
  EXPECT_EQ(model.training["trained_on_rows"], 30);
  EXPECT_EQ(model.training["data"]["labelled"], false);
}

TEST(Detector, BestAccuracyFallsBackWithoutAbnormalRows) {
  Dataset all_normal = toy(30);
  for (auto& n : all_normal.normal) n = 1;
  TrainedModel model = train_detector(all_normal, small_config("default"), nullptr, nullptr);
  EXPECT_EQ(model.threshold.strategy, "mean-std:1");
  EXPECT_NE(model.threshold.details.value("fallback", "").find("no abnormal rows"), std::string::npos)
      << model.threshold.details.dump();
  std::vector<double> scores = scores_of(model, all_normal);
  EXPECT_DOUBLE_EQ(model.threshold.value,
                   choose_threshold({ThresholdStrategy::Kind::mean_std, 1}, scores, {}, {}).value);

  // With abnormal rows, best-accuracy chooses on every labelled row of the data.
  Dataset data = toy(30);
  TrainedModel chosen = train_detector(data, small_config("default"), nullptr, nullptr);
  EXPECT_EQ(chosen.threshold.strategy, "best-accuracy");
  EXPECT_EQ(chosen.threshold.details["file"], "toy.csv");
  EXPECT_FALSE(chosen.threshold.details.contains("fallback"));
  EXPECT_EQ(
      chosen.threshold.value,
      choose_threshold({ThresholdStrategy::Kind::best_accuracy, 0}, {}, scores_of(chosen, data), data.normal).value);
}

TEST(Detector, RefusesWhatItCannotTrainOn) {
  Dataset empty;
  empty.name = "empty.csv";
  empty.width = kWidth;
  EXPECT_THROW(train_detector(empty, small_config(), nullptr, nullptr), Error);
  Dataset all_abnormal = toy(9);
  for (auto& n : all_abnormal.normal) n = 0;
  try {
    train_detector(all_abnormal, small_config(), nullptr, nullptr);
    ADD_FAILURE() << "trained without normal rows";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "'toy.csv' has no normal rows to train on");
  }
  Dataset narrow = toy(9);
  narrow.width = 4;
  narrow.name = "narrow.csv";
  Dataset data = toy(9);
  EXPECT_THROW(train_detector(data, small_config(), &narrow, nullptr), Error);
  EXPECT_THROW(preset_config("no-such-preset"), Error);
  EXPECT_EQ(default_preset("autoencoder"), "default");
}

TEST(Detector, ScoresOutOfRangeBeatsWithALocatedError) {
  Dataset data = toy(12);
  TrainedModel model = train_detector(data, small_config(), nullptr, nullptr);
  Dataset far = toy(3);
  far.name = "far.csv";
  far.lines = {4, 5, 6};
  // Scaled by the training range (here 1), a value beyond FLT_MAX: infinite as the model's float input. (A
  // CSV value is at most FLT_MAX, but a narrow training range scales it past that.)
  far.values[1 * kWidth + 3] = 1e39;
  try {
    scores_of(model, far);
    ADD_FAILURE() << "scored a beat far outside the training range";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("far.csv:5:1: this beat cannot be scored", 0), 0u) << e.what();
  }
  EXPECT_EQ(scores_of(model, data).size(), 12u);
}

}  // namespace
}  // namespace ecgad
