// Anomaly thresholds for reconstruction errors: a row is an anomaly when its error >= the threshold.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ecgad {

struct ThresholdStrategy {
  enum class Kind { mean_std, percentile, fixed, best_f1, best_accuracy } kind;
  double parameter;  // K for mean_std, P for percentile, V for fixed; 0 (unused) for best_f1 and best_accuracy
};

// Parses "mean-std:K" ("mean-std" alone means K = 1), "percentile:P", "fixed:V", "best-f1", "best-accuracy".
// Numbers are in ecgad's one grammar (csv_number.h: "1", "0.5", "1e-3", "-2", "+2"); K must be finite and >= 0,
// P in [0, 100], V finite. Throws ecgad::Error naming the bad text and listing the valid forms.
ThresholdStrategy parse_threshold_strategy(const std::string& text);

// Canonical text, which parse_threshold_strategy reads back to the same strategy: "mean-std:1",
// "percentile:99", "fixed:0.05", "best-f1", "best-accuracy" (numbers in shortest round-trip form).
std::string to_string(const ThresholdStrategy& strategy);

// mean + k * population standard deviation (ddof 0), as numpy's errors.mean() + k * errors.std().
// Throws ecgad::Error on no errors, a non-finite error, or k not finite and >= 0.
double mean_std_threshold(const std::vector<double>& normal_errors, double k);

// numpy.percentile(errors, p) with the default 'linear' method. Throws ecgad::Error on no errors, a
// non-finite error, or p outside [0, 100].
double percentile_threshold(const std::vector<double>& normal_errors, double p);

// The threshold that maximises the objective (best_f1: F1 with anomaly as the positive class; best_accuracy:
// accuracy) on labelled errors, is_normal[i] = 1 for a normal row and 0 for an anomaly.
// Candidates are the distinct error values t, predicting anomaly for error >= t. When several candidates reach
// the best value, the smallest t wins: it flags the most rows, and missing an anomaly is the costlier mistake.
// The value returned is not t itself but the midpoint between t and the next lower distinct error, so that the
// boundary sits in the gap between the two classes instead of on a training row; it predicts the same labels
// on these errors as t. When t is the smallest error (everything flagged) t itself is returned.
// O(n log n). Throws ecgad::Error unless both classes are present, sizes match, labels are 0 or 1, errors
// are finite and the objective is best_f1 or best_accuracy.
double best_threshold(const std::vector<double>& errors, const std::vector<std::uint8_t>& is_normal,
                      ThresholdStrategy::Kind objective);

// A threshold as a model keeps it: the value, the strategy that chose it, and what it was computed from.
struct ThresholdChoice {
  double value = 0;
  std::string strategy;    // e.g. "mean-std:1", as to_string(ThresholdStrategy) spells it
  nlohmann::json details;  // what it was computed from (rows, mean, std, source file, ...)
};

// Chooses a threshold on a model's scores. `normal_scores`: scores of the normal training rows (mean-std,
// percentile); `labelled_scores`/`is_normal`: rows the best-* strategies choose on (may be empty for the others).
// Throws ecgad::Error when the result would not be a finite number.
ThresholdChoice choose_threshold(const ThresholdStrategy& strategy, const std::vector<double>& normal_scores,
                                 const std::vector<double>& labelled_scores,
                                 const std::vector<std::uint8_t>& is_normal);

}  // namespace ecgad
