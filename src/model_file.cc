#include "ecgad/model_file.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>

#include "ecgad/error.h"
#include "ecgad/model.h"
#include "ecgad/output.h"
#include "ecgad/sha256.h"
#include "ecgad/text.h"
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

// Limits checked before anything else is believed: a model file is input from anywhere.
constexpr std::size_t kMaxMetadataBytes = std::size_t{16} << 20;  // line 2; ecgad writes a few KB
constexpr int kMaxJsonDepth = 32;                                 // ecgad writes 6 levels
constexpr std::size_t kMaxModelFileBytes = kMaxMetadataBytes + 4 * kDefaultParameterLimit + 256;

// Every string in the metadata must be printable: stored strings reach terminals and reports.
void check_printable(const nlohmann::json& j, const std::function<Error(const std::string&)>& fail) {
  auto printable = [](const std::string& text) { return is_plain_text(text); };  // C0, DEL, C1, bidi: text.h
  if (j.is_string() && !printable(j.get_ref<const std::string&>())) {
    throw fail("a text in the metadata holds control characters");
  }
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (!printable(it.key())) throw fail("a key in the metadata holds control characters");
      check_printable(it.value(), fail);
    }
  } else if (j.is_array()) {
    for (const nlohmann::json& item : j) check_printable(item, fail);
  }
}

}  // namespace

namespace {

nlohmann::json labels_object(const TrainedModel& model) {
  nlohmann::json labels = {{"normal", model.labels.normal}, {"abnormal", model.labels.abnormal}};
  labels["column"] = label_column_text(model.columns);
  if (model.labels.others_abnormal) labels["others_abnormal"] = true;
  if (!model.columns.ids.empty()) labels["id_columns"] = model.columns.ids;
  return labels;
}

}  // namespace

nlohmann::json model_info(const TrainedModel& model) {
  nlohmann::json info = {
      {"format", kMagic},
      {"version", kModelFormatVersion},
      {"created_by", std::string("ecgad ") + version()},
      {"model", model_object(*model.model)},
      {"normalizer",
       {{"kind", "min-max"},
        {"per_column", model.scaler.per_column},
        {"min", model.scaler.min},
        {"max", model.scaler.max},
        {"clipped", false}}},
      {"labels", labels_object(model)},
      {"threshold",
       {{"value", model.threshold.value},
        {"strategy", model.threshold.strategy},
        {"rule", "anomaly when " + model.model->score_name() + " >= threshold"},
        {"details", model.threshold.details}}},
      {"training", model.training},
  };
  // Written only when there is one, so that a model without it has the bytes it always had.
  if (model.beat_normalization != BeatNormalization::none) {
    info["input"] = {{"normalize", to_string(model.beat_normalization)}};
  }
  return info;
}

namespace {

// Stored texts come from the user (a data file's name): controls are stored as their visible escapes ("\x1b"),
// so that a name the loader would refuse does not fail the save after minutes of training.
void store_as_plain_text(nlohmann::json& j) {
  if (j.is_string() && !is_plain_text(j.get_ref<const std::string&>())) {
    std::string shown = terminal_text(j.get_ref<const std::string&>()), plain;
    for (char c : shown) plain += c == '\n' ? std::string("\\n") : c == '\t' ? std::string("\\t") : std::string(1, c);
    j = plain;
  } else if (j.is_structured()) {
    for (auto& item : j) store_as_plain_text(item);
  }
}

}  // namespace

std::string serialize_model(const TrainedModel& model) {
  std::string out = kMagic + " " + std::to_string(kModelFormatVersion) + "\n";
  nlohmann::json info = model_info(model);
  store_as_plain_text(info);
  out += json_dump(info);
  out += "\n";
  const AlignedVector<float>& params = model.model->parameters;
  out.reserve(out.size() + 4 * params.size() + kTrailerSize);
  for (float p : params) append_float_le(out, p);
  out += kTrailer + sha256_hex(out) + "\n";
  return out;
}

