#include "ecgad/threshold.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "ecgad/error.h"
#include "ecgad/metrics.h"

namespace ecgad {
namespace {

using Kind = ThresholdStrategy::Kind;

TEST(ThresholdParse, AcceptsEveryForm) {
  ThresholdStrategy s = parse_threshold_strategy("mean-std:2.5");
  EXPECT_EQ(s.kind, Kind::mean_std);
  EXPECT_EQ(s.parameter, 2.5);
  s = parse_threshold_strategy("mean-std");
  EXPECT_EQ(s.kind, Kind::mean_std);
  EXPECT_EQ(s.parameter, 1.0);
  s = parse_threshold_strategy("percentile:99");
  EXPECT_EQ(s.kind, Kind::percentile);
  EXPECT_EQ(s.parameter, 99.0);
  s = parse_threshold_strategy("fixed:0.05");
  EXPECT_EQ(s.kind, Kind::fixed);
  EXPECT_EQ(s.parameter, 0.05);
  s = parse_threshold_strategy("fixed:-1e-3");
  EXPECT_EQ(s.kind, Kind::fixed);
  EXPECT_EQ(s.parameter, -1e-3);
  EXPECT_EQ(parse_threshold_strategy("best-f1").kind, Kind::best_f1);
  EXPECT_EQ(parse_threshold_strategy("best-accuracy").kind, Kind::best_accuracy);
}

TEST(ThresholdParse, ToStringIsCanonicalAndRoundTrips) {
  for (const char* text :
       {"mean-std:1", "mean-std:0", "mean-std:2.5", "percentile:0", "percentile:99", "percentile:99.9",
        "percentile:100", "fixed:0.05", "fixed:-1", "fixed:1e-05", "best-f1", "best-accuracy"}) {
    EXPECT_EQ(to_string(parse_threshold_strategy(text)), text);
  }
  EXPECT_EQ(to_string(parse_threshold_strategy("mean-std")), "mean-std:1");
  EXPECT_EQ(to_string(parse_threshold_strategy("mean-std:-0")), "mean-std:0");
  EXPECT_EQ(to_string(parse_threshold_strategy("fixed:5e-1")), "fixed:0.5");
  // One number grammar everywhere (csv_number.h): a '+' as a CSV field or an option value takes it.
  EXPECT_EQ(to_string(parse_threshold_strategy("mean-std:+1")), "mean-std:1");
  // Numbers that need all 17 digits come back bit for bit.
  for (ThresholdStrategy s : {ThresholdStrategy{Kind::fixed, 0.1 + 0.2}, ThresholdStrategy{Kind::mean_std, 1.0 / 3},
                              ThresholdStrategy{Kind::percentile, 100.0 / 3}}) {
    ThresholdStrategy back = parse_threshold_strategy(to_string(s));
    EXPECT_EQ(back.kind, s.kind);
    EXPECT_EQ(back.parameter, s.parameter);
  }
}

TEST(ThresholdParse, RejectsBadText) {
  for (const char* text : {"",
                           "foo",
                           ":",
                           "mean_std:1",
                           "Best-F1",
                           "mean-std:",
                           "mean-std:-1",
                           "mean-std:abc",
                           "mean-std:1x",
                           "mean-std: 1",
                           "mean-std:inf",
                           "mean-std:nan",
                           "mean-std:1:2",
                           "percentile",
                           "percentile:",
                           "percentile:101",
                           "percentile:-0.5",
                           "percentile:1e999",
                           "percentile:0x10",
                           "fixed",
                           "fixed:",
                           "fixed:nan",
                           "fixed:-inf",
                           "best-f1:1",
                           "best-accuracy:",
                           " best-f1"}) {
    try {
      parse_threshold_strategy(text);
      ADD_FAILURE() << "accepted '" << text << "'";
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(quoted(text)), std::string::npos) << message;
      EXPECT_NE(message.find("valid forms: mean-std[:K]"), std::string::npos) << message;
      EXPECT_NE(message.find("best-accuracy"), std::string::npos) << message;
    }
  }
}

TEST(ThresholdMeanStd, HandWorked) {
  // {1, 2, 3, 4}: mean 2.5, population variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25.
  std::vector<double> errors = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(mean_std_threshold(errors, 0), 2.5);
  EXPECT_DOUBLE_EQ(mean_std_threshold(errors, 1), 2.5 + std::sqrt(1.25));
  EXPECT_DOUBLE_EQ(mean_std_threshold(errors, 2), 2.5 + 2 * std::sqrt(1.25));
  EXPECT_DOUBLE_EQ(mean_std_threshold({7}, 3), 7);
}

// errors[i] = ((i * 37) % 101) / 17.0 + i * 1e-3 for i < 101: the same doubles in C++ and Python.
std::vector<double> spread_errors() {
  std::vector<double> errors;
  for (int i = 0; i < 101; ++i) errors.push_back(((i * 37) % 101) / 17.0 + i * 1e-3);
  return errors;
}

TEST(ThresholdMeanStd, MatchesNumpy) {
  // /usr/bin/python3, numpy 1.24.2: b.mean() + b.std() and b.mean() + 2.5 * b.std() for b = spread_errors().
  EXPECT_NEAR(mean_std_threshold(spread_errors(), 1), 4.7075757454040446, 1e-12);
  EXPECT_NEAR(mean_std_threshold(spread_errors(), 2.5), 7.282174657627758, 1e-12);
}

TEST(ThresholdPercentile, MatchesNumpy) {
  // Expected values printed by /usr/bin/python3 with numpy 1.24.2: float(np.percentile(a, p)).
  const std::vector<double> small = {0.3, 0.1, 0.7, 0.2, 0.95, 0.45, 0.05};
  const std::vector<std::pair<double, double>> small_expected = {
      {0, 0.05}, {10, 0.08000000000000002}, {25, 0.15000000000000002}, {33.3, 0.19979999999999998}, {50, 0.3},
      {90, 0.8}, {95, 0.8749999999999998},  {99, 0.9349999999999998},  {99.9, 0.9485000000000001},  {100, 0.95},
  };
  for (auto [p, expected] : small_expected) EXPECT_EQ(percentile_threshold(small, p), expected) << "p = " << p;

  const std::vector<std::pair<double, double>> spread_expected = {
      {0, 0.0},
      {10, 0.5912352941176471},
      {12.5, 0.7642941176470588},
      {25, 1.5285882352941178},
      {33.3, 2.0001235294117645},
      {50, 2.9561764705882356},
      {90, 5.3211176470588235},
      {95, 5.6672352941176465},
      {99, 5.883529411764705},
      {99.5, 5.897941176470589},
      {99.9, 5.909470588235295},
      {100, 5.912352941176471},
  };
  for (auto [p, expected] : spread_expected) {
    EXPECT_EQ(percentile_threshold(spread_errors(), p), expected) << "p = " << p;
  }
  EXPECT_EQ(percentile_threshold({5.0}, 37), 5.0);
}

TEST(ThresholdStatistics, RejectBadInput) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_THROW(mean_std_threshold({}, 1), Error);
  EXPECT_THROW(mean_std_threshold({1, nan}, 1), Error);
  EXPECT_THROW(mean_std_threshold({1, inf}, 1), Error);
  EXPECT_THROW(mean_std_threshold({1, 2}, -1), Error);
  EXPECT_THROW(mean_std_threshold({1, 2}, inf), Error);
  EXPECT_THROW(percentile_threshold({}, 50), Error);
  EXPECT_THROW(percentile_threshold({1, nan}, 50), Error);
  EXPECT_THROW(percentile_threshold({1, 2}, 100.5), Error);
  EXPECT_THROW(percentile_threshold({1, 2}, -1), Error);
  EXPECT_THROW(percentile_threshold({1, 2}, nan), Error);
}

