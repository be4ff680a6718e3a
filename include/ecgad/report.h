// The evaluation of a detector on labelled beats, and how it is shown: text for people, JSON for machines.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ecgad/metrics.h"

namespace ecgad {

enum class PositiveClass { anomaly, normal };
const char* to_string(PositiveClass positive);

struct ClassMetrics {
  std::string name;  // "normal" or "anomaly"
  double precision = 0, recall = 0, f1 = 0;
  std::size_t support = 0;
};

struct Evaluation {
  std::string data_name;
  double threshold = 0;
  std::string threshold_strategy;
  std::string score_name = "error";  // what is compared with the threshold (Model::score_name())
  nlohmann::json threshold_details;
  PositiveClass positive = PositiveClass::anomaly;
  BinaryMetrics metrics;  // with `positive` as the positive class
  // Counts with truth as rows and prediction as columns, both ordered (normal, anomaly).
  std::size_t normal_as_normal = 0, normal_as_anomaly = 0, anomaly_as_normal = 0, anomaly_as_anomaly = 0;
  std::vector<ClassMetrics> per_class;        // normal, then anomaly
  double roc_auc = 0, average_precision = 0;  // threshold-free, for the positive class
  std::size_t rows() const { return normal_as_normal + normal_as_anomaly + anomaly_as_normal + anomaly_as_anomaly; }
};

// errors[i] is row i's reconstruction error, is_normal[i] its label; a row is predicted an anomaly when
// errors[i] >= threshold. For positive = normal, the threshold-free scores are the negated errors.
Evaluation evaluate(const std::vector<double>& errors, const std::vector<std::uint8_t>& is_normal, double threshold,
                    PositiveClass positive);

// A CI gate: the metric must be at least `minimum`.
struct Gate {
  std::string metric;  // accuracy, precision, recall, f1, auc
  double minimum = 0;
  double actual = 0;
  bool passed = false;
};
std::vector<Gate> check_gates(const Evaluation& evaluation,
                              const std::vector<std::pair<std::string, double>>& minimums);

std::string format_text(const Evaluation& evaluation, const std::vector<Gate>& gates);
nlohmann::json to_json(const Evaluation& evaluation, const std::vector<Gate>& gates);

}  // namespace ecgad
