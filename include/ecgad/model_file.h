// The model file: everything needed to score new beats and to know how the model was made.
//
// Layout (version 1):
//   line 1   "ecgad-model 1"                       magic and format version
//   line 2   one line of JSON                      everything but the weights (see model_info)
//   bytes    parameter_count float32, little-endian, in the network's flat layout
//   last     "sha256 <64 hex digits>\n"            over every byte before this line
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ecgad/csv.h"
#include "ecgad/network.h"
#include "ecgad/normalize.h"
#include "ecgad/train.h"

namespace ecgad {

constexpr int kModelFormatVersion = 1;

struct ThresholdChoice {
  double value = 0;
  std::string strategy;     // e.g. "mean-std:1", as threshold.h spells it
  nlohmann::json details;   // what it was computed from (rows, mean, std, source file, ...)
};

struct TrainedModel {
  Network<float> network;
  MinMaxScaler scaler;
  LabelSpec labels;
  ThresholdChoice threshold;
  nlohmann::json training;  // options, seed, data fingerprint, per-epoch loss history
  Loss loss = Loss::mae;    // the training loss (model.loss in the file); scores are always the MAE

  int input_width() const { return network.input_width(); }
};

std::string serialize_model(const TrainedModel& model);
// `name` is used in error messages. Throws ecgad::Error on anything but an intact version-1 model.
TrainedModel parse_model(const std::string& bytes, const std::string& name);

void save_model(const std::string& path, const TrainedModel& model);  // atomic: temp file + rename
TrainedModel load_model(const std::string& path);

// Everything but the weights, as JSON (what `ecgad info` prints and line 2 of the file holds).
nlohmann::json model_info(const TrainedModel& model);

}  // namespace ecgad