namespace {

// "model 'PATH': what": every refusal of a model file names it.
struct Refusal {
  std::string name;
  Error operator()(const std::string& what) const { return Error("model '" + name + "': " + what); }
};

// Where the parts of an intact file lie.
struct Envelope {
  int version = 0;
  std::size_t first_newline = 0, json_end = 0, body_size = 0;
};

// The magic, the version, the checksum line and the checksum, and the metadata line's bounds.
Envelope check_envelope(const std::string& bytes, const Refusal& fail) {
  Envelope e;
  e.first_newline = bytes.find('\n');
  std::string first_line = bytes.substr(0, std::min(e.first_newline, std::size_t{64}));
  if (first_line.compare(0, kMagic.size() + 1, kMagic + " ") != 0) {
    throw fail("not an ecgad model file (it does not start with '" + kMagic + "')");
  }
  if (e.first_newline != std::string::npos && first_line == kMagic + " 1") e.version = 1;
  if (e.first_newline != std::string::npos && first_line == kMagic + " 2") e.version = 2;
  if (e.version == 0) {
    throw fail("model format version " + ecgad::quoted(first_line.substr(kMagic.size() + 1)) +
               " is not supported (this ecgad reads versions 1 and 2)");
  }
  if (bytes.size() < kTrailerSize || bytes.compare(bytes.size() - kTrailerSize, kTrailer.size(), kTrailer) != 0 ||
      bytes.back() != '\n') {
    throw fail("the file is truncated (its checksum line is missing)");
  }
  e.body_size = bytes.size() - kTrailerSize;
  std::string stored = bytes.substr(e.body_size + kTrailer.size(), 64);
  if (sha256_hex(std::string_view(bytes.data(), e.body_size)) != stored) {
    throw fail("the file is corrupted (its checksum does not match its content)");
  }
  e.json_end = bytes.find('\n', e.first_newline + 1);
  if (e.json_end == std::string::npos || e.json_end >= e.body_size) throw fail("the metadata line is missing");
  if (e.json_end - e.first_newline > kMaxMetadataBytes) throw fail("the metadata line is longer than any ecgad writes");
  return e;
}

// The model the metadata describes, with the weights of the file: its size checked before anything is allocated,
// its tensor table the one this ecgad builds for that architecture, every weight finite.
std::unique_ptr<Model> read_model(const std::string& bytes, const Envelope& e, const nlohmann::json& m,
                                  const std::vector<ModelKind>& kinds, const Refusal& fail) {
  if (!m.is_object()) throw fail("'model' is not an object");
  std::string kind = m.at("kind").get<std::string>();
  if (e.version == 1 && kind != "autoencoder") throw fail("model kind " + ecgad::quoted(kind) + " in a version-1 file");
  const nlohmann::json& declared = m.at("parameter_count");
  if (!declared.is_number_unsigned()) throw fail("the parameter count is not a whole number");
  std::size_t count = declared.get<std::size_t>();
  std::size_t block = e.body_size - (e.json_end + 1);
  if (block % 4 != 0 || count != block / 4) throw fail("the weights do not have the size the metadata gives");
  nlohmann::json architecture = nlohmann::json::object();
  for (auto it = m.begin(); it != m.end(); ++it) {
    if (!describes_file(it.key())) architecture[it.key()] = it.value();
  }
  std::unique_ptr<Model> model;
  try {
    model = make_model(kind, architecture, count, kinds);
  } catch (const Error& error) {
    throw fail(error.what());
  }
  if (model->parameters.size() != count) throw fail("parameter count does not match the layers");
  if (e.version == 2 && m.at("tensors") != model_object(*model).at("tensors")) {
    throw fail("the tensor table does not match the " + kind + " architecture");
  }
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + e.json_end + 1);
  for (std::size_t i = 0; i < count; ++i) {
    model->parameters[i] = read_float_le(p + 4 * i);
    if (!std::isfinite(model->parameters[i])) throw fail("a weight is not a finite number");
  }
  return model;
}

void read_scaler(const nlohmann::json& n, TrainedModel& trained, const Refusal& fail) {
  trained.scaler.per_column = n.at("per_column").get<bool>();
  trained.scaler.min = n.at("min").get<std::vector<double>>();
  trained.scaler.max = n.at("max").get<std::vector<double>>();
  std::size_t scaler_width = trained.scaler.per_column ? static_cast<std::size_t>(trained.input_width()) : 1;
  if (trained.scaler.min.size() != scaler_width || trained.scaler.max.size() != scaler_width) {
    throw fail("the normalizer does not fit the input width");
  }
  for (std::size_t k = 0; k < scaler_width; ++k) {
    double low = trained.scaler.min[k], high = trained.scaler.max[k];
    if (!std::isfinite(low) || !std::isfinite(high) || !(high > low) || !std::isfinite(high - low)) {
      throw fail("the normalizer's range is not a finite interval with min < max");
    }
  }
}

