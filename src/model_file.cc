#include "ecgad/model_file.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "ecgad/error.h"
#include "ecgad/model.h"
#include "ecgad/output.h"
#include "ecgad/sha256.h"
#include "ecgad/version.h"

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

namespace {

// The model object of line 2: kind, architecture, the tensor table, and what the score means.
nlohmann::json model_object(const Model& model) {
  nlohmann::json m = model.architecture();
  m["kind"] = model.kind();
  m["parameter_count"] = model.parameters.size();
  nlohmann::json tensors = nlohmann::json::array();
  for (const Tensor& t : model.tensors) tensors.push_back({{"name", t.name}, {"shape", t.shape}, {"offset", t.offset}});
  m["tensors"] = tensors;
  m["anomaly_score"] = model.score_description();
  return m;
}

// Keys of the model object that are not the architecture.
bool describes_file(const std::string& key) {
  return key == "kind" || key == "parameter_count" || key == "tensors" || key == "anomaly_score" ||
         key == "parameter_layout";
}

}  // namespace

nlohmann::json model_info(const TrainedModel& model) {
  return {
      {"format", kMagic},
      {"version", kModelFormatVersion},
      {"created_by", std::string("ecgad ") + version()},
      {"model", model_object(*model.model)},
      {"normalizer",
       {{"kind", "min-max"}, {"per_column", model.scaler.per_column}, {"min", model.scaler.min},
        {"max", model.scaler.max}, {"clipped", false}}},
      {"labels",
       {{"normal", model.labels.normal}, {"abnormal", model.labels.abnormal}, {"column", "last"}}},
      {"threshold",
       {{"value", model.threshold.value}, {"strategy", model.threshold.strategy},
        {"rule", "anomaly when " + model.model->score_name() + " >= threshold"}, {"details", model.threshold.details}}},
      {"training", model.training},
  };
}

std::string serialize_model(const TrainedModel& model) {
  std::string out = kMagic + " " + std::to_string(kModelFormatVersion) + "\n";
  out += model_info(model).dump();
  out += "\n";
  const AlignedVector<float>& params = model.model->parameters;
  out.reserve(out.size() + 4 * params.size() + kTrailerSize);
  for (float p : params) append_float_le(out, p);
  out += kTrailer + sha256_hex(out) + "\n";
  return out;
}

TrainedModel parse_model(const std::string& bytes, const std::string& name, const std::vector<ModelKind>& kinds) {
  auto fail = [&](const std::string& what) -> Error { return Error("model '" + name + "': " + what); };
  std::size_t first_newline = bytes.find('\n');
  std::string first_line = bytes.substr(0, std::min(first_newline, std::size_t{64}));
  if (first_line.compare(0, kMagic.size() + 1, kMagic + " ") != 0) {
    throw fail("not an ecgad model file (it does not start with '" + kMagic + "')");
  }
  int version = 0;
  if (first_newline != std::string::npos && first_line == kMagic + " 1") version = 1;
  if (first_newline != std::string::npos && first_line == kMagic + " 2") version = 2;
  if (version == 0) {
    throw fail("model format version " + ecgad::quoted(first_line.substr(kMagic.size() + 1)) +
               " is not supported (this ecgad reads versions 1 and 2)");
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
    if (!m.is_object()) throw fail("'model' is not an object");
    std::string kind = m.at("kind").get<std::string>();
    if (version == 1 && kind != "autoencoder") throw fail("model kind '" + ecgad::quoted(kind) + "' in a version-1 file");
    // The weight block must hold exactly the declared count, checked before anything is allocated for it.
    const nlohmann::json& declared = m.at("parameter_count");
    if (!declared.is_number_unsigned()) throw fail("the parameter count is not a whole number");
    std::size_t count = declared.get<std::size_t>();
    std::size_t block = body_size - (json_end + 1);
    if (block % 4 != 0 || count != block / 4) throw fail("the weights do not have the size the metadata gives");
    nlohmann::json architecture = nlohmann::json::object();
    for (auto it = m.begin(); it != m.end(); ++it) {
      if (!describes_file(it.key())) architecture[it.key()] = it.value();
    }
    std::unique_ptr<Model> model;
    try {
      model = make_model(kind, architecture, count, kinds);
    } catch (const Error& e) {
      throw fail(e.what());
    }
    if (model->parameters.size() != count) throw fail("parameter count does not match the layers");
    if (version == 2) {
      // The table in the file must be the one this ecgad builds for that architecture: same names, shapes, order.
      nlohmann::json expected = model_object(*model).at("tensors");
      if (m.at("tensors") != expected) throw fail("the tensor table does not match the " + kind + " architecture");
    }
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + json_end + 1);
    for (std::size_t i = 0; i < count; ++i) {
      model->parameters[i] = read_float_le(p + 4 * i);
      if (!std::isfinite(model->parameters[i])) throw fail("a weight is not a finite number");
    }
    TrainedModel trained{std::move(model), {}, {}, {}, info.at("training")};

    const nlohmann::json& n = info.at("normalizer");
    trained.scaler.per_column = n.at("per_column").get<bool>();
    trained.scaler.min = n.at("min").get<std::vector<double>>();
    trained.scaler.max = n.at("max").get<std::vector<double>>();
    std::size_t scaler_width = trained.scaler.per_column ? static_cast<std::size_t>(trained.input_width()) : 1;
    if (trained.scaler.min.size() != scaler_width || trained.scaler.max.size() != scaler_width) {
      throw fail("the normalizer does not fit the input width");
    }
    const nlohmann::json& labels = info.at("labels");
    trained.labels.normal = labels.at("normal").get<double>();
    trained.labels.abnormal = labels.at("abnormal").get<double>();
    const nlohmann::json& t = info.at("threshold");
    if (!t.at("value").is_number()) throw fail("the threshold is not a number");
    trained.threshold.value = t.at("value").get<double>();
    trained.threshold.strategy = t.at("strategy").get<std::string>();
    trained.threshold.details = t.value("details", nlohmann::json::object());
    if (!std::isfinite(trained.threshold.value)) throw fail("the threshold is not finite");
    return trained;
  } catch (const nlohmann::json::exception& e) {
    throw fail(std::string("malformed metadata: ") + e.what());
  }
}

void save_model(const std::string& path, const TrainedModel& model) {
  AtomicOutput out(path);
  out.write(serialize_model(model));
  out.commit();
}

TrainedModel load_model(const std::string& path, const std::vector<ModelKind>& kinds) {
  return parse_model(read_file(path), path, kinds);
}

}  // namespace ecgad
