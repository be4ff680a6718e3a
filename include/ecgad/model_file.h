// The model file: everything needed to score new beats and to know how the model was made.
//
// Layout (version 2):
//   line 1   "ecgad-model 2"                       magic and format version
//   line 2   one line of JSON                      everything but the weights (see model_info): the model's
//                                                  kind, its architecture, and the table of named tensors
//                                                  (name, shape, offset) over the weight block
//   bytes    parameter_count float32, little-endian, in the tensor table's layout
//   last     "sha256 <64 hex digits>\n"            over every byte before this line
// Version 1 (autoencoders only, no tensor table; the same weight layout) is still read.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ecgad/labels.h"
#include "ecgad/model.h"
#include "ecgad/model_kind.h"
#include "ecgad/normalize.h"
#include "ecgad/threshold.h"

namespace ecgad {

constexpr int kModelFormatVersion = 2;

struct TrainedModel {
  std::unique_ptr<Model> model;
  MinMaxScaler scaler;
  LabelSpec labels;
  ThresholdChoice threshold;
  nlohmann::json training;  // options, seed, data fingerprint, per-epoch loss history
  ColumnLayout columns;     // the training file's label and id columns: the default for reading beats
  // The per-beat normalisation the model was trained on (its file's "input" object; absent in older files: none).
  BeatNormalization beat_normalization = BeatNormalization::none;

  int input_width() const { return model->input_width(); }
};

std::string serialize_model(const TrainedModel& model);
// `name` is used in error messages. Throws ecgad::Error on anything but an intact version-1 or version-2 model.
// `kinds`: the model kinds it may build (this ecgad's by default).
TrainedModel parse_model(const std::string& bytes, const std::string& name,
                         const std::vector<ModelKind>& kinds = builtin_model_kinds());

// Atomic (temp file + rename); refuses to write a model that parse_model() would refuse.
void save_model(const std::string& path, const TrainedModel& model,
                const std::vector<ModelKind>& kinds = builtin_model_kinds());
TrainedModel load_model(const std::string& path, const std::vector<ModelKind>& kinds = builtin_model_kinds());

// Everything but the weights, as JSON (what `ecgad info` prints and line 2 of the file holds).
nlohmann::json model_info(const TrainedModel& model);

}  // namespace ecgad
