// The one place that knows every model kind: adding a model is its module plus one line here.
#include <memory>
#include <string>
#include <vector>

#include "ecgad/autoencoder.h"
#include "ecgad/error.h"
#include "ecgad/model.h"
#include "ecgad/vae.h"

namespace ecgad {
namespace {

using Factory = std::unique_ptr<Model> (*)(const nlohmann::json& architecture);

template <typename M>
std::unique_ptr<Model> build(const nlohmann::json& architecture) {
  return std::make_unique<M>(architecture);
}

struct Kind {
  const char* name;
  Factory factory;
};

const Kind kKinds[] = {
    {"autoencoder", build<Autoencoder>},
    {"vae", build<Vae>},
};

}  // namespace

std::unique_ptr<Model> make_model(const std::string& kind, const nlohmann::json& architecture,
                                  std::size_t max_parameters) {
  for (const Kind& k : kKinds) {
    if (kind != k.name) continue;
    if (!architecture.is_object()) throw Error("the " + kind + " architecture is not a JSON object");
    std::unique_ptr<Model> model;
    try {
      model = k.factory(architecture);
    } catch (const nlohmann::json::exception& e) {
      throw Error("the " + kind + " architecture is malformed: " + e.what());
    }
    if (model->parameter_count() > max_parameters) {
      throw Error("the " + kind + " architecture needs " + std::to_string(model->parameter_count()) +
                  " parameters, more than the " + std::to_string(max_parameters) + " allowed here");
    }
    model->allocate();
    return model;
  }
  std::string known;
  for (const Kind& k : kKinds) known += (known.empty() ? "" : ", ") + std::string(k.name);
  throw Error("model kind '" + kind + "' is not known to this ecgad (it knows " + known + ")");
}

std::vector<std::string> model_kinds() {
  std::vector<std::string> names;
  for (const Kind& k : kKinds) names.emplace_back(k.name);
  return names;
}

}  // namespace ecgad
