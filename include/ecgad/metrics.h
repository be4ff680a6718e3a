// Binary classification metrics, computed exactly as scikit-learn 1.2 computes them.
// Labels are 1 for the positive class and 0 for the negative class; pred = score >= threshold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ecgad {

struct Confusion {
  std::size_t tn = 0, fp = 0, fn = 0, tp = 0;  // rows = truth, columns = prediction
  std::size_t total() const { return tn + fp + fn + tp; }
};

struct BinaryMetrics {
  Confusion confusion;
  double accuracy = 0, precision = 0, recall = 0, f1 = 0;  // 0 where sklearn divides by zero
};

Confusion confusion_matrix(const std::vector<std::uint8_t>& truth, const std::vector<std::uint8_t>& predicted);
BinaryMetrics binary_metrics(const std::vector<std::uint8_t>& truth, const std::vector<std::uint8_t>& predicted);

// Threshold-free: ROC AUC (ties count half) and average precision (steps at distinct scores), as sklearn's
// roc_auc_score and average_precision_score. Higher score = more positive. NaN when a class is absent.
double roc_auc(const std::vector<std::uint8_t>& truth, const std::vector<double>& score);
double average_precision(const std::vector<std::uint8_t>& truth, const std::vector<double>& score);

struct CurvePoint {
  double threshold, x, y;  // ROC: x = false positive rate, y = true positive rate; PR: x = recall, y = precision
};
// The ROC curve and precision-recall curve points, as sklearn's roc_curve (drop_intermediate=False)
// and precision_recall_curve.
std::vector<CurvePoint> roc_curve(const std::vector<std::uint8_t>& truth, const std::vector<double>& score);
std::vector<CurvePoint> precision_recall_curve(const std::vector<std::uint8_t>& truth,
                                               const std::vector<double>& score);

}  // namespace ecgad
