#include "ecgad/report.h"

#include <cmath>

#include "ecgad/error.h"
#include "ecgad/text.h"

namespace ecgad {

const char* to_string(PositiveClass positive) { return positive == PositiveClass::anomaly ? "anomaly" : "normal"; }

Evaluation evaluate(const std::vector<double>& errors, const std::vector<std::uint8_t>& is_normal, double threshold,
                    PositiveClass positive) {
  if (errors.size() != is_normal.size()) throw Error("evaluate: as many labels as errors are needed");
  if (errors.empty()) throw Error("evaluate: no rows");
  Evaluation e;
  e.threshold = threshold;
  e.positive = positive;
  std::vector<std::uint8_t> truth_anomaly(errors.size()), pred_anomaly(errors.size());
  for (std::size_t i = 0; i < errors.size(); ++i) {
    truth_anomaly[i] = is_normal[i] ? 0 : 1;
    pred_anomaly[i] = errors[i] >= threshold ? 1 : 0;
    std::size_t& cell = truth_anomaly[i] ? (pred_anomaly[i] ? e.anomaly_as_anomaly : e.anomaly_as_normal)
                                         : (pred_anomaly[i] ? e.normal_as_anomaly : e.normal_as_normal);
    ++cell;
  }
  std::vector<std::uint8_t> truth_normal(errors.size()), pred_normal(errors.size());
  std::vector<double> negated(errors.size());
  for (std::size_t i = 0; i < errors.size(); ++i) {
    truth_normal[i] = 1 - truth_anomaly[i];
    pred_normal[i] = 1 - pred_anomaly[i];
    negated[i] = -errors[i];
  }
  BinaryMetrics as_anomaly = binary_metrics(truth_anomaly, pred_anomaly);
  BinaryMetrics as_normal = binary_metrics(truth_normal, pred_normal);
  e.per_class = {
      {"normal", as_normal.precision, as_normal.recall, as_normal.f1, e.normal_as_normal + e.normal_as_anomaly},
      {"anomaly", as_anomaly.precision, as_anomaly.recall, as_anomaly.f1, e.anomaly_as_normal + e.anomaly_as_anomaly}};
  if (positive == PositiveClass::anomaly) {
    e.metrics = as_anomaly;
    e.roc_auc = roc_auc(truth_anomaly, errors);
    e.average_precision = average_precision(truth_anomaly, errors);
  } else {
    e.metrics = as_normal;
    e.roc_auc = roc_auc(truth_normal, negated);
    e.average_precision = average_precision(truth_normal, negated);
  }
  return e;
}

static double metric_value(const Evaluation& e, const std::string& metric) {
  if (metric == "accuracy") return e.metrics.accuracy;
  if (metric == "precision") return e.metrics.precision;
  if (metric == "recall") return e.metrics.recall;
  if (metric == "f1") return e.metrics.f1;
  if (metric == "auc") return e.roc_auc;
  throw Error("unknown gate metric '" + metric + "'");
}

std::vector<Gate> check_gates(const Evaluation& evaluation,
                              const std::vector<std::pair<std::string, double>>& minimums) {
  std::vector<Gate> gates;
  for (const auto& [metric, minimum] : minimums) {
    Gate gate{metric, minimum, metric_value(evaluation, metric), false};
    gate.passed = gate.actual >= minimum;  // NaN (a class missing) fails
    gates.push_back(gate);
  }
  return gates;
}

std::string format_text(const Evaluation& e, const std::vector<Gate>& gates) {
  std::string out;
  std::size_t normal = e.per_class[0].support, anomaly = e.per_class[1].support;
  // The data's name is the user's (a file name): shown as one line, its controls as visible escapes (text.h).
  append_format(out, "data        {}: {} rows ({} normal, {} abnormal)\n", one_line_text(e.data_name), e.rows(), normal,
                anomaly);
  append_format(out, "threshold   {:.9g} ({}); anomaly when {} >= threshold\n", e.threshold, e.threshold_strategy,
                e.score_name);
  append_format(out, "positive    {}\n\n", to_string(e.positive));
  append_format(out, "accuracy           {}\n", fixed4(e.metrics.accuracy));
  append_format(out, "precision          {}\n", fixed4(e.metrics.precision));
  append_format(out, "recall             {}\n", fixed4(e.metrics.recall));
  append_format(out, "f1                 {}\n", fixed4(e.metrics.f1));
  append_format(out, "roc_auc            {}\n", fixed4(e.roc_auc));
  append_format(out, "average_precision  {}\n\n", fixed4(e.average_precision));
  out += "class      precision  recall      f1  support\n";
  for (const ClassMetrics& c : e.per_class) {
    append_format(out, "{:<9}  {:>9}  {:>6}  {:>6}  {:>7}\n", c.name, fixed4(c.precision), fixed4(c.recall),
                  fixed4(c.f1), c.support);
  }
  out += "\nconfusion matrix (rows: truth, columns: predicted)\n";
  out += "                normal  anomaly\n";
  append_format(out, "  normal     {:>9}  {:>7}\n", e.normal_as_normal, e.normal_as_anomaly);
  append_format(out, "  anomaly    {:>9}  {:>7}\n", e.anomaly_as_normal, e.anomaly_as_anomaly);
  if (!gates.empty()) out += "\n";
  for (const Gate& g : gates) {
    append_format(out, "gate {:<9} {}  {} >= {}\n", g.metric, g.passed ? "passed" : "FAILED", fixed4(g.actual),
                  fixed4(g.minimum));
  }
  return out;
}

static nlohmann::json number_or_null(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

nlohmann::json to_json(const Evaluation& e, const std::vector<Gate>& gates) {
  nlohmann::json classes = nlohmann::json::array();
  for (const ClassMetrics& c : e.per_class) {
    classes.push_back(
        {{"class", c.name}, {"precision", c.precision}, {"recall", c.recall}, {"f1", c.f1}, {"support", c.support}});
  }
  nlohmann::json gate_list = nlohmann::json::array();
  bool all_passed = true;
  for (const Gate& g : gates) {
    gate_list.push_back(
        {{"metric", g.metric}, {"minimum", g.minimum}, {"actual", number_or_null(g.actual)}, {"passed", g.passed}});
    all_passed = all_passed && g.passed;
  }
  return {
      {"data", e.data_name},
      {"rows", e.rows()},
      {"threshold",
       {{"value", e.threshold},
        {"strategy", e.threshold_strategy},
        {"details", e.threshold_details},
        {"rule", "anomaly when " + e.score_name + " >= threshold"}}},
      {"positive_class", to_string(e.positive)},
      {"accuracy", e.metrics.accuracy},
      {"precision", e.metrics.precision},
      {"recall", e.metrics.recall},
      {"f1", e.metrics.f1},
      {"roc_auc", number_or_null(e.roc_auc)},
      {"average_precision", number_or_null(e.average_precision)},
      {"per_class", classes},
      {"confusion_matrix",
       {{"labels", {"normal", "anomaly"}},
        {"rows", "truth"},
        {"columns", "predicted"},
        {"counts", {{e.normal_as_normal, e.normal_as_anomaly}, {e.anomaly_as_normal, e.anomaly_as_anomaly}}}}},
      {"gates", gate_list},
      {"passed", all_passed},
  };
}

}  // namespace ecgad
