#include "ecgad/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ecgad/error.h"
#include "test_util.h"

namespace ecgad {
namespace {

constexpr double kTol = 1e-12;

// A scikit-learn fixture (tests/fixtures/README.md), or nothing when it is missing.
std::optional<nlohmann::json> load_fixture(const std::string& name) {
  std::ifstream in(test::fixture_path(name));
  if (!in) return std::nullopt;
  return nlohmann::json::parse(in);
}

struct Sample {
  std::vector<std::uint8_t> truth;
  std::vector<double> score;
  double threshold = 0;
};

Sample sample_of(const nlohmann::json& fixture) {
  return {fixture.at("y_true").get<std::vector<std::uint8_t>>(), fixture.at("score").get<std::vector<double>>(),
          fixture.at("threshold").get<double>()};
}

std::vector<std::uint8_t> predict(const Sample& s) {
  std::vector<std::uint8_t> predicted;
  for (double v : s.score) predicted.push_back(v >= s.threshold ? 1 : 0);
  return predicted;
}

void expect_matches_fixture(const nlohmann::json& fixture) {
  Sample s = sample_of(fixture);
  BinaryMetrics m = binary_metrics(s.truth, predict(s));
  const auto& cm = fixture.at("confusion_matrix_rows_true_cols_pred");
  EXPECT_EQ(m.confusion.tn, cm[0][0].get<std::size_t>());
  EXPECT_EQ(m.confusion.fp, cm[0][1].get<std::size_t>());
  EXPECT_EQ(m.confusion.fn, cm[1][0].get<std::size_t>());
  EXPECT_EQ(m.confusion.tp, cm[1][1].get<std::size_t>());
  EXPECT_NEAR(m.accuracy, fixture.at("accuracy").get<double>(), kTol);
  EXPECT_NEAR(m.precision, fixture.at("precision").get<double>(), kTol);
  EXPECT_NEAR(m.recall, fixture.at("recall").get<double>(), kTol);
  EXPECT_NEAR(m.f1, fixture.at("f1").get<double>(), kTol);
  EXPECT_NEAR(roc_auc(s.truth, s.score), fixture.at("roc_auc").get<double>(), kTol);
  EXPECT_NEAR(average_precision(s.truth, s.score), fixture.at("average_precision").get<double>(), kTol);
}

void expect_curve(const std::vector<CurvePoint>& actual, const std::vector<CurvePoint>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(actual[i].threshold, expected[i].threshold) << "point " << i;
    EXPECT_NEAR(actual[i].x, expected[i].x, kTol) << "point " << i;
    EXPECT_NEAR(actual[i].y, expected[i].y, kTol) << "point " << i;
  }
}

// The fixtures are checked in: a missing one is a broken checkout, not a reason to skip.
#define REQUIRE_FIXTURE(fixture, name) \
  ASSERT_TRUE(fixture) << "fixture " name " not found in " ECGAD_SOURCE_DIR "/tests/fixtures"

TEST(MetricsSklearn, MatchesFixture) {
  auto fixture = load_fixture("metrics_sklearn.json");
  REQUIRE_FIXTURE(fixture, "metrics_sklearn.json");
  expect_matches_fixture(*fixture);
}

TEST(MetricsSklearn, MatchesTiesFixture) {
  auto fixture = load_fixture("metrics_sklearn_ties.json");
  REQUIRE_FIXTURE(fixture, "metrics_sklearn_ties.json");
  expect_matches_fixture(*fixture);
}

// Expected points printed by /usr/bin/python3 with scikit-learn 1.2.1 on the fixture's y_true and score:
//   fpr, tpr, thr = sklearn.metrics.roc_curve(y, s, drop_intermediate=False)  -> {thr, fpr, tpr}
//   p, r, thr = sklearn.metrics.precision_recall_curve(y, s)                   -> {thr, r, p}
// sklearn gives the last PR point (recall 0, precision 1) no threshold; ecgad uses max score + 1 there.
TEST(MetricsSklearn, CurvesMatchSklearnOnTiesFixture) {
  auto fixture = load_fixture("metrics_sklearn_ties.json");
  REQUIRE_FIXTURE(fixture, "metrics_sklearn_ties.json");
  Sample s = sample_of(*fixture);
  expect_curve(roc_curve(s.truth, s.score), {
                                                {1.8, 0.0, 0.0},
                                                {0.8, 0.0, 0.07142857142857142},
                                                {0.7, 0.0, 0.32142857142857145},
                                                {0.6, 0.0, 0.4642857142857143},
                                                {0.5, 0.09375, 0.7857142857142857},
                                                {0.4, 0.25, 0.9642857142857143},
                                                {0.3, 0.4375, 1.0},
                                                {0.2, 0.875, 1.0},
                                                {0.1, 0.9375, 1.0},
                                                {0.0, 1.0, 1.0},
                                            });
  expect_curve(precision_recall_curve(s.truth, s.score), {
                                                             {0.0, 1.0, 0.4666666666666667},
                                                             {0.1, 1.0, 0.4827586206896552},
                                                             {0.2, 1.0, 0.5},
                                                             {0.3, 1.0, 0.6666666666666666},
                                                             {0.4, 0.9642857142857143, 0.7714285714285715},
                                                             {0.5, 0.7857142857142857, 0.88},
                                                             {0.6, 0.4642857142857143, 1.0},
                                                             {0.7, 0.32142857142857145, 1.0},
                                                             {0.8, 0.07142857142857142, 1.0},
                                                             {1.8, 0.0, 1.0},
                                                         });
}

// Produced as in CurvesMatchSklearnOnTiesFixture, on metrics_sklearn.json (two samples tie at 0.672384).
TEST(MetricsSklearn, CurvesMatchSklearnOnFixture) {
  auto fixture = load_fixture("metrics_sklearn.json");
  REQUIRE_FIXTURE(fixture, "metrics_sklearn.json");
  Sample s = sample_of(*fixture);
  expect_curve(roc_curve(s.truth, s.score),
               {
                   {2.271603, 0.0, 0.0},   {1.271603, 0.0, 0.04},  {1.202834, 0.0, 0.08},  {1.145751, 0.0, 0.12},
                   {1.023939, 0.0, 0.16},  {1.007687, 0.0, 0.2},   {0.991478, 0.0, 0.24},  {0.991093, 0.0, 0.28},
                   {0.98918, 0.0, 0.32},   {0.968135, 0.0, 0.36},  {0.953411, 0.0, 0.4},   {0.936384, 0.04, 0.4},
                   {0.896664, 0.04, 0.44}, {0.886253, 0.04, 0.48}, {0.860534, 0.08, 0.48}, {0.857841, 0.08, 0.52},
                   {0.780315, 0.12, 0.52}, {0.775089, 0.12, 0.56}, {0.76894, 0.12, 0.6},   {0.746746, 0.16, 0.6},
                   {0.745145, 0.16, 0.64}, {0.70652, 0.16, 0.68},  {0.687971, 0.16, 0.72}, {0.677994, 0.16, 0.76},
                   {0.672384, 0.2, 0.8},   {0.661565, 0.2, 0.84},  {0.650477, 0.24, 0.84}, {0.625807, 0.24, 0.88},
                   {0.583488, 0.24, 0.92}, {0.572794, 0.28, 0.92}, {0.521958, 0.28, 0.96}, {0.514035, 0.32, 0.96},
                   {0.501379, 0.32, 1.0},  {0.483586, 0.36, 1.0},  {0.457686, 0.4, 1.0},   {0.454622, 0.44, 1.0},
                   {0.3736, 0.48, 1.0},    {0.362176, 0.52, 1.0},  {0.339849, 0.56, 1.0},  {0.306364, 0.6, 1.0},
                   {0.291793, 0.64, 1.0},  {0.277978, 0.68, 1.0},  {0.269236, 0.72, 1.0},  {0.242675, 0.76, 1.0},
                   {0.230584, 0.8, 1.0},   {0.225055, 0.84, 1.0},  {0.20541, 0.88, 1.0},   {0.092217, 0.92, 1.0},
                   {0.087229, 0.96, 1.0},  {0.061529, 1.0, 1.0},
               });
  expect_curve(precision_recall_curve(s.truth, s.score), {
                                                             {0.061529, 1.0, 0.5},
                                                             {0.087229, 1.0, 0.5102040816326531},
                                                             {0.092217, 1.0, 0.5208333333333334},
                                                             {0.20541, 1.0, 0.5319148936170213},
                                                             {0.225055, 1.0, 0.5434782608695652},
                                                             {0.230584, 1.0, 0.5555555555555556},
                                                             {0.242675, 1.0, 0.5681818181818182},
                                                             {0.269236, 1.0, 0.5813953488372093},
                                                             {0.277978, 1.0, 0.5952380952380952},
                                                             {0.291793, 1.0, 0.6097560975609756},
                                                             {0.306364, 1.0, 0.625},
                                                             {0.339849, 1.0, 0.6410256410256411},
                                                             {0.362176, 1.0, 0.6578947368421053},
                                                             {0.3736, 1.0, 0.6756756756756757},
                                                             {0.454622, 1.0, 0.6944444444444444},
                                                             {0.457686, 1.0, 0.7142857142857143},
                                                             {0.483586, 1.0, 0.7352941176470589},
                                                             {0.501379, 1.0, 0.7575757575757576},
                                                             {0.514035, 0.96, 0.75},
                                                             {0.521958, 0.96, 0.7741935483870968},
                                                             {0.572794, 0.92, 0.7666666666666667},
                                                             {0.583488, 0.92, 0.7931034482758621},
                                                             {0.625807, 0.88, 0.7857142857142857},
                                                             {0.650477, 0.84, 0.7777777777777778},
                                                             {0.661565, 0.84, 0.8076923076923077},
                                                             {0.672384, 0.8, 0.8},
                                                             {0.677994, 0.76, 0.8260869565217391},
                                                             {0.687971, 0.72, 0.8181818181818182},
                                                             {0.70652, 0.68, 0.8095238095238095},
                                                             {0.745145, 0.64, 0.8},
                                                             {0.746746, 0.6, 0.7894736842105263},
                                                             {0.76894, 0.6, 0.8333333333333334},
                                                             {0.775089, 0.56, 0.8235294117647058},
                                                             {0.780315, 0.52, 0.8125},
                                                             {0.857841, 0.52, 0.8666666666666667},
                                                             {0.860534, 0.48, 0.8571428571428571},
                                                             {0.886253, 0.48, 0.9230769230769231},
                                                             {0.896664, 0.44, 0.9166666666666666},
                                                             {0.936384, 0.4, 0.9090909090909091},
                                                             {0.953411, 0.4, 1.0},
                                                             {0.968135, 0.36, 1.0},
                                                             {0.98918, 0.32, 1.0},
                                                             {0.991093, 0.28, 1.0},
                                                             {0.991478, 0.24, 1.0},
                                                             {1.007687, 0.2, 1.0},
                                                             {1.023939, 0.16, 1.0},
                                                             {1.145751, 0.12, 1.0},
                                                             {1.202834, 0.08, 1.0},
                                                             {1.271603, 0.04, 1.0},
                                                             {2.271603, 0.0, 1.0},
                                                         });
}

// By hand: positives score 0.35 and 0.8, negatives 0.1 and 0.4. Of the 4 (positive, negative) pairs only
// (0.35, 0.4) is ranked wrongly, so AUC = 3/4. Walking down the scores: 0.8 (P) recall 1/2 at precision 1,
// 0.4 (N), 0.35 (P) recall 1 at precision 2/3, so AP = 1/2 * 1 + 1/2 * 2/3 = 5/6.
TEST(MetricsByHand, FourPoints) {
  std::vector<std::uint8_t> truth = {0, 0, 1, 1};
  std::vector<double> score = {0.1, 0.4, 0.35, 0.8};
  EXPECT_NEAR(roc_auc(truth, score), 0.75, kTol);
  EXPECT_NEAR(average_precision(truth, score), 5.0 / 6.0, kTol);
  expect_curve(roc_curve(truth, score), {{1.8, 0, 0}, {0.8, 0, 0.5}, {0.4, 0.5, 0.5}, {0.35, 0.5, 1}, {0.1, 1, 1}});
  expect_curve(precision_recall_curve(truth, score),
               {{0.1, 1, 0.5}, {0.35, 1, 2.0 / 3.0}, {0.4, 0.5, 0.5}, {0.8, 0.5, 1}, {1.8, 0, 1}});
}

// By hand: the positive at 0.5 ties the negative at 0.5, which counts half: (1 + 0.5 + 1 + 1) / 4 = 0.875.
// AP steps once per distinct score: 0.9 gives recall 1/2 at precision 1, 0.5 gives recall 1 at precision 2/3.
TEST(MetricsByHand, TieAcrossClassesCountsHalf) {
  std::vector<std::uint8_t> truth = {0, 1, 0, 1};
  std::vector<double> score = {0.5, 0.5, 0.2, 0.9};
  EXPECT_NEAR(roc_auc(truth, score), 0.875, kTol);
  EXPECT_NEAR(average_precision(truth, score), 5.0 / 6.0, kTol);
  expect_curve(roc_curve(truth, score), {{1.9, 0, 0}, {0.9, 0, 0.5}, {0.5, 0.5, 1}, {0.2, 1, 1}});
}

TEST(MetricsByHand, ConfusionAndRates) {
  // tp: rows 0 and 4, fn: row 1, tn: row 2, fp: row 3.
  BinaryMetrics m = binary_metrics({1, 1, 0, 0, 1}, {1, 0, 0, 1, 1});
  EXPECT_EQ(m.confusion.tp, 2u);
  EXPECT_EQ(m.confusion.fn, 1u);
  EXPECT_EQ(m.confusion.tn, 1u);
  EXPECT_EQ(m.confusion.fp, 1u);
  EXPECT_EQ(m.confusion.total(), 5u);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.6);
  EXPECT_DOUBLE_EQ(m.precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.recall, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.f1, 2.0 / 3.0);
}

