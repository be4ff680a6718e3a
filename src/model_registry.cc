// The one place that knows every model kind: adding a model is its module plus one line here.
#include <memory>
#include <string>
#include <vector>

#include "ecgad/autoencoder.h"
#include "ecgad/error.h"
#include "ecgad/lstm_model.h"
#include "ecgad/model.h"
#include "ecgad/vae.h"

namespace ecgad {

const std::vector<ModelKind>& builtin_model_kinds() {
  static const std::vector<ModelKind> kinds = {
      {"autoencoder", build_model<Autoencoder>},
      {"vae", build_model<Vae>},
      {"lstm", build_model<LstmModel>},
  };
  return kinds;
}

std::vector<std::string> model_kinds() {
  std::vector<std::string> names;
  for (const ModelKind& k : builtin_model_kinds()) names.push_back(k.name);
  return names;
}

std::unique_ptr<Model> make_model(const std::string& kind, const nlohmann::json& architecture,
                                  std::size_t max_parameters, const std::vector<ModelKind>& kinds) {
  for (const ModelKind& k : kinds) {
    if (kind != k.name) continue;
    if (!architecture.is_object()) throw Error("the " + kind + " architecture is not a JSON object");
    std::unique_ptr<Model> model;
    try {
      model = k.build(architecture);
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
  for (const ModelKind& k : kinds) known += (known.empty() ? "" : ", ") + k.name;
  throw Error("model kind '" + kind + "' is not known to this ecgad (it knows " + known + ")");
}

}  // namespace ecgad
