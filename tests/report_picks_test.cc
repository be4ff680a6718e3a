// Which beats the report draws, on a hand-made set of errors.
#include "ecgad/report_picks.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ecgad/error.h"

namespace ecgad {
namespace {

TEST(ReportPicks, TellingBeats) {
  // Rows 0-4 normal with errors 1..5 (row 4 flagged), rows 5-8 abnormal with 9, 3.5, 7, 8 (row 6 missed).
  std::vector<double> errors = {1, 2, 3, 4, 5, 9, 3.5, 7, 8};
  std::vector<std::uint8_t> is_anomaly = {0, 0, 0, 0, 0, 1, 1, 1, 1};
  std::vector<BeatPick> picks = pick_beats(errors, is_anomaly, 4.6);
  ASSERT_EQ(picks.size(), 4u);
  EXPECT_EQ(picks[0].row, 2u);  // median of 1..5
  EXPECT_EQ(picks[0].why, "typical normal beat (median error)");
  EXPECT_EQ(picks[1].row, 7u);  // of 3.5, 7, 8, 9 the lower middle: 7
  EXPECT_EQ(picks[1].why, "typical abnormal beat (median error)");
  EXPECT_EQ(picks[2].row, 4u);  // 5 is 0.4 from 4.6, 4 is 0.6; also the only false alarm
  EXPECT_EQ(picks[2].why, "normal beat nearest the threshold; misclassified: the normal beat with the highest error");
  EXPECT_EQ(picks[3].row, 6u);  // 3.5 is 1.1 from 4.6, 7 is 2.4; also the only miss
  EXPECT_EQ(picks[3].why,
            "abnormal beat nearest the threshold; misclassified: the abnormal beat with the lowest error");
}

TEST(ReportPicks, WorstMistakes) {
  // Normal rows 0-3, two flagged (errors 6 and 8: row 3 is the worst); abnormal rows 4-7, two missed (1.5 and 0.5:
  // row 6 the worst).
  std::vector<double> errors = {1, 6, 2, 8, 1.5, 9, 0.5, 10};
  std::vector<std::uint8_t> is_anomaly = {0, 0, 0, 0, 1, 1, 1, 1};
  std::vector<BeatPick> picks = pick_beats(errors, is_anomaly, 5);
  std::vector<std::size_t> rows;
  for (const BeatPick& p : picks) rows.push_back(p.row);
  // typical normal: sorted 1, 2, 6, 8 -> lower middle 2 (row 2); typical abnormal: 0.5, 1.5, 9, 10 -> 1.5 (row 4);
  // nearest 5: normal 6 (row 1), abnormal 1.5 (row 4, again); false alarm row 3; miss row 6.
  EXPECT_EQ(rows, (std::vector<std::size_t>{2, 4, 1, 3, 6}));
  EXPECT_EQ(picks[1].why, "typical abnormal beat (median error); abnormal beat nearest the threshold");
  EXPECT_EQ(picks[3].why, "misclassified: the normal beat with the highest error");
  EXPECT_EQ(picks[4].why, "misclassified: the abnormal beat with the lowest error");
}

TEST(ReportPicks, OneClassAndNoMistakes) {
  std::vector<BeatPick> picks = pick_beats({3, 1, 2}, {0, 0, 0}, 10);
  ASSERT_EQ(picks.size(), 2u);
  EXPECT_EQ(picks[0].row, 2u);  // median error 2
  EXPECT_EQ(picks[1].row, 0u);  // 3 is nearest 10
  EXPECT_TRUE(pick_beats({}, {}, 1).empty());
  EXPECT_THROW(pick_beats({1, 2}, {0}, 1), Error);
}

}  // namespace
}  // namespace ecgad
