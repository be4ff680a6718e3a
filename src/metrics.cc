// Binary classification metrics, following scikit-learn 1.2.1 step by step (sklearn/metrics/_ranking.py and
// _classification.py) so that results agree to rounding: same counts, same divisions, same summation order.
#include "ecgad/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "ecgad/error.h"

namespace ecgad {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_same_size(std::size_t a, std::size_t b, const char* function) {
  if (a != b) {
    throw Error(std::string(function) + ": " + std::to_string(a) + " labels but " + std::to_string(b) + " values");
  }
}

void check_labels(const std::vector<std::uint8_t>& labels, const char* function) {
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] > 1) {
      throw Error(std::string(function) + ": label " + std::to_string(labels[i]) + " at index " + std::to_string(i) +
                  " is not 0 or 1");
    }
  }
}

void check_scores(const std::vector<double>& score, const char* function) {
  for (std::size_t i = 0; i < score.size(); ++i) {
    if (!std::isfinite(score[i])) {
      throw Error(std::string(function) + ": score at index " + std::to_string(i) + " is not finite");
    }
  }
}

// sklearn's _binary_clf_curve: for each distinct score, from the highest down, the number of false and true
// positives when every sample scoring >= it is predicted positive. Counts are doubles as in sklearn.
struct ClfCurve {
  std::vector<double> fps, tps, thresholds;  // thresholds strictly decreasing
};

ClfCurve binary_clf_curve(const std::vector<std::uint8_t>& truth, const std::vector<double>& score,
                          const char* function) {
  check_same_size(truth.size(), score.size(), function);
  check_labels(truth, function);
  check_scores(score, function);

  std::vector<std::size_t> order(score.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Highest score first. Only cumulative counts at the end of each run of equal scores are read, so the
  // order inside a run of ties cannot change the result; stable_sort keeps it deterministic anyway.
  std::stable_sort(order.begin(), order.end(), [&score](std::size_t a, std::size_t b) { return score[a] > score[b]; });

  // A run of ties ends where the next score differs (np.diff != 0), or at the last sample.
  auto run_ends = [&](std::size_t i) { return i + 1 == order.size() || score[order[i + 1]] != score[order[i]]; };
  // Sized once (a vector grown by doubling holds up to twice what it needs, and leaves its old copies behind).
  std::size_t runs = 0;
  for (std::size_t i = 0; i < order.size(); ++i) runs += run_ends(i);
  ClfCurve curve;
  curve.tps.reserve(runs);
  curve.fps.reserve(runs);
  curve.thresholds.reserve(runs);
  double tp = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    tp += truth[order[i]];
    if (run_ends(i)) {
      curve.tps.push_back(tp);
      curve.fps.push_back(static_cast<double>(i + 1) - tp);  // sklearn: fps = 1 + threshold_idxs - tps
      curve.thresholds.push_back(score[order[i]]);
    }
  }
  return curve;
}

bool both_classes_present(const std::vector<std::uint8_t>& truth) {
  bool has_negative = false, has_positive = false;
  for (std::uint8_t label : truth) (label ? has_positive : has_negative) = true;
  return has_negative && has_positive;
}

}  // namespace

Confusion confusion_matrix(const std::vector<std::uint8_t>& truth, const std::vector<std::uint8_t>& predicted) {
  check_same_size(truth.size(), predicted.size(), "confusion_matrix");
  check_labels(truth, "confusion_matrix");
  check_labels(predicted, "confusion_matrix");
  Confusion c;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (truth[i]) {
      (predicted[i] ? c.tp : c.fn) += 1;
    } else {
      (predicted[i] ? c.fp : c.tn) += 1;
    }
  }
  return c;
}

BinaryMetrics binary_metrics(const std::vector<std::uint8_t>& truth, const std::vector<std::uint8_t>& predicted) {
  BinaryMetrics m;
  m.confusion = confusion_matrix(truth, predicted);
  const Confusion& c = m.confusion;
  const double tp = static_cast<double>(c.tp), fp = static_cast<double>(c.fp), fn = static_cast<double>(c.fn);
  // accuracy_score is the mean of a boolean vector: NaN for no samples, as numpy's mean of an empty array.
  m.accuracy = c.total() == 0 ? kNaN : static_cast<double>(c.tp + c.tn) / static_cast<double>(c.total());
  // zero_division: a 0/0 precision or recall is 0, as sklearn's default after its warning.
  m.precision = c.tp + c.fp == 0 ? 0.0 : tp / (tp + fp);
  m.recall = c.tp + c.fn == 0 ? 0.0 : tp / (tp + fn);
  // sklearn 1.2 F-score: (1 + beta^2) * P * R / (beta^2 * P + R), with a zero denominator replaced by 1.
  const double denominator = m.precision + m.recall;
  m.f1 = 2.0 * m.precision * m.recall / (denominator == 0.0 ? 1.0 : denominator);
  return m;
}

