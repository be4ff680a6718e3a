// What a model kind declares about itself, once, in its own module: its name, its options (architecture keys and
// the `ecgad train` flags that set them, with their values' ranges, fallbacks and help), its presets, whether it is
// supervised, and its score columns. From these declarations come `ecgad train`'s flags and its refusals (a flag
// no option of the chosen kind declares), the presets, --help and the man page, the shell completion, and
// make_model()'s checks of an architecture (one voice for a flag and a model file's key).
// The kinds this ecgad knows are listed in src/model_registry.cc, one line each.
#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ecgad/model.h"
#include "ecgad/threshold.h"
#include "ecgad/train.h"
#include "ecgad/value_spec.h"

namespace ecgad {

// One key of a kind's architecture, and the `ecgad train` flag that sets it.
struct KindOption {
  std::string key;          // in the architecture and the model file: "latent"
  std::string flag;         // on `ecgad train`: "--latent"; empty for a key only a model file holds
  ValueSpec value;          // what it may be (checked on the command line and in a model file alike)
  nlohmann::json fallback;  // its value when an architecture leaves it out; null: the kind works it out
  std::string help;         // for --help, after the kind's name: "size of the code z"
};

// A named starting configuration (`ecgad train --preset NAME`); flags given on the command line override it.
struct KindPreset {
  std::string name;
  std::string title;       // what it is, for --help: "the TensorFlow tutorial's autoencoder"
  nlohmann::json options;  // architecture keys and values; recorded as given in the model's training section
  TrainOptions train;      // epochs, batch size, Adam
  ThresholdStrategy threshold{ThresholdStrategy::Kind::mean_std, 1.0};
  // Used instead of a best-* threshold when the training data holds no abnormal rows to choose on.
  std::optional<ThresholdStrategy> fallback_threshold;
  bool kind_default = false;  // the preset `ecgad train --model KIND` starts from when no --preset is given
};

// A column `ecgad score` may write for this kind's score (its second column), and what it means.
struct ScoreColumn {
  std::string name;     // "error"
  std::string meaning;  // "the mean absolute reconstruction error of the scaled beat"
};

struct ModelKind {
  std::string name;     // in model files and on the command line: "vae"
  std::string summary;  // for --help: "a variational autoencoder, trained on normal beats"
  std::unique_ptr<Model> (*build)(const nlohmann::json& architecture) = nullptr;  // build_model<M>
  // A supervised kind (a classifier) learns from every labelled row and needs both classes; the others learn
  // what normal looks like from the normal rows.
  bool supervised = false;
  std::vector<ScoreColumn> score_columns;  // Model::score_name() is one of them
  std::vector<KindOption> options;
  std::vector<KindPreset> presets;

  const KindOption* option_by_key(const std::string& key) const;    // null when it has none
  const KindOption* option_by_flag(const std::string& flag) const;  // null when it has none
};

template <typename M>
std::unique_ptr<Model> build_model(const nlohmann::json& architecture) {
  return std::make_unique<M>(architecture);
}

// Every architecture has this key too: the samples per beat.
const KindOption& input_width_option();

// builtin_model_kinds(), model_kinds() and make_model() are declared in model.h.

// The kind of that name; throws ecgad::Error "model kind 'cnn' is not known to this ecgad (it knows ...)".
const ModelKind& find_kind(const std::string& name, const std::vector<ModelKind>& kinds = builtin_model_kinds());

// Checks `architecture` against the kind's declared options: only declared keys (and input_width), each a value
// its declaration accepts; then adds the fallback of every key left out. Throws ecgad::Error in the declarations'
// words: "the vae architecture's 'latent': expected a whole number from 1 to 65536, got 0".
nlohmann::json complete_architecture(const ModelKind& kind, const nlohmann::json& architecture);

}  // namespace ecgad
