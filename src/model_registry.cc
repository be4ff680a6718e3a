// The one place that lists every model kind: adding a model is its module (which declares the kind) and one line
// here. Also what every kind's declaration is used for in the library: checking and completing architectures.
#include <fmt/core.h>

#include <memory>
#include <string>
#include <vector>

#include "ecgad/autoencoder.h"
#include "ecgad/error.h"
#include "ecgad/lstm_model.h"
#include "ecgad/model_kind.h"
#include "ecgad/vae.h"

namespace ecgad {

const std::vector<ModelKind>& builtin_model_kinds() {
  static const std::vector<ModelKind> kinds = {
      autoencoder_kind(),
      vae_kind(),
      lstm_kind(),
  };
  return kinds;
}

const KindOption* ModelKind::option_by_key(const std::string& key) const {
  for (const KindOption& option : options) {
    if (option.key == key) return &option;
  }
  return nullptr;
}

const KindOption* ModelKind::option_by_flag(const std::string& flag) const {
  for (const KindOption& option : options) {
    if (!flag.empty() && option.flag == flag) return &option;
  }
  return nullptr;
}

const KindOption& input_width_option() {
  static const KindOption option = {"input_width", "", whole(1, 65536), nullptr, "samples per beat"};
  return option;
}

std::vector<std::string> model_kinds(const std::vector<ModelKind>& kinds) {
  std::vector<std::string> names;
  names.reserve(kinds.size());
  for (const ModelKind& k : kinds) names.push_back(k.name);
  return names;
}

const ModelKind& find_kind(const std::string& name, const std::vector<ModelKind>& kinds) {
  for (const ModelKind& k : kinds) {
    if (k.name == name) return k;
  }
  std::string known;
  for (const ModelKind& k : kinds) known += (known.empty() ? "" : ", ") + k.name;
  throw Error("model kind '" + name + "' is not known to this ecgad (it knows " + known + ")");
}

nlohmann::json complete_architecture(const ModelKind& kind, const nlohmann::json& architecture) {
  if (!architecture.is_object()) throw Error("the " + kind.name + " architecture is not a JSON object");
  const std::string where = "the " + kind.name + " architecture";
  for (auto it = architecture.begin(); it != architecture.end(); ++it) {
    const KindOption* option = it.key() == "input_width" ? &input_width_option() : kind.option_by_key(it.key());
    if (option == nullptr) {
      std::string keys;
      for (const KindOption& o : kind.options) keys += (keys.empty() ? "" : ", ") + o.key;
      throw Error(fmt::format("{} has no key '{}' (its keys: input_width, {})", where, it.key(), keys));
    }
    std::string why = check_json(option->value, it.value());
    if (!why.empty()) throw Error(fmt::format("{}'s '{}': {}", where, it.key(), why));
  }
  nlohmann::json complete = architecture;
  for (const KindOption& option : kind.options) {
    if (!complete.contains(option.key) && !option.fallback.is_null()) complete[option.key] = option.fallback;
  }
  return complete;
}

std::unique_ptr<Model> make_model(const std::string& name, const nlohmann::json& architecture,
                                  std::size_t max_parameters, const std::vector<ModelKind>& kinds) {
  const ModelKind& kind = find_kind(name, kinds);
  nlohmann::json complete = complete_architecture(kind, architecture);
  std::unique_ptr<Model> model;
  try {
    model = kind.build(complete);
  } catch (const nlohmann::json::exception& e) {
    throw Error("the " + name + " architecture is malformed: " + e.what());
  }
  if (model->parameter_count() > max_parameters) {
    throw Error("the " + name + " architecture needs " + std::to_string(model->parameter_count()) +
                " parameters, more than the " + std::to_string(max_parameters) + " allowed here");
  }
  model->allocate();
  return model;
}

}  // namespace ecgad
