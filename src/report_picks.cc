#include "ecgad/report_picks.h"

#include <algorithm>
#include <cmath>

#include "ecgad/error.h"

namespace ecgad {

std::vector<BeatPick> pick_beats(const std::vector<double>& errors, const std::vector<std::uint8_t>& is_anomaly,
                                 double threshold) {
  if (errors.size() != is_anomaly.size()) throw Error("pick_beats: as many labels as errors are needed");
  std::vector<BeatPick> picks;
  auto add = [&](std::size_t row, const std::string& why) {
    for (BeatPick& p : picks) {
      if (p.row == row) {
        p.why += "; " + why;
        return;
      }
    }
    picks.push_back({row, why});
  };
  for (int anomaly = 0; anomaly <= 1; ++anomaly) {
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < errors.size(); ++i) {
      if (is_anomaly[i] == anomaly) rows.push_back(i);
    }
    if (rows.empty()) continue;
    std::sort(rows.begin(), rows.end(),
              [&](std::size_t a, std::size_t b) { return errors[a] != errors[b] ? errors[a] < errors[b] : a < b; });
    add(rows[(rows.size() - 1) / 2],
        anomaly ? "typical abnormal beat (median error)" : "typical normal beat (median error)");
  }
  for (int anomaly = 0; anomaly <= 1; ++anomaly) {
    std::size_t best = errors.size();
    for (std::size_t i = 0; i < errors.size(); ++i) {
      if (is_anomaly[i] != anomaly) continue;
      if (best == errors.size() || std::fabs(errors[i] - threshold) < std::fabs(errors[best] - threshold)) best = i;
    }
    if (best < errors.size())
      add(best, anomaly ? "abnormal beat nearest the threshold" : "normal beat nearest the threshold");
  }
  std::size_t false_alarm = errors.size(), miss = errors.size();
  for (std::size_t i = 0; i < errors.size(); ++i) {
    bool flagged = errors[i] >= threshold;
    if (!is_anomaly[i] && flagged && (false_alarm == errors.size() || errors[i] > errors[false_alarm])) false_alarm = i;
    if (is_anomaly[i] && !flagged && (miss == errors.size() || errors[i] < errors[miss])) miss = i;
  }
  if (false_alarm < errors.size()) add(false_alarm, "misclassified: the normal beat with the highest error");
  if (miss < errors.size()) add(miss, "misclassified: the abnormal beat with the lowest error");
  return picks;
}

}  // namespace ecgad