std::vector<CurvePoint> roc_curve(const std::vector<std::uint8_t>& truth, const std::vector<double>& score) {
  ClfCurve curve = binary_clf_curve(truth, score, "roc_curve");
  std::vector<CurvePoint> points;
  if (curve.thresholds.empty()) return points;
  const double negatives = curve.fps.back(), positives = curve.tps.back();
  points.reserve(curve.thresholds.size() + 1);
  // sklearn 1.2.1 starts the curve at (0, 0) with threshold max score + 1 (1.3 switched to +inf).
  points.push_back({curve.thresholds.front() + 1.0, negatives > 0 ? 0.0 : kNaN, positives > 0 ? 0.0 : kNaN});
  for (std::size_t i = 0; i < curve.thresholds.size(); ++i) {
    // A rate with no samples of its class is NaN, as sklearn (which warns).
    points.push_back({curve.thresholds[i], negatives > 0 ? curve.fps[i] / negatives : kNaN,
                      positives > 0 ? curve.tps[i] / positives : kNaN});
  }
  return points;
}

std::vector<CurvePoint> precision_recall_curve(const std::vector<std::uint8_t>& truth,
                                               const std::vector<double>& score) {
  ClfCurve curve = binary_clf_curve(truth, score, "precision_recall_curve");
  std::vector<CurvePoint> points;
  if (curve.thresholds.empty()) return points;
  const double positives = curve.tps.back();
  points.reserve(curve.thresholds.size() + 1);
  // sklearn returns the points lowest threshold first (recall decreasing), so walk the curve backwards.
  for (std::size_t i = curve.thresholds.size(); i-- > 0;) {
    const double predicted_positive = curve.tps[i] + curve.fps[i];
    const double precision = predicted_positive != 0 ? curve.tps[i] / predicted_positive : 0.0;
    // With no positive samples sklearn sets recall to 1 everywhere.
    const double recall = positives != 0 ? curve.tps[i] / positives : 1.0;
    points.push_back({curve.thresholds[i], recall, precision});
  }
  // sklearn appends (recall 0, precision 1) without a threshold; we give it the same stand-in threshold as
  // roc_curve's first point, max score + 1, above every score so nothing is predicted positive.
  points.push_back({curve.thresholds.front() + 1.0, 0.0, 1.0});
  return points;
}

// The area walks the curve's points as roc_curve makes them, without storing them: the same arithmetic in the
// same order, in less memory.
double roc_auc(const std::vector<std::uint8_t>& truth, const std::vector<double>& score) {
  ClfCurve curve = binary_clf_curve(truth, score, "roc_curve");
  if (!both_classes_present(truth)) return kNaN;  // sklearn raises: "Only one class present in y_true"
  // sklearn's auc(): np.trapz(tpr, fpr) from (0, 0). fpr never decreases, so the direction is +1. A tie run that
  // holds both classes moves x and y together, a diagonal step, which is how a tie counts as half.
  const double negatives = curve.fps.back(), positives = curve.tps.back();
  double area = 0, x = 0, y = 0;
  for (std::size_t i = 0; i < curve.thresholds.size(); ++i) {
    const double next_x = curve.fps[i] / negatives, next_y = curve.tps[i] / positives;
    area += (next_x - x) * (next_y + y) / 2.0;
    x = next_x;
    y = next_y;
  }
  return area;
}

double average_precision(const std::vector<std::uint8_t>& truth, const std::vector<double>& score) {
  std::vector<CurvePoint> points = precision_recall_curve(truth, score);
  // sklearn returns 1 with no negatives and 0 (with a warning) with no positives; neither means anything.
  if (!both_classes_present(truth)) return kNaN;
  // -np.sum(np.diff(recall) * precision[:-1]): one step per distinct score, weighted by its precision.
  double sum = 0;
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    sum += (points[i + 1].x - points[i].x) * points[i].y;
  }
  return -sum;
}

}  // namespace ecgad
