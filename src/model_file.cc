#include "ecgad/model_file.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "ecgad/error.h"
#include "ecgad/output.h"
#include "ecgad/sha256.h"

namespace ecgad {
namespace {

const std::string kMagic = "ecgad-model";
const std::string kTrailer = "sha256 ";
constexpr std::size_t kTrailerSize = 7 + 64 + 1;  // "sha256 " + hex + "\n"

void append_float_le(std::string& out, float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  for (int i = 0; i < 4; ++i) out += static_cast<char>((bits >> (8 * i)) & 0xff);
}

float read_float_le(const unsigned char* p) {
  std::uint32_t bits = 0;
  for (int i = 0; i < 4; ++i) bits |= std::uint32_t(p[i]) << (8 * i);
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

}  // namespace

nlohmann::json model_info(const TrainedModel& model) {
  nlohmann::json layers = nlohmann::json::array();
  for (const DenseSpec& layer : model.network.layers) {
    layers.push_back({{"type", "dense"}, {"inputs", layer.inputs}, {"outputs", layer.outputs},
                      {"activation", to_string(layer.activation)}});
  }
  return {
      {"format", kMagic},
      {"version", kModelFormatVersion},
      {"created_by", std::string("ecgad ") + ECGAD_VERSION},
      {"model",
       {{"kind", "autoencoder"},
        {"input_width", model.input_width()},
        {"layers", layers},
        {"parameter_count", model.network.params.size()},
        {"parameter_layout", "per layer: weights (outputs x inputs, column-major) then biases; float32 little-endian"},
        {"loss", to_string(model.loss)},
        {"anomaly_score", "mean absolute reconstruction error of the scaled beat"}}},
      {"normalizer",
       {{"kind", "min-max"}, {"per_column", model.scaler.per_column}, {"min", model.scaler.min},
        {"max", model.scaler.max}, {"clipped", false}}},
      {"labels",
       {{"normal", model.labels.normal}, {"abnormal", model.labels.abnormal}, {"column", "last"}}},
      {"threshold",
       {{"value", model.threshold.value}, {"strategy", model.threshold.strategy},
        {"rule", "anomaly when error >= threshold"}, {"details", model.threshold.details}}},
      {"training", model.training},
  };
}

std::string serialize_model(const TrainedModel& model) {
  std::string out = kMagic + " " + std::to_string(kModelFormatVersion) + "\n";
  out += model_info(model).dump();
  out += "\n";
  out.reserve(out.size() + 4 * model.network.params.size() + kTrailerSize);
  for (float p : model.network.params) append_float_le(out, p);
  out += kTrailer + sha256_hex(out) + "\n";
  return out;
}

TrainedModel parse_model(const std::string& bytes, const std::string& name) {
  auto fail = [&](const std::string& what) -> Error { return Error("model '" + name + "': " + what); };
  std::size_t first_newline = bytes.find('\n');
  std::string first_line = bytes.substr(0, std::min(first_newline, std::size_t{64}));
  if (first_line.compare(0, kMagic.size() + 1, kMagic + " ") != 0) {
    throw fail("not an ecgad model file (it does not start with '" + kMagic + "')");
  }
  if (first_newline == std::string::npos || first_line != kMagic + " " + std::to_string(kModelFormatVersion)) {
    throw fail("model format version '" + first_line.substr(kMagic.size() + 1) +
               "' is not supported (this ecgad reads version " + std::to_string(kModelFormatVersion) + ")");
  }
  if (bytes.size() < kTrailerSize || bytes.compare(bytes.size() - kTrailerSize, kTrailer.size(), kTrailer) != 0 ||
      bytes.back() != '\n') {
    throw fail("the file is truncated (its checksum line is missing)");
  }
  std::size_t body_size = bytes.size() - kTrailerSize;
  std::string stored = bytes.substr(body_size + kTrailer.size(), 64);
  if (sha256_hex(std::string_view(bytes.data(), body_size)) != stored) {
    throw fail("the file is corrupted (its checksum does not match its content)");
  }
  std::size_t json_end = bytes.find('\n', first_newline + 1);
  if (json_end == std::string::npos || json_end >= body_size) throw fail("the metadata line is missing");
  try {
    nlohmann::json info = nlohmann::json::parse(bytes.begin() + static_cast<std::ptrdiff_t>(first_newline + 1),
                                                bytes.begin() + static_cast<std::ptrdiff_t>(json_end));
    const nlohmann::json& m = info.at("model");
    if (m.at("kind").get<std::string>() != "autoencoder") {
      throw fail("model kind '" + m.at("kind").get<std::string>() + "' is not known to this ecgad");
    }
    std::vector<DenseSpec> specs;
    for (const nlohmann::json& layer : m.at("layers")) {
      specs.push_back({layer.at("inputs").get<int>(), layer.at("outputs").get<int>(),
                       parse_activation(layer.at("activation").get<std::string>())});
    }
    TrainedModel model{Network<float>(specs), {}, {}, {}, info.at("training"),
                       parse_loss(m.at("loss").get<std::string>())};
    std::size_t count = m.at("parameter_count").get<std::size_t>();
    if (count != model.network.params.size()) throw fail("parameter count does not match the layers");
    if (json_end + 1 + 4 * count != body_size) throw fail("the weights do not have the size the metadata gives");
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + json_end + 1);
    for (std::size_t i = 0; i < count; ++i) model.network.params[i] = read_float_le(p + 4 * i);

    const nlohmann::json& n = info.at("normalizer");
    model.scaler.per_column = n.at("per_column").get<bool>();
    model.scaler.min = n.at("min").get<std::vector<double>>();
    model.scaler.max = n.at("max").get<std::vector<double>>();
    std::size_t scaler_width = model.scaler.per_column ? static_cast<std::size_t>(model.input_width()) : 1;
    if (model.scaler.min.size() != scaler_width || model.scaler.max.size() != scaler_width) {
      throw fail("the normalizer does not fit the input width");
    }
    const nlohmann::json& labels = info.at("labels");
    model.labels.normal = labels.at("normal").get<double>();
    model.labels.abnormal = labels.at("abnormal").get<double>();
    const nlohmann::json& t = info.at("threshold");
    if (!t.at("value").is_number()) throw fail("the threshold is not a number");
    model.threshold.value = t.at("value").get<double>();
    model.threshold.strategy = t.at("strategy").get<std::string>();
    model.threshold.details = t.value("details", nlohmann::json::object());
    if (!std::isfinite(model.threshold.value)) throw fail("the threshold is not finite");
    return model;
  } catch (const nlohmann::json::exception& e) {
    throw fail(std::string("malformed metadata: ") + e.what());
  }
}

void save_model(const std::string& path, const TrainedModel& model) {
  AtomicOutput out(path);
  out.write(serialize_model(model));
  out.commit();
}

TrainedModel load_model(const std::string& path) { return parse_model(read_file(path), path); }

}  // namespace ecgad
