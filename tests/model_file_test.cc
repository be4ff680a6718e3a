#include "ecgad/model_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "ecgad/error.h"
#include "ecgad/random.h"

namespace ecgad {
namespace {

TrainedModel small_model() {
  Network<float> net(autoencoder_layers(6, {4, 2}));
  Rng rng(42);
  net.init_glorot_uniform(rng);
  std::vector<double> values = {-1, 0.5, 2, 3, 0, 1};
  MinMaxScaler scaler = MinMaxScaler::fit(values.data(), 1, 6, false);
  ThresholdChoice threshold{0.0123456789012345, "mean-std:1", {{"from", "normal training rows"}, {"rows", 10}}};
  nlohmann::json training = {{"seed", 42}, {"history", {{{"epoch", 1}, {"loss", 0.5}, {"val_loss", nullptr}}}}};
  return TrainedModel{std::move(net), scaler, LabelSpec{1, 0}, threshold, training};
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

TEST(ModelFile, RoundTripIsBitExact) {
  TrainedModel model = small_model();
  std::string bytes = serialize_model(model);
  TrainedModel back = parse_model(bytes, "m.ecgad");
  EXPECT_EQ(back.network.params, model.network.params);  // float equality: every bit
  EXPECT_EQ(back.scaler.min, model.scaler.min);
  EXPECT_EQ(back.scaler.max, model.scaler.max);
  EXPECT_EQ(back.threshold.value, model.threshold.value);
  EXPECT_EQ(back.threshold.strategy, "mean-std:1");
  EXPECT_EQ(back.training["seed"], 42);
  ASSERT_EQ(back.network.layers.size(), 4u);
  EXPECT_EQ(back.network.layers.back().activation, Activation::sigmoid);
  EXPECT_EQ(back.loss, Loss::mae);
  EXPECT_EQ(serialize_model(back), bytes);
}

TEST(ModelFile, RecordsTheTrainingLoss) {
  TrainedModel model = small_model();
  model.loss = Loss::mse;
  std::string bytes = serialize_model(model);
  EXPECT_NE(bytes.find("\"loss\":\"mse\""), std::string::npos);
  EXPECT_EQ(parse_model(bytes, "m.ecgad").loss, Loss::mse);
}

TEST(ModelFile, StartsWithMagicAndEndsWithChecksum) {
  std::string bytes = serialize_model(small_model());
  EXPECT_EQ(bytes.rfind("ecgad-model 1\n{", 0), 0u);
  EXPECT_EQ(bytes.substr(bytes.size() - 72, 7), "sha256 ");
  EXPECT_EQ(bytes.back(), '\n');
}

TEST(ModelFile, TruncatedFilesAreRefused) {
  std::string bytes = serialize_model(small_model());
  for (std::size_t keep : {std::size_t{0}, std::size_t{5}, std::size_t{14}, bytes.size() / 2, bytes.size() - 1}) {
    std::string message = expect_refused(bytes.substr(0, keep));
    EXPECT_NE(message.find("m.ecgad"), std::string::npos) << message;
  }
  EXPECT_NE(expect_refused(bytes.substr(0, bytes.size() / 2)).find("truncated"), std::string::npos);
}

TEST(ModelFile, EveryFlippedByteIsDetected) {
  std::string bytes = serialize_model(small_model());
  // Flip one byte in the metadata, in the weights and in the checksum itself.
  for (std::size_t at : {std::size_t{20}, bytes.size() - 200, bytes.size() - 10}) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x01);
    EXPECT_NE(expect_refused(damaged).find("corrupted"), std::string::npos) << "byte " << at;
  }
}

TEST(ModelFile, OtherVersionAndNonModelFilesAreRefused) {
  std::string bytes = serialize_model(small_model());
  std::string v2 = bytes;
  v2[12] = '2';
  EXPECT_NE(expect_refused(v2).find("version '2' is not supported"), std::string::npos);
  EXPECT_NE(expect_refused("1,2,3\n4,5,6\n").find("not an ecgad model file"), std::string::npos);
  EXPECT_NE(expect_refused(std::string("\x89PNG\r\n\x1a\n", 8)).find("not an ecgad model file"), std::string::npos);
}

TEST(ModelFile, SaveIsAtomicAndLoadReadsItBack) {
  std::string path = ::testing::TempDir() + "/model_file_test.ecgad";
  TrainedModel model = small_model();
  save_model(path, model);
  EXPECT_EQ(load_model(path).network.params, model.network.params);
  EXPECT_THROW(save_model("/nonexistent-dir/m.ecgad", model), Error);
  EXPECT_THROW(load_model("/nonexistent-dir/m.ecgad"), Error);
}

TEST(ModelFile, InfoHasEverythingButWeights) {
  nlohmann::json info = model_info(small_model());
  EXPECT_EQ(info["model"]["input_width"], 6);
  EXPECT_EQ(info["model"]["layers"].size(), 4u);
  EXPECT_EQ(info["threshold"]["strategy"], "mean-std:1");
  EXPECT_EQ(info["normalizer"]["min"][0], -1.0);
  EXPECT_FALSE(info.contains("weights"));
}

}  // namespace
}  // namespace ecgad
