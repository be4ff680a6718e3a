#include "ecgad/model_file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "ecgad/autoencoder.h"
#include "ecgad/dataset.h"
#include "ecgad/detector.h"
#include "ecgad/error.h"
#include "ecgad/output.h"
#include "ecgad/random.h"
#include "ecgad/sha256.h"

namespace ecgad {
namespace {

TrainedModel small_model(const std::string& loss = "mae") {
  std::unique_ptr<Model> net = make_model("autoencoder", {{"input_width", 6}, {"encoder", {4, 2}}, {"loss", loss}});
  Rng rng(42);
  net->init(rng);
  std::vector<double> values = {-1, 0.5, 2, 3, 0, 1};
  MinMaxScaler scaler = MinMaxScaler::fit(values.data(), 1, 6, false);
  ThresholdChoice threshold{0.0123456789012345, "mean-std:1", {{"from", "normal training rows"}, {"rows", 10}}};
  nlohmann::json training = {{"seed", 42}, {"history", {{{"epoch", 1}, {"loss", 0.5}, {"val_loss", nullptr}}}}};
  return TrainedModel{std::move(net), scaler, LabelSpec{1, 0}, threshold, training, {}, BeatNormalization::none};
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
  EXPECT_EQ(back.model->parameters, model.model->parameters);  // float equality: every bit
  EXPECT_EQ(back.scaler.min, model.scaler.min);
  EXPECT_EQ(back.scaler.max, model.scaler.max);
  EXPECT_EQ(back.threshold.value, model.threshold.value);
  EXPECT_EQ(back.threshold.strategy, "mean-std:1");
  EXPECT_EQ(back.training["seed"], 42);
  const auto& autoencoder = dynamic_cast<const Autoencoder&>(*back.model);
  ASSERT_EQ(autoencoder.network.layers.size(), 4u);
  EXPECT_EQ(autoencoder.network.layers.back().activation, Activation::sigmoid);
  EXPECT_EQ(back.model->loss_name(), "mae");
  EXPECT_EQ(serialize_model(back), bytes);
}

// The per-beat normalisation a model was trained on: written as {"input": {"normalize": ...}} and read back; a file
// without it (every file before it) reads as none and keeps its bytes; an unknown value is refused.
TEST(ModelFile, RecordsTheBeatNormalization) {
  TrainedModel model = small_model();
  const std::string plain = serialize_model(model);
  EXPECT_EQ(plain.find("\"input\""), std::string::npos);
  EXPECT_EQ(parse_model(plain, "m").beat_normalization, BeatNormalization::none);
  model.beat_normalization = BeatNormalization::zscore;
  const std::string bytes = serialize_model(model);
  EXPECT_NE(bytes.find("\"input\":{\"normalize\":\"zscore\"}"), std::string::npos);
  EXPECT_EQ(parse_model(bytes, "m").beat_normalization, BeatNormalization::zscore);
  model.beat_normalization = BeatNormalization::minmax;
  EXPECT_EQ(parse_model(serialize_model(model), "m").beat_normalization, BeatNormalization::minmax);
  nlohmann::json info = model_info(model);
  info["input"]["normalize"] = "median";
  std::string bad = "ecgad-model 2\n" + info.dump() + "\n";
  for (float w : model.model->parameters) bad.append(reinterpret_cast<const char*>(&w), 4);
  bad += "sha256 " + sha256_hex(bad) + "\n";
  EXPECT_NE(expect_refused(bad).find("unknown beat normalisation 'median'"), std::string::npos);
}

TEST(ModelFile, RecordsTheTrainingLoss) {
  std::string bytes = serialize_model(small_model("mse"));
  EXPECT_NE(bytes.find("\"loss\":\"mse\""), std::string::npos);
  EXPECT_EQ(parse_model(bytes, "m.ecgad").model->loss_name(), "mse");
}

TEST(ModelFile, StartsWithMagicAndEndsWithChecksum) {
  std::string bytes = serialize_model(small_model());
  EXPECT_EQ(bytes.rfind("ecgad-model 2\n{", 0), 0u);
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
  std::string v3 = bytes;
  v3[12] = '3';
  EXPECT_NE(expect_refused(v3).find("version '3' is not supported (this ecgad reads versions 1 and 2)"),
            std::string::npos);
  EXPECT_NE(expect_refused("1,2,3\n4,5,6\n").find("not an ecgad model file"), std::string::npos);
  EXPECT_NE(expect_refused(std::string("\x89PNG\r\n\x1a\n", 8)).find("not an ecgad model file"), std::string::npos);
}

TEST(ModelFile, SaveIsAtomicAndLoadReadsItBack) {
  std::string path = ::testing::TempDir() + "/model_file_test.ecgad";
  TrainedModel model = small_model();
  save_model(path, model);
  EXPECT_EQ(load_model(path).model->parameters, model.model->parameters);
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

// The tensor table names every parameter block with its shape and offset, in buffer order without gaps.
TEST(ModelFile, TensorTableCoversTheWeightBlock) {
  nlohmann::json info = model_info(small_model());
  const nlohmann::json& tensors = info["model"]["tensors"];
  ASSERT_EQ(tensors.size(), 8u);  // 4 layers x (weight, bias)
  EXPECT_EQ(tensors[0]["name"], "layers.0.weight");
  EXPECT_EQ(tensors[0]["shape"], nlohmann::json({4, 6}));
  EXPECT_EQ(tensors[1]["name"], "layers.0.bias");
  EXPECT_EQ(tensors[1]["offset"], 24);
  std::size_t next = 0;
  for (const nlohmann::json& t : tensors) {
    EXPECT_EQ(t["offset"].get<std::size_t>(), next) << t["name"];
    std::size_t size = 1;
    for (const nlohmann::json& d : t["shape"]) size *= d.get<std::size_t>();
    next += size;
  }
  EXPECT_EQ(next, info["model"]["parameter_count"].get<std::size_t>());
}

// A file whose tensor table disagrees with its architecture is refused, even with a valid checksum.
TEST(ModelFile, TensorTableMustMatchTheArchitecture) {
  TrainedModel model = small_model();
  nlohmann::json info = model_info(model);
  info["model"]["tensors"][0]["name"] = "renamed";
  std::string bytes = "ecgad-model 2\n" + info.dump() + "\n";
  for (float p : model.model->parameters) bytes.append(reinterpret_cast<const char*>(&p), 4);  // x86: little-endian
  bytes += "sha256 " + sha256_hex(bytes) + "\n";
  EXPECT_NE(expect_refused(bytes).find("tensor table"), std::string::npos);
}

// A version-1 file can only hold an autoencoder; the refusal quotes the kind once ('vae', not ''vae'').
TEST(ModelFile, VersionOneFileOfAnotherKindIsRefusedQuotingTheKindOnce) {
  std::string bytes = read_file(ECGAD_SOURCE_DIR "/tests/fixtures/model_v1.ecgad");
  bytes.erase(bytes.rfind("sha256 "));
  const std::string kind = "\"kind\":\"autoencoder\"";
  ASSERT_NE(bytes.find(kind), std::string::npos);
  bytes.replace(bytes.find(kind), kind.size(), "\"kind\":\"vae\"");
  bytes += "sha256 " + sha256_hex(bytes) + "\n";
  const std::string message = expect_refused(bytes);
  EXPECT_NE(message.find("model kind 'vae' in a version-1 file"), std::string::npos) << message;
}

// A version-1 file written by ecgad before the model interface (tests/fixtures/model_v1.ecgad, made with
// `ecgad train model_v1_data.csv -o model_v1.ecgad --layers 4,2 --epochs 3 --seed 5`) still loads and
// scores as it did then (model_v1_scores.csv is that ecgad's `score` output): the same verdicts, and scores
// within float rounding (that ecgad's output sigmoid was Eigen's exp, today's is float_math's, a few ulp apart).
TEST(ModelFile, VersionOneFilesStillLoadAndScoreTheSame) {
  const std::string dir = ECGAD_SOURCE_DIR "/tests/fixtures/";
  TrainedModel model = load_model(dir + "model_v1.ecgad");
  EXPECT_EQ(model.model->kind(), "autoencoder");
  EXPECT_EQ(model.input_width(), 6);
  EXPECT_EQ(model.model->tensors.size(), 8u);
  Dataset data = load_for_model(dir + "model_v1_data.csv", model, CsvOptions{}, true, "test");
  std::unique_ptr<Workspace> workspace = model.model->new_workspace();
  Eigen::VectorXd scores = anomaly_scores(model, data, *workspace);
  std::istringstream expected(read_file(dir + "model_v1_scores.csv"));
  std::string line;
  std::getline(expected, line);
  EXPECT_EQ(line, "row,error,verdict,label");
  Eigen::Index i = 0;
  for (; std::getline(expected, line); ++i) {
    ASSERT_LT(i, scores.size());
    char verdict[16], label[16];
    long row = 0;
    double then = 0;
    ASSERT_EQ(std::sscanf(line.c_str(), "%ld,%lf,%15[a-z],%15[a-z]", &row, &then, verdict, label), 4) << line;
    EXPECT_EQ(row, i + 1);
    EXPECT_NEAR(scores(i), then, 3e-8 * then) << line;
    EXPECT_STREQ(scores(i) >= model.threshold.value ? "anomaly" : "normal", verdict) << line;
    EXPECT_STREQ(data.normal[static_cast<std::size_t>(i)] ? "normal" : "abnormal", label) << line;
  }
  EXPECT_EQ(i, scores.size());
  // Saved again, it becomes a version-2 file with the same weights.
  TrainedModel again = parse_model(serialize_model(model), "again");
  EXPECT_EQ(again.model->parameters, model.model->parameters);
}

}  // namespace
}  // namespace ecgad

namespace ecgad {
namespace {

// A model file as an attacker would write it: any metadata and weights, with a valid checksum.
std::string crafted(const nlohmann::json& info, const std::vector<float>& weights, int version = 2) {
  std::string bytes = "ecgad-model " + std::to_string(version) + "\n" + info.dump() + "\n";
  for (float w : weights) bytes.append(reinterpret_cast<const char*>(&w), 4);  // x86: little-endian
  return bytes + "sha256 " + sha256_hex(bytes) + "\n";
}

std::vector<float> weights_of(const TrainedModel& model) {
  return std::vector<float>(model.model->parameters.begin(), model.model->parameters.end());
}

TEST(ModelFileHostile, ThePlainCraftedFileLoads) {  // the baseline the cases below damage one field of
  TrainedModel model = small_model();
  EXPECT_NO_THROW(parse_model(crafted(model_info(model), weights_of(model)), "m.ecgad"));
}

TEST(ModelFileHostile, HugeLayersAreRefusedBeforeAnyAllocation) {
  TrainedModel model = small_model();
  nlohmann::json info = model_info(model);
  // Layers whose weights would take gigabytes, in a file of a few hundred bytes.
  info["model"]["layers"][1]["outputs"] = 60000;
  info["model"]["layers"][2]["inputs"] = 60000;
  EXPECT_NE(expect_refused(crafted(info, weights_of(model))).find("allowed"), std::string::npos);
  for (long long size : {2147483647LL, -1LL, 0LL}) {
    info = model_info(model);
    info["model"]["layers"][0]["outputs"] = size;
    EXPECT_NE(expect_refused(crafted(info, weights_of(model))).find("layer sizes"), std::string::npos) << size;
  }
  info = model_info(model);
  info["model"]["layers"][0]["outputs"] = 1e30;
  EXPECT_NE(expect_refused(crafted(info, weights_of(model))).find("whole numbers"), std::string::npos);
  info = model_info(model);
  info["model"]["parameter_count"] = 18446744073709551615ULL;
  EXPECT_NE(expect_refused(crafted(info, weights_of(model))).find("size the metadata gives"), std::string::npos);
}

TEST(ModelFileHostile, DeepNestingIsRefusedWithoutRecursion) {
  TrainedModel model = small_model();
  std::string deep = std::string(150000, '[') + std::string(150000, ']');
  std::string bytes = "ecgad-model 2\n" + deep + "\n";
  bytes += "sha256 " + sha256_hex(bytes) + "\n";
  EXPECT_NE(expect_refused(bytes).find("nested deeper"), std::string::npos);
}

TEST(ModelFileHostile, InconsistentModelsAreRefused) {
  TrainedModel model = small_model();
  auto refused_with = [&](const std::function<void(nlohmann::json&)>& damage, const std::vector<float>& weights,
                          const std::string& words) {
    nlohmann::json info = model_info(model);
    damage(info);
    std::string message = expect_refused(crafted(info, weights));
    EXPECT_NE(message.find(words), std::string::npos) << message;
    EXPECT_EQ(message.rfind("model 'm.ecgad': ", 0), 0u) << message;
  };
  std::vector<float> w = weights_of(model);
  // A decoder that does not give back the input width (it would read out of bounds when scored).
  refused_with([](nlohmann::json& i) { i["model"]["layers"].erase(3); }, w, "");
  refused_with(
      [](nlohmann::json& i) {
        i["normalizer"]["min"] = {5.0};
        i["normalizer"]["max"] = {1.0};
      },
      w, "min < max");
  refused_with(
      [](nlohmann::json& i) {
        i["normalizer"]["max"] = {1e308};
        i["normalizer"]["min"] = {-1e308};
      },
      w, "finite interval");
  refused_with([](nlohmann::json& i) { i["labels"]["abnormal"] = 1.0; }, w, "distinct");
  refused_with([](nlohmann::json& i) { i["threshold"]["strategy"] = "mean-std:1\r\nthreshold 0"; }, w,
               "control characters");
  refused_with([](nlohmann::json& i) { i["training"]["data"]["name"] = "\x1b[2Jgone"; }, w, "control characters");
  // C1 controls and the bidirectional overrides are controls too (text.h's one policy).
  refused_with(
      [](nlohmann::json& i) {
        i["training"]["data"]["name"] =
            "a\xc2\x9b"
            "2Jb";
      },
      w, "control characters");
  refused_with([](nlohmann::json& i) { i["training"]["data"]["name"] = "evil\xe2\x80\xaevsc.csv"; }, w,
               "control characters");
  refused_with([](nlohmann::json& i) { i["threshold"]["strategy"] = "magic"; }, w, "not one ecgad knows");
  std::vector<float> nan_weights = w;
  nan_weights[3] = std::nanf("");
  refused_with([](nlohmann::json&) {}, nan_weights, "not a finite number");
}

TEST(ModelFileHostile, ModelsAreReadWithASizeLimit) {
  // /dev/zero never ends; the loader stops at the wrong magic instead of reading forever.
  try {
    load_model("/dev/zero");
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not an ecgad model file"), std::string::npos) << e.what();
  }
}

TEST(ModelFileHostile, AModelThatCouldNotBeLoadedIsNeverWritten) {
  TrainedModel model = small_model();
  model.threshold.strategy = "nonsense";
  std::string path = ::testing::TempDir() + "/never_written.ecgad";
  std::remove(path.c_str());
  EXPECT_THROW(save_model(path, model), Error);
  EXPECT_FALSE(std::ifstream(path).good());
}

}  // namespace
}  // namespace ecgad