void read_labels(const nlohmann::json& labels, TrainedModel& trained, const Refusal& fail) {
  trained.labels.normal = labels.at("normal").get<double>();
  trained.labels.abnormal = labels.at("abnormal").get<double>();
  // Optional keys (files before them: the last column, no id columns, only the two label values).
  trained.labels.others_abnormal = labels.value("others_abnormal", false);
  try {
    std::size_t number = 0;
    trained.columns.label = parse_label_column(labels.value("column", std::string("last")), number);
    trained.columns.label_number = number;
    set_id_columns(trained.columns, labels.value("id_columns", std::vector<std::size_t>{}));
  } catch (const Error& e) {
    throw fail(e.what());
  }
  if (!std::isfinite(trained.labels.normal) || !std::isfinite(trained.labels.abnormal) ||
      (trained.labels.normal == trained.labels.abnormal && !trained.labels.others_abnormal)) {
    throw fail("the label values are not two distinct finite numbers");
  }
}

void read_threshold(const nlohmann::json& t, TrainedModel& trained, const Refusal& fail) {
  if (!t.at("value").is_number()) throw fail("the threshold is not a number");
  trained.threshold.value = t.at("value").get<double>();
  trained.threshold.strategy = t.at("strategy").get<std::string>();
  trained.threshold.details = t.value("details", nlohmann::json::object());
  if (!std::isfinite(trained.threshold.value)) throw fail("the threshold is not finite");
  try {
    parse_threshold_strategy(trained.threshold.strategy);
  } catch (const Error&) {
    throw fail("the threshold strategy " + ecgad::quoted(trained.threshold.strategy) + " is not one ecgad knows");
  }
}

}  // namespace

TrainedModel parse_model(const std::string& bytes, const std::string& name, const std::vector<ModelKind>& kinds) {
  const Refusal fail{name};
  const Envelope e = check_envelope(bytes, fail);
  try {
    // Depth first: nlohmann::json recurses per level, so a deep nest would overflow the stack.
    auto limit_depth = [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
      if (depth > kMaxJsonDepth) throw fail("the metadata is nested deeper than any ecgad writes");
      return true;
    };
    nlohmann::json info = nlohmann::json::parse(bytes.begin() + static_cast<std::ptrdiff_t>(e.first_newline + 1),
                                                bytes.begin() + static_cast<std::ptrdiff_t>(e.json_end), limit_depth);
    if (!info.is_object()) throw fail("the metadata is not a JSON object");
    check_printable(info, fail);
    TrainedModel trained{read_model(bytes, e, info.at("model"), kinds, fail),
                         {},
                         {},
                         {},
                         info.at("training"),
                         {},
                         BeatNormalization::none};
    read_scaler(info.at("normalizer"), trained, fail);
    if (info.contains("input")) {
      const std::string how = info.at("input").value("normalize", std::string("none"));
      try {
        trained.beat_normalization = parse_beat_normalization(how);
      } catch (const Error& refused) {
        throw fail(refused.what());
      }
    }
    read_labels(info.at("labels"), trained, fail);
    read_threshold(info.at("threshold"), trained, fail);
    return trained;
  } catch (const nlohmann::json::exception& error) {
    throw fail(std::string("malformed metadata: ") + error.what());
  }
}

void save_model(const std::string& path, const TrainedModel& model, const std::vector<ModelKind>& kinds) {
  std::string bytes = serialize_model(model);
  // Never write a model that could not be read back.
  try {
    parse_model(bytes, path, kinds);
  } catch (const Error& e) {
    throw Error(std::string("refusing to write a model that ecgad could not load: ") + e.what());
  }
  AtomicOutput out(path);
  out.write(bytes);
  out.commit();
}

TrainedModel load_model(const std::string& path, const std::vector<ModelKind>& kinds) {
  std::FILE* raw = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!raw) throw Error("cannot open model '" + path + "': " + std::strerror(errno));
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(raw, path == "-" ? [](std::FILE*) { return 0; } : &std::fclose);
  // The magic first, then at most the largest file ecgad could write: /dev/zero or a huge file is refused early.
  std::string bytes;
  char buffer[1 << 16];
  std::size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, raw)) > 0) {
    bytes.append(buffer, got);
    if (bytes.size() >= kMagic.size() + 1 && bytes.compare(0, kMagic.size() + 1, kMagic + " ") != 0) break;
    if (bytes.size() > kMaxModelFileBytes)
      throw Error("model '" + path + "': the file is larger than any ecgad writes");
  }
  if (std::ferror(raw)) throw Error("cannot read model '" + path + "': " + std::strerror(errno));
  return parse_model(bytes, path, kinds);
}

}  // namespace ecgad
