#include "ecgad/threshold.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <string_view>

#include "ecgad/csv_number.h"
#include "ecgad/error.h"

namespace ecgad {
namespace {

const char* const kValidForms =
    "valid forms: mean-std[:K] (K >= 0, default 1), percentile:P (0 <= P <= 100), fixed:V, best-f1, "
    "best-accuracy";

[[noreturn]] void bad_strategy(const std::string& text, const std::string& why) {
  throw Error("bad threshold strategy " + quoted(text) + ": " + why + "; " + kValidForms);
}

// The whole of `digits` as a finite double in ecgad's number grammar (csv_number.h), or throws.
double parse_number(const std::string& text, std::string_view digits) {
  FieldNumber number = ecgad::parse_number(digits);
  if (number.status != FieldNumber::ok) {
    bad_strategy(text, quoted(std::string(digits)) + " is not a finite number");
  }
  return number.value == 0 ? 0.0 : number.value;  // -0 becomes 0 so that to_string stays canonical
}

// `rows` says which rows the statistic needed, for a message in the user's terms (not the function's name).
void check_errors(const std::vector<double>& errors, const char* strategy, const char* rows) {
  if (errors.empty()) throw Error(std::string(strategy) + ": the data has no " + rows + " to choose the threshold on");
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (!std::isfinite(errors[i])) {
      throw Error(std::string(strategy) + ": the reconstruction error of row " + std::to_string(i + 1) + " of " + rows +
                  " is not a finite number");
    }
  }
}

std::string format_number(double value) {
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);  // shortest text that reads back exactly
  return std::string(buffer, result.ptr);
}

}  // namespace

ThresholdStrategy parse_threshold_strategy(const std::string& text) {
  using Kind = ThresholdStrategy::Kind;
  const std::size_t colon = text.find(':');
  const std::string name = text.substr(0, colon);
  const bool has_value = colon != std::string::npos;
  const std::string_view value = has_value ? std::string_view(text).substr(colon + 1) : std::string_view();

  if (name == "best-f1" || name == "best-accuracy") {
    if (has_value) bad_strategy(text, name + " takes no value");
    return {name == "best-f1" ? Kind::best_f1 : Kind::best_accuracy, 0.0};
  }
  if (name == "mean-std") {
    const double k = has_value ? parse_number(text, value) : 1.0;
    if (k < 0) bad_strategy(text, "K must be >= 0");
    return {Kind::mean_std, k};
  }
  if (name == "percentile") {
    if (!has_value) bad_strategy(text, "percentile needs a value, as in percentile:99");
    const double p = parse_number(text, value);
    if (p < 0 || p > 100) bad_strategy(text, "P must be between 0 and 100");
    return {Kind::percentile, p};
  }
  if (name == "fixed") {
    if (!has_value) bad_strategy(text, "fixed needs a value, as in fixed:0.05");
    return {Kind::fixed, parse_number(text, value)};
  }
  bad_strategy(text, "unknown strategy");
}

std::string to_string(const ThresholdStrategy& strategy) {
  using Kind = ThresholdStrategy::Kind;
  switch (strategy.kind) {
    case Kind::mean_std: return "mean-std:" + format_number(strategy.parameter);
    case Kind::percentile: return "percentile:" + format_number(strategy.parameter);
    case Kind::fixed: return "fixed:" + format_number(strategy.parameter);
    case Kind::best_f1: return "best-f1";
    case Kind::best_accuracy: return "best-accuracy";
  }
  return "unknown";  // unreachable for a valid Kind
}

double mean_std_threshold(const std::vector<double>& normal_errors, double k) {
  check_errors(normal_errors, "mean-std", "normal rows");
  if (!std::isfinite(k) || k < 0) throw Error("mean-std: K must be finite and >= 0");
  // Two passes, like numpy's std: the mean, then the mean squared deviation from it (ddof 0). numpy sums
  // pairwise, plain summation differs only in the last bits.
  const double n = static_cast<double>(normal_errors.size());
  double sum = 0;
  for (double e : normal_errors) sum += e;
  const double mean = sum / n;
  double squares = 0;
  for (double e : normal_errors) squares += (e - mean) * (e - mean);
  const double threshold = mean + k * std::sqrt(squares / n);
  // A huge K overflows. Refused here, where the value is made, so that no writer can store it (JSON has no
  // infinity: the model file would hold null and no longer load).
  if (!std::isfinite(threshold)) {
    throw Error("threshold " + to_string(ThresholdStrategy{ThresholdStrategy::Kind::mean_std, k}) +
                " is not a finite number (mean " + format_number(mean) + " + K * std " +
                format_number(std::sqrt(squares / n)) + " overflows); choose a smaller K");
  }
  return threshold;
}

double percentile_threshold(const std::vector<double>& normal_errors, double p) {
  check_errors(normal_errors, "percentile", "normal rows");
  if (!(p >= 0 && p <= 100)) throw Error("percentile: P must be between 0 and 100");
  std::vector<double> sorted = normal_errors;
  std::sort(sorted.begin(), sorted.end());
  // numpy 1.24 'linear': virtual index (n - 1) * p / 100, and its _lerp, which interpolates from the nearer end
  // (b - (b - a) * (1 - t) when t >= 0.5) so that the result is exact at both ends.
  const std::size_t last = sorted.size() - 1;
  const double index = static_cast<double>(last) * (p / 100);
  if (index >= static_cast<double>(last)) return sorted[last];
  const std::size_t below = static_cast<std::size_t>(std::floor(index));
  const double t = index - static_cast<double>(below);
  const double a = sorted[below], b = sorted[below + 1], b_minus_a = b - a;
  return t >= 0.5 ? b - b_minus_a * (1 - t) : a + b_minus_a * t;
}