// mean + K * std with a huge K overflows to infinity: no writer may ever store that (a model whose threshold
// is JSON null no longer loads), so the function itself refuses it, in words a user can act on.
TEST(ThresholdMeanStd, AnInfiniteResultIsRefused) {
  EXPECT_DOUBLE_EQ(mean_std_threshold({0, 10}, 1e307), 5 + 5e307);  // {0, 10}: mean 5, std 5
  try {
    mean_std_threshold({0, 10}, 1e308);
    ADD_FAILURE() << "accepted an infinite threshold";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("mean-std:1e+308"), std::string::npos) << message;
    EXPECT_NE(message.find("not a finite number"), std::string::npos) << message;
  }
}

TEST(ThresholdStatistics, MessagesNameNoFunction) {
  for (auto statistic : {+[] { mean_std_threshold({}, 1); }, +[] { percentile_threshold({}, 50); },
                         +[] {
                           best_threshold({1, 2}, {1, 1}, ThresholdStrategy::Kind::best_f1);
                         }}) {
    try {
      statistic();
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.find("_threshold"), std::string::npos) << message;
      EXPECT_NE(message.find("rows"), std::string::npos) << message;
    }
  }
}

TEST(ThresholdBest, SeparableClassesMeetHalfway) {
  // Normals 0.1, 0.2; anomalies 0.3, 0.4. t = 0.3 is perfect for both objectives; halfway down to 0.2.
  std::vector<double> errors = {0.4, 0.1, 0.3, 0.2};
  std::vector<std::uint8_t> is_normal = {0, 1, 0, 1};
  EXPECT_DOUBLE_EQ(best_threshold(errors, is_normal, Kind::best_f1), 0.25);
  EXPECT_DOUBLE_EQ(best_threshold(errors, is_normal, Kind::best_accuracy), 0.25);
}