TEST(MetricsDegenerate, NoPredictedPositivesGivesZeroPrecisionAndF1) {
  BinaryMetrics m = binary_metrics({1, 0, 1}, {0, 0, 0});
  EXPECT_EQ(m.precision, 0.0);
  EXPECT_EQ(m.recall, 0.0);
  EXPECT_EQ(m.f1, 0.0);
  EXPECT_DOUBLE_EQ(m.accuracy, 1.0 / 3.0);
}

TEST(MetricsDegenerate, NoPositivesAtAllGivesZeroRecall) {
  BinaryMetrics m = binary_metrics({0, 0}, {0, 0});
  EXPECT_EQ(m.accuracy, 1.0);
  EXPECT_EQ(m.precision, 0.0);
  EXPECT_EQ(m.recall, 0.0);
  EXPECT_EQ(m.f1, 0.0);
}

TEST(MetricsDegenerate, OneClassGivesNaNAucAndAp) {
  std::vector<double> score = {0.1, 0.2, 0.2};
  EXPECT_TRUE(std::isnan(roc_auc({0, 0, 0}, score)));
  EXPECT_TRUE(std::isnan(roc_auc({1, 1, 1}, score)));
  EXPECT_TRUE(std::isnan(average_precision({0, 0, 0}, score)));
  EXPECT_TRUE(std::isnan(average_precision({1, 1, 1}, score)));
}