double best_threshold(const std::vector<double>& errors, const std::vector<std::uint8_t>& is_normal,
                      ThresholdStrategy::Kind objective) {
  using Kind = ThresholdStrategy::Kind;
  if (objective != Kind::best_f1 && objective != Kind::best_accuracy) {
    throw Error("best_threshold: the objective must be best-f1 or best-accuracy");  // a programming error
  }
  if (errors.size() != is_normal.size()) {
    throw Error("best_threshold: " + std::to_string(errors.size()) + " errors but " + std::to_string(is_normal.size()) +
                " labels");
  }
  const char* name = objective == Kind::best_f1 ? "best-f1" : "best-accuracy";
  check_errors(errors, name, "labelled rows");
  // Objectives are compared as exact integer fractions; products of counts up to 2n must fit in 64 bits.
  if (errors.size() > (std::size_t{1} << 31)) throw Error(std::string(name) + ": more than 2^31 rows");

  struct Row {
    double error;
    bool anomaly;
  };
  std::vector<Row> rows(errors.size());
  std::uint64_t anomalies = 0;
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (is_normal[i] > 1) {
      throw Error("best_threshold: label " + std::to_string(is_normal[i]) + " at index " + std::to_string(i) +
                  " is not 0 or 1");
    }
    rows[i] = {errors[i], is_normal[i] == 0};
    anomalies += rows[i].anomaly;
  }
  const std::uint64_t normals = rows.size() - anomalies;
  if (anomalies == 0 || normals == 0) {
    throw Error(std::string(name) + " needs both normal and abnormal rows, and the data has " +
                std::to_string(normals) + " normal and " + std::to_string(anomalies) + " abnormal rows");
  }

  // Highest error first: lowering t through the distinct values adds one run of tied rows at a time to the
  // predicted anomalies. The order inside a run does not matter, as we only score at the end of each run.
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.error > b.error; });

  // An objective value as numerator / denominator. F1 = 2tp / (2tp + fp + fn) = 2tp / (tp + fp + anomalies);
  // accuracy = (tp + tn) / n, whose denominator is constant.
  std::uint64_t best_num = 0, best_den = 1;
  std::size_t best_end = 0;  // index of the last row of the winning run
  bool have_best = false;
  std::uint64_t tp = 0, fp = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    (rows[i].anomaly ? tp : fp) += 1;
    if (i + 1 < rows.size() && rows[i + 1].error == rows[i].error) continue;  // run of ties goes on
    const std::uint64_t num = objective == Kind::best_f1 ? 2 * tp : tp + (normals - fp);
    const std::uint64_t den = objective == Kind::best_f1 ? tp + fp + anomalies : rows.size();
    // ">=": a later run has a smaller t, so ties go to the smallest threshold.
    if (!have_best || num * best_den >= best_num * den) {
      best_num = num;
      best_den = den;
      best_end = i;
      have_best = true;
    }
  }

  const double t = rows[best_end].error;
  if (best_end + 1 == rows.size()) return t;  // the smallest error: nothing lower to meet halfway
  const double lower = rows[best_end + 1].error;
  // Halves first so that the sum cannot overflow. With adjacent doubles the midpoint rounds to an end; if it
  // fell on `lower`, that row would flip to anomaly, so keep t then.
  const double middle = t / 2 + lower / 2;
  return middle > lower && middle <= t ? middle : t;
}

ThresholdChoice choose_threshold(const ThresholdStrategy& strategy, const std::vector<double>& normal_scores,
                                 const std::vector<double>& labelled_scores,
                                 const std::vector<std::uint8_t>& is_normal) {
  ThresholdChoice choice;
  choice.strategy = to_string(strategy);
  using Kind = ThresholdStrategy::Kind;
  switch (strategy.kind) {
    case Kind::mean_std:
    case Kind::percentile: {
      choice.value = strategy.kind == Kind::mean_std ? mean_std_threshold(normal_scores, strategy.parameter)
                                                     : percentile_threshold(normal_scores, strategy.parameter);
      double mean = mean_std_threshold(normal_scores, 0);  // mean + 0 std
      choice.details = {{"from", "normal training rows"},
                        {"rows", normal_scores.size()},
                        {"mean_error", mean},
                        {"std_error", mean_std_threshold(normal_scores, 1) - mean}};
      break;
    }
    case Kind::fixed:
      choice.value = strategy.parameter;
      choice.details = {{"from", "given value"}};
      break;
    case Kind::best_f1:
    case Kind::best_accuracy: {
      choice.value = best_threshold(labelled_scores, is_normal, strategy.kind);
      std::size_t normal = 0;
      for (std::uint8_t n : is_normal) normal += n;
      choice.details = {{"from", "labelled rows"},
                        {"rows", labelled_scores.size()},
                        {"normal_rows", normal},
                        {"abnormal_rows", labelled_scores.size() - normal}};
      break;
    }
  }
  if (!std::isfinite(choice.value)) {
    throw Error("the threshold " + choice.strategy + " comes out as " + std::to_string(choice.value) +
                ", not a finite number");
  }
  return choice;
}

}  // namespace ecgad