TEST(ThresholdBest, TiesGoToTheSmallestThreshold) {
  // From the top, A = anomaly, N = normal; 3 anomalies, 4 normals; F1 = 2tp / (tp + fp + 3):
  //   t:   9    8    7    6    5    4    3
  //        A    N    A    N    N    A    N
  //   F1:  2/4  2/5  4/6  4/7  4/8  6/9  6/10   -> 2/3 at t = 7 and t = 4: take 4, halfway to 3 = 3.5
  //   acc: 5/7  4/7  5/7  4/7  3/7  4/7  3/7    -> 5/7 at t = 9 and t = 7: take 7, halfway to 6 = 6.5
  std::vector<double> errors = {3, 4, 5, 6, 7, 8, 9};
  std::vector<std::uint8_t> is_normal = {1, 0, 1, 1, 0, 1, 0};
  EXPECT_EQ(best_threshold(errors, is_normal, Kind::best_f1), 3.5);
  EXPECT_EQ(best_threshold(errors, is_normal, Kind::best_accuracy), 6.5);
}

TEST(ThresholdBest, TiedErrorsMoveTogether) {
  // Error 2 holds one normal and two anomalies; they are all flagged or none is.
  //   t = 3: tp 1 fp 0, F1 2/4, acc 3/5;  t = 2: tp 3 fp 1, F1 6/7, acc 4/5;  t = 1: tp 3 fp 2, F1 6/8, acc 3/5
  std::vector<double> errors = {1, 2, 2, 2, 3};
  std::vector<std::uint8_t> is_normal = {1, 0, 1, 0, 0};
  EXPECT_EQ(best_threshold(errors, is_normal, Kind::best_f1), 1.5);
  EXPECT_EQ(best_threshold(errors, is_normal, Kind::best_accuracy), 1.5);
}

TEST(ThresholdBest, SmallestErrorIsReturnedAsIs) {
  // A normal at 5 above anomalies at 1, 2, 3: flagging everything is best (F1 6/7, accuracy 3/4).
  std::vector<double> errors = {5, 1, 2, 3};
  std::vector<std::uint8_t> is_normal = {1, 0, 0, 0};
  EXPECT_EQ(best_threshold(errors, is_normal, Kind::best_f1), 1.0);
  EXPECT_EQ(best_threshold(errors, is_normal, Kind::best_accuracy), 1.0);
}

