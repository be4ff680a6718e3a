// Which beats the report draws: a policy, apart from the markup that draws them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ecgad {

struct BeatPick {
  std::size_t row;  // 0-based data row
  std::string why;  // the reasons, joined by "; "
};

// Telling beats, in this order: the typical (median error, the lower middle of an even count, ties by row) beat
// of each class, the beat of each class nearest the threshold (first row on a tie), and the worst mistakes: the
// normal beat with the highest error among those flagged, the abnormal beat with the lowest error among those
// passed. A beat chosen twice is listed once with both reasons. `is_anomaly[i]` is row i's truth.
std::vector<BeatPick> pick_beats(const std::vector<double>& errors, const std::vector<std::uint8_t>& is_anomaly,
                                 double threshold);

}  // namespace ecgad
