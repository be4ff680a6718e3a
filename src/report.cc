#include "ecgad/report.h"

#include <cmath>
#include <cstdarg>
#include <cstdio>

#include "ecgad/error.h"

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
  e.per_class = {{"normal", as_normal.precision, as_normal.recall, as_normal.f1, e.normal_as_normal + e.normal_as_anomaly},
                 {"anomaly", as_anomaly.precision, as_anomaly.recall, as_anomaly.f1,
                  e.anomaly_as_normal + e.anomaly_as_anomaly}};
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

std::vector<Gate> check_gates(const Evaluation& evaluation, const std::vector<std::pair<std::string, double>>& minimums) {
  std::vector<Gate> gates;
  for (const auto& [metric, minimum] : minimums) {
    Gate gate{metric, minimum, metric_value(evaluation, metric), false};
    gate.passed = gate.actual >= minimum;  // NaN (a class missing) fails
    gates.push_back(gate);
  }
  return gates;
}

static std::string fixed4(double v) {
  if (std::isnan(v)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

static std::string format_line(const char* format, ...) __attribute__((format(printf, 1, 2)));
static std::string format_line(const char* format, ...) {
  char buf[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return buf;
}

std::string format_text(const Evaluation& e, const std::vector<Gate>& gates) {
  std::string out;
  std::size_t normal = e.per_class[0].support, anomaly = e.per_class[1].support;
  out += format_line("data        %s: %zu rows (%zu normal, %zu abnormal)\n", e.data_name.c_str(), e.rows(), normal, anomaly);
  out += format_line("threshold   %.9g (%s); anomaly when %s >= threshold\n", e.threshold, e.threshold_strategy.c_str(),
                     e.score_name.c_str());
  out += format_line("positive    %s\n\n", to_string(e.positive));
  out += format_line("accuracy           %s\n", fixed4(e.metrics.accuracy).c_str());
  out += format_line("precision          %s\n", fixed4(e.metrics.precision).c_str());
  out += format_line("recall             %s\n", fixed4(e.metrics.recall).c_str());
  out += format_line("f1                 %s\n", fixed4(e.metrics.f1).c_str());
  out += format_line("roc_auc            %s\n", fixed4(e.roc_auc).c_str());
  out += format_line("average_precision  %s\n\n", fixed4(e.average_precision).c_str());
  out += "class      precision  recall      f1  support\n";
  for (const ClassMetrics& c : e.per_class) {
    out += format_line("%-9s  %9s  %6s  %6s  %7zu\n", c.name.c_str(), fixed4(c.precision).c_str(),
                       fixed4(c.recall).c_str(), fixed4(c.f1).c_str(), c.support);
  }
  out += "\nconfusion matrix (rows: truth, columns: predicted)\n";
  out += "                normal  anomaly\n";
  out += format_line("  normal     %9zu  %7zu\n", e.normal_as_normal, e.normal_as_anomaly);
  out += format_line("  anomaly    %9zu  %7zu\n", e.anomaly_as_normal, e.anomaly_as_anomaly);
  if (!gates.empty()) out += "\n";
  for (const Gate& g : gates) {
    out += format_line("gate %-9s %s  %s >= %s\n", g.metric.c_str(), g.passed ? "passed" : "FAILED",
                       fixed4(g.actual).c_str(), fixed4(g.minimum).c_str());
  }
  return out;
}

static nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json to_json(const Evaluation& e, const std::vector<Gate>& gates) {
  nlohmann::json classes = nlohmann::json::array();
  for (const ClassMetrics& c : e.per_class) {
    classes.push_back({{"class", c.name}, {"precision", c.precision}, {"recall", c.recall}, {"f1", c.f1},
                       {"support", c.support}});
  }
  nlohmann::json gate_list = nlohmann::json::array();
  bool all_passed = true;
  for (const Gate& g : gates) {
    gate_list.push_back({{"metric", g.metric}, {"minimum", g.minimum}, {"actual", number_or_null(g.actual)}, {"passed", g.passed}});
    all_passed = all_passed && g.passed;
  }
  return {
      {"data", e.data_name},
      {"rows", e.rows()},
      {"threshold", {{"value", e.threshold}, {"strategy", e.threshold_strategy}, {"details", e.threshold_details},
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