TEST(ThresholdBest, AdjacentDoublesKeepTheCandidate) {
  // No double lies strictly between 1 and the next one up, so the candidate itself is returned.
  const double above = std::nextafter(1.0, 2.0);
  EXPECT_EQ(best_threshold({1.0, above}, {1, 0}, Kind::best_f1), above);
}

TEST(ThresholdBest, RejectsBadInput) {
  EXPECT_THROW(best_threshold({}, {}, Kind::best_f1), Error);
  EXPECT_THROW(best_threshold({1, 2}, {1, 1}, Kind::best_f1), Error);
  EXPECT_THROW(best_threshold({1, 2}, {0, 0}, Kind::best_accuracy), Error);
  EXPECT_THROW(best_threshold({1, 2}, {0}, Kind::best_f1), Error);
  EXPECT_THROW(best_threshold({1, 2}, {0, 2}, Kind::best_f1), Error);
  EXPECT_THROW(best_threshold({1, std::nan("")}, {0, 1}, Kind::best_f1), Error);
  EXPECT_THROW(best_threshold({1, 2}, {0, 1}, Kind::mean_std), Error);
  EXPECT_THROW(best_threshold({1, 2}, {0, 1}, Kind::fixed), Error);
}

// The O(n^2) definition: score every distinct error as a threshold, keep the best, the smallest on ties.
// F1 = 2tp / (2tp + fp + fn) is one division of small integers, so equal fractions give equal doubles.
double brute_force_candidate(const std::vector<double>& errors, const std::vector<std::uint8_t>& is_normal,
                             Kind objective) {
  double best_t = 0, best_value = -1;
  for (double t : errors) {
    int tp = 0, fp = 0, fn = 0, tn = 0;
    for (std::size_t i = 0; i < errors.size(); ++i) {
      const bool flagged = errors[i] >= t, anomaly = is_normal[i] == 0;
      (flagged ? (anomaly ? tp : fp) : (anomaly ? fn : tn)) += 1;
    }
    const double value =
        objective == Kind::best_f1 ? 2.0 * tp / (2 * tp + fp + fn) : double(tp + tn) / double(errors.size());
    if (value > best_value || (value == best_value && t < best_t)) {
      best_value = value;
      best_t = t;
    }
  }
  return best_t;
}

TEST(ThresholdBest, MatchesBruteForceOnRandomData) {
  std::mt19937 rng(20240521);
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t n = 2 + rng() % 60;
    std::vector<double> errors(n);
    std::vector<std::uint8_t> is_normal(n);
    // Few distinct values, so that ties within and across classes are common.
    for (std::size_t i = 0; i < n; ++i) {
      errors[i] = static_cast<double>(rng() % 25) / 8.0;
      is_normal[i] = static_cast<std::uint8_t>(rng() % 3 != 0);
    }
    is_normal[0] = 0;
    is_normal[1] = 1;
    for (Kind objective : {Kind::best_f1, Kind::best_accuracy}) {
      const double t = brute_force_candidate(errors, is_normal, objective);
      double lower = -std::numeric_limits<double>::infinity();
      for (double e : errors) {
        if (e < t && e > lower) lower = e;
      }
      const double expected = std::isinf(lower) ? t : t / 2 + lower / 2;
      const double got = best_threshold(errors, is_normal, objective);
      ASSERT_EQ(got, expected) << "trial " << trial;

      // Measured by the metrics module, no candidate does better than the threshold returned.
      auto objective_at = [&](double threshold) {
        std::vector<std::uint8_t> truth(n), flagged(n);
        for (std::size_t i = 0; i < n; ++i) {
          truth[i] = is_normal[i] == 0;
          flagged[i] = errors[i] >= threshold;
        }
        BinaryMetrics m = binary_metrics(truth, flagged);
        return objective == Kind::best_f1 ? m.f1 : m.accuracy;
      };
      const double value = objective_at(got);
      EXPECT_EQ(value, objective_at(t)) << "trial " << trial;
      for (double candidate : errors) EXPECT_LE(objective_at(candidate), value + 1e-12) << "trial " << trial;
    }
  }
}

}  // namespace
}  // namespace ecgad