// As sklearn: the rate of the missing class is NaN on the ROC curve; with no positives recall is 1.
TEST(MetricsDegenerate, OneClassCurves) {
  std::vector<CurvePoint> roc = roc_curve({0, 0}, {0.1, 0.2});
  ASSERT_EQ(roc.size(), 3u);
  EXPECT_EQ(roc[1].x, 0.5);
  for (const CurvePoint& p : roc) EXPECT_TRUE(std::isnan(p.y));
  std::vector<CurvePoint> pr = precision_recall_curve({0, 0}, {0.1, 0.2});
  ASSERT_EQ(pr.size(), 3u);
  EXPECT_EQ(pr[0].x, 1.0);
  EXPECT_EQ(pr[0].y, 0.0);
  EXPECT_EQ(pr[2].x, 0.0);
  EXPECT_EQ(pr[2].y, 1.0);
}

TEST(MetricsDegenerate, Empty) {
  EXPECT_TRUE(std::isnan(binary_metrics({}, {}).accuracy));
  EXPECT_EQ(binary_metrics({}, {}).f1, 0.0);
  EXPECT_TRUE(roc_curve({}, {}).empty());
  EXPECT_TRUE(precision_recall_curve({}, {}).empty());
  EXPECT_TRUE(std::isnan(roc_auc({}, {})));
  EXPECT_TRUE(std::isnan(average_precision({}, {})));
}

TEST(MetricsErrors, RejectsBadInput) {
  EXPECT_THROW(confusion_matrix({0, 1}, {0}), Error);
  EXPECT_THROW(binary_metrics({0, 2}, {0, 1}), Error);
  EXPECT_THROW(binary_metrics({0, 1}, {0, 3}), Error);
  EXPECT_THROW(roc_auc({0, 1}, {0.5}), Error);
  EXPECT_THROW(roc_auc({0, 1}, {0.5, std::nan("")}), Error);
  EXPECT_THROW(average_precision({0, 1}, {0.5, HUGE_VAL}), Error);
  EXPECT_THROW(roc_curve({0, 7}, {0.5, 0.6}), Error);
  EXPECT_THROW(precision_recall_curve({0, 1, 1}, {0.5, 0.6}), Error);
}

}  // namespace
}  // namespace ecgad
